"""Who may deploy and delete: the person who started the job, and the admins (``FINETUNE_ADMINS``)."""

from __future__ import annotations

from workflows.deployments.deployment_record import DeploymentRecord
from workflows.deployments.routing import DeployTarget


def may_deploy(target: DeployTarget, user: str, admins: frozenset[str]) -> bool:
    """The job's starter or an admin; a model the product did not train, admins only."""
    return user in admins or (target.owner is not None and user == target.owner)


def may_delete(record: DeploymentRecord, user: str, admins: frozenset[str]) -> bool:
    """The person who started the job, or an admin (not merely whoever confirmed the deployment)."""
    return user == record.owner or user in admins
