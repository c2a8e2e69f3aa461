"""The review before Start: every setting, the dataset counts and the cost; and changing settings there."""

from __future__ import annotations

import re
import shlex

from workflows.catalogue.costs import estimate_cost
from workflows.catalogue.hyperparameters import check_hyperparameters
from workflows.catalogue.schema import ModelSpec
from workflows.dataset_rules import TYPE_LABELS
from workflows.messages import Action, Button, Message, Style
from workflows.setup.model import Conversation
from workflows.setup.questions import BACK, CANCEL
from workflows.slack_text import code

#: What a job label may look like (it becomes part of the Bedrock job and model names).
JOB_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,39}$")

START = Button("Start fine-tuning", Action.START, style=Style.PRIMARY)
#: The review's validation line when there is none (it is optional).
NO_VALIDATION = (
    "none given (optional). To add one, press *Back* (or type `back`), then upload it or type its `s3://` URI."
)


def hyperparameters(conversation: Conversation, model: ModelSpec) -> dict[str, str]:
    """Every hyperparameter the job will be sent: the model's defaults with the person's changes."""
    assert conversation.customization is not None
    values = model.default_hyperparameters(conversation.customization)
    values.update(conversation.hyperparameters)
    return values


def epochs(conversation: Conversation, model: ModelSpec) -> int:
    """The epoch count, for the cost (models without the knob train one pass: counted as 1)."""
    return int(hyperparameters(conversation, model).get("epochCount", "1"))


def review_message(conversation: Conversation, model: ModelSpec) -> Message:
    """Everything the job will do and cost, with Start."""
    assert conversation.customization is not None
    assert conversation.training is not None
    training, validation = conversation.training, conversation.validation
    estimate = estimate_cost(
        model,
        training_tokens=training.tokens,
        validation_tokens=validation.tokens if validation else 0,
        epochs=epochs(conversation, model),
    )
    settings = ", ".join(
        code(f"{name}={value}") + (" (changed)" if name in conversation.hyperparameters else "")
        for name, value in hyperparameters(conversation, model).items()
    )
    facts = [
        ("Type", TYPE_LABELS.get(conversation.customization, str(conversation.customization))),
        ("Base model", f"{model.name} ({code(model.id)})"),
        ("Training data", _dataset_line(training.name, training.records, training.tokens, training.turns)),
        (
            "Validation data",
            _dataset_line(validation.name, validation.records, validation.tokens, validation.turns)
            if validation
            else NO_VALIDATION,
        ),
        ("Hyperparameters", settings or "none"),
        ("Name", conversation.name or "(derived from this thread)"),
    ]
    return Message(
        text=f"Review your fine-tuning job: {estimate.headline()}.",
        facts=tuple(facts),
        details=("*What it will cost*", estimate.text()),
        buttons=(START, BACK, CANCEL),
        context="Type `key=value` to change a setting (e.g. `epochCount=2`, `name=support-bot`), then press Start.",
    )


def _dataset_line(name: str, records: int, tokens: int, turns: str | None) -> str:
    shape = f", {turns}" if turns else ""
    return f"{code(name)}: {records:,} records, about {tokens:,} tokens{shape}"


def settings_change(conversation: Conversation, model: ModelSpec, text: str) -> tuple[Conversation, list[str]]:
    """Apply ``key=value`` words typed at the review; the unchanged conversation and the problems on error."""
    assert conversation.customization is not None
    try:
        words = shlex.split(text)
    except ValueError:
        return conversation, ["A quote is not closed."]
    pairs = [word.partition("=") for word in words]
    if not pairs or any(not sep or not key or not value for key, sep, value in pairs):
        return conversation, ["Write settings as `key=value`, for example `epochCount=2` or `name=support-bot`."]
    typed = {key: value for key, _, value in pairs}
    name = next((value for key, value in typed.items() if key.lower() == "name"), conversation.name)
    typed = {key: value for key, value in typed.items() if key.lower() != "name"}
    problems = [] if name is None or JOB_LABEL.match(name) else [_bad_name(name)]
    check = check_hyperparameters(model, conversation.customization, {**conversation.hyperparameters, **typed})
    problems += [problem.message for problem in check.problems]
    if problems:
        return conversation, problems
    defaults = model.default_hyperparameters(conversation.customization)
    changed = {key: value for key, value in check.values.items() if defaults.get(key) != value}
    return conversation.model_copy(update={"hyperparameters": changed, "name": name}), []


def _bad_name(name: str) -> str:
    return (
        f"{code(name)} cannot be a job name: use up to 40 letters, digits, spaces, `-` or `_`, "
        "starting with a letter or digit."
    )
