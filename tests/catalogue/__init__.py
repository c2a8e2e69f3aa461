"""Tests of the model catalogue: bundled data, lookups, dataset rules, price overrides, costs and hyperparameters."""
