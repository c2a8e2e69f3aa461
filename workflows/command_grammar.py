"""The ``/finetune`` slash-command grammar (PRODUCT.md §3), parsed into typed commands without I/O."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from workflows.dataset_rules import CustomizationType
from workflows.slack_text import Mrkdwn, bullets, code, mrkdwn

USAGE = """\
*`/finetune` — fine-tune an Amazon Bedrock model from Slack*
• `/finetune` or `/finetune new` — start a guided setup in a thread in this channel
• `/finetune new type=TYPE model=MODEL_ID data=s3://bucket/train.jsonl [validation=s3://…] [epochs=N] \
[name=NAME] [hyperparameter=value …]` — one-line setup: validates everything, then shows the review \
with its cost and a Start button
• `/finetune new type=distillation model=STUDENT teacher=TEACHER_ID data=s3://…` — one-line distillation \
(the teacher must be one of the student's teachers: `/finetune models distillation`)
• `/finetune new type=distillation model=STUDENT teacher=TEACHER_ID source=invocation-logs logs=s3://… \
[filters="KEY=VALUE KEY!=VALUE …"] [match=all|any] [responses=teacher|logged]` — distillation from model \
invocation logs instead of a file
• `/finetune new type=reinforcement model=MODEL_ID grader=arn:aws:lambda:… data=s3://…` — one-line \
reinforcement fine-tuning, graded by your Lambda function
• `/finetune status [JOB]` — one job, or your recent jobs
• `/finetune list` — jobs started in this channel, newest first
• `/finetune stop JOB` — stop a running job (tokens already trained are billed; nothing is kept)
• `/finetune cost` — estimated spend this month
• `/finetune deploy JOB_OR_MODEL [units=N] [commitment=none|1m|6m]` — deploy a completed job's custom model \
(by job name, custom model name or ARN), after a confirmation with its cost
• `/finetune deployments` — deployments in this workspace, with status and cost so far
• `/finetune try MODEL [side-by-side]` — a thread where the deployed custom model answers each message \
(side by side with its base model when asked)
• `/finetune undeploy NAME` — delete a deployment (after a confirmation); billing stops
• `/finetune audit [N]` — the latest N decisions in the audit log (admins only; 10 by default)
• `/finetune compare MODEL [n=N] [lines=3,7,10-14] [prompts=s3://…]` — ask a deployed model and its base \
model the job's held-out prompts and compare their answers with the reference answers
• `/finetune models [TYPE]` — base models you can customize
• `/finetune cancel` — abandon your setups in progress in this channel
• `/finetune help` — this message
TYPE is `instruction`, `continued-pretraining`, `conversation`, `distillation` or `reinforcement`."""

NOTHING_TO_CANCEL = "You have no setup in progress in this channel."
#: Room for the list of a one-line setup's problems in the answer (Slack's text stays well under 4,000).
PROBLEMS_TEXT_MAX = 2500


@dataclass(frozen=True, slots=True)
class Help:
    """Show the usage."""


@dataclass(frozen=True, slots=True)
class New:
    """Start a conversation; with options, the one-line setup."""

    options: dict[str, str] = field(default_factory=dict)

    @property
    def one_line(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True, slots=True)
class Status:
    """One job's status, or the person's recent jobs when ``job`` is None."""

    job: str | None = None


@dataclass(frozen=True, slots=True)
class ListJobs:
    """Jobs started in this channel."""


@dataclass(frozen=True, slots=True)
class Stop:
    """Stop a running job (after confirmation)."""

    job: str


@dataclass(frozen=True, slots=True)
class Cost:
    """Estimated spend this month."""


@dataclass(frozen=True, slots=True)
class Deploy:
    """Deploy a job's custom model (after confirmation); ``request`` is the words after ``deploy``."""

    request: str


@dataclass(frozen=True, slots=True)
class Deployments:
    """The workspace's deployments."""


@dataclass(frozen=True, slots=True)
class Undeploy:
    """Delete a deployment (after confirmation); ``request`` is the words after ``undeploy``."""

    request: str


@dataclass(frozen=True, slots=True)
class Try:
    """Open a Try it thread on a deployed custom model; ``request`` is the words after ``try``."""

    request: str


@dataclass(frozen=True, slots=True)
class Audit:
    """The latest audit entries (admins only); ``count`` None means the default."""

    count: int | None = None


@dataclass(frozen=True, slots=True)
class Compare:
    """Compare a deployed model with its base model; ``request`` is the words after ``compare``."""

    request: str


@dataclass(frozen=True, slots=True)
class Models:
    """The catalogue, optionally for one customization type."""

    customization: CustomizationType | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """Abandon the conversation in progress in this channel."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """Input that matches no command; ``problem`` says what was wrong, in words."""

    problem: str


Command = (
    Help
    | New
    | Status
    | ListJobs
    | Stop
    | Cost
    | Deploy
    | Deployments
    | Undeploy
    | Try
    | Audit
    | Compare
    | Models
    | Cancel
    | Unknown
)

#: The most entries ``audit N`` shows in Slack (the export has them all).
AUDIT_MAX = 50

#: Names a person may use for a type, beyond the canonical ones.
_TYPE_ALIASES = {
    "instruction": CustomizationType.INSTRUCTION,
    "fine-tuning": CustomizationType.INSTRUCTION,
    "finetuning": CustomizationType.INSTRUCTION,
    "continued-pretraining": CustomizationType.CONTINUED_PRETRAINING,
    "continued-pre-training": CustomizationType.CONTINUED_PRETRAINING,
    "cpt": CustomizationType.CONTINUED_PRETRAINING,
    "conversation": CustomizationType.CONVERSATION,
    "conversational": CustomizationType.CONVERSATION,
    "chat": CustomizationType.CONVERSATION,
    "distillation": CustomizationType.DISTILLATION,
    "distill": CustomizationType.DISTILLATION,
    "reinforcement": CustomizationType.REINFORCEMENT,
    "reinforcement-fine-tuning": CustomizationType.REINFORCEMENT,
    "rft": CustomizationType.REINFORCEMENT,
}

_OFFERED_TYPES = "instruction, continued-pretraining, conversation, distillation or reinforcement"


def parse_type(word: str) -> CustomizationType | None:
    """A customization type from what a person typed, or None when it names none."""
    return _TYPE_ALIASES.get(word.strip().lower())


def parse_command(text: str) -> Command:
    """Turn the text after ``/finetune`` into a command; never raises."""
    try:
        words = shlex.split(text.strip())
    except ValueError:
        return Unknown('a quote is not closed; check the quotes around a value such as name="my model"')
    if not words:
        return New()
    verb, rest = words[0].lower(), words[1:]
    if verb == "new":
        return _parse_new(rest)
    if verb in {"help", "-h", "--help", "?"}:
        return Help()
    return _parse_job_command(verb, rest)


def _parse_job_command(verb: str, rest: list[str]) -> Command:
    """The subcommands other than ``new`` and ``help``."""
    simple: dict[str, Command] = {
        "list": ListJobs(),
        "cost": Cost(),
        "cancel": Cancel(),
        "deployments": Deployments(),
    }
    if verb in simple:
        return simple[verb] if not rest else Unknown(f"{code(verb)} takes no arguments")
    if verb == "status":
        return Status(rest[0]) if len(rest) == 1 else Status() if not rest else _too_many(verb)
    if verb == "stop":
        if len(rest) != 1:
            return Unknown("`stop` needs exactly one job: `/finetune stop JOB` (see `/finetune list`)")
        return Stop(rest[0])
    requests: dict[str, type[Deploy | Undeploy | Try | Compare]] = {
        "deploy": Deploy,
        "undeploy": Undeploy,
        "try": Try,
        "compare": Compare,
    }
    if verb in requests:
        return requests[verb](" ".join(rest))
    if verb == "audit":
        return _parse_audit(rest)
    if verb == "models":
        if not rest:
            return Models()
        customization = parse_type(rest[0])
        if customization is None or len(rest) > 1:
            return Unknown(f"`models` takes one optional type: {_OFFERED_TYPES}")
        return Models(customization)
    return Unknown(f"{code(verb)} is not a /finetune command")


def _parse_audit(rest: list[str]) -> Command:
    """``audit`` or ``audit N`` with 1 ≤ N ≤ ``AUDIT_MAX``."""
    if not rest:
        return Audit()
    if len(rest) == 1 and rest[0].isascii() and rest[0].isdigit() and 1 <= int(rest[0]) <= AUDIT_MAX:
        return Audit(int(rest[0]))
    return Unknown(f"`audit` takes one optional number of entries, from 1 to {AUDIT_MAX}: `/finetune audit 20`")


def _too_many(verb: str) -> Unknown:
    return Unknown(f"{code(verb)} takes at most one job name")


def _parse_new(words: list[str]) -> Command:
    """``new key=value …``: keys are lower-cased; a bare word or a repeated key is refused."""
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            return Unknown(f"{code(word)} is not key=value; write it as e.g. `epochs=2`")
        if not value:
            return Unknown(f"{code(key + '=')} has no value")
        if key.lower() in options:
            return Unknown(f"{code(key)} is given twice")
        options[key.lower()] = value
    return New(options)


def unknown_answer(unknown: Unknown) -> str:
    """What a person is told about input that is no command (their words are shown, inert)."""
    return f"{unknown.problem}.\nType `/finetune help` to see every command."


def one_line_problems(problems: list[str]) -> Mrkdwn:
    """Why a one-line setup cannot start: every problem that fits, then "…and N more"."""
    return mrkdwn(
        "I can't start that setup yet:\n{listed}\n"
        "Fix them and run the command again, or type `/finetune` to be guided.",
        listed=bullets(problems, limit=PROBLEMS_TEXT_MAX),
    )
