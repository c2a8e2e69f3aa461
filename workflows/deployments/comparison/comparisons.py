"""Compare with base: from the command or the button, choose the prompts, then ask both models in the background.

The request path (after Slack's ack) finds the deployment, the held-out file and its prompts, and
answers the person at once; the model calls run on the comparison's own threads, so a long run
never holds up other work. One lock per deployment and choice of prompts makes a double click, a
retried delivery or a second replica run one comparison, and is kept a minute after the run so a
click that arrives just after a quick run does not start another.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from workflows.catalogue import Catalogue, base_model_invoke_target
from workflows.chat.chat_errors import ModelNotReady, ModelThrottled
from workflows.chat.chat_ports import ChatAnswer, ChatRequest, ModelChat, Role, Turn
from workflows.datasets.access import SETTING, bucket_of
from workflows.deployments.comparison import compare_summary as say
from workflows.deployments.comparison.compare_arguments import DEFAULT_PROMPTS, CompareArguments, parse_compare
from workflows.deployments.comparison.compare_results import ComparedPrompt, ComparisonPlan, ModelReply, totals
from workflows.deployments.comparison.compare_table import table_csv, table_filename
from workflows.deployments.comparison.held_out import HeldOutPrompt, NoPrompts, choose
from workflows.deployments.deploy_arguments import Refusal
from workflows.deployments.deployment_ports import DeploymentStore
from workflows.deployments.deployment_record import DeploymentRecord
from workflows.deployments.serving import serving_deployment
from workflows.deployments.token_charges import Asked, TokenMeter
from workflows.exceptions import BotError, MessageGone, ServiceBusy
from workflows.jobs.job_ports import Leases, Requester
from workflows.messages import Attachment, Message
from workflows.ports import Clock, CustomizationJobs, DatasetStorage, Notifier
from workflows.slack_text import code

logger = logging.getLogger(__name__)

#: Held while a comparison runs (renewed after every prompt); a crashed run frees it after this.
RUN_LOCK_SECONDS = 600
#: Kept after a run ends, so a double click landing after a quick run is still one comparison.
AFTERGLOW_SECONDS = 60
#: Pauses before asking again when Bedrock throttles, is busy or is still starting the model.
RETRY_PAUSES = (2.0, 5.0)
#: The longest answer asked for: enough for a reference-length answer, bounded in cost.
ANSWER_TOKENS = 1024
#: The largest held-out file read (validation files are small: Bedrock takes at most a few thousand records).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Seconds between edits of the progress message (Slack allows about one edit per second per channel).
PROGRESS_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class _Source:
    uri: str
    from_validation: bool
    from_training: bool


class Comparisons:
    """``/finetune compare`` and the *Compare with base* button."""

    def __init__(
        self,
        *,
        chat: ModelChat,
        store: DeploymentStore,
        jobs: CustomizationJobs,
        storage: DatasetStorage | None,
        notifier: Notifier,
        locks: Leases,
        clock: Clock,
        background: Executor,
        dataset_buckets: frozenset[str],
        catalogue: Catalogue,
        region: str,
        meter: TokenMeter,
        default_prompts: int = DEFAULT_PROMPTS,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._chat = chat
        self._store = store
        self._jobs = jobs
        self._storage = storage
        self._notifier = notifier
        self._locks = locks
        self._clock = clock
        self._background = background
        self._buckets = dataset_buckets
        self._default_prompts = default_prompts
        self._catalogue = catalogue
        self._region = region
        self._pause = pause
        self._meter = meter

    def compare(self, who: Requester, request: str) -> Message:
        """Start a comparison and say where its summary will be, or say why it cannot run (for the person only)."""
        arguments = parse_compare(request)
        if isinstance(arguments, Refusal):
            return Message(text=arguments.text)
        record = self._deployment(who, arguments.target)
        if isinstance(record, Message):
            return record
        base = base_model_invoke_target(self._catalogue, record.base_model_id, self._region)
        if base is None:
            return Message(
                text=f"I can't ask the base model {code(record.base_model_id)} in {self._region}: the model "
                "catalogue has no on-demand model id or inference profile for it in this region, so there is "
                "nothing to compare with."
            )
        source = self._source(record, arguments)
        if isinstance(source, Message):
            return source
        key = _lock_name(record.name, source.uri, arguments, self._default_prompts)
        token = self._locks.acquire(key, ttl_seconds=RUN_LOCK_SECONDS)
        if token is None:
            return say.already_running(record.name)
        try:
            asked = Asked(team=who.team, channel=who.channel, user=who.user)
            plan = self._plan(record, arguments, source, base_invoke_id=base.model_id, asked=asked)
        except BaseException:
            self._locks.release(key, token)
            raise
        if isinstance(plan, Message):
            self._locks.release(key, token)
            return plan
        logger.info(
            "%s compares %s on %d prompts from %s", who.user, record.name, len(plan.held_out.prompts), plan.source_uri
        )
        self._background.submit(self.run, plan, key, token)
        return say.starting(plan)

    def run(self, plan: ComparisonPlan, key: str, token: str) -> None:
        """Ask both models every prompt, then the summary and the table in the thread; never raises."""
        results: list[ComparedPrompt] = []
        try:
            progress_ts = self._notifier.post(
                channel=plan.channel, message=say.progress(plan, 0), thread_ts=plan.thread_ts
            )
            shown = time.monotonic()
            for prompt in plan.held_out.prompts:
                results.append(self._compare_one(plan, prompt))
                self._locks.renew(key, token, RUN_LOCK_SECONDS)
                if time.monotonic() - shown >= PROGRESS_SECONDS and len(results) < len(plan.held_out.prompts):
                    self._notifier.update(
                        channel=plan.channel, ts=progress_ts, message=say.progress(plan, len(results))
                    )
                    shown = time.monotonic()
            self._report(plan, results, progress_ts)
            notice = self._meter.budget_notice(plan.asked)
            if notice is not None:
                self._notifier.post(channel=plan.asked.channel, message=notice)
        except MessageGone:
            logger.info("the thread of %s is gone; comparison dropped", plan.deployment)
        except Exception:
            logger.exception("comparison of %s stopped after %d prompts", plan.deployment, len(results))
            self._say_stopped(plan, len(results))
        finally:
            self._locks.renew(key, token, AFTERGLOW_SECONDS)

    def _report(self, plan: ComparisonPlan, results: list[ComparedPrompt], progress_ts: str) -> None:
        filename = table_filename(plan.deployment, self._clock.now())
        message = say.summary(plan, results, totals(results), filename)
        self._notifier.update(channel=plan.channel, ts=progress_ts, message=message)
        table = Attachment(
            filename=filename,
            content=table_csv(results),
            title=f"Comparison of {plan.deployment} with its base model",
        )
        self._notifier.attach(channel=plan.channel, attachment=table, thread_ts=plan.thread_ts)

    def _say_stopped(self, plan: ComparisonPlan, done: int) -> None:
        try:
            self._notifier.post(channel=plan.channel, message=say.stopped(plan, done), thread_ts=plan.thread_ts)
        except Exception:
            logger.warning("could not say that the comparison of %s stopped", plan.deployment, exc_info=True)

    def _compare_one(self, plan: ComparisonPlan, prompt: HeldOutPrompt) -> ComparedPrompt:
        """Both models' answers, each one's tokens charged to who asked for the comparison."""

        def custom_charged(answer: ChatAnswer) -> None:
            self._meter.custom(plan.asked, plan.record, answer)

        def base_charged(answer: ChatAnswer) -> None:
            self._meter.base(plan.asked, plan.base_model_id, answer)

        return ComparedPrompt(
            prompt=prompt,
            custom=self._ask(plan.custom_model_id, prompt, custom_charged),
            base=self._ask(plan.base_invoke_id, prompt, base_charged),
        )

    def _ask(self, model_id: str, prompt: HeldOutPrompt, charged: Callable[[ChatAnswer], None]) -> ModelReply:
        """One model's answer; throttling, a busy service or a model still starting are asked again after a pause."""
        request = ChatRequest(
            model_id=model_id,
            turns=tuple(Turn(Role(turn.role), turn.text) for turn in prompt.turns),
            system=prompt.system,
            max_tokens=ANSWER_TOKENS,
            temperature=0.0,
        )
        tries = len(RETRY_PAUSES) + 1
        for pause in (*RETRY_PAUSES, None):
            try:
                answer = self._chat.ask(request)
            except (ModelThrottled, ModelNotReady, ServiceBusy) as error:
                if pause is None:
                    return ModelReply.failed(_passing_failure(error, tries))
                self._pause(pause)
                continue
            except BotError as error:
                return ModelReply.failed(say.trim(str(error), 160))
            charged(answer)
            return ModelReply(
                text=answer.text,
                latency_ms=answer.latency_ms,
                input_tokens=answer.input_tokens,
                output_tokens=answer.output_tokens,
                cut_short=answer.cut_short,
            )
        raise AssertionError("unreachable: the last pause is None")

    def _deployment(self, who: Requester, target: str) -> DeploymentRecord | Message:
        """The team's ready deployment that ``target`` names: its name or ARN, its job, or its custom model."""
        return serving_deployment(self._store, self._jobs, team=who.team, target=target, then="compare it then")

    def _source(self, record: DeploymentRecord, arguments: CompareArguments) -> _Source | Message:
        """The held-out file: the one named, else the job's validation data; never the training data unasked."""
        training: str | None = None
        validation: str | None = None
        if record.job_name is not None:
            try:
                snapshot = self._jobs.describe(record.job_name)
            except BotError as error:
                if arguments.prompts_uri is None:
                    return Message(text=str(error))
            else:
                training, validation = snapshot.training_uri, snapshot.validation_uri
        uri = arguments.prompts_uri or validation
        if uri is None:
            return say.no_validation_data(record.job_name or record.name, record.name)
        bucket = bucket_of(uri)
        if bucket is not None and bucket not in self._buckets:
            return Message(
                text=f"I may not read held-out prompts from {code(uri)}: I read only from the buckets in {SETTING} "
                "and FINETUNE_BUCKET. Copy the file into one of them, or ask whoever runs finetune-bot to add it."
            )
        return _Source(uri=uri, from_validation=arguments.prompts_uri is None, from_training=uri == training)

    def _plan(
        self,
        record: DeploymentRecord,
        arguments: CompareArguments,
        source: _Source,
        *,
        base_invoke_id: str,
        asked: Asked,
    ) -> ComparisonPlan | Message:
        if self._storage is None:
            return Message(text="I can't read held-out prompts from S3: FINETUNE_BUCKET is not set.")
        try:
            data = self._storage.read_text(source.uri, max_bytes=MAX_FILE_BYTES)
        except BotError as error:
            return Message(text=str(error))
        held_out = choose(data, lines=arguments.lines, limit=arguments.limit or self._default_prompts)
        if isinstance(held_out, NoPrompts):
            return Message(text=f"{held_out.text} (The file: {code(source.uri)}.)")
        return ComparisonPlan(
            deployment=record.name,
            custom_model_id=record.arn,
            base_model_id=record.base_model_id,
            base_invoke_id=base_invoke_id,
            label=record.job_name or record.name,
            source_uri=source.uri,
            from_validation=source.from_validation,
            held_out=held_out,
            channel=record.channel,
            thread_ts=record.thread_ts,
            record=record,
            asked=asked,
            from_training=source.from_training,
        )


def _passing_failure(error: BotError, tries: int) -> str:
    """A few words for a failure that outlasted the retries (the table and the summary show them)."""
    if isinstance(error, ModelThrottled):
        return f"throttled by Bedrock after {tries} tries"
    if isinstance(error, ModelNotReady):
        return f"the model was not ready after {tries} tries"
    return f"Bedrock did not answer after {tries} tries"


def _lock_name(deployment: str, uri: str, arguments: CompareArguments, default_prompts: int) -> str:
    """One comparison at a time per deployment and choice of prompts."""
    choice = f"{uri}|{arguments.lines}|{arguments.limit or default_prompts}"
    return f"compare:{deployment}:{hashlib.sha256(choice.encode('utf-8')).hexdigest()[:16]}"
