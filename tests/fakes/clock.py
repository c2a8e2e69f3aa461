"""A clock that moves only when a test moves it (``Clock``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.fakes.samples import START


@dataclass
class FakeClock:
    now_value: datetime = START

    def now(self) -> datetime:
        return self.now_value

    def advance(self, **delta: float) -> None:
        self.now_value += timedelta(**delta)
