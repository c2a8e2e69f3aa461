"""The Web API front door: method routing, token checks, injected rate limits and the call log."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox import api_chat, api_files, api_views
from bot.sandbox.events import Call, EventKind
from bot.sandbox.installs import credentials
from bot.sandbox.params import ApiError, Params
from bot.sandbox.records import JSON, Workspace
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

Handler = Callable[[SandboxState, Params], JSON]


@dataclass(frozen=True)
class ApiAnswer:
    """What the emulator sends back for one call: HTTP status, JSON body and extra headers."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)


def auth_test(state: SandboxState, params: Params, ws: Workspace | None = None) -> JSON:
    """``auth.test``: who the token belongs to (Bolt calls this at start-up, and after an OAuth install)."""
    ws = ws or state.workspace
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "enterprise_id": ws.enterprise_id,
        "is_enterprise_install": False,
    }


def users_info(state: SandboxState, params: Params) -> JSON:
    """``users.info``: a registered person or the bot."""
    user = state.conversations.user(params.require("user", "user_not_found"))
    if user is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": user.as_slack()}


def usergroups_users_list(state: SandboxState, params: Params) -> JSON:
    """``usergroups.users.list``: a group's member ids; ``no_such_subteam`` for a group that does not exist."""
    users = state.conversations.usergroup(params.require("usergroup"))
    if users is None:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(users)}


def conversations_info(state: SandboxState, params: Params) -> JSON:
    """``conversations.info``: a registered channel."""
    return {"ok": True, "channel": api_chat.channel_of(state, params).as_slack()}


def conversations_history(state: SandboxState, params: Params) -> JSON:
    """``conversations.history``: top-level messages, newest first, as Slack orders them."""
    channel = api_chat.channel_of(state, params)
    limit = int(params.text("limit") or 100)
    found = list(reversed(state.conversations.messages(channel.id)))
    return {"ok": True, "messages": [m.as_slack() for m in found[:limit]], "has_more": len(found) > limit}


def conversations_replies(state: SandboxState, params: Params) -> JSON:
    """``conversations.replies``: a thread's parent followed by its replies, oldest first."""
    channel = api_chat.channel_of(state, params)
    parent = state.conversations.message(channel.id, params.require("ts", "thread_not_found"))
    if parent is None:
        raise ApiError("thread_not_found")
    thread = [parent, *state.conversations.messages(channel.id, thread_ts=parent.ts)]
    return {"ok": True, "messages": [m.as_slack() for m in thread], "has_more": False}


BASE_METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "usergroups.users.list": usergroups_users_list,
    "conversations.info": conversations_info,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}


class WebApi:
    """Answers Web API calls the way Slack does and logs each one, successful or not."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._methods: dict[str, Handler] = {
            **BASE_METHODS,
            **api_chat.METHODS,
            **api_views.METHODS,
            **api_files.METHODS,
        }
        self._lock = threading.Lock()
        self._rate_limits: dict[str, tuple[int, int]] = {}
        self._calls: list[Call] = []
        self._unknown: list[str] = []

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` answer 429 with ``Retry-After: retry_after``."""
        with self._lock:
            self._rate_limits[method] = (times, retry_after)

    def call(self, method: str, values: JSON, token: str | None, *, malformed: str | None = None) -> ApiAnswer:
        """Route one call: unknown method, then token, then any injected rate limit, then the method.

        ``malformed`` is the error code for a body that could not be read (``invalid_json``).
        """
        params = {key: value for key, value in values.items() if key != "token"}
        handler = self._methods.get(method)
        retry_after = self._take_rate_limit(method) if handler is not None and self._token_ok(token) else None
        if handler is None:
            answer = ApiAnswer(200, {"ok": False, "error": "unknown_method"})
        elif token is None:
            answer = ApiAnswer(200, {"ok": False, "error": "not_authed"})
        elif not self._token_ok(token):
            answer = ApiAnswer(200, {"ok": False, "error": "invalid_auth"})
        elif (elsewhere := self._reaches(token, params)) is not None:
            # A token of one workspace sees neither another workspace's channels nor its people.
            answer = ApiAnswer(200, {"ok": False, "error": elsewhere})
        elif retry_after is not None:
            answer = ApiAnswer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        elif malformed is not None:
            answer = ApiAnswer(200, {"ok": False, "error": malformed})
        elif method == "auth.test":
            answer = ApiAnswer(200, auth_test(self._state, Params(params), self._state.installs.of_token(token)))
        else:
            answer = self._run(handler, method, params)
        self._log(method, params, answer, unknown=handler is None, rate_limited=retry_after is not None)
        return answer

    def oauth_access(self, values: JSON, authorization: str | None) -> ApiAnswer:
        """``oauth.v2.access``: the app's credentials (no token) and a code from the authorize page, for a bot token."""
        params = {key: value for key, value in values.items() if key != "client_secret"}
        client_id, client_secret = credentials(values, authorization)
        try:
            answer = ApiAnswer(
                200,
                self._state.installs.exchange(
                    client_id=client_id,
                    client_secret=client_secret,
                    code=str(values.get("code") or ""),
                    redirect_uri=str(values.get("redirect_uri") or "") or None,
                ),
            )
        except ApiError as error:
            answer = ApiAnswer(200, error.as_response())
        self._log("oauth.v2.access", params, answer, unknown=False, rate_limited=False)
        return answer

    def calls(self, method: str | None = None) -> list[Call]:
        """Every call so far (or those of one method), oldest first."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def unknown_methods(self) -> list[str]:
        """Names of methods the bot called that the emulator (and so possibly Slack) does not know."""
        with self._lock:
            return list(self._unknown)

    def _token_ok(self, token: str | None) -> bool:
        """Whether the token is a live bot token (the home workspace's, or one an OAuth install issued)."""
        return self._state.installs.of_token(token) is not None

    def _reaches(self, token: str | None, params: JSON) -> str | None:
        """Slack's error when the call's channel or Home tab person is in another workspace than the token's."""
        owner = self._state.installs.of_token(token)
        if owner is None:
            return None
        channel, user = params.get("channel"), params.get("user_id")
        if isinstance(channel, str) and channel and self._state.installs.team_of_channel(channel) != owner.team_id:
            return "channel_not_found"
        if isinstance(user, str) and user and self._state.installs.team_of_user(user) != owner.team_id:
            return "user_not_found"
        return None

    def _take_rate_limit(self, method: str) -> int | None:
        """Use up one injected 429 for ``method``, returning its ``Retry-After``, or ``None``."""
        with self._lock:
            remaining, retry_after = self._rate_limits.get(method, (0, 0))
            if remaining <= 0:
                return None
            self._rate_limits[method] = (remaining - 1, retry_after)
            return retry_after

    def _run(self, handler: Handler, method: str, params: JSON) -> ApiAnswer:
        """Run a method; Slack errors become ``ok: false`` bodies, emulator bugs a logged 500."""
        try:
            return ApiAnswer(200, handler(self._state, Params(params)))
        except ApiError as error:
            return ApiAnswer(200, error.as_response())
        except Exception:
            logger.exception("sandbox failed to answer %s", method)
            return ApiAnswer(500, {"ok": False, "error": "internal_error"})

    def _log(self, method: str, params: JSON, answer: ApiAnswer, *, unknown: bool, rate_limited: bool) -> None:
        """Record the call and announce it to subscribers."""
        call = Call(
            method=method,
            params=copy.deepcopy(params),
            time=time.time(),
            status=answer.status,
            ok=bool(answer.body.get("ok")),
            error=answer.body.get("error"),
            rate_limited=rate_limited,
        )
        with self._lock:
            self._calls.append(call)
            if unknown:
                self._unknown.append(method)
        self._state.recorder.emit(EventKind.API_CALL, call)
