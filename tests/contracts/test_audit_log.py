"""``AuditLog``: the in-memory fake and the Redis stream keep entries whole, newest first or by time, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.fakes.governance import MemoryAuditLog
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_audit import RedisAuditLog
from workflows.governance.audit_entry import AuditAction, AuditEntry
from workflows.governance.governance_ports import AuditLog


@pytest.fixture(params=["fake", *REDIS_KINDS])
def audit(request: pytest.FixtureRequest) -> AuditLog:
    if request.param == "fake":
        return MemoryAuditLog()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisAuditLog(client)


def entry(subject: str, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "at": datetime.now(UTC),
        "action": AuditAction.JOB_STARTED,
        "user": "U1",
        "team": "T1",
        "channel": "C1",
        "subject": subject,
        "cost_usd": "12.50",
        "detail": "instruction on m1",
    }
    fields.update(changes)
    return AuditEntry(**fields)  # type: ignore[arg-type]


def test_an_entry_comes_back_whole_with_its_id(audit: AuditLog) -> None:
    written = entry("job-1 <!channel> ünïcode", cost_usd=None, user="")
    entry_id = audit.append(written)
    (read,) = audit.latest(5, team="T1")
    assert read.id == entry_id
    assert read.as_json() | {"id": ""} == written.as_json()


def test_latest_is_newest_first_and_bounded(audit: AuditLog) -> None:
    for number in range(4):
        audit.append(entry(f"job-{number}"))
    assert [found.subject for found in audit.latest(3, team="T1")] == ["job-3", "job-2", "job-1"]


def test_between_is_oldest_first_within_the_window(audit: AuditLog) -> None:
    for number in range(3):
        audit.append(entry(f"job-{number}"))
    now = datetime.now(UTC)
    window = list(audit.between(now - timedelta(minutes=1), now + timedelta(minutes=1)))
    assert [found.subject for found in window] == ["job-0", "job-1", "job-2"]
    assert [found.subject for found in audit.between(None, None)] == ["job-0", "job-1", "job-2"]
    assert list(audit.between(now + timedelta(minutes=1), None)) == []
    assert list(audit.between(None, now - timedelta(minutes=1))) == []


@pytest.mark.integration
def test_the_stream_drops_entries_older_than_the_retention(redis_client: redis.Redis) -> None:
    log = RedisAuditLog(redis_client, retention=timedelta(days=1))
    for number in range(300):
        log.append(entry(f"old-{number}"))
    assert redis_client.xlen("finetune:audit:T1") == 300
    log.append(entry("two days later", at=datetime.now(UTC) + timedelta(days=2)))
    # MINID ~ drops whole stream nodes (100 entries each by default), never the entry just added.
    left = int(redis_client.xlen("finetune:audit:T1"))
    assert left <= 101
    assert log.latest(1, team="T1")[0].subject == "two days later"


@pytest.mark.integration
def test_an_export_reads_past_one_page(redis_client: redis.Redis) -> None:
    log = RedisAuditLog(redis_client)
    for number in range(1203):
        log.append(entry(f"job-{number}"))
    subjects = [found.subject for found in log.between(None, None)]
    assert subjects == [f"job-{number}" for number in range(1203)]


def test_a_team_reads_its_own_entries_and_those_of_no_team_never_another_teams(audit: AuditLog) -> None:
    start = datetime.now(UTC)
    for second, (subject, team) in enumerate(
        [("ours", "T1"), ("theirs", "T2"), ("policy reloaded", ""), ("org-wide workspace", "E1.T3")]
    ):
        audit.append(entry(subject, team=team, at=start + timedelta(seconds=second)))
    assert [found.subject for found in audit.latest(10, team="T1")] == ["policy reloaded", "ours"]
    assert [found.subject for found in audit.latest(10, team="T2")] == ["policy reloaded", "theirs"]
    assert [found.subject for found in audit.latest(10, team="E1.T3")] == ["org-wide workspace", "policy reloaded"]
    assert [found.subject for found in audit.between(None, None)] == [
        "ours",
        "theirs",
        "policy reloaded",
        "org-wide workspace",
    ]


@pytest.mark.integration
def test_entries_from_before_teams_had_their_own_stream_stay_with_their_team(redis_client: redis.Redis) -> None:
    """The stream every entry went to before (``finetune:audit``) is read for a team's entries among the others."""
    redis_client.xadd("finetune:audit", {**_legacy_fields("T1"), "subject": "started before the upgrade"})
    redis_client.xadd("finetune:audit", {**_legacy_fields("T2"), "subject": "another team's, before"})
    log = RedisAuditLog(redis_client)
    log.append(entry("started after the upgrade", team="T1", at=datetime.now(UTC) + timedelta(seconds=1)))
    assert [found.subject for found in log.latest(5, team="T1")] == [
        "started after the upgrade",
        "started before the upgrade",
    ]
    assert [found.subject for found in log.latest(5, team="T2")] == ["another team's, before"]
    assert len(list(log.between(None, None))) == 3


def _legacy_fields(team: str) -> dict[str, str]:
    return {
        "at": datetime.now(UTC).isoformat(),
        "action": AuditAction.JOB_STARTED.value,
        "user": "U1",
        "team": team,
        "channel": "C1",
        "cost_usd": "",
        "detail": "",
    }
