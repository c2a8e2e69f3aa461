"""WSGI plumbing for the AWS stand-in: reading REST-JSON requests and writing answers and errors as AWS does."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: ``Credential=KEY/DATE/REGION/SERVICE/aws4_request`` in a SigV4 Authorization header.
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
}


class AwsError(Exception):
    """An error AWS would answer with: the code goes in ``x-amzn-ErrorType``, the message in the body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def validation(message: str) -> AwsError:
    return AwsError(400, "ValidationException", message)


def not_found(message: str) -> AwsError:
    return AwsError(404, "ResourceNotFoundException", message)


@dataclass(frozen=True)
class Request:
    """One request as the stand-in reads it: method, decoded path, query, JSON body, and the signing scope."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    region: str
    service: str
    #: Header names in lower case, dashes for underscores (``x-amz-invocation-type``).
    headers: dict[str, str]

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; a ValidationException when it is not one."""
        try:
            document = json.loads(self.body or b"{}")
        except ValueError:
            raise validation("The request body is not valid JSON.") from None
        if not isinstance(document, dict):
            raise validation("The request body must be a JSON object.")
        return document


def read_request(environ: WSGIEnvironment, *, default_region: str) -> Request:
    """The request without its body, which is left unread for whoever answers (S3 uploads can be large)."""
    scope = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    query = {key: values[0] for key, values in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=unquote(str(environ.get("PATH_INFO", ""))),
        query=query,
        body=b"",
        region=scope[1] if scope else default_region,
        service=scope[2] if scope else "",
        headers={
            name.removeprefix("HTTP_").lower().replace("_", "-"): str(value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        },
    )


def with_body(environ: WSGIEnvironment, request: Request) -> Request:
    """The request with its body read, and the body put back into ``environ`` so it can still be passed on."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return replace(request, body=body)


def respond(
    start_response: StartResponse, status: int, document: Any, headers: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    """A JSON answer with its status and length."""
    payload = json.dumps(document, default=str).encode()
    start_response(
        f"{status} {_STATUS_TEXT.get(status, 'OK')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *headers],
    )
    return [payload]


def respond_error(start_response: StartResponse, error: AwsError) -> list[bytes]:
    """An error in the REST-JSON shape botocore reads: code in the header, message in the body."""
    return respond(start_response, error.status, {"message": error.message}, [("x-amzn-ErrorType", error.code)])


def iso(moment: datetime) -> str:
    """A timestamp as Bedrock writes it (ISO 8601, UTC, milliseconds)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def captured_call(app: WSGIApplication, environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call ``app`` and collect its whole answer: status line, headers and body."""
    captured: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
        captured[:] = [status, headers]
        return lambda data: None

    answer = app(environ, capture)
    try:
        body = b"".join(answer)
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()
    status, headers = captured
    return status, headers, body


def replay(start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    """Send a captured answer on, with the length of its (possibly rewritten) body."""
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    start_response(status, [*kept, ("Content-Length", str(len(body)))])
    return [body]
