"""``ModelChat``: the fake and ``BedrockChat`` on the AWS stand-in over HTTP agree on answers and failures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from bot.sandbox.deployments import ON_DEMAND_MINUTES
from tests.fakes.model_chat import FakeModelChat
from tests.sandbox.standin_support import TRAINING, trained_model
from tests.support.moto_server import REGION, MotoServer
from workflows.adapters.aws_clients import bedrock_runtime_client
from workflows.adapters.aws_retry import ATTEMPTS
from workflows.adapters.bedrock_chat import BedrockChat
from workflows.chat.chat_errors import ModelNotReady, ModelRefused, ModelThrottled
from workflows.chat.chat_ports import ChatRequest, ModelChat, Role, StopReason, Turn
from workflows.exceptions import BotError

BASE_MODEL = "amazon.nova-micro-v1:0"
SYSTEM = "You are Acme's support agent."
UNKNOWN = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/doesnotexist1"


@dataclass
class Subject:
    chat: ModelChat
    #: A ready deployment of a custom model trained on ``TRAINING``: its model id.
    deployed: Callable[[], str]
    #: A deployment still being created: its model id.
    creating: Callable[[], str]
    #: The next ``n`` calls are throttled (by Bedrock, before any retry).
    throttle: Callable[[int], None]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeModelChat()

        def taught() -> str:
            model_id = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/taught000001"
            fake.teach(model_id, TRAINING)
            return model_id

        def starting() -> str:
            model_id = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/starting00001"
            fake.not_ready.add(model_id)
            return model_id

        return Subject(fake, taught, starting, lambda n: fake.throttle(1 if n >= ATTEMPTS else 0))
    aws: MotoServer = request.getfixturevalue("aws")
    clock = request.getfixturevalue("standin_clock")
    bedrock = boto3.client("bedrock", region_name=REGION)

    def deploy(name: str) -> str:
        model = trained_model(name)
        return str(
            bedrock.create_custom_model_deployment(modelDeploymentName=f"{name}-od", modelArn=model.custom_model_arn)[
                "customModelDeploymentArn"
            ]
        )

    def deployed() -> str:
        arn = deploy("support")
        clock.advance(ON_DEMAND_MINUTES * 60 / aws.standin.deployments.speed)
        return arn

    return Subject(
        BedrockChat(bedrock_runtime_client(REGION)),
        deployed,
        lambda: deploy("starting"),
        lambda n: aws.standin.throttle(n),
    )


def test_a_custom_model_answers_from_what_it_learned(subject: Subject) -> None:
    model = subject.deployed()
    for question, reply in TRAINING:
        answer = subject.chat.ask(ChatRequest.question(model, question, system=SYSTEM))
        assert answer.text == reply
        assert answer.stop_reason is StopReason.END_TURN
        assert not answer.cut_short
        assert answer.input_tokens > 0
        assert answer.output_tokens > 0
        assert answer.latency_ms > 0


def test_the_base_model_answers_generically(subject: Subject) -> None:
    question = TRAINING[1][0]
    answer = subject.chat.ask(ChatRequest.question(BASE_MODEL, question))
    assert answer.text != TRAINING[1][1]
    assert "general answer" in answer.text
    assert question.split()[0] in answer.text


def test_the_system_prompt_and_earlier_turns_are_read(subject: Subject) -> None:
    model = subject.deployed()
    bare = subject.chat.ask(ChatRequest.question(model, TRAINING[0][0]))
    with_system = subject.chat.ask(ChatRequest.question(model, TRAINING[0][0], system=SYSTEM))
    longer = ChatRequest(
        model_id=model,
        turns=(Turn(Role.USER, TRAINING[2][0]), Turn(Role.ASSISTANT, TRAINING[2][1]), Turn(Role.USER, TRAINING[0][0])),
    )
    assert with_system.input_tokens > bare.input_tokens
    assert subject.chat.ask(longer).input_tokens > bare.input_tokens


def test_an_answer_stopped_at_the_token_limit_says_so(subject: Subject) -> None:
    model = subject.deployed()
    answer = subject.chat.ask(ChatRequest.question(model, TRAINING[0][0], max_tokens=3))
    assert answer.cut_short
    assert answer.stop_reason is StopReason.MAX_TOKENS
    assert answer.output_tokens == 3


def test_a_deployment_still_starting_is_not_ready_in_plain_words(subject: Subject) -> None:
    model = subject.creating()
    with pytest.raises(ModelNotReady, match="not ready to answer yet") as caught:
        subject.chat.ask(ChatRequest.question(model, TRAINING[0][0]))
    assert "arn:" not in str(caught.value)


def test_throttling_that_outlasts_the_retries_is_explained(subject: Subject) -> None:
    subject.throttle(ATTEMPTS)
    with pytest.raises(ModelThrottled, match="Wait a minute") as caught:
        subject.chat.ask(ChatRequest.question(BASE_MODEL, TRAINING[0][0]))
    assert "Too many requests" not in str(caught.value)


def test_a_throttle_the_retries_absorb_is_not_seen(subject: Subject) -> None:
    subject.throttle(ATTEMPTS - 1)
    assert "general answer" in subject.chat.ask(ChatRequest.question(BASE_MODEL, "Hello there")).text


def test_an_unknown_deployment_is_refused_without_awss_words(subject: Subject) -> None:
    with pytest.raises(ModelRefused) as caught:
        subject.chat.ask(ChatRequest.question(UNKNOWN, "Hello"))
    assert isinstance(caught.value, BotError)
    assert "doesnotexist1" not in str(caught.value)
    assert "/finetune deployments" in str(caught.value)


def test_a_request_must_end_with_the_users_turn() -> None:
    with pytest.raises(ValueError, match="ends with the user's turn"):
        ChatRequest(model_id=BASE_MODEL, turns=(Turn(Role.ASSISTANT, "Hi"),))
    with pytest.raises(ValueError, match="ends with the user's turn"):
        ChatRequest(model_id=BASE_MODEL, turns=())
