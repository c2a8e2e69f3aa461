"""Tests of Compare with base: held-out prompts, measures, the summary, the table and the service."""
