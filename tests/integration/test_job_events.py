"""Job state from EventBridge over HTTP: the template in moto, a job started through the bot, events on the bus.

moto routes ``events.put_events`` through the template's rule to its SQS queue, as EventBridge does,
so these tests put Bedrock's events on the default bus and the bot (a subprocess with the queue's URL)
long-polls the queue. A redelivery with the same event id (EventBridge and SQS deliver at least
once) is sent to the queue directly, with the body EventBridge would have put there. moto's
CloudFormation does not implement ``AWS::SQS::QueuePolicy``: it skips that resource with a warning,
so the policy is checked from the template itself (``test_events_templates``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.integration.test_conversation_flow import CASES, reach_review
from tests.jobs.monitoring.live import notices, text_of
from tests.jobs.monitoring.moto_jobs import put_metrics, set_status
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, Stack, bot_environment, full_text
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.jobs.job import JobRecord, JobStatus

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings(r"ignore:Tried to parse AWS.+SQS.+QueuePolicy"),
]

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "events.yaml"
#: The issue's bar: the channel hears within 5 s of the event.
WITHIN = 5.0
#: Long enough that only an event can explain a notice during a test.
FAR_LONGER = 3600
#: How soon after SIGTERM the intake says it stopped: its receive's wait (1 s) and a margin for a busy machine.
INTAKE_STOP_SECONDS = 2.5
#: The reconciler's interval in the test of a dropped event.
SHORT_RECONCILE = 3


@dataclass(frozen=True)
class Deployed:
    """The template's outputs in moto."""

    queue_url: str
    dead_letter_url: str


@dataclass
class StartedJob:
    name: str
    arn: str
    thread_ts: str
    record: JobRecord


def deploy(aws: MotoServer) -> Deployed:
    cloudformation = boto3.client("cloudformation", region_name=REGION, endpoint_url=aws.endpoint_url)
    cloudformation.create_stack(StackName="finetune-bot-events", TemplateBody=TEMPLATE.read_text(encoding="utf-8"))
    (stack,) = cloudformation.describe_stacks(StackName="finetune-bot-events")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    return Deployed(queue_url=outputs["QueueUrl"], dead_letter_url=outputs["DeadLetterQueueUrl"])


@pytest.fixture
def deployed(aws: MotoServer) -> Deployed:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    return deploy(aws)


@pytest.fixture
def start_stack(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    redis_url: str,
    aws: MotoServer,
    deployed: Deployed,
) -> Callable[[int], Stack]:
    """The bot on the template's queue, polling every second, its reconciler every ``reconcile`` seconds."""

    def start(reconcile: int) -> Stack:
        env = bot_environment(
            emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
        ) | {
            "FINETUNE_EVENTS_QUEUE_URL": deployed.queue_url,
            "FINETUNE_POLL_SECONDS": "1",
            "FINETUNE_RECONCILE_SECONDS": str(reconcile),
        }
        bot = bot_factory(env)
        driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        return Stack(
            bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=env, start_bot=bot_factory
        )

    return start


def start_job(stack: Stack, redis_client: redis.Redis) -> StartedJob:
    """The whole conversation, Start included, as a person would click it."""
    thread = reach_review(stack, CASES[0])
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    (job,) = stack.jobs()
    record = stack.emulator.wait_for(
        lambda: (r := RedisJobRecords(redis_client).get(job["jobName"])) and r.status_message_ts and r,
        10,
        "the job's record with its status message",
    )
    return StartedJob(name=job["jobName"], arn=job["jobArn"], thread_ts=thread, record=record)


def events(stack: Stack) -> Any:
    return boto3.client("events", region_name=REGION, endpoint_url=stack.aws_url)


def sqs(stack: Stack) -> Any:
    return boto3.client("sqs", region_name=REGION, endpoint_url=stack.aws_url)


def detail(job: StartedJob, status: JobStatus, changed_at: datetime) -> dict[str, Any]:
    """``detail`` as Bedrock writes it: ``jobStatus``, the output model, the times."""
    shown = {
        "version": "0.0",
        "jobName": job.name,
        "jobArn": job.arn,
        "outputModelName": f"{job.name}-model",
        "outputModelArn": f"arn:aws:bedrock:{REGION}:123456789012:custom-model/{job.name}-model",
        "jobStatus": status.value,
        "creationTime": job.record.started_at.isoformat(),
        "lastModifiedTime": changed_at.isoformat(),
        "outputDataConfig": {"s3Uri": f"s3://{BUCKET}/finetune-bot/output/{job.name}/"},
    }
    if status.terminal:
        shown["endTime"] = changed_at.isoformat()
    return shown


def put_event(stack: Stack, job: StartedJob, status: JobStatus, changed_at: datetime) -> str:
    """Bedrock's state-change event on the default bus; its event id."""
    answer = events(stack).put_events(
        Entries=[
            {
                "Source": "aws.bedrock",
                "DetailType": "Model Customization Job State Change",
                "Detail": json.dumps(detail(job, status, changed_at)),
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    return str(answer["Entries"][0]["EventId"])


def redeliver(
    stack: Stack, queue_url: str, job: StartedJob, status: JobStatus, changed_at: datetime, event_id: str
) -> None:
    """The same event again, as EventBridge puts it on the queue (same id)."""
    body = {
        "version": "0",
        "id": event_id,
        "detail-type": "Model Customization Job State Change",
        "source": "aws.bedrock",
        "account": "123456789012",
        "time": changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [job.arn],
        "detail": detail(job, status, changed_at),
    }
    sqs(stack).send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))


def queue_depth(stack: Stack, queue_url: str) -> int:
    attributes = sqs(stack).get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def bot_messages(stack: Stack, job: StartedJob) -> list[tuple[str, str]]:
    """Every bot message in the channel and the job's thread, as (ts, text): what people can see."""
    found = stack.emulator.messages(CHANNEL) + stack.emulator.messages(CHANNEL, job.thread_ts)
    return sorted((message.ts, full_text(message)) for message in found if message.from_bot)


def status_text(stack: Stack, job: StartedJob) -> str:
    assert job.record.status_message_ts is not None
    message = stack.emulator.message(CHANNEL, job.record.status_message_ts)
    assert message is not None
    return full_text(message)


def wait_until_drained(stack: Stack, deployed: Deployed) -> None:
    """Every message handled and deleted (none in flight), or fail."""
    stack.emulator.wait_for(lambda: queue_depth(stack, deployed.queue_url) == 0, 10, "the queue to be emptied")


def test_a_completion_event_reaches_the_channel_within_5_seconds_and_repeats_change_nothing(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(FAR_LONGER)
    job = start_job(stack, redis_client)
    put_metrics(stack.s3(), job.name)
    set_status(job.name, JobStatus.COMPLETED)
    ended = datetime.now(UTC)

    sent = time.monotonic()
    event_id = put_event(stack, job, JobStatus.COMPLETED, ended)
    notice = stack.emulator.wait_for(lambda: notices(stack.emulator, job.name), WITHIN, "the completion notice")[0]
    took = time.monotonic() - sent

    assert took <= WITHIN
    assert f"`{job.name}` completed." in notice.text
    assert "0.625 (from 2.25 over 3 steps)" in text_of(notice)
    assert "completed" in status_text(stack, job).lower()
    wait_until_drained(stack, deployed)
    seen = bot_messages(stack, job)

    redeliver(stack, deployed.queue_url, job, JobStatus.COMPLETED, ended, event_id)
    put_event(stack, job, JobStatus.IN_PROGRESS, ended - timedelta(minutes=30))
    wait_until_drained(stack, deployed)
    time.sleep(1.5)

    assert bot_messages(stack, job) == seen
    assert len(notices(stack.emulator, job.name)) == 1
    assert queue_depth(stack, deployed.dead_letter_url) == 0
    assert "Ignoring an older state change of job" in stack.bot.log()


def test_an_older_event_arriving_late_leaves_the_newer_state_shown(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(FAR_LONGER)
    job = start_job(stack, redis_client)
    now = datetime.now(UTC)
    set_status(job.name, JobStatus.STOPPING)

    put_event(stack, job, JobStatus.STOPPING, now)
    stack.emulator.wait_for(lambda: "stopping" in status_text(stack, job).lower(), WITHIN, "the status to say stopping")
    wait_until_drained(stack, deployed)
    shown = status_text(stack, job)
    put_event(stack, job, JobStatus.IN_PROGRESS, now - timedelta(minutes=5))
    wait_until_drained(stack, deployed)
    time.sleep(1.5)

    assert status_text(stack, job) == shown
    assert RedisJobRecords(redis_client).get(job.name).announced_status is JobStatus.STOPPING  # type: ignore[union-attr]
    set_status(job.name, JobStatus.STOPPED)
    put_event(stack, job, JobStatus.STOPPED, now + timedelta(minutes=1))
    notice = stack.emulator.wait_for(lambda: notices(stack.emulator, job.name), WITHIN, "the stopped notice")[0]
    assert notice.text.endswith("was stopped.")


def test_a_dropped_event_is_caught_by_the_reconciler(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(SHORT_RECONCILE)
    job = start_job(stack, redis_client)

    set_status(job.name, JobStatus.FAILED, failure_message="Maximum input token count 4919 exceeds limit of 4096")
    notice = stack.emulator.wait_for(
        lambda: notices(stack.emulator, job.name), SHORT_RECONCILE + 3, "the reconciler's failure notice"
    )[0]

    assert notice.text.endswith("failed.")
    assert "4919" not in text_of(notice)
    assert queue_depth(stack, deployed.queue_url) == 0


def test_malformed_messages_are_dropped_and_the_intake_goes_on(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(FAR_LONGER)
    job = start_job(stack, redis_client)
    queue = sqs(stack)
    queue.send_message(QueueUrl=deployed.queue_url, MessageBody="{this is not an event <!channel>")
    queue.send_message(
        QueueUrl=deployed.queue_url,
        MessageBody=json.dumps({"id": str(uuid.uuid4()), "source": "aws.bedrock", "detail": {"status": "Completed"}}),
    )
    set_status(job.name, JobStatus.COMPLETED)

    put_event(stack, job, JobStatus.COMPLETED, datetime.now(UTC))
    notice = stack.emulator.wait_for(lambda: notices(stack.emulator, job.name), WITHIN + 2, "the completion notice")[0]

    assert f"`{job.name}` completed." in notice.text
    wait_until_drained(stack, deployed)
    assert queue_depth(stack, deployed.dead_letter_url) == 0
    log = stack.bot.log()
    assert log.count("not a Bedrock job state-change event") == 2
    assert "<!channel>" not in log


def test_serve_stops_the_intake_cleanly(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(FAR_LONGER)
    time.sleep(1)

    began, sent_at = time.monotonic(), datetime.now()  # the bot logs local time
    stack.bot.process.terminate()
    code = stack.bot.process.wait(timeout=15)

    assert code == 0
    assert time.monotonic() - began < 10
    log = stack.bot.log_path.read_text(encoding="utf-8")
    assert "Listening for job events on the queue" in log
    [stopped] = [line for line in log.splitlines() if "Stopped listening for job events" in line]
    stopped_at = datetime.strptime(stopped[:23], "%Y-%m-%d %H:%M:%S,%f")
    # The intake lets its receive in flight finish, and that takes a second at most, not several.
    assert (stopped_at - sent_at).total_seconds() < INTAKE_STOP_SECONDS


def test_two_replicas_on_one_queue_announce_an_event_and_its_redelivery_once(
    start_stack: Callable[[int], Stack], redis_client: redis.Redis, deployed: Deployed
) -> None:
    stack = start_stack(FAR_LONGER)
    other = stack.start_bot(stack.env)
    job = start_job(stack, redis_client)
    set_status(job.name, JobStatus.COMPLETED)
    ended = datetime.now(UTC)

    event_id = put_event(stack, job, JobStatus.COMPLETED, ended)
    for _ in range(3):
        redeliver(stack, deployed.queue_url, job, JobStatus.COMPLETED, ended, event_id)
    stack.emulator.wait_for(lambda: notices(stack.emulator, job.name), WITHIN, "the completion notice")
    wait_until_drained(stack, deployed)
    time.sleep(1.5)

    assert len(notices(stack.emulator, job.name)) == 1
    assert queue_depth(stack, deployed.dead_letter_url) == 0
    assert "Listening for job events on the queue" in other.log()
    assert (stack.bot.log() + other.log()).count("(from an event)") == 1
