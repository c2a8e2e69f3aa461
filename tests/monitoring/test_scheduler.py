"""The monitoring clock: ticks at start and on its interval, survives a failing tick, hands over on stop."""

from __future__ import annotations

import threading

from bot.scheduler import MonitorScheduler
from tests.support.net import wait_until


def test_the_clock_ticks_at_once_and_keeps_ticking_after_a_failure() -> None:
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("Redis went away for a moment")

    stopped = threading.Event()
    scheduler = MonitorScheduler(tick, seconds=0.1, on_stop=stopped.set)
    scheduler.start()
    try:
        wait_until(lambda: len(ticks) >= 3, timeout=5, what="three ticks")
    finally:
        scheduler.stop()

    assert stopped.is_set()
    assert not scheduler.running


def test_stopping_hands_over_even_when_the_handover_fails() -> None:
    def refuse() -> None:
        raise ConnectionError("Redis is down")

    scheduler = MonitorScheduler(lambda: None, seconds=60, on_stop=refuse)
    scheduler.start()

    scheduler.stop()

    assert not scheduler.running
