"""S3 behind the ``DatasetStorage`` port: checks a dataset where Bedrock will read it, streams, uploads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.ports import StoredObject

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

MB = 1024 * 1024
#: Files above this go up in parts (parallel, each part retried on its own).
MULTIPART_THRESHOLD = 64 * MB
#: Bytes read from S3 per chunk when streaming a download to disk.
DOWNLOAD_CHUNK_BYTES = 1 * MB

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_MISSING = {"404", "NoSuchKey", "NotFound"}
_DENIED = {"403", "AccessDenied", "Forbidden", "AllAccessDisabled"}
_UPLOAD_INSTEAD = "or upload the file in the thread instead"


class S3Datasets:
    """``DatasetStorage`` on a boto3 ``s3`` client, for datasets in ``region`` and the product's bucket."""

    def __init__(
        self,
        client: S3Client,
        *,
        bucket: str,
        region: str,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        chunk_bytes: int = DOWNLOAD_CHUNK_BYTES,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._region = region
        self._chunk_bytes = chunk_bytes
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=max(multipart_threshold, 5 * MB)
        )

    def inspect(self, uri: str) -> StoredObject:
        """The object's size and region, refusing what Bedrock could not use (checked before spending)."""
        bucket, key = _object_location(uri)
        region = self._bucket_region(bucket, uri)
        if region != self._region:
            raise DatasetUnavailable(
                f"The bucket {bucket} is in {region}, but jobs run in {self._region}, and Bedrock reads "
                f"datasets only from its own region. Copy the file to a bucket in {self._region}, "
                f"{_UPLOAD_INSTEAD}."
            )
        try:
            head = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            raise self._unavailable(error, bucket, key, uri) from error
        return StoredObject(uri=uri, size=int(head.get("ContentLength", 0)), region=region)

    def download(self, uri: str, destination: Path, *, max_bytes: int) -> None:
        """Stream the object to ``destination`` chunk by chunk; nothing partial is left on refusal."""
        response = self._get(uri)
        body = response["Body"]
        partial = destination.with_name(destination.name + ".part")
        try:
            _refuse_if_larger(uri, response.get("ContentLength"), max_bytes)
            written = 0
            with partial.open("wb") as out:
                for chunk in body.iter_chunks(self._chunk_bytes):
                    written += len(chunk)
                    _refuse_if_larger(uri, written, max_bytes)
                    out.write(chunk)
            partial.replace(destination)
        except BotoCoreError as error:
            raise DatasetUnavailable(f"Reading {uri} from S3 was interrupted; please try again.") from error
        finally:
            body.close()
            partial.unlink(missing_ok=True)

    def upload(self, source: Path, *, key: str) -> str:
        """Upload to the product's bucket with boto3's managed transfer (multipart when large)."""
        try:
            self._client.upload_file(str(source), self._bucket, key, Config=self._transfer)
        except (S3UploadFailedError, ClientError, BotoCoreError) as error:
            raise DatasetUnavailable(
                f"The dataset could not be copied to the bucket {self._bucket}. Check that FINETUNE_BUCKET "
                f"exists in {self._region} and that the bot may s3:PutObject there, then try again."
            ) from error
        return f"s3://{self._bucket}/{key}"

    def list_uris(self, prefix_uri: str) -> list[str]:
        """Every object under the prefix, across as many ListObjectsV2 pages as it takes."""
        bucket, prefix = _location(prefix_uri)
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            return [
                f"s3://{bucket}/{item['Key']}"
                for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
                for item in page.get("Contents", [])
                if not item["Key"].endswith("/")
            ]
        except ClientError as error:
            raise self._unavailable(error, bucket, prefix, prefix_uri) from error

    def read_text(self, uri: str, *, max_bytes: int) -> str:
        """A small object as text (UTF-8; undecodable bytes replaced rather than failing)."""
        response = self._get(uri)
        body = response["Body"]
        try:
            _refuse_if_larger(uri, response.get("ContentLength"), max_bytes)
            data = body.read(max_bytes + 1)
        finally:
            body.close()
        _refuse_if_larger(uri, len(data), max_bytes)
        return data.decode("utf-8-sig", errors="replace")

    def _get(self, uri: str) -> GetObjectOutputTypeDef:
        """GetObject with its body still unread, errors in the product's words."""
        bucket, key = _object_location(uri)
        try:
            return self._client.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            raise self._unavailable(error, bucket, key, uri) from error

    def _bucket_region(self, bucket: str, uri: str) -> str:
        """The bucket's region; S3 reports us-east-1 as no constraint and eu-west-1 as "EU"."""
        try:
            # Typed as a region literal, but S3 answers None (or "") for us-east-1.
            answer: Mapping[str, object] = self._client.get_bucket_location(Bucket=bucket)
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                raise DatasetUnavailable(
                    f"There is no bucket named {bucket} (in {uri}); check the URI, {_UPLOAD_INSTEAD}."
                ) from error
            raise self._unavailable(error, bucket, "", uri) from error
        location = answer.get("LocationConstraint")
        if not location:
            return "us-east-1"
        return "eu-west-1" if location == "EU" else str(location)

    def _unavailable(self, error: ClientError, bucket: str, key: str, uri: str) -> DatasetUnavailable:
        """Why S3 would not give us the object, and what to do about it."""
        code = _code(error)
        if code in _DENIED:
            return DatasetUnavailable(
                f"The bot may not read {uri} (access denied). Grant its identity s3:GetObject, "
                f"s3:ListBucket and s3:GetBucketLocation on {bucket} (Bedrock's service role needs read "
                f"access too), {_UPLOAD_INSTEAD}."
            )
        if code in _MISSING and key and self._is_folder(bucket, key):
            return _folder(uri)
        if code in _MISSING or code == "NoSuchBucket":
            return DatasetUnavailable(f"There is no object at {uri}; check the bucket and key, {_UPLOAD_INSTEAD}.")
        return DatasetUnavailable(f"S3 could not provide {uri} ({code}); try again, {_UPLOAD_INSTEAD}.")

    def _is_folder(self, bucket: str, key: str) -> bool:
        """True when ``key`` is a prefix with objects under it, which people often paste by mistake."""
        try:
            listing = self._client.list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/") + "/", MaxKeys=1)
        except ClientError:
            return False
        return bool(listing.get("KeyCount", 0))


def _location(uri: str) -> tuple[str, str]:
    """Bucket and key (or prefix) of an ``s3://`` URI; anything else is refused with the expected shape."""
    if not uri.startswith("s3://"):
        raise _malformed(uri)
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not _BUCKET.match(bucket):
        raise _malformed(uri)
    return bucket, key


def _object_location(uri: str) -> tuple[str, str]:
    """Bucket and key of a URI that must name one object, not a folder."""
    bucket, key = _location(uri)
    if not key:
        raise _malformed(uri)
    if key.endswith("/"):
        raise _folder(uri)
    return bucket, key


def _malformed(uri: str) -> DatasetUnavailable:
    shown = uri if len(uri) <= 200 else uri[:200] + "…"
    return DatasetUnavailable(
        f"{shown!r} is not an S3 file URI. Use the form s3://bucket/path/train.jsonl, {_UPLOAD_INSTEAD}."
    )


def _folder(uri: str) -> DatasetUnavailable:
    return DatasetUnavailable(
        f"{uri} points to a folder; Bedrock needs a single .jsonl file. Give the file's full URI, {_UPLOAD_INSTEAD}."
    )


def _refuse_if_larger(uri: str, size: int | None, max_bytes: int) -> None:
    """Raise ``DatasetTooLarge`` as soon as the size is known to pass the cap."""
    if size is not None and size > max_bytes:
        raise DatasetTooLarge(
            f"{uri} is larger than the {_megabytes(max_bytes)} limit. Use a smaller file or split it."
        )


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size:,} bytes"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
