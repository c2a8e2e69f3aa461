"""Try it: open a thread on a ready deployment, and answer each message in it from the custom model (and its base).

``/finetune try MODEL`` and the ready notice's *Try it* open the thread; anyone in the channel may ask.
Each message is a question sent through the ``ModelChat`` port with the training data's system prompt and
the thread's recent turns (``tryout_context``), so a person can ask a follow-up; *Side by side* asks the
base model too, with its own earlier answers. The thread's state lives in ``TryThreads`` with an expiry.
Each message is claimed for ``QUESTION_CLAIM_SECONDS`` while it is answered and marked answered once its
answer is posted, so a redelivery is answered once: dropped while a live replica answers it or after it was
answered, and answered when the replica that claimed it died (its claim expired).

The opening message is visible in Slack before its ``ts`` (the thread's key) is known, so the channel is
marked as having an opening in flight first: a question in an unknown thread of that channel waits for the
opening to be saved instead of being ignored. An opening whose post failed is looked for in the channel (a
post can reach Slack with its answer lost) and kept if found; otherwise the person is told.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from workflows.catalogue import Catalogue, base_model_invoke_target
from workflows.chat.chat_ports import ChatAnswer, ChatRequest, ModelChat, Role, Turn
from workflows.deployments.deployment_ports import DeploymentStore, TryThreads
from workflows.deployments.deployment_record import DeploymentRecord, Route, TryExchange, TryThread
from workflows.deployments.serving import serving_deployment
from workflows.deployments.token_charges import Asked, TokenMeter, cost_words
from workflows.deployments.tryout_context import KEPT_EXCHANGES, TRIMMED_NOTE, Context, Side, recent_turns
from workflows.deployments.tryout_view import TRY_THREAD_HOURS, answer_message, not_serving, opening_message
from workflows.exceptions import BotError
from workflows.jobs.job_ports import Requester
from workflows.keys import EVENT_CLAIM_SECONDS
from workflows.messages import Message
from workflows.ports import Clock, CustomizationJobs, JobRecords, KeyedNotifier
from workflows.slack_text import code

logger = logging.getLogger(__name__)

TRY_USAGE = "`/finetune try MODEL [side-by-side]`"
#: The longest answer asked for, in tokens (``maxTokens``); an answer cut there says so.
MAX_ANSWER_TOKENS = 1024
TRY_THREAD_SECONDS = TRY_THREAD_HOURS * 3600
#: How long an opening counts as in flight at most (a replica that died while posting one is forgotten then),
#: and so how long a question in a thread not yet saved waits for it: longer than a post with its retries.
OPENING_SECONDS = 30
#: How long a replica's claim on a question it is answering lasts: longer than an answer takes (one or two
#: Converse calls, seconds each), shorter than Slack's retry spacing (a minute, then five), as the claim on
#: a Slack event (``keys.EVENT_CLAIM_SECONDS``), so the retry of a question whose replica died is answered.
QUESTION_CLAIM_SECONDS = EVENT_CLAIM_SECONDS
#: How often a question waiting for its thread's opening looks again.
OPENING_POLL_SECONDS = 0.1
NOT_OPENED = (
    "I couldn't open a Try it thread: Slack did not take its first message. Try again in a minute "
    "with `/finetune try MODEL`."
)
_SIDE_BY_SIDE_WORDS = {"side-by-side", "side_by_side", "sidebyside", "both"}


class TryCommands:
    """``/finetune try``, the *Try it* and *Side by side* buttons, and the answers in Try it threads."""

    def __init__(
        self,
        *,
        chat: ModelChat,
        threads: TryThreads,
        store: DeploymentStore,
        jobs: CustomizationJobs,
        records: JobRecords,
        notifier: KeyedNotifier,
        clock: Clock,
        catalogue: Catalogue,
        region: str,
        meter: TokenMeter,
        monotonic: Callable[[], float] = time.monotonic,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._chat = chat
        self._catalogue = catalogue
        self._region = region
        self._threads = threads
        self._store = store
        self._jobs = jobs
        self._records = records
        self._notifier = notifier
        self._clock = clock
        self._meter = meter
        self._monotonic = monotonic
        self._pause = pause

    def open(self, who: Requester, request: str) -> Message:
        """``/finetune try MODEL [side-by-side]``: a thread in the person's channel, or why not."""
        words = request.split()
        side_by_side = bool(words) and words[-1].lower() in _SIDE_BY_SIDE_WORDS
        if side_by_side:
            words = words[:-1]
        if len(words) != 1:
            return Message(
                text=f"Say which model to try: {TRY_USAGE}, with a deployment, job or custom model name "
                "(`/finetune deployments` lists them)."
            )
        record = self._resolve(who.team, words[0])
        if isinstance(record, Message):
            return record
        return self._open(who, record, side_by_side=side_by_side)

    def open_deployment(self, who: Requester, name: str) -> Message:
        """The ready notice's *Try it*: a thread in the channel of the notice."""
        record = self._resolve(who.team, name)
        if isinstance(record, Message):
            return record
        return self._open(who, record, side_by_side=False)

    def switch(self, who: Requester, thread_ts: str, *, side_by_side: bool) -> Message:
        """*Side by side* / *Custom model only* on the opening message: the thread asks both models, or one."""
        thread = self._threads.get(team=who.team, channel=who.channel, thread_ts=thread_ts)
        if thread is None:
            return Message(text="This Try it thread has closed. Open a new one with `/finetune try MODEL`.")
        if side_by_side and not thread.base_invocable:
            return Message(text=self._base_unknown(thread.base_model_id))
        changed = thread.model_copy(update={"side_by_side": side_by_side})
        self._threads.save(changed, ttl_seconds=TRY_THREAD_SECONDS)
        self._notifier.update(channel=thread.channel, ts=thread.thread_ts, message=opening_message(changed))
        if side_by_side:
            return Message(text=f"Side by side is on: the base model {code(thread.base_model_id)} answers too.")
        return Message(text=f"Side by side is off: only {code(thread.label)} answers.")

    def answer(self, *, team: str, channel: str, user: str, thread_ts: str, ts: str, text: str) -> bool:
        """Answer ``user``'s message in a Try it thread, once; False when the thread is not one (left to others).

        What each answer costs per token counts against the channel's and ``user``'s month.
        """
        thread = self._threads.get(team=team, channel=channel, thread_ts=thread_ts)
        if thread is None:
            thread = self._saved_meanwhile(team=team, channel=channel, thread_ts=thread_ts)
        if thread is None:
            return False
        if not self._threads.claim_question(team=team, channel=channel, ts=ts, ttl_seconds=QUESTION_CLAIM_SECONDS):
            logger.info("Message %s in Try it thread %s is answered or being answered", ts, thread_ts)
            return True
        self._answer(thread, Asked(team=team, channel=channel, user=user), ts, text)
        self._threads.question_answered(team=team, channel=channel, ts=ts, ttl_seconds=TRY_THREAD_SECONDS)
        return True

    def _answer(self, thread: TryThread, asker: Asked, ts: str, text: str) -> None:
        """Ask the model (and its base, side by side) and post the answer, or why the deployment cannot answer."""
        team, channel, thread_ts = thread.team, thread.channel, thread.thread_ts
        record = self._store.get(thread.deployment)
        if record is None or not record.status.ready:
            status = record.status.value if record is not None else None
            self._notifier.post(channel=channel, message=not_serving(thread, status), thread_ts=thread_ts)
            return
        self._threads.save(thread, ttl_seconds=TRY_THREAD_SECONDS)
        kept = self._threads.exchanges(team=team, channel=channel, thread_ts=thread_ts)
        # A replica that died after keeping this question's exchange left it there: it is not context.
        history = [exchange for exchange in kept if exchange.ts != ts]
        custom_context = recent_turns(history, Side.CUSTOM)
        custom = self._ask(thread.model_id, thread, custom_context, text)
        base_context = recent_turns(history, Side.BASE) if thread.side_by_side else None
        base = self._ask(thread.base_model_id, thread, base_context, text) if base_context is not None else None
        if len(history) == len(kept):
            exchange = TryExchange(ts=ts, question=text, custom=_said(custom), base=_said(base))
            self._threads.add_exchange(thread, exchange, keep=KEPT_EXCHANGES, ttl_seconds=TRY_THREAD_SECONDS)
        trimmed = custom_context.dropped > 0 or (base_context is not None and base_context.dropped > 0)
        note = TRIMMED_NOTE if trimmed and self._first_trim(thread) else None
        costs = self._charged(asker, record, custom, base)
        message = answer_message(thread, custom, base, note=note, costs=costs)
        self._notifier.post(channel=channel, message=message, thread_ts=thread_ts)
        notice = self._meter.budget_notice(asker) if any(costs) else None
        if notice is not None:
            self._notifier.post(channel=channel, message=notice)

    def _charged(
        self, asker: Asked, record: DeploymentRecord, custom: ChatAnswer | str, base: ChatAnswer | str | None
    ) -> tuple[str | None, str | None]:
        """Record what the answers cost per token for the asker; in words (None: not billed per token)."""
        custom_cost = None
        if isinstance(custom, ChatAnswer) and record.route is Route.ON_DEMAND:
            custom_cost = cost_words(self._meter.custom(asker, record, custom))
        base_cost = (
            cost_words(self._meter.base(asker, record.base_model_id, base)) if isinstance(base, ChatAnswer) else None
        )
        return custom_cost, base_cost

    def _saved_meanwhile(self, *, team: str, channel: str, thread_ts: str) -> TryThread | None:
        """The thread, once saved, when an opening in the channel was in flight as the message came; else None."""
        deadline = self._monotonic() + OPENING_SECONDS
        while self._threads.opening(team=team, channel=channel) and self._monotonic() < deadline:
            self._pause(OPENING_POLL_SECONDS)
            thread = self._threads.get(team=team, channel=channel, thread_ts=thread_ts)
            if thread is not None:
                return thread
        return self._threads.get(team=team, channel=channel, thread_ts=thread_ts)

    def _first_trim(self, thread: TryThread) -> bool:
        """True the first time this thread leaves older turns out: it is told once."""
        return self._threads.claim_trim_note(
            team=thread.team, channel=thread.channel, thread_ts=thread.thread_ts, ttl_seconds=TRY_THREAD_SECONDS
        )

    def _ask(self, model_id: str, thread: TryThread, context: Context, text: str) -> ChatAnswer | str:
        """The model's answer to ``text`` after the thread's recent turns, or the plain words of why there is none."""
        try:
            request = ChatRequest(
                model_id=model_id,
                turns=(*context.turns, Turn(Role.USER, text)),
                system=thread.system_prompt,
                max_tokens=MAX_ANSWER_TOKENS,
            )
            return self._chat.ask(request)
        except BotError as error:
            logger.info("Try it in %s: %s did not answer: %s", thread.thread_ts, model_id, type(error).__name__)
            return str(error)

    def _open(self, who: Requester, record: DeploymentRecord, *, side_by_side: bool) -> Message:
        job = self._records.get(record.job_name) if record.job_name else None
        target = base_model_invoke_target(self._catalogue, record.base_model_id, self._region)
        pending = TryThread(
            team=who.team,
            channel=who.channel,
            thread_ts="",
            deployment=record.name,
            model_id=record.arn,
            label=record.job_name or record.name,
            base_model_id=target.model_id if target is not None else record.base_model_id,
            base_invocable=target is not None,
            system_prompt=job.system_prompt if job is not None else None,
            side_by_side=side_by_side and target is not None,
            opened_by=who.user,
            opened_at=self._clock.now(),
        )
        key = f"try-opening:{uuid.uuid4().hex}"
        self._threads.begin_opening(team=who.team, channel=who.channel, key=key, ttl_seconds=OPENING_SECONDS)
        try:
            ts, failure = self._post_opening(pending, key)
            if ts is not None:
                self._threads.save(pending.model_copy(update={"thread_ts": ts}), ttl_seconds=TRY_THREAD_SECONDS)
        finally:
            self._threads.end_opening(team=who.team, channel=who.channel, key=key)
        if ts is None:
            return Message(text=failure)
        logger.info("%s opened a Try it thread on %s in %s", who.user, record.name, who.channel)
        opened = f"I opened a thread to try {code(pending.label)} in this channel: write your questions there."
        if side_by_side and target is None:
            opened += " Only the custom model answers: " + self._base_unknown(record.base_model_id)
        return Message(text=opened)

    def _post_opening(self, pending: TryThread, key: str) -> tuple[str | None, str]:
        """The opening message's ``ts``, also when its post failed after reaching Slack; else None and why."""
        try:
            return self._notifier.post_keyed(channel=pending.channel, message=opening_message(pending), key=key), ""
        except BotError as error:
            failure = str(error)
        except Exception:
            failure = NOT_OPENED
        logger.warning("Posting a Try it opening in %s failed; looking for it there", pending.channel, exc_info=True)
        try:
            found = self._notifier.find_posted(channel=pending.channel, key=key)
        except Exception:
            logger.warning("Could not look for the Try it opening in %s", pending.channel, exc_info=True)
            found = None
        if found is not None:
            logger.info("The Try it opening in %s had reached Slack; its thread is kept", pending.channel)
        return found, failure

    def _base_unknown(self, base_model_id: str) -> str:
        """Why the base model cannot be asked beside the custom one."""
        return (
            f"I can't ask the base model {code(base_model_id)} in {self._region}: the model catalogue has no "
            "on-demand model id or inference profile for it in this region, so Side by side is not available."
        )

    def _resolve(self, team: str, target: str) -> DeploymentRecord | Message:
        """The newest ready deployment that ``target`` names (deployment, job or custom model), or why none."""
        return serving_deployment(self._store, self._jobs, team=team, target=target, then="try it then")


def _said(answer: ChatAnswer | str | None) -> str | None:
    """The model's text for the thread's history; None when it did not answer (an error is not a turn)."""
    return answer.text if isinstance(answer, ChatAnswer) else None
