"""The conversation record persisted in Redis, and the stages it moves through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workflows.dataset_rules import CustomizationType
from workflows.setup.log_source import LogSource
from workflows.setup.outgoing import Outgoing

#: Bumped when the stored shape changes incompatibly; older records are then discarded politely.
SCHEMA_VERSION = 1


class Stage(StrEnum):
    """Where a conversation stands; each stage waits for one kind of answer."""

    #: Which kind of customization (buttons), or "help me choose".
    CHOOSING_TYPE = "choosing_type"
    #: Help me choose, question 1: what data do you have?
    ASKING_DATA = "asking_data"
    #: Help me choose, question 2: what should change?
    ASKING_GOAL = "asking_goal"
    #: Which base model (a menu of those that support the type in the region).
    CHOOSING_MODEL = "choosing_model"
    #: Distillation: which teacher writes the answers (buttons of the student's teachers in the region).
    CHOOSING_TEACHER = "choosing_teacher"
    #: Reinforcement fine-tuning: the grader Lambda's ARN, typed in the thread (and then checked).
    AWAITING_GRADER = "awaiting_grader"
    #: Waiting for the training file (upload in the thread) or an s3:// URI.
    AWAITING_TRAINING = "awaiting_training"
    #: Distillation from invocation logs: their S3 location and filters, typed (then logging is checked).
    AWAITING_LOGS = "awaiting_logs"
    #: The training dataset is being checked.
    CHECKING_TRAINING = "checking_training"
    #: Optional validation file, or skip.
    AWAITING_VALIDATION = "awaiting_validation"
    #: The validation dataset is being checked.
    CHECKING_VALIDATION = "checking_validation"
    #: Every setting, the counts and the cost, with Start.
    REVIEWING = "reviewing"
    #: *Request approval* was pressed: the approvers were asked, and the setup waits for their answer.
    AWAITING_APPROVAL = "awaiting_approval"
    #: Start was pressed; the job is being created.
    STARTING = "starting"
    #: The job exists; monitoring takes over.
    STARTED = "started"
    #: Abandoned by the person.
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in {Stage.STARTED, Stage.CANCELLED}


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file a person attached in the thread, as the Slack event describes it (not yet downloaded)."""

    id: str
    name: str
    size: int
    filetype: str
    mimetype: str
    download_url: str


def source_name(source: SlackFile | str) -> str:
    """The file name a person recognises: the upload's name, or the last part of an s3:// URI."""
    return source.name if isinstance(source, SlackFile) else source.rsplit("/", 1)[-1]


class DatasetRole(StrEnum):
    """Which of the two datasets a file is."""

    TRAINING = "training"
    VALIDATION = "validation"


class DatasetSummary(BaseModel):
    """A dataset that passed validation, and where it lives now."""

    model_config = ConfigDict(frozen=True)

    source: Literal["slack", "s3"]
    #: The file name a person sees.
    name: str
    #: Where Bedrock will read it: the original s3:// URI, or the product's copy of a Slack upload.
    uri: str
    size_bytes: int
    records: int
    tokens: int
    #: "single-turn" / "multi-turn" for conversational data, else None.
    turns: str | None = None
    warnings: int = 0
    #: The system prompt the training records share, when they have one (used when the model is tried).
    system_prompt: str | None = None
    #: The most tokens one record has (reinforcement: the longest prompt, held against maxPromptLength).
    longest_tokens: int | None = None
    #: A few records as JSON lines (reinforcement: what *Test my grader* sends the grader).
    samples: tuple[str, ...] = ()


class Busy(BaseModel):
    """Who is working on a busy stage (a dataset check or a launch), and until when they may."""

    model_config = ConfigDict(frozen=True)

    #: The process doing the work (host and process id), for logs and people asking.
    owner: str
    since: datetime
    #: After this the work is presumed lost (a crash, a lost thread) and the conversation recovers.
    until: datetime
    #: Identifies this attempt: a result from an earlier, abandoned attempt is ignored.
    token: str
    #: How many times this work was started (a lost check is run once more, then handed back).
    attempt: int = 1
    #: The dataset being checked (a Slack upload or an s3:// URI) and its role; None for a launch.
    role: DatasetRole | None = None
    source: SlackFile | str | None = None
    #: The message that shows the check's progress, then its verdict.
    slot: str | None = None


class Conversation(BaseModel):
    """One person's setup conversation in one thread."""

    model_config = ConfigDict(frozen=True)

    team: str
    channel: str
    #: The root message the bot posted; the conversation lives in its thread.
    thread_ts: str
    #: The person who started it; only they drive it.
    user: str
    stage: Stage = Stage.CHOOSING_TYPE
    #: Stages visited, so "Back" can return to the previous question.
    previous: tuple[Stage, ...] = ()
    customization: CustomizationType | None = None
    help_data: str | None = None
    help_goal: str | None = None
    model_id: str | None = None
    #: Distillation: the teacher's ``teacherModelIdentifier``.
    teacher_id: str | None = None
    #: Reinforcement fine-tuning: the grader Lambda's ARN, once it was found in the job's region.
    grader_arn: str | None = None
    #: An ARN typed and being looked up (the answer is ignored unless it matches).
    pending_grader: str | None = None
    #: The last *Test my grader* outcome: "passed" or "failed" (None: not tested).
    grader_test: str | None = None
    #: Whether the service role may invoke the grader: "allowed", "denied" or "unknown" (None: not checked).
    grader_access: str | None = None
    #: The sentence that says so; for "denied", what to add.
    grader_access_text: str | None = None
    training: DatasetSummary | None = None
    validation: DatasetSummary | None = None
    #: Distillation from invocation logs instead of a file: the source, once logging was checked.
    logs: LogSource | None = None
    #: A log source typed and being checked (the answer is ignored unless it matches).
    pending_logs: LogSource | None = None
    #: Hyperparameters the person changed (API name → string); defaults come from the catalogue.
    hyperparameters: dict[str, str] = Field(default_factory=dict)
    name: str | None = None
    #: A validation URI from the one-line setup, checked once the training file passes.
    queued_validation_uri: str | None = None
    #: The one-line setup of reinforcement fine-tuning: the training URI, checked once the grader is found.
    queued_training_uri: str | None = None
    #: The one-line setup without ``validation=``: a passing training file leads to the review
    #: (validation is optional) instead of the validation question.
    review_after_training: bool = False
    #: The request for approval the setup waits for (``awaiting_approval``).
    approval: str | None = None
    #: The requester pressed Back or Cancel while it waited: what the request's answer leads to, unless it
    #: was approved first (then the job starts and they are told so).
    leaving: Literal["back", "cancel"] | None = None
    job_name: str | None = None
    job_arn: str | None = None
    #: Set while a check or a launch runs (``checking_*``, ``starting``), or until the request for approval is
    #: confirmed stored and sent (``awaiting_approval``): its owner and deadline.
    busy: Busy | None = None
    #: What the bot owes the thread, oldest first, saved with the state that owes it (an outbox).
    outbox: tuple[Outgoing, ...] = ()
    #: Messages later replies may edit in place (slot → ts), e.g. a check's progress then verdict.
    slots: dict[str, str] = Field(default_factory=dict)
    #: The last outbox id handed out; each entry's id is unique in the conversation.
    sequence: int = 0
    #: The newest Slack deliveries (``event_id``) applied, saved with the step they made, so a retry
    #: of one is never applied again, whichever replica it reaches and however late.
    deliveries: tuple[str, ...] = ()
    created_at: datetime
    updated_at: datetime
    #: Optimistic-concurrency counter, owned by the store: a save must carry the version it read.
    version: int = 0

    @property
    def id(self) -> str:
        """Stable identity: workspace, channel and thread."""
        return f"{self.team}:{self.channel}:{self.thread_ts}"
