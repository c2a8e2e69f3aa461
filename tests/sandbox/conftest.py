"""Fixtures: a running emulator, a client pointed at it, and a stub bot that checks Slack signatures."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator

SIGNING_SECRET = "sandbox-signing-secret"


@dataclass(frozen=True)
class Received:
    """One request the stub bot received."""

    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    def form(self) -> dict[str, str]:
        """The form fields of a form-encoded body."""
        return {key: values[0] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def payload(self) -> dict[str, Any]:
        """The JSON inside an interaction's ``payload`` field."""
        decoded: dict[str, Any] = json.loads(self.form()["payload"])
        return decoded

    def envelope(self) -> dict[str, Any]:
        """The JSON body of an Events API delivery."""
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


Responder = Callable[[Received], tuple[int, str, str]]


@dataclass
class StubBot:
    """A bot stand-in: verifies signatures like Bolt (401 when bad), records, answers via ``responder``."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    responder: Responder = field(default=lambda _: (200, "text/plain", ""))


@pytest.fixture(name="emulator")
def _emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(name="client")
def _client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.workspace.bot_token, base_url=emulator.api_url)


@pytest.fixture(name="bot")
def _bot() -> Iterator[StubBot]:
    stub = StubBot()
    verifier = SignatureVerifier(SIGNING_SECRET)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            received = Received(headers, body, verifier.is_valid_request(body, headers))
            stub.received.append(received)
            status, content_type, text = (
                (401, "text/plain", "") if not received.signature_ok else stub.responder(received)
            )
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield stub
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(name="driver")
def _driver(bot: StubBot, emulator: SlackEmulator) -> SlackDriver:
    return SlackDriver(bot.url, SIGNING_SECRET, emulator)
