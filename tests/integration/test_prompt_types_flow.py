"""Distillation and reinforcement fine-tuning over HTTP: advisor to one correct job, graders tested before Start."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.grader_function import provision_sample_grader
from bot.sandbox.lifecycle import JobLifecycle
from bot.sandbox.records import Message
from bot.sandbox.samples import DISTILLATION, REINFORCEMENT, sample_bytes
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import wait_for_notice
from tests.jobs.monitoring.moto_jobs import set_status
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import BUCKET, CHANNEL, REGION, REPLY_WAIT, ROLE_ARN, USER, Stack, bot_environment, full_text
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"


@pytest.fixture
def polled(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    redis_url: str,
    aws: MotoServer,
) -> Stack:
    """The stack with a one-second status tick, so the completion notice comes within the test."""
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    )
    env = env | {"FINETUNE_POLL_SECONDS": "1"}
    bot = bot_factory(env)
    driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
    return Stack(bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=env, start_bot=bot_factory)


def broken(sample: str, replacements: dict[int, str]) -> bytes:
    lines = sample_bytes(sample).decode().splitlines()
    for number, text in replacements.items():
        lines[number - 1] = text
    return ("\n".join(lines) + "\n").encode()


def advise(stack: Stack, thread: str, data: str, goal: str, recommended: str) -> None:
    stack.driver.click("Help me choose", thread_ts=thread)
    stack.reply(thread, "What data do you have?")
    stack.driver.click(data, thread_ts=thread)
    stack.reply(thread, "What do you want the model to do differently?")
    stack.driver.click(goal, thread_ts=thread)
    stack.reply(thread, f"I recommend *{recommended}*")
    stack.driver.click(f"{recommended} (recommended)", thread_ts=thread)
    stack.reply(thread, "Which base model?")


def open_thread(stack: Stack) -> str:
    assert stack.driver.slash_command("").status == 200
    thread = stack.root().ts
    stack.reply(thread, "What kind of customization do you want?")
    return thread


def complete(stack: Stack, job_name: str) -> str:
    set_status(job_name, JobStatus.COMPLETED)
    return full_text(wait_for_notice(stack.emulator, job_name, timeout=REPLY_WAIT))


def test_distillation_from_the_advisor_to_one_job_with_its_teacher(polled: Stack) -> None:
    stack = polled
    thread = open_thread(stack)
    advise(stack, thread, "Prompts, but no good answers yet", "A big model's quality, cheaper", "Distillation")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Which teacher should write the answers")
    stack.driver.click("Nova Pro", thread_ts=thread)
    stack.reply(thread, "Now the training data")

    multi = json.dumps(
        {"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "assistant", "content": [{"text": "Hi"}]}]}
    )
    stack.driver.upload_file(
        "prompts.jsonl", broken(DISTILLATION, {4: '{"schemaVersion": ', 9: multi}), thread_ts=thread
    )
    text = full_text(stack.reply(thread, "problems to fix before training"))
    assert "Line 4" in text
    assert "Line 9" in text
    assert stack.jobs() == []

    stack.driver.upload_file("prompts-fixed.jsonl", sample_bytes(DISTILLATION), thread_ts=thread)
    stack.reply(thread, "`prompts-fixed.jsonl` is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "for the teacher's answers" in review
    assert "Teacher writing the answers" in review
    assert "amazon.nova-pro-v1:0" in review

    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    jobs = stack.jobs()
    assert len(jobs) == 1
    job = stack.bedrock().get_model_customization_job(jobIdentifier=jobs[0]["jobName"])
    assert job["customizationType"] == "DISTILLATION"
    assert job["customizationConfig"] == {
        "distillationConfig": {
            "teacherModelConfig": {
                "teacherModelIdentifier": "amazon.nova-pro-v1:0",
                "maxResponseLengthForInference": 1000,
            }
        }
    }
    assert "completed" in complete(stack, jobs[0]["jobName"])


def service_role(aws: MotoServer, *statements: dict[str, Any]) -> None:
    """The job's service role (FINETUNE_ROLE_ARN) in moto, with these statements as its inline policy."""
    iam = boto3.client("iam", region_name=REGION, endpoint_url=aws.endpoint_url)
    name = ROLE_ARN.rsplit("/", 1)[-1]
    with suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    if statements:
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_role_policy(RoleName=name, PolicyName="finetune", PolicyDocument=json.dumps(document))


def may_invoke(grader: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": grader}


def make_grader(aws: MotoServer, name: str, handler: Callable[[Any, Any], Any]) -> str:
    """A Lambda function in moto (so GetFunction finds it) whose Invoke runs ``handler`` on the stand-in."""
    lambdas = boto3.client("lambda", region_name=REGION, endpoint_url=aws.endpoint_url)
    iam = boto3.client("iam", region_name=REGION, endpoint_url=aws.endpoint_url)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    with suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName="grader-role", AssumeRolePolicyDocument=json.dumps(trust))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("grader.py", "def lambda_handler(event, context):\n    return []\n")
    lambdas.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=f"arn:aws:iam::{ACCOUNT}:role/grader-role",
        Handler="grader.lambda_handler",
        Code={"ZipFile": archive.getvalue()},
    )
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    aws.standin.register_function(arn, handler)
    return arn


def to_rft_data(stack: Stack, grader: str) -> tuple[str, str]:
    """Through the advisor to the training data question; the thread and what was said about the grader."""
    thread = open_thread(stack)
    advise(stack, thread, "Prompt and response pairs", "Answers a program can check", "Reinforcement fine-tuning")
    stack.driver.choose("Nova 2 Lite", thread_ts=thread)
    stack.reply(thread, "Which Lambda function grades")
    stack.driver.message(grader, thread_ts=thread)
    found = full_text(stack.reply(thread, "Found the grader"))
    stack.reply(thread, "Now the training data")
    return thread, found


def to_rft_review(stack: Stack, grader: str) -> str:
    thread, _ = to_rft_data(stack, grader)
    return thread


def to_review_with_sample(stack: Stack, grader: str) -> tuple[str, str]:
    thread, found = to_rft_data(stack, grader)
    stack.driver.upload_file("rft.jsonl", sample_bytes(REINFORCEMENT), thread_ts=thread)
    stack.reply(thread, "`rft.jsonl` is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    stack.reply(thread, "Review your fine-tuning job")
    return thread, found


def test_reinforcement_from_the_advisor_to_one_job_with_its_tested_grader(polled: Stack, aws: MotoServer) -> None:
    stack = polled
    service_role(aws)
    grader = provision_sample_grader(REGION, aws.standin, invoker=ROLE_ARN)
    thread, found = to_rft_data(stack, grader)
    assert "may invoke it (the function's resource policy allows it)" in found

    planted = {
        3: '{"messages": [{"role": "user", "content": "How many jars?"}]}',
        8: json.dumps(
            {
                "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "4"}],
                "reference_answer": "4",
            }
        ),
    }
    stack.driver.upload_file("rft.jsonl", broken(REINFORCEMENT, planted), thread_ts=thread)
    text = full_text(stack.reply(thread, "problems to fix before training"))
    assert "Line 3" in text
    assert "Line 8" in text

    stack.driver.upload_file("rft-fixed.jsonl", sample_bytes(REINFORCEMENT), thread_ts=thread)
    stack.reply(thread, "`rft-fixed.jsonl` is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "not tested yet" in review
    assert "per training hour" in review or "training price unknown" in review

    before = len(aws.standin.functions.invocations)
    stack.driver.click("Test my grader", thread_ts=thread)
    verdict = full_text(stack.reply(thread, "Your grader works"))
    assert "sample-1" in verdict
    sent = [
        payload for name, payload in aws.standin.functions.invocations[before:] if name == "finetune-bot-sample-grader"
    ]
    assert len(sent) == 1
    assert sent[0][0]["metadata"]["reference_answer"] == "12"

    stack.driver.message("batchSize=32", thread_ts=thread)
    stack.reply(thread, "`batchSize=32` (changed)")
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    jobs = stack.jobs()
    assert len(jobs) == 1
    job = stack.bedrock().get_model_customization_job(jobIdentifier=jobs[0]["jobName"])
    assert job["customizationType"] == "REINFORCEMENT_FINE_TUNING"
    assert job["customizationConfig"] == {
        "rftConfig": {"graderConfig": {"lambdaGrader": {"lambdaArn": grader}}, "hyperParameters": {"batchSize": 32}}
    }
    notice = run_to_completion(stack, jobs[0]["jobName"])
    assert "completed" in notice
    assert "Reward" in notice
    assert "at the end, best 0.8" in notice
    assert "(from 0.3 over 20 steps)" in notice


def run_to_completion(stack: Stack, job_name: str) -> str:
    """Bedrock's stages on the sandbox's compressed clock, the metrics files written, then the notice."""
    minutes = JobLifecycle(region=REGION, speed=1.0).simulated_minutes
    lifecycle = JobLifecycle(region=REGION, speed=minutes * 60 / 1.5)
    lifecycle.start(boto3.client("s3", region_name=REGION, endpoint_url=stack.aws_url))
    try:
        return full_text(wait_for_notice(stack.emulator, job_name, timeout=REPLY_WAIT))
    finally:
        lifecycle.stop()


def wrong_shape(event: Any, context: Any) -> Any:
    return {"scores": [1.0 for _ in event]}


def raising(event: Any, context: Any) -> Any:
    raise KeyError("reference_answer")


@pytest.mark.parametrize(
    ("handler", "explained"),
    [
        (wrong_shape, ["not in the shape Bedrock needs", "It answered an object, not a list."]),
        (raising, ["Your grader raised an error instead of answering.", "KeyError"]),
    ],
    ids=["wrong-shape", "raising"],
)
def test_a_bad_grader_is_explained_in_the_thread_and_holds_start(
    stack: Stack, aws: MotoServer, handler: Callable[[Any, Any], Any], explained: list[str]
) -> None:
    grader = make_grader(aws, f"grader-{handler.__name__.replace('_', '-')}", handler)
    service_role(aws, may_invoke(grader))
    thread = to_rft_review(stack, grader)
    stack.driver.upload_file("rft.jsonl", sample_bytes(REINFORCEMENT), thread_ts=thread)
    stack.reply(thread, "`rft.jsonl` is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    stack.reply(thread, "Review your fine-tuning job")

    stack.driver.click("Test my grader", thread_ts=thread)
    verdict = full_text(stack.reply(thread, explained[0]))
    for words in explained[1:]:
        assert words in verdict
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Your grader failed its last test")
    assert stack.jobs() == []


def test_a_grader_that_does_not_exist_is_named_before_the_data(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Reinforcement fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova 2 Lite", thread_ts=thread)
    stack.reply(thread, "Which Lambda function grades")
    stack.driver.message(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nobody-home", thread_ts=thread)
    stack.reply(thread, "There is no Lambda function")


def nth_reply(stack: Stack, thread: str, contains: str, count: int) -> Message:
    """Wait for the ``count``-th bot reply in the thread containing ``contains``; return it."""

    def found() -> Message | None:
        replies = [m for m in stack.emulator.messages(CHANNEL, thread) if m.from_bot and contains in full_text(m)]
        return replies[count - 1] if len(replies) >= count else None

    return stack.emulator.wait_for(found, 15, f"reply {count} containing {contains!r}")


def answering(event: Any, context: Any) -> Any:
    return [{"id": item["id"], "aggregate_reward_score": 1.0} for item in event]


def test_a_service_role_that_may_not_invoke_the_grader_holds_start_with_the_fix(stack: Stack, aws: MotoServer) -> None:
    service_role(aws)
    grader = make_grader(aws, "grader-unreachable", answering)
    thread, found = to_review_with_sample(stack, grader)
    assert "may not invoke" in found
    assert f"aws lambda add-permission --function-name {grader}" in found
    assert f"--principal {ROLE_ARN}" in found
    assert '"Action": "lambda:InvokeFunction"' in found

    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Checking again that the service role may invoke")
    again = full_text(nth_reply(stack, thread, "may not invoke", 2))
    assert "add-permission" in again
    assert stack.jobs() == []

    service_role(aws, may_invoke(grader))
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "may invoke it (its IAM policy allows it)")
    stack.reply(thread, "Started fine-tuning job")
    assert len(stack.jobs()) == 1


def test_a_denying_statement_is_named(stack: Stack, aws: MotoServer) -> None:
    grader = make_grader(aws, "grader-denied", answering)
    deny = {"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}
    service_role(aws, may_invoke(grader), deny)
    thread, found = to_review_with_sample(stack, grader)
    assert "A Deny statement in `finetune`" in found
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    nth_reply(stack, thread, "A Deny statement", 2)
    assert stack.jobs() == []


def test_when_the_bot_may_not_check_it_says_so_and_does_not_hold_start(stack: Stack, aws: MotoServer) -> None:
    service_role(aws)
    grader = make_grader(aws, "grader-unchecked", answering)
    aws.standin.refuse("SimulatePrincipalPolicy")
    aws.standin.refuse("GetPolicy")
    thread, found = to_review_with_sample(stack, grader)
    assert "I could not check that the service role" in found
    assert "iam:SimulatePrincipalPolicy" in found
    assert "lambda:GetPolicy" in found
    assert "Start is not held" in found
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    assert len(stack.jobs()) == 1
