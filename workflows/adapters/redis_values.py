"""Typed helpers over redis-py: replies read the same with or without decode_responses, and WATCH."""

from __future__ import annotations

from collections.abc import Iterable

from redis.client import Pipeline


def as_text(value: object) -> str | None:
    """A reply as text; None stays None (a missing key); bytes that are not UTF-8 cannot crash a read."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def as_texts(values: object) -> list[str]:
    """A list reply (SMEMBERS, ZRANGE, MGET…) as text, without the None entries."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return []
    return [text for text in (as_text(value) for value in values) if text is not None]


def as_list(values: object) -> list[object]:
    """A list reply as a list, keeping None entries (MGET's missing keys) in place."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return []
    return list(values)


def watch(pipe: Pipeline, *names: str) -> None:
    """WATCH keys on a pipeline (immediate mode until MULTI)."""
    pipe.watch(*names)  # type: ignore[no-untyped-call]  # redis-py leaves Pipeline.watch unannotated
