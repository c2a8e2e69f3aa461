"""The product's exception tree; adapters translate library errors into these at the boundary.

    BotError                      anything the product reports to a person in words
    ├── DatasetUnavailable        an s3:// dataset that is missing, a folder, unreadable, or elsewhere
    ├── DatasetTooLarge           over the upload cap or the model's file-size limit
    ├── JobLaunchFailed           Bedrock refused to create the job
    │   ├── AccessProblem         the role, the bot's identity, or model access
    │   ├── QuotaExceeded         a service quota (e.g. concurrent customization jobs)
    │   └── RequestRejected       Bedrock's validation message, passed on verbatim
    ├── JobNotFound               no such customization job
    ├── JobNotStoppable           the job has already finished
    ├── ServiceBusy               throttled or unavailable after retries; try again later
    └── ConcurrentUpdate          someone else changed the record first (retried internally)

Every message says what to do next; none carries a secret.
"""

from __future__ import annotations


class BotError(Exception):
    """A problem the product explains to a person; ``str(error)`` is that explanation."""


class DatasetUnavailable(BotError):
    """The dataset cannot be used where it is."""


class DatasetTooLarge(BotError):
    """The dataset is larger than allowed."""


class JobLaunchFailed(BotError):
    """Bedrock did not create the customization job."""


class AccessProblem(JobLaunchFailed):
    """Permissions or model access stop the job from starting."""


class QuotaExceeded(JobLaunchFailed):
    """A service quota stops the job from starting."""


class RequestRejected(JobLaunchFailed):
    """Bedrock rejected the request as invalid; its own message is included."""


class JobNotFound(BotError):
    """No customization job by that name."""


class JobNotStoppable(BotError):
    """The job is no longer running."""


class ServiceBusy(BotError):
    """AWS kept throttling or was unavailable after retries."""


class ConcurrentUpdate(BotError):
    """A record changed between reading and writing it."""
