"""What Slack POSTs to an app: slash commands, event envelopes and interaction payloads, field for field."""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox import ids
from bot.sandbox.records import JSON, Channel, Message, User, View, Workspace
from bot.sandbox.surfaces import Surface

#: The legacy verification token Slack still sends; Bolt ignores it unless configured.
VERIFICATION_TOKEN = "sandbox-verification-token"


def slash_command(
    ws: Workspace, *, command: str, text: str, user: User, channel: Channel, response_url: str, trigger_id: str
) -> dict[str, str]:
    """The form fields of a slash command invocation."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": channel.id,
        "channel_name": "directmessage" if channel.is_im else channel.name,
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def message_event(message: Message, *, channel: Channel, parent_user: str | None) -> JSON:
    """A ``message`` event (or ``file_share``) for a person's message already recorded in the sandbox."""
    event: JSON = {
        "type": "message",
        "channel": message.channel,
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "event_ts": message.ts,
        "team": message.team,
        "channel_type": "im" if channel.is_im else "channel",
        "blocks": [_rich_text(message.text)] if message.text else [],
    }
    if message.client_msg_id:
        event["client_msg_id"] = message.client_msg_id
    if message.is_reply:
        event.update(thread_ts=message.thread_ts, parent_user_id=parent_user)
    if message.files:
        event.update(subtype="file_share", files=list(message.files), upload=False, display_as_bot=False)
    return event


def event_envelope(ws: Workspace, event: JSON, *, event_id: str) -> JSON:
    """The ``event_callback`` envelope the Events API wraps every event in."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "context_team_id": ws.team_id,
        "context_enterprise_id": None,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + ids.short_id(40),
    }


def app_home_opened(user: User, *, channel: Channel, view: View | None) -> JSON:
    """The ``app_home_opened`` event of a person opening the app's Home tab (with the view shown, once published)."""
    event: JSON = {
        "type": "app_home_opened",
        "user": user.id,
        "channel": channel.id,
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view.as_slack()
    return event


def block_actions(
    ws: Workspace,
    *,
    user: User,
    surface: Surface,
    action: JSON,
    state: JSON,
    trigger_id: str,
    response_url: str | None,
    channel: Channel | None,
) -> JSON:
    """A ``block_actions`` payload for one action on a message, an ephemeral or a view."""
    payload: JSON = {
        "type": "block_actions",
        "user": user_object(user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    record = surface.record
    if isinstance(record, View):
        payload.update(container={"type": "view", "view_id": record.id}, view=record.as_slack(state))
        return payload
    container: JSON = {
        "type": "message",
        "message_ts": surface.ts,
        "channel_id": surface.channel,
        "is_ephemeral": surface.kind == "ephemeral",
    }
    if surface.thread_ts:
        container["thread_ts"] = surface.thread_ts
    payload.update(container=container, state={"values": state}, response_url=response_url)
    if channel is not None:
        payload["channel"] = {"id": channel.id, "name": channel.name}
    if isinstance(record, Message):
        payload["message"] = record.as_slack()
    return payload


def action_for(located_element: JSON, block_id: str, option: JSON | None, state_entry: JSON | None) -> JSON:
    """The ``actions[0]`` entry: the element's IDs and, for menus, the option picked."""
    action: dict[str, Any] = {
        "type": located_element.get("type"),
        "action_id": located_element.get("action_id"),
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    for key in ("text", "value", "style", "placeholder"):
        if key in located_element:
            action[key] = located_element[key]
    if state_entry is not None and "selected_options" in state_entry:
        action["selected_options"] = state_entry["selected_options"]
    elif option is not None:
        action["selected_option"] = option
    return action


def view_submission(ws: Workspace, *, user: User, view: View, state: JSON, trigger_id: str) -> JSON:
    """A ``view_submission`` payload: the modal as it stands, with what the person entered."""
    return {
        "type": "view_submission",
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "user": user_object(user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view.as_slack(state),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(ws: Workspace, *, user: User, view: View, state: JSON) -> JSON:
    """A ``view_closed`` payload, sent when a person cancels a modal with ``notify_on_close``."""
    return {
        "type": "view_closed",
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "user": user_object(user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "view": view.as_slack(state),
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def user_object(user: User) -> JSON:
    """The ``user`` object of interaction payloads."""
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}


def _rich_text(text: str) -> JSON:
    """The ``rich_text`` block Slack attaches to every message a person types."""
    return {
        "type": "rich_text",
        "block_id": ids.short_id(),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
