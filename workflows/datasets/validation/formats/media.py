"""Images and videos in conversation records: shape, format, S3 location, counts and modality."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workflows.dataset_rules import MediaRules
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import json_type, report_unknown_keys, required_string
from workflows.datasets.validation.issues import IssueLog

#: ``s3://bucket/key``: bucket names are 3-63 lowercase letters, digits, dots and hyphens.
_S3_URI = re.compile(r"s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(.+)", re.DOTALL)
#: A character Nova refuses in a media object key: anything but letters, digits, ``_``, ``-``, ``.`` and ``/``.
_NOT_PLAIN_KEY = re.compile(r"[^\w\-/.]")
_MEDIA_KEYS = frozenset({"format", "source"})
_SOURCE_KEYS = frozenset({"s3Location"})
_LOCATION_KEYS = frozenset({"uri", "bucketOwner"})


def s3_bucket(uri: str) -> str | None:
    """The bucket of an ``s3://bucket/key`` URI, or None when it is not one."""
    match = _S3_URI.fullmatch(uri)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class _Seen:
    """The first place a dataset-wide choice (modality, bucket) was made."""

    value: str
    line: int | None


class MediaTracker:
    """Applies ``MediaRules`` to media blocks, per record and across the whole dataset."""

    def __init__(self, rules: MediaRules, *, dataset_bucket: str | None, model: str) -> None:
        self._rules = rules
        self._model = model
        self._modality: _Seen | None = None
        self._bucket = None if dataset_bucket is None else _Seen(dataset_bucket, None)

    def check_block(self, kind: str, value: Any, path: str, line: int, log: IssueLog) -> None:
        """One ``image`` or ``video`` block's value, at ``path`` (the block's path)."""
        formats = self._rules.image_formats if kind == "image" else self._rules.video_formats
        where = f"{path}.{kind}"
        if not formats:
            log.add(IssueCode.MEDIA_NOT_ALLOWED, line, f"{where}: {self._model} takes no {kind}s")
            return
        if not isinstance(value, dict):
            log.add(IssueCode.WRONG_TYPE, line, f"{where}: expected an object, got {json_type(value)}")
            return
        report_unknown_keys(value, _MEDIA_KEYS, f"{where}.", line, log)
        self._format(value, formats, where, line, log)
        uri = _location(value, where, line, log)
        if uri is not None:
            self._uri(uri, f"{where}.source.s3Location.uri", line, log)

    def finish_record(self, images: int, videos: int, line: int, log: IssueLog) -> None:
        """Counts per record, one modality per record and across the dataset."""
        rules = self._rules
        for kind, count, most in (
            ("images", images, rules.max_images_per_record if rules.image_formats else 0),
            ("videos", videos, rules.max_videos_per_record if rules.video_formats else 0),
        ):
            # 0 means no bound is known: a model that takes this kind of media takes at least one.
            if most and count > most:
                log.add(IssueCode.TOO_MANY_MEDIA, line, f"{count} {kind}; at most {most} per record")
        if not rules.single_modality or not (images or videos):
            return
        if images and videos:
            log.add(IssueCode.MIXED_MEDIA_IN_RECORD, line, f"images: {images}, videos: {videos}")
            return
        kind = "images" if images else "videos"
        if self._modality is None:
            self._modality = _Seen(kind, line)
        elif self._modality.value != kind:
            first = self._modality
            log.add(IssueCode.MIXED_MEDIA_IN_DATASET, line, f"{kind} here, {first.value} at line {first.line}")

    def _format(self, value: dict[str, Any], formats: frozenset[str], where: str, line: int, log: IssueLog) -> None:
        fmt = required_string(value, "format", where, line, log)
        if fmt is not None and fmt not in formats:
            allowed = ", ".join(sorted(formats))
            log.add(IssueCode.MEDIA_FORMAT, line, f"{where}.format is {fmt[:40]!r}; accepted: {allowed}")

    def _uri(self, uri: str, where: str, line: int, log: IssueLog) -> None:
        bucket = s3_bucket(uri)
        if bucket is None:
            log.add(IssueCode.INVALID_S3_URI, line, f"{where} is {uri[:200]!r}")
            return
        odd = _NOT_PLAIN_KEY.search(uri, len("s3://") + len(bucket) + 1) if self._rules.plain_uri_keys else None
        if odd is not None:
            char = "a space" if odd.group() == " " else repr(odd.group())
            allowed = "letters, digits, _, -, . and /"
            detail = f"{where} has {char} in its key ({uri[:200]!r}); {self._model} takes only {allowed}"
            log.add(IssueCode.INVALID_S3_URI, line, detail)
            return
        if not self._rules.same_bucket:
            return
        if self._bucket is None:
            self._bucket = _Seen(bucket, line)
        elif self._bucket.value != bucket:
            seen = self._bucket
            origin = "the dataset" if seen.line is None else f"line {seen.line}"
            log.add(
                IssueCode.MEDIA_BUCKET_MISMATCH,
                line,
                f"{where} is in bucket {bucket!r}; {origin} uses {seen.value!r}",
            )


def _location(value: dict[str, Any], where: str, line: int, log: IssueLog) -> str | None:
    """The URI at ``source.s3Location.uri``, reporting every missing or mistyped level."""
    source = _object(value, "source", _SOURCE_KEYS, where, line, log)
    location = None if source is None else _object(source, "s3Location", _LOCATION_KEYS, f"{where}.source", line, log)
    if location is None:
        return None
    path = f"{where}.source.s3Location"
    owner = location.get("bucketOwner")
    if owner is not None and not isinstance(owner, str):
        log.add(IssueCode.WRONG_TYPE, line, f"{path}.bucketOwner: expected a string, got {json_type(owner)}")
    return required_string(location, "uri", path, line, log)


def _object(
    parent: dict[str, Any], key: str, known: frozenset[str], where: str, line: int, log: IssueLog
) -> dict[str, Any] | None:
    """The object at ``parent[key]``, or None after reporting it missing or mistyped."""
    path = f"{where}.{key}"
    if key not in parent:
        log.add(IssueCode.MISSING_KEY, line, path)
        return None
    node = parent[key]
    if not isinstance(node, dict):
        log.add(IssueCode.WRONG_TYPE, line, f"{path}: expected an object, got {json_type(node)}")
        return None
    report_unknown_keys(node, known, f"{path}.", line, log)
    return node
