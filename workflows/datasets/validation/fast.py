"""Clean flat records decoded and type-checked in C, so the scan's common case runs no Python checks.

A line decodes here only when it is one JSON object holding exactly the format's keys, each a
string: what the general checks would accept without a word. Every other line, and a record
whose text is empty or blank, fails and goes through the general checks, which report it.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec


class PromptCompletion(msgspec.Struct, forbid_unknown_fields=True):
    """An instruction record: ``{"prompt": str, "completion": str}`` and no other key."""

    prompt: str
    completion: str


class TextInput(msgspec.Struct, forbid_unknown_fields=True):
    """A pre-training record: ``{"input": str}`` and no other key."""

    input: str


#: What a line that is not a clean record raises (invalid UTF-8 raises UnicodeDecodeError).
FAST_FAILURES = (msgspec.DecodeError, UnicodeDecodeError)


def prompt_completion_decoder() -> Callable[[bytes], PromptCompletion]:
    """Decodes one line into a clean instruction record, raising one of ``FAST_FAILURES`` otherwise."""
    return msgspec.json.Decoder(PromptCompletion).decode


def text_input_decoder() -> Callable[[bytes], TextInput]:
    """Decodes one line into a clean pre-training record, raising one of ``FAST_FAILURES`` otherwise."""
    return msgspec.json.Decoder(TextInput).decode
