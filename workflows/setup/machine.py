"""The conversation as a pure state machine: ``advance(conversation, event, context) -> Step``.

No I/O here. The service loads the conversation, calls ``advance``, saves the result with
optimistic concurrency, then performs the effects and feeds their results back as events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, assert_never

from workflows.catalogue.errors import UnknownModel
from workflows.catalogue.schema import Catalogue, ModelSpec
from workflows.command_grammar import parse_type
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.governance.approvals import ApprovalKind, ApprovalStatus, Requirement, request_id, requirement
from workflows.governance.policy import Policy, Rules, rules_in
from workflows.governance.policy_decisions import Refusal, model_refusal, type_refusal
from workflows.messages import Message, Reply
from workflows.setup import questions
from workflows.setup.advice import DataAnswer, GoalAnswer, recommend
from workflows.setup.effects import (
    CheckDataset,
    CheckGrader,
    CheckLogging,
    Effect,
    LaunchJob,
    RecordRefusal,
    RequestApproval,
    ResolveLaunch,
    Say,
    TestGrader,
    Whisper,
    WithdrawApproval,
)
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
    SlackFile,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.grader import arn_problem
from workflows.setup.log_source import LogSource, parse_typed
from workflows.setup.logging_check import LoggingState
from workflows.setup.model import Busy, Conversation, DatasetRole, Stage, source_name
from workflows.setup.review import review_message, settings_change, training_estimate
from workflows.slack_text import code, mention, mrkdwn

#: Stages that wait for work in progress rather than for a person.
BUSY = {Stage.CHECKING_TRAINING, Stage.CHECKING_VALIDATION, Stage.STARTING}
#: How long a dataset check may take before it is presumed lost (downloading and validating 1 GB takes about a minute).
CHECK_SECONDS = 15 * 60
#: How long creating a job may take before it is presumed lost (Bedrock answers within seconds; retries included).
LAUNCH_SECONDS = 120
#: A check that was lost this many times is handed back to the person rather than run again.
CHECK_ATTEMPTS = 2
#: File types Slack reports for text we can validate; anything else is refused before download.
TEXT_FILETYPES = {"jsonl", "json", "text", "txt", "ndjson", "auto", ""}


@dataclass(frozen=True, slots=True)
class Context:
    """What ``advance`` may consult besides the conversation: data, configuration and the time."""

    catalogue: Catalogue
    region: str
    max_upload_bytes: int
    now: datetime
    #: Who would own work started now (host and process), recorded on busy stages.
    worker: str = "unknown"
    check_seconds: float = CHECK_SECONDS
    launch_seconds: float = LAUNCH_SECONDS
    #: The governance policy in force (None: no policy file, everything open).
    policy: Policy | None = None

    def rules(self, conversation: Conversation) -> Rules:
        """The policy's rules in the conversation's channel."""
        return rules_in(self.policy, conversation.team, conversation.channel)


@dataclass(frozen=True, slots=True)
class Step:
    """The conversation after an event, and what to do about it."""

    conversation: Conversation
    effects: tuple[Effect, ...] = ()


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
    return Step(conversation, (_say(questions.choose_type(context.catalogue)),))


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


def question_for(conversation: Conversation, context: Context) -> Message:
    """The question of the conversation's current stage, to ask (again)."""
    stage, catalogue = conversation.stage, context.catalogue
    if stage is Stage.CHOOSING_TYPE and conversation.help_data and conversation.help_goal:
        advice = recommend(DataAnswer[conversation.help_data], GoalAnswer[conversation.help_goal], catalogue)
        return questions.advice(advice, catalogue)
    if stage is Stage.ASKING_DATA:
        return questions.ask_data()
    if stage is Stage.ASKING_GOAL:
        return questions.ask_goal()
    if stage is Stage.CHOOSING_MODEL:
        return _model_question(conversation, context)
    if stage is Stage.CHOOSING_TEACHER:
        model = _model(conversation, context)
        return questions.choose_teacher(model, catalogue.teachers_for(model, context.region))
    if stage is Stage.AWAITING_GRADER:
        return questions.ask_grader(_model(conversation, context), context.region)
    if stage is Stage.AWAITING_TRAINING:
        return questions.ask_training(_model(conversation, context), _type(conversation), catalogue)
    if stage is Stage.AWAITING_LOGS:
        return questions.ask_logs(_model(conversation, context), context.region)
    if stage is Stage.AWAITING_VALIDATION:
        return questions.ask_validation()
    if stage is Stage.REVIEWING:
        return _review(conversation, context)
    return questions.choose_type(catalogue)


def approval_needed(conversation: Conversation, context: Context) -> Requirement | None:
    """Whether the policy in force asks for approval before this reviewed setup starts, and why."""
    approval = context.rules(conversation).approval
    if approval is None:
        return None
    return requirement(
        approval, estimate=training_estimate(conversation, _model(conversation, context), context.catalogue)
    )


def _review(conversation: Conversation, context: Context) -> Message:
    needed = approval_needed(conversation, context)
    reasons = needed.reasons if needed is not None else ()
    return review_message(conversation, _model(conversation, context), context.catalogue, approval=reasons)


# --- a person's events ---


def _on_person(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    user: str = getattr(event, "user", conversation.user)
    if user != conversation.user:
        return Step(conversation, (Whisper(user, _not_yours(conversation)),))
    if conversation.stage.finished:
        return Step(conversation, (Whisper(user, _finished(conversation)),))
    if isinstance(event, TextTyped):
        event = _interpret(conversation, event, context)
    if isinstance(event, CancelPressed):
        return _cancel(conversation, context)
    if conversation.stage is Stage.AWAITING_APPROVAL:
        return _while_awaiting_approval(conversation, event, context)
    if overdue(conversation, context.now):
        return _recover_for(conversation, user, context)
    if conversation.stage in BUSY:
        return _while_busy(conversation, event, context)
    if isinstance(event, BackPressed):
        return _back(conversation, context)
    return _answer(conversation, event, context)


def _answer(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    """The answers each stage accepts; anything else gets the stage's hint."""
    stage = conversation.stage
    if stage is Stage.CHOOSING_TYPE and isinstance(event, TypeChosen):
        return _choose_type(conversation, event, context)
    if stage is Stage.CHOOSING_TYPE and isinstance(event, HelpRequested):
        return _goto(conversation, Stage.ASKING_DATA, context)
    if stage is Stage.ASKING_DATA and isinstance(event, DataAnswered) and event.answer in DataAnswer.__members__:
        return _goto(conversation, Stage.ASKING_GOAL, context, help_data=event.answer)
    if stage is Stage.ASKING_GOAL and isinstance(event, GoalAnswered) and event.answer in GoalAnswer.__members__:
        return _goto(conversation, Stage.CHOOSING_TYPE, context, help_goal=event.answer)
    if stage is Stage.CHOOSING_MODEL and isinstance(event, ModelChosen):
        return _choose_model(conversation, event, context)
    if (step := _answer_teacher_or_grader(conversation, event, context)) is not None:
        return step
    if stage in {Stage.AWAITING_TRAINING, Stage.AWAITING_VALIDATION} and isinstance(event, FileAttached):
        return _attach(conversation, event.file, context)
    if stage is Stage.AWAITING_VALIDATION and isinstance(event, ValidationSkipped):
        return _goto(conversation, Stage.REVIEWING, context, validation=None)
    if stage is Stage.REVIEWING and isinstance(event, StartPressed):
        return _start(conversation, context)
    if stage is Stage.REVIEWING and isinstance(event, TextTyped):
        return _change_settings(conversation, event.text, context)
    if isinstance(event, TextTyped) and event.text.startswith("s3://") and stage is _dataset_stage(conversation):
        return _check(conversation, event.text, context)
    return Step(conversation, (_say(Message(questions.hint(conversation))),))


def _answer_teacher_or_grader(conversation: Conversation, event: PersonEvent, context: Context) -> Step | None:
    """Distillation's teacher and invocation logs, and reinforcement fine-tuning's grader; None for any other answer."""
    stage = conversation.stage
    if stage is Stage.CHOOSING_TEACHER and isinstance(event, TeacherChosen):
        return _choose_teacher(conversation, event, context)
    if stage is Stage.AWAITING_GRADER and isinstance(event, TextTyped):
        return _grader_typed(conversation, event.text, context)
    if stage is Stage.REVIEWING and isinstance(event, GraderTestPressed):
        return _test_grader(conversation)
    return _answer_logs(conversation, event, context)


def _answer_logs(conversation: Conversation, event: PersonEvent, context: Context) -> Step | None:
    """Distillation from invocation logs instead of a file; None for any other answer."""
    stage = conversation.stage
    if stage is Stage.AWAITING_TRAINING and isinstance(event, LogsChosen):
        if conversation.customization is not CustomizationType.DISTILLATION:
            return Step(conversation, (_say(Message("Only a distillation job can read invocation logs.")),))
        return _goto(conversation, Stage.AWAITING_LOGS, context)
    if stage is Stage.AWAITING_LOGS and isinstance(event, TextTyped):
        return _logs_typed(conversation, event.text, context)
    if stage is Stage.AWAITING_LOGS and isinstance(event, LoggingRecheckPressed):
        if conversation.pending_logs is None:
            return Step(conversation, (_say(Message(questions.hint(conversation))),))
        return check_logging(conversation, conversation.pending_logs, context)
    return None


def _logs_typed(conversation: Conversation, text: str, context: Context) -> Step:
    """A log source that could be used is checked against the region's logging; anything else is explained."""
    parsed = parse_typed(text)
    if isinstance(parsed, list):
        return Step(conversation, (_say(Message("I could not use that.", details=tuple(parsed))),))
    return check_logging(conversation, parsed, context)


def check_logging(conversation: Conversation, source: LogSource, context: Context) -> Step:
    """Ask whether logging delivers ``source`` (the one-line setup with ``logs=`` starts here too)."""
    updated = conversation.model_copy(update={"pending_logs": source})
    text = f"Checking that model invocation logging in {context.region} delivers text to {code(source.s3_uri)}…"
    return Step(updated, (_say(Message(text)), CheckLogging(source)))


def _logging_checked(conversation: Conversation, event: LoggingChecked, context: Context) -> Step:
    """Logging on (or not checkable): the review; off: what to do, and the source kept for *Check logging again*."""
    if event.start:
        return _logging_rechecked(conversation, event, context)
    if conversation.stage is not Stage.AWAITING_LOGS or conversation.pending_logs != event.source:
        return Step(conversation)
    if event.state == LoggingState.OFF:
        return Step(conversation, (_say(questions.logging_off(event.text)),))
    step = _goto(conversation, Stage.REVIEWING, context, logs=event.source, pending_logs=None)
    return Step(step.conversation, (_say(Message(event.text)), *step.effects))


def _logging_rechecked(conversation: Conversation, event: LoggingChecked, context: Context) -> Step:
    """The check made when Start was pressed: start unless logging was turned off or moved since the setup checked.

    Off: no job; the setup waits for the logs again, with the source kept for *Check logging again*.
    """
    if conversation.stage is not Stage.REVIEWING or conversation.logs != event.source:
        return Step(conversation)
    if event.state == LoggingState.OFF:
        waiting = _back_to_waiting(conversation, Stage.AWAITING_LOGS)
        waiting = waiting.model_copy(update={"logs": None, "pending_logs": event.source})
        return Step(waiting, (_say(questions.logging_off(event.text)),))
    started = _start(conversation, context, logging_rechecked=True)
    said = (_say(Message(event.text)),) if event.state == LoggingState.UNKNOWN else ()
    return Step(started.conversation, (*said, *started.effects))


def _interpret(conversation: Conversation, event: TextTyped, context: Context) -> PersonEvent:
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


def _choose_type(conversation: Conversation, event: TypeChosen, context: Context) -> Step:
    if not context.catalogue.customization(event.customization).offered:
        return Step(conversation, (_say(Message(f"{event.customization} is not offered yet; pick another type.")),))
    refusal = type_refusal(context.rules(conversation), event.customization)
    if refusal is not None:
        return _refuse(conversation, refusal, event.customization.value, "Pick another type.")
    return _goto(conversation, Stage.CHOOSING_MODEL, context, customization=event.customization)


def _choose_model(conversation: Conversation, event: ModelChosen, context: Context) -> Step:
    customization = _type(conversation)
    try:
        model = context.catalogue.model(event.model_id)
    except UnknownModel as exc:
        return Step(conversation, (_say(Message(str(exc), context=questions.NAVIGATION_HINT)),))
    problem = None
    if not model.supports(customization):
        problem = f"{model.name} does not support {TYPE_LABELS[customization].lower()}."
    elif not model.in_region(context.region):
        problem = f"{model.name} is not available in {context.region} (it is in {', '.join(model.regions)})."
    if problem:
        return Step(conversation, (_say(Message(problem + " Pick one from the menu.")),))
    refusal = model_refusal(context.rules(conversation), model.id, model.name)
    if refusal is not None:
        return _refuse(conversation, refusal, model.id, "Pick another model from the menu.")
    if customization is CustomizationType.DISTILLATION:
        if not context.catalogue.teachers_for(model, context.region):
            text = f"No teacher for {model.name} is available in {context.region}. Pick another student."
            return Step(conversation, (_say(Message(text)),))
        return _goto(conversation, Stage.CHOOSING_TEACHER, context, model_id=model.id)
    if customization is CustomizationType.REINFORCEMENT:
        return _goto(conversation, Stage.AWAITING_GRADER, context, model_id=model.id)
    return _goto(conversation, Stage.AWAITING_TRAINING, context, model_id=model.id)


def _choose_teacher(conversation: Conversation, event: TeacherChosen, context: Context) -> Step:
    model = _model(conversation, context)
    teachers = context.catalogue.teachers_for(model, context.region)
    if event.teacher_id not in {teacher.id for teacher in teachers}:
        names = ", ".join(code(teacher.id) for teacher in teachers)
        text = f"{code(event.teacher_id[:100])} cannot teach {model.name} in {context.region}; its teachers: {names}."
        return Step(conversation, (_say(Message(text)),))
    return _goto(conversation, Stage.AWAITING_TRAINING, context, teacher_id=event.teacher_id)


def _grader_typed(conversation: Conversation, text: str, context: Context) -> Step:
    """An ARN that could be the grader is looked up; anything else is explained."""
    arn = text.strip()
    problem = arn_problem(arn, context.region)
    if problem is not None:
        return Step(conversation, (_say(Message(problem, context=questions.NAVIGATION_HINT)),))
    updated = conversation.model_copy(update={"pending_grader": arn})
    return Step(updated, (_say(Message(f"Looking up {code(arn)}…")), CheckGrader(arn)))


def _grader_checked(conversation: Conversation, event: GraderChecked, context: Context) -> Step:
    if event.start:
        return _grader_rechecked(conversation, event, context)
    if conversation.stage is not Stage.AWAITING_GRADER or conversation.pending_grader != event.arn:
        return Step(conversation)
    if event.problem is not None:
        cleared = conversation.model_copy(update={"pending_grader": None})
        return Step(cleared, (_say(Message(event.problem, context=questions.NAVIGATION_HINT)),))
    found = Message(
        f"Found the grader {code(event.arn)}.",
        details=(event.access_text,) if event.access_text else (),
        context=questions.GRADER_ROLE_HINT,
    )
    queued = conversation.queued_training_uri
    changes = {
        "grader_arn": event.arn,
        "pending_grader": None,
        "grader_test": None,
        "queued_training_uri": None,
        "grader_access": event.access,
        "grader_access_text": event.access_text or None,
    }
    if queued:
        # The one-line setup: the training data it named is checked next.
        waiting = conversation.model_copy(
            update={
                "stage": Stage.AWAITING_TRAINING,
                "previous": (*conversation.previous, conversation.stage),
                **changes,
            }
        )
        step = _check(waiting, queued, context)
    else:
        step = _goto(conversation, Stage.AWAITING_TRAINING, context, **changes)
    return Step(step.conversation, (_say(found), *step.effects))


def _grader_rechecked(conversation: Conversation, event: GraderChecked, context: Context) -> Step:
    """The check made when Start was pressed: start if the role may now invoke the grader, else say the fix."""
    if conversation.stage is not Stage.REVIEWING or conversation.grader_arn != event.arn:
        return Step(conversation)
    if event.problem is not None:
        return Step(conversation, (_say(Message(event.problem)),))
    updated = conversation.model_copy(
        update={"grader_access": event.access, "grader_access_text": event.access_text or None}
    )
    if event.access == "denied":
        return Step(updated, (_say(Message(event.access_text)),))
    started = _start(updated, context)
    return Step(started.conversation, (_say(Message(event.access_text)), *started.effects))


def _test_grader(conversation: Conversation) -> Step:
    training = conversation.training
    if conversation.grader_arn is None or training is None or not training.samples:
        return Step(conversation, (_say(Message("There is no grader or no record to test it with.")),))
    count = len(training.samples)
    text = (
        f"Sending {count} records from {code(training.name)} to your grader, each answered with its reference answer."
    )
    return Step(conversation, (_say(Message(text)), TestGrader(conversation.grader_arn, training.samples)))


def _grader_tested(conversation: Conversation, event: GraderTested) -> Step:
    if conversation.stage is not Stage.REVIEWING or conversation.grader_arn != event.arn:
        return Step(conversation)
    updated = conversation.model_copy(update={"grader_test": "passed" if event.passed else "failed"})
    return Step(updated, (_say(event.verdict),))


def _attach(conversation: Conversation, file: SlackFile, context: Context) -> Step:
    """Refuse what cannot be a dataset before downloading anything; else check it."""
    limit_mb = context.max_upload_bytes // (1024 * 1024)
    if file.size > context.max_upload_bytes:
        size_mb = file.size / (1024 * 1024)
        text = (
            f"{code(file.name)} is {size_mb:,.0f} MB, more than the {limit_mb:,} MB I accept from Slack. "
            "Put it in S3 and type its `s3://` URI here instead."
        )
        return Step(conversation, (_say(Message(text)),))
    if file.filetype.lower() not in TEXT_FILETYPES or not _is_text_mimetype(file.mimetype):
        text = (
            f"{code(file.name)} looks like a {file.filetype or file.mimetype} file, not JSON Lines. "
            "Upload a `.jsonl` file with one JSON record per line."
        )
        return Step(conversation, (_say(Message(text)),))
    return _check(conversation, file, context)


def _is_text_mimetype(mimetype: str) -> bool:
    return not mimetype or mimetype.startswith(
        ("text/", "application/json", "application/x-ndjson", "application/jsonl")
    )


def start_check(conversation: Conversation, source: SlackFile | str, context: Context) -> Step:
    """Check ``source`` as the dataset the conversation waits for (the one-line setup starts here)."""
    return _check(conversation, source, context)


def _check(conversation: Conversation, source: SlackFile | str, context: Context) -> Step:
    """Move to the checking stage, owned by this worker until the check deadline, and say so in a slot."""
    if conversation.stage is Stage.AWAITING_TRAINING:
        role, stage = DatasetRole.TRAINING, Stage.CHECKING_TRAINING
    else:
        role, stage = DatasetRole.VALIDATION, Stage.CHECKING_VALIDATION
    token = f"{role.value}-{conversation.version}-1"
    busy = _busy(context, token, context.check_seconds, role=role, source=source, slot=f"check-{token}")
    updated = conversation.model_copy(
        update={"stage": stage, "previous": (*conversation.previous, conversation.stage), "busy": busy}
    )
    progress = Message(f"Checking {code(source_name(source))} line by line…")
    return Step(updated, (Say(Reply(progress), slot=busy.slot), CheckDataset(role, source, check=token)))


def overdue(conversation: Conversation, now: datetime) -> bool:
    """A busy stage whose owner ran out of time (or that records no owner at all)."""
    if conversation.stage not in BUSY:
        return False
    return conversation.busy is None or now >= conversation.busy.until


def _busy(context: Context, token: str, seconds: float, **work: Any) -> Busy:
    until = context.now + timedelta(seconds=seconds)
    return Busy(owner=context.worker, since=context.now, until=until, token=token, **work)


def _change_settings(conversation: Conversation, text: str, context: Context) -> Step:
    model = _model(conversation, context)
    changed, problems = settings_change(conversation, model, text)
    if problems:
        return Step(conversation, (_say(Message("I could not change that.", details=tuple(problems))),))
    return Step(changed, (_say(_review(changed, context)),))


def _start(conversation: Conversation, context: Context, *, logging_rechecked: bool = False) -> Step:
    if conversation.grader_test == "failed":
        text = (
            "Your grader failed its last test (see above), and a job with that grader would fail or learn nothing. "
            "Fix it and press *Test my grader* again, then Start."
        )
        return Step(conversation, (_say(Message(text)),))
    if conversation.grader_arn is not None and conversation.grader_access == "denied":
        text = f"Checking again that the service role may invoke {code(conversation.grader_arn)}…"
        return Step(conversation, (_say(Message(text)), CheckGrader(conversation.grader_arn, start=True)))
    if conversation.logs is not None and not logging_rechecked:
        where = code(conversation.logs.s3_uri)
        text = f"Checking again that model invocation logging in {context.region} still delivers text to {where}…"
        return Step(conversation, (_say(Message(text)), CheckLogging(conversation.logs, start=True)))
    if approval_needed(conversation, context) is not None:
        return _ask_approval(conversation, context)
    return _launch(conversation, context)


def _launch(conversation: Conversation, context: Context) -> Step:
    busy = _busy(context, f"l{conversation.version}", context.launch_seconds)
    updated = conversation.model_copy(update={"stage": Stage.STARTING, "busy": busy})
    return Step(updated, (LaunchJob(),))


def _ask_approval(conversation: Conversation, context: Context) -> Step:
    """Wait for approval; the request (named by this review's version) is stored and sent after the save.

    Until the service confirms it was (``ApprovalAsked``), a deadline stands, as for a launch: a crash in
    between asks again, under the same id, when the tick finds the deadline passed.
    """
    request = request_id(ApprovalKind.JOB, conversation.id, f"v{conversation.version}")
    busy = _busy(context, f"a{conversation.version}", context.launch_seconds)
    updated = conversation.model_copy(update={"stage": Stage.AWAITING_APPROVAL, "approval": request, "busy": busy})
    return Step(updated, (RequestApproval(request),))


def _while_awaiting_approval(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    """While approvers decide: Back asks to withdraw the request; anything else says what waits."""
    if isinstance(event, BackPressed) and conversation.approval is not None:
        return _leave(conversation, "back", context)
    text = (
        "This setup is waiting for approval; you'll hear in this thread when it is answered. "
        "*Back* withdraws the request and returns to the review; *Cancel* withdraws it and ends the setup."
    )
    return Step(conversation, (Whisper(conversation.user, text),))


#: Why the request is withdrawn, as its approvers are told, by what the requester pressed.
_WITHDRAWN_BECAUSE = {
    "back": "the requester went back to change the setup.",
    "cancel": "the requester cancelled the setup.",
}


def _leave(conversation: Conversation, leaving: Literal["back", "cancel"], context: Context) -> Step:
    """Back or Cancel while waiting: the setup remembers it and asks to withdraw the request.

    The request's one compare-and-set decides: withdrawn first, its answer takes the setup back (or ends it);
    approved first, the job starts and the requester is told that Back or Cancel came too late.
    """
    assert conversation.approval is not None
    busy = _busy(context, f"w{conversation.version}", context.launch_seconds)  # the tick withdraws it again
    updated = conversation.model_copy(update={"leaving": leaving, "busy": busy})
    return Step(updated, (WithdrawApproval(conversation.approval, _WITHDRAWN_BECAUSE[leaving]),))


def _approval_answered(conversation: Conversation, event: ApprovalAnswered, context: Context) -> Step:
    """The answer to the request this setup waits for: start once approved, else what the requester asked for."""
    if conversation.stage is not Stage.AWAITING_APPROVAL or conversation.approval != event.request_id:
        return Step(conversation)
    if event.status == ApprovalStatus.APPROVED.value:
        launched = _launch(conversation.model_copy(update={"leaving": None}), context)
        if conversation.leaving is None:
            return launched
        text = (
            "This setup was approved just before your *Back* or *Cancel*: approved — starting the job. "
            "Use `/finetune stop JOB` once it starts if you no longer want it."
        )
        return Step(launched.conversation, (*launched.effects, Whisper(conversation.user, text)))
    back = conversation.model_copy(update={"stage": Stage.REVIEWING, "approval": None, "busy": None, "leaving": None})
    if conversation.leaving == "cancel":
        cancelled = back.model_copy(update={"stage": Stage.CANCELLED})
        return Step(cancelled, (_say(Message("Cancelled. Nothing was started and nothing was spent.")),))
    if conversation.leaving is None and event.changed and approval_needed(back, context) is not None:
        again = _ask_approval(back, context)
        said = _say(Message("Asking for approval again, on the policy and prices in force now."))
        return Step(again.conversation, (said, *again.effects))
    return Step(back, (_say(question_for(back, context)),))


def _approval_asked(conversation: Conversation, event: ApprovalAsked) -> Step:
    if conversation.stage is not Stage.AWAITING_APPROVAL or conversation.approval != event.request_id:
        return Step(conversation)
    if conversation.leaving is not None:  # the withdrawal's deadline stands
        return Step(conversation)
    return Step(conversation.model_copy(update={"busy": None}))


def _while_busy(conversation: Conversation, event: Event, context: Context) -> Step:
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


def _recover(conversation: Conversation, context: Context) -> Step:
    """A busy stage outlived its deadline (a crash, a lost thread): redo the work, resolve it, or hand it back."""
    busy = conversation.busy
    attempt = busy.attempt + 1 if busy is not None else 1
    if conversation.stage is Stage.STARTING:
        renewed = _busy(context, f"l{conversation.version}", context.launch_seconds, attempt=attempt)
        return Step(conversation.model_copy(update={"busy": renewed}), (ResolveLaunch(),))
    waiting = Stage.AWAITING_TRAINING if conversation.stage is Stage.CHECKING_TRAINING else Stage.AWAITING_VALIDATION
    if busy is None or busy.source is None or busy.role is None or attempt > CHECK_ATTEMPTS:
        name = code(source_name(busy.source)) if busy is not None and busy.source is not None else "your dataset"
        text = f"I could not finish checking {name}: the check was interrupted. Please send it again."
        back = _back_to_waiting(conversation, waiting)
        return Step(back, (Say(Reply(Message(text)), slot=busy.slot if busy else None),))
    token = f"{busy.role.value}-{conversation.version}-{attempt}"
    again = _busy(context, token, context.check_seconds, role=busy.role, source=busy.source, slot=busy.slot)
    again = again.model_copy(update={"attempt": attempt})
    progress = Message(f"Checking {code(source_name(busy.source))} again (the first check was interrupted)…")
    effects = (Say(Reply(progress), slot=busy.slot), CheckDataset(busy.role, busy.source, check=token))
    return Step(conversation.model_copy(update={"busy": again}), effects)


def _asking_overdue(conversation: Conversation, now: datetime) -> bool:
    """A request for approval that was never confirmed sent (a crash after the save)."""
    busy = conversation.busy
    return conversation.stage is Stage.AWAITING_APPROVAL and busy is not None and now >= busy.until


def _ask_again(conversation: Conversation, context: Context) -> Step:
    """Ask again under the same id: stored once, sent once, whatever the first attempt got to."""
    assert conversation.approval is not None
    assert conversation.busy is not None
    attempt = conversation.busy.attempt + 1
    renewed = _busy(context, conversation.busy.token, context.launch_seconds, attempt=attempt)
    if conversation.leaving is not None:  # Back or Cancel came first: withdraw it instead (gone if never stored)
        withdraw = WithdrawApproval(conversation.approval, _WITHDRAWN_BECAUSE[conversation.leaving])
        return Step(conversation.model_copy(update={"busy": renewed}), (withdraw,))
    return Step(conversation.model_copy(update={"busy": renewed}), (RequestApproval(conversation.approval),))


def _recover_for(conversation: Conversation, user: str, context: Context) -> Step:
    """Recovery started by a person's event: a lost launch also tells them what is being done."""
    step = _recover(conversation, context)
    if conversation.stage is not Stage.STARTING:
        return step
    text = "Starting the job was interrupted. I'm looking it up in Bedrock now and will post here what I find."
    return Step(step.conversation, (*step.effects, Whisper(user, text)))


def _back_to_waiting(conversation: Conversation, waiting: Stage) -> Conversation:
    previous = tuple(stage for stage in conversation.previous if stage is not waiting)
    return conversation.model_copy(update={"stage": waiting, "previous": previous, "busy": None})


def _cancel(conversation: Conversation, context: Context) -> Step:
    if conversation.stage is Stage.STARTING:
        text = "The job is being created right now, so this setup can no longer be cancelled."
        return Step(conversation, (Whisper(conversation.user, text + " Use `/finetune stop JOB` once it starts."),))
    if conversation.stage is Stage.AWAITING_APPROVAL and conversation.approval is not None:
        return _leave(conversation, "cancel", context)
    cancelled = conversation.model_copy(update={"stage": Stage.CANCELLED, "busy": None})
    return Step(cancelled, (_say(Message("Cancelled. Nothing was started and nothing was spent.")),))


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


def _back(conversation: Conversation, context: Context) -> Step:
    previous = [stage for stage in conversation.previous if stage not in BUSY]
    if not previous:
        return Step(conversation, (_say(Message("This is the first question; there is nothing to go back to.")),))
    target = previous[-1]
    forget = dict(_FORGET_FROM.get(target, {}))
    if target is Stage.ASKING_GOAL:
        forget["help_goal"] = None
    if target is Stage.ASKING_DATA:
        forget.update(help_data=None, help_goal=None)
    updated = conversation.model_copy(update={"stage": target, "previous": tuple(previous[:-1]), **forget})
    return Step(updated, (_say(question_for(updated, context)),))


def _goto(conversation: Conversation, stage: Stage, context: Context, **changes: Any) -> Step:
    """Move on to ``stage`` (remembering where we were, for Back) and ask its question."""
    updated = conversation.model_copy(
        update={"stage": stage, "previous": (*conversation.previous, conversation.stage), **changes}
    )
    if stage is Stage.CHOOSING_MODEL and not _models(updated, context):
        return Step(updated, (_say(questions.no_models(_type(updated), context.region)),))
    return Step(updated, (_say(question_for(updated, context)),))


# --- results of effects ---


def _on_result(conversation: Conversation, event: ResultEvent, context: Context) -> Step:
    match event:
        case Recover():
            if _asking_overdue(conversation, context.now):
                return _ask_again(conversation, context)
            return _recover(conversation, context) if overdue(conversation, context.now) else Step(conversation)
        case ApprovalAsked():
            return _approval_asked(conversation, event)
        case ApprovalAnswered():
            return _approval_answered(conversation, event, context)
        case DatasetAccepted() | DatasetRefused():
            return _checked(conversation, event, context)
        case JobLaunched():
            return _launched(conversation, event)
        case GraderChecked():
            return _grader_checked(conversation, event, context)
        case GraderTested():
            return _grader_tested(conversation, event)
        case LoggingChecked():
            return _logging_checked(conversation, event, context)
        case LaunchAbandoned() | JobLaunchRefused():
            return _not_launched(conversation, event, context)
        case _:
            assert_never(event)


def _launched(conversation: Conversation, event: JobLaunched) -> Step:
    """Bedrock took the job: the conversation is done, and monitoring takes over."""
    if conversation.stage.finished:
        return Step(conversation)
    updated = conversation.model_copy(
        update={"stage": Stage.STARTED, "job_name": event.job_name, "job_arn": event.job_arn, "busy": None}
    )
    return Step(updated)


def _not_launched(conversation: Conversation, event: LaunchAbandoned | JobLaunchRefused, context: Context) -> Step:
    """No job was created: back to the review, saying why."""
    if conversation.stage is not Stage.STARTING:
        return Step(conversation)
    back = conversation.model_copy(update={"stage": Stage.REVIEWING, "busy": None})
    if isinstance(event, LaunchAbandoned):
        text = (
            "The job was not created: starting it was interrupted before Bedrock took it. "
            "Nothing was started or spent; press Start to try again."
        )
        return Step(back, (_say(Message(text)), _say(question_for(back, context))))
    return Step(back, (_say(Message("The job did not start.", details=(event.reason,))),))


def _checked(conversation: Conversation, event: DatasetAccepted | DatasetRefused, context: Context) -> Step:
    """A check's result: shown in place of its progress message, then the conversation moves on."""
    checking = Stage.CHECKING_TRAINING if event.role is DatasetRole.TRAINING else Stage.CHECKING_VALIDATION
    busy = conversation.busy
    if conversation.stage is not checking or (event.check and busy is not None and busy.token != event.check):
        return Step(conversation)
    verdict: tuple[Effect, ...] = ()
    if event.verdict is not None:
        attachments = (event.attachment,) if event.attachment is not None else ()
        verdict = (Say(Reply(event.verdict, attachments), slot=busy.slot if busy else None),)
    if isinstance(event, DatasetRefused):
        waiting = Stage.AWAITING_TRAINING if event.role is DatasetRole.TRAINING else Stage.AWAITING_VALIDATION
        return Step(_back_to_waiting(conversation, waiting), verdict)
    step = _accepted(conversation.model_copy(update={"busy": None}), event, context)
    return Step(step.conversation, verdict + step.effects)


def _accepted(conversation: Conversation, event: DatasetAccepted, context: Context) -> Step:
    if event.role is DatasetRole.VALIDATION:
        return _goto(conversation, Stage.REVIEWING, context, validation=event.summary)
    queued = conversation.queued_validation_uri
    updated = conversation.model_copy(
        update={"training": event.summary, "queued_validation_uri": None, "review_after_training": False}
    )
    if queued:
        waiting = updated.model_copy(update={"stage": Stage.AWAITING_VALIDATION})
        return _check(waiting, queued, context)
    if conversation.review_after_training:
        # As if the person had skipped the validation question: Back from the review asks it.
        passed = updated.model_copy(
            update={"stage": Stage.AWAITING_VALIDATION, "previous": (*updated.previous, updated.stage)}
        )
        return _goto(passed, Stage.REVIEWING, context, validation=None)
    return _goto(updated, Stage.AWAITING_VALIDATION, context)


# --- small helpers ---


def _refuse(conversation: Conversation, refusal: Refusal, subject: str, next_step: str) -> Step:
    """The policy's refusal in the thread (the question still stands), and its audit entry."""
    return Step(conversation, (_say(Message(f"{refusal.reason} {next_step}")), RecordRefusal(refusal.rule, subject)))


def _say(message: Message) -> Say:
    return Say(Reply(message))


def _type(conversation: Conversation) -> CustomizationType:
    assert conversation.customization is not None, "a later stage always has a type"
    return conversation.customization


def _model(conversation: Conversation, context: Context) -> ModelSpec:
    assert conversation.model_id is not None, "a later stage always has a model"
    return context.catalogue.model(conversation.model_id)


def _models(conversation: Conversation, context: Context) -> list[ModelSpec]:
    return context.catalogue.models_for(_type(conversation), context.region)


def _model_question(conversation: Conversation, context: Context) -> Message:
    return questions.choose_model(_models(conversation, context), _type(conversation), context.region)


def _dataset_stage(conversation: Conversation) -> Stage | None:
    if conversation.stage in {Stage.AWAITING_TRAINING, Stage.AWAITING_VALIDATION}:
        return conversation.stage
    return None


def _not_yours(conversation: Conversation) -> str:
    return mrkdwn(
        "This setup belongs to {user}, so only they can answer here. Type `/finetune` to start your own.",
        user=mention(conversation.user),
    )


def _finished(conversation: Conversation) -> str:
    if conversation.stage is Stage.STARTED:
        return f"This setup already started {code(conversation.job_name)}. Type `/finetune status` to follow it."
    return "This setup was cancelled. Type `/finetune` to start a new one."
