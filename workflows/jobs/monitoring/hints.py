"""What to do about a failed job: Bedrock's common failure messages mapped to a hint (bedrock.md §6e)."""

from __future__ import annotations

import re

#: (pattern over Bedrock's failure message, hint). The first match wins, so specific patterns go first.
HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"GetObject permissions|s3:GetObject|ListBucket", re.IGNORECASE),
        "The service role could not read the dataset. Give it s3:GetObject and s3:ListBucket on the "
        "dataset's bucket, keep that bucket in the job's region, and allow kms:Decrypt if the bucket "
        "uses SSE-KMS encryption.",
    ),
    (
        re.compile(r"PutObject", re.IGNORECASE),
        "The service role could not write the job's output. Give it s3:PutObject and s3:ListBucket on "
        "FINETUNE_BUCKET (and kms:GenerateDataKey if the bucket uses SSE-KMS encryption).",
    ),
    (
        re.compile(r"Unable to parse Amazon S3 file|conform to JSONL", re.IGNORECASE),
        "A line of the dataset is not valid JSON: often a blank line, a trailing comma or a file that is "
        "not UTF-8. Check it with `finetune-bot validate FILE`, which names every bad line.",
    ),
    (
        re.compile(r"Input size exceeded", re.IGNORECASE),
        "A record is longer than the model accepts. Shorten or split the longest records; "
        "`finetune-bot validate FILE --model MODEL_ID` lists them.",
    ),
    (
        re.compile(r"token count|token length|exceeds (the )?(total )?limit", re.IGNORECASE),
        "Some records have more tokens than the model allows (this can surface hours into a job). Shorten "
        "or split them, or lower the batch size where a smaller batch allows longer records; "
        "`finetune-bot validate FILE --model MODEL_ID` lists the lines over the limit.",
    ),
    (
        re.compile(r"third-party license|Anthropic", re.IGNORECASE),
        "Anthropic's automated checks flagged the training data. Review the dataset against Anthropic's "
        "usage policy, remove the flagged material, and start a new job.",
    ),
    (
        re.compile(r"model identifier is invalid", re.IGNORECASE),
        "The base model cannot be customized here: check that model access is enabled in the Bedrock "
        "console and that the model supports customization in this region.",
    ),
    (
        re.compile(r"unexpected error|internal|try again", re.IGNORECASE),
        "This is an error inside Bedrock, not in your data. Start the job again; if it fails the same "
        "way, open an AWS Support case with the job ARN.",
    ),
)

LOGGED = "Bedrock's own message is in finetune-bot's log; it can name accounts and roles, so it is not posted here."

DEFAULT_HINT = (
    "Check the dataset with `finetune-bot validate FILE` and the service role's permissions on the dataset "
    "and output buckets; if the cause is still unclear, open an AWS Support case with the job ARN."
)


def failure_details(message: str | None) -> tuple[str, ...]:
    """What a failure notice says about the cause: the hint, and where Bedrock's own words are.

    Bedrock's message can name the account, the service role and other ARNs, so it goes to the
    log only, never into a channel.
    """
    if not message:
        return (f"*What to do:* {failure_hint(message)}", "Bedrock gave no reason.")
    return (f"*What to do:* {failure_hint(message)}", LOGGED)


def failure_hint(message: str | None) -> str:
    """The hint for Bedrock's failure message; a general checklist when no known cause matches."""
    for pattern, hint in HINTS:
        if message and pattern.search(message):
            return hint
    return DEFAULT_HINT
