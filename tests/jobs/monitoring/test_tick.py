"""The status tick with in-memory fakes: few Bedrock calls, each change announced once, failures contained."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.fakes.clock import FakeClock
from tests.fakes.home import RecordingHome
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import CHANNEL, START, record, snapshot
from tests.fakes.storage import MemoryStorage
from workflows.catalogue import load_catalogue
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.tick import JobMonitor, TickReport, notice_key

CATALOGUE = load_catalogue(None)
OUTPUT = "s3://bucket/finetune-bot/output/tone-1a2b/"
TRAINING_CSV = "step_number,epoch_number,training_loss\n0,1,2.0\n1,1,1.0\n2,2,0.5\n"
VALIDATING = {"validation": "InProgress", "data processing": "NotStarted", "training": "NotStarted"}
TRAINING = {"validation": "Completed", "data processing": "Completed", "training": "InProgress"}


@dataclass
class World:
    """Bedrock, Redis, Slack and S3 as fakes, shared by every monitor (replica) built on them."""

    jobs: FakeJobs = field(default_factory=FakeJobs)
    records: MemoryRecords = field(default_factory=MemoryRecords)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    locks: MemoryLocks = field(default_factory=MemoryLocks)
    clock: FakeClock = field(default_factory=FakeClock)
    storage: MemoryStorage = field(default_factory=MemoryStorage)
    home: RecordingHome = field(default_factory=RecordingHome)

    def monitor(self, *, locks: MemoryLocks | None = None, also_watch: Callable[[], None] | None = None) -> JobMonitor:
        """A replica; give it its own ``locks`` to make it believe it holds the lease too."""
        lease_locks = locks or self.locks
        return JobMonitor(
            jobs=self.jobs,
            records=self.records,
            notifier=self.notifier,
            timers=self.locks,
            lease=SchedulerLease(lease_locks, ttl_seconds=180),
            catalogue=CATALOGUE,
            clock=self.clock,
            region="us-east-1",
            update_every=timedelta(minutes=30),
            storage=self.storage,
            also_watch=also_watch,
            home=self.home,
        )

    def watch(self, name: str = "tone-1a2b", **changes: object) -> JobRecord:
        """A started job: recorded, watched, and InProgress in Bedrock."""
        job = record(name, **changes)
        self.records.save(job)
        self.jobs.put(snapshot(name, output_uri=f"s3://bucket/finetune-bot/output/{name}/"))
        return job

    def later(self, minutes: float) -> None:
        """Time passes for the clock and for lock expiry alike."""
        self.clock.advance(minutes=minutes)
        self.locks.time += minutes * 60


def test_a_completed_job_is_announced_once_in_the_channel_and_its_status_message_edited() -> None:
    world = World()
    world.watch()
    monitor = world.monitor()
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED, custom_model_name="tone-model")

    first, second = monitor.tick(), monitor.tick()

    notices = world.notifier.channel_posts()
    assert len(notices) == 1
    assert notices[0].channel == CHANNEL
    assert notices[0].message is not None
    assert "completed" in notices[0].message.text
    edits = world.notifier.of_kind("update")
    assert [edit.ts for edit in edits] == ["1772443801.000200"]
    assert (first.ended, second.ended) == (1, 0)
    assert world.records.watched() == []


def test_only_jobs_that_left_the_running_list_are_described() -> None:
    world = World()
    for index in range(5):
        world.watch(f"job-{index}")
    world.jobs.set_status("job-3", JobStatus.FAILED, failure_message="Unable to parse Amazon S3 file: t.jsonl")

    report = world.monitor().tick()

    assert dict(world.jobs.calls) == {"list": 1, "describe": 1}
    assert (report.watched, report.listed, report.described, report.ended) == (5, 4, 1, 1)


def test_bedrock_calls_grow_with_pages_of_running_jobs_not_with_watched_jobs() -> None:
    world = World()
    for index in range(250):
        world.watch(f"job-{index:03d}")

    world.monitor().tick()

    assert dict(world.jobs.calls) == {"list": 3}


def test_without_watched_jobs_bedrock_is_not_called() -> None:
    world = World()

    assert world.monitor().tick() == TickReport(ran=True, reconciled=True)
    assert world.jobs.calls == {}


def test_a_replica_without_the_lease_does_nothing() -> None:
    world = World()
    world.watch()
    world.monitor().tick()
    world.jobs.calls.clear()

    report = world.monitor().tick()

    assert not report.ran
    assert world.jobs.calls == {}


def test_the_other_watch_runs_after_the_jobs_only_on_the_replica_holding_the_lease() -> None:
    world = World()
    world.watch()
    world.jobs.busy_listing = True
    ran: list[str] = []
    leader = world.monitor(also_watch=lambda: ran.append("leader"))
    follower = world.monitor(also_watch=lambda: ran.append("follower"))

    leader.tick()
    follower.tick()

    assert ran == ["leader"]


def test_a_stage_change_edits_the_status_message_without_posting_in_the_channel() -> None:
    world = World()
    world.watch(announced_stages=VALIDATING)
    world.jobs.set_status("tone-1a2b", JobStatus.IN_PROGRESS, stages=TRAINING)

    world.monitor().tick()

    assert world.notifier.channel_posts() == []
    (edit,) = world.notifier.of_kind("update")
    assert edit.message is not None
    assert "Training: InProgress" in dict(edit.message.facts)["Stages"]
    assert world.records.records["tone-1a2b"].announced_stages == TRAINING


def test_the_periodic_update_edits_the_same_message_every_interval() -> None:
    world = World()
    world.watch()
    monitor = world.monitor()

    monitor.tick()
    world.later(31)
    monitor.tick()
    world.later(10)
    monitor.tick()
    world.later(25)
    monitor.tick()

    edits = world.notifier.of_kind("update")
    assert [dict(edit.message.facts)["Elapsed"] for edit in edits if edit.message] == ["31m", "1h 06m"]
    assert {edit.ts for edit in edits} == {"1772443801.000200"}
    assert world.notifier.of_kind("post") == []


def test_a_change_and_a_due_refresh_in_one_tick_make_one_edit() -> None:
    world = World()
    world.watch(announced_stages=VALIDATING)
    world.jobs.set_status("tone-1a2b", JobStatus.IN_PROGRESS, stages=TRAINING)
    world.later(45)

    world.monitor().tick()

    assert len(world.notifier.of_kind("update")) == 1


def test_two_replicas_that_both_think_they_lead_announce_a_change_once() -> None:
    world = World()
    world.watch()
    first, second = world.monitor(), world.monitor(locks=MemoryLocks())
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)

    reports = [first.tick(), second.tick()]

    assert len(world.notifier.channel_posts()) == 1
    assert sorted(report.ended for report in reports) == [0, 1]


def test_an_undelivered_notice_is_given_back_and_announced_by_the_next_tick() -> None:
    world = World()
    world.watch()
    monitor = world.monitor()
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)
    world.notifier.fail_next = 1

    failed = monitor.tick()
    assert world.records.records["tone-1a2b"].announced_status is JobStatus.IN_PROGRESS
    retried = monitor.tick()

    assert (failed.failed, retried.ended) == (1, 1)
    assert len(world.notifier.channel_posts()) == 1
    assert world.records.watched() == []


def test_an_undelivered_stage_edit_is_retried_by_the_next_tick() -> None:
    world = World()
    world.watch(announced_stages=VALIDATING)
    monitor = world.monitor()
    world.jobs.set_status("tone-1a2b", JobStatus.IN_PROGRESS, stages=TRAINING)
    world.notifier.fail_next = 1

    monitor.tick()
    monitor.tick()

    assert len(world.notifier.of_kind("update")) == 1
    assert world.records.records["tone-1a2b"].announced_stages == TRAINING


def test_throttled_listing_skips_the_tick_without_describing_or_posting() -> None:
    world = World()
    world.watch()
    world.jobs.busy_listing = True

    report = world.monitor().tick()

    assert report.busy
    assert world.jobs.calls == {"list": 1}
    assert world.notifier.sent == []


def test_throttled_describing_ends_the_tick_and_the_next_tick_catches_up() -> None:
    world = World()
    for minutes, name in enumerate(("a-job", "b-job")):
        world.watch(name, started_at=START + timedelta(minutes=minutes))
        world.jobs.set_status(name, JobStatus.COMPLETED)
    world.jobs.busy_describing = {"a-job"}
    monitor = world.monitor()

    busy = monitor.tick()
    world.jobs.busy_describing = set()
    caught_up = monitor.tick()

    assert (busy.busy, busy.described, busy.ended) == (True, 1, 0)
    assert caught_up.ended == 2


def test_one_failing_job_does_not_stop_the_others() -> None:
    world = World()
    for name in ("a-job", "b-job", "c-job"):
        world.watch(name)
        world.jobs.set_status(name, JobStatus.COMPLETED)
    world.jobs.broken = {"b-job"}

    report = world.monitor().tick()

    assert (report.ended, report.failed) == (2, 1)
    assert [name for name in world.records.watching] == ["b-job"]


def test_a_job_bedrock_does_not_know_is_reported_and_kept_watched() -> None:
    world = World()
    world.watch("ghost")
    del world.jobs.jobs["ghost"]

    report = world.monitor().tick()

    assert report.failed == 1
    assert world.records.watching == {"ghost"}


def test_the_completion_notice_gets_the_loss_chart_in_its_thread() -> None:
    world = World()
    world.watch()
    world.storage.objects[f"{OUTPUT}job-x/training_artifacts/step_wise_training_metrics.csv"] = TRAINING_CSV.encode()
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)

    world.monitor().tick()

    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert dict(notice.message.facts)["Training loss"] == "0.5 (from 2 over 3 steps)"
    (chart,) = world.notifier.of_kind("attach")
    assert chart.thread_ts == notice.ts
    assert chart.attachment is not None
    assert chart.attachment.content.startswith(b"\x89PNG")


def test_a_failing_chart_upload_keeps_the_notice_and_the_announcement() -> None:
    world = World()
    world.watch()
    world.storage.objects[f"{OUTPUT}job-x/training_artifacts/step_wise_training_metrics.csv"] = TRAINING_CSV.encode()
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)
    monitor = world.monitor()
    original = world.notifier.attach

    def refuse(**_: object) -> None:
        raise RuntimeError("upload refused")

    world.notifier.attach = refuse  # type: ignore[method-assign]
    monitor.tick()
    world.notifier.attach = original  # type: ignore[method-assign]
    monitor.tick()

    assert len(world.notifier.channel_posts()) == 1
    assert world.records.records["tone-1a2b"].announced_status is JobStatus.COMPLETED


def test_a_job_without_a_status_message_gets_one_in_its_thread_and_keeps_it() -> None:
    world = World()
    world.watch(status_message_ts=None, announced_stages=VALIDATING)
    world.jobs.set_status("tone-1a2b", JobStatus.IN_PROGRESS, stages=TRAINING)
    monitor = world.monitor()

    monitor.tick()
    world.later(31)
    monitor.tick()

    (posted,) = world.notifier.of_kind("post")
    assert posted.thread_ts == "1772443800.000100"
    assert world.records.records["tone-1a2b"].status_message_ts == posted.ts
    assert [edit.ts for edit in world.notifier.of_kind("update")] == [posted.ts]


def test_an_end_announced_before_a_crash_is_not_announced_again() -> None:
    world = World()
    world.watch()
    world.records.records["tone-1a2b"] = world.records.records["tone-1a2b"].model_copy(
        update={"announced_status": JobStatus.COMPLETED, "notice_ts": "1800000000.000009"}
    )
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)

    world.monitor().tick()

    assert world.notifier.sent == []
    assert world.records.watched() == []


def claimed_before_a_crash(world: World) -> None:
    """A worker claimed the job's end (compare-and-set) and died before its notice went out."""
    world.records.records["tone-1a2b"] = world.records.records["tone-1a2b"].model_copy(
        update={"announced_status": JobStatus.COMPLETED}
    )
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED)


def test_an_end_claimed_but_not_announced_before_a_crash_is_announced_by_the_next_tick_once() -> None:
    world = World()
    world.watch()
    claimed_before_a_crash(world)

    first, second = world.monitor().tick(), world.monitor().tick()

    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert "completed" in notice.message.text
    assert (first.ended, second.ended) == (1, 0)
    assert world.records.records["tone-1a2b"].notice_ts == notice.ts
    assert world.records.watched() == []


def test_a_notice_that_reached_the_channel_before_the_crash_is_found_not_posted_again() -> None:
    world = World()
    world.watch()
    claimed_before_a_crash(world)
    world.notifier.keys[(CHANNEL, None, notice_key("tone-1a2b", JobStatus.COMPLETED))] = "1800000000.000777"

    world.monitor().tick()

    assert world.notifier.channel_posts() == []
    assert world.records.records["tone-1a2b"].notice_ts == "1800000000.000777"
    assert world.records.watched() == []


def test_the_failure_notice_gives_the_hint_for_bedrocks_reason_without_quoting_it() -> None:
    world = World()
    world.watch()
    reason = "Could not validate GetObject permissions to access Amazon S3 bucket: data at key t.jsonl"
    world.jobs.set_status("tone-1a2b", JobStatus.FAILED, failure_message=reason)

    world.monitor().tick()

    (notice,) = world.notifier.channel_posts()
    assert notice.message is not None
    assert "s3:GetObject" in notice.message.details[0]
    assert not any("data at key" in detail for detail in notice.message.details)


def test_each_transition_asks_for_the_starter_s_home_tab_once_and_quiet_or_periodic_ticks_do_not() -> None:
    world = World()
    world.watch(user="U7")
    monitor = world.monitor()

    monitor.tick()
    world.later(31)
    monitor.tick()  # a periodic refresh of the status message: not a change of the job's
    assert world.notifier.of_kind("update")
    assert world.home.changes == []

    world.jobs.put(snapshot(stages=TRAINING, output_uri=OUTPUT))
    monitor.tick()
    world.jobs.set_status("tone-1a2b", JobStatus.COMPLETED, custom_model_name="tone-model")
    monitor.tick()
    monitor.tick()

    assert world.home.changes == [("T1", "U7"), ("T1", "U7")]
