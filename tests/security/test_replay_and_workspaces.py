"""Replay and workspace pinning over HTTP: the same signed bytes act once; other workspaces cause nothing."""

from __future__ import annotations

import pytest

from bot.sandbox.driver import SlackDriver
from tests.conftest import SIGNING_SECRET
from tests.security.conftest import command_form, signed
from tests.support.hostile import HostileServer
from tests.support.raw_http import raw_post
from tests.support.stack import CHANNEL, REPLY_WAIT, USER, Stack

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"
OTHER_TEAM = "T0OTHERTEAM"


def roots(stack: Stack) -> int:
    """Conversations the bot opened in the channel."""
    return sum("is setting up a fine-tuning job" in m.text for m in stack.emulator.all_messages(CHANNEL))


def answered_list(stack: Stack) -> None:
    """A signed ``/finetune list``, waited for: everything sent before it has been dealt with."""
    before = len(stack.emulator.responses())
    assert stack.driver.slash_command("list").status == 200
    stack.emulator.wait_for(lambda: len(stack.emulator.responses()) > before, 10, "the answer to /finetune list")


def other_driver(stack: Stack) -> SlackDriver:
    return SlackDriver(
        stack.bot.events_url,
        SIGNING_SECRET,
        stack.emulator,
        team_id=OTHER_TEAM,
        default_user=USER,
        default_channel=CHANNEL,
    )


class TestReplay:
    def test_a_replayed_signed_command_makes_one_setup(self, stack: Stack) -> None:
        body = command_form(stack, "", response_url=stack.emulator.new_response_url(channel=CHANNEL, user=USER))
        headers = {"Content-Type": FORM} | signed(body)
        first = raw_post(stack.bot.events_url, body, headers)
        stack.root()
        replay = raw_post(stack.bot.events_url, body, headers)
        assert (first.status, replay.status, replay.body) == (200, 200, b"")
        answered_list(stack)
        assert roots(stack) == 1
        assert "Dropped a replay of a signed command request" in stack.bot.log()

    def test_a_replay_is_refused_by_a_restarted_bot_too(self, stack: Stack) -> None:
        body = command_form(stack, "", response_url=stack.emulator.new_response_url(channel=CHANNEL, user=USER))
        headers = {"Content-Type": FORM} | signed(body)
        assert raw_post(stack.bot.events_url, body, headers).status == 200
        stack.root()
        stack.restart()
        assert raw_post(stack.bot.events_url, body, headers).status == 200
        answered_list(stack)
        assert roots(stack) == 1


class TestWorkspaces:
    def test_another_teams_command_click_and_message_make_no_slack_call(
        self, stack: Stack, hostile: HostileServer
    ) -> None:
        assert stack.driver.slash_command("").status == 200
        thread = stack.root().ts
        stack.reply(thread, "What kind of customization do you want?")
        # Alice's step republishes her Home tab in the background: counted before the other team speaks.
        stack.emulator.wait_for(lambda: stack.emulator.calls("views.publish"), REPLY_WAIT, "Alice's Home tab")
        calls_before = len(stack.emulator.calls())
        other = other_driver(stack)
        command = other.slash_command("")
        click = other.click("Instruction fine-tuning", thread_ts=thread)
        message = other.message("cancel", thread_ts=thread)
        hook = command_form(stack, "", response_url=hostile.base_url + "hook", team_id=OTHER_TEAM)
        hooked = raw_post(stack.bot.events_url, hook, {"Content-Type": FORM} | signed(hook))
        for response in (command, click, message):
            assert (response.status, response.body) == (200, "")
        assert (hooked.status, hooked.body) == (200, b"")
        assert stack.emulator.calls()[calls_before:] == []
        answered_list(stack)
        assert hostile.requests() == []
        assert roots(stack) == 1
        assert "Which base model?" not in stack.thread_text(thread)
        assert f"Ignored a request from team '{OTHER_TEAM}'" in stack.bot.log()

    def test_the_right_team_in_another_enterprise_is_ignored(self, stack: Stack) -> None:
        body = command_form(
            stack, "", response_url=stack.emulator.new_response_url(channel=CHANNEL), enterprise_id="E0OTHERORG"
        )
        assert raw_post(stack.bot.events_url, body, {"Content-Type": FORM} | signed(body)).status == 200
        answered_list(stack)
        assert roots(stack) == 0
        assert "enterprise 'E0OTHERORG'" in stack.bot.log()

    def test_a_team_in_finetune_allowed_teams_is_served(self, stack: Stack) -> None:
        stack.env["FINETUNE_ALLOWED_TEAMS"] = OTHER_TEAM
        stack.restart()
        assert other_driver(stack).slash_command("").status == 200
        stack.root()
        assert f"Acting for workspace {stack.emulator.workspace.team_id} and {OTHER_TEAM}" in stack.bot.log()

    def test_the_bot_asks_slack_who_its_token_is_once(self, stack: Stack) -> None:
        for _ in range(3):
            stack.driver.slash_command("list")
        answered_list(stack)
        assert len(stack.emulator.calls("auth.test")) == 1
