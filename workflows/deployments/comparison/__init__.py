"""Compare with base: held-out prompts through the custom and the base model, simple measures, a summary and a table."""
