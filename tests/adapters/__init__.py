"""Adapter tests against real Redis and moto in server mode, plus botocore Stubber for what moto cannot show."""
