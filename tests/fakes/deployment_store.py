"""Deployment records in a dict with the Redis adapter's semantics (``DeploymentStore``)."""

from __future__ import annotations

from datetime import datetime

from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, reminder_due


class MemoryDeploymentStore:
    """Live until failed or deleted, newest-first per workspace, status changes and reminders claimed once."""

    def __init__(self) -> None:
        self.records: dict[str, DeploymentRecord] = {}

    def save(self, record: DeploymentRecord) -> None:
        self.records[record.name] = record

    def get(self, name: str) -> DeploymentRecord | None:
        return self.records.get(name)

    def live(self) -> list[DeploymentRecord]:
        found = [record for record in self.records.values() if not record.status.terminal]
        return sorted(found, key=lambda record: record.created_at)

    def in_team(self, team: str) -> list[DeploymentRecord]:
        found = [record for record in self.records.values() if record.team == team]
        return sorted(found, key=lambda record: record.created_at, reverse=True)

    def compare_and_set_status(
        self, name: str, *, expected: DeploymentStatus, new: DeploymentStatus, at: datetime
    ) -> bool:
        record = self.records.get(name)
        if record is None or record.status is not expected:
            return False
        update: dict[str, object] = {"status": new}
        if new.ready and record.ready_at is None:
            update["ready_at"] = at
        if new is DeploymentStatus.DELETED and record.deleted_at is None:
            update["deleted_at"] = at
        self.records[name] = record.model_copy(update=update)
        return True

    def claim_reminder(self, name: str, *, now: datetime, period_seconds: float, claim_seconds: float) -> bool:
        record = self.records.get(name)
        if record is None or not reminder_due(
            record, now=now, period_seconds=period_seconds, claim_seconds=claim_seconds
        ):
            return False
        self.records[name] = record.model_copy(update={"reminder_claimed_at": now})
        return True

    def reminder_posted(self, name: str, *, at: datetime) -> None:
        record = self.records.get(name)
        if record is not None:
            self.records[name] = record.model_copy(update={"reminded_at": at, "reminder_claimed_at": None})

    def release_reminder(self, name: str) -> None:
        record = self.records.get(name)
        if record is not None:
            self.records[name] = record.model_copy(update={"reminder_claimed_at": None})
