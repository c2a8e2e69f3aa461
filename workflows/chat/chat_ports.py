"""What asking a served model takes and gives, as pure values, and the ``ModelChat`` port that does it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """Who said a turn of the conversation."""

    USER = "user"
    ASSISTANT = "assistant"


class StopReason(StrEnum):
    """Why the model stopped (Converse's ``stopReason``); ``OTHER`` for a reason this code does not know."""

    END_TURN = "end_turn"
    MAX_TOKENS = "max_tokens"
    STOP_SEQUENCE = "stop_sequence"
    GUARDRAIL_INTERVENED = "guardrail_intervened"
    CONTENT_FILTERED = "content_filtered"
    CONTEXT_WINDOW_EXCEEDED = "model_context_window_exceeded"
    OTHER = "other"

    @classmethod
    def of(cls, value: object) -> StopReason:
        """The reason Bedrock gave, or ``OTHER``."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation, as plain text."""

    role: Role
    text: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One Converse call: the model, the turns so far (ending with the user's), and an optional system prompt.

    ``model_id`` is a custom model deployment ARN, a provisioned model ARN, or a base model id.
    """

    model_id: str
    turns: tuple[Turn, ...]
    system: str | None = None
    #: The most tokens the answer may have (``inferenceConfig.maxTokens``); None lets the model decide.
    max_tokens: int | None = None
    #: Sampling temperature (``inferenceConfig.temperature``); None lets the model decide.
    temperature: float | None = None

    def __post_init__(self) -> None:
        if not self.turns or self.turns[-1].role is not Role.USER:
            raise ValueError("a chat request ends with the user's turn")

    @classmethod
    def question(
        cls, model_id: str, text: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> ChatRequest:
        """A single question, with no earlier turns."""
        return cls(model_id=model_id, turns=(Turn(Role.USER, text),), system=system, max_tokens=max_tokens)


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """What the model said, untrusted text, with Bedrock's latency, token counts and stop reason."""

    text: str
    latency_ms: int
    input_tokens: int
    output_tokens: int
    stop_reason: StopReason

    @property
    def cut_short(self) -> bool:
        """True when the model stopped at the token limit, not at the end of its answer."""
        return self.stop_reason is StopReason.MAX_TOKENS


class ModelChat(Protocol):
    """Ask a served model (custom deployment, provisioned throughput or base model) one question.

    Errors, each a ``BotError`` whose ``str()`` people can read: ``ModelNotReady``, ``ModelThrottled``,
    ``ModelRefused`` (``workflows.chat.chat_errors``), and the kernel's ``ServiceBusy`` for outages.
    """

    def ask(self, request: ChatRequest) -> ChatAnswer: ...
