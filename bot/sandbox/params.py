"""Web API arguments as the emulator reads them, and the error answer Slack gives for bad ones."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.sandbox import blockkit
from bot.sandbox.records import JSON


class ApiError(Exception):
    """A Slack error answer: ``{"ok": false, "error": code}`` plus optional detail messages."""

    def __init__(self, code: str, messages: Sequence[str] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)

    def as_response(self) -> JSON:
        """The JSON body Slack sends for this error."""
        body: JSON = {"ok": False, "error": self.code}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


class Params:
    """One call's arguments, whether they came form-encoded (all strings) or as JSON."""

    def __init__(self, values: JSON) -> None:
        self.values = values

    def text(self, key: str) -> str | None:
        """A string argument; absent, null and empty all read as ``None``."""
        value = self.values.get(key)
        if value is None or value == "":
            return None
        return value if isinstance(value, str) else str(value)

    def require(self, key: str, error: str = "invalid_arguments") -> str:
        """A required string argument; Slack's ``error`` code when it is missing."""
        value = self.text(key)
        if value is None:
            detail = [f"[ERROR] missing required field: {key}"] if error == "invalid_arguments" else []
            raise ApiError(error, detail)
        return value

    def flag(self, key: str) -> bool:
        """A boolean argument: ``true``/``1`` in form bodies, a JSON boolean otherwise."""
        value = self.values.get(key)
        if isinstance(value, str):
            return value.lower() in {"true", "1"}
        return bool(value)

    def blocks(self, key: str = "blocks", error: str = "invalid_blocks_format") -> list[JSON] | None:
        """A list of block or attachment objects, decoding the JSON string a form body carries."""
        try:
            return blockkit.parse_json_list(self.values.get(key))
        except ValueError as exc:
            raise ApiError(error, [f"[ERROR] {key} must be a JSON array of objects"]) from exc

    def obj(self, key: str) -> JSON | None:
        """A JSON object argument (``view``, ``metadata``), decoding a JSON string if need be."""
        value = self.values.get(key)
        if value is None or value == "":
            return None
        try:
            decoded = json.loads(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise ApiError("invalid_arguments", [f"[ERROR] {key} must be a JSON object"]) from exc
        if not isinstance(decoded, dict):
            raise ApiError("invalid_arguments", [f"[ERROR] {key} must be a JSON object"])
        return decoded
