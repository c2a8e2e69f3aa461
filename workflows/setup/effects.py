"""What the conversation asks the service to do; the service does it and feeds back an event."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.messages import Reply
from workflows.setup.events import SlackFile
from workflows.setup.log_source import LogSource
from workflows.setup.model import DatasetRole


@dataclass(frozen=True, slots=True)
class Say:
    """Post in the conversation's thread; a reply to a ``slot`` already posted edits that message instead."""

    reply: Reply
    slot: str | None = None


@dataclass(frozen=True, slots=True)
class Whisper:
    """Tell one person privately (an ephemeral message in the channel)."""

    user: str
    text: str


@dataclass(frozen=True, slots=True)
class CheckDataset:
    """Fetch and validate a dataset; answer with DatasetAccepted or DatasetRefused."""

    role: DatasetRole
    #: A Slack upload, or an ``s3://`` URI.
    source: SlackFile | str
    #: The attempt (``Busy.token``) the result belongs to.
    check: str = ""


@dataclass(frozen=True, slots=True)
class LaunchJob:
    """Create the Bedrock job from the conversation; answer with JobLaunched or JobLaunchRefused."""


@dataclass(frozen=True, slots=True)
class ResolveLaunch:
    """A launch outlived its deadline: find the job by its name in Bedrock and adopt it, or give Start back."""


@dataclass(frozen=True, slots=True)
class CheckGrader:
    """Look the grader Lambda up and whether the service role may invoke it; answer with GraderChecked."""

    arn: str
    #: Start was pressed while the role could not invoke it: check again, and start if it now may.
    start: bool = False


@dataclass(frozen=True, slots=True)
class TestGrader:
    """Invoke the grader with a few records and a plausible answer each; answer with GraderTested."""

    arn: str
    #: The records, as JSON lines.
    samples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckLogging:
    """Ask Bedrock whether model invocation logging delivers text to ``source``; answer with LoggingChecked."""

    source: LogSource
    #: Start was pressed: logging could have been turned off since the setup checked it; start if it is still on.
    start: bool = False


@dataclass(frozen=True, slots=True)
class RecordRefusal:
    """The policy refused an answer: write it to the audit log (``rule`` names the rule, ``subject`` the answer)."""

    rule: str
    subject: str


@dataclass(frozen=True, slots=True)
class RequestApproval:
    """Store the request for approval and send it to the approvers (once, by its id); answer with ApprovalAsked."""

    request_id: str


@dataclass(frozen=True, slots=True)
class WithdrawApproval:
    """The setup no longer waits for the request (a cancel, Back): withdraw it and tell its approvers."""

    request_id: str
    reason: str


#: What the service performs after the save; a ``Say`` goes to the outbox instead.
Work = (
    Whisper
    | CheckDataset
    | LaunchJob
    | ResolveLaunch
    | CheckGrader
    | TestGrader
    | CheckLogging
    | RecordRefusal
    | RequestApproval
    | WithdrawApproval
)
#: Every effect, a closed union: the outbox and the service each match it exhaustively (mypy checks it).
Effect = Say | Work
