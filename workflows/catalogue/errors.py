"""Errors raised by the model catalogue: a bad bundled file, a bad price override, an unknown model."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.exceptions import BotError
from workflows.slack_text import code

#: How a person lists the models, named in every "unknown model" message.
HOW_TO_LIST = "List the models with `finetune-bot models` or `/finetune models`."


class CatalogueError(BotError):
    """Base of every catalogue error; the message is fit to show a person."""


class CatalogueInvalid(CatalogueError):
    """The bundled catalogue file breaks its schema (a packaging bug, caught at start-up)."""


class PriceOverrideError(CatalogueError):
    """The price override file is unreadable or wrong; the message names the file, model and field."""


class UnknownModel(CatalogueError, LookupError):
    """No base model has this identifier; the message offers close matches."""

    def __init__(self, model_id: str, suggestions: Sequence[str] = ()) -> None:
        self.model_id = model_id
        self.suggestions = tuple(suggestions)
        super().__init__(_unknown_model_message(model_id, self.suggestions))


class UnsupportedCustomization(CatalogueError, ValueError):
    """The model does not offer this customization type."""


def _unknown_model_message(model_id: str, suggestions: Sequence[str]) -> str:
    message = f"Unknown model {code(model_id)}."
    if suggestions:
        message += " Did you mean " + " or ".join(code(s) for s in suggestions) + "?"
    return f"{message} {HOW_TO_LIST}"
