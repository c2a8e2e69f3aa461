"""Named locks and leases with expiry on a monotonic time the test moves (``Leases``)."""

from __future__ import annotations

import itertools


class MemoryLocks:
    """``held`` maps a lock's name to its token and expiry; ``time`` is seconds, moved by the test."""

    def __init__(self) -> None:
        self.time = 0.0
        self.held: dict[str, tuple[str, float]] = {}
        self._tokens = itertools.count(1)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        current = self.held.get(name)
        if current is not None and current[1] > self.time:
            return None
        token = f"token-{next(self._tokens)}"
        self.held[name] = (token, self.time + ttl_seconds)
        return token

    def release(self, name: str, token: str) -> None:
        if self.held.get(name, ("", 0.0))[0] == token:
            del self.held[name]

    def renew(self, name: str, token: str, ttl_seconds: float) -> bool:
        current = self.held.get(name)
        if current is None or current[0] != token or current[1] <= self.time:
            return False
        self.held[name] = (token, self.time + ttl_seconds)
        return True
