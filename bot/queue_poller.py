"""The event intake's thread: long-polls the job event queue while ``serve`` runs, started and stopped with it.

Each poll waits a second at most (``WAIT_SECONDS``), and stopping waits for the poll in flight rather than
cutting it short (messages SQS hands a cut-off receive stay hidden for the visibility timeout), so
stopping takes about a second: a batch received as the bot stops is handled first, and what it cannot
finish stays on the queue for another replica. When the
queue or Redis does not answer, the failure is logged once as it begins and once as it ends, and the
thread waits longer between tries (up to a minute) instead of spinning. While the bot's storage
(Redis) does not answer, nothing is taken from the queue: a message taken then could not be handled,
and each such delivery would bring it closer to the dead-letter queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Seconds between tries after a failed poll: doubling from the first to the last.
FIRST_BACKOFF_SECONDS = 1.0
LAST_BACKOFF_SECONDS = 60.0
#: How long ``stop`` waits for a poll in flight beyond its own wait.
STOP_MARGIN_SECONDS = 5.0
#: Seconds between asks while the storage is down (it logs the outage itself).
STORAGE_RETRY_SECONDS = 1.0


class QueuePoller:
    """Calls ``poll`` in a loop on a background thread until stopped, while ``storage_up`` says the store answers."""

    def __init__(
        self, poll: Callable[[], object], *, wait_seconds: float, storage_up: Callable[[], bool] = lambda: True
    ) -> None:
        self._poll = poll
        self._wait_seconds = wait_seconds
        self._storage_up = storage_up
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start polling now."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="job-event-intake", daemon=True)
        self._thread.start()
        logger.info("Listening for job events on the queue")

    def stop(self) -> None:
        """Ask the loop to end and wait for the poll in flight to return."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(timeout=self._wait_seconds + STOP_MARGIN_SECONDS)
        if thread.is_alive():
            logger.warning("The job event intake did not stop in time; its last poll ends by itself")
        else:
            logger.info("Stopped listening for job events")

    def _run(self) -> None:
        backoff = 0.0
        while not self._stopping.is_set():
            if not self._storage_up():
                self._stopping.wait(STORAGE_RETRY_SECONDS)
                continue
            try:
                self._poll()
            except Exception as exc:
                if backoff == 0.0:
                    logger.warning(
                        "The job event queue cannot be read: %s; retrying, the reconciler covers meanwhile", exc
                    )
                backoff = min(LAST_BACKOFF_SECONDS, max(FIRST_BACKOFF_SECONDS, backoff * 2))
                self._stopping.wait(backoff)
                continue
            if backoff:
                logger.info("The job event queue answers again")
                backoff = 0.0
