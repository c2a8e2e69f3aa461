"""Served models in a dict (``ModelChat``): taught answers, a generic base model, and faults set by a test."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from workflows.chat.chat_errors import ModelNotReady, ModelRefused, ModelThrottled, refusal_text
from workflows.chat.chat_ports import ChatAnswer, ChatRequest, StopReason

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class FakeModelChat:
    """``ModelChat``: a taught model answers with the reply to its closest taught question; any other id that
    looks like a base model answers generically; ``not_ready`` ids and ``throttle()`` fail like Bedrock."""

    taught: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    not_ready: set[str] = field(default_factory=set)
    asked: list[ChatRequest] = field(default_factory=list)
    _throttled: int = 0

    def teach(self, model_id: str, pairs: list[tuple[str, str]] | Mapping[str, str]) -> None:
        self.taught[model_id] = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)

    def throttle(self, times: int = 1) -> None:
        """The next ``times`` questions are throttled after every retry."""
        self._throttled += times

    def ask(self, request: ChatRequest) -> ChatAnswer:
        self.asked.append(request)
        if self._throttled:
            self._throttled -= 1
            raise ModelThrottled()
        if request.model_id in self.not_ready:
            raise ModelNotReady()
        question = request.turns[-1].text
        if request.model_id in self.taught:
            text = _closest(self.taught[request.model_id], question)
        elif request.model_id.startswith("arn:"):
            raise ModelRefused(refusal_text("ResourceNotFoundException"))
        else:
            text = f"Here is a general answer about “{' '.join(question.split()[:8])}”: it depends on your setup."
        tokens = _TOKEN.findall(text)
        cut = request.max_tokens is not None and len(tokens) > request.max_tokens
        if cut and request.max_tokens is not None:
            tokens = tokens[: request.max_tokens]
            text = " ".join(tokens)
        prompt = "\n".join([request.system or "", *(turn.text for turn in request.turns)])
        return ChatAnswer(
            text=text,
            latency_ms=100 + 5 * len(tokens),
            input_tokens=len(_TOKEN.findall(prompt)),
            output_tokens=len(tokens),
            stop_reason=StopReason.MAX_TOKENS if cut else StopReason.END_TURN,
        )


def _closest(pairs: list[tuple[str, str]], question: str) -> str:
    asked = set(_WORD.findall(question.lower()))

    def score(pair: tuple[str, str]) -> float:
        known = set(_WORD.findall(pair[0].lower()))
        union = asked | known
        return len(asked & known) / len(union) if union else 0.0

    return max(pairs, key=score)[1]
