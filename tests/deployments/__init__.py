"""Tests of deploying custom models: the pure decisions and texts."""
