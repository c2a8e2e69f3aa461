"""What the job event intake remembers, in dicts (``JobEventMarks``), with the Redis adapter's semantics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class MemoryJobEventMarks:
    handled: set[str] = field(default_factory=set)
    #: Job name → (newest applied change, the one before it).
    changes: dict[str, tuple[datetime, datetime | None]] = field(default_factory=dict)

    def seen(self, event_id: str) -> bool:
        return event_id in self.handled

    def remember(self, event_id: str) -> None:
        self.handled.add(event_id)

    def advance(self, job_name: str, changed_at: datetime) -> bool:
        current = self.changes.get(job_name)
        if current is not None and _ms(current[0]) >= _ms(changed_at):
            return False
        self.changes[job_name] = (changed_at, current[0] if current else None)
        return True

    def retreat(self, job_name: str, changed_at: datetime) -> None:
        current = self.changes.get(job_name)
        if current is None or _ms(current[0]) != _ms(changed_at):
            return
        if current[1] is None:
            del self.changes[job_name]
        else:
            self.changes[job_name] = (current[1], None)


def _ms(moment: datetime) -> int:
    """Milliseconds, the precision the Redis adapter keeps."""
    return int(moment.timestamp() * 1000)
