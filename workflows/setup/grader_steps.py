"""The setup machine's reinforcement grader: the ARN looked up, checked again at Start, and *Test my grader*."""

from __future__ import annotations

from workflows.messages import Message
from workflows.setup import questions
from workflows.setup.dataset_steps import check
from workflows.setup.effects import CheckGrader, TestGrader
from workflows.setup.events import GraderChecked, GraderTested
from workflows.setup.grader import arn_problem
from workflows.setup.model import Conversation, Stage
from workflows.setup.start_steps import start
from workflows.setup.steps import Context, Step, goto, say
from workflows.slack_text import code


def grader_typed(conversation: Conversation, text: str, context: Context) -> Step:
    """An ARN that could be the grader is looked up; anything else is explained."""
    arn = text.strip()
    problem = arn_problem(arn, context.region)
    if problem is not None:
        return Step(conversation, (say(Message(problem, context=questions.NAVIGATION_HINT)),))
    updated = conversation.model_copy(update={"pending_grader": arn})
    return Step(updated, (say(Message(f"Looking up {code(arn)}…")), CheckGrader(arn)))


def grader_checked(conversation: Conversation, event: GraderChecked, context: Context) -> Step:
    if event.start:
        return _grader_rechecked(conversation, event, context)
    if conversation.stage is not Stage.AWAITING_GRADER or conversation.pending_grader != event.arn:
        return Step(conversation)
    if event.problem is not None:
        cleared = conversation.model_copy(update={"pending_grader": None})
        return Step(cleared, (say(Message(event.problem, context=questions.NAVIGATION_HINT)),))
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
        step = check(waiting, queued, context)
    else:
        step = goto(conversation, Stage.AWAITING_TRAINING, context, **changes)
    return Step(step.conversation, (say(found), *step.effects))


def _grader_rechecked(conversation: Conversation, event: GraderChecked, context: Context) -> Step:
    """The check made when Start was pressed: start if the role may now invoke the grader, else say the fix."""
    if conversation.stage is not Stage.REVIEWING or conversation.grader_arn != event.arn:
        return Step(conversation)
    if event.problem is not None:
        return Step(conversation, (say(Message(event.problem)),))
    updated = conversation.model_copy(
        update={"grader_access": event.access, "grader_access_text": event.access_text or None}
    )
    if event.access == "denied":
        return Step(updated, (say(Message(event.access_text)),))
    started = start(updated, context)
    return Step(started.conversation, (say(Message(event.access_text)), *started.effects))


def test_grader(conversation: Conversation) -> Step:
    training = conversation.training
    if conversation.grader_arn is None or training is None or not training.samples:
        return Step(conversation, (say(Message("There is no grader or no record to test it with.")),))
    count = len(training.samples)
    text = (
        f"Sending {count} records from {code(training.name)} to your grader, each answered with its reference answer."
    )
    return Step(conversation, (say(Message(text)), TestGrader(conversation.grader_arn, training.samples)))


def grader_tested(conversation: Conversation, event: GraderTested) -> Step:
    if conversation.stage is not Stage.REVIEWING or conversation.grader_arn != event.arn:
        return Step(conversation)
    updated = conversation.model_copy(update={"grader_test": "passed" if event.passed else "failed"})
    return Step(updated, (say(event.verdict),))
