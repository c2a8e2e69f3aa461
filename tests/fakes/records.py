"""Job records in a dict with the Redis adapter's semantics (``WatchedJobs``, ``JobHistory``)."""

from __future__ import annotations

from collections.abc import Mapping

from workflows.jobs.job import JobRecord, JobStatus


class MemoryRecords:
    """Watched until the end is announced, newest-first indexes, and announce-once."""

    def __init__(self) -> None:
        self.records: dict[str, JobRecord] = {}
        self.watching: set[str] = set()

    def save(self, record: JobRecord) -> None:
        self.records[record.job_name] = record
        if record.announced_status.terminal:
            self.watching.discard(record.job_name)
        else:
            self.watching.add(record.job_name)

    def get(self, job_name: str) -> JobRecord | None:
        return self.records.get(job_name)

    def watched(self) -> list[JobRecord]:
        return sorted((self.records[name] for name in self.watching), key=lambda r: r.started_at)

    def in_channel(self, *, team: str, channel: str, limit: int) -> list[JobRecord]:
        found = [r for r in self.records.values() if r.team == team and r.channel == channel]
        return sorted(found, key=lambda r: r.started_at, reverse=True)[: max(limit, 0)]

    def by_user(self, *, team: str, user: str, limit: int) -> list[JobRecord]:
        found = [r for r in self.records.values() if r.team == team and r.user == user]
        return sorted(found, key=lambda r: r.started_at, reverse=True)[: max(limit, 0)]

    def in_team(self, team: str) -> list[JobRecord]:
        return [r for r in self.records.values() if r.team == team]

    def unwatch(self, job_name: str) -> None:
        self.watching.discard(job_name)

    def compare_and_set_announcement(
        self,
        job_name: str,
        *,
        expected_status: JobStatus,
        expected_stages: Mapping[str, str],
        new_status: JobStatus,
        new_stages: Mapping[str, str],
    ) -> bool:
        current = self.records.get(job_name)
        if current is None or current.announced_status != expected_status:
            return False
        if dict(current.announced_stages) != dict(expected_stages):
            return False
        update = {"announced_status": new_status, "announced_stages": dict(new_stages)}
        self.records[job_name] = current.model_copy(update=update)
        return True
