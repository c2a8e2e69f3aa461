"""Try it over HTTP: the bot as a subprocess, the Slack emulator, the AWS stand-in's Converse and real Redis."""

from __future__ import annotations

import json
import time

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Message
from bot.sandbox.standin_model import count_tokens
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import (
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    newest_response,
    text_of,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION
from tests.sandbox.standin_support import TITAN_LITE, TRAINING, ManualClock
from tests.support.aws_proxy import Operation, aws_proxy
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.served_jobs import (
    OTHER,
    announcing_bot,
    completed_job,
    deploy_until_ready,
    driver_for,
    job_bucket,
    throughputs,
)
from tests.support.stack import CHANNEL, REPLY_WAIT, USER
from workflows import keys
from workflows.adapters.aws_retry import ATTEMPTS
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.deployments.tryout_commands import QUESTION_CLAIM_SECONDS
from workflows.deployments.tryout_context import MAX_CONTEXT_CHARS

pytestmark = pytest.mark.integration

JOB = "tone-1a2b"
SYSTEM = "You are Acme's support agent."
LONG_QUESTION = "Recite the complete warranty terms"
#: Long words (one token each on the stand-in), far more characters than a thread answer shows.
LONG_REPLY = "\n".join(
    f"Clause {n}: " + " ".join(["Notwithstandingtheaforementionedprovisions"] * 12) for n in range(60)
)
HOSTILE_QUESTION = "What should I announce to everyone"
HOSTILE_REPLY = "<!channel> <@U0BOSS> log in at <https://evil.example/login|the portal> & `rm -rf`"
OPENING = "write a question in this thread"
#: bedrock-runtime (REST-JSON, signed for ``bedrock``): POST /model/{modelId}/converse.
CONVERSE = Operation("Converse", "bedrock", "POST", r"/model/[^/]+/converse")
#: A base model Bedrock serves on demand only through a cross-region inference profile.
LLAMA_3_2_1B = "meta.llama3-2-1b-instruct-v1:0:128k"


def training_lines() -> bytes:
    pairs = [*TRAINING, (LONG_QUESTION, LONG_REPLY), (HOSTILE_QUESTION, HOSTILE_REPLY)]
    records = [
        {
            "schemaVersion": "bedrock-conversation-2024",
            "system": [{"text": SYSTEM}],
            "messages": [
                {"role": "user", "content": [{"text": question}]},
                {"role": "assistant", "content": [{"text": reply}]},
            ],
        }
        for question, reply in pairs
    ]
    return "\n".join(json.dumps(record) for record in records).encode() + b"\n"


@pytest.fixture
def base_model() -> str:
    """The catalogue id of the job's base model; a test about another base model parametrizes it."""
    return TITAN_LITE


@pytest.fixture
def job(
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    aws: MotoServer,
    standin_clock: ManualClock,
    base_model: str,
) -> SeededJob:
    """A completed job whose training data (with a system prompt) is in S3, as the launcher records it."""
    s3 = job_bucket(aws)
    s3.put_object(Bucket=BUCKET, Key=f"data/{JOB}.jsonl", Body=training_lines())
    seeded = completed_job(emulator, redis_client, s3, JOB)
    records = RedisJobRecords(redis_client)
    recorded = records.get(JOB)
    assert recorded is not None
    records.save(recorded.model_copy(update={"system_prompt": SYSTEM, "base_model_id": base_model}))
    return seeded


@pytest.fixture
def bot(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, job: SeededJob
) -> BotProcess:
    return announcing_bot(bot_factory, emulator, redis_url, aws, [JOB])


@pytest.fixture
def driver(bot: BotProcess, emulator: SlackEmulator) -> SlackDriver:
    return driver_for(bot, emulator)


@pytest.fixture
def deployed(
    driver: SlackDriver, emulator: SlackEmulator, job: SeededJob, aws: MotoServer, standin_clock: ManualClock
) -> str:
    """Deployed by the custom model's name (not the job's), confirmed, and announced ready: its name."""
    return deploy_until_ready(driver, emulator, aws, standin_clock, job, command=f"deploy {JOB}-model")


def opening(emulator: SlackEmulator, *, after: str = "0") -> Message:
    """The newest Try it thread's opening message in the channel."""

    def found() -> Message | None:
        openings = [m for m in emulator.messages(CHANNEL) if m.from_bot and OPENING in text_of(m) and m.ts > after]
        return openings[-1] if openings else None

    message = emulator.wait_for(found, 10, "a Try it thread's opening message")
    assert message is not None
    return message


def reply_to(emulator: SlackEmulator, thread_ts: str, count: int, *, timeout: float = REPLY_WAIT) -> Message:
    """The ``count``-th answer of the bot in the thread, once there."""

    def found() -> Message | None:
        answers = [m for m in emulator.messages(CHANNEL, thread_ts) if m.from_bot]
        return answers[count - 1] if len(answers) >= count else None

    message = emulator.wait_for(found, timeout, f"answer {count} in the Try it thread")
    assert message is not None
    return message


def raw(message: Message) -> str:
    return json.dumps([message.text, *message.blocks])


def test_try_it_on_the_ready_notice_answers_from_the_custom_model_with_the_system_prompt_once(
    driver: SlackDriver, emulator: SlackEmulator, job: SeededJob, deployed: str
) -> None:
    driver.click("Try it", thread_ts=job.thread_ts, user=OTHER)  # anyone in the channel may try
    newest_ephemeral(emulator, OTHER, "I opened a thread to try")
    thread = opening(emulator)
    question = "I forgot my password, how do I reset it?"

    driver.message(question, thread_ts=thread.ts, user=OTHER)
    answer = reply_to(emulator, thread.ts, 1)
    assert driver.redeliver().status == 200
    driver.message("Where can I download my invoices?", thread_ts=thread.ts)
    second = reply_to(emulator, thread.ts, 2)

    assert f"`{deployed}`" in text_of(thread)
    assert TRAINING[0][1] in text_of(answer)
    assert f"{count_tokens(SYSTEM + chr(10) + question)} tokens in" in text_of(answer)
    assert "general answer" not in text_of(answer)
    assert TRAINING[1][1] in text_of(second)
    answers = [m for m in emulator.messages(CHANNEL, thread.ts) if m.from_bot]
    assert len(answers) == 2


def test_a_question_whose_replica_died_answering_it_is_answered_once_at_slacks_next_retry(
    driver: SlackDriver,
    emulator: SlackEmulator,
    bot_factory: BotFactory,
    redis_url: str,
    redis_client: redis.Redis,
    aws: MotoServer,
    deployed: str,
) -> None:
    driver.slash_command(f"try {JOB}")
    thread = opening(emulator)
    with aws_proxy(aws.endpoint_url) as proxy:
        doomed = bot_factory(monitoring_env(emulator, redis_url, proxy.endpoint_url))
        to_doomed = SlackDriver(doomed.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        held = proxy.hold(CONVERSE)
        asked = to_doomed.message(TRAINING[0][0], thread_ts=thread.ts)
        held.wait_until_held(15)
        doomed.kill()  # SIGKILL while the model is being asked
        held.abandon()
    [question_key] = list(redis_client.scan_iter(match="*try-question:*"))
    event_key = keys.event_key(json.loads(asked.request.body)["event_id"])
    assert redis_client.get(question_key) == b"claimed"

    # Slack's first retry, at once: the dead replica's claims still stand, so it is dropped.
    assert driver.redeliver(asked.request, retry_num=1).status == 200
    deadline = time.monotonic() + QUESTION_CLAIM_SECONDS + 15
    while redis_client.exists(question_key, event_key):
        assert time.monotonic() < deadline, "the dead replica's claims never expired"
        time.sleep(0.5)
    # The next retry, after the claims expired, is answered by the live replica, once.
    assert driver.redeliver(asked.request, retry_num=2, reason="http_error").status == 200
    answer = reply_to(emulator, thread.ts, 1)
    emulator.wait_for(lambda: redis_client.get(question_key) == b"answered", 10, "the question marked answered")
    assert driver.redeliver(asked.request, retry_num=3, reason="http_error").status == 200
    time.sleep(2)

    assert TRAINING[0][1] in text_of(answer)
    assert len([m for m in emulator.messages(CHANNEL, thread.ts) if m.from_bot]) == 1


def test_side_by_side_shows_the_base_models_answer_beside_the_custom_one(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {deployed}")
    thread = opening(emulator)
    driver.click("Side by side", message_ts=thread.ts)
    newest_ephemeral(emulator, USER, "Side by side is on")

    driver.message(TRAINING[1][0], thread_ts=thread.ts)
    answer = text_of(reply_to(emulator, thread.ts, 1))

    assert "Custom model" in answer
    assert TRAINING[1][1] in answer
    assert "Base model" in answer
    assert "`amazon.titan-text-lite-v1`" in answer  # the on-demand model id, not the customization id
    assert "Here is a general answer about" in answer
    assert "Custom model only" in text_of(emulator.message(CHANNEL, thread.ts) or thread)


def test_a_follow_up_goes_with_the_threads_recent_turns_and_trimming_is_said_once(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {JOB}")
    thread = opening(emulator)
    # Two long questions: with their answers they pass the character budget together, so the third
    # question goes with the second exchange only, and the thread is told once.
    # The stand-in answers with the training reply whose question shares the most words, so a question
    # repeated many times is answered like the question itself.
    long_first = (TRAINING[0][0] + " ") * 130
    long_second = (TRAINING[1][0] + " ") * 110
    questions = [long_first, long_second, TRAINING[2][0], "And my invoices?"]

    answers = []
    for n, question in enumerate(questions, start=1):
        driver.message(question, thread_ts=thread.ts)
        answers.append(text_of(reply_to(emulator, thread.ts, n)))

    sent = [
        [SYSTEM, long_first],
        [SYSTEM, long_first, TRAINING[0][1], long_second],
        [SYSTEM, long_second, TRAINING[1][1], questions[2]],  # the first exchange no longer fits
        [SYSTEM, long_second, TRAINING[1][1], questions[2], TRAINING[2][1], questions[3]],
    ]
    assert len(long_first) + len(TRAINING[0][1]) + len(long_second) + len(TRAINING[1][1]) > MAX_CONTEXT_CHARS
    for answer, parts in zip(answers, sent, strict=True):
        assert f"{count_tokens(chr(10).join(parts)):,} tokens in" in answer
    noted = [n for n, answer in enumerate(answers) if "older ones are left out" in answer]
    assert noted == [2]
    assert "recent questions and answers" in text_of(thread)


def test_answers_billed_per_token_count_in_the_cost_and_an_unknown_price_is_said_never_zero(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {deployed} side-by-side")
    thread = opening(emulator)
    driver.message(TRAINING[1][0], thread_ts=thread.ts, user=OTHER)
    answer = text_of(reply_to(emulator, thread.ts, 1))

    driver.slash_command("cost")
    cost = newest_response(emulator, "Try it and Compare")

    # The custom model is a Provisioned Throughput (its hourly price); the base model has no per-token price.
    assert "cost unknown: no per-token price in the catalogue" in answer
    assert "unknown for 1 answer" in cost
    assert f"`{TITAN_LITE}`: 1 answer (" in cost
    assert "$0.00 for" not in cost


@pytest.mark.parametrize("base_model", [LLAMA_3_2_1B])
def test_side_by_side_asks_a_profile_only_base_model_through_its_inference_profile(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {deployed} side-by-side")
    thread = opening(emulator)

    driver.message(TRAINING[1][0], thread_ts=thread.ts)
    answer = text_of(reply_to(emulator, thread.ts, 1))

    assert "`us.meta.llama3-2-1b-instruct-v1:0`" in answer
    assert "Here is a general answer about" in answer  # the stand-in refuses the model id and the :128k id
    assert TRAINING[1][1] in answer
    assert "on-demand throughput" not in answer


def test_throttling_and_a_model_not_ready_are_explained_in_plain_words(
    driver: SlackDriver, emulator: SlackEmulator, aws: MotoServer, standin_clock: ManualClock, deployed: str
) -> None:
    driver.slash_command(f"try {JOB}")
    thread = opening(emulator)

    aws.standin.throttle(ATTEMPTS)
    driver.message(TRAINING[0][0], thread_ts=thread.ts)
    throttled = text_of(reply_to(emulator, thread.ts, 1))
    standin_clock.now = 0.0  # Bedrock is starting the model again: Converse answers ModelNotReadyException
    driver.message(TRAINING[0][0], thread_ts=thread.ts)
    not_ready = text_of(reply_to(emulator, thread.ts, 2, timeout=30))

    assert "more requests than its quota allows" in throttled
    assert "Wait a minute and ask again" in throttled
    assert "Too many requests" not in throttled
    assert "not ready to answer yet" in not_ready
    assert "ModelNotReadyException" not in not_ready


def test_a_long_answer_is_split_and_trimmed_within_slacks_limits(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {JOB}")
    thread = opening(emulator)

    driver.message(LONG_QUESTION, thread_ts=thread.ts)
    answer = reply_to(emulator, thread.ts, 1)

    sections = [block["text"]["text"] for block in answer.blocks if block.get("type") == "section" and "text" in block]
    assert len(sections) >= 3
    assert all(len(section) <= 3000 for section in sections)
    assert len(answer.blocks) <= 50
    assert "Clause 0:" in sections[1]
    assert "more characters of this answer are not shown" in text_of(answer)
    assert "Clause 59:" not in text_of(answer)


def test_hostile_model_output_is_escaped_and_mentions_nobody(
    driver: SlackDriver, emulator: SlackEmulator, deployed: str
) -> None:
    driver.slash_command(f"try {JOB} side-by-side")
    thread = opening(emulator)

    driver.message(HOSTILE_QUESTION, thread_ts=thread.ts)
    answer = raw(reply_to(emulator, thread.ts, 1))

    assert "<!channel>" not in answer
    assert "<@U0BOSS>" not in answer
    assert "<https://evil.example" not in answer
    assert "&lt;!channel&gt;" in answer
    assert "&lt;@U0BOSS&gt;" in answer


def test_try_refuses_names_that_serve_nothing(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.slash_command("try nothing-here")
    refusal = newest_ephemeral(emulator, USER, "I don't know a deployment")

    assert "`nothing-here`" in refusal
    assert not [m for m in emulator.messages(CHANNEL) if m.from_bot and OPENING in text_of(m)]


def test_deploy_refuses_a_custom_model_this_workspace_did_not_make(
    driver: SlackDriver, emulator: SlackEmulator, aws: MotoServer
) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    bedrock.create_model_customization_job(
        jobName="console-job",
        customModelName="console-model",
        roleArn="arn:aws:iam::123456789012:role/bedrock-customization",
        baseModelIdentifier="amazon.titan-text-lite-v1:0:4k",
        trainingDataConfig={"s3Uri": f"s3://{BUCKET}/data/{JOB}.jsonl"},
        outputDataConfig={"s3Uri": f"s3://{BUCKET}/console/"},
        hyperParameters={"epochCount": "1"},
    )

    driver.slash_command("deploy console-model")
    refusal = newest_ephemeral(emulator, USER, "was not made by finetune-bot in this workspace")

    assert "`console-model`" in refusal
    assert throughputs(bedrock) == []
