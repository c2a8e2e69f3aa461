"""Slack's v0 request signature, and the deliberately broken variants security tests send."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal, TypeAlias

#: ``valid``: signed now; ``none``: no signature headers; ``wrong``: signed with another secret;
#: ``stale``: correctly signed but ten minutes old, outside Slack's five-minute replay window.
SigningMode: TypeAlias = Literal["valid", "none", "wrong", "stale"]

#: How far back a ``stale`` request is dated.
STALE_SECONDS = 600


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``, keyed with the signing secret."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, mode: SigningMode = "valid", now: float | None = None) -> dict[str, str]:
    """The ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` headers for ``body`` in ``mode``."""
    if mode == "none":
        return {}
    moment = time.time() if now is None else now
    timestamp = str(int(moment - STALE_SECONDS if mode == "stale" else moment))
    key = secret + "-forged" if mode == "wrong" else secret
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature(key, timestamp, body)}
