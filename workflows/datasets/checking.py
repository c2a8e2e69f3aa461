"""Checking a dataset: fetch it (Slack upload or s3:// URI), validate it, report in the thread, keep it."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from workflows.catalogue.schema import Catalogue
from workflows.dataset_rules import CustomizationType
from workflows.datasets.access import refusal
from workflows.datasets.report_view import checked_part, full_report_text, needs_full_report, summary_message
from workflows.datasets.system_prompt import training_system_prompt
from workflows.datasets.validation import validate_dataset
from workflows.datasets.validation.report import ValidationReport
from workflows.exceptions import BotError, DatasetUnavailable
from workflows.messages import Attachment, Message
from workflows.ports import DatasetStorage, SlackFiles
from workflows.setup.events import DatasetAccepted, DatasetRefused, SlackFile
from workflows.setup.model import Conversation, DatasetRole, DatasetSummary, source_name
from workflows.slack_text import code

logger = logging.getLogger(__name__)

#: Largest dataset read from S3 (Bedrock's own largest training-file limit is 10 GB).
MAX_S3_BYTES = 10 * 1024**3
#: Where Slack uploads are kept in the bucket, one folder per conversation.
DATASET_PREFIX = "finetune-bot/datasets"
#: What to do after a failure nobody foresaw (S3 or Slack dropping the connection, a full disk…).
UNEXPECTED_HINT = "Send the file again in a moment (or type its `s3://` URI); your other answers are kept."
#: Occurrences per error code kept for the full report (counts stay exact beyond it).
REPORTED_PER_CODE = 500
#: Records kept from a reinforcement dataset for *Test my grader* (it sends them to the grader).
SAMPLE_RECORDS = 3
#: The longest record kept as a sample for *Test my grader*.
MAX_SAMPLE_BYTES = 64 * 1024


class DatasetChecker:
    """Checks one dataset for a conversation and answers with DatasetAccepted or DatasetRefused."""

    def __init__(
        self,
        *,
        files: SlackFiles,
        storage: DatasetStorage | None,
        catalogue: Catalogue,
        max_upload_bytes: int,
        dataset_buckets: frozenset[str],
    ) -> None:
        self._files = files
        #: The buckets a person may name (``FINETUNE_DATASET_BUCKETS``); checked before any S3 call.
        self._dataset_buckets = dataset_buckets
        self._storage = storage
        self._catalogue = catalogue
        self._max_upload_bytes = max_upload_bytes

    def check(
        self, conversation: Conversation, role: DatasetRole, source: SlackFile | str, *, check: str = ""
    ) -> DatasetAccepted | DatasetRefused:
        """Fetch, validate and (for Slack uploads) store the dataset; the result carries the verdict to show.

        Never raises: a failure nobody foresaw is logged and answered as a refusal that asks for the
        file again, so the setup is never left checking.
        """
        name = source_name(source)
        try:
            return self._check(conversation, role, source, name, check)
        except Exception:
            logger.exception("Checking %s for %s failed unexpectedly", name, conversation.id)
            reason = f"I could not finish checking {code(name)}: reading or storing it failed on my side."
            verdict = Message(reason, details=(UNEXPECTED_HINT,))
            return DatasetRefused(role, reason, check, verdict)

    def _check(
        self, conversation: Conversation, role: DatasetRole, source: SlackFile | str, name: str, check: str
    ) -> DatasetAccepted | DatasetRefused:
        with tempfile.TemporaryDirectory(prefix="finetune-bot-") as workdir:
            try:
                path = self._fetch(source, Path(workdir) / f"{role.value}.jsonl")
                # An S3 dataset is used where it is, under its own name; an upload is stored as .jsonl.
                shown = name if isinstance(source, str) else None
                report = self._validate(conversation, role, path, Path(workdir), shown)
            except BotError as exc:
                verdict = Message(f"I could not use {code(name)}.", details=(str(exc),))
                return DatasetRefused(role, str(exc), check, verdict)
            verdict = summary_message(report, name=name, role=role)
            attachment = self._full_report(report, name) if needs_full_report(report, role=role) else None
            if not checked_part(report, role).valid:
                return DatasetRefused(role, f"{code(name)} has errors", check, verdict, attachment)
            try:
                uri = source if isinstance(source, str) else self._keep(conversation, role, path)
            except BotError as exc:
                verdict = Message(f"I could not store {code(name)} for the job.", details=(str(exc),))
                return DatasetRefused(role, str(exc), check, verdict)
            summary = _summary(report, role, source, name, uri)
            if role is DatasetRole.TRAINING:
                summary = summary.model_copy(update={"system_prompt": training_system_prompt(path)})
            if conversation.customization is CustomizationType.REINFORCEMENT and role is DatasetRole.TRAINING:
                summary = summary.model_copy(update={"samples": first_records(path, SAMPLE_RECORDS)})
        return DatasetAccepted(role, summary, check, verdict, attachment)

    def _fetch(self, source: SlackFile | str, destination: Path) -> Path:
        if isinstance(source, SlackFile):
            self._files.download(source, destination, max_bytes=self._max_upload_bytes)
        else:
            storage = self._require_storage()
            if (problem := refusal(source, self._dataset_buckets)) is not None:
                raise DatasetUnavailable(problem)
            storage.inspect(source)
            storage.download(source, destination, max_bytes=MAX_S3_BYTES)
        return destination

    def _validate(
        self, conversation: Conversation, role: DatasetRole, path: Path, workdir: Path, name: str | None
    ) -> ValidationReport:
        """Validate against the chosen model's rules; a validation file is checked beside the training file."""
        assert conversation.model_id is not None
        assert conversation.customization is not None
        model = self._catalogue.model(conversation.model_id)
        rules = model.dataset_rules(conversation.customization)
        if role is DatasetRole.TRAINING:
            return validate_dataset(
                path,
                rules=rules,
                customization=conversation.customization,
                max_examples_per_code=REPORTED_PER_CODE,
                name=name,
            )
        assert conversation.training is not None
        training = workdir / "training.jsonl"
        self._require_storage().download(conversation.training.uri, training, max_bytes=MAX_S3_BYTES)
        return validate_dataset(
            training,
            rules=rules,
            customization=conversation.customization,
            validation_path=path,
            max_examples_per_code=REPORTED_PER_CODE,
        )

    def _keep(self, conversation: Conversation, role: DatasetRole, path: Path) -> str:
        """Copy a Slack upload into the bucket, under a key that identifies the conversation."""
        key = f"{DATASET_PREFIX}/{conversation.team}/{conversation.channel}/{conversation.thread_ts}/{role.value}.jsonl"
        return self._require_storage().upload(path, key=key)

    def _require_storage(self) -> DatasetStorage:
        if self._storage is None:
            raise BotError(
                "FINETUNE_BUCKET is not configured, so I have nowhere to keep datasets. Ask whoever runs "
                "finetune-bot to set it; your setup is kept."
            )
        return self._storage

    def _full_report(self, report: ValidationReport, name: str) -> Attachment:
        stem = name.rsplit(".", 1)[0]
        return Attachment(
            filename=f"{stem}-validation-report.txt",
            content=full_report_text(report, name=name).encode("utf-8"),
            title=f"Full validation report for {name}",
        )


def _summary(
    report: ValidationReport, role: DatasetRole, source: SlackFile | str, name: str, uri: str
) -> DatasetSummary:
    """What the conversation keeps about an accepted dataset."""
    part = checked_part(report, role)
    return DatasetSummary(
        source="slack" if isinstance(source, SlackFile) else "s3",
        name=name,
        uri=uri,
        size_bytes=part.file.size_bytes,
        records=part.stats.records,
        tokens=part.stats.tokens.total,
        turns=report.turns.value if report.turns is not None and role is DatasetRole.TRAINING else None,
        warnings=sum(issue.count for issue in part.issues),
        longest_tokens=part.stats.tokens.max if role is DatasetRole.TRAINING else None,
    )


def first_records(path: Path, count: int) -> tuple[str, ...]:
    """The first ``count`` lines that are JSON objects of modest size (a valid file has them at the top)."""
    found: list[str] = []
    with path.open("rb") as lines:
        for raw in lines:
            if len(found) == count:
                break
            if len(raw) > MAX_SAMPLE_BYTES:
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                found.append(json.dumps(record, ensure_ascii=False))
    return tuple(found)
