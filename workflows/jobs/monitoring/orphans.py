"""Adopting orphans: a running job that carries the bot's tags but has no record is recorded, watched and shown.

Orphans come from a crash between Bedrock accepting a job and the bot recording it. The tags say
who started the job, from which channel and conversation (so from which thread), its type and its
training tokens, which is all a record needs. A job without the bot's tags is someone else's; it
is looked at again only after a day, so the tags of foreign jobs are not read on every tick.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.costs import estimate_cost
from workflows.catalogue.schema import Catalogue
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobOrigin, JobRecord, JobSnapshot
from workflows.jobs.job_ports import JobOrigins, WatchedJobs
from workflows.jobs.launch import LOGS_SOURCE_TAG, TAG_PREFIX
from workflows.jobs.monitoring.notices import JobView, status_message
from workflows.ports import Clock, Locks, Notifier
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: Lock-name prefix marking a job whose tags were read recently (and found not to be the bot's).
ORPHAN_CHECK_PREFIX = "monitor:orphan:"
#: How long a job without the bot's tags is left alone before its tags are read again.
FOREIGN_RECHECK_SECONDS = 24 * 3600
#: How long adopting one job may hold its conversation's launch lock.
ADOPTION_LOCK_SECONDS = 30

_TYPES_BY_BEDROCK = {
    "CONTINUED_PRE_TRAINING": CustomizationType.CONTINUED_PRETRAINING,
    "DISTILLATION": CustomizationType.DISTILLATION,
    "REINFORCEMENT_FINE_TUNING": CustomizationType.REINFORCEMENT,
}


def orphan_record(snapshot: JobSnapshot, origin: JobOrigin, catalogue: Catalogue, *, now: datetime) -> JobRecord | None:
    """The record a tagged job would have had, or None when the tags do not make it the bot's."""
    tags = origin.tags
    team, channel, user = (tags.get(f"{TAG_PREFIX}:{name}", "") for name in ("team", "channel", "user"))
    if not (team and channel and user):
        return None
    conversation_id = tags.get(f"{TAG_PREFIX}:conversation", "")
    prefix = f"{team}:{channel}:"
    thread_ts = conversation_id.removeprefix(prefix) if conversation_id.startswith(prefix) else ""
    epochs = _whole(origin.hyperparameters.get("epochCount"), default=1)
    tokens = _whole(tags.get(f"{TAG_PREFIX}:tokens"), default=0)
    return JobRecord(
        job_name=snapshot.job_name,
        job_arn=snapshot.job_arn,
        base_model_id=origin.base_model_id,
        customization=_customization(tags.get(f"{TAG_PREFIX}:type"), origin.bedrock_type),
        conversation_id=conversation_id,
        team=team,
        channel=channel,
        thread_ts=thread_ts,
        user=user,
        started_at=snapshot.created_at or now,
        epochs=epochs,
        training_tokens=tokens,
        estimated_training_cost=_estimate(catalogue, origin.base_model_id, tokens, epochs),
        from_invocation_logs=tags.get(f"{TAG_PREFIX}:source") == LOGS_SOURCE_TAG,
    )


class OrphanAdopter:
    """Finds the bot's jobs that have no record among those Bedrock lists as running, and adopts them."""

    def __init__(
        self,
        *,
        origins: JobOrigins,
        records: WatchedJobs,
        notifier: Notifier,
        locks: Locks,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
    ) -> None:
        self._origins = origins
        self._records = records
        self._notifier = notifier
        self._locks = locks
        self._catalogue = catalogue
        self._clock = clock
        self._region = region

    def adopt(self, listed: Iterable[JobSnapshot], known: set[str]) -> int:
        """Adopt every orphan among ``listed`` (``known`` are the watched names); how many were adopted."""
        adopted = 0
        for snapshot in listed:
            if snapshot.job_name in known or self._records.get(snapshot.job_name) is not None:
                continue
            try:
                adopted += self._adopt_one(snapshot)
            except Exception:
                logger.exception("Could not adopt job %s; the next tick tries again", snapshot.job_name)
        return adopted

    def _adopt_one(self, snapshot: JobSnapshot) -> bool:
        marker = ORPHAN_CHECK_PREFIX + snapshot.job_name
        token = self._locks.acquire(marker, ttl_seconds=FOREIGN_RECHECK_SECONDS)
        if token is None:
            return False  # its tags were read lately and it was not the bot's
        try:
            record = orphan_record(
                snapshot, self._origins.origin(snapshot.job_name), self._catalogue, now=self._clock.now()
            )
            if record is None:
                return False
            with acting_for(record.team):
                adopted = self._record(record, snapshot)
        except BaseException:
            self._locks.release(marker, token)
            raise
        if adopted is None:
            self._locks.release(marker, token)  # its launcher is at work: look again next tick
        return bool(adopted)

    def _record(self, record: JobRecord, snapshot: JobSnapshot) -> bool | None:
        """Record and show the job; None while its own launcher holds the conversation's launch lock."""
        launch = f"launch:{record.conversation_id}"
        token = self._locks.acquire(launch, ttl_seconds=ADOPTION_LOCK_SECONDS)
        if token is None:
            return None
        try:
            if self._records.get(record.job_name) is not None:
                return False
            self._records.save(record)
            logger.info("Adopted job %s: running with the bot's tags but no record", record.job_name)
        finally:
            self._locks.release(launch, token)
        self._show(record, snapshot)
        return True

    def _show(self, record: JobRecord, snapshot: JobSnapshot) -> None:
        """The status message, in the job's thread when the tags name it, else in its channel."""
        view = JobView(
            record=record, snapshot=snapshot, model=self._model(record), now=self._clock.now(), region=self._region
        )
        ts = self._notifier.post(
            channel=record.channel, thread_ts=record.thread_ts or None, message=status_message(view)
        )
        latest = self._records.get(record.job_name)
        if latest is not None and latest.status_message_ts is None:
            self._records.save(latest.model_copy(update={"status_message_ts": ts}))

    def _model(self, record: JobRecord) -> ModelSpec | None:
        try:
            return self._catalogue.model(record.base_model_id)
        except CatalogueError:
            return None


def _customization(tagged: str | None, bedrock_type: str) -> CustomizationType:
    if tagged is not None and tagged in CustomizationType._value2member_map_:
        return CustomizationType(tagged)
    return _TYPES_BY_BEDROCK.get(bedrock_type, CustomizationType.INSTRUCTION)


def _whole(value: str | None, *, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _estimate(catalogue: Catalogue, model_id: str, tokens: int, epochs: int) -> str | None:
    if tokens <= 0:
        return None
    try:
        upfront = estimate_cost(catalogue.model(model_id), training_tokens=tokens, epochs=epochs).upfront
    except CatalogueError:
        return None
    return str(upfront) if isinstance(upfront, Decimal) else None
