"""Small sample datasets, one valid file per customization type and one with typical mistakes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Sample file per name; each is a few lines people can read.
INSTRUCTION = "instruction.jsonl"
CONTINUED_PRETRAINING = "continued-pretraining.jsonl"
CONVERSATION = "conversation.jsonl"
#: Five held-out support questions, worded unlike the training data's, with the team's answers (validation).
CONVERSATION_VALIDATION = "conversation-validation.jsonl"
#: 120 support-ticket prompts in bedrock-conversation-2024, every fifth with the desired answer.
DISTILLATION = "distillation.jsonl"
#: 120 warehouse arithmetic prompts in the chat-completions layout, each with its reference answer.
REINFORCEMENT = "reinforcement.jsonl"
#: Line 3 is cut off (not JSON) and line 7 ends on the user's turn.
CONVERSATION_WITH_MISTAKES = "conversation-with-mistakes.jsonl"


def sample_path(name: str) -> Path:
    """Where a sample file lies inside the installed package."""
    return Path(str(resources.files(__package__).joinpath(name)))


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()
