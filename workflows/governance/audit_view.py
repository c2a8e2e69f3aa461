"""``/finetune audit [N]``: the latest audit entries as a message, every recorded value escaped."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.governance.audit_entry import AuditEntry
from workflows.messages import Message
from workflows.slack_text import Mrkdwn, bullets, channel_link, mention, mrkdwn

#: Room for the list in one section (Slack allows 3,000 characters).
AUDIT_TEXT_MAX = 2800


def audit_message(entries: Sequence[AuditEntry], asked: int) -> Message:
    """The entries, newest first; what does not fit ends in "…and N more"."""
    if not entries:
        return Message(text="The audit log is empty: nothing has been decided since it was started.")
    heading = f"The latest {len(entries)} audit entr{'y' if len(entries) == 1 else 'ies'}, newest first"
    if len(entries) < asked:
        heading += f" (all there are; you asked for {asked})"
    return Message(
        text=heading + ":",
        details=(bullets([entry_line(entry) for entry in entries], limit=AUDIT_TEXT_MAX),),
        context="`finetune-bot audit export` writes the whole log as JSON Lines.",
    )


def entry_line(entry: AuditEntry) -> Mrkdwn:
    """``2026-11-29 03:01 UTC job.started by @alice in #general: `job` $12.30 (detail)``."""
    line = mrkdwn(
        "{at} {action:code} by {who} in {where}: {subject:code}",
        at=f"{entry.at:%Y-%m-%d %H:%M} UTC",
        action=entry.action.value,
        who=mention(entry.user) if entry.user else mrkdwn("finetune-bot"),
        where=channel_link(entry.channel) if entry.channel else mrkdwn("no channel"),
        subject=entry.subject,
    )
    if entry.cost_usd is not None:
        line = mrkdwn("{line} ${cost}", line=line, cost=entry.cost_usd)
    if entry.detail:
        line = mrkdwn("{line} ({detail})", line=line, detail=entry.detail)
    return line
