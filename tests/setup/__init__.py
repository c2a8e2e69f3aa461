"""Tests of the setup conversation: the state machine, one-line setup, the service, the outbox and recovery."""
