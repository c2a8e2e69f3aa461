"""The Web API client for the workspace the bot is acting for (``workflows.tenancy.acting``), one per bot token.

With one bot token (``SLACK_BOT_TOKEN``) every call carries it. In OAuth mode each call carries the token of the
workspace the current work is for, read from its installation; a workspace without one (the app uninstalled
there) gets no call at all: ``WorkspaceGone``. ``ContextExecutor`` carries the workspace over to the threads the
bot hands work to.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from slack_sdk import WebClient

from bot.slack_client import build_web_client
from workflows.tenancy import acting

T = TypeVar("T")


class TokenSource(Protocol):
    """The bot token to use for a workspace's scope (None: no workspace in particular)."""

    def token(self, scope: str | None) -> str: ...


class SingleToken:
    """One workspace, one token: ``SLACK_BOT_TOKEN`` for everything."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self, scope: str | None) -> str:
        return self._token


class WorkspaceClients:
    """``current()``: a client with the token of the workspace being acted for; clients are made once per token."""

    def __init__(self, tokens: TokenSource, *, base_url: str) -> None:
        self._tokens = tokens
        self._base_url = base_url
        self._lock = threading.Lock()
        self._clients: dict[str, WebClient] = {}

    def token(self) -> str:
        """The bot token for the current work; raises ``WorkspaceGone`` when its workspace has none."""
        return self._tokens.token(acting())

    def current(self) -> WebClient:
        """The client for the current work; raises ``WorkspaceGone`` when its workspace has no installation."""
        token = self.token()
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = build_web_client(token=token, base_url=self._base_url)
            return client


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the context they were submitted from (the workspace acted for included)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
