"""The conversation service: load, advance, save with optimistic concurrency, then perform the effects.

Effects run after the state is saved, so a crash between the two repeats at most an idempotent
step (posting a question again, re-checking a dataset, re-creating the same job by name).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from workflows.cancellation import Cancellation
from workflows.catalogue.schema import Catalogue
from workflows.conversation.effects import CheckDataset, Effect, LaunchJob, Say, Whisper
from workflows.conversation.events import CancelPressed, DatasetAccepted, Event
from workflows.conversation.machine import Context, Step, advance, begin
from workflows.conversation.model import Conversation, Stage
from workflows.conversation.one_line import plan_one_line
from workflows.errors import ConcurrentUpdate, MessageGone, StorageUnavailable
from workflows.intake import DatasetIntake
from workflows.launch import JobLauncher
from workflows.messages import Message
from workflows.ports import Clock, ConversationStore, Notifier
from workflows.slack_text import mention, mrkdwn

logger = logging.getLogger(__name__)

#: How many times an event is re-applied when another replica saved the conversation first.
SAVE_ATTEMPTS = 5

ROOT_TEXT = "{user} is setting up a fine-tuning job. Follow along in the thread."
EXPIRED = (
    "I no longer have this setup (setups are kept for a week, or it was from another workspace). "
    "Type `/finetune` to start again."
)


@dataclass(frozen=True)
class Where:
    """The Slack coordinates of a request: workspace, channel and the person acting."""

    team: str
    channel: str
    user: str


class ConversationService:
    """Drives conversations from Slack events to a started Bedrock job."""

    def __init__(
        self,
        *,
        store: ConversationStore,
        notifier: Notifier,
        intake: DatasetIntake,
        launcher: JobLauncher,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
        max_upload_bytes: int,
        storage_up: Callable[[], bool],
    ) -> None:
        self._store = store
        #: A quick probe of the store, asked before anything is posted that the store must remember.
        self._storage_up = storage_up
        self._notifier = notifier
        self._intake = intake
        self._launcher = launcher
        self._catalogue = catalogue
        self._clock = clock
        self._region = region
        self._max_upload_bytes = max_upload_bytes

    def context(self) -> Context:
        return Context(self._catalogue, self._region, self._max_upload_bytes, self._clock.now())

    def start(self, where: Where) -> Conversation:
        """``/finetune``: post the root message in the channel and ask the first question in its thread."""
        thread_ts = self._post_root(where)
        step = begin(
            team=where.team,
            channel=where.channel,
            thread_ts=thread_ts,
            user=where.user,
            context=self.context(),
        )
        saved = self._save_new(step.conversation)
        self._perform(saved, step.effects)
        return saved

    def start_one_line(self, where: Where, options: Mapping[str, str]) -> list[str]:
        """``/finetune new key=value …``: the problems, or [] once the checks are under way in a thread."""
        plan = plan_one_line(options, self.context())
        if isinstance(plan, list):
            return plan
        thread_ts = self._post_root(where)
        conversation = plan.conversation(team=where.team, channel=where.channel, thread_ts=thread_ts, user=where.user)
        saved = self._save_new(conversation)
        self._perform(saved, plan.effects)
        return []

    def handle(self, conversation_id: str, event: Event, *, where: Where) -> None:
        """Apply ``event`` to the conversation and do what it asks, retrying on concurrent saves."""
        self._apply(conversation_id, event, where=where, quiet_if_missing=False)

    def handle_reply(self, conversation_id: str, event: Event, *, where: Where) -> None:
        """Like ``handle``, for messages in threads: threads that are not conversations are ignored."""
        self._apply(conversation_id, event, where=where, quiet_if_missing=True)

    def _apply(self, conversation_id: str, event: Event, *, where: Where, quiet_if_missing: bool) -> None:
        for _ in range(SAVE_ATTEMPTS):
            conversation = self._store.load(conversation_id)
            if conversation is None:
                if not quiet_if_missing:
                    self._notifier.whisper(channel=where.channel, user=where.user, text=EXPIRED)
                return
            step = advance(conversation, event, self.context())
            saved = self._save(conversation, step)
            if saved is not None:
                self._perform(saved, step.effects)
                return
        logger.warning(
            "Gave up applying %s to %s after %d concurrent saves",
            type(event).__name__,
            conversation_id,
            SAVE_ATTEMPTS,
        )

    def cancel_in_channel(self, where: Where) -> Cancellation:
        """``/finetune cancel``: cancel every unfinished setup of the person in this channel.

        One setup's trouble never stops the others, and a thread deleted in Slack only means that
        thread cannot be told: its setup is cancelled all the same.
        """
        outcome = Cancellation()
        for conversation_id in self._store.active_in_channel(team=where.team, channel=where.channel):
            conversation = self._store.load(conversation_id)
            if conversation is not None and conversation.user == where.user:
                outcome.count(self._cancel_one(conversation, where))
        return outcome

    def _cancel_one(self, conversation: Conversation, where: Where) -> Stage | None:
        """The setup's stage after trying to cancel it; None when it is gone."""
        conversation_id = conversation.id
        try:
            self.handle(conversation_id, CancelPressed(where.user), where=where)
        except MessageGone as exc:
            logger.info(
                "Could not tell the thread of %s about the cancel: it is gone from Slack (%s)", conversation_id, exc
            )
        except Exception:
            logger.exception("Cancelling %s failed; the person's other setups go on", conversation_id)
        try:
            after = self._store.load(conversation_id)
        except Exception:
            logger.exception("Could not read %s back after cancelling it", conversation_id)
            return conversation.stage
        return after.stage if after is not None else None

    def _save(self, before: Conversation, step: Step) -> Conversation | None:
        """The saved conversation; ``before`` itself when nothing changed; None when someone saved first."""
        if step.conversation is before:
            return before
        try:
            return self._store.save(step.conversation)
        except ConcurrentUpdate:
            return None

    def _post_root(self, where: Where) -> str:
        """Post the public root message, only while the store answers: its ``ts`` keys the conversation."""
        if not self._storage_up():
            raise StorageUnavailable
        return self._notifier.post(channel=where.channel, message=Message(mrkdwn(ROOT_TEXT, user=mention(where.user))))

    def _save_new(self, conversation: Conversation) -> Conversation:
        """Save a new conversation; if that fails, take its root message back so nothing public is orphaned."""
        try:
            return self._store.save(conversation)
        except Exception:
            try:
                self._notifier.delete(channel=conversation.channel, ts=conversation.thread_ts)
            except Exception:
                logger.exception("Could not delete the root message of %s after its save failed", conversation.id)
            raise

    def _perform(self, conversation: Conversation, effects: tuple[Effect, ...]) -> None:
        where = Where(conversation.team, conversation.channel, conversation.user)
        for effect in effects:
            if isinstance(effect, Say):
                self._say(conversation, effect)
            elif isinstance(effect, Whisper):
                self._notifier.whisper(
                    channel=conversation.channel,
                    user=effect.user,
                    text=effect.text,
                    thread_ts=conversation.thread_ts,
                )
            elif isinstance(effect, CheckDataset):
                self._check_dataset(conversation, effect, where)
            elif isinstance(effect, LaunchJob):
                launched = self._launcher.launch(conversation)
                if launched is not None:
                    self.handle(conversation.id, launched, where=where)

    def _check_dataset(self, conversation: Conversation, effect: CheckDataset, where: Where) -> None:
        """Show an acceptance before moving on, but a refusal only once the thread takes a new file."""
        outcome = self._intake.check(conversation, effect.role, effect.source)
        if isinstance(outcome.event, DatasetAccepted):
            self._intake.publish(outcome)
            self.handle(conversation.id, outcome.event, where=where)
        else:
            self.handle(conversation.id, outcome.event, where=where)
            self._intake.publish(outcome)

    def _say(self, conversation: Conversation, effect: Say) -> None:
        self._notifier.post(
            channel=conversation.channel, thread_ts=conversation.thread_ts, message=effect.reply.message
        )
        for attachment in effect.reply.attachments:
            self._notifier.attach(channel=conversation.channel, thread_ts=conversation.thread_ts, attachment=attachment)
