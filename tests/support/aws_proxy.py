"""A fault-injecting HTTP proxy in front of moto: hold a named AWS operation until released, or fail it.

The bot under test gets the proxy's URL as ``AWS_ENDPOINT_URL``; everything it sends is forwarded
to moto unchanged, except the operations a test picked::

    with AwsProxy(moto.endpoint_url) as proxy:
        held = proxy.hold(CREATE_CUSTOMIZATION_JOB)    # the next Create waits here…
        …; held.wait_until_held(10); …                  # (kill the bot meanwhile)
        held.release()                                  # …then reaches moto, caller gone or not
        proxy.fail(S3_GET_OBJECT, "500", times=None)    # every GetObject answers 500 until clear()

An operation is recognised by its ``X-Amz-Target`` header (JSON protocols) or by method and path
(REST protocols such as Bedrock's and S3's), and by the service in the request's SigV4 scope.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import urlsplit

#: Response headers not copied from moto: the proxy sends the whole body with its own length.
_HOP_HEADERS = {"transfer-encoding", "connection", "content-length", "keep-alive"}
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Operation:
    """How to recognise one AWS operation in a request."""

    name: str
    #: The service in the SigV4 credential scope (``bedrock``, ``s3``).
    service: str
    method: str = "POST"
    #: A regular expression the path (without query) must match, for REST protocols.
    path: str | None = None
    #: The ``X-Amz-Target`` header, for JSON protocols.
    target: str | None = None

    def matches(self, method: str, path: str, headers: dict[str, str]) -> bool:
        scope = _SCOPE.search(headers.get("authorization", ""))
        if scope is None or scope.group(1) != self.service:
            return False
        if self.target is not None:
            return headers.get("x-amz-target") == self.target
        return method == self.method and self.path is not None and re.fullmatch(self.path, path) is not None


#: Bedrock (REST-JSON): POST /model-customization-jobs.
CREATE_CUSTOMIZATION_JOB = Operation("CreateModelCustomizationJob", "bedrock", "POST", r"/model-customization-jobs")
#: Bedrock: GET /model-customization-jobs/{name}.
GET_CUSTOMIZATION_JOB = Operation("GetModelCustomizationJob", "bedrock", "GET", r"/model-customization-jobs/[^/]+")
#: S3 (REST-XML, path-style on a loopback endpoint): GET /{bucket}/{key}.
S3_GET_OBJECT = Operation("GetObject", "s3", "GET", r"/[^/]+/.+")


@dataclass
class Hold:
    """A held operation: requests that match wait in the proxy until ``release``."""

    operation: Operation
    released: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    #: Set by ``abandon``: the requests waiting then are dropped instead of forwarded.
    abandoned: bool = False

    def wait_until_held(self, timeout: float) -> None:
        """Block until a matching request is waiting in the proxy."""
        if not self.arrived.wait(timeout):
            raise TimeoutError(f"no {self.operation.name} request reached the proxy within {timeout:.0f}s")

    def release(self) -> None:
        """Let held (and later) requests through to moto."""
        self.released.set()

    def abandon(self) -> None:
        """Drop the requests waiting now (moto never sees them); later ones go through."""
        self.abandoned = True
        self.released.set()


@dataclass
class _Failure:
    operation: Operation
    kind: str
    #: Requests left to fail; None fails them all until cleared.
    remaining: int | None


class _Rules:
    """What to do with each request; shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holds: list[Hold] = []
        self.failures: list[_Failure] = []
        self.seen: list[str] = []

    def hold_for(self, method: str, path: str, headers: dict[str, str]) -> Hold | None:
        with self.lock:
            return next((h for h in self.holds if h.operation.matches(method, path, headers)), None)

    def failure_for(self, method: str, path: str, headers: dict[str, str]) -> str | None:
        with self.lock:
            for failure in self.failures:
                if failure.operation.matches(method, path, headers) and failure.remaining != 0:
                    if failure.remaining is not None:
                        failure.remaining -= 1
                    self.seen.append(f"failed {failure.operation.name}")
                    return failure.kind
        return None


class AwsProxy:
    """The proxy, on a free loopback port, forwarding to ``upstream`` (moto's endpoint URL)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._rules = _Rules()
        self._server = _ProxyServer(self._rules, urlsplit(upstream).netloc)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint_url(self) -> str:
        """The value for the bot's ``AWS_ENDPOINT_URL``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def hold(self, operation: Operation) -> Hold:
        """Hold every request of ``operation`` until the returned hold is released."""
        held = Hold(operation)
        with self._rules.lock:
            self._rules.holds.append(held)
        return held

    def fail(self, operation: Operation, kind: str = "500", *, times: int | None = 1) -> None:
        """Answer the next ``times`` requests of ``operation`` (all, with None) with a 500 or a dropped connection."""
        if kind not in {"500", "drop"}:
            raise ValueError(f"unknown failure {kind!r}: use '500' or 'drop'")
        with self._rules.lock:
            self._rules.failures.append(_Failure(operation, kind, times))

    def clear(self) -> None:
        """Release every hold and forget every failure."""
        with self._rules.lock:
            holds, self._rules.holds, self._rules.failures = self._rules.holds, [], []
        for held in holds:
            held.release()

    def failed(self, operation: Operation) -> int:
        """How many requests of ``operation`` were failed on purpose."""
        with self._rules.lock:
            return self._rules.seen.count(f"failed {operation.name}")

    def start(self) -> AwsProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.clear()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def aws_proxy(upstream: str) -> Iterator[AwsProxy]:
    """Run a proxy in front of ``upstream`` for the duration."""
    proxy = AwsProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, rules: _Rules, upstream: str) -> None:
        self.rules = rules
        self.upstream = upstream
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, applies the rules, forwards it to moto and relays the answer."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._proxy()

    def do_POST(self) -> None:
        self._proxy()

    def do_PUT(self) -> None:
        self._proxy()

    def do_DELETE(self) -> None:
        self._proxy()

    def do_HEAD(self) -> None:
        self._proxy()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what they need from the proxy's API."""

    def _proxy(self) -> None:
        server = cast(_ProxyServer, self.server)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        path = urlsplit(self.path).path
        held = server.rules.hold_for(self.command, path, headers)
        if held is not None and not held.released.is_set():
            held.arrived.set()
            held.released.wait()
            if held.abandoned:
                self.close_connection = True
                return
        failure = server.rules.failure_for(self.command, path, headers)
        if failure == "drop":
            self.close_connection = True
            return
        if failure == "500":
            self._answer(500, *_server_error(headers))
            return
        status, reply_headers, reply = _forward(server.upstream, self.command, self.path, headers, body)
        # The caller may have gone away while the request was held; moto has acted on it all the same.
        with contextlib.suppress(OSError):
            self._answer(status, reply_headers, reply)

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _forward(
    upstream: str, method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection(upstream, timeout=60)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        reply = response.read()
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS]
        return response.status, kept, reply
    finally:
        connection.close()


def _server_error(headers: dict[str, str]) -> tuple[list[tuple[str, str]], bytes]:
    """An internal error as the service's protocol spells it (XML for S3, JSON otherwise)."""
    scope = _SCOPE.search(headers.get("authorization", ""))
    if scope is not None and scope.group(1) == "s3":
        xml = b"<Error><Code>InternalError</Code><Message>Injected failure</Message></Error>"
        return [("Content-Type", "application/xml")], xml
    error = json.dumps({"message": "Injected failure"}).encode()
    return [("Content-Type", "application/json"), ("x-amzn-ErrorType", "InternalServerException")], error
