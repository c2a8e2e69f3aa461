"""Tests of job monitoring: notices, decisions, metrics, the tick, the lease and the job commands."""
