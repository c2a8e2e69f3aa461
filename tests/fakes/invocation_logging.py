"""``InvocationLogging`` in memory: the logging setup is whatever the test sets; each question is counted."""

from __future__ import annotations

from workflows.ports import LoggingSetup


class FakeInvocationLogging:
    """Logging off until a test sets ``answer``."""

    def __init__(self) -> None:
        self.answer = LoggingSetup()
        self.asked = 0

    def setup(self) -> LoggingSetup:
        self.asked += 1
        return self.answer
