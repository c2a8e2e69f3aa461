"""``SlackNotifier`` against the Slack emulator: what no longer exists becomes ``MessageGone``, nothing else does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError

from bot.notifier import SlackNotifier
from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import build_web_client
from bot.workspace_clients import WorkspaceClients
from tests.sandbox.test_emulator_installs import CLIENT_ID, CLIENT_SECRET, REDIRECT, install
from tests.support.stack import CHANNEL
from workflows.exceptions import MessageGone, WorkspaceGone
from workflows.messages import Message
from workflows.tenancy import acting_for

pytestmark = pytest.mark.integration


@pytest.fixture
def notifier(emulator: SlackEmulator) -> SlackNotifier:
    return SlackNotifier(build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url))


def test_delete_removes_the_bot_s_message(emulator: SlackEmulator, notifier: SlackNotifier) -> None:
    ts = notifier.post(channel=CHANNEL, message=Message("root"))
    notifier.delete(channel=CHANNEL, ts=ts)
    assert emulator.messages(CHANNEL) == []


ACTIONS: dict[str, Callable[[SlackNotifier, str], object]] = {
    "reply": lambda notifier, ts: notifier.post(channel=CHANNEL, thread_ts=ts, message=Message("reply")),
    "update": lambda notifier, ts: notifier.update(channel=CHANNEL, ts=ts, message=Message("edited")),
    "delete": lambda notifier, ts: notifier.delete(channel=CHANNEL, ts=ts),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_deleted_thread_or_message_is_message_gone(
    emulator: SlackEmulator, notifier: SlackNotifier, action: str
) -> None:
    ts = notifier.post(channel=CHANNEL, message=Message("root"))
    emulator.delete_message(CHANNEL, ts)
    with pytest.raises(MessageGone, match="_not_found"):
        ACTIONS[action](notifier, ts)


def test_an_unknown_channel_is_message_gone(notifier: SlackNotifier) -> None:
    with pytest.raises(MessageGone, match="channel_not_found"):
        notifier.post(channel="C0NOWHERE", message=Message("hello"))


def test_other_refusals_stay_slack_errors(notifier: SlackNotifier) -> None:
    with pytest.raises(SlackApiError) as caught:
        notifier.whisper(channel=CHANNEL, user="U0NOBODY", text="psst")
    assert caught.value.response["error"] == "user_not_found"


def test_a_token_slack_no_longer_takes_is_workspace_gone(emulator: SlackEmulator, notifier: SlackNotifier) -> None:
    emulator.uninstall(emulator.workspace.team_id)
    with pytest.raises(WorkspaceGone, match="invalid_auth"):
        notifier.post(channel=CHANNEL, message=Message("hello"))


def test_each_post_carries_the_token_of_the_workspace_acted_for(emulator: SlackEmulator) -> None:
    """The notifier asks for its client at each call: here, one per workspace scope, as ``serve`` resolves them."""
    emulator.add_workspace("T0BETA", "Beta")
    emulator.add_channel("C0BETA", team_id="T0BETA")
    emulator.configure_oauth(CLIENT_ID, CLIENT_SECRET, redirect_uri=REDIRECT)
    beta_token = install(emulator, "T0BETA")
    tokens = {emulator.workspace.team_id: emulator.workspace.bot_token, "T0BETA": beta_token}
    clients = WorkspaceClients(_Tokens(tokens), base_url=emulator.api_url)
    notifier = SlackNotifier(clients.current)

    with acting_for("T0BETA"):
        notifier.post(channel="C0BETA", message=Message("for beta"))
        with pytest.raises(MessageGone, match="channel_not_found"):
            notifier.post(channel=CHANNEL, message=Message("into the other workspace"))
    with acting_for(emulator.workspace.team_id):
        notifier.post(channel=CHANNEL, message=Message("for home"))
    with pytest.raises(WorkspaceGone):
        notifier.post(channel=CHANNEL, message=Message("for nobody"))

    assert [m.text for m in emulator.messages("C0BETA")] == ["for beta"]
    assert [m.text for m in emulator.messages(CHANNEL)] == ["for home"]


class _Tokens:
    def __init__(self, tokens: dict[str, str]) -> None:
        self._tokens = tokens

    def token(self, scope: str | None) -> str:
        if scope not in self._tokens:
            raise WorkspaceGone(f"not installed in {scope}")
        return self._tokens[scope]
