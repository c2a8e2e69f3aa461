"""``DatasetStorage``: the in-memory objects and S3 (moto over HTTP) inspect, stream, upload, list and read alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.fakes.storage import MemoryStorage
from workflows.adapters.s3 import S3Datasets
from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.ports import DatasetStorage, StoredObject

BUCKET = "finetune-bot-data"
LINES = b'{"prompt": "Where is my order?", "completion": "Let me check that for you."}\n' * 20


@dataclass
class Subject:
    storage: DatasetStorage
    #: Puts an object where the storage reads it (a dataset someone put in the bucket).
    put: Callable[[str, bytes], None]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = MemoryStorage(bucket=BUCKET)
        return Subject(fake, fake.objects.__setitem__)
    request.getfixturevalue("aws")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)

    def put(uri: str, data: bytes) -> None:
        s3.put_object(Bucket=BUCKET, Key=uri.removeprefix(f"s3://{BUCKET}/"), Body=data)

    return Subject(S3Datasets(s3, bucket=BUCKET, region="us-east-1", chunk_bytes=256), put)


def test_inspect_gives_the_size_and_region_of_an_object(subject: Subject) -> None:
    subject.put(f"s3://{BUCKET}/data/train.jsonl", LINES)

    found = subject.storage.inspect(f"s3://{BUCKET}/data/train.jsonl")

    assert found == StoredObject(uri=f"s3://{BUCKET}/data/train.jsonl", size=len(LINES), region="us-east-1")


def test_inspect_download_and_read_of_a_missing_object_are_unavailable(subject: Subject, tmp_path: Path) -> None:
    missing = f"s3://{BUCKET}/data/none.jsonl"

    with pytest.raises(DatasetUnavailable):
        subject.storage.inspect(missing)
    with pytest.raises(DatasetUnavailable):
        subject.storage.download(missing, tmp_path / "out", max_bytes=10**6)
    with pytest.raises(DatasetUnavailable):
        subject.storage.read_text(missing, max_bytes=10**6)
    assert not (tmp_path / "out").exists()


def test_an_upload_lands_in_the_bucket_and_downloads_byte_for_byte(subject: Subject, tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    source.write_bytes(LINES)

    uri = subject.storage.upload(source, key="finetune-bot/datasets/T1/train.jsonl")
    subject.storage.download(uri, tmp_path / "back.jsonl", max_bytes=len(LINES))

    assert uri == f"s3://{BUCKET}/finetune-bot/datasets/T1/train.jsonl"
    assert (tmp_path / "back.jsonl").read_bytes() == LINES


def test_an_object_over_the_cap_is_too_large_to_download_or_read(subject: Subject, tmp_path: Path) -> None:
    subject.put(f"s3://{BUCKET}/data/train.jsonl", LINES)

    with pytest.raises(DatasetTooLarge):
        subject.storage.download(f"s3://{BUCKET}/data/train.jsonl", tmp_path / "out", max_bytes=len(LINES) - 1)
    with pytest.raises(DatasetTooLarge):
        subject.storage.read_text(f"s3://{BUCKET}/data/train.jsonl", max_bytes=len(LINES) - 1)
    assert not (tmp_path / "out").exists()


def test_read_text_decodes_utf8_without_its_byte_order_mark(subject: Subject) -> None:
    subject.put(f"s3://{BUCKET}/out/metrics.csv", "\ufeffstep,loss\n1,0.5 — ok\n".encode())

    assert subject.storage.read_text(f"s3://{BUCKET}/out/metrics.csv", max_bytes=1000) == "step,loss\n1,0.5 — ok\n"


def test_listing_gives_every_object_under_the_prefix_in_key_order(subject: Subject) -> None:
    for key in ["out/job-1/b.csv", "out/job-1/a/c.csv", "out/job-10/d.csv", "elsewhere/e.csv"]:
        subject.put(f"s3://{BUCKET}/{key}", b"x")

    assert subject.storage.list_uris(f"s3://{BUCKET}/out/job-1/") == [
        f"s3://{BUCKET}/out/job-1/a/c.csv",
        f"s3://{BUCKET}/out/job-1/b.csv",
    ]
    assert subject.storage.list_uris(f"s3://{BUCKET}/nothing/") == []
