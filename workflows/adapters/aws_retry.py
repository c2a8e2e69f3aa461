"""botocore's standard retries for AWS calls: the retry config, a per-attempt call counter, and what is left after."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from workflows.aws_advice import TRANSIENT_CODES
from workflows.exceptions import ServiceBusy

if TYPE_CHECKING:
    from botocore.client import BaseClient

#: HTTP attempts per call, the first included; botocore's standard mode backs off between them with
#: full jitter (up to 1, 2, 4 s after throttling; a twentieth of that after a 5xx or a dropped connection).
ATTEMPTS = 4


def retry_config(attempts: int = ATTEMPTS) -> Config:
    """botocore's ``standard`` retry mode with ``attempts`` tries in all (not ``max_attempts``: that counts retries)."""
    return Config(retries={"mode": "standard", "total_max_attempts": attempts})


def is_transient(error: ClientError) -> bool:
    """True for throttling and 5xx answers, which a later attempt may not get."""
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in TRANSIENT_CODES or status == 429 or status >= 500


def busy_error(error: Exception, service: str) -> ServiceBusy | None:
    """The ``ServiceBusy`` that a call failing with ``error`` after botocore's retries means, if it is one.

    ``None`` for a definite answer (access denied, not found…), which the caller translates itself.
    """
    if isinstance(error, ClientError):
        if not is_transient(error):
            return None
        tries = int(error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
        after = f" after {tries} attempts" if tries > 1 else ""
    elif isinstance(error, BotocoreConnectionError | HTTPClientError):
        after = ""
    else:
        return None
    return ServiceBusy(
        f"{service} is busy or unreachable and did not answer{after}; please try again in a few minutes."
    )


class AttemptCounter:
    """Counts every HTTP attempt a client makes, retries included, by operation name.

    It listens to botocore's ``before-send`` event, which fires once per attempt; the monitoring
    benchmark reads these counts as "AWS calls per tick".
    """

    def __init__(self, client: BaseClient) -> None:
        self.calls: Counter[str] = Counter()
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-send.{service}", self._count)

    def _count(self, event_name: str, **_: Any) -> None:
        """Returns None: a ``before-send`` handler that returns something replaces the HTTP answer."""
        self.calls[event_name.rsplit(".", 1)[-1]] += 1
