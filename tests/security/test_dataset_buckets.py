"""Datasets only from FINETUNE_DATASET_BUCKETS: refused before any read, with the setting named, nothing quoted."""

from __future__ import annotations

import pytest

from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.support.hostile import SECRET_LINE
from tests.support.stack import BUCKET, REGION, Stack
from workflows.datasets.access import SETTING, dataset_buckets, refusal

NOVA = "amazon.nova-micro-v1:0:128k"
OUTSIDE = "someone-elses-bucket"


class TestDecision:
    @pytest.mark.parametrize(
        ("listed", "product", "expected"),
        [
            (None, "product", {"product"}),
            ("  ", "product", {"product"}),
            ("a-bucket,b-bucket", "product", {"a-bucket", "b-bucket"}),
            (None, None, set()),
        ],
    )
    def test_the_allow_list(self, listed: str | None, product: str | None, expected: set[str]) -> None:
        assert dataset_buckets(listed, product) == expected

    @pytest.mark.parametrize("uri", ["s3://product/train.jsonl", "s3://product/a/b/c.jsonl", "train.jsonl"])
    def test_listed_buckets_and_non_s3_text_pass(self, uri: str) -> None:
        assert refusal(uri, {"product"}) is None

    def test_another_bucket_is_refused_naming_the_setting_and_the_allowed_buckets(self) -> None:
        message = refusal(f"s3://{OUTSIDE}/train.jsonl", {"product", "team-data"})
        assert message is not None
        assert SETTING in message
        assert OUTSIDE in message
        assert "product, team-data" in message
        assert "upload it in this thread" in message

    def test_a_bucket_that_only_looks_allowed_is_refused(self) -> None:
        assert refusal("s3://product.evil/train.jsonl", {"product"}) is not None
        assert refusal("s3://productx/train.jsonl", {"product"}) is not None

    def test_with_no_bucket_allowed_everything_is_refused(self) -> None:
        message = refusal("s3://product/train.jsonl", set())
        assert message is not None
        assert SETTING in message

    def test_a_name_that_is_not_a_bucket_is_not_repeated(self) -> None:
        message = refusal("s3://<!channel>/x.jsonl", {"product"})
        assert message is not None
        assert "<!channel>" not in message


@pytest.mark.integration
class TestThroughTheBot:
    def put(self, stack: Stack, bucket: str, key: str, content: bytes) -> str:
        s3 = stack.s3()
        if bucket != BUCKET:
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=content)
        return f"s3://{bucket}/{key}"

    def test_a_one_line_setup_from_another_bucket_is_refused_and_nothing_from_it_is_posted(self, stack: Stack) -> None:
        uri = self.put(stack, OUTSIDE, "train.jsonl", SECRET_LINE * 20 + b"not json\n")
        assert stack.driver.slash_command(f"new type=conversation model={NOVA} data={uri}").status == 200
        thread = stack.root().ts
        stack.reply(thread, SETTING)
        text = stack.thread_text(thread)
        assert "HOSTILE-SECRET-CONTENT" not in text
        assert "Review your fine-tuning job" not in text
        assert stack.jobs() == []

    def test_a_uri_typed_in_the_thread_from_another_bucket_is_refused(self, stack: Stack) -> None:
        uri = self.put(stack, OUTSIDE, "train.jsonl", SECRET_LINE)
        assert stack.driver.slash_command("").status == 200
        thread = stack.root().ts
        stack.reply(thread, "What kind of customization do you want?")
        stack.driver.click("Conversational fine-tuning", thread_ts=thread)
        stack.reply(thread, "Which base model?")
        stack.driver.choose("Nova Micro", thread_ts=thread)
        stack.reply(thread, "Now the training data")
        stack.driver.message(uri, thread_ts=thread)
        stack.reply(thread, f"I may not read datasets from the bucket {OUTSIDE}")
        assert "HOSTILE-SECRET-CONTENT" not in stack.thread_text(thread)

    def test_a_bucket_listed_in_finetune_dataset_buckets_is_read(self, stack: Stack) -> None:
        stack.env["FINETUNE_DATASET_BUCKETS"] = f"{BUCKET},{OUTSIDE}"
        stack.restart()
        uri = self.put(stack, OUTSIDE, "train.jsonl", sample_bytes(CONVERSATION))
        assert REGION == "us-east-1"
        assert stack.driver.slash_command(f"new type=conversation model={NOVA} data={uri}").status == 200
        stack.reply(stack.root().ts, "`train.jsonl` is ready", timeout=20)
