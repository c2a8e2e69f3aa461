"""``RequestGuard`` as a WSGI application, in process: what reaches Bolt, what is read, what is remembered.

Bolt is replaced by a recorder of what it would be given (the seam under test is the guard), and the
request body by a stream that counts every byte the guard reads from it.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse

from bot.guard.body import MAX_BODY_BYTES
from bot.guard.middleware import VERIFIED, RequestGuard
from bot.listeners.last_resort import is_verified
from bot.sandbox.signing import signed_headers
from tests.fakes.replay import MemoryRequestLog

SECRET = "test-signing-secret"
NOW = 1_800_000_000.0
COMMAND = urllib.parse.urlencode(
    {"team_id": "T1", "channel_id": "C1", "user_id": "U1", "command": "/finetune", "text": "payload please"}
).encode()


class CountingInput(io.BytesIO):
    """A request body that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@dataclass
class RecordingBolt:
    """Stands in for ``App.dispatch``: records each request and answers ``status``."""

    status: int = 200
    error: Exception | None = None
    requests: list[BoltRequest] = field(default_factory=list)

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return BoltResponse(status=self.status, body={"text": "ok"} if self.status == 200 else "")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Harness:
    def __init__(self, *, status: int = 200) -> None:
        self.bolt = RecordingBolt(status=status)
        self.log = MemoryRequestLog()
        self.guard = RequestGuard(self.bolt, signing_secret=SECRET, requests=self.log, clock=lambda: NOW)  # type: ignore[arg-type]
        self.last_input = CountingInput(b"")

    def post(
        self,
        body: bytes,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        length: str | None = "auto",
        method: str = "POST",
    ) -> Answer:
        self.last_input = CountingInput(body)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/slack/events",
            "CONTENT_TYPE": content_type,
            "wsgi.input": self.last_input,
        }
        if length is not None:
            environ["CONTENT_LENGTH"] = str(len(body)) if length == "auto" else length
        signed = signed_headers(SECRET, body, "valid", NOW) if headers is None else headers
        for name, value in signed.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        started: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"], started["headers"] = status, dict(response_headers)

        chunks = b"".join(self.guard(environ, start_response))  # type: ignore[arg-type]
        return Answer(int(started["status"].split()[0]), started["headers"], chunks)


class TestBeforeTheBody:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=" + "a" * 64},
            {"X-Slack-Request-Timestamp": str(int(NOW)), "X-Slack-Signature": "v0=" + "ä" * 64},
            {"X-Slack-Request-Timestamp": str(int(NOW) - 301), "X-Slack-Signature": "v0=" + "a" * 64},
        ],
    )
    def test_unsigned_malformed_or_stale_headers_get_401_without_reading_the_body(
        self, headers: dict[str, str]
    ) -> None:
        harness = Harness()
        answer = harness.post(COMMAND, headers=headers)
        assert answer.status == 401
        assert harness.last_input.bytes_read == 0
        assert harness.bolt.requests == []

    def test_a_declared_length_over_the_cap_gets_413_without_reading(self) -> None:
        harness = Harness()
        body = b"k=v&" * (MAX_BODY_BYTES // 4 + 1)
        answer = harness.post(body)
        assert answer.status == 413
        assert harness.last_input.bytes_read == 0
        assert harness.bolt.requests == []

    @pytest.mark.parametrize("length", [None, "", "abc", "-5", "1e3"])
    def test_a_missing_or_invalid_length_gets_400_without_reading(self, length: str | None) -> None:
        harness = Harness()
        assert harness.post(COMMAND, length=length).status == 400
        assert harness.last_input.bytes_read == 0

    def test_no_more_than_the_declared_length_is_read(self) -> None:
        harness = Harness()
        declared = len(COMMAND)
        answer = harness.post(COMMAND + b"&extra=" + b"x" * 10_000, length=str(declared))
        assert harness.last_input.bytes_read == declared
        assert answer.status == 401  # what was signed is the whole body, not the declared part

    def test_a_body_shorter_than_declared_gets_400(self) -> None:
        harness = Harness()
        assert harness.post(COMMAND, length=str(len(COMMAND) + 10)).status == 400

    def test_only_post_is_answered(self) -> None:
        harness = Harness()
        assert harness.post(COMMAND, method="GET").status == 405
        assert harness.bolt.requests == []


class TestAfterTheSignature:
    def test_a_forged_signature_gets_401_and_bolt_sees_nothing(self) -> None:
        harness = Harness()
        forged = signed_headers(SECRET, COMMAND, "wrong", NOW)
        assert harness.post(COMMAND, headers=forged).status == 401
        assert harness.bolt.requests == []
        assert harness.log.claimed == set()

    @pytest.mark.parametrize(
        ("content_type", "body"),
        [
            ("application/x-www-form-urlencoded", b"command=%2Ffinetune&text=\xff"),
            ("application/x-www-form-urlencoded", b"payload=%7Bbroken"),
            ("application/x-www-form-urlencoded", b"payload=%5B%5D"),
            ("application/json", b"[]"),
            ("text/html", b"<html>"),
        ],
    )
    def test_a_signed_malformed_body_gets_400_and_bolt_sees_nothing(self, content_type: str, body: bytes) -> None:
        harness = Harness()
        assert harness.post(body, content_type=content_type).status == 400
        assert harness.bolt.requests == []
        assert harness.log.claimed == set()

    def test_bolt_is_given_the_parsed_fields_as_json_and_the_verified_mark(self) -> None:
        harness = Harness()
        answer = harness.post(
            COMMAND, headers=signed_headers(SECRET, COMMAND, "valid", NOW) | {"X-Slack-Retry-Num": "1"}
        )
        assert answer.status == 200
        (request,) = harness.bolt.requests
        assert request.body["command"] == "/finetune"
        assert request.body["text"] == "payload please"
        assert json.loads(request.raw_body) == request.body
        assert request.context[VERIFIED] is True
        assert request.headers["x-slack-retry-num"] == ["1"]

    def test_bolts_internal_headers_from_outside_are_not_passed_on(self) -> None:
        harness = Harness()
        sneaky = signed_headers(SECRET, COMMAND, "valid", NOW) | {"X-Slack-Bolt-Lazy-Only": "1"}
        harness.post(COMMAND, headers=sneaky)
        (request,) = harness.bolt.requests
        assert request.lazy_only is False
        assert "x-slack-bolt-lazy-only" not in request.headers


class TestReplay:
    def test_the_same_signed_request_acts_once_and_the_replay_gets_a_quiet_200(self) -> None:
        harness = Harness()
        headers = signed_headers(SECRET, COMMAND, "valid", NOW)
        assert harness.post(COMMAND, headers=headers).status == 200
        replay = harness.post(COMMAND, headers=headers)
        assert (replay.status, replay.body) == (200, b"")
        assert len(harness.bolt.requests) == 1

    def test_the_same_body_signed_again_later_is_not_a_replay(self) -> None:
        harness = Harness()
        harness.post(COMMAND, headers=signed_headers(SECRET, COMMAND, "valid", NOW))
        harness.post(COMMAND, headers=signed_headers(SECRET, COMMAND, "valid", NOW - 1))
        assert len(harness.bolt.requests) == 2

    @pytest.mark.parametrize("failure", ["status", "exception"])
    def test_a_request_that_failed_can_be_sent_again(self, failure: str) -> None:
        harness = Harness(status=500 if failure == "status" else 200)
        if failure == "exception":
            harness.bolt.error = RuntimeError("listener blew up")
        headers = signed_headers(SECRET, COMMAND, "valid", NOW)
        assert harness.post(COMMAND, headers=headers).status == 500
        harness.bolt.status, harness.bolt.error = 200, None
        assert harness.post(COMMAND, headers=headers).status == 200
        assert len(harness.bolt.requests) == 2

    def test_when_the_replay_log_is_down_a_verified_request_still_gets_its_answer(self) -> None:
        """Fail open: the listeners tell the person the storage is down, rather than Slack showing an error."""
        harness = Harness()
        harness.log.down = True
        assert harness.post(COMMAND).status == 200
        assert len(harness.bolt.requests) == 1

    def test_when_the_replay_log_is_down_a_failure_is_still_answered(self) -> None:
        harness = Harness(status=500)
        harness.log.down = True
        assert harness.post(COMMAND).status == 500

    def test_a_failed_request_whose_marker_cannot_be_forgotten_is_still_answered(self) -> None:
        harness = Harness(status=500)
        harness.log.down_for_release = True
        assert harness.post(COMMAND).status == 500
        assert len(harness.log.claimed) == 1


class TestErrorHandler:
    """The global error handler may answer (through ``response_url``) only what the guard verified."""

    @pytest.mark.parametrize(
        ("request_", "answered"),
        [
            (BoltRequest(body="{}", headers={"Content-Type": "application/json"}), False),
            (BoltRequest(body="{}", headers={"Content-Type": "application/json"}, context={VERIFIED: True}), True),
            (BoltRequest(body={}, mode="socket_mode"), True),
        ],
        ids=["http-unverified", "http-verified", "socket-mode"],
    )
    def test_only_verified_requests_are_answered(self, request_: BoltRequest, answered: bool) -> None:
        assert is_verified(request_) is answered
