"""What the job event intake remembers in Redis: handled event ids, and each job's newest applied state change."""

from __future__ import annotations

from datetime import datetime

import redis

from workflows import keys

#: Make ARGV[1] (epoch ms) the job's newest change if it is newer than ``current``; keep the old one as
#: ``previous`` for a give-back. 1 when it was newer, 0 when not.
_ADVANCE = """
local current = redis.call('HGET', KEYS[1], 'current')
if current and tonumber(current) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'current', ARGV[1], 'previous', current or '')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
#: Put ``previous`` back if ARGV[1] is still the newest change (nobody advanced past it meanwhile).
_RETREAT = """
if redis.call('HGET', KEYS[1], 'current') ~= ARGV[1] then
  return 0
end
local previous = redis.call('HGET', KEYS[1], 'previous')
if previous and previous ~= '' then
  redis.call('HSET', KEYS[1], 'current', previous, 'previous', '')
else
  redis.call('DEL', KEYS[1])
end
return 1
"""


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


class RedisJobEventMarks:
    """``JobEventMarks`` on Redis: SET EX per event id, and a compare-and-advance script per job."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace
        self._advance = client.register_script(_ADVANCE)
        self._retreat = client.register_script(_RETREAT)

    def seen(self, event_id: str) -> bool:
        return bool(self._client.exists(self._keys.job_event_key(event_id)))

    def remember(self, event_id: str) -> None:
        self._client.set(self._keys.job_event_key(event_id), 1, ex=keys.JOB_EVENT_TTL_SECONDS)

    def advance(self, job_name: str, changed_at: datetime) -> bool:
        key = self._keys.job_changed_key(job_name)
        return bool(self._advance(keys=[key], args=[_millis(changed_at), keys.JOB_CHANGED_TTL_SECONDS]))

    def retreat(self, job_name: str, changed_at: datetime) -> None:
        self._retreat(keys=[self._keys.job_changed_key(job_name)], args=[_millis(changed_at)])
