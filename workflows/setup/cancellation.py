"""What ``/finetune cancel`` did to each of a person's setups in a channel, and how that is said."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.setup.model import Stage

NOTHING_TO_CANCEL = "You have no setup in progress in this channel."


@dataclass
class Cancellation:
    """Counts of the person's setups, by what cancelling did to them."""

    cancelled: int = 0
    #: Setups whose job was being created: they can no longer be cancelled.
    starting: int = 0
    #: Setups that could not be cancelled (storage or Slack trouble); trying again may work.
    failed: int = 0

    def count(self, stage: Stage | None) -> None:
        """Count one setup by its stage after the attempt (None: it no longer exists)."""
        if stage is Stage.CANCELLED:
            self.cancelled += 1
        elif stage is Stage.STARTING:
            self.starting += 1
        elif stage is not None and not stage.finished:
            self.failed += 1

    def text(self) -> str:
        """One short paragraph for the person who asked."""
        parts = []
        if self.cancelled:
            setups = "your setup" if self.cancelled == 1 else f"your {self.cancelled} setups"
            parts.append(f"Cancelled {setups} in this channel. Nothing was started and nothing was spent.")
        if self.starting:
            subject = "1 setup is" if self.starting == 1 else f"{self.starting} setups are"
            parts.append(
                f"{subject} creating a job right now and can no longer be cancelled; "
                "stop it with `/finetune stop JOB` once it starts."
            )
        if self.failed:
            subject = "1 setup" if self.failed == 1 else f"{self.failed} setups"
            parts.append(f"I could not cancel {subject}; try `/finetune cancel` again in a minute.")
        return " ".join(parts) or NOTHING_TO_CANCEL
