"""Workspaces beside the emulator's own, and the app's OAuth installs in them: codes, tokens and who each token is.

The emulator starts with one workspace whose bot token is good from the start (the single-token mode). Other
workspaces are added with ``add``; the app gets a token for any workspace only by Slack's OAuth flow: a person
approves on the authorize page (``approve``: a one-use code sent back to the app's redirect URL), and the app
trades the code for a bot token at ``oauth.v2.access`` (``exchange``). A token answers ``auth.test`` as its own
workspace and reaches only that workspace's channels. Uninstalling revokes the workspace's tokens.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from bot.sandbox.params import ApiError
from bot.sandbox.records import JSON, Workspace


@dataclass(frozen=True)
class OAuthApp:
    """The app's credentials, as its Basic Information page shows them."""

    client_id: str
    client_secret: str
    #: The app's Redirect URL (OAuth & Permissions), used when the authorize page is not given one.
    redirect_uri: str = ""


@dataclass(frozen=True)
class _Code:
    team_id: str
    redirect_uri: str


class Installs:
    """Thread-safe registry of workspaces, live bot tokens, channel owners and pending OAuth codes."""

    def __init__(self, home: Workspace) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._workspaces: dict[str, Workspace] = {home.team_id: home}
        self._tokens: dict[str, str] = {home.bot_token: home.team_id}
        self._channels: dict[str, str] = {}
        self._users: dict[str, str] = {}
        self._codes: dict[str, _Code] = {}
        self._app: OAuthApp | None = None

    def configure_app(self, app: OAuthApp) -> None:
        """Set the app's client id and secret (``oauth.v2.access`` checks them)."""
        with self._lock:
            self._app = app

    def add(self, team_id: str, name: str, *, enterprise_id: str | None = None) -> Workspace:
        """Register a workspace (idempotent); the app is not installed there until an OAuth exchange."""
        with self._lock:
            existing = self._workspaces.get(team_id)
            if existing is None:
                existing = self._workspaces[team_id] = replace(
                    self.home,
                    team_id=team_id,
                    team_domain=name.lower(),
                    team_name=name,
                    bot_token="",
                    enterprise_id=enterprise_id,
                )
            return existing

    def workspace(self, team_id: str) -> Workspace | None:
        with self._lock:
            return self._workspaces.get(team_id)

    def assign_channel(self, channel_id: str, team_id: str) -> None:
        """Say which workspace a channel belongs to (channels not assigned belong to the home workspace)."""
        with self._lock:
            self._channels[channel_id] = team_id

    def team_of_channel(self, channel_id: str) -> str:
        with self._lock:
            return self._channels.get(channel_id, self.home.team_id)

    def assign_user(self, user_id: str, team_id: str) -> None:
        """Say which workspace a person belongs to (people not assigned belong to the home workspace)."""
        with self._lock:
            self._users[user_id] = team_id

    def team_of_user(self, user_id: str) -> str:
        with self._lock:
            return self._users.get(user_id, self.home.team_id)

    def of_token(self, token: str | None) -> Workspace | None:
        """The workspace a live bot token belongs to, or None (unknown or revoked)."""
        with self._lock:
            team_id = self._tokens.get(token or "")
            return None if team_id is None else self._workspaces.get(team_id)

    def approve(self, *, client_id: str, team_id: str, redirect_uri: str, state: str) -> str:
        """A person approves the install on Slack's page: the redirect URL with a fresh one-use code and the state."""
        with self._lock:
            if self._app is None or client_id != self._app.client_id:
                raise ApiError("invalid_client_id")
            if team_id not in self._workspaces:
                raise ApiError("team_not_found")
            redirect_uri = redirect_uri or self._app.redirect_uri
            if not redirect_uri:
                raise ApiError("bad_redirect_uri")
            code = f"{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
            self._codes[code] = _Code(team_id, redirect_uri)
        separator = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{separator}{urlencode({'code': code, 'state': state})}"

    def exchange(self, *, client_id: str, client_secret: str, code: str, redirect_uri: str | None) -> JSON:
        """``oauth.v2.access``: the code (once) for a new bot token of its workspace, as Slack answers it."""
        with self._lock:
            app = self._app
            if app is None or client_id != app.client_id:
                raise ApiError("invalid_client_id")
            if not secrets.compare_digest(client_secret, app.client_secret):
                raise ApiError("bad_client_secret")
            pending = self._codes.pop(code, None)
            if pending is None:
                raise ApiError("invalid_code")
            if redirect_uri and redirect_uri != pending.redirect_uri:  # Slack checks it only when the app sends one
                raise ApiError("bad_redirect_uri")
            workspace = self._workspaces[pending.team_id]
            token = f"xoxb-{workspace.team_id.lower()}-{secrets.token_hex(12)}"
            self._tokens[token] = workspace.team_id
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": workspace.bot_user_id,
            "app_id": workspace.app_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": None if workspace.enterprise_id is None else {"id": workspace.enterprise_id, "name": "Org"},
            "authed_user": {"id": "U0INSTALLER"},
            "is_enterprise_install": False,
        }

    def revoke(self, team_id: str) -> int:
        """Uninstall: every bot token of the workspace stops working; how many there were."""
        with self._lock:
            gone = [token for token, team in self._tokens.items() if team == team_id]
            for token in gone:
                del self._tokens[token]
            return len(gone)


def credentials(params: JSON, authorization: str | None) -> tuple[str, str]:
    """The client id and secret of an ``oauth.v2.access`` call: HTTP Basic, or form fields."""
    if authorization:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() == "basic":
            decoded = base64.b64decode(encoded.strip()).decode("utf-8", errors="replace")
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
    return str(params.get("client_id") or ""), str(params.get("client_secret") or "")
