"""Three ``finetune-bot serve`` replicas behind a round-robin balancer; the lease holder is killed mid-run.

Four people set up jobs in two channels through the balancer (every command, click and upload is
signed as Slack signs it, and lands on whichever replica's turn it is) while their jobs move
through their states in the AWS stand-in. The replica holding the scheduler lease is killed with
SIGKILL while it is creating one person's job (Bedrock's create held in the AWS proxy) and checking
another person's dataset (the upload to S3 held), and while a job has just ended. Then: every setup
finishes on the survivors, every transition is announced exactly once, each setup made exactly one
Bedrock job, and the lease moved to a survivor within its TTL plus one tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.samples import CONTINUED_PRETRAINING, CONVERSATION, INSTRUCTION, sample_bytes
from bot.sandbox.transport import DriverResponse
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import ENDINGS
from tests.jobs.monitoring.moto_jobs import set_status
from tests.support.aws_proxy import CREATE_CUSTOMIZATION_JOB, AwsProxy, Operation, aws_proxy
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.round_robin import RoundRobin
from tests.support.stack import BUCKET, REGION, bot_environment, full_text
from workflows import keys
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.jobs.formatting import STATUS_WORDS
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.lease import lease_ttl

pytestmark = pytest.mark.integration

#: Seconds between ticks (the setting's minimum), so takeovers and re-drives happen within seconds.
POLL = 1
#: A dataset check or a job creation older than this is presumed lost with its replica and run again.
CHECK_DEADLINE = 4
LAUNCH_DEADLINE = 3
#: What every wait may take on a loaded machine; the lease takeover has its own, tighter bound.
BOUNDED = 30
#: Scheduling slack on a busy two-core machine: a tick fires late by up to this much.
SLACK_SECONDS = 1.5
LEASE_KEY = keys.LOCK_PREFIX + keys.SCHEDULER_LEASE
LEASE_TAKEN = "took the scheduler lease"
LEASE_LOST = "Lost the scheduler lease"
DROPPED = "Dropped a redelivery of event"
GENERAL, RESEARCH = "C0GENERAL", "C0RESEARCH"
#: S3 (path-style on loopback): PUT /{bucket}/{key}, where a checked upload is kept.
S3_PUT_OBJECT = Operation("PutObject", "s3", "PUT", r"/[^/]+/.+")

BotFactory = Callable[[Mapping[str, str]], BotProcess]


@dataclass
class Setup:
    """One person's setup in one channel, and what it should become."""

    user: str
    name: str
    channel: str
    type_label: str
    model_label: str
    sample: str
    thread: str = ""
    #: The statuses the test moves its job through, in order; each is announced once.
    path: list[JobStatus] = field(default_factory=list)


@dataclass
class Cluster:
    """Three replicas on one Redis, the balancer in front, and the proxy between them and AWS."""

    bots: list[BotProcess]
    balancer: RoundRobin
    driver: SlackDriver
    emulator: SlackEmulator
    aws: AwsProxy
    aws_url: str
    redis: redis.Redis

    def holder(self) -> BotProcess:
        """The replica that holds the lease: the only one whose log says it took it (and never lost it)."""
        holding = [bot for bot in self.bots if LEASE_TAKEN in bot.log()]
        assert len(holding) == 1, [bot.log() for bot in holding]
        assert all(LEASE_LOST not in bot.log() for bot in self.bots)
        return holding[0]

    def bedrock(self) -> Any:
        return boto3.client("bedrock", region_name=REGION, endpoint_url=self.aws_url)


@pytest.fixture
def cluster(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_client: redis.Redis, redis_url: str, aws: MotoServer
) -> Iterator[Cluster]:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    for user in ("alice", "bob", "carol", "dave"):
        emulator.add_user(f"U0{user.upper()}", user)
    emulator.add_channel(RESEARCH, "research")
    with aws_proxy(aws.endpoint_url) as proxy:
        env = bot_environment(
            emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=proxy.endpoint_url
        ) | {
            "FINETUNE_POLL_SECONDS": str(POLL),
            "FINETUNE_CHECK_TIMEOUT_SECONDS": str(CHECK_DEADLINE),
            "FINETUNE_LAUNCH_TIMEOUT_SECONDS": str(LAUNCH_DEADLINE),
        }
        with ThreadPoolExecutor(max_workers=3) as pool:
            bots = list(pool.map(lambda _: bot_factory(env), range(3)))
        with RoundRobin([bot.base_url for bot in bots]) as balancer:
            driver = SlackDriver(balancer.events_url, SIGNING_SECRET, emulator, default_channel=GENERAL)
            running = Cluster(bots, balancer, driver, emulator, proxy, aws.endpoint_url, redis_client)
            emulator.wait_for(lambda: any(LEASE_TAKEN in bot.log() for bot in bots), 10, "a replica to take the lease")
            yield running


def bot_messages(emulator: SlackEmulator, setup: Setup, contains: str) -> list[Message]:
    """The bot's messages in the setup's thread (as they stand now) that contain ``contains``."""
    return [m for m in emulator.messages(setup.channel, setup.thread) if m.from_bot and contains in full_text(m)]


def reply(cluster: Cluster, setup: Setup, contains: str, *, timeout: float = BOUNDED) -> None:
    """Wait until the bot has said ``contains`` in the setup's thread."""
    cluster.emulator.wait_for(
        lambda: bot_messages(cluster.emulator, setup, contains), timeout, f"{contains!r} in {setup.name}'s thread"
    )


def open_setup(cluster: Cluster, setup: Setup) -> None:
    """``/finetune`` in the setup's channel; its thread is under the root message that mentions the person."""
    assert cluster.driver.slash_command("", user=setup.user, channel=setup.channel).ok

    def root() -> Message | None:
        return next(
            (
                m
                for m in cluster.emulator.messages(setup.channel)
                if m.from_bot and f"<@{setup.user}> is setting up" in m.text
            ),
            None,
        )

    setup.thread = cluster.emulator.wait_for(root, BOUNDED, f"{setup.name}'s root message").ts
    reply(cluster, setup, "What kind of customization do you want?")


def click(cluster: Cluster, setup: Setup, label: str) -> None:
    assert cluster.driver.click(label, user=setup.user, channel=setup.channel, thread_ts=setup.thread).ok


def choose_model(cluster: Cluster, setup: Setup) -> None:
    click(cluster, setup, setup.type_label)
    reply(cluster, setup, "Which base model?")
    answer = cluster.driver.choose(setup.model_label, user=setup.user, channel=setup.channel, thread_ts=setup.thread)
    assert answer is not None
    assert answer.ok
    reply(cluster, setup, "Now the training data")


def upload(cluster: Cluster, setup: Setup) -> DriverResponse:
    sent = cluster.driver.upload_file(
        "train.jsonl", sample_bytes(setup.sample), user=setup.user, channel=setup.channel, thread_ts=setup.thread
    )
    assert sent.ok
    return sent


def to_review(cluster: Cluster, setup: Setup) -> None:
    """From an upload just sent to the review with its Start button."""
    reply(cluster, setup, "`train.jsonl` is ready")
    reply(cluster, setup, "Do you have a validation file?")
    click(cluster, setup, "Skip validation")
    reply(cluster, setup, "Review your fine-tuning job")


#: What a Start click may hear while a lost launch is being resolved, and once it is.
START_ANSWERS = ("being created", "looking it up in Bedrock", "already started")


def new_ephemerals(cluster: Cluster, setup: Setup, seen: int) -> list[Ephemeral]:
    return cluster.emulator.ephemerals(setup.channel, setup.user)[seen:]


def start_until_already_started(cluster: Cluster, setup: Setup) -> None:
    """Click Start until the setup says its job already started; every answer on the way says what is happening."""
    deadline = time.monotonic() + BOUNDED
    while True:
        seen = len(cluster.emulator.ephemerals(setup.channel, setup.user))
        click(cluster, setup, "Start fine-tuning")
        answers = cluster.emulator.wait_for(partial(new_ephemerals, cluster, setup, seen), BOUNDED, "an answer")
        assert any(expected in answers[0].text for expected in START_ANSWERS), answers[0].text
        if "already started" in answers[0].text:
            return
        assert time.monotonic() < deadline, f"{setup.name}'s setup never said its job had started"
        time.sleep(POLL)


def jobs_by_user(cluster: Cluster) -> dict[str, list[str]]:
    """Every job in Bedrock, by the person its tags name."""
    bedrock = cluster.bedrock()
    found: dict[str, list[str]] = {}
    for summary in bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]:
        arn = bedrock.get_model_customization_job(jobIdentifier=summary["jobName"])["jobArn"]
        tags = {tag["key"]: tag["value"] for tag in bedrock.list_tags_for_resource(resourceARN=arn)["tags"]}
        found.setdefault(tags["finetune-bot:user"], []).append(summary["jobName"])
    return found


def job_of(cluster: Cluster, setup: Setup) -> str:
    (name,) = jobs_by_user(cluster)[setup.user]
    return name


def end_notices(emulator: SlackEmulator, setup: Setup, job: str) -> list[Message]:
    """The end-of-job notices about ``job`` at the top of the setup's channel."""
    return [
        m for m in emulator.messages(setup.channel) if m.from_bot and f"`{job}`" in m.text and m.text.endswith(ENDINGS)
    ]


def notices_posted(emulator: SlackEmulator, setup: Setup, job: str) -> int:
    """How many end-of-job notices about ``job`` the bot posted at the top of the channel (``chat.postMessage``)."""
    return sum(
        1
        for call in emulator.calls("chat.postMessage")
        if call.ok
        and call.params.get("channel") == setup.channel
        and not call.params.get("thread_ts")
        and f"`{job}`" in str(call.params.get("text"))
        and str(call.params.get("text")).endswith(ENDINGS)
    )


def statuses_shown(emulator: SlackEmulator, channel: str, ts: str) -> list[JobStatus]:
    """The status each edit of the status message ``ts`` showed (successful ``chat.update`` calls), in order."""
    shown = []
    for call in emulator.calls("chat.update"):
        if call.ok and call.params.get("ts") == ts and call.params.get("channel") == channel:
            text = str(call.params.get("text"))
            (status,) = [status for status, word in STATUS_WORDS.items() if f"*{word}*" in text]
            shown.append(status)
    return shown


def announced(shown: list[JobStatus]) -> list[JobStatus]:
    """The transitions people saw: an edit that shows the state the message already shows tells them nothing."""
    return [status for i, status in enumerate(shown) if i == 0 or shown[i - 1] is not status]


def move(setup: Setup, job: str, status: JobStatus) -> None:
    """Move the job in the AWS stand-in, and remember the transition the channel should hear about."""
    set_status(job, status, failure_message="Input size exceeded" if status is JobStatus.FAILED else None)
    setup.path.append(status)


def test_killing_the_lease_holder_mid_run_loses_nothing_and_repeats_nothing(cluster: Cluster) -> None:
    alice = Setup("U0ALICE", "alice", GENERAL, "Instruction fine-tuning", "Titan Text G1 Express", INSTRUCTION)
    bob = Setup("U0BOB", "bob", RESEARCH, "Conversational fine-tuning", "Nova Micro", CONVERSATION)
    carol = Setup("U0CAROL", "carol", GENERAL, "Continued pre-training", "Titan Text G1 Lite", CONTINUED_PRETRAINING)
    dave = Setup("U0DAVE", "dave", RESEARCH, "Conversational fine-tuning", "Nova Micro", CONVERSATION)
    setups = [alice, bob, carol, dave]

    # Four setups in two channels, step by step in turn, so the replicas share every kind of request.
    for setup in setups:
        open_setup(cluster, setup)
    for setup in setups:
        choose_model(cluster, setup)
    for setup in (alice, bob, carol):
        upload(cluster, setup)
    for setup in (alice, bob, carol):
        to_review(cluster, setup)
    for setup in (alice, bob):
        click(cluster, setup, "Start fine-tuning")
        reply(cluster, setup, "Started fine-tuning job")
    move(alice, job_of(cluster, alice), JobStatus.STOPPING)
    assert {served.backend for served in cluster.balancer.served()} == {bot.base_url for bot in cluster.bots}

    # The lease holder takes carol's Start and dave's upload; both stall in AWS, and bob's job just ended.
    holder = cluster.holder()
    create = cluster.aws.hold(CREATE_CUSTOMIZATION_JOB)
    keep = cluster.aws.hold(S3_PUT_OBJECT)
    cluster.balancer.steer(holder.base_url)
    click(cluster, carol, "Start fine-tuning")
    assert cluster.balancer.served()[-1].backend == holder.base_url
    create.wait_until_held(BOUNDED)
    cluster.balancer.steer(holder.base_url)
    dave_upload = upload(cluster, dave)
    assert cluster.balancer.served()[-1].backend == holder.base_url
    keep.wait_until_held(BOUNDED)
    move(bob, job_of(cluster, bob), JobStatus.COMPLETED)
    time.sleep(POLL / 2)  # the holder's tick may be announcing bob's end when it dies, or not yet have seen it
    token = cluster.redis.get(LEASE_KEY)
    assert token is not None
    assert cluster.holder() is holder

    holder.kill()
    killed_at = time.monotonic()
    create.release()
    keep.release()

    # The lease moves to a survivor within its TTL (plus the tick that takes it).
    survivors = [bot for bot in cluster.bots if bot is not holder]
    cluster.emulator.wait_for(
        lambda: cluster.redis.get(LEASE_KEY) not in (None, token), BOUNDED, "a survivor to take the lease"
    )
    moved_after = time.monotonic() - killed_at
    assert moved_after <= lease_ttl(POLL) + POLL + SLACK_SECONDS, moved_after
    assert sum(LEASE_TAKEN in bot.log() for bot in survivors) == 1

    # Slack delivers dave's upload again (its events are at least once): a survivor takes it, and drops it.
    again = cluster.driver.redeliver(dave_upload.request)
    assert again.ok
    assert cluster.balancer.served()[-1].backend != holder.base_url
    cluster.emulator.wait_for(
        lambda: any(DROPPED in bot.log() for bot in survivors), BOUNDED, "a survivor to drop the redelivery"
    )

    # Carol's job, created as the holder died, gets one status message in her thread (from her setup's
    # recovery or the status tick's adoption, whichever is first) and her next click is answered.
    (carol_job,) = cluster.emulator.wait_for(
        lambda: jobs_by_user(cluster).get(carol.user), BOUNDED, "carol's job in Bedrock"
    )
    reply(cluster, carol, f"`{carol_job}`")
    start_until_already_started(cluster, carol)

    # Dave's check, lost with the holder, is run again by a survivor, and his setup goes on.
    to_review(cluster, dave)
    click(cluster, dave, "Start fine-tuning")
    reply(cluster, dave, "Started fine-tuning job")

    move(alice, job_of(cluster, alice), JobStatus.STOPPED)
    move(carol, job_of(cluster, carol), JobStatus.FAILED)
    move(dave, job_of(cluster, dave), JobStatus.COMPLETED)
    for setup in setups:
        job = job_of(cluster, setup)
        cluster.emulator.wait_for(partial(end_notices, cluster.emulator, setup, job), BOUNDED, f"{job}'s notice")
    time.sleep(3 * POLL + 0.5)

    # Exactly one Bedrock job per setup; every transition announced once; no step acted on twice.
    assert {user: len(names) for user, names in jobs_by_user(cluster).items()} == {s.user: 1 for s in setups}
    records = RedisJobRecords(cluster.redis)
    for setup in setups:
        job = job_of(cluster, setup)
        record = records.get(job)
        assert record is not None
        assert (record.channel, record.thread_ts) == (setup.channel, setup.thread)
        assert record.status_message_ts is not None
        assert len(end_notices(cluster.emulator, setup, job)) == 1, job
        assert notices_posted(cluster.emulator, setup, job) == 1, job
        shown = statuses_shown(cluster.emulator, setup.channel, record.status_message_ts)
        assert announced(shown) == setup.path, (job, shown)
        # The only edit allowed twice: the final status, re-shown by a survivor that posts the notice a
        # replica claimed and died before posting (the documented re-drive), and then only once.
        redriven = f"{job} is {setup.path[-1].value} (its notice had been claimed but not posted)"
        assert len(shown) == len(setup.path) or (
            len(shown) == len(setup.path) + 1 and any(redriven in bot.log() for bot in survivors)
        ), (job, shown)
        for said in ("Which base model?", "`train.jsonl` is ready", "Review your fine-tuning job", f"`{job}`"):
            assert len(bot_messages(cluster.emulator, setup, said)) == 1, (setup.name, said)
    assert all(served.status == 200 for served in cluster.balancer.served())
