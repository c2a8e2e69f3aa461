"""What can happen to a conversation: a person's answers, and the results of the work it asked for."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.dataset_rules import CustomizationType
from workflows.messages import Attachment, Message
from workflows.setup.log_source import LogSource
from workflows.setup.model import DatasetRole, DatasetSummary
from workflows.setup.model import SlackFile as SlackFile

# --- a person's answers (each carries who acted) ---


@dataclass(frozen=True, slots=True)
class TypeChosen:
    user: str
    customization: CustomizationType


@dataclass(frozen=True, slots=True)
class HelpRequested:
    user: str


@dataclass(frozen=True, slots=True)
class DataAnswered:
    user: str
    answer: str


@dataclass(frozen=True, slots=True)
class GoalAnswered:
    user: str
    answer: str


@dataclass(frozen=True, slots=True)
class ModelChosen:
    user: str
    model_id: str


@dataclass(frozen=True, slots=True)
class TeacherChosen:
    user: str
    teacher_id: str


@dataclass(frozen=True, slots=True)
class GraderTestPressed:
    """*Test my grader* at the review."""

    user: str


@dataclass(frozen=True, slots=True)
class LogsChosen:
    """*Use invocation logs* instead of a training file (distillation)."""

    user: str


@dataclass(frozen=True, slots=True)
class LoggingRecheckPressed:
    """*Check logging again*, after being told how to turn model invocation logging on."""

    user: str


@dataclass(frozen=True, slots=True)
class FileAttached:
    user: str
    file: SlackFile


@dataclass(frozen=True, slots=True)
class TextTyped:
    """Free text in the thread: an s3:// URI, ``key=value`` settings, back, cancel, skip, start…"""

    user: str
    text: str


@dataclass(frozen=True, slots=True)
class ValidationSkipped:
    user: str


@dataclass(frozen=True, slots=True)
class StartPressed:
    user: str


@dataclass(frozen=True, slots=True)
class BackPressed:
    user: str


@dataclass(frozen=True, slots=True)
class CancelPressed:
    user: str


# --- results of effects, fed back by the service ---


@dataclass(frozen=True, slots=True)
class DatasetAccepted:
    role: DatasetRole
    summary: DatasetSummary
    #: The attempt this result belongs to (``Busy.token``); "" matches any.
    check: str = ""
    #: What replaces the progress message (the report's summary), and the full report when long.
    verdict: Message | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class DatasetRefused:
    """The dataset could not be used; ``verdict`` shows the details (errors with lines)."""

    role: DatasetRole
    reason: str
    check: str = ""
    verdict: Message | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class JobLaunched:
    job_name: str
    job_arn: str


@dataclass(frozen=True, slots=True)
class JobLaunchRefused:
    """Bedrock (or a missing setting) refused the job; ``reason`` says what to do."""

    reason: str


@dataclass(frozen=True, slots=True)
class LaunchAbandoned:
    """An interrupted launch left no job in Bedrock: Start is available again."""


@dataclass(frozen=True, slots=True)
class GraderChecked:
    """The grader ARN was looked up; ``problem`` says why it cannot be used (None: found).

    ``access`` is whether the service role may invoke it (allowed, denied or unknown), ``access_text``
    the sentence saying so (with the fix, for denied); ``start`` answers a check made when Start was pressed.
    """

    arn: str
    problem: str | None = None
    access: str | None = None
    access_text: str = ""
    start: bool = False


@dataclass(frozen=True, slots=True)
class GraderTested:
    """What the grader answered to a few records: the verdict to show, and whether its answer was usable."""

    arn: str
    passed: bool
    verdict: Message


@dataclass(frozen=True, slots=True)
class LoggingChecked:
    """Whether model invocation logging delivers the logs ``source`` names: ``state`` is a ``LoggingState``
    value (on, off, unknown) and ``text`` says so, with the fix when it is off; ``start`` answers a check made
    when Start was pressed."""

    source: LogSource
    state: str
    text: str
    start: bool = False


@dataclass(frozen=True, slots=True)
class ApprovalAsked:
    """The request for approval is stored and on its way to the approvers."""

    request_id: str


@dataclass(frozen=True, slots=True)
class ApprovalAnswered:
    """The request was answered: ``status`` is approved, rejected, expired or withdrawn (``ApprovalStatus``)."""

    request_id: str
    status: str
    #: Withdrawn because the policy or a price changed: asked again as the setup stands now, if still needed.
    changed: bool = False


@dataclass(frozen=True, slots=True)
class Recover:
    """The scheduled tick looks in: a busy stage past its deadline recovers, anything else is unchanged."""


PersonEvent = (
    TypeChosen
    | HelpRequested
    | DataAnswered
    | GoalAnswered
    | ModelChosen
    | TeacherChosen
    | GraderTestPressed
    | LogsChosen
    | LoggingRecheckPressed
    | FileAttached
    | TextTyped
    | ValidationSkipped
    | StartPressed
    | BackPressed
    | CancelPressed
)
ResultEvent = (
    DatasetAccepted
    | DatasetRefused
    | JobLaunched
    | JobLaunchRefused
    | LaunchAbandoned
    | GraderChecked
    | GraderTested
    | LoggingChecked
    | ApprovalAsked
    | ApprovalAnswered
    | Recover
)
Event = PersonEvent | ResultEvent
