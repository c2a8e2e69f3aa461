"""Tests of watching jobs: notices, decisions, metrics, the tick, the lease, orphans and pacing."""
