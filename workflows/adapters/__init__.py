"""Adapters from the domain's ports to real infrastructure: Redis, Bedrock and S3."""
