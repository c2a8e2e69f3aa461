"""The one-line setup (``/finetune new type=… model=… data=s3://…``): check it all, then plan."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from workflows.catalogue.errors import UnknownModel
from workflows.catalogue.hyperparameters import check_hyperparameters
from workflows.catalogue.schema import ModelSpec
from workflows.command_grammar import parse_type
from workflows.dataset_rules import CustomizationType
from workflows.governance.policy import rules_in
from workflows.governance.policy_decisions import Refusal, model_refusal, type_refusal
from workflows.messages import Message, Reply
from workflows.setup.effects import CheckGrader, Say
from workflows.setup.grader import arn_problem
from workflows.setup.log_source import SOURCE_WORDS, LogSource, parse_source
from workflows.setup.machine import Context, Step, check_logging, start_check
from workflows.setup.model import Conversation, Stage
from workflows.setup.review import JOB_LABEL, MAX_RESPONSE, settings_change
from workflows.slack_text import code

S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]*[^/\s]$")
_KNOWN = {"type", "model", "data", "validation", "epochs", "name", "teacher", "grader", "source", *SOURCE_WORDS}
#: ``source=``: a training file (``data=``, the default) or the model invocation logs (``logs=``).
_SOURCES = {"file": False, "dataset": False, "invocation-logs": True, "logs": True}


@dataclass(frozen=True, slots=True)
class OneLinePlan:
    """A checked one-line setup: the answers, and the training check to run first."""

    customization: CustomizationType
    model_id: str
    #: The training file; None when the prompts come from invocation logs (``logs``).
    training_uri: str | None
    validation_uri: str | None
    hyperparameters: dict[str, str]
    name: str | None
    now: datetime
    teacher_id: str | None = None
    grader_arn: str | None = None
    logs: LogSource | None = None

    def start(self, *, team: str, channel: str, thread_ts: str, user: str, context: Context) -> Step:
        """The conversation checking the training data (owned and with a deadline, like any check);
        for reinforcement fine-tuning, looking the grader up first."""
        waiting = self.conversation(team=team, channel=channel, thread_ts=thread_ts, user=user)
        if self.grader_arn is not None:
            looking = waiting.model_copy(
                update={
                    "stage": Stage.AWAITING_GRADER,
                    "pending_grader": self.grader_arn,
                    "queued_training_uri": self.training_uri,
                }
            )
            text = Message(f"Looking up the grader {code(self.grader_arn)}…")
            return Step(looking, (Say(Reply(text)), CheckGrader(self.grader_arn)))
        if self.logs is not None:
            checking = waiting.model_copy(
                update={"stage": Stage.AWAITING_LOGS, "previous": (*waiting.previous, Stage.AWAITING_TRAINING)}
            )
            return check_logging(checking, self.logs, context)
        assert self.training_uri is not None, "a plan has a training file or invocation logs"
        return start_check(waiting, self.training_uri, context)

    def conversation(self, *, team: str, channel: str, thread_ts: str, user: str) -> Conversation:
        """The conversation, already past type and model, waiting for the training data it was given."""
        return Conversation(
            team=team,
            channel=channel,
            thread_ts=thread_ts,
            user=user,
            stage=Stage.AWAITING_TRAINING,
            previous=(Stage.CHOOSING_TYPE, Stage.CHOOSING_MODEL),
            customization=self.customization,
            model_id=self.model_id,
            teacher_id=self.teacher_id,
            hyperparameters=self.hyperparameters,
            name=self.name,
            queued_validation_uri=self.validation_uri,
            review_after_training=self.validation_uri is None,
            created_at=self.now,
            updated_at=self.now,
        )


def policy_refusals(
    options: Mapping[str, str], context: Context, *, team: str, channel: str
) -> list[tuple[Refusal, str]]:
    """The policy's refusals of the type and the model named (each with what it refused), in that order."""
    rules = rules_in(context.policy, team, channel)
    refusals: list[tuple[Refusal, str]] = []
    customization = parse_type(options.get("type", ""))
    if customization is not None and (refused := type_refusal(rules, customization)) is not None:
        refusals.append((refused, customization.value))
    try:
        model = context.catalogue.model(options.get("model", ""))
    except UnknownModel:
        return refusals
    if (refused := model_refusal(rules, model.id, model.name)) is not None:
        refusals.append((refused, model.id))
    return refusals


def plan_one_line(  # noqa: C901 — one flat list of independent checks, each adding its problem
    options: Mapping[str, str], context: Context, *, team: str, channel: str
) -> OneLinePlan | list[str]:
    """Every problem with the options at once (the policy's refusals in ``team``/``channel`` too), or the plan."""
    refused = policy_refusals(options, context, team=team, channel=channel)
    problems: list[str] = [refusal.reason for refusal, _ in refused]
    for key in ("type", "model"):
        if key not in options:
            problems.append(f"`{key}=` is required.")
    customization = parse_type(options.get("type", "")) if "type" in options else None
    if "type" in options and customization is None:
        problems.append(
            f"{code('type=' + options['type'])} is not a type: use instruction, continued-pretraining, conversation, "
            "distillation or reinforcement."
        )
    elif customization is not None and not context.catalogue.customization(customization).offered:
        problems.append(
            f"{customization} is not offered here yet: use instruction, continued-pretraining or conversation."
        )
        customization = None
    problems += _type_specific_problems(options, customization, context)
    logs = _source(options, customization, problems)
    for key in ("data", "validation"):
        if key in options and not S3_URI.match(options[key]):
            problems.append(
                f"{code(key + '=' + options[key])} is not an S3 object URI like `s3://bucket/path/train.jsonl`."
            )
    name = options.get("name")
    if name is not None and not JOB_LABEL.match(name):
        problems.append(f"{code('name=' + name)}: use up to 40 letters, digits, spaces, `-` or `_`.")
    model = None
    if "model" in options:
        try:
            model = context.catalogue.model(options["model"])
        except UnknownModel as exc:
            problems.append(str(exc))
    if model is not None and customization is not None:
        if not model.supports(customization):
            problems.append(f"{model.name} does not support {customization}; see `/finetune models {customization}`.")
        elif not model.in_region(context.region):
            problems.append(f"{model.name} is not available in {context.region} (it is in {', '.join(model.regions)}).")
        elif customization is CustomizationType.DISTILLATION:
            problems += _teacher_problems(options.get("teacher"), model, context)
            overrides = _distillation_settings(options, model, context, problems)
        else:
            typed = {key: value for key, value in options.items() if key not in _KNOWN}
            if "epochs" in options:
                typed["epochCount"] = options["epochs"]
            check = check_hyperparameters(model, customization, typed)
            problems += [problem.message + "." for problem in check.problems]
            overrides = {
                k: v for k, v in check.values.items() if model.default_hyperparameters(customization).get(k) != v
            }
    if problems or model is None or customization is None:
        return problems
    return OneLinePlan(
        customization=customization,
        model_id=model.id,
        training_uri=options.get("data"),
        validation_uri=options.get("validation"),
        hyperparameters=overrides,
        name=name,
        now=context.now,
        teacher_id=options.get("teacher") if customization is CustomizationType.DISTILLATION else None,
        grader_arn=options.get("grader") if customization is CustomizationType.REINFORCEMENT else None,
        logs=logs,
    )


def _source(
    options: Mapping[str, str], customization: CustomizationType | None, problems: list[str]
) -> LogSource | None:
    """The invocation logs a distillation reads instead of ``data=`` (None: a file); problems go to ``problems``."""
    source = options.get("source", "").lower()
    if source and source not in _SOURCES:
        problems.append(
            f"{code('source=' + source[:40])}: use `source=file` (with `data=`) or `source=invocation-logs`."
        )
        return None
    from_logs = _SOURCES.get(source, False) or "logs" in options
    words = [key for key in SOURCE_WORDS if key in options]
    if not from_logs:
        problems.extend(f"`{key}=` goes with `logs=` only." for key in words)
        if "data" not in options:
            problems.append("`data=` is required.")
        return None
    if customization is not None and customization is not CustomizationType.DISTILLATION:
        problems.append("Only `type=distillation` can read invocation logs (`source=invocation-logs`).")
    for key in ("data", "validation"):
        if key in options:
            problems.append(f"`{key}=` does not go with invocation logs: the prompts come from `logs=`.")
    parsed = parse_source(options)
    if isinstance(parsed, list):
        problems += parsed
        return None
    return parsed


def _type_specific_problems(
    options: Mapping[str, str], customization: CustomizationType | None, context: Context
) -> list[str]:
    """``teacher=`` goes with distillation and ``grader=`` with reinforcement, each required there."""
    problems = []
    if customization is CustomizationType.REINFORCEMENT:
        if "grader" not in options:
            problems.append("`grader=` is required for reinforcement: the ARN of the grader Lambda.")
        elif (bad := arn_problem(options["grader"], context.region)) is not None:
            problems.append(bad)
    if customization is CustomizationType.DISTILLATION and "teacher" not in options:
        problems.append("`teacher=` is required for distillation: a teacher's id (`/finetune models distillation`).")
    for key, needs in (("teacher", CustomizationType.DISTILLATION), ("grader", CustomizationType.REINFORCEMENT)):
        if key in options and customization is not needs:
            problems.append(f"`{key}=` goes with `type={needs.value}` only.")
    return problems


def _teacher_problems(teacher: str | None, model: ModelSpec, context: Context) -> list[str]:
    teachers = context.catalogue.teachers_for(model, context.region)
    if teacher is None or teacher in {known.id for known in teachers}:
        return []
    names = ", ".join(code(known.id) for known in teachers) or "none here"
    return [f"{code('teacher=' + teacher)} cannot teach {model.name} in {context.region}; its teachers: {names}."]


def _distillation_settings(
    options: Mapping[str, str], model: ModelSpec, context: Context, problems: list[str]
) -> dict[str, str]:
    """Distillation's one setting (the teacher's longest answer), checked as the review checks it."""
    typed = {key: value for key, value in options.items() if key not in _KNOWN}
    if "epochs" in options:
        problems.append("`epochs=` does not apply to distillation: Bedrock chooses the student's training.")
    if not typed:
        return {}
    probe = Conversation(
        team="",
        channel="",
        thread_ts="",
        user="",
        customization=CustomizationType.DISTILLATION,
        created_at=context.now,
        updated_at=context.now,
    )
    words = " ".join(f"{key}={value}" for key, value in typed.items())
    changed, found = settings_change(probe, model, words)
    problems += found
    return {MAX_RESPONSE: changed.hyperparameters[MAX_RESPONSE]} if MAX_RESPONSE in changed.hyperparameters else {}
