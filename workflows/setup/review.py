"""The review before Start: every setting, the dataset counts and the cost; and changing settings there."""

from __future__ import annotations

import re
import shlex
from decimal import Decimal

from workflows.catalogue.costs import CostEstimate, estimate_cost
from workflows.catalogue.hyperparameter_spec import name_key
from workflows.catalogue.hyperparameters import check_hyperparameters
from workflows.catalogue.prompt_costs import (
    estimate_distillation_cost,
    estimate_logs_distillation_cost,
    estimate_rft_cost,
)
from workflows.catalogue.schema import Catalogue, ModelSpec
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.governance.approval_view import REQUEST_APPROVAL as REQUEST_APPROVAL_LABEL
from workflows.governance.approval_view import needs_approval
from workflows.messages import Action, Button, Message, Style
from workflows.setup.model import Conversation
from workflows.setup.questions import BACK, CANCEL
from workflows.slack_text import code

#: What a job label may look like (it becomes part of the Bedrock job and model names).
JOB_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,39}$")

START = Button("Start fine-tuning", Action.START, style=Style.PRIMARY)
#: Start, when the policy asks for approval first: the same action, which then asks the approvers.
REQUEST_APPROVAL = Button(REQUEST_APPROVAL_LABEL, Action.START, style=Style.PRIMARY)
TEST_GRADER = Button("Test my grader", Action.TEST_GRADER)
#: Distillation: ``maxResponseLengthForInference``, the most tokens the teacher writes per answer. AWS
#: documents no default, so the bot sends this one (and the cost counts every answer at this length).
MAX_RESPONSE = "maxResponseLengthForInference"
DEFAULT_MAX_RESPONSE = 1000
_MAX_RESPONSE_NAMES = {name_key(name) for name in (MAX_RESPONSE, "maxResponseLength", "responseTokens")}
#: The review's validation line when there is none (it is optional).
NO_VALIDATION = (
    "none given (optional). To add one, press *Back* (or type `back`), then upload it or type its `s3://` URI."
)


def hyperparameters(conversation: Conversation, model: ModelSpec) -> dict[str, str]:
    """Every hyperparameter the job will be sent: the model's defaults with the person's changes."""
    assert conversation.customization is not None
    if conversation.customization is CustomizationType.DISTILLATION:
        return {MAX_RESPONSE: str(DEFAULT_MAX_RESPONSE), **conversation.hyperparameters}
    values = model.default_hyperparameters(conversation.customization)
    values.update(conversation.hyperparameters)
    return values


def epochs(conversation: Conversation, model: ModelSpec) -> int:
    """The epoch count, for the cost (models without the knob train one pass: counted as 1)."""
    return int(hyperparameters(conversation, model).get("epochCount", "1"))


def training_estimate(conversation: Conversation, model: ModelSpec, catalogue: Catalogue) -> Decimal | None:
    """What the job is estimated to cost upfront (None when a price or the data is unknown): what the review shows."""
    if conversation.training is None and conversation.logs is None:
        return None
    return cost_estimate(conversation, model, catalogue).upfront


def cost_estimate(conversation: Conversation, model: ModelSpec, catalogue: Catalogue) -> CostEstimate:
    """What the reviewed job will cost, by its type (the teacher's inference for distillation, hours for RFT)."""
    teacher = catalogue.teacher(conversation.teacher_id) if conversation.teacher_id else None
    if conversation.logs is not None and teacher is not None:
        return estimate_logs_distillation_cost(
            model,
            teacher,
            max_response_tokens=int(hyperparameters(conversation, model)[MAX_RESPONSE]),
            logged_responses=conversation.logs.use_logged_responses,
        )
    assert conversation.training is not None
    training, validation = conversation.training, conversation.validation
    if conversation.customization is CustomizationType.DISTILLATION and teacher is not None:
        return estimate_distillation_cost(
            model,
            teacher,
            prompt_tokens=training.tokens,
            prompts=training.records,
            max_response_tokens=int(hyperparameters(conversation, model)[MAX_RESPONSE]),
        )
    if conversation.customization is CustomizationType.REINFORCEMENT and model.prices.rft_training_per_hour:
        return estimate_rft_cost(model, prompt_tokens=training.tokens)
    return estimate_cost(
        model,
        training_tokens=training.tokens,
        validation_tokens=validation.tokens if validation else 0,
        epochs=epochs(conversation, model),
    )


def review_message(
    conversation: Conversation, model: ModelSpec, catalogue: Catalogue, *, approval: tuple[str, ...] = ()
) -> Message:
    """Everything the job will do and cost, with Start; with *Request approval* instead when ``approval`` says why."""
    assert conversation.customization is not None
    estimate = cost_estimate(conversation, model, catalogue)
    settings = ", ".join(
        code(f"{name}={value}") + (" (changed)" if name in conversation.hyperparameters else "")
        for name, value in hyperparameters(conversation, model).items()
    )
    facts = [
        ("Type", TYPE_LABELS.get(conversation.customization, str(conversation.customization))),
        ("Base model", f"{model.name} ({code(model.id)})"),
        *_data_facts(conversation),
        ("Hyperparameters", settings or "none (Bedrock chooses)"),
        ("Name", conversation.name or "(derived from this thread)"),
    ]
    start = REQUEST_APPROVAL if approval else START
    buttons: tuple[Button, ...] = (start, BACK, CANCEL)
    if conversation.teacher_id is not None:
        facts.insert(2, ("Teacher", code(conversation.teacher_id)))
    if conversation.grader_arn is not None:
        facts.insert(2, ("Grader", f"{code(conversation.grader_arn)} · {_tested(conversation.grader_test)}"))
        buttons = (start, TEST_GRADER, BACK, CANCEL)
    then = "press *Request approval*" if approval else "press Start"
    return Message(
        text=f"Review your fine-tuning job: {estimate.headline()}.",
        facts=tuple(facts),
        details=("*What it will cost*", estimate.text(), *((needs_approval(approval),) if approval else ())),
        buttons=buttons,
        context=f"Type `key=value` to change a setting (e.g. `epochCount=2`, `name=support-bot`), then {then}.",
    )


def _data_facts(conversation: Conversation) -> list[tuple[str, str]]:
    """The training and validation lines: the files, or the invocation logs (which take no validation file)."""
    if conversation.logs is not None:
        return [
            ("Training data", conversation.logs.describe()),
            ("Validation data", "none (a job that reads invocation logs takes no validation file)"),
        ]
    training, validation = conversation.training, conversation.validation
    assert training is not None
    return [
        ("Training data", _dataset_line(training.name, training.records, training.tokens, training.turns)),
        (
            "Validation data",
            _dataset_line(validation.name, validation.records, validation.tokens, validation.turns)
            if validation
            else NO_VALIDATION,
        ),
    ]


def _tested(outcome: str | None) -> str:
    if outcome == "passed":
        return "tested: it answers in the shape Bedrock needs"
    if outcome == "failed":
        return "its last test failed (see above)"
    return "not tested yet: press *Test my grader*"


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
    if conversation.customization is CustomizationType.DISTILLATION:
        return _distillation_change(conversation, typed, name, problems)
    check = check_hyperparameters(model, conversation.customization, {**conversation.hyperparameters, **typed})
    problems += [problem.message for problem in check.problems]
    problems += _prompt_length_problems(conversation, check.values)
    if problems:
        return conversation, problems
    defaults = model.default_hyperparameters(conversation.customization)
    changed = {key: value for key, value in check.values.items() if defaults.get(key) != value}
    return conversation.model_copy(update={"hyperparameters": changed, "name": name}), []


def _distillation_change(
    conversation: Conversation, typed: dict[str, str], name: str | None, problems: list[str]
) -> tuple[Conversation, list[str]]:
    """Distillation has one setting, the teacher's longest answer; AWS documents no training hyperparameters."""
    values = dict(conversation.hyperparameters)
    for key, value in typed.items():
        if name_key(key) not in _MAX_RESPONSE_NAMES:
            problems.append(
                f"{code(key)} is not a setting of a distillation job; the one setting is `{MAX_RESPONSE}` "
                "(the most tokens the teacher writes per answer)."
            )
        elif not value.isdigit() or int(value) < 1:
            problems.append(f"{MAX_RESPONSE} must be a whole number of tokens, 1 or more; you gave {code(value)}.")
        else:
            values[MAX_RESPONSE] = str(int(value))
    if problems:
        return conversation, problems
    return conversation.model_copy(update={"hyperparameters": values, "name": name}), []


def _prompt_length_problems(conversation: Conversation, values: dict[str, str]) -> list[str]:
    """Reinforcement: ``maxPromptLength`` must hold the longest prompt the dataset check counted."""
    limit = values.get("maxPromptLength")
    longest = conversation.training.longest_tokens if conversation.training else None
    if limit is None or longest is None or int(limit) >= longest:
        return []
    return [
        f"maxPromptLength={limit} is shorter than the longest prompt in your training data (about {longest:,} "
        f"tokens); set it to at least {longest:,} or shorten those prompts."
    ]


def _bad_name(name: str) -> str:
    return (
        f"{code(name)} cannot be a job name: use up to 40 letters, digits, spaces, `-` or `_`, "
        "starting with a letter or digit."
    )
