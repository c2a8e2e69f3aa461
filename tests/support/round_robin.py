"""A round-robin HTTP load balancer on loopback, in front of several ``finetune-bot serve`` replicas.

Each request goes to the next replica in turn, as a load balancer in front of a deployment would
send Slack's requests. A replica that refuses the connection (it is dead) is skipped for the next
one, as a balancer's health check would; a replica that dies while it has the request answers 502,
and Slack would deliver the request again. ``steer`` sets which replica the next request goes to,
so a test can put a click on the replica it is about to kill::

    with RoundRobin([bot.base_url for bot in bots]) as balancer:
        driver = SlackDriver(balancer.events_url, SECRET, emulator)
        balancer.steer(bots[1].base_url)     # the next request goes to bots[1], then bots[2], …
        balancer.served()                    # which replica answered each request, in order
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import cast
from urllib.parse import urlsplit

#: Headers not copied either way: the balancer sends whole bodies with their own length.
_HOP_HEADERS = {"transfer-encoding", "connection", "content-length", "keep-alive", "host"}


@dataclass(frozen=True)
class Served:
    """One request the balancer passed on: where it went and what came back (502 when the replica died on it)."""

    backend: str
    path: str
    status: int


class _Rotation:
    """The replicas in turn; shared by the handler threads."""

    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = [backend.rstrip("/") for backend in backends]
        self.lock = threading.Lock()
        self.next = 0
        self.log: list[Served] = []

    def order(self) -> list[str]:
        """Every replica, starting with the one whose turn it is (and moving the turn on by one)."""
        with self.lock:
            start = self.next
            self.next = (self.next + 1) % len(self.backends)
        return self.backends[start:] + self.backends[:start]

    def steer(self, backend: str) -> None:
        with self.lock:
            self.next = self.backends.index(backend.rstrip("/"))

    def record(self, served: Served) -> None:
        with self.lock:
            self.log.append(served)


class RoundRobin:
    """The balancer on a free loopback port, in front of ``backends`` (base URLs such as ``http://127.0.0.1:PORT``)."""

    def __init__(self, backends: Sequence[str]) -> None:
        if not backends:
            raise ValueError("a balancer needs at least one backend")
        self._rotation = _Rotation(backends)
        self._server = _BalancerServer(self._rotation)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def events_url(self) -> str:
        """Where Slack is told to send events, commands and clicks."""
        return f"{self.base_url}/slack/events"

    def steer(self, backend: str) -> None:
        """The next request goes to ``backend`` (if it answers), and the rotation goes on from there."""
        self._rotation.steer(backend)

    def served(self) -> list[Served]:
        """Every request passed on so far, in the order they were answered."""
        with self._rotation.lock:
            return list(self._rotation.log)

    def __enter__(self) -> RoundRobin:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _BalancerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, rotation: _Rotation) -> None:
        self.rotation = rotation
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, passes it to the first replica in turn that takes the connection, relays the answer."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._balance()

    def do_POST(self) -> None:
        self._balance()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read ``served()``."""

    def _balance(self) -> None:
        rotation = cast(_BalancerServer, self.server).rotation
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key: value for key, value in self.headers.items() if key.lower() not in _HOP_HEADERS}
        for backend in rotation.order():
            try:
                status, reply_headers, reply = _forward(backend, self.command, self.path, headers, body)
            except ConnectionRefusedError:
                continue
            except (OSError, http.client.HTTPException):
                rotation.record(Served(backend, self.path, 502))
                self._answer(502, [], b"the replica died while it had the request")
                return
            rotation.record(Served(backend, self.path, status))
            self._answer(status, reply_headers, reply)
            return
        self._answer(503, [], b"no replica answers")

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _forward(
    backend: str, method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection(urlsplit(backend).netloc, timeout=30)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        reply = response.read()
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS]
        return response.status, kept, reply
    finally:
        connection.close()
