"""Tests of the datasets feature: checking, access and the validator."""
