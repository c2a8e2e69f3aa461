"""Identifiers shaped like Slack's, random enough never to repeat across runs that share one Redis."""

from __future__ import annotations

import secrets
import string
import threading
import time

_ALPHABET = string.ascii_uppercase + string.digits


def slack_id(prefix: str, length: int = 10) -> str:
    """An ID like ``F07QK2LMN3A``; random so that a bot's dedupe keys never see a repeat."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def short_id(length: int = 5) -> str:
    """A ``block_id``/``action_id`` like the ones Slack fills in when the app leaves them out."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def trigger_id() -> str:
    """A ``trigger_id`` like ``1732612345123.4242.4f1c…``: a millisecond time, a number and a hex tail."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def view_hash(ts: str) -> str:
    """A view ``hash`` like ``1732612345.000100.1a2b3c4d``: it changes on every update of the view."""
    return f"{ts}.{secrets.token_hex(4)}"


class TsClock:
    """Hands out message timestamps: wall-clock microseconds, strictly increasing, as Slack's ``ts``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> str:
        """The next ``ts``; never equal to an earlier one even when two posts land in one microsecond."""
        with self._lock:
            self._last = max(time.time_ns() // 1000, self._last + 1)
            seconds, micros = divmod(self._last, 1_000_000)
        return f"{seconds}.{micros:06d}"
