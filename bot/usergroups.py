"""Who is in a Slack user group, from ``usergroups.users.list``, remembered for a few minutes per group."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from workflows.governance.governance_ports import GroupsUnavailable

#: How long a group's members are remembered: a person added to a group may wait this long to be let in.
GROUP_CACHE_SECONDS = 300


class SlackUserGroups:
    """``UserGroups`` on the Web API (needs the ``usergroups:read`` scope); failures are never cached."""

    def __init__(
        self,
        client: WebClient | Callable[[], WebClient],
        *,
        ttl_seconds: float = GROUP_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    def members(self, group: str) -> frozenset[str]:
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(group)
        if cached is not None and now < cached[0]:
            return cached[1]
        try:
            client = self._client if isinstance(self._client, WebClient) else self._client()
            response = client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            raise GroupsUnavailable(f"usergroups.users.list for {group}: {exc.response.get('error')}") from None
        except SlackClientError as exc:
            raise GroupsUnavailable(f"usergroups.users.list for {group}: {type(exc).__name__}") from None
        except OSError as exc:
            raise GroupsUnavailable(f"usergroups.users.list for {group}: {exc}") from None
        users = frozenset(str(user) for user in response.get("users") or ())
        with self._lock:
            self._cache[group] = (now + self._ttl, users)
        return users
