"""What the Home tab needs from outside: Slack's ``views.publish``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class HomePublisher(Protocol):
    """Shows a view as a person's Home tab (``SlackNotifier`` is one)."""

    def publish_home(self, *, user: str, view: Mapping[str, Any]) -> None:
        """``views.publish`` of ``view`` for ``user``; raises when Slack refuses it or cannot be reached."""
        ...
