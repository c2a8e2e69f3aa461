"""The ``/finetune`` slash command: acknowledge at once with the answer, or with what to do next."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from workflows.commands import USAGE, Help, Unknown, parse_command


def register(app: App, services: Services) -> None:
    """Route ``/finetune`` to ``on_finetune``."""

    def on_finetune(ack: Ack, command: dict[str, Any]) -> None:
        parsed = parse_command(command.get("text", ""))
        if isinstance(parsed, Help):
            ack(text=USAGE, response_type="ephemeral")
        elif isinstance(parsed, Unknown):
            ack(
                text=f"{parsed.problem}.\nType `/finetune help` to see every command.",
                response_type="ephemeral",
            )
        else:
            verb = command.get("text", "").split()[0] if command.get("text", "").strip() else "new"
            ack(
                text=f"`/finetune {verb}` is not available in this version yet. "
                "Type `/finetune help` to see the commands.",
                response_type="ephemeral",
            )

    app.command("/finetune")(on_finetune)
