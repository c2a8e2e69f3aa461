"""A workspace's job records in Redis, for ``/finetune cost`` and the budgets: every record still kept, by its index."""

from __future__ import annotations

import logging

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_list, as_text, as_texts
from workflows.jobs.job import JobRecord

logger = logging.getLogger(__name__)

#: Keys asked for per SCAN step and per MGET.
BATCH = 500


class RedisJobHistory:
    """``JobHistory`` on Redis: the workspace's index (``jobs_by_team_key``) names its records, which expire after the
    retention period."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def in_team(self, team: str) -> list[JobRecord]:
        """Every readable job record of the workspace ``team``, from its index; entries whose record expired are
        dropped from it."""
        index = self._keys.jobs_by_team_key(team)
        names = as_texts(self._client.zrange(index, 0, -1))
        found: list[JobRecord] = []
        for start in range(0, len(names), BATCH):
            batch = names[start : start + BATCH]
            raws = as_list(self._client.mget([self._keys.job_key(name) for name in batch]))
            gone = [name for name, raw in zip(batch, raws, strict=True) if raw is None]
            if gone:
                self._client.zrem(index, *gone)
            records = (_decode(as_text(raw)) for raw in raws)
            found += [record for record in records if record is not None and record.team == team]
        return found


def _decode(raw: str | None) -> JobRecord | None:
    """A stored record, or None when it vanished or cannot be read."""
    if raw is None:
        return None
    try:
        return JobRecord.model_validate_json(raw)
    except ValidationError:
        logger.warning("Ignoring an unreadable job record in the cost summary")
        return None
