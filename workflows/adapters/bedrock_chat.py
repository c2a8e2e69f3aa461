"""bedrock-runtime ``Converse`` behind the ``ModelChat`` port: one question to a served model, one answer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from workflows.adapters.aws_retry import busy_error
from workflows.chat.chat_errors import ModelNotReady, ModelRefused, ModelThrottled, refusal_text
from workflows.chat.chat_ports import ChatAnswer, ChatRequest, StopReason

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime.client import BedrockRuntimeClient
    from mypy_boto3_bedrock_runtime.type_defs import ConverseResponseTypeDef

logger = logging.getLogger(__name__)

_THROTTLED = {"ThrottlingException", "TooManyRequestsException", "ServiceQuotaExceededException"}


class BedrockChat:
    """``ModelChat`` on a boto3 ``bedrock-runtime`` client (``aws_clients.bedrock_runtime_client``).

    botocore retries throttling, ``ModelNotReadyException`` and 5xx answers; what is left after its last
    attempt becomes ``ModelThrottled``, ``ModelNotReady`` or ``ServiceBusy``, and a definite no becomes
    ``ModelRefused``. AWS's own message goes to the log only.
    """

    def __init__(self, client: BedrockRuntimeClient) -> None:
        self._client = client

    def ask(self, request: ChatRequest) -> ChatAnswer:
        """Converse once with ``request.model_id``; the answer's text is the model's, untrusted."""
        arguments: dict[str, Any] = {
            "modelId": request.model_id,
            "messages": [{"role": turn.role.value, "content": [{"text": turn.text}]} for turn in request.turns],
        }
        if request.system:
            arguments["system"] = [{"text": request.system}]
        config: dict[str, Any] = {}
        if request.max_tokens is not None:
            config["maxTokens"] = request.max_tokens
        if request.temperature is not None:
            config["temperature"] = request.temperature
        if config:
            arguments["inferenceConfig"] = config
        try:
            response = self._client.converse(**arguments)
        except ClientError as error:
            raise _translated(error, request.model_id) from error
        except Exception as error:
            busy = busy_error(error, "Bedrock")
            if busy is None:
                raise
            logger.warning("Converse with %s did not get through: %s", request.model_id, error)
            raise busy from error
        return _answer(response)


def _answer(response: ConverseResponseTypeDef) -> ChatAnswer:
    blocks = response.get("output", {}).get("message", {}).get("content", [])
    text = "\n".join(block["text"] for block in blocks if "text" in block)
    usage = response.get("usage", {})
    return ChatAnswer(
        text=text,
        latency_ms=int(response.get("metrics", {}).get("latencyMs", 0)),
        input_tokens=int(usage.get("inputTokens", 0)),
        output_tokens=int(usage.get("outputTokens", 0)),
        stop_reason=StopReason.of(response.get("stopReason")),
    )


def _translated(error: ClientError, model_id: str) -> Exception:
    """The product's error for what Bedrock said; its own words only in the log."""
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).strip()
    tries = int(error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
    logger.warning("Converse with %s failed after %d attempt(s): %s: %s", model_id, tries, code, message)
    if code == "ModelNotReadyException":
        return ModelNotReady()
    if code in _THROTTLED:
        return ModelThrottled()
    busy = busy_error(error, "Bedrock")
    if busy is not None:
        return busy
    return ModelRefused(refusal_text(code))
