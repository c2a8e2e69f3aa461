"""Whether the state store answers, remembered between looks: an outage is logged as it begins and as it ends."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Availability:
    """A probe that remembers its last answer; every change of answer is logged in one line.

    ``/healthz``, the listeners and the status tick all look through the same instance, so an
    outage leaves two lines in the log however many requests and ticks run into it.
    """

    def __init__(self, probe: Callable[[], bool], *, name: str = "Redis") -> None:
        self._probe = probe
        self._name = name
        self._up = True
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        """Probe now; True when the store answers."""
        up = self._probe()
        with self._lock:
            changed, self._up = up != self._up, up
        if changed and up:
            logger.info("%s available again; everything resumes", self._name)
        elif changed:
            logger.warning(
                "%s unavailable: requests get an apology and job monitoring waits until it answers", self._name
            )
        return up
