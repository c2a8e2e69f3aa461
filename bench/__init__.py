"""Benchmarks: run with `make bench` (results in the README)."""
