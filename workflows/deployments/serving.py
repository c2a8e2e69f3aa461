"""Which deployment a person means: named by itself, its job, or its custom model (name or ARN), serving now."""

from __future__ import annotations

import logging

from workflows.deployments.deployment_ports import DeploymentStore
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus
from workflows.exceptions import BotError
from workflows.messages import Message
from workflows.ports import CustomizationJobs
from workflows.slack_text import code

logger = logging.getLogger(__name__)

#: Jobs whose custom model name is looked up in Bedrock when a name matches nothing else.
NAME_LOOKUPS = 20


def serving_deployment(
    store: DeploymentStore, jobs: CustomizationJobs, *, team: str, target: str, then: str
) -> DeploymentRecord | Message:
    """The newest ready deployment that ``target`` names in ``team``, or why none.

    ``then`` ends the answer about one still being deployed (``try it then``, ``compare it then``).
    """
    target = target.strip()
    records = store.in_team(team)
    matches = [record for record in records if target in {record.name, record.arn, record.job_name, record.model_arn}]
    if not matches:
        matches = _by_custom_model_name(jobs, records, target)
    if not matches:
        return Message(
            text=f"I don't know a deployment, job or custom model called {code(target)} in this workspace: "
            "`/finetune deployments` lists what is deployed, and `/finetune deploy JOB` deploys a model."
        )
    ready = [record for record in matches if record.status.ready]
    if ready:
        return ready[0]
    if any(record.status is DeploymentStatus.CREATING for record in matches):
        return Message(text=f"{code(target)} is still being deployed: its thread hears when it is ready; {then}.")
    return Message(
        text=f"{code(target)} has no deployment serving requests now ({matches[0].status.value}): "
        f"deploy it with {code('/finetune deploy ' + target)} first."
    )


def _by_custom_model_name(
    jobs: CustomizationJobs, records: list[DeploymentRecord], name: str
) -> list[DeploymentRecord]:
    """Deployments whose job made a custom model called ``name`` (asked of Bedrock, a few jobs at most)."""
    job_names = list(dict.fromkeys(record.job_name for record in records if record.job_name))[:NAME_LOOKUPS]
    for job_name in job_names:
        try:
            snapshot = jobs.describe(job_name)
        except BotError:
            logger.info("Could not read job %s while looking for custom model %s", job_name, name)
            continue
        if snapshot.custom_model_name == name:
            return [record for record in records if record.job_name == job_name]
    return []
