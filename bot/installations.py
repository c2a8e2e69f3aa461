"""OAuth mode's stores behind slack_sdk's interfaces: installations and states kept where every replica sees them.

``SharedInstallationStore`` and ``SharedStateStore`` are what Bolt's ``OAuthSettings`` are given; they keep their
data through the ``Installations`` and ``OAuthStates`` ports (Redis in ``serve``). ``InstalledAuthorize`` answers
Bolt's authorization per request from the stored bot, with no call to Slack. An installation is named by its owner:
``team:<team id>`` for a workspace install, ``org:<enterprise id>`` for an org-wide one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from workflows.exceptions import WorkspaceGone
from workflows.ports import Installations, OAuthStates
from workflows.tenancy import workspace_of

logger = logging.getLogger(__name__)


def owner(enterprise_id: str | None, team_id: str | None, *, org_wide: bool | None) -> str | None:
    """The name an installation is kept under; None when the ids name none."""
    if org_wide and enterprise_id:
        return f"org:{enterprise_id}"
    return f"team:{team_id}" if team_id else None


class SharedInstallationStore(InstallationStore):
    """slack_sdk's ``InstallationStore`` (bot and installation records) over the ``Installations`` port."""

    def __init__(self, documents: Installations) -> None:
        self._documents = documents

    @property
    def logger(self) -> logging.Logger:
        return logger

    def save(self, installation: Installation) -> None:
        name = owner(installation.enterprise_id, installation.team_id, org_wide=installation.is_enterprise_install)
        if name is None:
            raise ValueError("an installation names neither a team nor an enterprise")
        self._documents.put(f"installation:{name}", _json(installation.to_dict_for_copying()))
        self.save_bot(installation.to_bot())
        logger.info("Installed in %s", name)

    def save_bot(self, bot: Bot) -> None:
        name = owner(bot.enterprise_id, bot.team_id, org_wide=bot.is_enterprise_install)
        if name is None:
            raise ValueError("a bot installation names neither a team nor an enterprise")
        self._documents.put(f"bot:{name}", _json(bot.to_dict_for_copying()))

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        name = owner(enterprise_id, team_id, org_wide=is_enterprise_install)
        document = None if name is None else self._documents.get(f"bot:{name}")
        return None if document is None else Bot(**json.loads(document))

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        name = owner(enterprise_id, team_id, org_wide=is_enterprise_install)
        document = None if name is None else self._documents.get(f"installation:{name}")
        if document is None:
            return None
        found = Installation(**json.loads(document))
        return found if user_id is None or found.user_id == user_id else None

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        for name in _owners(enterprise_id, team_id):
            self._documents.delete(f"bot:{name}")
        logger.info("Forgot the bot token of team %s (enterprise %s)", team_id, enterprise_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        for name in _owners(enterprise_id, team_id):
            self._documents.delete(f"installation:{name}")


class SharedStateStore(OAuthStateStore):
    """slack_sdk's ``OAuthStateStore``: a random state signed with the state secret, good for one callback.

    A state that is not signed with the secret is refused without asking the store; one that is, only if the store
    still holds it (issued here, not yet used, not expired), and using it deletes it, so a replay is refused too.
    """

    def __init__(self, states: OAuthStates, *, secret: str, ttl_seconds: int) -> None:
        self._states = states
        self._secret = secret.encode("utf-8")
        self._ttl_seconds = ttl_seconds

    @property
    def logger(self) -> logging.Logger:
        return logger

    def issue(self, *args: Any, **kwargs: Any) -> str:
        nonce = secrets.token_urlsafe(24)
        state = f"{nonce}.{self._sign(nonce)}"
        self._states.issue(state, ttl_seconds=self._ttl_seconds)
        return state

    def consume(self, state: str) -> bool:
        nonce, _, signature = state.rpartition(".")
        if not nonce or not hmac.compare_digest(signature, self._sign(nonce)):
            logger.info("Refused an OAuth callback whose state was not issued by this app")
            return False
        if not self._states.consume(state):
            logger.info("Refused an OAuth callback whose state was used already or expired")
            return False
        return True

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class InstalledAuthorize(Authorize):
    """Bolt's authorization from the stored bot: its token and ids, or None (Bolt then answers "not installed")."""

    def __init__(self, store: InstallationStore) -> None:
        self._store = store

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = self._store.find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=context.is_enterprise_install
        )
        if bot is None:
            logger.info(
                "A request from team %.40r (enterprise %.40r), where the app is not installed", team_id, enterprise_id
            )
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=team_id or bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            user_id=user_id,
        )


class InstalledTokens:
    """The bot token of a workspace from its installation; ``WorkspaceGone`` when it has none."""

    def __init__(self, store: InstallationStore) -> None:
        self._store = store

    def token(self, scope: str | None) -> str:
        if scope is None:
            raise WorkspaceGone("This work names no workspace, so the bot does not know whose token to use.")
        workspace = workspace_of(scope)
        bot = self._store.find_bot(
            enterprise_id=workspace.enterprise_id, team_id=workspace.team_id, is_enterprise_install=workspace.org_wide
        )
        if bot is None or not bot.bot_token:
            raise WorkspaceGone(f"The app is not installed in workspace {scope}.")
        return str(bot.bot_token)


def _owners(enterprise_id: str | None, team_id: str | None) -> list[str]:
    """The installation these ids name when one is removed: the workspace's own, or the org's when no team is named."""
    name = owner(enterprise_id, team_id, org_wide=team_id is None)
    return [] if name is None else [name]


def _json(values: dict[str, Any]) -> str:
    """A record as JSON; its times as epoch seconds, which slack_sdk's models read back."""
    return json.dumps(values, default=lambda value: value.timestamp() if isinstance(value, datetime) else str(value))
