"""Tests of the model catalogue: bundled data, lookups, dataset rules and price overrides."""
