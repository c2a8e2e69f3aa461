"""Injected Slack failures: the next calls of a named Web API method fail with 500, 429 or a dropped connection.

Armed through the Python API (``emulator.faults.fail("chat.update", "500", times=3)``) or over
HTTP, so a test can break Slack under a bot running in another process::

    POST   /faults   {"method": "chat.postMessage", "kind": "500" | "429" | "drop",
                      "times": 1, "retry_after": 1}
    DELETE /faults   forget every armed fault
    GET    /faults   what is armed, and every failure injected so far

Each armed fault answers ``times`` calls of its method, then the method works again. A 500 and a
429 answer with Slack's JSON error body (a 429 with ``Retry-After``); ``drop`` closes the
connection without any answer, as a reset between the bot and Slack would.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.sandbox.records import JSON


class FaultKind(StrEnum):
    """How a call fails."""

    #: HTTP 500 with ``{"ok": false, "error": "fatal_error"}``.
    SERVER_ERROR = "500"
    #: HTTP 429 with ``Retry-After``.
    RATE_LIMITED = "429"
    #: The connection is closed with no answer.
    DROP = "drop"


@dataclass(frozen=True)
class Fault:
    """One failure to inject."""

    kind: FaultKind
    retry_after: int = 1

    @property
    def status(self) -> int:
        """The HTTP status to answer with (0 for a dropped connection: nothing is sent)."""
        return {FaultKind.SERVER_ERROR: 500, FaultKind.RATE_LIMITED: 429, FaultKind.DROP: 0}[self.kind]

    def body(self) -> JSON:
        """Slack's error body for the failure."""
        return {"ok": False, "error": "ratelimited" if self.kind is FaultKind.RATE_LIMITED else "fatal_error"}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.kind is FaultKind.RATE_LIMITED else {}


@dataclass(frozen=True)
class Injected:
    """A call that was failed on purpose."""

    method: str
    kind: FaultKind
    time: float


class SlackFaults:
    """The armed faults of one emulator, by method; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[str, list[Fault]] = {}
        self._injected: list[Injected] = []

    def fail(self, method: str, kind: FaultKind | str, *, times: int = 1, retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``kind`` (after any already armed)."""
        fault = Fault(FaultKind(kind), retry_after=retry_after)
        with self._lock:
            self._armed.setdefault(method, []).extend([fault] * times)

    def clear(self) -> None:
        """Disarm everything (what was injected stays on record)."""
        with self._lock:
            self._armed.clear()

    def take(self, method: str) -> Fault | None:
        """The fault this call of ``method`` must suffer, used up; None when the call should work."""
        with self._lock:
            queue = self._armed.get(method)
            if not queue:
                return None
            fault = queue.pop(0)
            self._injected.append(Injected(method, fault.kind, time.time()))
            return fault

    def armed(self, method: str) -> int:
        """How many failures are still waiting for ``method``."""
        with self._lock:
            return len(self._armed.get(method, ()))

    def injected(self, method: str | None = None) -> list[Injected]:
        """Failures injected so far (of one method, if given), oldest first."""
        with self._lock:
            return [item for item in self._injected if method is None or item.method == method]

    def control(self, verb: str, body: bytes) -> tuple[int, JSON]:
        """Answer the ``/faults`` HTTP endpoint: arm (POST), clear (DELETE) or report (GET)."""
        if verb == "DELETE":
            self.clear()
            return 200, {"ok": True}
        if verb == "GET":
            with self._lock:
                armed = {method: len(queue) for method, queue in self._armed.items() if queue}
                injected = [{"method": i.method, "kind": i.kind.value} for i in self._injected]
            return 200, {"ok": True, "armed": armed, "injected": injected}
        try:
            spec: Any = json.loads(body or b"{}")
            self.fail(
                str(spec["method"]),
                str(spec.get("kind", FaultKind.SERVER_ERROR.value)),
                times=int(spec.get("times", 1)),
                retry_after=int(spec.get("retry_after", 1)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"ok": False, "error": f"invalid_fault: {exc}"}
        return 200, {"ok": True}
