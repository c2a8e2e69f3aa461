"""The channel pacer: at most one message per second per channel, channels independent."""

from __future__ import annotations

from tests.fakes.notifier import RecordingNotifier
from workflows.jobs.monitoring.pacing import PacedNotifier
from workflows.messages import Message

HELLO = Message(text="hello")


class Timeline:
    """A fake monotonic clock that sleeping moves forward."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def paced() -> tuple[PacedNotifier, RecordingNotifier, Timeline]:
    inner, time = RecordingNotifier(), Timeline()
    return PacedNotifier(inner, interval=1.0, clock=time.clock, sleep=time.sleep), inner, time


def test_messages_to_one_channel_are_spaced_a_second_apart() -> None:
    notifier, inner, time = paced()

    notifier.post(channel="C1", message=HELLO)
    notifier.update(channel="C1", ts="1.0", message=HELLO)
    notifier.post(channel="C1", message=HELLO, thread_ts="1.0")

    assert time.slept == [1.0, 1.0]
    assert [sent.kind for sent in inner.sent] == ["post", "update", "post"]


def test_different_channels_do_not_wait_for_each_other() -> None:
    notifier, _, time = paced()

    for channel in ("C1", "C2", "C3"):
        notifier.post(channel=channel, message=HELLO)

    assert time.slept == []


def test_a_channel_quiet_for_longer_than_the_interval_posts_at_once() -> None:
    notifier, _, time = paced()
    notifier.post(channel="C1", message=HELLO)
    time.now += 5

    notifier.post(channel="C1", message=HELLO)

    assert time.slept == []
