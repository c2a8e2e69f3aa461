"""Hostile text typed at every step that echoes it comes back inert, and every answer is one Slack accepts.

Over HTTP: the bot as a subprocess, the Slack emulator (which refuses what Slack refuses), moto and
Redis. Everything the bot posted (each ``chat.*`` call and each ``response_url`` post, so edits
that were later replaced count too) is searched for the live forms of what was typed.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.integration.test_conversation_flow import CASES, open_thread, reach_review
from tests.jobs.monitoring.live import BotFactory, monitoring_env, seed_job, wait_for_notice
from tests.jobs.monitoring.moto_jobs import set_status
from tests.support.moto_server import MotoServer
from tests.support.stack import BUCKET, REPLY_WAIT, Stack
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

NOVA = CASES[2]
#: A broadcast, a mention of someone else, a disguised link and a backtick break-out, with no spaces.
HOSTILE = "<!channel>`x`<@U1><https://x|y>"
#: What must never reach Slack from what was typed.
LIVE = ("<!channel>", "<@U1>", "<https://x|y>")
#: How the same words show when escaped (proof that they were echoed at all).
ESCAPED = "&lt;!channel&gt;"
#: The methods whose arguments people read.
POSTING = ("chat.postMessage", "chat.update", "chat.postEphemeral")
#: Errors Slack gives for messages it will not show.
REFUSALS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text"}


def block_texts(node: Any) -> list[str]:
    if isinstance(node, str):
        try:
            node = json.loads(node)
        except ValueError:
            return []
    if isinstance(node, dict):
        return [value if isinstance(value, str) and key == "text" else "" for key, value in node.items()] + [
            text for value in node.values() if not isinstance(value, str) for text in block_texts(value)
        ]
    if isinstance(node, list):
        return [text for item in node for text in block_texts(item)]
    return []


def posted(emulator: SlackEmulator) -> list[str]:
    """Every text the bot sent to be shown: message texts and block texts, replies to commands too."""
    texts: list[str] = []
    for call in emulator.calls():
        if call.method in POSTING:
            texts += [str(call.params.get("text") or ""), *block_texts(call.params.get("blocks"))]
    for post in emulator.responses():
        texts += [str(post.payload.get("text") or ""), *block_texts(post.payload.get("blocks"))]
    return texts


def assert_inert_and_accepted(emulator: SlackEmulator) -> str:
    """No live form of the hostile text anywhere; Slack accepted every post; all posted text, joined."""
    texts = posted(emulator)
    for text in texts:
        for live in LIVE:
            assert live not in text, f"{live!r} went out live in: {text[:300]!r}"
    refused = [(call.method, call.error) for call in emulator.calls() if call.error in REFUSALS]
    assert refused == []
    assert [(post.status, post.error) for post in emulator.responses() if post.status != 200] == []
    return "\n".join(texts)


def wait_for_answer(stack: Stack, contains: str, *, timeout: float = 15) -> str:
    """The newest text the bot posted anywhere that contains ``contains``."""

    def found() -> str | None:
        return next((text for text in reversed(posted(stack.emulator)) if contains in text), None)

    answer = stack.emulator.wait_for(found, timeout, f"an answer containing {contains!r}")
    assert answer is not None
    return answer


def test_every_step_of_the_conversation_echoes_hostile_text_inert(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click(NOVA.type_label, thread_ts=thread)
    stack.reply(thread, "Which base model?")

    stack.driver.message(f"nova{HOSTILE}", thread_ts=thread)
    unknown = wait_for_answer(stack, "Unknown model")
    assert f"`nova{ESCAPED}ˋxˋ&lt;@U1&gt;&lt;https://x|y&gt;`" in unknown

    stack.driver.choose(NOVA.model_label, thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.message(f"s3://{BUCKET}/data/{HOSTILE}.jsonl", thread_ts=thread)
    wait_for_answer(stack, "I could not use")
    assert ESCAPED in wait_for_answer(stack, "There is no object at")

    stack.driver.upload_file(f"{HOSTILE}.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)
    assert ESCAPED in wait_for_answer(stack, "is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    review = wait_for_answer(stack, "Review your fine-tuning job")
    assert f"`{ESCAPED}ˋxˋ" in "\n".join(posted(stack.emulator)), "the file name shows in the review, inert"

    stack.driver.message(f"k{HOSTILE}=1 epochCount=v{HOSTILE} name=n{HOSTILE}", thread_ts=thread)
    problems = wait_for_answer(stack, "cannot be a job name")
    assert ESCAPED in problems
    assert "Review your fine-tuning job" in review

    everything = assert_inert_and_accepted(stack.emulator)
    assert everything.count(ESCAPED) >= 6
    assert "<@U0ALICE>" in everything, "the bot's own mention of the person stays a mention"


def test_slash_commands_echo_hostile_text_inert(stack: Stack) -> None:
    answer = stack.driver.slash_command(f"{HOSTILE}")
    assert answer.json is not None
    assert "is not a /finetune command" in answer.json["text"]

    data = f"s3://{BUCKET}/{HOSTILE}.jsonl"
    stack.driver.slash_command(f"new type=conversation model=nova{HOSTILE} data={data} k{HOSTILE}=v name=n{HOSTILE}")
    problems = wait_for_answer(stack, "I can't start that setup yet")
    assert ESCAPED in problems
    stack.driver.slash_command(f"status j{HOSTILE}")
    assert ESCAPED in wait_for_answer(stack, "I don't know a fine-tuning job named")
    stack.driver.slash_command(f"stop j{HOSTILE}")
    stack.emulator.wait_for(
        lambda: sum("I don't know a fine-tuning job named" in text for text in posted(stack.emulator)) >= 4,
        10,
        "the answer to stop",
    )

    assert_inert_and_accepted(stack.emulator)
    assert stack.jobs() == []


def test_sixty_bad_settings_and_a_forty_thousand_character_model_id_get_answers_slack_accepts(stack: Stack) -> None:
    stack.s3().put_object(Bucket=BUCKET, Key="data/train.jsonl", Body=sample_bytes(CONVERSATION))
    settings = " ".join(f"bad{number}{HOSTILE}=x{number}" for number in range(60))
    stack.driver.slash_command(
        f"new type=conversation model={NOVA.model_id} data=s3://{BUCKET}/data/train.jsonl {settings}"
    )
    listed = wait_for_answer(stack, "I can't start that setup yet")
    assert "more" in listed.split("\n")[-2], "the list ends with …and N more"

    stack.driver.slash_command(f"new type=conversation model={'m' * 40_000} data=s3://{BUCKET}/data/train.jsonl")
    assert "more characters" in wait_for_answer(stack, "Unknown model")

    thread = reach_review(stack, NOVA)
    stack.driver.message(settings, thread_ts=thread)
    wait_for_answer(stack, "I could not change that.")

    assert_inert_and_accepted(stack.emulator)
    assert stack.jobs() == []


def test_a_forty_thousand_character_model_id_typed_in_the_thread_gets_an_accepted_answer(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click(NOVA.type_label, thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.message("m" * 40_000, thread_ts=thread)
    assert "more characters" in wait_for_answer(stack, "Unknown model")
    assert_inert_and_accepted(stack.emulator)


@pytest.fixture
def failing_job_bot(
    emulator: SlackEmulator, redis_url: str, redis_client: redis.Redis, aws: MotoServer, bot_factory: BotFactory
) -> tuple[Any, str]:
    env = monitoring_env(emulator, redis_url, aws.endpoint_url)
    boto3.client("s3", region_name="us-east-1", endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    job = seed_job(emulator, redis_client, BedrockJobs(bedrock_client("us-east-1")), "tone-1a2b")
    return bot_factory(env), job.name


def test_bedrocks_failure_message_with_arns_stays_out_of_the_channel(
    emulator: SlackEmulator, failing_job_bot: tuple[Any, str]
) -> None:
    bot, name = failing_job_bot
    account = "998877665544"
    reason = (
        f"Could not validate GetObject permissions: role arn:aws:iam::{account}:role/team-secret-role "
        f"on instance arn:aws:sagemaker:us-east-1:{account}:training-job/internal-7"
    )
    set_status(name, JobStatus.FAILED, failure_message=reason)

    notice = wait_for_notice(emulator, name, timeout=REPLY_WAIT)

    shown = "\n".join([notice.text, *block_texts(list(notice.blocks))])
    assert "s3:GetObject" in shown, "the hint for the cause is there"
    assert all(account not in text and "arn:aws" not in text for text in posted(emulator))
    # The full message is in the log for whoever runs the bot.
    emulator.wait_for(lambda: reason in bot.log(), 5, "Bedrock's message in the bot's log")
