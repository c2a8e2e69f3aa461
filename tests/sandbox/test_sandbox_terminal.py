"""The terminal side: messages rendered as people read them, numbered choices, and the scripted sandbox."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from bot.blocks import render
from bot.sandbox.blocktext import Names, mrkdwn, render_message
from bot.sandbox.events import EventKind, Interaction, SandboxEvent
from bot.sandbox.records import Message
from bot.sandbox.samples import CONVERSATION, sample_bytes
from bot.sandbox.sandbox import load_attachment, sample_names
from bot.sandbox.terminal import Transcript
from tests.sandbox.cli_runs import closed_redis_url, run_cli
from workflows.messages import Action, Button, Menu, Option
from workflows.messages import Message as BotMessage

NAMES = Names(people={"U0ALICE": "alice", "U0FINETUNE": "finetune-bot"}, channels={"C0GENERAL": "general"})
REVIEW = BotMessage(
    text="Review your fine-tuning job: *about $4.20*.",
    facts=(("Base model", "Nova Micro"), ("Epochs", "2")),
    buttons=(Button("Start fine-tuning", Action.START), Button("Cancel", Action.CANCEL)),
    context="Type `key=value` to change a setting.",
)
MODELS = BotMessage(
    text="Which base model?",
    menu=Menu(
        "Choose a base model", Action.CHOOSE_MODEL, (Option("Nova Micro", "m", "Amazon"), Option("Nova Lite", "l"))
    ),
    buttons=(Button("Back", Action.BACK),),
)


def bot_message(message: BotMessage, *, ts: str = "100.000001", thread: str | None = "99.000001") -> Message:
    return Message(
        "C0GENERAL", ts, "U0FINETUNE", "T0", message.text, tuple(render(message)), thread_ts=thread, bot_id="B0"
    )


def event(kind: EventKind, record: Any) -> SandboxEvent:
    return SandboxEvent(seq=1, kind=kind, record=record)


class TestRendering:
    def test_buttons_read_as_bracketed_labels(self) -> None:
        lines = render_message(render(REVIEW), REVIEW.text, NAMES, numbered=False).lines
        assert lines == [
            "Review your fine-tuning job: about $4.20.",
            "Base model: Nova Micro",
            "Epochs: 2",
            "[Start fine-tuning]  [Cancel]",
            "· Type `key=value` to change a setting.",
        ]

    def test_the_sandbox_numbers_menu_options_and_buttons_in_reading_order(self) -> None:
        rendered = render_message(render(MODELS), MODELS.text, NAMES, numbered=True)
        assert rendered.lines[1:] == [
            "Choose a base model ▾",
            "  [1] Nova Micro — Amazon",
            "  [2] Nova Lite",
            "[3] Back",
        ]
        assert [(choice.label, choice.kind) for choice in rendered.choices] == [
            ("Nova Micro", "option"),
            ("Nova Lite", "option"),
            ("Back", "button"),
        ]

    @pytest.mark.parametrize(
        ("source", "shown"),
        [
            ("<@U0ALICE> started it in <#C0GENERAL>", "@alice started it in #general"),
            (":white_check_mark: *Done* and _fast_", "✅ Done and fast"),
            ("keep `*code*` and `snake_case_name` as typed", "keep `*code*` and `snake_case_name` as typed"),
            ("<https://example.com|the docs> &amp; more", "the docs (https://example.com) & more"),
            (":unknown_emoji: stays", ":unknown_emoji: stays"),
        ],
    )
    def test_mrkdwn_reads_as_slack_shows_it(self, source: str, shown: str) -> None:
        assert mrkdwn(source, NAMES) == shown

    def test_long_button_rows_wrap_between_labels_never_inside_one(self) -> None:
        many = BotMessage(text="Pick", buttons=tuple(Button(f"A fairly long label {n}", Action.BACK) for n in range(6)))
        rows = render_message(render(many), many.text, NAMES, numbered=False).lines[1:]
        assert len(rows) > 1
        assert all(re.fullmatch(r"(\[A fairly long label \d\](  )?)+", row) for row in rows)


class TestTranscript:
    def test_a_message_shows_who_said_it_and_in_which_thread(self) -> None:
        out = io.StringIO()
        transcript = Transcript(out, NAMES, clock=lambda: 0.0)
        transcript.on_event(event(EventKind.MESSAGE_POSTED, bot_message(REVIEW)))
        assert out.getvalue().startswith(
            "00:00  finetune-bot · #general › thread 1\n       Review your fine-tuning job"
        )

    def test_an_edit_prints_only_what_changed(self) -> None:
        out = io.StringIO()
        transcript = Transcript(out, NAMES, clock=lambda: 0.0)
        first = BotMessage(text="Job running", facts=(("Stages", "Validation: InProgress"), ("Model", "Nova Micro")))
        later = BotMessage(text="Job running", facts=(("Stages", "Validation: Completed"), ("Model", "Nova Micro")))
        transcript.on_event(event(EventKind.MESSAGE_POSTED, bot_message(first)))
        out.truncate(0)
        out.seek(0)
        transcript.on_event(event(EventKind.MESSAGE_UPDATED, bot_message(later)))
        assert out.getvalue() == (
            "00:00  finetune-bot edited a message · #general › thread 1\n       Stages: Validation: Completed\n\n"
        )

    def test_numbers_pick_from_the_newest_message_with_choices(self) -> None:
        transcript = Transcript(io.StringIO(), NAMES, numbered=True)
        transcript.on_event(event(EventKind.MESSAGE_POSTED, bot_message(REVIEW, ts="1.1")))
        transcript.on_event(event(EventKind.MESSAGE_POSTED, bot_message(BotMessage(text="No choices"), ts="1.2")))
        offer = transcript.offer
        assert offer is not None
        assert (offer.ts, [choice.label for choice in offer.choices]) == ("1.1", ["Start fine-tuning", "Cancel"])
        transcript.on_event(event(EventKind.MESSAGE_UPDATED, bot_message(BotMessage(text="Started"), ts="1.1")))
        assert transcript.offer is None

    def test_what_the_person_did_reads_as_one_line(self) -> None:
        out = io.StringIO()
        transcript = Transcript(out, NAMES, clock=lambda: 0.0)
        transcript.on_event(event(EventKind.INTERACTION, Interaction("button", "U0ALICE", "Start fine-tuning")))
        transcript.on_event(event(EventKind.INTERACTION, Interaction("choice", "U0ALICE", "Nova Micro")))
        assert out.getvalue() == "00:00  @alice clicked [Start fine-tuning]\n\n00:00  @alice chose “Nova Micro”\n\n"

    def test_a_prompt_stays_below_what_arrives_while_the_person_types(self) -> None:
        out = io.StringIO()
        transcript = Transcript(out, NAMES, clock=lambda: 0.0)
        transcript.show_prompt("› ")
        transcript.note("hello")
        assert out.getvalue() == "› \r\033[K00:00  » hello\n\n› "


class TestAttachments:
    def test_a_sample_is_attached_by_name(self) -> None:
        assert load_attachment(f"sample:{CONVERSATION}") == (CONVERSATION, sample_bytes(CONVERSATION))

    def test_an_unknown_sample_lists_the_real_ones(self) -> None:
        answer = load_attachment("sample:nope.jsonl")
        assert isinstance(answer, str)
        assert all(name in answer for name in sample_names())

    def test_a_file_is_attached_by_path(self, tmp_path: Any) -> None:
        path = tmp_path / "mine.jsonl"
        path.write_bytes(b'{"prompt": "a", "completion": "b"}\n')
        assert load_attachment(str(path)) == ("mine.jsonl", path.read_bytes())

    def test_a_missing_file_is_said_plainly(self, tmp_path: Any) -> None:
        assert load_attachment(str(tmp_path / "absent.jsonl")) == f"No file at {tmp_path / 'absent.jsonl'}."


#: A whole job typed into the sandbox: each number picks from the newest question's choices.
SCRIPT = """\
help
/finetune
6
2
2
3
1
attach sample:conversation-with-mistakes.jsonl
attach sample:conversation.jsonl
1
1
"""


@pytest.mark.integration
def test_a_scripted_stdin_runs_a_whole_job_from_finetune_to_the_completion_notice() -> None:
    run = run_cli(["sandbox", "--speed", "600"], stdin=SCRIPT, env={"REDIS_URL": closed_redis_url()})
    out = run.stdout
    assert run.returncode == 0, run.stderr + out[-3000:]
    assert "attach sample:NAME" in out
    assert "[6] Help me choose" in out
    assert "@alice clicked [Help me choose]" in out
    assert "@alice chose “Nova Micro”" in out
    assert "has 2 problems to fix before training" in out
    assert "`conversation.jsonl` is ready" in out
    assert "@alice clicked [Start fine-tuning]" in out
    assert re.search(r"finetune-bot · #general\n {7}✅ Fine-tuning job `finetune-[0-9a-f]+` completed\.", out)
    assert run.stderr == ""
