"""How the driver reaches the bot: signed POSTs to ``/slack/events`` and the answers that come back."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from bot.sandbox.records import JSON
from bot.sandbox.signing import SigningMode, signed_headers

#: The User-Agent Slack's servers send.
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass(frozen=True)
class SentRequest:
    """A request exactly as sent (before signing), kept so it can be delivered again."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class DriverResponse:
    """The bot's HTTP answer; ``json`` is the parsed body when it is a JSON object."""

    status: int
    headers: dict[str, str]
    body: str
    json: JSON | None
    request: SentRequest

    @property
    def ok(self) -> bool:
        """Whether the bot acknowledged with a 2xx."""
        return 200 <= self.status < 300


class BotTransport:
    """POSTs signed requests to one bot URL, bypassing any proxy (the bot is on loopback)."""

    def __init__(self, bot_url: str, signing_secret: str, timeout: float) -> None:
        self.bot_url = bot_url
        self.last_request: SentRequest | None = None
        #: When the last request was signed (Unix seconds), so a retry can be signed later, as Slack's are.
        self.last_signed_at = 0.0
        self._secret = signing_secret
        self._timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(
        self,
        body: bytes,
        content_type: str,
        signing: SigningMode = "valid",
        extra_headers: dict[str, str] | None = None,
        *,
        now: float | None = None,
    ) -> DriverResponse:
        """POST ``body`` and read the answer; error statuses are answers too, not exceptions.

        ``now`` dates the signature (default: the current time).
        """
        request = SentRequest(body, content_type)
        self.last_request = request
        self.last_signed_at = time.time() if now is None else now
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        headers |= signed_headers(self._secret, body, signing, self.last_signed_at) | (extra_headers or {})
        http_request = urllib.request.Request(self.bot_url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(http_request, timeout=self._timeout) as answer:
                status, answer_headers, raw = answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, raw = error.code, dict(error.headers.items()), error.read()
            error.close()
        return _response(status, answer_headers, raw, request)


def _response(status: int, headers: dict[str, str], raw: bytes, request: SentRequest) -> DriverResponse:
    """Wrap the bot's answer, parsing a JSON object body."""
    text = raw.decode("utf-8", errors="replace")
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    parsed: JSON | None = None
    if "json" in content_type.lower() or text.lstrip().startswith("{"):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        parsed = decoded if isinstance(decoded, dict) else None
    return DriverResponse(status=status, headers=headers, body=text, json=parsed, request=request)
