"""Sample deployments: Alice's support model from #C1, on demand or through throughput, changed per test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from workflows.catalogue import Commitment
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.deployments.routing import DeployTarget

CREATED = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-micro-v1:0:128k/abcdef123456"
NOVA_MICRO = "amazon.nova-micro-v1:0:128k"
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"
OWNER = "U0ALICE"
ADMIN = "U0ADMIN"


def target(**changes: object) -> DeployTarget:
    """Alice's completed job on Nova Micro, customized after on-demand deployment became possible."""
    base = {
        "label": "support-tone",
        "custom_model_arn": MODEL_ARN,
        "base_model_id": NOVA_MICRO,
        "customized_on": date(2026, 10, 1),
        "owner": OWNER,
        "job_name": "support-tone",
    }
    return DeployTarget(**{**base, **changes})  # type: ignore[arg-type]


def throughput(name: str = "support-tone-pt1-0a1b2c3d", **changes: object) -> DeploymentRecord:
    """A one-unit, no-commitment throughput at $60.50 an hour, created at CREATED."""
    base = DeploymentRecord(
        name=name,
        route=Route.PROVISIONED,
        arn=f"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/{name[-8:]}abcd",
        model_arn=MODEL_ARN,
        base_model_id=NOVA_MICRO,
        job_name="support-tone",
        team="T1",
        channel="C1",
        thread_ts="1790000000.000100",
        owner=OWNER,
        deployed_by=OWNER,
        units=1,
        commitment=Commitment.NONE,
        hourly_cost=Decimal("60.50"),
        created_at=CREATED,
    )
    return base.model_copy(update=changes)


def on_demand(name: str = "support-tone-od1-0a1b2c3d", **changes: object) -> DeploymentRecord:
    """An on-demand deployment priced per 1K tokens."""
    base = throughput(name).model_copy(
        update={
            "route": Route.ON_DEMAND,
            "arn": f"arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/{name[-8:]}abcd",
            "hourly_cost": None,
            "input_per_1k": Decimal("0.000035"),
            "output_per_1k": Decimal("0.00014"),
        }
    )
    return base.model_copy(update=changes)


def ready(record: DeploymentRecord, at: datetime = CREATED) -> DeploymentRecord:
    status = DeploymentStatus.IN_SERVICE if record.route is Route.PROVISIONED else DeploymentStatus.ACTIVE
    return record.model_copy(update={"status": status, "ready_at": at})
