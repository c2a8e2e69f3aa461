"""What can happen to a conversation: a person's answers, and the results of the work it asked for."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.conversation.model import DatasetRole, DatasetSummary
from workflows.dataset_rules import CustomizationType


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file a person attached in the thread, as the Slack event describes it (not yet downloaded)."""

    id: str
    name: str
    size: int
    filetype: str
    mimetype: str
    download_url: str


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


@dataclass(frozen=True, slots=True)
class DatasetRefused:
    """The dataset could not be used; the service already showed the details (errors with lines)."""

    role: DatasetRole
    reason: str


@dataclass(frozen=True, slots=True)
class JobLaunched:
    job_name: str
    job_arn: str


@dataclass(frozen=True, slots=True)
class JobLaunchRefused:
    """Bedrock (or a missing setting) refused the job; ``reason`` says what to do."""

    reason: str


PersonEvent = (
    TypeChosen
    | HelpRequested
    | DataAnswered
    | GoalAnswered
    | ModelChosen
    | FileAttached
    | TextTyped
    | ValidationSkipped
    | StartPressed
    | BackPressed
    | CancelPressed
)
ResultEvent = DatasetAccepted | DatasetRefused | JobLaunched | JobLaunchRefused
Event = PersonEvent | ResultEvent
