"""A workspace's job records in Redis, for ``/finetune cost``: every record still kept, found by SCAN."""

from __future__ import annotations

import logging

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_list, as_text
from workflows.jobs.job import JobRecord

logger = logging.getLogger(__name__)

#: Keys asked for per SCAN step and per MGET.
BATCH = 500


class RedisJobHistory:
    """``JobHistory`` on Redis: records expire after the retention period, so a scan stays bounded."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def in_team(self, team: str) -> list[JobRecord]:
        """Every readable job record of the workspace ``team``."""
        found: list[JobRecord] = []
        batch: list[str] = []
        for key in self._client.scan_iter(match=self._keys.job_prefix + "*", count=BATCH):
            batch.append(as_text(key) or "")
            if len(batch) >= BATCH:
                found += self._load(batch, team)
                batch = []
        return found + self._load(batch, team)

    def _load(self, names: list[str], team: str) -> list[JobRecord]:
        if not names:
            return []
        records = (_decode(as_text(raw)) for raw in as_list(self._client.mget(names)))
        return [record for record in records if record is not None and record.team == team]


def _decode(raw: str | None) -> JobRecord | None:
    """A stored record, or None when it vanished or cannot be read."""
    if raw is None:
        return None
    try:
        return JobRecord.model_validate_json(raw)
    except ValidationError:
        logger.warning("Ignoring an unreadable job record in the cost summary")
        return None
