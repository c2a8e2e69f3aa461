"""What the listeners are given: the domain services, built once in the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Services:
    """The services a listener may call; listeners never build clients themselves."""

    #: True when the bot's state store (Redis) answers.
    healthy: Callable[[], bool]
