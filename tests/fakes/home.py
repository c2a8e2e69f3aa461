"""``HomeRefresh`` that remembers whose Home tab was asked for, in order."""

from __future__ import annotations


class RecordingHome:
    """Each ``changed`` call as ``(team, user)``."""

    def __init__(self) -> None:
        self.changes: list[tuple[str, str]] = []

    def changed(self, *, team: str, user: str) -> None:
        self.changes.append((team, user))
