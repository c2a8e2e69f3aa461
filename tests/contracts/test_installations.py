"""OAuth mode's stores on Redis (a server and a cluster): installations per workspace or org, states used once."""

from __future__ import annotations

import time

import pytest
import redis
from slack_sdk.oauth.installation_store import Installation

from bot.installations import InstalledTokens, SharedInstallationStore, SharedStateStore
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_installations import RedisInstallations, RedisOAuthStates
from workflows.exceptions import WorkspaceGone

SECRET = "s" * 40


@pytest.fixture(params=REDIS_KINDS)
def client(request: pytest.FixtureRequest) -> redis.Redis:
    return redis_of_kind(request, request.param)


def installation(team: str | None, *, enterprise: str | None = None, org_wide: bool = False) -> Installation:
    return Installation(
        app_id="A0FINETUNE",
        enterprise_id=enterprise,
        team_id=team,
        bot_token=f"xoxb-{team or enterprise}",
        bot_id="B0FINETUNE",
        bot_user_id="U0FINETUNE",
        bot_scopes="commands,chat:write",
        user_id="U0INSTALLER",
        is_enterprise_install=org_wide,
    )


def test_a_workspace_install_is_found_by_its_team_and_removed_alone(client: redis.Redis) -> None:
    store = SharedInstallationStore(RedisInstallations(client))
    store.save(installation("T1"))
    store.save(installation("T2"))

    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert (bot.bot_token, bot.bot_user_id, bot.bot_scopes) == ("xoxb-T1", "U0FINETUNE", ["commands", "chat:write"])
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert found.user_id == "U0INSTALLER"
    assert store.find_installation(enterprise_id=None, team_id="T1", user_id="U0SOMEONE") is None

    store.delete_all(enterprise_id=None, team_id="T1")

    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert store.find_bot(enterprise_id=None, team_id="T2") is not None


def test_an_org_wide_install_serves_every_workspace_of_its_org(client: redis.Redis) -> None:
    store = SharedInstallationStore(RedisInstallations(client))
    store.save(installation(None, enterprise="E1", org_wide=True))

    bot = store.find_bot(enterprise_id="E1", team_id="T7", is_enterprise_install=True)
    assert bot is not None
    assert bot.bot_token == "xoxb-E1"
    assert store.find_bot(enterprise_id="E1", team_id="T7", is_enterprise_install=False) is None
    tokens = InstalledTokens(store)
    assert tokens.token("E1.T7") == "xoxb-E1"
    assert tokens.token("E1.T8") == "xoxb-E1"

    store.delete_all(enterprise_id="E1", team_id=None)
    with pytest.raises(WorkspaceGone):
        tokens.token("E1.T7")


def test_tokens_follow_the_scope_and_a_workspace_without_one_gets_none(client: redis.Redis) -> None:
    store = SharedInstallationStore(RedisInstallations(client))
    store.save(installation("T1"))
    tokens = InstalledTokens(store)

    assert tokens.token("T1") == "xoxb-T1"
    for scope in ("T2", None):
        with pytest.raises(WorkspaceGone):
            tokens.token(scope)


def test_a_state_is_good_for_one_callback(client: redis.Redis) -> None:
    states = SharedStateStore(RedisOAuthStates(client), secret=SECRET, ttl_seconds=60)
    state = states.issue()

    assert states.consume(state) is True
    assert states.consume(state) is False


def test_a_state_not_signed_with_the_secret_is_refused(client: redis.Redis) -> None:
    records = RedisOAuthStates(client)
    states = SharedStateStore(records, secret=SECRET, ttl_seconds=60)
    elsewhere = SharedStateStore(records, secret="t" * 40, ttl_seconds=60)
    state = states.issue()
    nonce, _, signature = state.rpartition(".")

    assert elsewhere.consume(state) is False
    assert states.consume(f"{nonce}.{'0' * len(signature)}") is False
    assert states.consume("no-signature") is False
    records.issue("forged.0000", ttl_seconds=60)  # in the store, but not signed with the secret
    assert states.consume("forged.0000") is False
    assert states.consume(state) is True


def test_an_expired_state_is_refused(client: redis.Redis) -> None:
    states = SharedStateStore(RedisOAuthStates(client), secret=SECRET, ttl_seconds=1)
    state = states.issue()
    time.sleep(1.2)
    assert states.consume(state) is False
