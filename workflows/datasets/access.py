"""Which S3 buckets datasets may be read from: the FINETUNE_DATASET_BUCKETS allow-list, as pure decisions."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: The setting people are told about when a bucket is refused.
SETTING = "FINETUNE_DATASET_BUCKETS"
#: S3's bucket naming rule (lower case, digits, dots, hyphens; 3 to 63 characters).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def dataset_buckets(listed: str | None, product_bucket: str | None) -> frozenset[str]:
    """The buckets people may name: the comma-separated setting, else the product's own bucket alone."""
    if listed is not None and listed.strip():
        return frozenset(part.strip() for part in listed.split(",") if part.strip())
    return frozenset({product_bucket}) if product_bucket else frozenset()


def bucket_of(uri: str) -> str | None:
    """The bucket an ``s3://`` URI names, or None when it is not an S3 URI."""
    if not uri.startswith("s3://"):
        return None
    return uri.removeprefix("s3://").partition("/")[0]


def refusal(uri: str, allowed: Iterable[str]) -> str | None:
    """Why the dataset at ``uri`` may not be read (one message that names the setting), or None when it may.

    Checked before any S3 call, so nothing from a bucket outside the list is ever read or quoted.
    Anything that is not an ``s3://`` URI is left to the storage adapter, which explains the form.
    """
    bucket = bucket_of(uri)
    buckets = frozenset(allowed)
    if bucket is None or bucket in buckets:
        return None
    named = f"the bucket {bucket}" if BUCKET_NAME.match(bucket) else "that bucket"
    if not buckets:
        return (
            f"I may not read datasets from {named}: no bucket is allowed ({SETTING} and FINETUNE_BUCKET are "
            "unset). Upload the file in this thread, or ask whoever runs finetune-bot to set them."
        )
    listed = ", ".join(sorted(buckets))
    return (
        f"I may not read datasets from {named}: I read only from {listed} ({SETTING}). Copy the file there, "
        f"upload it in this thread, or ask whoever runs finetune-bot to add the bucket to {SETTING}."
    )
