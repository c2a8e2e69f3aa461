"""Lambda ``Invoke`` run by a local Python handler, for functions registered on the AWS stand-in (moto needs Docker).

The answer is Lambda's: status 200 and the handler's result as JSON; when the handler raises, still
200, with ``X-Amz-Function-Error: Unhandled`` and the error as Lambda reports it
(``errorMessage``, ``errorType``, ``stackTrace``). ``Event`` invocations answer 202 and ``DryRun`` 204.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.aws_http import Request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

#: ``handler(event, context)`` as Lambda's Python runtime calls it.
Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class InvokeContext:
    """The few attributes of Lambda's context object a handler commonly reads."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str


class LocalFunctions:
    """Handlers by function name; an ARN (with or without a qualifier) finds its function by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: dict[str, Handler] = {}
        self.invocations: list[tuple[str, Any]] = []

    def register(self, function: str, handler: Handler) -> None:
        with self._lock:
            self._handlers[function_name(function)] = handler

    def knows(self, function: str) -> bool:
        with self._lock:
            return function_name(function) in self._handlers

    def invoke(self, function: str, request: Request, start_response: StartResponse) -> list[bytes]:
        name = function_name(function)
        with self._lock:
            handler = self._handlers[name]
        kind = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if kind == "DryRun":
            return _send(start_response, "204 No Content", b"", [])
        try:
            event = json.loads(request.body) if request.body else {}
        except ValueError:
            body = {"message": "Could not parse request body into json", "Type": "User"}
            return _send(
                start_response,
                "400 Bad Request",
                json.dumps(body).encode(),
                [("x-amzn-ErrorType", "InvalidRequestContentException")],
            )
        with self._lock:
            self.invocations.append((name, event))
        context = InvokeContext(
            name, function if function.startswith("arn:") else name, f"{len(self.invocations):012d}"
        )
        headers = [("X-Amz-Executed-Version", "$LATEST")]
        try:
            result = handler(event, context)
        except Exception as exc:
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            return _send(
                start_response, "200 OK", json.dumps(error).encode(), [*headers, ("X-Amz-Function-Error", "Unhandled")]
            )
        if kind == "Event":
            return _send(start_response, "202 Accepted", b"", headers)
        return _send(start_response, "200 OK", json.dumps(result, default=str).encode(), headers)


def function_name(function: str) -> str:
    """``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` or ``NAME`` to ``NAME``."""
    if function.startswith("arn:"):
        parts = function.split(":")
        return parts[6] if len(parts) > 6 else function
    return function.split(":")[0]


def _send(start_response: StartResponse, status: str, body: bytes, headers: list[tuple[str, str]]) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers])
    return [body]
