"""The audit log on a Redis stream: XADD with MINID trimming to the retention, read back newest or by time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import redis

from workflows import keys
from workflows.exceptions import StorageUnavailable
from workflows.governance.audit_entry import AuditAction, AuditEntry

#: What XRANGE and XREVRANGE answer: (id, fields) pairs.
_Entries = list[tuple[bytes, dict[bytes, bytes]]]
#: Entries read per XRANGE call while exporting.
_PAGE = 500


class RedisAuditLog:
    """``AuditLog`` on one stream shared by every replica.

    An entry's id is its time (``<ms>-<n>``), so exports by date and the retention's MINID trimming go by when
    the decision was taken; should another replica's clock have run ahead, Redis gives the next id instead.
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
        self._key = keyspace.audit_stream

    def append(self, entry: AuditEntry) -> str:
        """Add the entry and drop entries older than the retention (approximately: whole nodes), in one command."""
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
        try:
            added = self._client.xadd(self._key, fields, id=f"{_millis(entry.at)}-*", minid=oldest)  # type: ignore[arg-type]
        except redis.ResponseError:
            # Another replica's clock ran ahead: ids must grow, so this one takes Redis's next id.
            added = self._client.xadd(self._key, fields, minid=oldest)  # type: ignore[arg-type]
        return _text(cast(bytes, added))

    def latest(self, count: int) -> list[AuditEntry]:
        try:
            found = cast(_Entries, self._client.xrevrange(self._key, count=count))
        except redis.RedisError as error:
            raise StorageUnavailable() from error
        return [_entry(entry_id, fields) for entry_id, fields in found]

    def between(self, since: datetime | None, until: datetime | None) -> Iterator[AuditEntry]:
        """Oldest first, a page at a time, so a long export never holds the whole log."""
        start = str(_millis(since)) if since is not None else "-"
        end = f"({_millis(until)}" if until is not None else "+"
        while True:
            try:
                page = cast(_Entries, self._client.xrange(self._key, min=start, max=end, count=_PAGE))
            except redis.RedisError as error:
                raise StorageUnavailable() from error
            for entry_id, fields in page:
                yield _entry(entry_id, fields)
            if len(page) < _PAGE:
                return
            start = "(" + _text(page[-1][0])


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
