"""Starting the Bedrock job for a reviewed conversation, exactly once, and recording it for monitoring."""

from __future__ import annotations

import logging

from workflows.catalogue.schema import Catalogue, ModelSpec, ValueKind
from workflows.dataset_rules import CustomizationType
from workflows.exceptions import BotError, JobNotFound
from workflows.jobs.formatting import record_cost_text, tokens_text
from workflows.jobs.job import JobRecord, JobRequest, JobSnapshot, job_names
from workflows.messages import Message
from workflows.ports import Clock, CustomizationJobs, JobRecords, Locks, Notifier
from workflows.setup.events import JobLaunched, JobLaunchRefused, LaunchAbandoned
from workflows.setup.model import Conversation
from workflows.setup.review import MAX_RESPONSE, cost_estimate, epochs, hyperparameters
from workflows.slack_text import code

logger = logging.getLogger(__name__)

#: Seconds one replica may spend creating a job before another may try again (the launch deadline).
LAUNCH_LOCK_SECONDS = 120
#: Where in the bucket job output goes.
OUTPUT_PREFIX = "finetune-bot/output"
#: Tag keys on every job (who started it, from where).
TAG_PREFIX = "finetune-bot"
#: ``finetune-bot:source`` on a job that reads model invocation logs (its tokens are unknown, so it has no tokens tag).
LOGS_SOURCE_TAG = "invocation-logs"

MISSING_SETTING = (
    "{name} is not configured, so I cannot start jobs yet. Ask whoever runs finetune-bot to set it "
    "(see the README's settings table); your setup is kept, so press Start again once it is set."
)


def job_request(conversation: Conversation, model: ModelSpec, *, role_arn: str, bucket: str) -> JobRequest:
    """The CreateModelCustomizationJob request, with names derived from the conversation (idempotent)."""
    assert conversation.customization is not None
    assert conversation.training is not None or conversation.logs is not None
    job_name, model_name, token = job_names(conversation_id=conversation.id, label=conversation.name)
    training, logs = conversation.training, conversation.logs
    settings = hyperparameters(conversation, model)
    kind = conversation.customization
    distillation = kind is CustomizationType.DISTILLATION
    reinforcement = kind is CustomizationType.REINFORCEMENT
    return JobRequest(
        job_name=job_name,
        custom_model_name=model_name,
        client_request_token=token,
        base_model_id=model.id,
        customization=conversation.customization,
        role_arn=role_arn,
        training_uri=training.uri if training is not None else None,
        invocation_logs=logs.api() if logs is not None else None,
        validation_uri=conversation.validation.uri if conversation.validation else None,
        output_uri=f"s3://{bucket}/{OUTPUT_PREFIX}/{job_name}/",
        # Distillation and RFT take their settings in customizationConfig, not in hyperParameters.
        hyperparameters={} if distillation or reinforcement else settings,
        teacher_id=conversation.teacher_id if distillation else None,
        max_response_tokens=int(settings[MAX_RESPONSE]) if distillation else None,
        grader_arn=conversation.grader_arn if reinforcement else None,
        rft_hyperparameters=_typed(model, kind, settings) if reinforcement else {},
        tags={
            f"{TAG_PREFIX}:user": conversation.user,
            f"{TAG_PREFIX}:channel": conversation.channel,
            f"{TAG_PREFIX}:team": conversation.team,
            f"{TAG_PREFIX}:conversation": conversation.id,
            f"{TAG_PREFIX}:type": conversation.customization.value,
            **({f"{TAG_PREFIX}:tokens": str(training.tokens)} if training is not None else {}),
            **({f"{TAG_PREFIX}:source": LOGS_SOURCE_TAG} if logs is not None else {}),
        },
    )


def _typed(model: ModelSpec, kind: CustomizationType, settings: dict[str, str]) -> dict[str, int | float | str]:
    """RFT settings as the API types them: whole numbers, decimals and words."""
    kinds = {spec.name: spec.kind for spec in model.hyperparameters_for(kind)}
    typed: dict[str, int | float | str] = {}
    for name, value in settings.items():
        match kinds.get(name):
            case ValueKind.INT:
                typed[name] = int(value)
            case ValueKind.FLOAT:
                typed[name] = float(value)
            case _:
                typed[name] = value
    return typed


def started_message(snapshot: JobSnapshot, model: ModelSpec, record: JobRecord) -> Message:
    """The job's status message in the thread; monitoring edits it in place as the job moves."""
    return Message(
        text=f"Started fine-tuning job {code(snapshot.job_name)} on {model.name}.",
        facts=(
            ("Status", snapshot.status.value),
            ("Estimated training cost", record_cost_text(record)),
            ("Training tokens", tokens_text(record)),
        ),
        context="I'll update this message as the job moves and post in the channel when it finishes.",
    )


class JobLauncher:
    """Creates the job (idempotently, under a per-conversation lock) and records it."""

    def __init__(
        self,
        *,
        jobs: CustomizationJobs,
        records: JobRecords,
        notifier: Notifier,
        locks: Locks,
        catalogue: Catalogue,
        clock: Clock,
        role_arn: str | None,
        bucket: str | None,
        lock_seconds: float = LAUNCH_LOCK_SECONDS,
    ) -> None:
        self._jobs = jobs
        self._records = records
        self._notifier = notifier
        self._locks = locks
        self._catalogue = catalogue
        self._clock = clock
        self._role_arn = role_arn
        self._bucket = bucket
        self._lock_seconds = lock_seconds

    def launch(self, conversation: Conversation) -> JobLaunched | JobLaunchRefused | None:
        """The result to feed back, or None when another replica is launching this job right now."""
        if self._role_arn is None:
            return JobLaunchRefused(MISSING_SETTING.format(name="FINETUNE_ROLE_ARN"))
        if self._bucket is None:
            return JobLaunchRefused(MISSING_SETTING.format(name="FINETUNE_BUCKET"))
        lock = f"launch:{conversation.id}"
        token = self._locks.acquire(lock, ttl_seconds=self._lock_seconds)
        if token is None:
            return None
        try:
            return self._launch(conversation, self._role_arn, self._bucket)
        finally:
            self._locks.release(lock, token)

    def resolve(self, conversation: Conversation) -> JobLaunched | LaunchAbandoned | None:
        """After a launch outlived its deadline: adopt the job if Bedrock has it by its name, else give Start back.

        None when Bedrock cannot say right now, or when someone else holds the conversation's launch
        lock (a launch still running, or the status tick adopting the same job as an orphan); the
        next tick asks again. Recording under that lock is what keeps the job to one record and one
        status message in the thread.
        """
        assert conversation.model_id is not None
        job_name, _, _ = job_names(conversation_id=conversation.id, label=conversation.name)
        lock = f"launch:{conversation.id}"
        token = self._locks.acquire(lock, ttl_seconds=self._lock_seconds)
        if token is None:
            return None
        try:
            try:
                snapshot = self._jobs.describe(job_name)
            except JobNotFound:
                logger.info("Launch of %s was interrupted before Bedrock took it", job_name)
                return LaunchAbandoned()
            except BotError as exc:
                logger.warning("Could not look up %s after an interrupted launch: %s", job_name, exc)
                return None
            if self._records.get(job_name) is None:
                logger.info("Adopting job %s, created by an interrupted launch", job_name)
                self._record(conversation, self._catalogue.model(conversation.model_id), snapshot)
            return JobLaunched(snapshot.job_name, snapshot.job_arn)
        finally:
            self._locks.release(lock, token)

    def _launch(self, conversation: Conversation, role_arn: str, bucket: str) -> JobLaunched | JobLaunchRefused:
        assert conversation.model_id is not None
        model = self._catalogue.model(conversation.model_id)
        request = job_request(conversation, model, role_arn=role_arn, bucket=bucket)
        try:
            snapshot = self._jobs.create(request)
        except BotError as exc:
            logger.info("Bedrock refused job %s: %s", request.job_name, exc)
            return JobLaunchRefused(str(exc))
        if self._records.get(snapshot.job_name) is None:
            self._record(conversation, model, snapshot)
        return JobLaunched(snapshot.job_name, snapshot.job_arn)

    def _record(self, conversation: Conversation, model: ModelSpec, snapshot: JobSnapshot) -> None:
        """Remember the job with everything monitoring needs (first, so it is watched whatever happens
        next), then post its status message."""
        assert conversation.customization is not None
        training = conversation.training
        job_epochs = epochs(conversation, model)
        estimate = cost_estimate(conversation, model, self._catalogue)
        record = JobRecord(
            job_name=snapshot.job_name,
            job_arn=snapshot.job_arn,
            base_model_id=model.id,
            customization=conversation.customization,
            conversation_id=conversation.id,
            team=conversation.team,
            channel=conversation.channel,
            thread_ts=conversation.thread_ts,
            user=conversation.user,
            started_at=self._clock.now(),
            epochs=job_epochs,
            training_tokens=training.tokens if training is not None else 0,
            estimated_training_cost=str(estimate.upfront) if estimate.upfront is not None else None,
            from_invocation_logs=conversation.logs is not None,
            system_prompt=training.system_prompt if training is not None else None,
        )
        self._records.save(record)
        try:
            ts = self._notifier.post(
                channel=conversation.channel,
                thread_ts=conversation.thread_ts,
                message=started_message(snapshot, model, record),
            )
        except Exception:
            # The job is recorded and watched either way; monitoring posts the status message later.
            logger.exception("Could not post the status message of %s", snapshot.job_name)
            return
        latest = self._records.get(snapshot.job_name) or record
        self._records.save(latest.model_copy(update={"status_message_ts": ts}))
