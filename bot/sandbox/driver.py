"""``SlackDriver``: plays the person, sending the bot signed commands, messages, uploads and clicks."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.parse
import uuid
from typing import Any

from bot.sandbox import finder, payloads
from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator
from bot.sandbox.finder import Target
from bot.sandbox.ids import slack_id
from bot.sandbox.records import JSON, Channel, User, View
from bot.sandbox.signing import SigningMode
from bot.sandbox.surfaces import InputState, Surface, open_modal, thread_parent, visible_surfaces
from bot.sandbox.transport import BotTransport, DriverResponse, SentRequest

#: The person the driver plays unless told otherwise.
DEFAULT_USER = "U0ALICE"


class SlackDriver:
    """Sends the bot what Slack would, signed with the app's signing secret, and mirrors it in the emulator.

    Every method takes ``signing`` (``valid``, ``none``, ``wrong``, ``stale``) for security tests;
    a request that is not validly signed is not Slack's, so it leaves no trace in the emulator.
    """

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        emulator: SlackEmulator,
        *,
        team_id: str | None = None,
        default_user: str = DEFAULT_USER,
        default_user_name: str = "alice",
        default_channel: str = GENERAL_CHANNEL,
        timeout: float = 10.0,
    ) -> None:
        self.emulator = emulator
        self.transport = BotTransport(bot_url, signing_secret, timeout)
        self.workspace = dataclasses.replace(emulator.workspace, team_id=team_id or emulator.workspace.team_id)
        self.default_user = emulator.add_user(default_user, default_user_name).id
        self.default_channel = emulator.add_channel(default_channel).id
        self._event_ids: set[str] = set()
        self._inputs = InputState()

    # -- what a person types ---------------------------------------------------------------------

    def slash_command(
        self,
        text: str = "",
        *,
        command: str = "/finetune",
        user: str | None = None,
        channel: str | None = None,
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Run a slash command; an ack with a body shows as Slack shows it (ephemeral unless in_channel)."""
        person, where = self._user(user), self._channel(channel)
        url = self.emulator.new_response_url(channel=where.id, user=person.id)
        form = payloads.slash_command(
            self.workspace,
            command=command,
            text=text,
            user=person,
            channel=where,
            response_url=url,
            trigger_id=self.emulator.new_trigger_id(person.id),
        )
        if signing == "valid":
            self.emulator.record_interaction("slash_command", person.id, f"{command} {text}".strip(), channel=where.id)
        response = self.transport.send(
            urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", signing
        )
        self._show_ack(response, url)
        return response

    def message(
        self,
        text: str,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        user: str | None = None,
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Type a message in a channel or thread: recorded in the emulator, delivered as a ``message`` event."""
        return self._post_message(text, channel, thread_ts, user, None, signing)

    def upload_file(
        self,
        name: str,
        content: bytes,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        user: str | None = None,
        text: str = "",
        filetype: str | None = None,
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Attach a file: registered in the emulator, delivered as a ``file_share`` message event."""
        person = self._user(user)
        kind = filetype or (name.rsplit(".", 1)[-1].lower() if "." in name else "text")
        file = self.emulator.register_file(name, content, filetype=kind, user=person.id)
        return self._post_message(text, channel, thread_ts, person.id, [file], signing)

    def redeliver(
        self,
        request: SentRequest | None = None,
        *,
        retry_num: int = 1,
        reason: str = "http_timeout",
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Send a request again, byte for byte, as Slack retries: re-signed, with the retry headers.

        Slack retries only after its 3-second timeout, so the retry is dated at least a second after the
        last request: its signature differs, and it is a redelivery, not a replay of the same signed bytes.
        """
        again = request or self.transport.last_request
        if again is None:
            raise RuntimeError("nothing has been sent yet, so there is nothing to redeliver")
        retry = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
        later = max(time.time(), self.transport.last_signed_at + 1)
        return self.transport.send(again.body, again.content_type, signing, retry, now=later)

    def open_home(self, *, user: str | None = None, signing: SigningMode = "valid") -> DriverResponse:
        """Open the app's Home tab: Slack sends ``app_home_opened`` (carrying the view last published, if any)."""
        person = self._user(user)
        event = payloads.app_home_opened(
            person, channel=self.emulator.direct_channel(person.id), view=self.emulator.home(person.id)
        )
        if signing == "valid":
            self.emulator.record_interaction("app_home_opened", person.id, "Home")
        envelope = payloads.event_envelope(self.workspace, event, event_id=self._new_event_id())
        return self.transport.send(json.dumps(envelope).encode(), "application/json", signing)

    # -- what a person clicks --------------------------------------------------------------------

    def click(
        self,
        label: str,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        message_ts: str | None = None,
        user: str | None = None,
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Click the newest button labelled ``label`` the person can see; ``LookupError`` if there is none."""
        person = self._user(user)
        surfaces, where = visible_surfaces(self.emulator, person.id, self._channel(channel).id, thread_ts, message_ts)
        target = finder.find_button(surfaces, label, where)
        return self._act(person, target, None, signing)

    def choose(
        self,
        option_label: str,
        *,
        menu: str | None = None,
        channel: str | None = None,
        thread_ts: str | None = None,
        message_ts: str | None = None,
        user: str | None = None,
        signing: SigningMode = "valid",
    ) -> DriverResponse | None:
        """Pick an option of a menu, radio group or overflow by its text (``menu`` names the menu).

        Returns ``None`` when Slack would send nothing: a choice inside an input block without
        ``dispatch_action`` only changes the form, and travels with the next submission or click.
        """
        person = self._user(user)
        surfaces, where = visible_surfaces(self.emulator, person.id, self._channel(channel).id, thread_ts, message_ts)
        target = finder.find_option(surfaces, option_label, menu, where)
        element = target.located.element
        entry = None
        if element.get("type") != "overflow":
            entry = finder.state_value(element, self._choice_value(target))
            self._inputs.remember(target.surface, target.located.block_id, str(element.get("action_id")), entry)
        if target.located.in_input and not target.located.dispatch_action:
            return None
        return self._act(person, target, entry, signing)

    def submit_view(
        self,
        view: str,
        values: dict[str, dict[str, Any]] | None = None,
        *,
        signing: SigningMode = "valid",
    ) -> DriverResponse:
        """Submit an open modal (by view ID or ``callback_id``) with ``{block_id: {action_id: value}}``.

        A value is typed text, an option's text or value (a list for multi-choice), or a state dict.
        The bot's ``response_action`` is then applied: errors keep the modal, update/push/clear act.
        """
        current = open_modal(self.emulator, view)
        state = self._inputs.of(Surface.of(current))
        for block_id, actions in (values or {}).items():
            for action_id, value in actions.items():
                element = finder.find_input(current, block_id, action_id)
                state.setdefault(block_id, {})[action_id] = finder.state_value(element, value)
        person = self._user(current.user)
        payload = payloads.view_submission(
            self.workspace, user=person, view=current, state=state, trigger_id=self.emulator.new_trigger_id(person.id)
        )
        if signing == "valid":
            self.emulator.record_interaction("view_submission", person.id, current.callback_id or current.id)
        response = self._send_payload(payload, signing)
        if response.status == 200:
            self._apply_response_action(current, response)
        return response

    def close_view(self, view: str, *, signing: SigningMode = "valid") -> DriverResponse | None:
        """Cancel an open modal; the bot hears of it (``view_closed``) only if it asked to."""
        current = open_modal(self.emulator, view)
        if signing == "valid":
            self.emulator.close_view(current.id)
            self.emulator.record_interaction("view_closed", current.user, current.callback_id or current.id)
        if not current.payload.get("notify_on_close"):
            return None
        state = self._inputs.of(Surface.of(current))
        payload = payloads.view_closed(self.workspace, user=self._user(current.user), view=current, state=state)
        return self._send_payload(payload, signing)

    @property
    def last_request(self) -> SentRequest | None:
        """The last request sent, for ``redeliver``."""
        return self.transport.last_request

    def send_raw(
        self, body: bytes, content_type: str, *, signing: SigningMode = "valid", headers: dict[str, str] | None = None
    ) -> DriverResponse:
        """POST arbitrary bytes, signed as asked: for tests of malformed or hostile requests."""
        return self.transport.send(body, content_type, signing, headers)

    # -- plumbing ----------------------------------------------------------------------------------

    def _post_message(
        self,
        text: str,
        channel: str | None,
        thread_ts: str | None,
        user: str | None,
        files: list[JSON] | None,
        signing: SigningMode,
    ) -> DriverResponse:
        """Record a person's message in the emulator, then deliver it to the bot as an event."""
        person, where = self._user(user), self._channel(channel)
        parent = thread_parent(self.emulator, where.id, thread_ts)
        message = self.emulator.record_user_message(
            where.id,
            person.id,
            text,
            thread_ts=parent.ts if parent else None,
            files=files,
            client_msg_id=str(uuid.uuid4()),
            record=signing == "valid",
        )
        event = payloads.message_event(message, channel=where, parent_user=parent.user if parent else None)
        envelope = payloads.event_envelope(self.workspace, event, event_id=self._new_event_id())
        return self.transport.send(json.dumps(envelope).encode(), "application/json", signing)

    def _act(self, person: User, target: Target, entry: JSON | None, signing: SigningMode) -> DriverResponse:
        """Send the ``block_actions`` payload for a click or a choice."""
        surface, located = target.surface, target.located
        response_url = None
        if surface.kind != "view" and surface.channel is not None:
            response_url = self.emulator.new_response_url(
                channel=surface.channel,
                user=person.id,
                message_ts=surface.ts,
                thread_ts=surface.thread_ts,
                is_ephemeral=surface.kind == "ephemeral",
            )
        payload = payloads.block_actions(
            self.workspace,
            user=person,
            surface=surface,
            action=payloads.action_for(located.element, located.block_id, target.option, entry),
            state=self._inputs.of(surface),
            trigger_id=self.emulator.new_trigger_id(person.id),
            response_url=response_url,
            channel=self._channel(surface.channel) if surface.channel else None,
        )
        if signing == "valid":
            kind = "button" if target.option is None else "choice"
            self.emulator.record_interaction(
                kind, person.id, target.label, channel=surface.channel, thread_ts=surface.thread_ts
            )
        return self._send_payload(payload, signing)

    def _choice_value(self, target: Target) -> Any:
        """The value a choice leaves: the option, added to earlier ticks for multi-choice elements."""
        element, value = target.located.element, (target.option or {}).get("value")
        if element.get("type") not in finder.MULTI_CHOICE:
            return value
        ticked = self._inputs.ticked(target.surface, target.located.block_id, str(element.get("action_id")))
        return ticked if value in ticked else [*ticked, value]

    def _apply_response_action(self, view: View, response: DriverResponse) -> None:
        """Do what Slack does with a submission's answer: close, keep with errors, update, push or clear."""
        answer = response.json or {}
        action = answer.get("response_action")
        if action == "update" and isinstance(answer.get("view"), dict):
            self.emulator.update_view(view.id, answer["view"])
        elif action == "push" and isinstance(answer.get("view"), dict):
            self.emulator.push_view(view.user, answer["view"])
        elif action == "clear":
            self.emulator.clear_views(view.user)
        elif action != "errors":
            self.emulator.close_view(view.id)

    def _show_ack(self, response: DriverResponse, response_url: str) -> None:
        """A command ack with a body is a response: Slack shows it like a ``response_url`` post."""
        if response.status != 200 or not response.body.strip():
            return
        body = response.json if response.json is not None else {"text": response.body}
        self.emulator.deliver_response(response_url, body)

    def _user(self, user_id: str | None) -> User:
        """The person acting (registered in the emulator if new)."""
        return self.emulator.add_user(user_id or self.default_user)

    def _channel(self, channel_id: str | None) -> Channel:
        """The channel acted in (registered in the emulator if new)."""
        return self.emulator.add_channel(channel_id or self.default_channel)

    def _new_event_id(self) -> str:
        """A unique ``event_id``, as Slack's dedupe-relevant identifier of a delivery."""
        while (event_id := slack_id("Ev")) in self._event_ids:
            continue
        self._event_ids.add(event_id)
        return event_id

    def _send_payload(self, payload: JSON, signing: SigningMode) -> DriverResponse:
        """Send an interaction: form-encoded with one ``payload`` field holding the JSON."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.transport.send(body, "application/x-www-form-urlencoded", signing)
