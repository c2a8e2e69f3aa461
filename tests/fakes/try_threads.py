"""Try it threads in a dict (``TryThreads``), with the expiry each was saved with."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.deployments.deployment_record import TryThread


@dataclass
class FakeTryThreads:
    """``TryThreads``: ``expire()`` forgets every thread, as Redis does after the expiry."""

    threads: dict[tuple[str, str, str], TryThread] = field(default_factory=dict)
    ttls: dict[tuple[str, str, str], int] = field(default_factory=dict)
    claimed: set[tuple[str, str, str]] = field(default_factory=set)

    def save(self, thread: TryThread, *, ttl_seconds: int) -> None:
        key = (thread.team, thread.channel, thread.thread_ts)
        self.threads[key] = thread
        self.ttls[key] = ttl_seconds

    def get(self, *, team: str, channel: str, thread_ts: str) -> TryThread | None:
        return self.threads.get((team, channel, thread_ts))

    def claim_question(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> bool:
        if (team, channel, ts) in self.claimed:
            return False
        self.claimed.add((team, channel, ts))
        return True

    def expire(self) -> None:
        self.threads.clear()
