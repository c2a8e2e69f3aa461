"""What a status seen in Bedrock means for a watched deployment: what to record, and what to announce (once)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.deployments.deployment_record import DeploymentStatus


class Announcement(StrEnum):
    """What the deployment's thread hears."""

    #: It answers requests now.
    READY = "ready"
    #: Creation failed; the reason is translated (``deployment_advice``).
    FAILED = "failed"
    #: It no longer exists in Bedrock although the product did not delete it.
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class WatchStep:
    """The status to record (None: nothing changed) and the announcement it earns, if any.

    The caller records ``status`` with the store's compare-and-set from the announced status, and
    announces only when that succeeds, so each transition is announced once however many replicas race.
    """

    status: DeploymentStatus | None = None
    announce: Announcement | None = None


def watch_step(announced: DeploymentStatus, seen: DeploymentStatus | None) -> WatchStep:
    """From the last announced status and the one Bedrock reports now (None: not found)."""
    if announced.terminal:
        return WatchStep()
    if seen is None:
        return WatchStep(DeploymentStatus.DELETED, Announcement.GONE)
    if seen is announced or seen is DeploymentStatus.DELETED:
        return WatchStep()
    if seen is DeploymentStatus.FAILED:
        return WatchStep(seen, Announcement.FAILED)
    if seen.ready:
        return WatchStep(seen, Announcement.READY if announced is DeploymentStatus.CREATING else None)
    # Creating again after being ready would be news to nobody: keep what was announced.
    return WatchStep()
