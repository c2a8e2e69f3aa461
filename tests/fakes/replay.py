"""Signed requests already acted on, in a set (``RequestLog``), with Redis outages to inject."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.exceptions import StorageUnavailable


@dataclass
class MemoryRequestLog:
    """``down`` makes every claim fail as an unreachable Redis would."""

    claimed: set[tuple[str, str]] = field(default_factory=set)
    down: bool = False
    #: Redis going away between the claim and the release.
    down_for_release: bool = False

    def claim(self, timestamp: str, signature: str) -> bool:
        if self.down:
            raise StorageUnavailable()
        if (timestamp, signature) in self.claimed:
            return False
        self.claimed.add((timestamp, signature))
        return True

    def release(self, timestamp: str, signature: str) -> None:
        if self.down or self.down_for_release:
            raise StorageUnavailable()
        self.claimed.discard((timestamp, signature))
