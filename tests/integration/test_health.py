"""``GET /healthz`` on a running ``finetune-bot serve``: 200 with Redis up, 503 with Redis down."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.bot_process import BotProcess
from tests.support.net import free_port, http_status

pytestmark = pytest.mark.integration

BotFactory = Callable[[Mapping[str, str]], BotProcess]


def bot_env(redis_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "REDIS_URL": redis_url,
    }


def test_healthz_is_200_when_redis_answers(bot_factory: BotFactory, redis_url: str) -> None:
    bot = bot_factory(bot_env(redis_url))
    assert http_status(f"{bot.base_url}/healthz") == 200


def test_healthz_is_503_when_redis_is_down(bot_factory: BotFactory) -> None:
    closed_port = free_port()
    bot = bot_factory(bot_env(f"redis://127.0.0.1:{closed_port}/0"))
    assert http_status(f"{bot.base_url}/healthz") == 503


def test_unknown_paths_are_404(bot_factory: BotFactory, redis_url: str) -> None:
    bot = bot_factory(bot_env(redis_url))
    assert http_status(f"{bot.base_url}/admin") == 404
