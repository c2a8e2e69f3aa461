"""Tests of the trust boundary: what the bot accepts from outside and what it posts back."""
