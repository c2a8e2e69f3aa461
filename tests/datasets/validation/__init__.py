"""Tests of the dataset validator (workflows.datasets.validation)."""
