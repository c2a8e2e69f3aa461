"""The setup machine's shared parts: its context, the step it returns, moving between stages and their questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from workflows.catalogue.schema import Catalogue, ModelSpec
from workflows.dataset_rules import CustomizationType
from workflows.governance.approvals import Requirement, requirement
from workflows.governance.policy import Policy, Rules, rules_in
from workflows.governance.policy_decisions import Refusal
from workflows.messages import Message, Reply
from workflows.setup import questions
from workflows.setup.advice import DataAnswer, GoalAnswer, recommend
from workflows.setup.effects import Effect, RecordRefusal, Say
from workflows.setup.model import Busy, Conversation, Stage
from workflows.setup.review import review_message, training_estimate

#: Stages that wait for work in progress rather than for a person.
BUSY = {Stage.CHECKING_TRAINING, Stage.CHECKING_VALIDATION, Stage.STARTING}

#: How long a dataset check may take before it is presumed lost (downloading and validating 1 GB takes about a minute).
CHECK_SECONDS = 15 * 60

#: How long creating a job may take before it is presumed lost (Bedrock answers within seconds; retries included).
LAUNCH_SECONDS = 120

#: A check that was lost this many times is handed back to the person rather than run again.
CHECK_ATTEMPTS = 2


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
        model = model_of(conversation, context)
        return questions.choose_teacher(model, catalogue.teachers_for(model, context.region))
    if stage is Stage.AWAITING_GRADER:
        return questions.ask_grader(model_of(conversation, context), context.region)
    if stage is Stage.AWAITING_TRAINING:
        return questions.ask_training(model_of(conversation, context), type_of(conversation), catalogue)
    if stage is Stage.AWAITING_LOGS:
        return questions.ask_logs(model_of(conversation, context), context.region)
    if stage is Stage.AWAITING_VALIDATION:
        return questions.ask_validation()
    if stage is Stage.REVIEWING:
        return review(conversation, context)
    return questions.choose_type(catalogue)


def approval_needed(conversation: Conversation, context: Context) -> Requirement | None:
    """Whether the policy in force asks for approval before this reviewed setup starts, and why."""
    approval = context.rules(conversation).approval
    if approval is None:
        return None
    return requirement(
        approval, estimate=training_estimate(conversation, model_of(conversation, context), context.catalogue)
    )


def review(conversation: Conversation, context: Context) -> Message:
    needed = approval_needed(conversation, context)
    reasons = needed.reasons if needed is not None else ()
    return review_message(conversation, model_of(conversation, context), context.catalogue, approval=reasons)


def goto(conversation: Conversation, stage: Stage, context: Context, **changes: Any) -> Step:
    """Move on to ``stage`` (remembering where we were, for Back) and ask its question."""
    updated = conversation.model_copy(
        update={"stage": stage, "previous": (*conversation.previous, conversation.stage), **changes}
    )
    if stage is Stage.CHOOSING_MODEL and not _models(updated, context):
        return Step(updated, (say(questions.no_models(type_of(updated), context.region)),))
    return Step(updated, (say(question_for(updated, context)),))


def back_to_waiting(conversation: Conversation, waiting: Stage) -> Conversation:
    previous = tuple(stage for stage in conversation.previous if stage is not waiting)
    return conversation.model_copy(update={"stage": waiting, "previous": previous, "busy": None})


def overdue(conversation: Conversation, now: datetime) -> bool:
    """A busy stage whose owner ran out of time (or that records no owner at all)."""
    if conversation.stage not in BUSY:
        return False
    return conversation.busy is None or now >= conversation.busy.until


def busy_for(context: Context, token: str, seconds: float, **work: Any) -> Busy:
    until = context.now + timedelta(seconds=seconds)
    return Busy(owner=context.worker, since=context.now, until=until, token=token, **work)


def refuse(conversation: Conversation, refusal: Refusal, subject: str, next_step: str) -> Step:
    """The policy's refusal in the thread (the question still stands), and its audit entry."""
    return Step(conversation, (say(Message(f"{refusal.reason} {next_step}")), RecordRefusal(refusal.rule, subject)))


def say(message: Message) -> Say:
    return Say(Reply(message))


def type_of(conversation: Conversation) -> CustomizationType:
    assert conversation.customization is not None, "a later stage always has a type"
    return conversation.customization


def model_of(conversation: Conversation, context: Context) -> ModelSpec:
    assert conversation.model_id is not None, "a later stage always has a model"
    return context.catalogue.model(conversation.model_id)


def _models(conversation: Conversation, context: Context) -> list[ModelSpec]:
    return context.catalogue.models_for(type_of(conversation), context.region)


def _model_question(conversation: Conversation, context: Context) -> Message:
    return questions.choose_model(_models(conversation, context), type_of(conversation), context.region)


def dataset_stage(conversation: Conversation) -> Stage | None:
    if conversation.stage in {Stage.AWAITING_TRAINING, Stage.AWAITING_VALIDATION}:
        return conversation.stage
    return None
