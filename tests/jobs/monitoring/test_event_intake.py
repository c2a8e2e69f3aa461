"""The job event intake with in-memory fakes: events drive the tick's announce-once code, and only news counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tests.fakes.clock import FakeClock
from tests.fakes.job_event_marks import MemoryJobEventMarks
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.queue import MemoryQueue
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, record, snapshot
from tests.fakes.storage import MemoryStorage
from tests.jobs.monitoring.event_samples import event_body
from workflows.catalogue import load_catalogue
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.event_intake import JobEventIntake, Outcome
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.tick import JobMonitor

CATALOGUE = load_catalogue(None)
NAME = "tone-1a2b"
TRAINING = {"validation": "Completed", "data processing": "Completed", "training": "InProgress"}


@dataclass
class World:
    """Bedrock, Redis, Slack, S3 and SQS as fakes, shared by the tick and the intake."""

    jobs: FakeJobs = field(default_factory=FakeJobs)
    records: MemoryRecords = field(default_factory=MemoryRecords)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    locks: MemoryLocks = field(default_factory=MemoryLocks)
    clock: FakeClock = field(default_factory=FakeClock)
    queue: MemoryQueue = field(default_factory=MemoryQueue)
    marks: MemoryJobEventMarks = field(default_factory=MemoryJobEventMarks)

    def __post_init__(self) -> None:
        self.monitor = JobMonitor(
            jobs=self.jobs,
            records=self.records,
            notifier=self.notifier,
            timers=self.locks,
            lease=SchedulerLease(self.locks, ttl_seconds=180),
            catalogue=CATALOGUE,
            clock=self.clock,
            region="us-east-1",
            update_every=timedelta(minutes=30),
            storage=MemoryStorage(),
            reconcile_every=600,
        )
        self.intake = JobEventIntake(
            queue=self.queue, marks=self.marks, records=self.records, jobs=self.jobs, monitor=self.monitor
        )
        self.records.save(record(NAME, announced_stages=TRAINING))
        self.jobs.put(snapshot(NAME, stages=TRAINING))

    def moves(self, status: JobStatus, minutes: float, **detail: object) -> str:
        """Bedrock moves the job ``minutes`` after START and EventBridge queues the event; its body."""
        self.jobs.set_status(NAME, status)
        body = event_body(NAME, status, changed_at=START + timedelta(minutes=minutes), **detail)
        self.queue.send(body)
        return body

    def status_text(self) -> str:
        """The status message in the thread as last edited."""
        updates = self.notifier.of_kind("update")
        assert updates, "the status message was never edited"
        message = updates[-1].message
        assert message is not None
        assert updates[-1].ts == record().status_message_ts
        return message.text


def test_a_completion_event_announces_once_and_its_message_is_deleted() -> None:
    world = World()
    world.moves(JobStatus.COMPLETED, 60)

    report = world.intake.poll()

    assert report.outcomes == {Outcome.APPLIED: 1}
    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert f"`{NAME}` completed." in notice.message.text
    assert "completed" in world.status_text()
    assert world.queue.bodies() == []
    assert world.records.watched() == []


def test_the_same_event_delivered_twice_and_one_with_another_id_change_nothing() -> None:
    world = World()
    body = world.moves(JobStatus.COMPLETED, 60)
    world.intake.poll()
    sent = len(world.notifier.sent)

    world.queue.send(body)
    world.queue.send(event_body(NAME, JobStatus.COMPLETED, changed_at=START + timedelta(minutes=60)))
    report = world.intake.poll()

    assert report.outcomes == {Outcome.DUPLICATE: 1, Outcome.STALE: 1}
    assert len(world.notifier.sent) == sent
    assert world.queue.bodies() == []


def test_an_older_event_after_a_newer_one_is_ignored() -> None:
    world = World()
    world.moves(JobStatus.STOPPING, 30)
    world.intake.poll()
    assert "stopping" in world.status_text().lower()
    edits = len(world.notifier.of_kind("update"))

    world.queue.send(event_body(NAME, JobStatus.IN_PROGRESS, changed_at=START + timedelta(minutes=10), endTime=None))
    report = world.intake.poll()

    assert report.outcomes == {Outcome.STALE: 1}
    assert len(world.notifier.of_kind("update")) == edits
    assert world.records.get(NAME).announced_status is JobStatus.STOPPING  # type: ignore[union-attr]


def test_events_out_of_order_end_with_the_newest_state() -> None:
    world = World()
    world.jobs.set_status(NAME, JobStatus.STOPPED)
    world.queue.send(event_body(NAME, JobStatus.STOPPED, changed_at=START + timedelta(minutes=40)))
    world.queue.send(event_body(NAME, JobStatus.STOPPING, changed_at=START + timedelta(minutes=30), endTime=None))

    report = world.intake.poll()

    assert report.outcomes == {Outcome.APPLIED: 1, Outcome.STALE: 1}
    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert "was stopped." in notice.message.text


def test_a_stopping_event_edits_the_status_message_and_keeps_the_stages() -> None:
    world = World()
    world.moves(JobStatus.STOPPING, 30, endTime=None)

    world.intake.poll()

    assert world.notifier.channel_posts() == []
    (edit,) = world.notifier.of_kind("update")
    assert edit.message is not None
    assert dict(edit.message.facts)["Stages"].count("Completed") == 2
    assert world.records.get(NAME).announced_stages == TRAINING  # type: ignore[union-attr]


def test_events_about_other_jobs_are_deleted_without_a_word() -> None:
    world = World()
    world.queue.send(event_body("someone-elses-job", JobStatus.COMPLETED))
    other_account = "arn:aws:bedrock:us-east-1:210987654321:model-customization-job/tone-1a2b"
    world.queue.send(event_body(NAME, JobStatus.COMPLETED, arn=other_account))

    report = world.intake.poll()

    assert report.outcomes == {Outcome.FOREIGN: 2}
    assert world.notifier.sent == []
    assert world.queue.bodies() == []
    assert world.records.get(NAME).announced_status is JobStatus.IN_PROGRESS  # type: ignore[union-attr]


def test_a_malformed_message_is_deleted_and_the_next_one_still_applied() -> None:
    world = World()
    world.queue.send("{not json")
    world.queue.send(event_body(NAME, "Exploded"))
    world.moves(JobStatus.COMPLETED, 60)

    report = world.intake.poll()

    assert report.outcomes == {Outcome.MALFORMED: 2, Outcome.APPLIED: 1}
    assert len(world.notifier.channel_posts()) == 1
    assert world.queue.bodies() == []


def test_when_slack_fails_the_message_stays_and_its_next_delivery_announces() -> None:
    world = World()
    world.moves(JobStatus.COMPLETED, 60)
    world.notifier.fail_next = 1

    failed = world.intake.poll()
    assert failed.outcomes == {Outcome.FAILED: 1}
    assert world.notifier.channel_posts() == []
    assert len(world.queue.bodies()) == 1

    world.queue.expire_visibility()
    again = world.intake.poll()

    assert again.outcomes == {Outcome.APPLIED: 1}
    assert len(world.notifier.channel_posts()) == 1
    assert world.queue.bodies() == []


def test_an_end_the_tick_already_announced_is_not_announced_again() -> None:
    world = World()
    world.jobs.set_status(NAME, JobStatus.COMPLETED)
    world.monitor.tick()
    assert len(world.notifier.channel_posts()) == 1

    world.queue.send(event_body(NAME, JobStatus.COMPLETED, changed_at=START + timedelta(minutes=60)))
    report = world.intake.poll()

    assert report.outcomes == {Outcome.APPLIED: 1}
    assert len(world.notifier.channel_posts()) == 1
    assert world.queue.bodies() == []


def test_an_end_event_uses_bedrocks_description_when_it_agrees() -> None:
    world = World()
    world.jobs.set_status(NAME, JobStatus.COMPLETED, training_loss=0.4375)
    world.queue.send(event_body(NAME, JobStatus.COMPLETED, changed_at=START + timedelta(minutes=60)))

    world.intake.poll()

    assert world.jobs.calls["describe"] == 1
    assert "0.4375" in world.notifier.everything()


def test_an_end_event_is_announced_from_the_event_when_bedrock_is_busy() -> None:
    world = World()
    world.jobs.busy_describing.add(NAME)
    world.moves(JobStatus.FAILED, 60, failureMessage="Maximum input token count 4919 exceeds limit of 4096")

    report = world.intake.poll()

    assert report.outcomes == {Outcome.APPLIED: 1}
    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert "failed." in notice.message.text
    assert "4919" not in world.notifier.everything()


def test_with_events_the_tick_polls_the_jobs_once_per_reconcile_interval() -> None:
    world = World()

    first = world.monitor.tick()
    listed = world.jobs.calls["list"]
    second = world.monitor.tick()
    world.locks.time += 601
    third = world.monitor.tick()

    assert (first.reconciled, second.reconciled, third.reconciled) == (True, False, True)
    assert listed > 0
    assert world.jobs.calls["list"] == 2 * listed
