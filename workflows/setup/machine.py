"""The conversation as a pure state machine: ``advance(conversation, event, context) -> Step``.

The steps live in modules beside it (``steps``, ``choice_steps``, ``dataset_steps``, ``grader_steps``,
``logs_steps``, ``start_steps``, ``approval_steps``, ``navigation``); this module routes each event to its step.
No I/O here. The service loads the conversation, calls ``advance``, saves the result with
optimistic concurrency, then performs the effects and feeds their results back as events.
"""

from __future__ import annotations

from typing import assert_never

from workflows.dataset_rules import CustomizationType
from workflows.messages import Message
from workflows.setup import questions
from workflows.setup.advice import DataAnswer, GoalAnswer
from workflows.setup.approval_steps import (
    approval_answered,
    approval_asked,
    ask_again,
    asking_overdue,
    while_awaiting_approval,
)
from workflows.setup.choice_steps import choose_model, choose_teacher, choose_type
from workflows.setup.dataset_steps import TEXT_FILETYPES, attach, check, checked, start_check
from workflows.setup.effects import Whisper
from workflows.setup.events import (
    ApprovalAnswered,
    ApprovalAsked,
    BackPressed,
    CancelPressed,
    DataAnswered,
    DatasetAccepted,
    DatasetRefused,
    Event,
    FileAttached,
    GoalAnswered,
    GraderChecked,
    GraderTested,
    GraderTestPressed,
    HelpRequested,
    JobLaunched,
    JobLaunchRefused,
    LaunchAbandoned,
    LoggingChecked,
    LoggingRecheckPressed,
    LogsChosen,
    ModelChosen,
    PersonEvent,
    Recover,
    ResultEvent,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.grader_steps import grader_checked, grader_tested, grader_typed, test_grader
from workflows.setup.logs_steps import check_logging, logging_checked, logs_typed
from workflows.setup.model import Conversation, Stage
from workflows.setup.navigation import cancel, finished, go_back, interpret, not_yours, recover, recover_for, while_busy
from workflows.setup.start_steps import change_settings, job_launched, job_not_launched, start
from workflows.setup.steps import (
    BUSY,
    CHECK_ATTEMPTS,
    CHECK_SECONDS,
    LAUNCH_SECONDS,
    Context,
    Step,
    approval_needed,
    dataset_stage,
    goto,
    overdue,
    question_for,
    say,
)

#: What other code imports from the machine; the steps themselves live in the modules imported above.
__all__ = [
    "BUSY",
    "CHECK_ATTEMPTS",
    "CHECK_SECONDS",
    "LAUNCH_SECONDS",
    "TEXT_FILETYPES",
    "Context",
    "Step",
    "advance",
    "approval_needed",
    "begin",
    "check_logging",
    "overdue",
    "question_for",
    "start_check",
]


def begin(*, team: str, channel: str, thread_ts: str, user: str, context: Context) -> Step:
    """A new conversation in the thread of ``thread_ts``, asking for the type."""
    conversation = Conversation(
        team=team,
        channel=channel,
        thread_ts=thread_ts,
        user=user,
        created_at=context.now,
        updated_at=context.now,
    )
    return Step(conversation, (say(questions.choose_type(context.catalogue)),))


def advance(conversation: Conversation, event: Event, context: Context) -> Step:
    """Apply one event; never raises for anything a person can do."""
    match event:
        case (
            DatasetAccepted()
            | DatasetRefused()
            | JobLaunched()
            | JobLaunchRefused()
            | LaunchAbandoned()
            | GraderChecked()
            | GraderTested()
            | LoggingChecked()
            | ApprovalAsked()
            | ApprovalAnswered()
            | Recover()
        ):
            step = _on_result(conversation, event, context)
        case (
            TypeChosen()
            | HelpRequested()
            | DataAnswered()
            | GoalAnswered()
            | ModelChosen()
            | TeacherChosen()
            | GraderTestPressed()
            | LogsChosen()
            | LoggingRecheckPressed()
            | FileAttached()
            | TextTyped()
            | ValidationSkipped()
            | StartPressed()
            | BackPressed()
            | CancelPressed()
        ):
            step = _on_person(conversation, event, context)
        case _:
            assert_never(event)
    if step.conversation is conversation:
        return step
    return Step(step.conversation.model_copy(update={"updated_at": context.now}), step.effects)


def _on_person(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    user: str = getattr(event, "user", conversation.user)
    if user != conversation.user:
        return Step(conversation, (Whisper(user, not_yours(conversation)),))
    if conversation.stage.finished:
        return Step(conversation, (Whisper(user, finished(conversation)),))
    if isinstance(event, TextTyped):
        event = interpret(conversation, event, context)
    if isinstance(event, CancelPressed):
        return cancel(conversation, context)
    if conversation.stage is Stage.AWAITING_APPROVAL:
        return while_awaiting_approval(conversation, event, context)
    if overdue(conversation, context.now):
        return recover_for(conversation, user, context)
    if conversation.stage in BUSY:
        return while_busy(conversation, event, context)
    if isinstance(event, BackPressed):
        return go_back(conversation, context)
    return _answer(conversation, event, context)


def _answer(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    """The answers each stage accepts; anything else gets the stage's hint."""
    stage = conversation.stage
    if stage is Stage.CHOOSING_TYPE and isinstance(event, TypeChosen):
        return choose_type(conversation, event, context)
    if stage is Stage.CHOOSING_TYPE and isinstance(event, HelpRequested):
        return goto(conversation, Stage.ASKING_DATA, context)
    if stage is Stage.ASKING_DATA and isinstance(event, DataAnswered) and event.answer in DataAnswer.__members__:
        return goto(conversation, Stage.ASKING_GOAL, context, help_data=event.answer)
    if stage is Stage.ASKING_GOAL and isinstance(event, GoalAnswered) and event.answer in GoalAnswer.__members__:
        return goto(conversation, Stage.CHOOSING_TYPE, context, help_goal=event.answer)
    if stage is Stage.CHOOSING_MODEL and isinstance(event, ModelChosen):
        return choose_model(conversation, event, context)
    if (step := _answer_teacher_or_grader(conversation, event, context)) is not None:
        return step
    if stage in {Stage.AWAITING_TRAINING, Stage.AWAITING_VALIDATION} and isinstance(event, FileAttached):
        return attach(conversation, event.file, context)
    if stage is Stage.AWAITING_VALIDATION and isinstance(event, ValidationSkipped):
        return goto(conversation, Stage.REVIEWING, context, validation=None)
    if stage is Stage.REVIEWING and isinstance(event, StartPressed):
        return start(conversation, context)
    if stage is Stage.REVIEWING and isinstance(event, TextTyped):
        return change_settings(conversation, event.text, context)
    if isinstance(event, TextTyped) and event.text.startswith("s3://") and stage is dataset_stage(conversation):
        return check(conversation, event.text, context)
    return Step(conversation, (say(Message(questions.hint(conversation))),))


def _answer_teacher_or_grader(conversation: Conversation, event: PersonEvent, context: Context) -> Step | None:
    """Distillation's teacher and invocation logs, and reinforcement fine-tuning's grader; None for any other answer."""
    stage = conversation.stage
    if stage is Stage.CHOOSING_TEACHER and isinstance(event, TeacherChosen):
        return choose_teacher(conversation, event, context)
    if stage is Stage.AWAITING_GRADER and isinstance(event, TextTyped):
        return grader_typed(conversation, event.text, context)
    if stage is Stage.REVIEWING and isinstance(event, GraderTestPressed):
        return test_grader(conversation)
    return _answer_logs(conversation, event, context)


def _answer_logs(conversation: Conversation, event: PersonEvent, context: Context) -> Step | None:
    """Distillation from invocation logs instead of a file; None for any other answer."""
    stage = conversation.stage
    if stage is Stage.AWAITING_TRAINING and isinstance(event, LogsChosen):
        if conversation.customization is not CustomizationType.DISTILLATION:
            return Step(conversation, (say(Message("Only a distillation job can read invocation logs.")),))
        return goto(conversation, Stage.AWAITING_LOGS, context)
    if stage is Stage.AWAITING_LOGS and isinstance(event, TextTyped):
        return logs_typed(conversation, event.text, context)
    if stage is Stage.AWAITING_LOGS and isinstance(event, LoggingRecheckPressed):
        if conversation.pending_logs is None:
            return Step(conversation, (say(Message(questions.hint(conversation))),))
        return check_logging(conversation, conversation.pending_logs, context)
    return None


def _on_result(conversation: Conversation, event: ResultEvent, context: Context) -> Step:
    match event:
        case Recover():
            if asking_overdue(conversation, context.now):
                return ask_again(conversation, context)
            return recover(conversation, context) if overdue(conversation, context.now) else Step(conversation)
        case ApprovalAsked():
            return approval_asked(conversation, event)
        case ApprovalAnswered():
            return approval_answered(conversation, event, context)
        case DatasetAccepted() | DatasetRefused():
            return checked(conversation, event, context)
        case JobLaunched():
            return job_launched(conversation, event)
        case GraderChecked():
            return grader_checked(conversation, event, context)
        case GraderTested():
            return grader_tested(conversation, event)
        case LoggingChecked():
            return logging_checked(conversation, event, context)
        case LaunchAbandoned() | JobLaunchRefused():
            return job_not_launched(conversation, event, context)
        case _:
            assert_never(event)
