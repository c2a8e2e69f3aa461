"""Orphans: running jobs with the bot's tags but no record are recorded, watched and shown; others are left alone."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.clock import FakeClock
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import CHANNEL, START, TEAM, USER, snapshot
from tests.fakes.storage import MemoryStorage
from workflows.catalogue import load_catalogue
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobOrigin
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.orphans import FOREIGN_RECHECK_SECONDS, OrphanAdopter, orphan_record
from workflows.jobs.monitoring.tick import JobMonitor

CATALOGUE = load_catalogue(None)
TITAN = "amazon.titan-text-lite-v1:0:4k"
THREAD = "1772443800.000100"
TAGS = {
    "finetune-bot:user": USER,
    "finetune-bot:channel": CHANNEL,
    "finetune-bot:team": TEAM,
    "finetune-bot:conversation": f"{TEAM}:{CHANNEL}:{THREAD}",
    "finetune-bot:type": "conversation",
    "finetune-bot:tokens": "120000",
}


def origin(**tags: str) -> JobOrigin:
    return JobOrigin(base_model_id=TITAN, bedrock_type="FINE_TUNING", hyperparameters={"epochCount": "3"}, tags=tags)


def test_the_tags_give_the_whole_record_with_its_thread_and_cost() -> None:
    found = orphan_record(snapshot("lost-job", created_at=START), origin(**TAGS), CATALOGUE, now=START)
    assert found is not None
    assert (found.team, found.channel, found.user, found.thread_ts) == (TEAM, CHANNEL, USER, THREAD)
    assert (found.customization, found.epochs, found.training_tokens) == (CustomizationType.CONVERSATION, 3, 120_000)
    assert found.estimated_training_cost is not None
    assert found.status_message_ts is None


def test_without_a_conversation_tag_the_thread_is_unknown() -> None:
    tags = {key: value for key, value in TAGS.items() if not key.endswith((":conversation", ":tokens"))}
    found = orphan_record(snapshot("lost-job"), origin(**tags), CATALOGUE, now=START)
    assert found is not None
    assert found.thread_ts == ""
    assert found.estimated_training_cost is None


def test_a_job_reading_invocation_logs_is_adopted_as_one_with_its_tokens_unknown() -> None:
    tags = {key: value for key, value in TAGS.items() if not key.endswith(":tokens")}
    tags |= {"finetune-bot:type": "distillation", "finetune-bot:source": "invocation-logs"}
    found = orphan_record(snapshot("lost-job"), origin(**tags), CATALOGUE, now=START)
    assert found is not None
    assert found.from_invocation_logs
    assert found.estimated_training_cost is None
    assert not orphan_record(snapshot("lost-job"), origin(**TAGS), CATALOGUE, now=START).from_invocation_logs  # type: ignore[union-attr]


def test_a_job_without_the_bots_tags_is_not_the_bots() -> None:
    assert orphan_record(snapshot("theirs"), origin(owner="data-team"), CATALOGUE, now=START) is None


class World:
    def __init__(self) -> None:
        self.jobs = FakeJobs()
        self.records = MemoryRecords()
        self.notifier = RecordingNotifier()
        self.locks = MemoryLocks()
        self.clock = FakeClock()

    def monitor(self) -> JobMonitor:
        adopter = OrphanAdopter(
            origins=self.jobs,
            records=self.records,
            notifier=self.notifier,
            locks=self.locks,
            catalogue=CATALOGUE,
            clock=self.clock,
            region="us-east-1",
        )
        return JobMonitor(
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
            adopter=adopter,
        )

    def running(self, name: str, **tags: str) -> None:
        self.jobs.put(snapshot(name, created_at=START))
        self.jobs.origins[name] = origin(**tags)


def test_a_tagged_job_with_no_record_is_adopted_on_the_next_tick_with_a_status_message_in_its_thread() -> None:
    world = World()
    world.running("lost-job", **TAGS)

    monitor = world.monitor()
    report = monitor.tick()

    assert report.adopted == 1
    (watched,) = world.records.watched()
    (status,) = world.notifier.of_kind("post")
    assert status.thread_ts == THREAD
    assert status.message is not None
    assert "`lost-job`" in status.message.text
    assert watched.status_message_ts == status.ts
    assert monitor.tick().adopted == 0


def test_a_foreign_job_is_left_alone_and_its_tags_are_not_read_again_for_a_day() -> None:
    world = World()
    world.running("theirs", owner="data-team")

    monitor = world.monitor()
    assert (monitor.tick().ran, monitor.tick().ran) == (True, True)

    assert world.records.records == {}
    assert world.notifier.sent == []
    assert world.jobs.calls["origin"] == 1
    world.locks.time += FOREIGN_RECHECK_SECONDS + 1
    monitor.tick()
    assert world.jobs.calls["origin"] == 2


def test_a_job_whose_launcher_holds_the_launch_lock_is_left_to_it_this_tick() -> None:
    world = World()
    world.running("being-launched", **TAGS)
    world.locks.acquire(f"launch:{TEAM}:{CHANNEL}:{THREAD}", ttl_seconds=120)

    monitor = world.monitor()
    assert monitor.tick().adopted == 0
    world.locks.time += 121
    assert monitor.tick().adopted == 1
