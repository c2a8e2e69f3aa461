"""The setup machine's dataset steps: an attachment or URI refused or checked, and the check's verdict."""

from __future__ import annotations

from workflows.messages import Message, Reply
from workflows.setup.effects import CheckDataset, Effect, Say
from workflows.setup.events import DatasetAccepted, DatasetRefused, SlackFile
from workflows.setup.model import Conversation, DatasetRole, Stage, source_name
from workflows.setup.steps import Context, Step, back_to_waiting, busy_for, goto, say
from workflows.slack_text import code

#: File types Slack reports for text we can validate; anything else is refused before download.
TEXT_FILETYPES = {"jsonl", "json", "text", "txt", "ndjson", "auto", ""}


def attach(conversation: Conversation, file: SlackFile, context: Context) -> Step:
    """Refuse what cannot be a dataset before downloading anything; else check it."""
    limit_mb = context.max_upload_bytes // (1024 * 1024)
    if file.size > context.max_upload_bytes:
        size_mb = file.size / (1024 * 1024)
        text = (
            f"{code(file.name)} is {size_mb:,.0f} MB, more than the {limit_mb:,} MB I accept from Slack. "
            "Put it in S3 and type its `s3://` URI here instead."
        )
        return Step(conversation, (say(Message(text)),))
    if file.filetype.lower() not in TEXT_FILETYPES or not _is_text_mimetype(file.mimetype):
        text = (
            f"{code(file.name)} looks like a {file.filetype or file.mimetype} file, not JSON Lines. "
            "Upload a `.jsonl` file with one JSON record per line."
        )
        return Step(conversation, (say(Message(text)),))
    return check(conversation, file, context)


def _is_text_mimetype(mimetype: str) -> bool:
    return not mimetype or mimetype.startswith(
        ("text/", "application/json", "application/x-ndjson", "application/jsonl")
    )


def start_check(conversation: Conversation, source: SlackFile | str, context: Context) -> Step:
    """Check ``source`` as the dataset the conversation waits for (the one-line setup starts here)."""
    return check(conversation, source, context)


def check(conversation: Conversation, source: SlackFile | str, context: Context) -> Step:
    """Move to the checking stage, owned by this worker until the check deadline, and say so in a slot."""
    if conversation.stage is Stage.AWAITING_TRAINING:
        role, stage = DatasetRole.TRAINING, Stage.CHECKING_TRAINING
    else:
        role, stage = DatasetRole.VALIDATION, Stage.CHECKING_VALIDATION
    token = f"{role.value}-{conversation.version}-1"
    busy = busy_for(context, token, context.check_seconds, role=role, source=source, slot=f"check-{token}")
    updated = conversation.model_copy(
        update={"stage": stage, "previous": (*conversation.previous, conversation.stage), "busy": busy}
    )
    progress = Message(f"Checking {code(source_name(source))} line by line…")
    return Step(updated, (Say(Reply(progress), slot=busy.slot), CheckDataset(role, source, check=token)))


def checked(conversation: Conversation, event: DatasetAccepted | DatasetRefused, context: Context) -> Step:
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
        return Step(back_to_waiting(conversation, waiting), verdict)
    step = _accepted(conversation.model_copy(update={"busy": None}), event, context)
    return Step(step.conversation, verdict + step.effects)


def _accepted(conversation: Conversation, event: DatasetAccepted, context: Context) -> Step:
    if event.role is DatasetRole.VALIDATION:
        return goto(conversation, Stage.REVIEWING, context, validation=event.summary)
    queued = conversation.queued_validation_uri
    updated = conversation.model_copy(
        update={"training": event.summary, "queued_validation_uri": None, "review_after_training": False}
    )
    if queued:
        waiting = updated.model_copy(update={"stage": Stage.AWAITING_VALIDATION})
        return check(waiting, queued, context)
    if conversation.review_after_training:
        # As if the person had skipped the validation question: Back from the review asks it.
        passed = updated.model_copy(
            update={"stage": Stage.AWAITING_VALIDATION, "previous": (*updated.previous, updated.stage)}
        )
        return goto(passed, Stage.REVIEWING, context, validation=None)
    return goto(updated, Stage.AWAITING_VALIDATION, context)
