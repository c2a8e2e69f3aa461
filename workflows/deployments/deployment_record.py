"""A deployment as the product sees it: its route and status, what it asks AWS for, and the record it keeps."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workflows.catalogue import Commitment


class Route(StrEnum):
    """How a custom model is served."""

    #: CreateCustomModelDeployment: billed per input and output token, no hourly fee.
    ON_DEMAND = "on-demand"
    #: CreateProvisionedModelThroughput: billed per model unit and hour until deleted, used or not.
    PROVISIONED = "provisioned"

    @property
    def words(self) -> str:
        """What the route is called: ``on demand``, ``Provisioned Throughput``."""
        return {Route.ON_DEMAND: "on demand", Route.PROVISIONED: "Provisioned Throughput"}[self]

    @property
    def served(self) -> str:
        """How a model is served by it: ``on demand``, ``through Provisioned Throughput``."""
        return {Route.ON_DEMAND: "on demand", Route.PROVISIONED: "through Provisioned Throughput"}[self]


class DeploymentStatus(StrEnum):
    """Bedrock's statuses of both routes, and ``Deleted`` for one that no longer exists."""

    #: Being created (20–30 minutes for throughput).
    CREATING = "Creating"
    #: An on-demand deployment that answers requests.
    ACTIVE = "Active"
    #: A Provisioned Throughput that answers requests.
    IN_SERVICE = "InService"
    #: A Provisioned Throughput changing its units or model; it still answers.
    UPDATING = "Updating"
    #: Creation failed; ``failure_message`` says why (to the log only).
    FAILED = "Failed"
    #: Deleted, by the product or elsewhere; nothing is billed any more.
    DELETED = "Deleted"

    @property
    def ready(self) -> bool:
        """Answers requests (and, for throughput, is billed)."""
        return self in {DeploymentStatus.ACTIVE, DeploymentStatus.IN_SERVICE, DeploymentStatus.UPDATING}

    @property
    def terminal(self) -> bool:
        """Nothing more will happen to it: no watching, no reminders."""
        return self in {DeploymentStatus.FAILED, DeploymentStatus.DELETED}


class DeploymentRequest(BaseModel):
    """Everything a Create call needs, decided before the call is made."""

    model_config = ConfigDict(frozen=True)

    route: Route
    #: ``modelDeploymentName`` or ``provisionedModelName``; deterministic (``deployment_naming``).
    name: str
    client_request_token: str
    #: The custom model served: its ARN (``modelArn`` / ``modelId``).
    model_arn: str
    #: Provisioned Throughput only.
    units: int = Field(default=1, ge=1)
    commitment: Commitment = Commitment.NONE
    tags: dict[str, str] = Field(default_factory=dict)


class DeploymentSnapshot(BaseModel):
    """What Bedrock says about one deployment or throughput at one moment."""

    model_config = ConfigDict(frozen=True)

    route: Route
    arn: str
    name: str
    status: DeploymentStatus
    model_arn: str | None = None
    units: int | None = None
    commitment: Commitment = Commitment.NONE
    #: When a committed throughput may be deleted at the earliest.
    commitment_ends_at: datetime | None = None
    created_at: datetime | None = None
    #: AWS's own words: for the log only, never for a channel (see ``deployment_advice``).
    failure_message: str | None = None


class CustomModel(BaseModel):
    """A custom model as Bedrock describes it (``GetCustomModel``): enough to find the job that made it."""

    model_config = ConfigDict(frozen=True)

    arn: str
    name: str
    #: The customization job that made it; None for a model imported or copied into the account.
    job_name: str | None = None


class DeploymentRecord(BaseModel):
    """A deployment the product made, kept in Redis: where to report, whose it is, what it costs."""

    model_config = ConfigDict(frozen=True)

    name: str
    route: Route
    arn: str
    #: The last status people were told about (compare-and-set guards announcements).
    status: DeploymentStatus = DeploymentStatus.CREATING
    model_arn: str
    base_model_id: str
    #: The customization job that made the model, when known.
    job_name: str | None = None
    team: str
    channel: str
    thread_ts: str
    #: The person who started the job (for a model the product did not train, the admin who deployed it):
    #: with the admins, the only one who may delete it.
    owner: str
    #: Who confirmed the deployment (the owner or an admin).
    deployed_by: str
    units: int = Field(default=1, ge=1)
    commitment: Commitment = Commitment.NONE
    #: Dollars per hour for the whole throughput (all units); None on demand or when the price is unknown.
    hourly_cost: Decimal | None = None
    #: On demand: dollars per 1K input and output tokens, when known.
    input_per_1k: Decimal | None = None
    output_per_1k: Decimal | None = None
    created_at: datetime
    ready_at: datetime | None = None
    deleted_at: datetime | None = None
    #: When the last idle reminder went out (one per period).
    reminded_at: datetime | None = None
    #: When a replica claimed the next reminder and began posting it; cleared once it is posted or the post
    #: failed. A claim older than the claim time is one whose replica died: the next check takes it over.
    reminder_claimed_at: datetime | None = None


class TryThread(BaseModel):
    """A thread where people try a deployed custom model: each message in it is a question to the model."""

    model_config = ConfigDict(frozen=True)

    team: str
    channel: str
    #: The thread: its opening message's ts.
    thread_ts: str
    #: The deployment asked (its record's name), and its ARN, the ``modelId`` given to Converse.
    deployment: str
    model_id: str
    #: What people call the custom model (the job's name, else the deployment's).
    label: str
    #: The base model asked beside it: the ``modelId`` Converse takes in the bot's region (an on-demand model id
    #: or an inference profile id, see ``catalogue.base_model_invoke_target``), else its catalogue id.
    base_model_id: str
    #: False when the catalogue knows no way to invoke the base model in the bot's region: Side by side is refused.
    base_invocable: bool = True
    #: The system prompt of the training data, sent with every question; None when it had none.
    system_prompt: str | None = None
    #: Ask the base model too, and show both answers.
    side_by_side: bool = False
    opened_by: str
    opened_at: datetime


class TryExchange(BaseModel):
    """One question in a Try it thread and what each model said (None: it did not answer, or was not asked)."""

    model_config = ConfigDict(frozen=True)

    #: The question's message ts: orders the exchanges.
    ts: str
    question: str
    custom: str | None = None
    base: str | None = None


def reminder_due(record: DeploymentRecord, *, now: datetime, period_seconds: float, claim_seconds: float) -> bool:
    """No reminder within a period before ``now``, and none being posted (claimed within ``claim_seconds``)."""
    if record.reminded_at is not None and now - record.reminded_at < timedelta(seconds=period_seconds):
        return False
    claimed = record.reminder_claimed_at
    return claimed is None or now - claimed >= timedelta(seconds=claim_seconds)
