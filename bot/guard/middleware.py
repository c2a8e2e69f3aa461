"""``RequestGuard``: the WSGI application in front of Bolt at ``/slack/events``.

In order, and answering at the first failure without going further:

1. signature headers present, well-formed and fresh, else 401 (before a byte of the body is read);
2. a declared length within ``MAX_BODY_BYTES``, else 400 or 413, and never more than that is read;
3. the HMAC of the raw bytes, compared in constant time, else 401;
4. one of Slack's shapes by content type and fields, else 400;
5. not already acted on (replay marker in Redis), else a quiet 200 (when Redis does not answer, the
   verified request goes on without this check, so the person gets the storage apology);
6. Bolt, given the parsed fields as a JSON object, so its own parsing cannot route by a word in a value.

Nothing before step 6 makes an outbound call, and every refusal is one log line without the body.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot.guard.body import MAX_BODY_BYTES, MalformedBody, SlackBody, content_length, parse
from bot.guard.signature import Refusal, SignedHeaders, check_headers, verify
from workflows.exceptions import StorageUnavailable
from workflows.ports import RequestLog

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

#: Set in the Bolt context of every request the guard let through; the error handler answers only those.
VERIFIED = "finetune_request_verified"
#: Slack's retry headers, passed on to Bolt (ASCII only); nothing else from the request's headers is.
_FORWARDED = {"HTTP_X_SLACK_RETRY_NUM": "X-Slack-Retry-Num", "HTTP_X_SLACK_RETRY_REASON": "X-Slack-Retry-Reason"}


class RequestGuard:
    """Admits only verified, well-formed, first-time requests to the Bolt app."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        requests: RequestLog,
        clock: Callable[[], float] = time.time,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._app = app
        self._secret = signing_secret.encode("utf-8")
        self._requests = requests
        self._clock = clock
        self._max_body_bytes = max_body_bytes

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = self._respond(environ)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _respond(self, environ: WSGIEnvironment) -> WsgiHttpResponse:
        if environ.get("REQUEST_METHOD") != "POST":
            return _plain(405, "method not allowed")
        admitted = self._admit(environ)
        if isinstance(admitted, WsgiHttpResponse):
            return admitted
        signed, body = admitted
        try:
            first = self._requests.claim(signed.timestamp, signed.signature)
        except StorageUnavailable:
            # Fail open: the request is verified and fresh, and the listeners answer it with the storage
            # apology; refusing it would leave the person with Slack's error instead.
            logger.info("Handled a signed %s request without the replay check: Redis does not answer", body.kind)
            return self._dispatch(signed, body, environ, claimed=False)
        if not first:
            logger.info("Dropped a replay of a signed %s request that was already acted on", body.kind)
            return WsgiHttpResponse(200)
        return self._dispatch(signed, body, environ, claimed=True)

    def _admit(self, environ: WSGIEnvironment) -> tuple[SignedHeaders, SlackBody] | WsgiHttpResponse:
        """Steps 1 to 4: the signed headers and the parsed body, or the refusal to send."""
        signed = check_headers(
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE"), now=self._clock()
        )
        if isinstance(signed, Refusal):
            return _refuse(401, f"unsigned request refused: {signed}")
        length = content_length(environ.get("CONTENT_LENGTH"))
        if length is None:
            return _refuse(400, "request refused: no valid Content-Length")
        if length > self._max_body_bytes:
            return _refuse(413, f"request refused: {length:,} bytes is over the {self._max_body_bytes:,}-byte cap")
        raw = _read(environ["wsgi.input"], length)
        if len(raw) != length:
            return _refuse(400, "request refused: the body is shorter than its Content-Length")
        if not verify(self._secret, signed, raw):
            return _refuse(401, f"unsigned request refused: {Refusal.FORGED}")
        try:
            body = parse(str(environ.get("CONTENT_TYPE") or ""), raw)
        except MalformedBody as exc:
            return _refuse(400, f"signed request refused: {exc}")
        return signed, body

    def _dispatch(
        self, signed: SignedHeaders, body: SlackBody, environ: WSGIEnvironment, *, claimed: bool
    ) -> WsgiHttpResponse:
        """Step 6; the replay marker is given back when the request failed, so Slack's retry can act."""
        request = BoltRequest(
            body=body.as_json,
            headers=_forwarded_headers(environ),
            context={VERIFIED: True},
        )
        try:
            # In a context of its own, so the workspace it acts for (``bot.listeners.acting``) ends with it.
            response: BoltResponse = contextvars.copy_context().run(self._app.dispatch, request)
        except Exception:
            logger.exception("Bolt failed on a verified %s request", body.kind)
            response = BoltResponse(status=500, body="")
        if response.status >= 500 and claimed:
            try:
                self._requests.release(signed.timestamp, signed.signature)
            except StorageUnavailable:
                logger.info("Could not forget the replay marker of a failed request: Redis does not answer")
        return WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)


def _read(stream: IO[bytes], length: int) -> bytes:
    """Exactly ``length`` bytes at most, in a loop because a WSGI input may return fewer per call."""
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _forwarded_headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    """What Bolt is told besides the body: its JSON content type and Slack's retry headers."""
    headers: dict[str, str | Sequence[str]] = {"Content-Type": "application/json"}
    for key, name in _FORWARDED.items():
        value = environ.get(key)
        if isinstance(value, str) and value.isascii() and value.isprintable() and len(value) <= 64:
            headers[name] = value
    return headers


def _refuse(status: int, reason: str) -> WsgiHttpResponse:
    logger.info("HTTP %d: %s", status, reason)
    return _plain(status, {401: "invalid request", 400: "bad request", 413: "payload too large"}[status])


def _plain(status: int, text: str) -> WsgiHttpResponse:
    return WsgiHttpResponse(status, {"Content-Type": ["text/plain; charset=utf-8"]}, text + "\n")
