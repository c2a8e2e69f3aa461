"""The conversation under stress: one-line setup, double clicks, redeliveries, restarts and bad input."""

from __future__ import annotations

import json
import time

import pytest
import redis

from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.integration.test_conversation_flow import CASES, open_thread, reach_review
from tests.support.aws_proxy import Operation, aws_proxy
from tests.support.stack import BUCKET, CHANNEL, USER, Stack, full_text
from workflows import keys

pytestmark = pytest.mark.integration

NOVA = CASES[2]
#: S3 (path-style on loopback): PUT /{bucket}/{key}, where a checked upload is kept.
S3_PUT_OBJECT = Operation("PutObject", "s3", "PUT", r"/[^/]+/.+")


def put_dataset(stack: Stack, key: str, content: bytes) -> str:
    stack.s3().put_object(Bucket=BUCKET, Key=key, Body=content)
    return f"s3://{BUCKET}/{key}"


def test_one_line_setup_reaches_the_review_and_start_creates_the_job(stack: Stack) -> None:
    data = put_dataset(stack, "data/train.jsonl", sample_bytes(CONVERSATION))
    validation = put_dataset(stack, "data/valid.jsonl", sample_bytes(CONVERSATION))
    text = f"new type=conversation model={NOVA.model_id} data={data} validation={validation} epochs=3 name=support-bot"
    assert stack.driver.slash_command(text).status == 200
    thread = stack.root().ts
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "`epochCount=3` (changed)" in review
    assert "support-bot" in review
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    (job,) = stack.jobs()
    assert job["jobName"].startswith("support-bot-")
    described = stack.bedrock().get_model_customization_job(jobIdentifier=job["jobName"])
    assert described["trainingDataConfig"]["s3Uri"] == data
    assert described["validationDataConfig"]["validators"] == [{"s3Uri": validation}]
    assert described["hyperParameters"]["epochCount"] == "3"


def test_one_line_setup_without_validation_goes_straight_to_the_review(stack: Stack) -> None:
    data = put_dataset(stack, "data/train.jsonl", sample_bytes(CONVERSATION))
    assert stack.driver.slash_command(f"new type=conversation model={NOVA.model_id} data={data}").status == 200
    thread = stack.root().ts
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "none given" in review
    assert "press *Back*" in review
    assert "Do you have a validation file?" not in stack.thread_text(thread)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    (job,) = stack.jobs()
    described = stack.bedrock().get_model_customization_job(jobIdentifier=job["jobName"])
    assert described["trainingDataConfig"]["s3Uri"] == data
    assert not described.get("validationDataConfig")


def test_one_line_setup_lists_every_problem_at_once(stack: Stack) -> None:
    stack.driver.slash_command("new type=images model=gpt-4 data=train.jsonl")

    def problems() -> str | None:
        found = [r.payload.get("text", "") for r in stack.emulator.responses()]
        return next((text for text in found if "I can't start that setup yet" in text), None)

    text = stack.emulator.wait_for(problems, 10, "the one-line problems")
    assert "`type=images` is not a type" in text
    assert "gpt-4" in text
    assert "`data=train.jsonl` is not an S3 object URI" in text
    assert stack.jobs() == []


def test_start_clicked_twice_creates_one_job(stack: Stack) -> None:
    thread = reach_review(stack, NOVA)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    assert len(stack.jobs()) == 1
    started = [m for m in stack.emulator.messages(CHANNEL, thread) if "Started fine-tuning job" in m.text]
    assert len(started) == 1


def test_a_redelivered_event_acts_once(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)
    assert stack.driver.redeliver().status == 200
    stack.reply(thread, "Do you have a validation file?")
    checks = [
        m for m in stack.emulator.messages(CHANNEL, thread) if "line by line" in m.text or "is ready" in full_text(m)
    ]
    assert len(checks) == 1
    assert "Dropped a redelivery" in stack.bot.log()


def test_an_upload_whose_replica_died_checking_it_is_checked_once_and_slacks_retries_never_act_again(
    stack: Stack, redis_client: redis.Redis
) -> None:
    with aws_proxy(stack.aws_url) as proxy:
        stack.env = stack.env | {
            "AWS_ENDPOINT_URL": proxy.endpoint_url,
            "FINETUNE_POLL_SECONDS": "1",
            "FINETUNE_CHECK_TIMEOUT_SECONDS": "4",
        }
        stack.restart()
        thread = open_thread(stack)
        stack.driver.click("Conversational fine-tuning", thread_ts=thread)
        stack.reply(thread, "Which base model?")
        stack.driver.choose("Nova Micro", thread_ts=thread)
        stack.reply(thread, "Now the training data")
        held = proxy.hold(S3_PUT_OBJECT)
        uploaded = stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)
        held.wait_until_held(15)
        event_key = keys.event_key(json.loads(uploaded.request.body)["event_id"])
        survivor = stack.restart()  # SIGKILL while the upload is being checked, then another replica
        held.abandon()

        # Slack's first retry, within seconds: the dead replica's claim still stands, so it is dropped.
        assert stack.driver.redeliver(uploaded.request, retry_num=1).status == 200
        assert "Dropped a redelivery" in survivor.log()
        # The survivor's tick finds the check overdue and runs it again, once.
        stack.reply(thread, "Do you have a validation file?", timeout=30)
        # The claim expires before Slack's next retry; that retry is taken over, and the conversation,
        # which saved this delivery with the step it made, does not apply it again.
        deadline = time.monotonic() + keys.EVENT_CLAIM_SECONDS + 15
        while redis_client.exists(event_key):
            assert time.monotonic() < deadline, "the dead replica's claim on the upload never expired"
            time.sleep(0.5)
        assert stack.driver.redeliver(uploaded.request, retry_num=2, reason="http_error").status == 200
        stack.emulator.wait_for(lambda: redis_client.get(event_key) == b"handled", 10, "the upload marked handled")
        assert "already applied it" in survivor.log()
        assert stack.driver.redeliver(uploaded.request, retry_num=3, reason="http_error").status == 200
        time.sleep(2)

    thread_messages = stack.emulator.messages(CHANNEL, thread)
    assert len([m for m in thread_messages if "Do you have a validation file?" in full_text(m)]) == 1
    assert len([m for m in thread_messages if "line by line" in m.text or "is ready" in full_text(m)]) == 1
    assert survivor.log().count("Dropped a redelivery") == 2


def test_a_bot_restarted_after_the_review_lets_the_person_start(stack: Stack) -> None:
    thread = reach_review(stack, NOVA)
    stack.restart()
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    assert len(stack.jobs()) == 1


def test_someone_else_in_the_thread_gets_a_private_note(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread, user="U0BOB")
    note = stack.emulator.wait_for(lambda: stack.emulator.ephemerals(CHANNEL, "U0BOB"), 10, "a note to Bob")
    assert f"belongs to <@{USER}>" in note[0].text
    assert not any("Which base model?" in m.text for m in stack.emulator.messages(CHANNEL, thread))


@pytest.mark.parametrize(
    ("step", "answer", "expected"),
    [
        ("model", "text:amazon.nova-lite-v1:0:300000k", "Unknown model"),
        ("data", "text:what should I do?", "Sorry, I didn't understand that"),
        ("data", "text:s3://finetune-test-bucket/missing.jsonl", "no object at"),
        ("data", "big-file", "more than the 5 MB"),
        ("review", "text:epochCount=99", "between 1 and 5"),
    ],
)
def test_bad_input_gets_a_clear_reply_and_the_conversation_stays_usable(
    stack: Stack, step: str, answer: str, expected: str
) -> None:
    thread = open_thread(stack) if step != "review" else reach_review(stack, NOVA)
    if step in {"model", "data"}:
        stack.driver.click("Conversational fine-tuning", thread_ts=thread)
        stack.reply(thread, "Which base model?")
    if step == "data":
        stack.driver.choose("Nova Micro", thread_ts=thread)
        stack.reply(thread, "Now the training data")
    if answer == "big-file":
        stack.driver.upload_file("big.jsonl", b"x" * (6 * 1024 * 1024), thread_ts=thread)
    else:
        stack.driver.message(answer.removeprefix("text:"), thread_ts=thread)
    stack.reply(thread, expected)
    if step == "review":
        stack.driver.click("Start fine-tuning", thread_ts=thread)
        stack.reply(thread, "Started fine-tuning job")
    elif step == "model":
        stack.driver.choose("Nova Micro", thread_ts=thread)
        stack.reply(thread, "Now the training data")
    else:
        stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)
        stack.reply(thread, "Do you have a validation file?")


def test_cancel_abandons_the_setup_in_this_channel(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.slash_command("cancel")
    stack.reply(thread, "Cancelled. Nothing was started")
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    # The note answering the click, not the answer to /finetune cancel, which may arrive after it.
    notes = stack.emulator.wait_for(
        lambda: [e for e in stack.emulator.ephemerals(CHANNEL, USER) if "setup was cancelled" in e.text], 10, "a note"
    )
    assert "Type `/finetune` to start a new one" in notes[-1].text
