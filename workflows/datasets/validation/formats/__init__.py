"""Per-format record checks: flat (prompt/completion, input) and conversations (two layouts)."""
