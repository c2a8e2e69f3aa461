"""The Slack Web API client at ``SLACK_API_URL``, riding out rate limits, 5xx answers and dropped connections."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

#: How many 429s in a row one call waits out (each wait is the server's Retry-After).
RATE_LIMIT_RETRIES = 5
#: How many times a call is retried after a connection error.
CONNECTION_RETRIES = 3
#: How many times a call is retried after Slack answered 500 or 503 (with a short backoff); what
#: still fails is re-driven later from the conversation's outbox.
SERVER_ERROR_RETRIES = 2
#: Seconds before a single Web API call gives up.
TIMEOUT_SECONDS = 30


def build_web_client(*, token: str | None, base_url: str) -> WebClient:
    """A WebClient whose retries follow Slack's ``Retry-After`` and survive 5xx answers and connection resets.

    Without a token it is Bolt's: Bolt gives each request's copy the token it authorized.
    """
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )
