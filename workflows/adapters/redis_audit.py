"""The audit log on Redis streams, one per team: XADD trimmed to the retention (MINID), read newest first or by time."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import redis

from workflows import keys
from workflows.adapters.redis_values import as_texts
from workflows.exceptions import StorageUnavailable
from workflows.governance.audit_entry import AuditAction, AuditEntry

#: What XRANGE and XREVRANGE answer: (id, fields) pairs.
_Entries = list[tuple[bytes, dict[bytes, bytes]]]
#: Entries read per XRANGE call while exporting.
_PAGE = 500
#: Pages of the stream of no team read for one ``latest``: it holds other teams' entries from before each had its
#: own stream, which are skipped, so the search is bounded.
_SHARED_PAGES = 20


class RedisAuditLog:
    """``AuditLog`` on Redis streams shared by every replica: one per team, one for entries of no team.

    An entry's id is its time (``<ms>-<n>``), so exports by date and the retention's MINID trimming go by when
    the decision was taken; should another replica's clock have run ahead, Redis gives the next id instead. A
    team reads its own stream and, from the stream of no team, the entries that name no team or name it (those
    written before each team had its own stream), never another team's.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        retention: timedelta = timedelta(days=keys.AUDIT_RETENTION_DAYS),
        keyspace: keys.Keyspace = keys.DEFAULT,
    ) -> None:
        self._client = client
        self._retention = retention
        self._keys = keyspace

    def append(self, entry: AuditEntry) -> str:
        """Add the entry to its team's stream and drop entries older than the retention (approximately: whole nodes)."""
        oldest = _millis(entry.at - self._retention)
        fields: dict[str | bytes, str | bytes] = {
            "at": entry.at.isoformat(),
            "action": entry.action.value,
            "user": entry.user,
            "team": entry.team,
            "channel": entry.channel,
            "subject": entry.subject,
            "cost_usd": entry.cost_usd if entry.cost_usd is not None else "",
            "detail": entry.detail,
        }
        key = self._stream(entry.team)
        if entry.team:
            self._client.sadd(self._keys.audit_teams, entry.team)
        try:
            added = self._client.xadd(key, fields, id=f"{_millis(entry.at)}-*", minid=oldest)  # type: ignore[arg-type]
        except redis.ResponseError:
            # Another replica's clock ran ahead: ids must grow, so this one takes Redis's next id.
            added = self._client.xadd(key, fields, minid=oldest)  # type: ignore[arg-type]
        return _text(cast(bytes, added))

    def latest(self, count: int, *, team: str) -> list[AuditEntry]:
        """The team's newest ``count`` entries, with those of no team, newest first."""
        try:
            own = [_entry(entry_id, fields) for entry_id, fields in self._newest(self._stream(team), count)]
            shared = self._newest_shared(count, team)
        except redis.RedisError as error:
            raise StorageUnavailable() from error
        return sorted(own + shared, key=lambda entry: _order(entry.id), reverse=True)[:count]

    def between(self, since: datetime | None, until: datetime | None) -> Iterator[AuditEntry]:
        """Every team's entries (and those of no team), oldest first, a page at a time per stream."""
        try:
            teams = sorted(as_texts(self._client.smembers(self._keys.audit_teams)))
        except redis.RedisError as error:
            raise StorageUnavailable() from error
        streams = [self._keys.audit_stream, *(self._stream(team) for team in teams if team)]
        yield from heapq.merge(*(self._range(key, since, until) for key in streams), key=lambda entry: _order(entry.id))

    def _stream(self, team: str) -> str:
        return self._keys.team_audit_stream(team) if team else self._keys.audit_stream

    def _newest(self, key: str, count: int, before: str = "+") -> _Entries:
        return cast(_Entries, self._client.xrevrange(key, max=before, count=count))

    def _newest_shared(self, count: int, team: str) -> list[AuditEntry]:
        """The newest entries of the stream of no team that name no team or ``team``, a page at a time."""
        found: list[AuditEntry] = []
        before = "+"
        for _ in range(_SHARED_PAGES):
            page = self._newest(self._keys.audit_stream, _PAGE, before)
            found += [
                entry for entry in (_entry(entry_id, fields) for entry_id, fields in page) if entry.team in ("", team)
            ]
            if len(found) >= count or len(page) < _PAGE:
                break
            before = "(" + _text(page[-1][0])
        return found[:count]

    def _range(self, key: str, since: datetime | None, until: datetime | None) -> Iterator[AuditEntry]:
        start = str(_millis(since)) if since is not None else "-"
        end = f"({_millis(until)}" if until is not None else "+"
        while True:
            try:
                page = cast(_Entries, self._client.xrange(key, min=start, max=end, count=_PAGE))
            except redis.RedisError as error:
                raise StorageUnavailable() from error
            for entry_id, fields in page:
                yield _entry(entry_id, fields)
            if len(page) < _PAGE:
                return
            start = "(" + _text(page[-1][0])


def _order(entry_id: str) -> tuple[int, int]:
    """An entry id (``<ms>-<n>``) as numbers, to merge streams in time order."""
    millis, _, sequence = entry_id.partition("-")
    return int(millis or 0), int(sequence or 0)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _entry(entry_id: bytes | str, raw: dict[bytes, bytes]) -> AuditEntry:
    fields = {_text(key): _text(value) for key, value in raw.items()}
    at = datetime.fromisoformat(fields.get("at") or "1970-01-01T00:00:00+00:00")
    return AuditEntry(
        at=at if at.tzinfo is not None else at.replace(tzinfo=UTC),
        action=AuditAction(fields["action"]),
        user=fields.get("user", ""),
        team=fields.get("team", ""),
        channel=fields.get("channel", ""),
        subject=fields.get("subject", ""),
        cost_usd=fields.get("cost_usd") or None,
        detail=fields.get("detail", ""),
        id=_text(entry_id),
    )
