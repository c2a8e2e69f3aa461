"""Fixtures: a running emulator and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.sandbox.emulator import SlackEmulator


@pytest.fixture(name="emulator")
def _emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(name="client")
def _client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.workspace.bot_token, base_url=emulator.api_url)
