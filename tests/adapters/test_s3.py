"""S3Datasets against moto in server mode: inspect, streamed download with a cap, upload, list and read."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from tests.support.moto_server import MotoServer
from workflows.adapters.s3 import S3Datasets
from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.ports import StoredObject

pytestmark = pytest.mark.integration

DATASETS = "team-datasets"
PRODUCT_BUCKET = "finetune-bot-data"
MB = 1024 * 1024
LINES = b'{"prompt": "Where is my order?", "completion": "Let me check that for you."}\n' * 200


@pytest.fixture
def client(aws: MotoServer) -> Any:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=DATASETS)
    s3.create_bucket(Bucket=PRODUCT_BUCKET)
    return s3


@pytest.fixture
def offline_client(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client for Stubber: it never reaches the network."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def storage(client: Any) -> S3Datasets:
    return S3Datasets(client, bucket=PRODUCT_BUCKET, region="us-east-1", chunk_bytes=64 * 1024)


def test_inspect_describes_a_dataset_in_the_jobs_region(storage: S3Datasets, client: Any) -> None:
    client.put_object(Bucket=DATASETS, Key="support/train.jsonl", Body=LINES)

    found = storage.inspect(f"s3://{DATASETS}/support/train.jsonl")

    assert found == StoredObject(uri=f"s3://{DATASETS}/support/train.jsonl", size=len(LINES), region="us-east-1")


def test_inspect_of_a_missing_object_says_to_check_or_upload(storage: S3Datasets) -> None:
    with pytest.raises(
        DatasetUnavailable, match=re.escape("no object at s3://team-datasets/support/train.jsonl")
    ) as raised:
        storage.inspect(f"s3://{DATASETS}/support/train.jsonl")
    assert "upload the file in the thread" in str(raised.value)


def test_inspect_of_a_missing_bucket_names_it(storage: S3Datasets) -> None:
    with pytest.raises(DatasetUnavailable, match="no bucket named nobody-has-this-bucket"):
        storage.inspect("s3://nobody-has-this-bucket/train.jsonl")


@pytest.mark.parametrize("uri", [f"s3://{DATASETS}/support", f"s3://{DATASETS}/support/"])
def test_inspect_of_a_folder_asks_for_a_single_file(storage: S3Datasets, client: Any, uri: str) -> None:
    client.put_object(Bucket=DATASETS, Key="support/train.jsonl", Body=LINES)

    with pytest.raises(DatasetUnavailable, match=re.escape("points to a folder; Bedrock needs a single .jsonl file")):
        storage.inspect(uri)


def test_inspect_refuses_a_bucket_in_another_region(storage: S3Datasets, client: Any) -> None:
    client.create_bucket(Bucket="eu-datasets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_object(Bucket="eu-datasets", Key="train.jsonl", Body=LINES)

    with pytest.raises(DatasetUnavailable, match="is in eu-west-1, but jobs run in us-east-1"):
        storage.inspect("s3://eu-datasets/train.jsonl")


def test_inspect_accepts_a_bucket_in_the_configured_region(client: Any) -> None:
    client.create_bucket(Bucket="eu-datasets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_object(Bucket="eu-datasets", Key="train.jsonl", Body=LINES)
    storage = S3Datasets(client, bucket=PRODUCT_BUCKET, region="eu-west-1")

    assert storage.inspect("s3://eu-datasets/train.jsonl").region == "eu-west-1"


@pytest.mark.parametrize(
    "uri",
    [
        "https://team-datasets.s3.amazonaws.com/train.jsonl",
        "s3:/team-datasets/train.jsonl",
        "s3://",
        f"s3://{DATASETS}",
        "s3://Team_Datasets/train.jsonl",
        "train.jsonl",
    ],
)
def test_inspect_refuses_a_malformed_uri_with_the_expected_form(storage: S3Datasets, uri: str) -> None:
    with pytest.raises(DatasetUnavailable, match=r"not an S3 file URI\. Use the form s3://bucket/"):
        storage.inspect(uri)


def test_inspect_of_a_forbidden_object_says_which_permissions(offline_client: Any) -> None:
    storage = S3Datasets(offline_client, bucket=PRODUCT_BUCKET, region="us-east-1")
    with Stubber(offline_client) as stub:
        stub.add_response("get_bucket_location", {}, {"Bucket": DATASETS})
        stub.add_client_error("head_object", "403", "Forbidden", 403)

        with pytest.raises(DatasetUnavailable, match="access denied") as raised:
            storage.inspect(f"s3://{DATASETS}/train.jsonl")
    assert "s3:GetObject" in str(raised.value)


def test_download_streams_the_object_to_disk(storage: S3Datasets, client: Any, tmp_path: Path) -> None:
    payload = os.urandom(3 * MB + 17)
    client.put_object(Bucket=DATASETS, Key="big/train.jsonl", Body=payload)
    destination = tmp_path / "train.jsonl"

    storage.download(f"s3://{DATASETS}/big/train.jsonl", destination, max_bytes=4 * MB)

    assert destination.read_bytes() == payload


def test_download_refuses_an_object_over_the_cap_and_leaves_nothing(
    storage: S3Datasets, client: Any, tmp_path: Path
) -> None:
    client.put_object(Bucket=DATASETS, Key="big/train.jsonl", Body=os.urandom(2 * MB))
    destination = tmp_path / "train.jsonl"

    with pytest.raises(DatasetTooLarge, match="larger than the 1 MB limit"):
        storage.download(f"s3://{DATASETS}/big/train.jsonl", destination, max_bytes=MB)
    assert list(tmp_path.iterdir()) == []


def test_download_counts_bytes_when_the_size_is_not_announced(offline_client: Any, tmp_path: Path) -> None:
    storage = S3Datasets(offline_client, bucket=PRODUCT_BUCKET, region="us-east-1", chunk_bytes=1024)
    payload = os.urandom(10_000)
    with Stubber(offline_client) as stub:
        stub.add_response(
            "get_object",
            {"Body": StreamingBody(io.BytesIO(payload), len(payload))},
            {"Bucket": DATASETS, "Key": "train.jsonl"},
        )

        with pytest.raises(DatasetTooLarge):
            storage.download(f"s3://{DATASETS}/train.jsonl", tmp_path / "train.jsonl", max_bytes=4096)
    assert list(tmp_path.iterdir()) == []


def test_download_of_a_missing_object_raises_dataset_unavailable(storage: S3Datasets, tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailable, match="no object at"):
        storage.download(f"s3://{DATASETS}/absent.jsonl", tmp_path / "absent.jsonl", max_bytes=MB)


def test_a_small_upload_stores_identical_bytes(storage: S3Datasets, client: Any, tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    source.write_bytes(LINES)

    uri = storage.upload(source, key="uploads/T1/C1/train.jsonl")

    assert uri == f"s3://{PRODUCT_BUCKET}/uploads/T1/C1/train.jsonl"
    stored = client.get_object(Bucket=PRODUCT_BUCKET, Key="uploads/T1/C1/train.jsonl")
    assert stored["Body"].read() == LINES


def test_a_large_upload_goes_in_parts_and_stores_identical_bytes(client: Any, tmp_path: Path) -> None:
    storage = S3Datasets(client, bucket=PRODUCT_BUCKET, region="us-east-1", multipart_threshold=5 * MB)
    payload = os.urandom(11 * MB)
    source = tmp_path / "train.jsonl"
    source.write_bytes(payload)

    storage.upload(source, key="uploads/train.jsonl")

    stored = client.get_object(Bucket=PRODUCT_BUCKET, Key="uploads/train.jsonl")
    assert stored["ETag"].strip('"').endswith("-3")  # three parts: 5 MB + 5 MB + 1 MB
    assert stored["Body"].read() == payload


def test_an_upload_to_a_missing_bucket_explains_without_local_paths(client: Any, tmp_path: Path) -> None:
    storage = S3Datasets(client, bucket="no-such-product-bucket", region="us-east-1")
    source = tmp_path / "train.jsonl"
    source.write_bytes(LINES)

    with pytest.raises(DatasetUnavailable, match="FINETUNE_BUCKET") as raised:
        storage.upload(source, key="uploads/train.jsonl")
    assert str(tmp_path) not in str(raised.value)


def test_list_uris_returns_every_file_under_a_prefix(storage: S3Datasets, client: Any) -> None:
    for key in ("out/job-1/training_artifacts/step_wise_training_metrics.csv", "out/job-1/a.txt", "out/job-1/"):
        client.put_object(Bucket=DATASETS, Key=key, Body=b"x")
    client.put_object(Bucket=DATASETS, Key="other/b.txt", Body=b"x")

    assert sorted(storage.list_uris(f"s3://{DATASETS}/out/job-1/")) == [
        f"s3://{DATASETS}/out/job-1/a.txt",
        f"s3://{DATASETS}/out/job-1/training_artifacts/step_wise_training_metrics.csv",
    ]


def test_read_text_returns_a_small_object_as_text(storage: S3Datasets, client: Any) -> None:
    csv = "step_number,epoch_number,training_loss\n0,1,1.25\n"
    client.put_object(Bucket=DATASETS, Key="metrics.csv", Body=b"\xef\xbb\xbf" + csv.encode())

    assert storage.read_text(f"s3://{DATASETS}/metrics.csv", max_bytes=1024) == csv


def test_read_text_refuses_an_object_over_the_cap(storage: S3Datasets, client: Any) -> None:
    client.put_object(Bucket=DATASETS, Key="metrics.csv", Body=b"x" * 2048)

    with pytest.raises(DatasetTooLarge):
        storage.read_text(f"s3://{DATASETS}/metrics.csv", max_bytes=1024)
