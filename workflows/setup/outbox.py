"""The conversation's outbox, as pure functions: what a step owes the thread, delivered in order, re-driven.

A step's ``Say`` effects become outbox entries saved in the same write as the new state, so a
state change and the messages it owes are never apart. Delivery takes the oldest entry, and
records the result (``delivered``) or the failure (``failed``) with another save; whatever is
still pending is re-driven by the next event in the conversation and by the scheduled tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import assert_never

from workflows.messages import Message
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
    Work,
)
from workflows.setup.model import Conversation
from workflows.setup.outgoing import Outgoing, OutgoingKind

#: A pending entry is left to the delivery that follows its save for this long before a tick re-drives it.
REDRIVE_AFTER = timedelta(seconds=5)
#: The wait before the next try grows with each failure, up to this.
MAX_BACKOFF = timedelta(hours=1)
#: After this many failures an entry is given up (Slack refuses it for good: a deleted channel…).
MAX_TRIES = 30
#: Editable messages remembered per conversation (the newest ones).
KEPT_SLOTS = 10


def queue(conversation: Conversation, effects: tuple[Effect, ...]) -> tuple[Conversation, tuple[Work, ...]]:
    """The conversation with its ``Say`` effects in the outbox, and the work left for the service to perform."""
    updated = conversation
    rest: list[Work] = []
    for effect in effects:
        match effect:
            case Say():
                updated = _say(updated, effect)
            case (
                Whisper()
                | CheckDataset()
                | LaunchJob()
                | ResolveLaunch()
                | CheckGrader()
                | TestGrader()
                | CheckLogging()
                | RecordRefusal()
                | RequestApproval()
                | WithdrawApproval()
            ):
                rest.append(effect)
            case _:
                assert_never(effect)
    return updated, tuple(rest)


def next_entry(conversation: Conversation) -> Outgoing | None:
    """The oldest entry not yet delivered: messages go out in the order they were owed."""
    return conversation.outbox[0] if conversation.outbox else None


def delivered(conversation: Conversation, entry_id: str, ts: str | None, slot: str | None = None) -> Conversation:
    """Slack took the entry: drop it, and remember where an editable message landed.

    ``slot`` is the delivered entry's slot. When the entry is gone because newer content replaced it
    while it was being sent (``_say`` gives the replacement a new id), the replacement is still owed:
    it becomes an edit of the message that just landed, so the newer content is never lost.
    """
    entry = _find(conversation, entry_id)
    slot = entry.slot if entry is not None else slot
    slots = dict(conversation.slots)
    if slot is not None and ts is not None:
        slots.pop(slot, None)
        slots[slot] = ts
        slots = dict(list(slots.items())[-KEPT_SLOTS:])
    elif entry is None:
        return conversation
    outbox = tuple(
        _as_edit(item, ts) if entry is None and ts is not None and item.slot == slot else item
        for item in conversation.outbox
        if item.id != entry_id
    )
    return conversation.model_copy(update={"outbox": outbox, "slots": slots})


def _as_edit(entry: Outgoing, ts: str) -> Outgoing:
    """A pending post into a slot whose message has just landed at ``ts``: an edit of that message."""
    if entry.kind is not OutgoingKind.POST:
        return entry
    return entry.model_copy(update={"kind": OutgoingKind.EDIT, "ts": ts})


def failed(conversation: Conversation, entry_id: str) -> Conversation:
    """Slack refused or did not answer: count the failure; give the entry up after ``MAX_TRIES``."""
    entry = _find(conversation, entry_id)
    if entry is None:
        return conversation
    if entry.tries + 1 >= MAX_TRIES:
        outbox = tuple(item for item in conversation.outbox if item.id != entry_id)
    else:
        bumped = entry.model_copy(update={"tries": entry.tries + 1})
        outbox = tuple(bumped if item.id == entry_id else item for item in conversation.outbox)
    return conversation.model_copy(update={"outbox": outbox})


def due_at(conversation: Conversation) -> datetime | None:
    """When the scheduled tick should next look at the conversation: a busy deadline or a pending entry."""
    times: list[datetime] = []
    if conversation.busy is not None:
        times.append(conversation.busy.until)
    entry = next_entry(conversation)
    if entry is not None:
        times.append(conversation.updated_at + backoff(entry.tries))
    return min(times) if times else None


def backoff(tries: int) -> timedelta:
    """How long after the last save a pending entry with ``tries`` failures is re-driven."""
    return min(MAX_BACKOFF, REDRIVE_AFTER * (1 << min(tries, 20)))


def _say(conversation: Conversation, effect: Say) -> Conversation:
    entries = list(conversation.outbox)
    sequence = conversation.sequence
    message = effect.reply.message
    slot = effect.slot
    pending = next((i for i, item in enumerate(entries) if slot and item.slot == slot), None)
    if pending is not None:
        # Not posted yet: post the newest content once instead of posting and then editing. A new id, so
        # a worker already sending the old content records that delivery, not this one (see ``delivered``).
        sequence += 1
        entries[pending] = entries[pending].model_copy(update={"message": message, "id": f"e{sequence}"})
    else:
        sequence += 1
        entries.append(_entry(conversation, sequence, message, slot))
    for attachment in effect.reply.attachments:
        sequence += 1
        entries.append(Outgoing(id=f"e{sequence}", kind=OutgoingKind.ATTACH, attachment=attachment))
    return conversation.model_copy(update={"outbox": tuple(entries), "sequence": sequence})


def _entry(conversation: Conversation, sequence: int, message: Message, slot: str | None) -> Outgoing:
    ts = conversation.slots.get(slot) if slot else None
    if ts is not None:
        return Outgoing(id=f"e{sequence}", kind=OutgoingKind.EDIT, message=message, slot=slot, ts=ts)
    return Outgoing(id=f"e{sequence}", kind=OutgoingKind.POST, message=message, slot=slot)


def _find(conversation: Conversation, entry_id: str) -> Outgoing | None:
    return next((item for item in conversation.outbox if item.id == entry_id), None)
