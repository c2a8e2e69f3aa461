"""Try it threads in a dict (``TryThreads``), with the expiry each was saved with."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.deployments.deployment_record import TryExchange, TryThread


@dataclass
class FakeTryThreads:
    """``TryThreads``: ``expire()`` forgets every thread, as Redis does after the expiry."""

    threads: dict[tuple[str, str, str], TryThread] = field(default_factory=dict)
    ttls: dict[tuple[str, str, str], int] = field(default_factory=dict)
    claimed: set[tuple[str, str, str]] = field(default_factory=set)
    answered: set[tuple[str, str, str]] = field(default_factory=set)
    history: dict[tuple[str, str, str], list[TryExchange]] = field(default_factory=dict)
    trim_noted: set[tuple[str, str, str]] = field(default_factory=set)
    #: Openings in flight by channel; ``expire()`` ends them, as their deadline would.
    openings: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def save(self, thread: TryThread, *, ttl_seconds: int) -> None:
        key = (thread.team, thread.channel, thread.thread_ts)
        self.threads[key] = thread
        self.ttls[key] = ttl_seconds

    def get(self, *, team: str, channel: str, thread_ts: str) -> TryThread | None:
        return self.threads.get((team, channel, thread_ts))

    def begin_opening(self, *, team: str, channel: str, key: str, ttl_seconds: int) -> None:
        self.openings.setdefault((team, channel), set()).add(key)

    def end_opening(self, *, team: str, channel: str, key: str) -> None:
        self.openings.get((team, channel), set()).discard(key)

    def opening(self, *, team: str, channel: str) -> bool:
        return bool(self.openings.get((team, channel)))

    def claim_question(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> bool:
        if (team, channel, ts) in self.claimed or (team, channel, ts) in self.answered:
            return False
        self.claimed.add((team, channel, ts))
        return True

    def question_answered(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> None:
        self.claimed.discard((team, channel, ts))
        self.answered.add((team, channel, ts))

    def claims_expire(self) -> None:
        """Claims whose answering replica died pass their expiry; answered questions stay answered."""
        self.claimed.clear()

    def add_exchange(self, thread: TryThread, exchange: TryExchange, *, keep: int, ttl_seconds: int) -> None:
        key = (thread.team, thread.channel, thread.thread_ts)
        self.history[key] = [*self.history.get(key, []), exchange][-keep:]

    def exchanges(self, *, team: str, channel: str, thread_ts: str) -> list[TryExchange]:
        return list(self.history.get((team, channel, thread_ts), []))

    def claim_trim_note(self, *, team: str, channel: str, thread_ts: str, ttl_seconds: int) -> bool:
        if (team, channel, thread_ts) in self.trim_noted:
            return False
        self.trim_noted.add((team, channel, thread_ts))
        return True

    def expire(self) -> None:
        self.threads.clear()
        self.history.clear()
        self.trim_noted.clear()
        self.openings.clear()
        self.claims_expire()
