"""What one tick should do about one watched job, decided from its record and Bedrock's snapshot (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from workflows.jobs.job import JobRecord, JobSnapshot


class Change(StrEnum):
    """How the job moved since people were last told."""

    #: Nothing new: same status and stages as announced.
    NONE = "none"
    #: Still running, but the status (Stopping) or a stage changed: edit the status message.
    PROGRESS = "progress"
    #: Completed, Failed or Stopped: edit the status message and notify the channel.
    END = "end"
    #: Its end was already announced; it only needs to leave the watch list.
    ALREADY_ENDED = "already-ended"
    #: Its end was claimed but the channel notice never went out (a crash in between): post it now.
    NOTICE_OWED = "notice-owed"


@dataclass(frozen=True, slots=True)
class Plan:
    """The decision for one job in one tick; ``periodic_due`` asks for a refresh of elapsed time and cost."""

    change: Change
    periodic_due: bool = False

    @property
    def claims_transition(self) -> bool:
        """Whether the announced state must be compared-and-set before anyone is told."""
        return self.change in {Change.PROGRESS, Change.END}

    @property
    def edits_status(self) -> bool:
        """Whether the status message in the thread is edited (changes and refreshes coalesce into one edit)."""
        return self.change is Change.PROGRESS or (self.change is Change.NONE and self.periodic_due)


def plan(record: JobRecord, snapshot: JobSnapshot, *, now: datetime, update_every: timedelta) -> Plan:
    """Compare what Bedrock says with what was announced; a periodic refresh is due after ``update_every``."""
    if record.announced_status.terminal:
        return Plan(Change.ALREADY_ENDED if record.notice_ts is not None else Change.NOTICE_OWED)
    moved = snapshot.status != record.announced_status or dict(snapshot.stages) != dict(record.announced_stages)
    if moved and snapshot.status.terminal:
        return Plan(Change.END)
    periodic_due = now - record.started_at >= update_every
    return Plan(Change.PROGRESS if moved else Change.NONE, periodic_due=periodic_due)
