"""Talking to a served model: one question in, one answer out, through bedrock-runtime ``Converse``."""
