"""The idle check: a throughput that served the whole window with no invocations; one reminder per period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.invocations import FakeInvocations
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentStatus
from workflows.deployments.idle_check import DEFAULT_IDLE_HOURS, IdleWindow, idle_window, is_idle, span_words

DAY = timedelta(hours=DEFAULT_IDLE_HOURS)


def test_a_throughput_in_service_for_a_whole_day_is_checked_over_the_last_day() -> None:
    now = CREATED + DAY + timedelta(hours=1)
    assert idle_window(ready(throughput()), now) == IdleWindow(start=now - DAY, end=now)


@pytest.mark.parametrize(
    ("record", "why"),
    [
        (ready(on_demand()), "on demand bills nothing while idle"),
        (throughput(), "still creating"),
        (throughput(status=DeploymentStatus.FAILED), "failed"),
        (ready(throughput()).model_copy(update={"status": DeploymentStatus.DELETED}), "deleted"),
        (ready(throughput(), at=CREATED + timedelta(hours=2)), "in service for less than the period"),
        (ready(throughput()).model_copy(update={"reminded_at": CREATED + timedelta(hours=2)}), "reminded this period"),
    ],
)
def test_no_check_is_due(record: object, why: str) -> None:
    assert idle_window(record, CREATED + DAY + timedelta(hours=1)) is None, why  # type: ignore[arg-type]


def test_the_period_is_configurable_and_must_be_positive() -> None:
    now = CREATED + timedelta(hours=7)
    assert idle_window(ready(throughput()), now, idle_hours=6) == IdleWindow(now - timedelta(hours=6), now)
    assert idle_window(ready(throughput()), now, idle_hours=0.5) == IdleWindow(now - timedelta(minutes=30), now)
    with pytest.raises(ValueError, match=r"at least 0\.001"):
        idle_window(ready(throughput()), now, idle_hours=0)


def test_idle_means_not_a_single_invocation() -> None:
    assert is_idle(ModelUsage(0, 0, 0))
    assert not is_idle(ModelUsage(1, 12, 40))


def test_an_idle_throughput_gets_one_reminder_per_period_however_often_it_is_checked() -> None:
    """Hourly checks over three idle days (two replicas each time): one reminder a day."""
    store = MemoryDeploymentStore()
    store.save(ready(throughput()))
    usage = FakeInvocations()
    reminders = []
    for hour in range(1, 3 * 24 + 1):
        now = CREATED + timedelta(hours=hour)
        for _replica in range(2):
            record = store.get("support-tone-pt1-0a1b2c3d")
            assert record is not None
            window = idle_window(record, now)
            if window is None:
                continue
            seen = usage.usage(model_id=record.arn, start=window.start, end=window.end)
            if is_idle(seen) and store.claim_reminder(
                record.name, now=now, period_seconds=DAY.total_seconds(), claim_seconds=600
            ):
                store.reminder_posted(record.name, at=now)
                reminders.append(hour)
    assert reminders == [24, 48, 72]


def test_a_throughput_used_within_the_window_gets_no_reminder() -> None:
    record = ready(throughput())
    usage = FakeInvocations()
    usage.record(record.arn, CREATED + timedelta(hours=20), invocations=3, input_tokens=300, output_tokens=90)
    now = CREATED + timedelta(hours=30)
    window = idle_window(record, now)
    assert window is not None
    assert not is_idle(usage.usage(model_id=record.arn, start=window.start, end=window.end))
    later = CREATED + timedelta(hours=45)
    window = idle_window(record, later)
    assert window is not None
    assert is_idle(usage.usage(model_id=record.arn, start=window.start, end=window.end))


@pytest.mark.parametrize(
    ("hours", "words"),
    [(24, "24 hours"), (1, "1 hour"), (1.5, "90 minutes"), (0.002, "7 seconds"), (1 / 3600, "1 second")],
)
def test_a_period_reads_in_the_largest_whole_unit(hours: float, words: str) -> None:
    assert span_words(hours) == words
