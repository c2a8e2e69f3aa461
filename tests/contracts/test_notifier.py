"""``KeyedNotifier``: the recording notifier and ``SlackNotifier`` on the Slack emulator over HTTP agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.notifier import SlackNotifier
from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import build_web_client
from tests.fakes.notifier import RecordingNotifier
from tests.support.stack import CHANNEL
from workflows.exceptions import MessageGone
from workflows.messages import Message
from workflows.ports import KeyedNotifier


@dataclass
class Subject:
    notifier: KeyedNotifier
    #: The texts people see now in the channel (``None``) or in a thread, oldest first.
    shown: Callable[[str | None], list[str]]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = RecordingNotifier()

        def recorded(thread_ts: str | None) -> list[str]:
            return [p.message.text for p in fake.posts if (p.channel, p.thread_ts) == (CHANNEL, thread_ts)]

        return Subject(fake, recorded)
    emulator: SlackEmulator = request.getfixturevalue("emulator")
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)

    def in_slack(thread_ts: str | None) -> list[str]:
        return [message.text for message in emulator.messages(CHANNEL, thread_ts)]

    return Subject(SlackNotifier(client), in_slack)


def test_posts_and_replies_show_in_order_each_with_its_own_ts(subject: Subject) -> None:
    root = subject.notifier.post(channel=CHANNEL, message=Message("root"))
    other = subject.notifier.post(channel=CHANNEL, message=Message("another"))
    reply = subject.notifier.post(channel=CHANNEL, message=Message("reply"), thread_ts=root)

    assert len({root, other, reply}) == 3
    assert subject.shown(None) == ["root", "another"]
    assert subject.shown(root) == ["reply"]


def test_an_update_replaces_the_text_people_see(subject: Subject) -> None:
    ts = subject.notifier.post(channel=CHANNEL, message=Message("Checking…"))

    subject.notifier.update(channel=CHANNEL, ts=ts, message=Message("Checked."))

    assert subject.shown(None) == ["Checked."]


def test_a_keyed_post_is_found_by_its_key_where_it_was_posted_only(subject: Subject) -> None:
    root = subject.notifier.post(channel=CHANNEL, message=Message("root"))
    in_thread = subject.notifier.post_keyed(channel=CHANNEL, message=Message("ready"), key="e1", thread_ts=root)
    in_channel = subject.notifier.post_keyed(channel=CHANNEL, message=Message("done"), key="n1")

    assert subject.notifier.find_posted(channel=CHANNEL, key="e1", thread_ts=root) == in_thread
    assert subject.notifier.find_posted(channel=CHANNEL, key="n1") == in_channel
    assert subject.notifier.find_posted(channel=CHANNEL, key="e1") is None
    assert subject.notifier.find_posted(channel=CHANNEL, key="e2", thread_ts=root) is None


def test_a_deleted_message_is_gone_from_view_and_from_its_key(subject: Subject) -> None:
    ts = subject.notifier.post_keyed(channel=CHANNEL, message=Message("done"), key="n1")

    subject.notifier.delete(channel=CHANNEL, ts=ts)

    assert subject.shown(None) == []
    assert subject.notifier.find_posted(channel=CHANNEL, key="n1") is None


ON_A_DELETED_MESSAGE: dict[str, Callable[[KeyedNotifier, str], object]] = {
    "reply": lambda notifier, ts: notifier.post(channel=CHANNEL, thread_ts=ts, message=Message("reply")),
    "update": lambda notifier, ts: notifier.update(channel=CHANNEL, ts=ts, message=Message("edited")),
    "delete": lambda notifier, ts: notifier.delete(channel=CHANNEL, ts=ts),
}


@pytest.mark.parametrize("action", ON_A_DELETED_MESSAGE)
def test_replying_to_editing_or_deleting_a_deleted_message_is_message_gone(subject: Subject, action: str) -> None:
    ts = subject.notifier.post(channel=CHANNEL, message=Message("root"))
    subject.notifier.delete(channel=CHANNEL, ts=ts)

    with pytest.raises(MessageGone):
        ON_A_DELETED_MESSAGE[action](subject.notifier, ts)
