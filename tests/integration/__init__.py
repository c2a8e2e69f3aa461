"""Tests that run the bot as a subprocess against the real components."""
