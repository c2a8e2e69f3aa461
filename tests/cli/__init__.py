"""Tests of the ``finetune-bot`` subcommands."""
