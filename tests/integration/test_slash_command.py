"""``/finetune`` over HTTP: signed requests are answered; unsigned, forged or stale ones get 401 and do nothing."""

from __future__ import annotations

import pytest

from tests.support.stack import CHANNEL, Stack

pytestmark = pytest.mark.integration


def test_help_answers_with_the_usage_of_every_command(stack: Stack) -> None:
    response = stack.driver.slash_command("help")
    assert response.status == 200
    assert response.json is not None
    text = response.json["text"]
    for command in (
        "/finetune new type=TYPE",
        "/finetune status",
        "/finetune list",
        "/finetune stop JOB",
        "/finetune cost",
        "/finetune models",
        "/finetune cancel",
        "teacher=TEACHER_ID",
        "grader=arn:aws:lambda:",
        "source=invocation-logs logs=s3://",
        "[responses=teacher|logged]",
        "/finetune help",
    ):
        assert command in text
    assert stack.emulator.unknown_methods == []


def test_unknown_input_gets_a_usage_hint_not_a_stack_trace(stack: Stack) -> None:
    response = stack.driver.slash_command("frobnicate now")
    assert response.status == 200
    assert response.json is not None
    assert "`frobnicate` is not a /finetune command" in response.json["text"]
    assert "/finetune help" in response.json["text"]
    assert "Traceback" not in stack.bot.log()


@pytest.mark.parametrize("signing", ["none", "wrong", "stale"])
def test_a_request_not_signed_by_slack_gets_401_and_causes_no_slack_call(stack: Stack, signing: str) -> None:
    before = stack.emulator.calls()  # the bot's one auth.test at start, asking which workspace it serves
    response = stack.driver.slash_command("", signing=signing)  # type: ignore[arg-type]
    assert response.status == 401
    assert stack.emulator.calls() == before
    assert stack.emulator.all_messages(CHANNEL) == []
