"""Tests of governance: the policy, its decisions, the gatekeeper and the audit log."""
