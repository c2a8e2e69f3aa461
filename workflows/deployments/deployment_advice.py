"""What to do about a failed or refused deployment, in words fit for a channel; AWS's own message never appears.

Like ``aws_advice`` for jobs: AWS messages can carry account ids and ARNs, so they go to the log and
people read the advice derived from the error code or from known words in the message.
"""

from __future__ import annotations

import re

from workflows.aws_advice import IN_THE_LOG

#: (words in a failure or refusal message, what to do). The first match wins, so specific patterns go first.
_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"quota|limit|model units? (are|is) not available|not enough|insufficient|capacity", re.IGNORECASE),
        "AWS has no capacity or quota for this: Provisioned Throughput model units must be granted by AWS first "
        "(request them through AWS Support or Service Quotas), or try on demand where the base model allows it.",
    ),
    (
        re.compile(r"not supported|on-?demand|unsupported", re.IGNORECASE),
        "This custom model cannot be served this way here: deploy it through Provisioned Throughput instead "
        "(`/finetune deploy MODEL units=1`).",
    ),
    (
        re.compile(r"not active|not ready|still being created|customization job", re.IGNORECASE),
        "The custom model is not ready yet: wait until its job has completed, then deploy it again.",
    ),
    (
        re.compile(r"access|denied|not authori[sz]ed|permission", re.IGNORECASE),
        "The bot's identity lacks a permission: it needs the deployment actions listed in iam/bot-policy.json "
        "and model access to the base model in this region.",
    ),
    (
        re.compile(r"kms|encrypt", re.IGNORECASE),
        "Bedrock could not use the custom model's encryption key: allow Bedrock to use that KMS key.",
    ),
    (
        re.compile(r"internal|unexpected|try again", re.IGNORECASE),
        "This is an error inside Bedrock, not in your model. Deploy it again; if it fails the same way, open "
        "an AWS Support case with the deployment's ARN.",
    ),
)

DEFAULT_HINT = (
    "Check that the custom model exists and is active in this region and that the bot's identity may deploy it; "
    "if the cause is still unclear, open an AWS Support case with the deployment's ARN."
)

_ACCESS_CODES = {"AccessDeniedException", "UnrecognizedClientException"}


def failure_hint(message: str | None) -> str:
    """What to do about a deployment that reached ``Failed``, from Bedrock's failure message."""
    for pattern, hint in _HINTS:
        if message and pattern.search(message):
            return hint
    return DEFAULT_HINT


def failure_text(message: str | None) -> str:
    """The whole explanation people read: the hint, and where Bedrock's own words are."""
    said = IN_THE_LOG if message else "Bedrock gave no reason."
    return f"{failure_hint(message)} {said}"


def refusal_text(error_code: str, message: str) -> str:
    """Why Bedrock refused to create, read or delete a deployment, and what to do next."""
    if error_code in _ACCESS_CODES:
        return (
            f"Bedrock denied the bot access ({error_code}): its identity needs the deployment actions listed in "
            f"iam/bot-policy.json, and model access to the base model in this region. {IN_THE_LOG}"
        )
    if error_code == "ServiceQuotaExceededException":
        return f"A Bedrock quota stops this deployment. {failure_hint('quota')} {IN_THE_LOG}"
    if error_code == "TooManyTagsException":
        return f"Bedrock rejected the deployment's tags (too many). {IN_THE_LOG}"
    if re.search(r"already (exists|used)|in use|clientRequestToken", message, re.IGNORECASE):
        return (
            "A deployment of this model with the same name is already being created, perhaps from another click: "
            f"`/finetune deployments` shows it. {IN_THE_LOG}"
        )
    return f"Bedrock refused the deployment ({error_code or 'an unknown error'}). {failure_hint(message)} {IN_THE_LOG}"
