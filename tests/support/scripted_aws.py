"""A local HTTP endpoint that answers AWS requests from a script: throttling, 5xx, then a real answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One scripted HTTP answer in AWS's REST-JSON shape."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str) -> Answer:
    """An AWS error answer: the code in ``x-amzn-ErrorType``, the message in the body."""
    return Answer(status, {"message": message}, {"x-amzn-ErrorType": code})


def ok(body: dict[str, Any]) -> Answer:
    return Answer(200, body)


class ScriptedAws:
    """Answers each request with the next scripted answer and records the paths asked for."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self.answers.extend(answers)

    def next_answer(self, path: str) -> Answer:
        with self._lock:
            self.requests.append(path)
            if not self.answers:
                return error(500, "InternalServerException", "the test scripted no answer for this request")
            return self.answers.pop(0)


@contextmanager
def scripted_aws() -> Iterator[tuple[ScriptedAws, str]]:
    """The script and the endpoint URL it answers on, for the length of the block."""
    script = ScriptedAws()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            answer = script.next_answer(self.path)
            payload = json.dumps(answer.body, default=str).encode()
            self.send_response(answer.status)
            for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield script, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
