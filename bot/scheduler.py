"""The monitoring clock: APScheduler's ``BackgroundScheduler`` calling one interval job, started with ``serve``.

APScheduler keeps no state here (in-memory job store, one job); Redis holds the truth, and the
lease inside the tick decides which replica does the work. While Redis does not answer the tick
is skipped: the outage is logged once as it begins and once as it ends, not a traceback a tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

logger = logging.getLogger(__name__)

#: The one scheduled job's id.
TICK_JOB_ID = "job-status-tick"


class MonitorScheduler:
    """Calls ``tick`` every ``seconds`` (first at start) on a background thread, one run at a time.

    ``storage_up`` is asked before each tick and after a failed one; it logs the outage itself.
    """

    def __init__(
        self,
        tick: Callable[[], object],
        *,
        seconds: float,
        on_stop: Callable[[], None],
        storage_up: Callable[[], bool],
    ) -> None:
        self._tick = tick
        self._seconds = seconds
        self._on_stop = on_stop
        self._storage_up = storage_up
        self._scheduler = BackgroundScheduler(timezone=UTC)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Start ticking now; a tick still running when the next is due makes that one wait (coalesced)."""
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=self._seconds,
            id=TICK_JOB_ID,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self._seconds)),
            replace_existing=True,
        )
        self._scheduler.start()
        logger.info("Job monitoring scheduled every %ss", self._seconds)

    def stop(self) -> None:
        """Stop the clock without waiting for a running tick, then hand over (release the lease)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        try:
            self._on_stop()
        except Exception as exc:
            logger.warning("Could not hand over job monitoring (%s); the lease expires by itself", exc)

    def _run(self) -> None:
        """One tick while the store answers; a failure is logged and the next tick runs as usual."""
        if not self._storage_up():
            return
        try:
            self._tick()
        except Exception:
            if self._storage_up():
                logger.exception("The job status tick failed")
