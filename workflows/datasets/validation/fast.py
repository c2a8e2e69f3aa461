"""Clean flat records decoded and type-checked in C, so the scan's common case runs no Python checks.

A line decodes here only when it is one JSON object holding exactly the format's keys, each a
string: what the general checks would accept without a word. Every other line, and a record
whose text is empty or blank, fails and goes through the general checks, which report it.

Whole batches of lines are decoded in one call (``FlatLines``): there every line must hold one
JSON object whose keys are the format's own (strings) or those of the other formats (kept as
raw JSON, unparsed), so that a file with a few foreign records still decodes in one call; a
record is clean when it holds exactly the format's keys with non-blank text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import msgspec

from workflows.dataset_rules import DatasetFormat


class PromptCompletion(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An instruction record: ``{"prompt": str, "completion": str}`` and no other key."""

    prompt: str
    completion: str


class TextInput(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A pre-training record: ``{"input": str}`` and no other key."""

    input: str


#: What a line that is not a clean record raises (invalid UTF-8 raises UnicodeDecodeError).
FAST_FAILURES = (msgspec.DecodeError, UnicodeDecodeError)
#: Stands for a key the record does not hold (an empty ``Raw`` is false).
_ABSENT = msgspec.Raw()


class FlatLine(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One line of a batch: any of the flat and conversation keys; text keys are strings when present."""

    prompt: str | None = None
    completion: str | None = None
    input: str | None = None
    schemaVersion: msgspec.Raw = _ABSENT  # the JSON key
    messages: msgspec.Raw = _ABSENT
    system: msgspec.Raw = _ABSENT


@dataclass(frozen=True, slots=True)
class FlatBatch:
    """How to decode a batch of lines of one flat format and take each record's texts."""

    #: Decodes a JSON array of lines, raising one of ``FAST_FAILURES`` when one is not a ``FlatLine``.
    decode: Callable[[bytes], list[FlatLine]]
    #: Each text key's value, per record: a column per key, in the format's key order.
    columns: tuple[Callable[[FlatLine], str | None], ...]
    #: The keys a clean record must not hold (present when not false).
    foreign: tuple[Callable[[FlatLine], object], ...]


_FLAT_KEYS = {
    DatasetFormat.PROMPT_COMPLETION: ("prompt", "completion"),
    DatasetFormat.TEXT_INPUT: ("input",),
}


def flat_batch(format: DatasetFormat) -> FlatBatch:
    """The batch decoder for a flat format (prompt/completion or input)."""
    keys = _FLAT_KEYS[format]
    others = [name for name in FlatLine.__struct_fields__ if name not in keys]
    return FlatBatch(
        decode=msgspec.json.Decoder(list[FlatLine]).decode,
        columns=tuple(attrgetter(key) for key in keys),
        foreign=tuple(attrgetter(name) for name in others),
    )


def prompt_completion_decoder() -> Callable[[bytes], PromptCompletion]:
    """Decodes one line into a clean instruction record, raising one of ``FAST_FAILURES`` otherwise."""
    return msgspec.json.Decoder(PromptCompletion).decode


def text_input_decoder() -> Callable[[bytes], TextInput]:
    """Decodes one line into a clean pre-training record, raising one of ``FAST_FAILURES`` otherwise."""
    return msgspec.json.Decoder(TextInput).decode
