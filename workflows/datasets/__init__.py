"""Datasets: checking what a person uploads or names (``checking``), which buckets may be read, and the validator."""
