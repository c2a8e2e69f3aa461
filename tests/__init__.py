"""Tests for finetune-bot."""
