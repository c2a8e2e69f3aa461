"""``MessageQueue``: the in-memory queue and SQS (moto over HTTP) hand out, hide, return and delete alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from tests.fakes.queue import MemoryQueue
from tests.support.moto_server import MotoServer
from workflows.adapters.aws_clients import sqs_client
from workflows.adapters.sqs_queue import SqsQueue
from workflows.ports import MessageQueue

#: Seconds a received message stays hidden on the real queue (the fake is moved by hand).
VISIBILITY = 1


@dataclass
class Subject:
    queue: MessageQueue
    send: Callable[[str], None]
    #: Lets the visibility timeout pass: the fake's in-flight messages come back, the real queue is waited on.
    expire: Callable[[], None]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = MemoryQueue()
        return Subject(fake, fake.send, fake.expire_visibility)
    aws: MotoServer = request.getfixturevalue("aws")
    raw = boto3.client("sqs", region_name="us-east-1", endpoint_url=aws.endpoint_url)
    url = raw.create_queue(QueueName="contract", Attributes={"VisibilityTimeout": str(VISIBILITY)})["QueueUrl"]
    queue = SqsQueue(
        sqs_client("us-east-1", endpoint_url=aws.endpoint_url, wait_seconds=1), queue_url=url, wait_seconds=1
    )

    def send(body: str) -> None:
        raw.send_message(QueueUrl=url, MessageBody=body)

    return Subject(queue, send, lambda: time.sleep(VISIBILITY + 0.5))


def test_an_empty_queue_gives_nothing(subject: Subject) -> None:
    assert subject.queue.receive() == []


def test_messages_come_with_their_body_and_a_first_receive_count(subject: Subject) -> None:
    subject.send('{"a": 1}')
    subject.send("not json <@U1>")

    received = subject.queue.receive()

    assert sorted(message.body for message in received) == ["not json <@U1>", '{"a": 1}']
    assert all(message.receive_count == 1 and message.receipt and message.message_id for message in received)


def test_a_received_message_is_hidden_then_comes_back_unless_deleted(subject: Subject) -> None:
    subject.send("kept")
    subject.send("deleted")
    first = {message.body: message for message in subject.queue.receive()}
    subject.queue.delete(first["deleted"])

    assert subject.queue.receive() == []
    subject.expire()
    again = subject.queue.receive()

    assert [message.body for message in again] == ["kept"]
    assert again[0].receive_count == 2


def test_deleting_with_an_expired_receipt_is_harmless(subject: Subject) -> None:
    subject.send("late")
    (stale,) = subject.queue.receive()
    subject.expire()
    (current,) = subject.queue.receive()

    subject.queue.delete(stale)
    subject.queue.delete(current)
    subject.expire()

    assert subject.queue.receive() == []
