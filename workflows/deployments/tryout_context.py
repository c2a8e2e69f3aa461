"""What a Try it thread sends before each question: its recent questions and answers, bounded, oldest dropped first.

Each model hears its own side of the thread: the custom model its answers, the base model (side by side)
its own. An exchange a model did not answer (an error, or side by side was off) is not sent to it, since
Converse needs user and assistant turns in turn. At most ``MAX_EXCHANGES`` earlier exchanges and
``MAX_CONTEXT_CHARS`` characters of them go with a question; older ones are dropped first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.chat.chat_ports import Role, Turn
from workflows.deployments.deployment_record import TryExchange

#: Earlier exchanges (a question and its answer) sent with a question, at most.
MAX_EXCHANGES = 6
#: Characters of those earlier questions and answers, at most: about 1,500 tokens, which leaves room for
#: the question and a 1,024-token answer even in a 4K-token model such as Titan Text Lite.
MAX_CONTEXT_CHARS = 6000
#: Exchanges a thread keeps: one more than are sent, so that dropping one can be told.
KEPT_EXCHANGES = MAX_EXCHANGES + 1

TRIMMED_NOTE = (
    f"From here on only the last {MAX_EXCHANGES} questions and answers of this thread "
    f"(at most {MAX_CONTEXT_CHARS:,} characters of them) go with each question: older ones are left out."
)


class Side(StrEnum):
    """Whose answers an exchange is read for."""

    CUSTOM = "custom"
    BASE = "base"


@dataclass(frozen=True, slots=True)
class Context:
    """The earlier turns to send, oldest first, and how many answered exchanges were left out."""

    turns: tuple[Turn, ...]
    dropped: int


def recent_turns(history: list[TryExchange], side: Side) -> Context:
    """The newest exchanges ``side`` answered that fit both bounds, as alternating user and assistant turns."""
    answered = [
        (exchange.question, answer)
        for exchange in sorted(history, key=lambda exchange: float(exchange.ts))
        if (answer := exchange.custom if side is Side.CUSTOM else exchange.base) is not None
    ]
    kept: list[tuple[str, str]] = []
    used = 0
    for question, answer in reversed(answered):
        size = len(question) + len(answer)
        if len(kept) == MAX_EXCHANGES or used + size > MAX_CONTEXT_CHARS:
            break
        kept.append((question, answer))
        used += size
    turns = tuple(
        turn
        for question, answer in reversed(kept)
        for turn in (Turn(Role.USER, question), Turn(Role.ASSISTANT, answer))
    )
    return Context(turns=turns, dropped=len(answered) - len(kept))
