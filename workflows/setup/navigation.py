"""The setup machine's navigation: free text read as an answer, Back, Cancel, and busy stages waited on or recovered."""

from __future__ import annotations

from typing import Any

from workflows.command_grammar import parse_type
from workflows.messages import Message, Reply
from workflows.setup import questions
from workflows.setup.approval_steps import leave
from workflows.setup.effects import CheckDataset, ResolveLaunch, Say, Whisper
from workflows.setup.events import (
    BackPressed,
    CancelPressed,
    Event,
    GraderTestPressed,
    LoggingRecheckPressed,
    ModelChosen,
    PersonEvent,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.model import Conversation, Stage, source_name
from workflows.setup.steps import BUSY, CHECK_ATTEMPTS, Context, Step, back_to_waiting, busy_for, question_for, say
from workflows.slack_text import code, mention, mrkdwn


def interpret(conversation: Conversation, event: TextTyped, context: Context) -> PersonEvent:
    """Free text as the answer it stands for at this stage, when it stands for one."""
    text, user, stage = event.text.strip(), event.user, conversation.stage
    word = text.lower()
    if word in {"cancel", "stop", "quit"}:
        return CancelPressed(user)
    if word in {"back", "go back", "undo"}:
        return BackPressed(user)
    if stage is Stage.AWAITING_VALIDATION and word in {"skip", "no", "none"}:
        return ValidationSkipped(user)
    if stage is Stage.REVIEWING and word in {"start", "go"}:
        return StartPressed(user)
    if stage is Stage.REVIEWING and word in {"test", "test grader", "test my grader"}:
        return GraderTestPressed(user)
    if stage is Stage.AWAITING_LOGS and word in {"check", "again", "check again", "check logging again"}:
        return LoggingRecheckPressed(user)
    if stage is Stage.CHOOSING_TEACHER and " " not in text and text:
        return TeacherChosen(user, text)
    if stage is Stage.CHOOSING_TYPE and (kind := parse_type(word)) is not None:
        return TypeChosen(user, kind)
    if stage is Stage.CHOOSING_MODEL and " " not in text and text:
        return ModelChosen(user, text)
    return TextTyped(user, text)


def cancel(conversation: Conversation, context: Context) -> Step:
    if conversation.stage is Stage.STARTING:
        text = "The job is being created right now, so this setup can no longer be cancelled."
        return Step(conversation, (Whisper(conversation.user, text + " Use `/finetune stop JOB` once it starts."),))
    if conversation.stage is Stage.AWAITING_APPROVAL and conversation.approval is not None:
        return leave(conversation, "cancel", context)
    cancelled = conversation.model_copy(update={"stage": Stage.CANCELLED, "busy": None})
    return Step(cancelled, (say(Message("Cancelled. Nothing was started and nothing was spent.")),))


#: What each stage's answer set; going back to a stage forgets its answer and everything after it.
_DATA = {"training": None, "validation": None, "logs": None, "pending_logs": None}

_GRADER = {
    "grader_arn": None,
    "pending_grader": None,
    "grader_test": None,
    "grader_access": None,
    "grader_access_text": None,
}

_FORGET_FROM: dict[Stage, dict[str, Any]] = {
    Stage.CHOOSING_TYPE: {"customization": None, "model_id": None, "teacher_id": None, **_GRADER, **_DATA},
    Stage.CHOOSING_MODEL: {"model_id": None, "teacher_id": None, **_GRADER, **_DATA},
    Stage.CHOOSING_TEACHER: {"teacher_id": None, **_DATA},
    Stage.AWAITING_GRADER: {**_GRADER, **_DATA},
    Stage.AWAITING_TRAINING: _DATA,
    Stage.AWAITING_LOGS: {"logs": None, "pending_logs": None},
    Stage.AWAITING_VALIDATION: {"validation": None},
}


def go_back(conversation: Conversation, context: Context) -> Step:
    previous = [stage for stage in conversation.previous if stage not in BUSY]
    if not previous:
        return Step(conversation, (say(Message("This is the first question; there is nothing to go back to.")),))
    target = previous[-1]
    forget = dict(_FORGET_FROM.get(target, {}))
    if target is Stage.ASKING_GOAL:
        forget["help_goal"] = None
    if target is Stage.ASKING_DATA:
        forget.update(help_data=None, help_goal=None)
    updated = conversation.model_copy(update={"stage": target, "previous": tuple(previous[:-1]), **forget})
    return Step(updated, (say(question_for(updated, context)),))


def while_busy(conversation: Conversation, event: Event, context: Context) -> Step:
    """While a check or a launch runs (and has time left), say what is happening."""
    if conversation.stage is Stage.STARTING and conversation.busy is not None:
        asked, until = conversation.busy.since, conversation.busy.until
        text = (
            f"The job is being created: Bedrock was asked at {asked:%H:%M:%S} UTC and has not confirmed it yet. "
            f"I'll post its status here as soon as it does; if nothing comes by {until:%H:%M:%S} UTC, I'll look "
            "the job up in Bedrock myself and either follow it or give you the Start button back."
        )
        return Step(conversation, (Whisper(conversation.user, text),))
    return Step(conversation, (Whisper(conversation.user, questions.still_checking()),))


def recover(conversation: Conversation, context: Context) -> Step:
    """A busy stage outlived its deadline (a crash, a lost thread): redo the work, resolve it, or hand it back."""
    busy = conversation.busy
    attempt = busy.attempt + 1 if busy is not None else 1
    if conversation.stage is Stage.STARTING:
        renewed = busy_for(context, f"l{conversation.version}", context.launch_seconds, attempt=attempt)
        return Step(conversation.model_copy(update={"busy": renewed}), (ResolveLaunch(),))
    waiting = Stage.AWAITING_TRAINING if conversation.stage is Stage.CHECKING_TRAINING else Stage.AWAITING_VALIDATION
    if busy is None or busy.source is None or busy.role is None or attempt > CHECK_ATTEMPTS:
        name = code(source_name(busy.source)) if busy is not None and busy.source is not None else "your dataset"
        text = f"I could not finish checking {name}: the check was interrupted. Please send it again."
        back = back_to_waiting(conversation, waiting)
        return Step(back, (Say(Reply(Message(text)), slot=busy.slot if busy else None),))
    token = f"{busy.role.value}-{conversation.version}-{attempt}"
    again = busy_for(context, token, context.check_seconds, role=busy.role, source=busy.source, slot=busy.slot)
    again = again.model_copy(update={"attempt": attempt})
    progress = Message(f"Checking {code(source_name(busy.source))} again (the first check was interrupted)…")
    effects = (Say(Reply(progress), slot=busy.slot), CheckDataset(busy.role, busy.source, check=token))
    return Step(conversation.model_copy(update={"busy": again}), effects)


def recover_for(conversation: Conversation, user: str, context: Context) -> Step:
    """Recovery started by a person's event: a lost launch also tells them what is being done."""
    step = recover(conversation, context)
    if conversation.stage is not Stage.STARTING:
        return step
    text = "Starting the job was interrupted. I'm looking it up in Bedrock now and will post here what I find."
    return Step(step.conversation, (*step.effects, Whisper(user, text)))


def not_yours(conversation: Conversation) -> str:
    return mrkdwn(
        "This setup belongs to {user}, so only they can answer here. Type `/finetune` to start your own.",
        user=mention(conversation.user),
    )


def finished(conversation: Conversation) -> str:
    if conversation.stage is Stage.STARTED:
        return f"This setup already started {code(conversation.job_name)}. Type `/finetune status` to follow it."
    return "This setup was cancelled. Type `/finetune` to start a new one."
