"""The monitoring clock: ticks at start and on its interval, survives a failing tick, hands over on stop."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.scheduler import MonitorScheduler
from tests.support.net import wait_until


def test_the_clock_ticks_at_once_and_keeps_ticking_after_a_failure() -> None:
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("Redis went away for a moment")

    stopped = threading.Event()
    scheduler = MonitorScheduler(tick, seconds=0.1, on_stop=stopped.set, storage_up=lambda: True)
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

    scheduler = MonitorScheduler(lambda: None, seconds=60, on_stop=refuse, storage_up=lambda: True)
    scheduler.start()

    scheduler.stop()

    assert not scheduler.running


def test_while_the_store_is_down_ticks_are_skipped_and_leave_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    store = {"up": False}
    looks: list[bool] = []
    ticks: list[int] = []

    def storage_up() -> bool:
        looks.append(store["up"])
        return store["up"]

    def tick() -> None:
        ticks.append(1)
        if len(ticks) == 1:
            store["up"] = False
            raise ConnectionError("Redis went away during the tick")

    scheduler = MonitorScheduler(tick, seconds=0.05, on_stop=lambda: None, storage_up=storage_up)
    with caplog.at_level(logging.INFO):
        scheduler.start()
        try:
            wait_until(lambda: len(looks) >= 3, timeout=5, what="three skipped ticks")
            assert ticks == []
            store["up"] = True
            wait_until(lambda: len(ticks) == 1 and not store["up"], timeout=5, what="a tick that meets the outage")
            store["up"] = True
            wait_until(lambda: len(ticks) >= 2, timeout=5, what="ticks once the store answers again")
        finally:
            scheduler.stop()
    assert not [record for record in caplog.records if record.exc_info]
