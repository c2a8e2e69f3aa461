"""What bench-ack sends: new setups, clicks and thread replies in live conversations, and file shares, some redelivered.

Every request is built before the timed run (signed only when sent), each as Slack would send it once:
a ``/finetune`` from a person with no setup yet, a click on the type question of a conversation that
is waiting for it, a reply typed in such a thread, a ``.jsonl`` shared into one, and Slack's retry of
that file share (same ``event_id``), which the bot's deduplication must drop.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.signing import SigningMode
from bot.sandbox.transport import BotTransport, DriverResponse, SentRequest

#: Requests per ten, in this order: N new setup, C click, R thread reply, F file share, D its redelivery.
PATTERN = "NCRFNCRDCR"
#: Conversations the pattern uses per ten requests (one per click; replies and files go to the same ones).
CONVERSATIONS_PER_TEN = PATTERN.count("C")
#: The conversations are spread over this many channels, as in a workspace (and to keep lookups short).
CHANNELS = 20
TYPE_QUESTION = "What kind of customization do you want?"
#: A small valid instruction dataset, shared into a thread.
SHARED_FILE = b'{"prompt": "What is our refund window?", "completion": "30 days from delivery."}\n'
RETRY_HEADERS = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@dataclass(frozen=True)
class Planned:
    """One request to send at its time: what it is, its bytes, and Slack's retry headers for a redelivery."""

    kind: str
    request: SentRequest
    headers: dict[str, str]


@dataclass(frozen=True)
class Conversation:
    """A setup waiting at its first question: who started it, where, and its thread."""

    user: str
    channel: str
    thread_ts: str


class Capture(BotTransport):
    """A transport that keeps what the driver would send instead of sending it."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9/unused", "unused", 1.0)

    def send(
        self,
        body: bytes,
        content_type: str,
        signing: SigningMode = "valid",
        extra_headers: dict[str, str] | None = None,
    ) -> DriverResponse:
        self.last_request = SentRequest(body, content_type)
        return DriverResponse(200, {}, "", None, self.last_request)


class Mix:
    """Builds batches of the mix against one bot and emulator; each batch uses people not seen before."""

    def __init__(self, driver: SlackDriver, emulator: SlackEmulator) -> None:
        self._live = driver
        self._emulator = emulator
        self._builder = SlackDriver(driver.transport.bot_url, "unused", emulator, timeout=1.0)
        self._builder.transport = Capture()
        self._people = (f"U0B{number:07d}" for number in itertools.count())
        self._channels = [emulator.add_channel(f"C0BENCH{n:02d}", f"bench-{n}").id for n in range(CHANNELS)]

    def plan(self, count: int, *, redelivery_after: int) -> list[Planned]:
        """``count`` requests of the pattern, with the live conversations they need opened first (not timed).

        A redelivery repeats a file share sent at least ``redelivery_after`` requests earlier, as Slack
        retries after its 3 s timeout (re-signed, so it is a retry, not a replayed request); until there
        is one that old, a fresh file share takes its place.
        """
        conversations = iter(self.open_conversations(-(-count * CONVERSATIONS_PER_TEN // 10)))
        planned: list[Planned] = []
        current: Conversation | None = None
        shared: list[tuple[int, SentRequest]] = []
        for index in range(count):
            kind = PATTERN[index % len(PATTERN)]
            if kind == "C":
                current = next(conversations)
            old_enough = [request for at, request in shared if at <= index - redelivery_after]
            if kind == "N":
                planned.append(self._new_setup())
            elif kind == "D" and old_enough:
                planned.append(Planned("redelivery", old_enough[-1], RETRY_HEADERS))
            else:
                assert current is not None, "the pattern clicks in a conversation before using it"
                planned.append(self._in_conversation("F" if kind == "D" else kind, current))
                if planned[-1].kind == "file share":
                    shared.append((index, planned[-1].request))
        return planned

    def slash_commands(self, count: int) -> list[Planned]:
        """``count`` ``/finetune`` commands from new people: what the anchor, which only acks commands, gets."""
        return [self._new_setup() for _ in range(count)]

    def open_conversations(self, count: int, *, rate: float = 60.0, timeout: float = 120.0) -> list[Conversation]:
        """Start ``count`` setups through the bot and wait until each thread asks its first question."""
        people = [(next(self._people), self._channels[n % CHANNELS]) for n in range(count)]
        started = time.perf_counter()
        for n, (user, channel) in enumerate(people):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self._live.slash_command("", user=user, channel=channel)
        return self._emulator.wait_for(
            lambda: self._waiting(people), timeout, f"{count} setups at their first question"
        )

    def _waiting(self, people: list[tuple[str, str]]) -> list[Conversation] | None:
        roots: dict[str, str] = {}
        for channel in {channel for _, channel in people}:
            for message in self._emulator.messages(channel):
                if message.from_bot and "is setting up a fine-tuning job" in message.text:
                    roots[message.text.split(">", 1)[0].removeprefix("<@")] = message.ts
        found = []
        for user, channel in people:
            thread = roots.get(user)
            if thread is None or not any(TYPE_QUESTION in m.text for m in self._emulator.messages(channel, thread)):
                return None
            found.append(Conversation(user, channel, thread))
        return found

    def _new_setup(self) -> Planned:
        self._builder.slash_command("", user=next(self._people), channel=self._channels[0])
        return self._captured("new setup")

    def _in_conversation(self, kind: str, conversation: Conversation) -> Planned:
        where = {"user": conversation.user, "channel": conversation.channel, "thread_ts": conversation.thread_ts}
        if kind == "C":
            self._builder.click("Help me choose", **where)
            return self._captured("click")
        if kind == "R":
            self._builder.message("which one is right for support chats?", **where)
            return self._captured("thread reply")
        self._builder.upload_file("support.jsonl", SHARED_FILE, **where)
        return self._captured("file share")

    def _captured(self, kind: str) -> Planned:
        request = self._builder.transport.last_request
        assert request is not None
        return Planned(kind, request, {})


def kinds(planned: list[Planned]) -> Iterator[tuple[str, int]]:
    """How many requests of each kind a plan has."""
    for kind in sorted({p.kind for p in planned}):
        yield kind, sum(1 for p in planned if p.kind == kind)
