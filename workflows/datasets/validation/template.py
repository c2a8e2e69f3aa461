"""Approximate prompt-template tokens a model adds around a record's text, per format.

The numbers follow the Llama 3 chat template (a begin-of-text token, and about five header and
end-of-turn tokens per turn); Bedrock does not document what it counts. They are used only to
warn about records close to the per-record limit and to add a small, stated amount to the
token total; a record is never rejected because of them.
"""

from __future__ import annotations

from workflows.dataset_rules import DatasetFormat

#: Begin and end of text, and a separator between prompt and completion.
PROMPT_COMPLETION_TOKENS = 3
#: Begin and end of text.
TEXT_INPUT_TOKENS = 2
#: Begin of text, once per conversation record.
CONVERSATION_TOKENS = 1
#: Role header and end-of-turn tokens around each turn (the system prompt counts as one).
TURN_TOKENS = 5


def flat_overhead(format: DatasetFormat) -> int:
    """The per-record template tokens of a flat format (prompt/completion or input)."""
    if format is DatasetFormat.TEXT_INPUT:
        return TEXT_INPUT_TOKENS
    return PROMPT_COMPLETION_TOKENS


def conversation_overhead(turns: int, *, has_system: bool) -> int:
    """The template tokens of a conversation record with ``turns`` messages."""
    return CONVERSATION_TOKENS + TURN_TOKENS * (turns + (1 if has_system else 0))
