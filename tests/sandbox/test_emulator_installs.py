"""The emulator's OAuth installs: the authorize page's code, ``oauth.v2.access``, identities per token, uninstalls."""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator

CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret"
REDIRECT = "https://bot.example.com/slack/oauth_redirect"
BETA, BETA_CHANNEL = "T0BETA", "C0BETA"


def approve(emulator: SlackEmulator, team: str, state: str = "s1") -> dict[str, str]:
    """What a person's browser gets back from Slack's install page: the code and state in the redirect."""
    query = urllib.parse.urlencode({"client_id": CLIENT_ID, "scope": "commands", "state": state, "team": team})
    url = urllib.parse.urlsplit(f"{emulator.authorize_url}?{query}")
    connection = http.client.HTTPConnection(url.netloc, timeout=5)
    try:
        connection.request("GET", f"{url.path}?{url.query}")
        response = connection.getresponse()
        response.read()
        assert response.status == 302
        location = str(response.getheader("Location"))
    finally:
        connection.close()
    assert location.startswith(REDIRECT + "?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def install(emulator: SlackEmulator, team: str) -> str:
    """A bot token for ``team`` through the whole flow."""
    code = approve(emulator, team)["code"]
    answer = WebClient(base_url=emulator.api_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    return str(answer["access_token"])


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        running.configure_oauth(CLIENT_ID, CLIENT_SECRET, redirect_uri=REDIRECT)
        running.add_workspace(BETA, "Beta")
        running.add_channel(BETA_CHANNEL, "beta-ml", team_id=BETA)
        running.add_user("U0BEA", "bea", team_id=BETA)
        yield running


def test_a_code_is_traded_once_for_a_token_that_is_its_workspaces(emulator: SlackEmulator) -> None:
    code = approve(emulator, BETA, state="xyz")
    assert code["state"] == "xyz"
    client = WebClient(base_url=emulator.api_url)
    answer = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code["code"])
    assert answer["team"] == {"id": BETA, "name": "Beta"}
    assert answer["token_type"] == "bot"
    identity = WebClient(token=answer["access_token"], base_url=emulator.api_url).auth_test()
    assert identity["team_id"] == BETA
    with pytest.raises(SlackApiError) as again:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code["code"])
    assert again.value.response["error"] == "invalid_code"


def test_a_wrong_secret_or_an_unknown_code_gets_no_token(emulator: SlackEmulator) -> None:
    code = approve(emulator, BETA)["code"]
    client = WebClient(base_url=emulator.api_url)
    with pytest.raises(SlackApiError) as wrong:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret="guessed", code=code)
    assert wrong.value.response["error"] == "bad_client_secret"
    with pytest.raises(SlackApiError) as unknown:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code="1.forged")
    assert unknown.value.response["error"] == "invalid_code"


def test_a_token_reaches_only_its_own_workspaces_channels_and_people(emulator: SlackEmulator) -> None:
    beta = WebClient(token=install(emulator, BETA), base_url=emulator.api_url)
    home = WebClient(token=install(emulator, emulator.workspace.team_id), base_url=emulator.api_url)

    assert beta.chat_postMessage(channel=BETA_CHANNEL, text="hello beta")["ok"]
    assert home.chat_postMessage(channel=GENERAL_CHANNEL, text="hello home")["ok"]
    for client, elsewhere in ((beta, GENERAL_CHANNEL), (home, BETA_CHANNEL)):
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel=elsewhere, text="crossing over")
        assert refused.value.response["error"] == "channel_not_found"
    assert [m.text for m in emulator.messages(BETA_CHANNEL)] == ["hello beta"]
    home_tab = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    assert beta.views_publish(user_id="U0BEA", view=home_tab)["ok"]
    with pytest.raises(SlackApiError) as stranger:
        home.views_publish(user_id="U0BEA", view=home_tab)
    assert stranger.value.response["error"] == "user_not_found"
    assert home.auth_test()["team_id"] == emulator.workspace.team_id


def test_uninstalling_revokes_the_workspaces_tokens_only(emulator: SlackEmulator) -> None:
    beta_token = install(emulator, BETA)
    home = WebClient(token=install(emulator, emulator.workspace.team_id), base_url=emulator.api_url)

    assert emulator.uninstall(BETA) == 1

    assert emulator.workspace_of_token(beta_token) is None
    with pytest.raises(SlackApiError) as revoked:
        WebClient(token=beta_token, base_url=emulator.api_url).chat_postMessage(channel=BETA_CHANNEL, text="still?")
    assert revoked.value.response["error"] == "invalid_auth"
    assert home.chat_postMessage(channel=GENERAL_CHANNEL, text="still here")["ok"]
