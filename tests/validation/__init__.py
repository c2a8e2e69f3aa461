"""Tests of the dataset validator (workflows.validation)."""
