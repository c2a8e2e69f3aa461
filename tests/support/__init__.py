"""Test-only helpers that start and stop the real components the integration tests talk to."""
