"""Governance: the policy (who may spend what), its decisions, and the audit log of what was decided."""
