"""bedrock-runtime ``Converse`` for the AWS stand-in: who answers a ``modelId``, what they say, the metrics left.

A deployment or provisioned-model ARN (or name) answers with its custom model's stand-in model
(``bot.sandbox.standin_model``) once it is ready, and ``ModelNotReadyException`` before; a base model
id (or a system inference profile id) answers generically, and ids Bedrock refuses on demand are refused
(``bot.sandbox.base_models``). Every answered call puts ``Invocations`` (and token counts and latency) into
CloudWatch under ``AWS/Bedrock`` with the ``ModelId`` dimension, as Bedrock does, so an idle check can
read them with GetMetricData or GetMetricStatistics.
"""

from __future__ import annotations

import threading
from typing import Any

from bot.sandbox.aws_http import AwsError, not_found, validation
from bot.sandbox.base_models import check_base_model
from bot.sandbox.deployments import Deployment, Deployments, Route
from bot.sandbox.moto_access import CustomModel, find_custom_model, put_metrics, read_s3_object
from bot.sandbox.standin_model import answer, closest, content_text, examples_from_jsonl, generic_reply

NAMESPACE = "AWS/Bedrock"


class Throttle:
    """Calls to refuse with ThrottlingException, set from tests: a count per model id (``None``: any model)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str | None, int] = {}

    def add(self, times: int, model_id: str | None) -> None:
        with self._lock:
            self._pending[model_id] = self._pending.get(model_id, 0) + times

    def take(self, model_id: str) -> bool:
        """True (and one fewer pending) when this call is to be throttled."""
        with self._lock:
            for key in (model_id, None):
                if self._pending.get(key, 0) > 0:
                    self._pending[key] -= 1
                    return True
        return False

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()


def converse(
    deployments: Deployments, throttle: Throttle, region: str, model_id: str, request: dict[str, Any]
) -> dict[str, Any]:
    """The Converse answer for ``model_id``; AwsError for what Bedrock would refuse."""
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise validation("A conversation must have at least one message.")
    if not isinstance(messages[-1], dict) or messages[-1].get("role") != "user":
        raise validation("A conversation must end with a user message.")
    if throttle.take(model_id):
        raise AwsError(429, "ThrottlingException", "Too many requests, please wait before trying again.")
    custom = _custom_model(deployments, region, model_id)
    if custom is None:
        check_base_model(model_id)
    question = content_text(messages[-1].get("content"))
    reply = generic_reply(question) if custom is None else _learned_reply(custom, question)
    config = request.get("inferenceConfig") or {}
    max_tokens = config.get("maxTokens") if isinstance(config.get("maxTokens"), int) else None
    said = answer(reply, prompt_text=_prompt_text(request), max_tokens=max_tokens)
    put_metrics(
        region,
        NAMESPACE,
        [
            _datum("Invocations", model_id, 1, "Count"),
            _datum("InputTokenCount", model_id, said.input_tokens, "Count"),
            _datum("OutputTokenCount", model_id, said.output_tokens, "Count"),
            _datum("InvocationLatency", model_id, said.latency_ms, "Milliseconds"),
        ],
    )
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": said.text}]}},
        "stopReason": "max_tokens" if said.truncated else "end_turn",
        "usage": {
            "inputTokens": said.input_tokens,
            "outputTokens": said.output_tokens,
            "totalTokens": said.input_tokens + said.output_tokens,
        },
        "metrics": {"latencyMs": said.latency_ms},
    }


def _custom_model(deployments: Deployments, region: str, model_id: str) -> CustomModel | None:
    """The custom model a ready deployment serves; None for a base model; AwsError when not servable."""
    deployment = _deployment(deployments, region, model_id)
    if deployment is None:
        return None
    _check_ready(deployments, deployment)
    return deployment.custom


def _deployment(deployments: Deployments, region: str, model_id: str) -> Deployment | None:
    """The deployment or throughput ``model_id`` names (by ARN or name); None for a base model id."""
    for route in Route:
        if f":{route.value}/" in model_id:
            return deployments.find(route, model_id)
    if find_custom_model(region, model_id) is not None:
        raise validation("A custom model is invoked through its deployment or provisioned model, not directly.")
    if model_id.startswith("arn:") or "." in model_id:
        return None
    for route in Route:
        try:
            return deployments.find(route, model_id)
        except AwsError:
            continue
    raise not_found(f"The model {model_id} was not found.")


def _check_ready(deployments: Deployments, deployment: Deployment) -> None:
    status = deployments.status(deployment)
    if status == "Creating":
        raise AwsError(429, "ModelNotReadyException", "The model is not ready to serve inference requests yet.")
    if status == "Failed":
        raise validation(f"The deployment {deployment.name} failed and cannot serve requests.")


def _learned_reply(custom: CustomModel, question: str) -> str:
    data = read_s3_object(custom.training_uri)
    example = closest(examples_from_jsonl(data or b""), question)
    if example is None:
        raise AwsError(
            424, "ModelErrorException", f"The custom model {custom.name} has no training data to answer from."
        )
    return example.response


def _prompt_text(request: dict[str, Any]) -> str:
    """Everything the model reads: the system prompt and every message."""
    parts = [block.get("text", "") for block in request.get("system") or [] if isinstance(block, dict)]
    parts += [content_text(message.get("content")) for message in request["messages"] if isinstance(message, dict)]
    return "\n".join(str(part) for part in parts)


def _datum(name: str, model_id: str, value: float, unit: str) -> dict[str, Any]:
    return {"MetricName": name, "Dimensions": [{"Name": "ModelId", "Value": model_id}], "Value": value, "Unit": unit}
