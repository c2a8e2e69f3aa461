"""The setup machine's invocation logs for distillation: the source typed, and whether logging delivers it."""

from __future__ import annotations

from workflows.messages import Message
from workflows.setup import questions
from workflows.setup.effects import CheckLogging
from workflows.setup.events import LoggingChecked
from workflows.setup.log_source import LogSource, parse_typed
from workflows.setup.logging_check import LoggingState
from workflows.setup.model import Conversation, Stage
from workflows.setup.start_steps import start
from workflows.setup.steps import Context, Step, back_to_waiting, goto, say
from workflows.slack_text import code


def logs_typed(conversation: Conversation, text: str, context: Context) -> Step:
    """A log source that could be used is checked against the region's logging; anything else is explained."""
    parsed = parse_typed(text)
    if isinstance(parsed, list):
        return Step(conversation, (say(Message("I could not use that.", details=tuple(parsed))),))
    return check_logging(conversation, parsed, context)


def check_logging(conversation: Conversation, source: LogSource, context: Context) -> Step:
    """Ask whether logging delivers ``source`` (the one-line setup with ``logs=`` starts here too)."""
    updated = conversation.model_copy(update={"pending_logs": source})
    text = f"Checking that model invocation logging in {context.region} delivers text to {code(source.s3_uri)}…"
    return Step(updated, (say(Message(text)), CheckLogging(source)))


def logging_checked(conversation: Conversation, event: LoggingChecked, context: Context) -> Step:
    """Logging on (or not checkable): the review; off: what to do, and the source kept for *Check logging again*."""
    if event.start:
        return _logging_rechecked(conversation, event, context)
    if conversation.stage is not Stage.AWAITING_LOGS or conversation.pending_logs != event.source:
        return Step(conversation)
    if event.state == LoggingState.OFF:
        return Step(conversation, (say(questions.logging_off(event.text)),))
    step = goto(conversation, Stage.REVIEWING, context, logs=event.source, pending_logs=None)
    return Step(step.conversation, (say(Message(event.text)), *step.effects))


def _logging_rechecked(conversation: Conversation, event: LoggingChecked, context: Context) -> Step:
    """The check made when Start was pressed: start unless logging was turned off or moved since the setup checked.

    Off: no job; the setup waits for the logs again, with the source kept for *Check logging again*.
    """
    if conversation.stage is not Stage.REVIEWING or conversation.logs != event.source:
        return Step(conversation)
    if event.state == LoggingState.OFF:
        waiting = back_to_waiting(conversation, Stage.AWAITING_LOGS)
        waiting = waiting.model_copy(update={"logs": None, "pending_logs": event.source})
        return Step(waiting, (say(questions.logging_off(event.text)),))
    started = start(conversation, context, logging_rechecked=True)
    said = (say(Message(event.text)),) if event.state == LoggingState.UNKNOWN else ()
    return Step(started.conversation, (*said, *started.effects))
