"""An SQS queue behind the ``MessageQueue`` port: long polls, and deletes by receipt handle."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from workflows.adapters.aws_retry import busy_error
from workflows.exceptions import BotError
from workflows.ports import QueuedMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

logger = logging.getLogger(__name__)

#: Seconds a receive waits for messages. A receive in flight cannot be cut short without losing what SQS
#: hands it (those messages would stay hidden for the visibility timeout), so stopping waits for it: one
#: second keeps stopping prompt, and still a long poll (SQS returns as soon as a message arrives). An idle
#: replica makes about 2.6 million receives a month, about a dollar at SQS's request price.
WAIT_SECONDS = 1
#: SQS hands out at most 10 messages per receive.
BATCH = 10


class SqsQueue:
    """``MessageQueue`` on a boto3 ``sqs`` client (built with ``aws_clients.sqs_client``, which retries)."""

    def __init__(self, client: SQSClient, *, queue_url: str, wait_seconds: int = WAIT_SECONDS) -> None:
        self._client = client
        self._url = queue_url
        self._wait = wait_seconds

    def receive(self) -> list[QueuedMessage]:
        """Up to ten messages, waiting up to ``wait_seconds`` for the first (empty when none came)."""
        try:
            answer = self._client.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=BATCH,
                WaitTimeSeconds=self._wait,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except Exception as error:
            raise _queue_error(error, "receive from") from error
        return [
            QueuedMessage(
                message_id=str(message.get("MessageId", "")),
                body=str(message.get("Body", "")),
                receipt=str(message.get("ReceiptHandle", "")),
                receive_count=_count(message.get("Attributes", {}).get("ApproximateReceiveCount")),
            )
            for message in answer.get("Messages", [])
            if message.get("ReceiptHandle")
        ]

    def delete(self, message: QueuedMessage) -> None:
        """Delete for good; a receipt that expired (the message went back to the queue) is logged and left."""
        try:
            self._client.delete_message(QueueUrl=self._url, ReceiptHandle=message.receipt)
        except ClientError as error:
            if _code(error) == "ReceiptHandleIsInvalid":
                logger.info(
                    "Queue message %s came back before it was deleted; it will be handled again", message.message_id
                )
                return
            raise _queue_error(error, "delete from") from error
        except Exception as error:
            raise _queue_error(error, "delete from") from error


def _count(value: object) -> int:
    try:
        return max(1, int(str(value)))
    except ValueError:
        return 1


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _queue_error(error: Exception, doing: str) -> Exception:
    """``ServiceBusy`` after the retries; a refusal (access denied, no such queue) as a ``BotError``."""
    busy = busy_error(error, "SQS")
    if busy is not None:
        return busy
    if isinstance(error, ClientError):
        return BotError(
            f"Could not {doing} FINETUNE_EVENTS_QUEUE_URL ({_code(error)}): check the queue exists in AWS_REGION "
            "and the bot's policy allows sqs:ReceiveMessage and sqs:DeleteMessage on it."
        )
    return error
