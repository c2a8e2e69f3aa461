"""Tests of the workflows layer."""
