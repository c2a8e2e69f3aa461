"""Tests of the trust boundary: what the bot accepts from outside (signatures, replay, workspaces, downloads,
buckets, IAM) and what it posts back."""
