"""The intake's thread: polls until stopped, stops within a poll, backs off on failures, waits for the storage."""

from __future__ import annotations

import threading
import time

from bot.queue_poller import QueuePoller


class Polls:
    """A poll that takes ``seconds`` (a long poll), counting calls; it fails while ``failing``."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.count = 0
        self.failing = False
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.count += 1
        time.sleep(self.seconds)
        if self.failing:
            raise ConnectionError("the queue does not answer")


def test_it_polls_until_stopped_and_stops_within_one_poll() -> None:
    polls = Polls(seconds=0.2)
    poller = QueuePoller(polls, wait_seconds=0.2)

    poller.start()
    time.sleep(0.5)
    began = time.monotonic()
    poller.stop()
    stopped_after = time.monotonic() - began
    count = polls.count
    time.sleep(0.3)

    assert count >= 2
    assert stopped_after < 0.5
    assert polls.count == count
    assert not poller.running


def test_failures_back_off_instead_of_spinning() -> None:
    polls = Polls(seconds=0.0)
    polls.failing = True
    poller = QueuePoller(polls, wait_seconds=0.1)

    poller.start()
    time.sleep(1.2)
    poller.stop()

    assert 1 <= polls.count <= 2


def test_nothing_is_taken_while_the_storage_is_down() -> None:
    polls = Polls()
    up = threading.Event()
    poller = QueuePoller(polls, wait_seconds=0.1, storage_up=up.is_set)

    poller.start()
    time.sleep(0.3)
    assert polls.count == 0
    up.set()
    time.sleep(1.3)
    poller.stop()

    assert polls.count > 0
