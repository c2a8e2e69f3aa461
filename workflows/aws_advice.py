"""What to do about an AWS error, in words fit for a channel; AWS's own message never appears in them.

AWS error messages can carry account ids, role and instance ARNs and bucket names, so the
adapters log them and show people only the advice this module derives from the error code
(and, for a few codes, from words in the message that say which setting is at fault).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from workflows.slack_text import code as as_code


class Kind(StrEnum):
    """What sort of problem the advice is about (the adapter raises the matching ``BotError``)."""

    #: Permissions: the service role, the bot's identity, or model access.
    ACCESS = "access"
    #: A service quota.
    QUOTA = "quota"
    #: The request was refused as invalid.
    REJECTED = "rejected"
    #: Throttled or unavailable: try again later.
    BUSY = "busy"
    #: Anything else.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Advice:
    """The kind of problem and the sentence people read."""

    kind: Kind
    text: str


#: Where the full AWS message is, said in every advice that hides it.
IN_THE_LOG = "The exact reason is in finetune-bot's log."

_ACCESS_CODES = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnrecognizedClientException"}
#: Error codes that mean "not now" rather than "no": throttling and service-side trouble.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalServerException",
        "InternalFailure",
    }
)

_NAME_TAKEN = re.compile(r"already exists|currently in use", re.IGNORECASE)

#: (words in a ValidationException's message, the setting to check). The first match wins.
_REJECTION_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\brole\b|iam|assume|passrole", re.IGNORECASE),
        "Bedrock could not use the service role: check that FINETUNE_ROLE_ARN names an existing IAM role "
        "that trusts bedrock.amazonaws.com, and that the bot's identity may iam:PassRole it.",
    ),
    (
        re.compile(r"hyper ?param|epoch|learning ?rate|batch ?size|warmup", re.IGNORECASE),
        "Bedrock refused a hyperparameter value: change it at the review with `key=value` "
        "(the ranges are in `/finetune models`).",
    ),
    (
        re.compile(r"kms|encrypt", re.IGNORECASE),
        "Bedrock could not use the encryption key of a bucket: allow the service role kms:Decrypt and "
        "kms:GenerateDataKey on it.",
    ),
    (
        re.compile(r"\bs3\b|s3://|bucket|uri", re.IGNORECASE),
        "Bedrock could not use a dataset or the output location: check that the datasets and FINETUNE_BUCKET "
        "are in this region and that the service role may read and write them.",
    ),
    (
        re.compile(r"model", re.IGNORECASE),
        "Bedrock refused the base model: check that model access is enabled in the Bedrock console for this "
        "region and that the model supports this customization.",
    ),
)


def launch_advice(error_code: str, message: str, *, base_model_id: str) -> Advice:
    """Why Bedrock refused to create a customization job, and what to check next."""
    if error_code in _ACCESS_CODES:
        return Advice(
            Kind.ACCESS,
            f"Bedrock denied access ({error_code}). Check the role and policy settings: FINETUNE_ROLE_ARN must "
            "name a service role that trusts bedrock.amazonaws.com and may read the dataset and write "
            "FINETUNE_BUCKET, the bot's identity needs bedrock:CreateModelCustomizationJob and iam:PassRole "
            f"on that role, and model access to {as_code(base_model_id)} must be enabled in this region. " + IN_THE_LOG,
        )
    if error_code == "ServiceQuotaExceededException":
        return Advice(
            Kind.QUOTA,
            "A Bedrock quota stops the job. Wait for a running job to finish, or request a quota increase in "
            "Service Quotas (service: Amazon Bedrock). " + IN_THE_LOG,
        )
    if error_code == "ResourceInUseException" or _NAME_TAKEN.search(message):
        return Advice(
            Kind.REJECTED,
            "A customization job or custom model with this job's name already exists: give this job another "
            "name at the review (`name=…`) and start it again. " + IN_THE_LOG,
        )
    if error_code in {"ValidationException", "ConflictException"}:
        return Advice(Kind.REJECTED, f"Bedrock rejected the job. {_rejection_hint(message)} {IN_THE_LOG}")
    if error_code == "TooManyTagsException":
        return Advice(Kind.REJECTED, "Bedrock rejected the job's tags (too many). " + IN_THE_LOG)
    if error_code == "ResourceNotFoundException":
        return Advice(
            Kind.REJECTED,
            "Bedrock could not find something the job needs: check the base model "
            f"{as_code(base_model_id)} and FINETUNE_ROLE_ARN. " + IN_THE_LOG,
        )
    return _common(error_code, "Bedrock did not start the job")


def job_advice(error_code: str, message: str) -> Advice:
    """Why reading, listing or stopping customization jobs failed, and what to do next."""
    if error_code in _ACCESS_CODES:
        return Advice(
            Kind.ACCESS,
            f"Bedrock denied the bot access ({error_code}). Check the role and policy settings: its identity "
            "needs bedrock:GetModelCustomizationJob, ListModelCustomizationJobs and StopModelCustomizationJob. "
            + IN_THE_LOG,
        )
    if error_code == "ValidationException":
        return Advice(Kind.REJECTED, f"Bedrock rejected the request. {_rejection_hint(message)} {IN_THE_LOG}")
    return _common(error_code, "Bedrock did not answer")


def _common(error_code: str, what: str) -> Advice:
    """Throttling and everything unexpected: the error code, never the message."""
    shown = error_code or "an unknown error"
    if error_code in TRANSIENT_CODES:
        return Advice(Kind.BUSY, f"{what} ({shown}): it is busy right now. Please try again in a few minutes.")
    return Advice(Kind.FAILED, f"{what} ({shown}). Please try again later. {IN_THE_LOG}")


def _rejection_hint(message: str) -> str:
    for pattern, hint in _REJECTION_HINTS:
        if pattern.search(message):
            return hint
    return "Check the base model, the hyperparameters and the datasets."
