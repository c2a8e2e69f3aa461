"""What a verified body is, decided by its content type and fields, never by a word inside a value.

Slack sends three shapes to one URL: Events API callbacks as a JSON object, slash commands as a
form, and interactions as a form whose single ``payload`` field holds a JSON object. Anything else,
or bytes that are not what they claim (bad UTF-8, broken JSON, a JSON array), is ``MalformedBody``.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

#: Largest body read from a request; Slack's payloads are a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024
#: Most form fields a body may have; a slash command has about fifteen.
MAX_FORM_FIELDS = 100


class MalformedBody(ValueError):
    """A signed body that is not one of Slack's shapes; the message says which rule it broke."""


class Kind(StrEnum):
    """The shapes Slack posts to ``/slack/events``."""

    #: An Events API callback, URL verification or rate-limit notice (JSON).
    EVENT = "event"
    #: A slash command (form fields).
    COMMAND = "command"
    #: A button click, menu choice, shortcut or modal submission (form with a JSON ``payload``).
    INTERACTION = "interaction"
    #: Slack's probe of a slash command's TLS set-up (form with ``ssl_check``).
    SSL_CHECK = "ssl_check"


@dataclass(frozen=True, slots=True)
class SlackBody:
    """A body with its kind, parsed once; ``fields`` is what the listeners receive."""

    kind: Kind
    fields: dict[str, Any]
    #: The fields as one JSON object: what Bolt is given, so its own parsing has nothing to guess.
    as_json: str


def content_length(value: str | None) -> int | None:
    """The declared body size, or None when it is absent or not a plain non-negative number."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def parse(content_type: str, raw: bytes) -> SlackBody:
    """The body's kind and fields; ``MalformedBody`` for anything Slack would not send."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        kind, fields = Kind.EVENT, _typed_object(raw, "the JSON body")
    elif media_type == "application/x-www-form-urlencoded":
        kind, fields = _form(raw)
    else:
        raise MalformedBody("the content type is neither JSON nor a form")
    try:
        text = orjson.dumps(fields).decode("utf-8")
    except orjson.JSONEncodeError:
        raise MalformedBody("the fields cannot be written back as JSON") from None
    return SlackBody(kind, fields, text)


def _form(raw: bytes) -> tuple[Kind, dict[str, Any]]:
    try:
        text = raw.decode("utf-8")
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, encoding="utf-8", errors="strict"
        )
    except ValueError as exc:  # UnicodeDecodeError is a ValueError, and so is "too many fields"
        raise MalformedBody(f"the form does not parse ({type(exc).__name__})") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise MalformedBody("a form field is repeated")
    if "payload" in fields and "command" not in fields:
        return Kind.INTERACTION, _typed_object(fields["payload"].encode("utf-8"), "the payload field")
    if "command" in fields and "payload" not in fields:
        return Kind.COMMAND, fields
    if "ssl_check" in fields and not {"command", "payload"} & fields.keys():
        return Kind.SSL_CHECK, fields
    raise MalformedBody("the form is neither a slash command nor an interaction")


def _typed_object(raw: bytes, what: str) -> dict[str, Any]:
    """A JSON object with a string ``type``, as every Slack event and interaction has."""
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise MalformedBody(f"{what} is not valid JSON in UTF-8") from None
    if not isinstance(decoded, dict):
        raise MalformedBody(f"{what} is JSON but not an object")
    if not isinstance(decoded.get("type"), str):
        raise MalformedBody(f"{what} has no type")
    return decoded
