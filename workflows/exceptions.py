"""The product's exception tree; adapters translate library errors into these at the boundary.

    BotError                      anything the product reports to a person in words
    ├── DatasetUnavailable        an s3:// dataset that is missing, a folder, unreadable, or elsewhere
    ├── DatasetTooLarge           over the upload cap or the model's file-size limit
    ├── DatasetNotText            a binary file where JSON Lines text was expected
    ├── JobLaunchFailed           Bedrock refused to create the job
    │   ├── AccessProblem         the role, the bot's identity, or model access
    │   ├── QuotaExceeded         a service quota (e.g. concurrent customization jobs)
    │   └── RequestRejected       Bedrock's validation message, passed on verbatim
    ├── GraderUnavailable         the grader Lambda is missing, elsewhere, or cannot be called
    ├── JobNotFound               no such customization job
    ├── JobNotStoppable           the job has already finished
    ├── ServiceBusy               throttled or unavailable after retries; try again later
    ├── ConcurrentUpdate          someone else changed the record first (retried internally)
    ├── StorageUnavailable        the bot's state store (Redis) does not answer; nothing was done
    └── MessageGone               a Slack thread, message or channel the bot refers to no longer exists
        └── WorkspaceGone         the workspace has no installation of the app (uninstalled, or never installed)

Every message says what to do next; none carries a secret.
"""

from __future__ import annotations


class BotError(Exception):
    """A problem the product explains to a person; ``str(error)`` is that explanation."""


class DatasetUnavailable(BotError):
    """The dataset cannot be used where it is."""


class DatasetTooLarge(BotError):
    """The dataset is larger than allowed."""


class DatasetNotText(BotError):
    """The dataset is binary data, not JSON Lines text."""


class JobLaunchFailed(BotError):
    """Bedrock did not create the customization job."""


class AccessProblem(JobLaunchFailed):
    """Permissions or model access stop the job from starting."""


class QuotaExceeded(JobLaunchFailed):
    """A service quota stops the job from starting."""


class RequestRejected(JobLaunchFailed):
    """Bedrock rejected the request as invalid; its own message is included."""


class GraderUnavailable(BotError):
    """The grader Lambda cannot be found or called; ``str(error)`` says why and what to do."""


class JobNotFound(BotError):
    """No customization job by that name."""


class JobNotStoppable(BotError):
    """The job is no longer running."""


class ServiceBusy(BotError):
    """AWS kept throttling or was unavailable after retries."""


class ConcurrentUpdate(BotError):
    """A record changed between reading and writing it."""


#: What a person is told when the state store does not answer.
STORAGE_UNAVAILABLE = "I can't reach my storage right now; nothing was started. Try again in a minute."


class StorageUnavailable(BotError):
    """The state store does not answer, so nothing can be started or changed; ``str()`` is the apology."""

    def __init__(self, message: str = STORAGE_UNAVAILABLE) -> None:
        super().__init__(message)


class MessageGone(BotError):
    """Slack answered ``thread_not_found``, ``message_not_found`` or ``channel_not_found``."""


class WorkspaceGone(MessageGone):
    """The bot has no token for the workspace it would post to: the app was uninstalled there (or never installed)."""
