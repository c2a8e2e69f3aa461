"""Approve and Reject on a request for approval, and the reason form Reject opens.

The buttons carry the request's id and nothing else, so they act the same wherever they are clicked (the
request's message, or a list of pending requests such as the App Home): the answer goes back privately where
the click came from (the channel's response URL, else a direct message).
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import action_name, fallback_text, render
from bot.listeners.apologies import Later, after_event, guarded
from bot.listeners.stop_buttons import clicked_where
from bot.services import Services
from workflows.messages import Action, Message

APPROVAL_ACTIONS = re.compile(rf"^({Action.APPROVE.value}|{Action.REJECT.value})(:\d+)?$")
#: The reason form's ``callback_id``, and its one input's block and action id.
REJECT_FORM = "ft_reject_reason"
REASON = "reason"
#: Longest reason kept (it is shown in the thread and the audit log).
REASON_MAX = 500


def register(app: App, services: Services) -> None:
    def on_click(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        guarded(services, partial(_on_click, services=services, client=client))(ack, body, respond)

    def on_reason(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        after_event(services, body, lambda: _rejected(services, body, client))

    app.action(APPROVAL_ACTIONS)(on_click)
    app.view(REJECT_FORM)(on_reason)


def _on_click(
    ack: Ack, body: dict[str, Any], respond: Respond, later: Later, *, services: Services, client: WebClient
) -> None:
    ack()
    later(lambda: _clicked(services, body, respond, client))


def _clicked(services: Services, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """Approve at once; Reject first asks for a reason (when the person may reject at all)."""
    action = (body.get("actions") or [{}])[0]
    request_id = str(action.get("value", ""))
    where = clicked_where(body)
    if action_name(str(action.get("action_id", ""))) == Action.APPROVE.value:
        answer = services.approvals.approve(request_id, team=where.team, user=where.user)
        _tell(client, respond, where.channel, where.user, answer)
        return
    refused = services.approvals.check(request_id, team=where.team, user=where.user)
    if refused is not None:
        _tell(client, respond, where.channel, where.user, refused)
        return
    client.views_open(trigger_id=str(body.get("trigger_id", "")), view=reason_form(request_id, where.channel))


def _rejected(services: Services, body: dict[str, Any], client: WebClient) -> None:
    view = body.get("view") or {}
    origin = json.loads(view.get("private_metadata") or "{}")
    values = (view.get("state") or {}).get("values") or {}
    reason = str(((values.get(REASON) or {}).get(REASON) or {}).get("value") or "")[:REASON_MAX]
    where = clicked_where(body)
    answer = services.approvals.reject(str(origin.get("request", "")), team=where.team, user=where.user, reason=reason)
    _tell(client, None, str(origin.get("channel", "")), where.user, answer)


def reason_form(request_id: str, channel: str) -> dict[str, Any]:
    """The modal Reject opens: an optional reason; it remembers the request and where the click came from."""
    return {
        "type": "modal",
        "callback_id": REJECT_FORM,
        "private_metadata": json.dumps({"request": request_id, "channel": channel}),
        "title": {"type": "plain_text", "text": "Reject the request"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": REASON,
                "optional": True,
                "label": {"type": "plain_text", "text": "Reason (optional; the requester reads it)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON,
                    "multiline": True,
                    "max_length": REASON_MAX,
                },
            }
        ],
    }


def _tell(client: WebClient, respond: Respond | None, channel: str, user: str, answer: Message) -> None:
    """Privately: through the click's response URL, else as an ephemeral in its channel, else a direct message."""
    text, blocks = fallback_text(answer), render(answer)
    if respond is not None and respond.response_url:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    elif channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
    else:
        client.chat_postMessage(channel=user, text=text, blocks=blocks)
