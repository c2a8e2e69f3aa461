"""The idle check as the tick runs it: due once per interval, one reminder per period with a Delete button."""

from __future__ import annotations

from datetime import timedelta

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.clock import FakeClock
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.invocations import FakeInvocations
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.idle_reminders import REMINDER_CLAIM_SECONDS, IdleReminders
from workflows.exceptions import ServiceBusy
from workflows.messages import Action

HOUR = 3600


class Subject:
    def __init__(self, *, idle_hours: float = 24, check_seconds: float = HOUR) -> None:
        self.store = MemoryDeploymentStore()
        self.usage = FakeInvocations()
        self.notifier = RecordingNotifier()
        self.timers = MemoryLocks()
        self.clock = FakeClock(CREATED)
        self.reminders = IdleReminders(
            store=self.store,
            invocations=self.usage,
            notifier=self.notifier,
            timers=self.timers,
            clock=self.clock,
            idle_hours=idle_hours,
            check_seconds=check_seconds,
        )

    def at_hour(self, hour: float) -> None:
        self.clock.now_value = CREATED + timedelta(hours=hour)
        self.timers.time = hour * HOUR


def test_hourly_checks_by_two_replicas_over_three_idle_days_remind_once_a_day_in_the_thread() -> None:
    subject = Subject()
    subject.store.save(ready(throughput()))
    for hour in range(3 * 24 + 1):
        subject.at_hour(hour + 0.5)
        subject.reminders.check_if_due()
        subject.reminders.check_if_due()  # the other replica, or an overlapping tick: not due again
    posts = subject.notifier.of_kind("post")
    assert len(posts) == 3
    first = posts[0]
    assert (first.channel, first.thread_ts) == ("C1", "1790000000.000100")
    assert first.message is not None
    assert "has had no requests in the last 24 hours" in first.message.text
    assert dict(first.message.facts)["Cost so far"].startswith("about $1,482.25 (24.5 hours")
    assert [(b.label, b.action, b.value) for b in first.message.buttons] == [
        ("Delete", Action.DELETE_DEPLOYMENT, "support-tone-pt1-0a1b2c3d")
    ]


def test_checks_run_once_per_interval_whichever_replica_asks() -> None:
    subject = Subject(check_seconds=6 * HOUR)
    subject.store.save(ready(throughput()))
    ran = []
    for hour in range(25, 49):
        subject.at_hour(hour)
        ran.append(subject.reminders.check_if_due().ran)
    assert ran.count(True) == 4


def test_a_used_throughput_an_on_demand_one_and_a_young_one_get_no_reminder() -> None:
    subject = Subject()
    used = ready(throughput("used-pt1-11111111"))
    subject.store.save(used)
    subject.store.save(ready(on_demand()))
    subject.store.save(ready(throughput("young-pt1-22222222"), at=CREATED + timedelta(hours=20)))
    subject.usage.record(used.arn, CREATED + timedelta(hours=20), invocations=1, input_tokens=10, output_tokens=5)
    subject.at_hour(30)
    report = subject.reminders.check()
    assert report.checked == 1
    assert report.reminded == 0
    assert subject.notifier.of_kind("post") == []


def test_fractional_periods_count_in_seconds() -> None:
    subject = Subject(idle_hours=0.002, check_seconds=1)
    subject.store.save(ready(throughput()))
    subject.at_hour(0.003)
    subject.reminders.check()
    subject.at_hour(0.0035)
    subject.reminders.check()
    subject.at_hour(0.0051)
    subject.reminders.check()
    posts = subject.notifier.of_kind("post")
    assert len(posts) == 2
    assert posts[0].message is not None
    assert "no requests in the last 7 seconds" in posts[0].message.text


class BusyInvocations:
    def __init__(self) -> None:
        self.asked = 0

    def usage(self, **_: object) -> ModelUsage:
        self.asked += 1
        raise ServiceBusy("CloudWatch kept throttling.")


def test_cloudwatch_busy_stops_the_pass_without_a_reminder_and_the_next_due_check_tries_again() -> None:
    subject = Subject()
    busy = BusyInvocations()
    checker = IdleReminders(
        store=subject.store,
        invocations=busy,
        notifier=subject.notifier,
        timers=subject.timers,
        clock=subject.clock,
        idle_hours=24,
        check_seconds=HOUR,
    )
    subject.store.save(ready(throughput("a-pt1-11111111")))
    subject.store.save(ready(throughput("b-pt1-22222222")))
    subject.at_hour(25)
    report = checker.check()
    assert (report.failed, report.reminded, busy.asked) == (1, 0, 1)
    assert subject.notifier.of_kind("post") == []
    subject.at_hour(26)
    assert subject.reminders.check().reminded == 2


def test_a_reminder_slack_refused_goes_out_at_the_next_tick_once() -> None:
    subject = Subject(check_seconds=24 * HOUR)
    subject.store.save(ready(throughput()))
    subject.at_hour(25)
    subject.notifier.fail_next = 1  # Slack answers 500 after the client's retries

    refused = subject.reminders.check_if_due()
    subject.at_hour(25.02)  # the next tick, a minute later
    retried = subject.reminders.check_if_due()
    later = [subject.reminders.check_if_due() for _ in range(3)]

    assert (refused.reminded, refused.unsent) == (0, 1)
    assert (retried.ran, retried.reminded, retried.unsent) == (True, 1, 0)
    assert [report.ran for report in later] == [False, False, False]
    assert len(subject.notifier.of_kind("post")) == 1
    stored = subject.store.get(throughput().name)
    assert stored is not None
    assert (stored.reminded_at, stored.reminder_claimed_at) == (CREATED + timedelta(hours=25.02), None)


def test_a_reminder_that_reached_slack_with_its_answer_lost_is_not_posted_again() -> None:
    subject = Subject()
    subject.store.save(ready(throughput()))
    subject.at_hour(25)
    subject.notifier.answers_lost = 1  # posted, but the connection dropped before Slack's answer

    first = subject.reminders.check_if_due()
    subject.at_hour(25.02)
    second = subject.reminders.check_if_due()
    subject.at_hour(30)
    third = subject.reminders.check_if_due()

    assert (first.reminded, first.unsent) == (0, 1)
    assert (second.reminded, second.unsent) == (1, 0)
    assert (third.ran, third.reminded) == (True, 0)
    assert len(subject.notifier.of_kind("post")) == 1


def test_a_reminder_claimed_by_a_replica_that_died_goes_out_once_its_claim_expired() -> None:
    subject = Subject()
    record = ready(throughput())
    subject.store.save(record)
    dead_at = CREATED + timedelta(hours=25)
    assert subject.store.claim_reminder(
        record.name, now=dead_at, period_seconds=24 * HOUR, claim_seconds=REMINDER_CLAIM_SECONDS
    )

    subject.at_hour(25 + 300 / HOUR)
    while_claimed = subject.reminders.check()
    subject.at_hour(25 + (REMINDER_CLAIM_SECONDS + 1) / HOUR)
    taken_over = subject.reminders.check()
    again = subject.reminders.check()

    assert (while_claimed.checked, while_claimed.reminded) == (1, 0)
    assert taken_over.reminded == 1
    assert again.reminded == 0
    assert len(subject.notifier.of_kind("post")) == 1
