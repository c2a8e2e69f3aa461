"""The deployment branch of the product's exception tree (``BotError`` is in ``workflows.exceptions``).

    BotError
    └── DeploymentError            Bedrock said no about a deployment; ``str()`` says what to do
        ├── DeploymentNotFound     no deployment or throughput by that name or ARN
        ├── DeploymentRejected     Bedrock refused to create it (access, quota, invalid request)
        └── DeploymentNotDeletable a committed throughput before its term ends

Throttling and outages that outlast the retries are the kernel's ``ServiceBusy``.
"""

from __future__ import annotations

from workflows.exceptions import BotError


class DeploymentError(BotError):
    """A deployment operation Bedrock answered with a definite no."""


class DeploymentNotFound(DeploymentError):
    """No such deployment (it may have been deleted elsewhere)."""


class DeploymentRejected(DeploymentError):
    """Bedrock did not create the deployment."""


class DeploymentNotDeletable(DeploymentError):
    """A Provisioned Throughput with a commitment cannot be deleted before its term ends."""
