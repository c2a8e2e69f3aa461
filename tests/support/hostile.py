"""A hostile HTTP server on loopback that records every request it receives (headers and body).

Used as a ``response_url``, a file host or a redirect target: a test then asserts it saw nothing, or
nothing carrying the bot's token. It answers every request with ``answer`` (200 and a line of JSONL
by default), or with a redirect to ``redirect_to`` when that is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: What the hostile host serves: a valid training line whose text must never reach Slack.
SECRET_LINE = b'{"prompt": "HOSTILE-SECRET-CONTENT", "completion": "leaked"}\n'


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileServer:
    """Where it listens, what it answers, and everything it was sent."""

    base_url: str = ""
    redirect_to: str | None = None
    answer: bytes = SECRET_LINE
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def saw_token(self, token: str) -> bool:
        """True when any request carried ``token`` anywhere in its headers or body."""
        return any(
            token in " ".join(r.headers.values()) or token.encode() in r.body or token in r.path
            for r in self.requests()
        )


@contextmanager
def hostile_server(*, redirect_to: str | None = None) -> Iterator[HostileServer]:
    """Run a recording server on a free loopback port for the duration."""
    state = HostileServer(redirect_to=redirect_to)

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1 << 20)) if length else b""
            state.record(Received(self.command, self.path, dict(self.headers.items()), body))
            if state.redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        do_GET = do_POST = do_HEAD = do_PUT = _serve

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
