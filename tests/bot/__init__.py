"""Tests of the bot layer."""
