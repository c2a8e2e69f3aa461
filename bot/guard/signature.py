"""Slack's v0 request signature, checked on the raw bytes in constant time; any malformed header fails."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

#: Slack signs each request when it sends it; one older or newer than this is refused (replay window).
WINDOW_SECONDS = 5 * 60
#: ``X-Slack-Request-Timestamp``: Unix seconds, ASCII digits only.
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
#: ``X-Slack-Signature``: ``v0=`` and a hex HMAC-SHA256, ASCII only.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)


class Refusal(StrEnum):
    """Why a request is not Slack's; each is answered 401 and logged as one line."""

    #: A signature header is absent.
    MISSING = "missing signature headers"
    #: A header is present but not of the form Slack sends (non-numeric, non-ASCII, wrong length).
    MALFORMED = "malformed signature headers"
    #: Signed too long ago or too far in the future.
    STALE = "timestamp outside the 5-minute window"
    #: The HMAC does not match the body.
    FORGED = "signature does not match"


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """Well-formed, fresh signature headers: what the body is then checked against."""

    timestamp: str
    signature: str


def check_headers(timestamp: str | None, signature: str | None, *, now: float) -> SignedHeaders | Refusal:
    """Everything that can be checked before reading the body: presence, shape and freshness."""
    if not timestamp or not signature:
        return Refusal.MISSING
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return Refusal.MALFORMED
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return Refusal.STALE
    return SignedHeaders(timestamp, signature)


def expected_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` keyed with the signing secret."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()


def verify(secret: bytes, headers: SignedHeaders, body: bytes) -> bool:
    """True when ``body`` is what Slack signed; the comparison takes the same time wherever it differs."""
    expected = expected_signature(secret, headers.timestamp, body)
    return hmac.compare_digest(expected.encode("ascii"), headers.signature.encode("ascii"))
