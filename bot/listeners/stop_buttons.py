"""The stop confirmation's buttons: acknowledge, then stop the job (or not) and replace the question."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks import action_name, fallback_text, render
from bot.listeners.acting import request_team
from bot.listeners.apologies import Later, guarded
from bot.services import Services
from workflows.messages import Action
from workflows.setup.service import Where

#: The confirmation's two buttons (rendered as ``ft_confirm_stop:0`` and ``ft_keep_running:1``).
JOB_ACTIONS = re.compile(rf"^({Action.CONFIRM_STOP.value}|{Action.KEEP_RUNNING.value})(:\d+)?$")


def register(app: App, services: Services) -> None:
    def on_job_action(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        ack()
        later(lambda: _answer(services, body, respond))

    app.action(JOB_ACTIONS)(guarded(services, on_job_action))


def _answer(services: Services, body: dict[str, Any], respond: Respond) -> None:
    """Stop the job or keep it, and replace the question with what happened."""
    action = (body.get("actions") or [{}])[0]
    job = str(action.get("value", ""))
    if action_name(str(action.get("action_id", ""))) == Action.CONFIRM_STOP.value:
        message = services.jobs.confirm_stop(clicked_where(body), job)
    else:
        message = services.jobs.keep_running(job)
    respond(text=fallback_text(message), blocks=render(message), replace_original=True)


def clicked_where(body: dict[str, Any]) -> Where:
    """Workspace, channel and the person who clicked."""
    user = body.get("user") or {}
    team = request_team((body.get("team") or {}).get("id") or user.get("team_id", ""))
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    return Where(team, channel, user.get("id", ""))
