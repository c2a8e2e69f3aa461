"""What a Try it thread shows: its opening message, and each answer (or why there is none), within Slack's limits.

A model's answer is untrusted text: it is split into plain ``str`` pieces (escaped when rendered, so it
can never mention, broadcast or link), each small enough for one Slack section, and cut with a note
beyond ``ANSWER_SHOWN_MAX`` characters.
"""

from __future__ import annotations

from workflows.chat.chat_ports import ChatAnswer, StopReason
from workflows.deployments.deployment_record import TryThread
from workflows.messages import Action, Button, Message, Style
from workflows.slack_text import code, escape, mrkdwn, pieces

#: Escaped characters per piece: one Slack section holds 3,000.
ANSWER_PIECE_MAX = 2800
#: Escaped characters of one answer shown in the thread; the rest is left out with a note.
ANSWER_SHOWN_MAX = 8000
#: Hours a Try it thread stays open after its last question.
TRY_THREAD_HOURS = 24

#: Why a model stopped, for the reasons worth a word.
_STOPS = {
    StopReason.MAX_TOKENS: "it stopped at the answer-length limit",
    StopReason.GUARDRAIL_INTERVENED: "a guardrail stopped it",
    StopReason.CONTENT_FILTERED: "a content filter stopped it",
    StopReason.CONTEXT_WINDOW_EXCEEDED: "the question filled the model's context window",
}


def opening_message(thread: TryThread) -> Message:
    """The thread's first message: what is asked, how, and the Side by side switch (when the base can be asked)."""
    switches: tuple[Button, ...] = ()
    if not thread.base_invocable:
        mode = mrkdwn(
            "Only the custom model answers: the catalogue knows no way to invoke the base model {base:code} "
            "in this region, so *Side by side* is not offered.",
            base=thread.base_model_id,
        )
    elif thread.side_by_side:
        mode = mrkdwn(
            "*Side by side* is on: the base model {base:code} answers each question too.", base=thread.base_model_id
        )
        switches = (Button("Custom model only", Action.CUSTOM_ONLY, value=thread.deployment),)
    else:
        mode = mrkdwn(
            "Only the custom model answers. *Side by side* asks the base model {base:code} too.",
            base=thread.base_model_id,
        )
        switches = (Button("Side by side", Action.SIDE_BY_SIDE, value=thread.deployment, style=Style.PRIMARY),)
    system = (
        "Each question is sent with the system prompt of the training data."
        if thread.system_prompt
        else "The training data had no system prompt, so none is sent."
    )
    return Message(
        text=mrkdwn(
            ":speech_balloon: Try {label:code} here: write a question in this thread and the custom model "
            "(deployment {name:code}) answers it.",
            label=thread.label,
            name=thread.deployment,
        ),
        details=(mode, system),
        buttons=switches,
        context=(
            "Anyone in this channel may ask. Each question goes with the thread's recent questions and answers, "
            "so you can ask a follow-up. "
            f"The thread stops answering {TRY_THREAD_HOURS} hours after its last question; "
            f"{code('/finetune try ' + thread.label)} opens a new one."
        ),
    )


def answer_message(
    thread: TryThread,
    custom: ChatAnswer | str,
    base: ChatAnswer | str | None,
    *,
    note: str | None = None,
    costs: tuple[str | None, str | None] = (None, None),
) -> Message:
    """The custom model's answer (and the base model's, side by side), or the plain reason for each missing one.

    ``note`` (plain text: that older turns are now left out) goes first in the context line; ``costs`` are
    what each answer cost per token, in words (None for an answer that is not billed per token).
    """
    custom_cost, base_cost = costs
    if base is None:
        if isinstance(custom, str):
            return Message(text=f":warning: {custom}", context=note)
        heading = mrkdwn("{label:code} answered:", label=thread.label)
        return Message(
            text=heading, details=tuple(_shown(custom)), context=_joined(note, _notes(custom, cost=custom_cost))
        )
    details: list[str] = []
    text = mrkdwn("Side by side, {label:code} and its base model:", label=thread.label)
    details.append(mrkdwn("*Custom model* {label:code}:", label=thread.label))
    details += _shown(custom)
    details.append(mrkdwn("*Base model* {base:code}:", base=thread.base_model_id))
    details += _shown(base)
    return Message(
        text=text,
        details=tuple(details),
        context=_joined(note, _notes(custom, "custom", cost=custom_cost), _notes(base, "base", cost=base_cost)),
    )


def _joined(*notes: str | None) -> str | None:
    """The notes that say something, on one context line."""
    return "  ·  ".join(note for note in notes if note) or None


def not_serving(thread: TryThread, status: str | None) -> Message:
    """The deployment behind the thread no longer answers (deleted, failed, or unknown now)."""
    state = f"is {status}" if status else "is no longer known"
    return Message(
        text=f":no_entry: {code(thread.deployment)} {state}, so this thread no longer asks it.",
        context=(
            f"Deploy it again with {code('/finetune deploy ' + thread.label)}, "
            f"then {code('/finetune try ' + thread.label)}."
        ),
    )


def _shown(outcome: ChatAnswer | str) -> list[str]:
    """The answer's text in pieces that fit, cut with a note; a failure's plain words."""
    if isinstance(outcome, str):
        return [f":warning: {outcome}"]
    if not outcome.text.strip():
        return ["(The model answered with no text.)"]
    shown: list[str] = []
    used = 0
    parts = pieces(outcome.text, ANSWER_PIECE_MAX)
    for index, part in enumerate(parts):
        size = len(escape(part))
        if used + size > ANSWER_SHOWN_MAX:
            left = sum(len(rest) for rest in parts[index:])
            shown.append(f"… ({left:,} more characters of this answer are not shown.)")
            break
        shown.append(part)
        used += size
    return shown


def _notes(outcome: ChatAnswer | str, who: str = "", *, cost: str | None = None) -> str:
    """Latency, tokens and their cost, and why it stopped when that matters."""
    if isinstance(outcome, str):
        return ""
    words = f"{outcome.latency_ms / 1000:.2f} s, {outcome.input_tokens:,} tokens in, {outcome.output_tokens:,} out"
    if cost is not None:
        words += f", {cost}"
    stop = _STOPS.get(outcome.stop_reason)
    if stop:
        words += f"; {stop}"
    return f"{who}: {words}" if who else words
