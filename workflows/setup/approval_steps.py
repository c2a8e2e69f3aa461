"""The setup machine while a setup waits for approval: the answer, Back or Cancel as a withdrawal, and asking again."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from workflows.governance.approvals import ApprovalStatus
from workflows.messages import Message
from workflows.setup.effects import RequestApproval, Whisper, WithdrawApproval
from workflows.setup.events import ApprovalAnswered, ApprovalAsked, BackPressed, PersonEvent
from workflows.setup.model import Conversation, Stage
from workflows.setup.start_steps import ask_approval, launch
from workflows.setup.steps import Context, Step, approval_needed, busy_for, question_for, say


def while_awaiting_approval(conversation: Conversation, event: PersonEvent, context: Context) -> Step:
    """While approvers decide: Back asks to withdraw the request; anything else says what waits."""
    if isinstance(event, BackPressed) and conversation.approval is not None:
        return leave(conversation, "back", context)
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


def leave(conversation: Conversation, leaving: Literal["back", "cancel"], context: Context) -> Step:
    """Back or Cancel while waiting: the setup remembers it and asks to withdraw the request.

    The request's one compare-and-set decides: withdrawn first, its answer takes the setup back (or ends it);
    approved first, the job starts and the requester is told that Back or Cancel came too late.
    """
    assert conversation.approval is not None
    busy = busy_for(context, f"w{conversation.version}", context.launch_seconds)  # the tick withdraws it again
    updated = conversation.model_copy(update={"leaving": leaving, "busy": busy})
    return Step(updated, (WithdrawApproval(conversation.approval, _WITHDRAWN_BECAUSE[leaving]),))


def approval_answered(conversation: Conversation, event: ApprovalAnswered, context: Context) -> Step:
    """The answer to the request this setup waits for: start once approved, else what the requester asked for."""
    if conversation.stage is not Stage.AWAITING_APPROVAL or conversation.approval != event.request_id:
        return Step(conversation)
    if event.status == ApprovalStatus.APPROVED.value:
        launched = launch(conversation.model_copy(update={"leaving": None}), context)
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
        return Step(cancelled, (say(Message("Cancelled. Nothing was started and nothing was spent.")),))
    if conversation.leaving is None and event.changed and approval_needed(back, context) is not None:
        again = ask_approval(back, context)
        said = say(Message("Asking for approval again, on the policy and prices in force now."))
        return Step(again.conversation, (said, *again.effects))
    return Step(back, (say(question_for(back, context)),))


def approval_asked(conversation: Conversation, event: ApprovalAsked) -> Step:
    if conversation.stage is not Stage.AWAITING_APPROVAL or conversation.approval != event.request_id:
        return Step(conversation)
    if conversation.leaving is not None:  # the withdrawal's deadline stands
        return Step(conversation)
    return Step(conversation.model_copy(update={"busy": None}))


def asking_overdue(conversation: Conversation, now: datetime) -> bool:
    """A request for approval that was never confirmed sent (a crash after the save)."""
    busy = conversation.busy
    return conversation.stage is Stage.AWAITING_APPROVAL and busy is not None and now >= busy.until


def ask_again(conversation: Conversation, context: Context) -> Step:
    """Ask again under the same id: stored once, sent once, whatever the first attempt got to."""
    assert conversation.approval is not None
    assert conversation.busy is not None
    attempt = conversation.busy.attempt + 1
    renewed = busy_for(context, conversation.busy.token, context.launch_seconds, attempt=attempt)
    if conversation.leaving is not None:  # Back or Cancel came first: withdraw it instead (gone if never stored)
        withdraw = WithdrawApproval(conversation.approval, _WITHDRAWN_BECAUSE[conversation.leaving])
        return Step(conversation.model_copy(update={"busy": renewed}), (withdraw,))
    return Step(conversation.model_copy(update={"busy": renewed}), (RequestApproval(conversation.approval),))
