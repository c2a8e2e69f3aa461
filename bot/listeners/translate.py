"""Turn Slack payloads into conversation events (pure, so every mapping is unit-tested)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks import action_name
from bot.listeners.acting import request_team
from workflows.dataset_rules import CustomizationType
from workflows.messages import Action
from workflows.setup.events import (
    BackPressed,
    CancelPressed,
    DataAnswered,
    FileAttached,
    GoalAnswered,
    GraderTestPressed,
    HelpRequested,
    LoggingRecheckPressed,
    LogsChosen,
    ModelChosen,
    PersonEvent,
    SlackFile,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.service import Where


@dataclass(frozen=True, slots=True)
class Addressed:
    """An event for one conversation, and where it came from."""

    conversation_id: str
    event: PersonEvent
    where: Where


def from_action(body: dict[str, Any]) -> Addressed | None:
    """A button click or menu choice in a conversation thread, or None when it is not one of ours."""
    actions = body.get("actions") or []
    if not actions:
        return None
    action, user = actions[0], body["user"]["id"]
    event = _action_event(action_name(action.get("action_id", "")), _action_value(action), user)
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    thread_ts = container.get("thread_ts") or message.get("thread_ts") or container.get("message_ts")
    team = request_team((body.get("team") or {}).get("id") or body["user"].get("team_id", ""))
    if event is None or not channel or not thread_ts:
        return None
    return Addressed(f"{team}:{channel}:{thread_ts}", event, Where(team, channel, user))


def _action_value(action: dict[str, Any]) -> str:
    selected = action.get("selected_option")
    return str(selected["value"]) if selected else str(action.get("value", ""))


def _action_event(name: str, value: str, user: str) -> PersonEvent | None:
    simple: dict[str, PersonEvent] = {
        Action.HELP_ME_CHOOSE: HelpRequested(user),
        Action.SKIP_VALIDATION: ValidationSkipped(user),
        Action.START: StartPressed(user),
        Action.BACK: BackPressed(user),
        Action.CANCEL: CancelPressed(user),
        Action.TEST_GRADER: GraderTestPressed(user),
        Action.USE_LOGS: LogsChosen(user),
        Action.CHECK_LOGGING: LoggingRecheckPressed(user),
    }
    if name in simple:
        return simple[name]
    if name == Action.CHOOSE_TYPE and value in CustomizationType._value2member_map_:
        return TypeChosen(user, CustomizationType(value))
    if name == Action.ANSWER_DATA:
        return DataAnswered(user, value)
    if name == Action.ANSWER_GOAL:
        return GoalAnswered(user, value)
    if name == Action.CHOOSE_MODEL:
        return ModelChosen(user, value)
    if name == Action.CHOOSE_TEACHER:
        return TeacherChosen(user, value)
    return None


def from_message(body: dict[str, Any]) -> Addressed | None:
    """A person's reply or file upload in a thread, or None for anything the bot should ignore."""
    event = body.get("event") or {}
    subtype = event.get("subtype")
    if subtype not in (None, "file_share") or event.get("bot_id") or not event.get("user"):
        return None
    thread_ts, channel, user = event.get("thread_ts"), event.get("channel"), event["user"]
    if not thread_ts or not channel:
        return None
    team = request_team(body.get("team_id") or event.get("team", ""))
    where = Where(team, channel, user)
    files = event.get("files") or []
    if subtype == "file_share" and files:
        person_event: PersonEvent = FileAttached(user, _slack_file(files[0]))
    elif text := (event.get("text") or "").strip():
        person_event = TextTyped(user, _strip_mention(text))
    else:
        return None
    return Addressed(f"{team}:{channel}:{thread_ts}", person_event, where)


def _slack_file(file: dict[str, Any]) -> SlackFile:
    return SlackFile(
        id=str(file.get("id", "")),
        name=str(file.get("name") or file.get("title") or "dataset"),
        size=int(file.get("size") or 0),
        filetype=str(file.get("filetype") or ""),
        mimetype=str(file.get("mimetype") or ""),
        download_url=str(file.get("url_private_download") or file.get("url_private") or ""),
    )


def _strip_mention(text: str) -> str:
    """Slack wraps URIs as ``<s3://…>``; people may @-mention the bot first.

    Slack sends the ``&``, ``<`` and ``>`` a person typed as entities; they are turned back into
    the characters last, so the bot sees what was typed (and escapes it again when it echoes it).
    """
    words = [word for word in text.split() if not word.startswith("<@")]
    cleaned = " ".join(words)
    if cleaned.startswith("<") and cleaned.endswith(">"):
        cleaned = cleaned[1:-1].split("|", 1)[0]
    return cleaned.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
