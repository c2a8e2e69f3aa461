"""The scheduler lease: exactly one replica runs the scheduled monitoring, and another takes over if it dies."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from workflows import keys
from workflows.jobs.job_ports import Leases

logger = logging.getLogger(__name__)

#: The lease outlives this many poll intervals without renewal, then another replica may take it.
TTL_POLLS = 3
#: Never shorter than this, so a slow Redis round trip cannot make a healthy holder lose it.
MIN_TTL_SECONDS = 3.0


def lease_ttl(poll_seconds: float) -> float:
    """A few poll intervals: short enough for a quick takeover, long enough to survive a slow tick."""
    return max(MIN_TTL_SECONDS, TTL_POLLS * poll_seconds)


class SchedulerLease:
    """Held by at most one replica at a time (``SET NX PX`` with a token); renewed on every tick."""

    def __init__(
        self,
        leases: Leases,
        *,
        ttl_seconds: float,
        name: str = keys.SCHEDULER_LEASE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._leases = leases
        self._ttl = ttl_seconds
        self._name = name
        self._clock = clock
        self._token: str | None = None
        self._renewed_at = 0.0

    @property
    def held(self) -> bool:
        return self._token is not None

    def hold(self) -> bool:
        """Renew the lease if this replica has it, else try to take it; True while it is held."""
        if self._token is not None and self._renew():
            return True
        token = self._leases.acquire(self._name, ttl_seconds=self._ttl)
        if token is not None:
            logger.info("This replica now runs job monitoring (took the scheduler lease)")
            self._token, self._renewed_at = token, self._clock()
        return token is not None

    def keep(self) -> bool:
        """During a long tick: renew once a third of the TTL has passed; False when the lease was lost."""
        if self._token is None:
            return False
        if self._clock() - self._renewed_at < self._ttl / 3:
            return True
        return self._renew()

    def release(self) -> None:
        """Give the lease up (at shutdown) so another replica takes over without waiting for the TTL."""
        if self._token is not None:
            self._leases.release(self._name, self._token)
            self._token = None
            logger.info("Released the scheduler lease")

    def _renew(self) -> bool:
        assert self._token is not None
        if self._leases.renew(self._name, self._token, self._ttl):
            self._renewed_at = self._clock()
            return True
        logger.warning("Lost the scheduler lease; another replica runs job monitoring now")
        self._token = None
        return False
