"""Retrying AWS calls that failed for transient reasons, with exponential backoff and full jitter."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from workflows.errors import ServiceBusy

T = TypeVar("T")

#: Error codes that mean "not now" rather than "no": throttling and service-side trouble.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalServerException",
        "InternalFailure",
    }
)


def is_transient(error: ClientError) -> bool:
    """True for throttling and 5xx answers, which a later attempt may not get."""
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in RETRYABLE_CODES or status == 429 or status >= 500


@dataclass
class Retrier:
    """Runs calls with a bounded number of attempts, counting every attempt per operation.

    The counter is what the monitoring benchmark reads as "AWS calls per tick".
    """

    #: Attempts per call, the first included.
    attempts: int = 4
    #: Backoff ceiling of the first retry, in seconds; it doubles each retry up to ``max_delay``.
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: Injected so tests do not wait.
    sleep: Callable[[float], None] = time.sleep
    calls: Counter[str] = field(default_factory=Counter)
    service: str = "AWS"

    def call(self, operation: str, function: Callable[[], T]) -> T:
        """``function()``, retried while AWS is throttling or unavailable; then ``ServiceBusy``.

        Non-transient ``ClientError``s are raised unchanged for the caller to translate.
        """
        failure: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            self.calls[operation] += 1
            try:
                return function()
            except ClientError as error:
                if not is_transient(error):
                    raise
                failure = error
            except (BotocoreConnectionError, HTTPClientError) as error:
                failure = error
            if attempt < self.attempts:
                self.sleep(self.delay(attempt))
        raise ServiceBusy(
            f"{self.service} is busy or unreachable and did not answer after {self.attempts} attempts; "
            "please try again in a few minutes."
        ) from failure

    def delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to an exponentially growing ceiling spreads replicas apart."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)
