"""What a Try it thread shows: long answers split within Slack's limits, hostile answers inert."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, render
from workflows.chat.chat_ports import ChatAnswer, StopReason
from workflows.deployments.deployment_record import TryThread
from workflows.deployments.tryout_view import ANSWER_SHOWN_MAX, answer_message, opening_message
from workflows.slack_text import escape, pieces

THREAD = TryThread(
    team="T1",
    channel="C1",
    thread_ts="1.1",
    deployment="support-od1",
    model_id="arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abc",
    label="support",
    base_model_id="amazon.nova-micro-v1:0",
    opened_by="U1",
    opened_at=datetime(2026, 1, 1, tzinfo=UTC),
)
HOSTILE = "<!channel> <@U0BOSS> click <https://evil.example|here> & `code` *bold*"


def said(text: str, stop: StopReason = StopReason.END_TURN) -> ChatAnswer:
    return ChatAnswer(text=text, latency_ms=420, input_tokens=12, output_tokens=34, stop_reason=stop)


def section_texts(blocks: list[dict[str, object]]) -> list[str]:
    return [str(block["text"]["text"]) for block in blocks if block["type"] == "section" and "text" in block]  # type: ignore[index]


def test_a_long_answer_is_split_into_sections_and_cut_with_a_note() -> None:
    text = "\n".join(f"Line {number}: " + "word " * 30 for number in range(400))
    message = answer_message(THREAD, said(text, StopReason.MAX_TOKENS), None)
    blocks = render(message)

    assert len(blocks) <= MESSAGE_BLOCKS_MAX
    assert all(len(section) <= SECTION_TEXT_MAX for section in section_texts(blocks))
    assert sum(len(escape(detail)) for detail in message.details[:-1]) <= ANSWER_SHOWN_MAX
    assert message.details[-1].startswith("… (")
    assert "more characters of this answer are not shown" in message.details[-1]
    assert "".join(message.details[:-1]) == text[: len("".join(message.details[:-1]))]
    assert message.context is not None
    assert "answer-length limit" in message.context


def test_a_hostile_answer_renders_inert() -> None:
    blocks = render(answer_message(THREAD, said(HOSTILE), said(HOSTILE)))
    rendered = "\n".join(section_texts(blocks))

    assert "<!channel>" not in rendered
    assert "<@U0BOSS>" not in rendered
    assert "<https://evil.example" not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_a_failed_answer_is_its_plain_reason() -> None:
    message = answer_message(THREAD, "The model is not ready to answer yet.", None)
    assert message.text == ":warning: The model is not ready to answer yet."


def test_the_opening_says_what_is_sent_and_offers_the_switch() -> None:
    plain = opening_message(THREAD)
    both = opening_message(THREAD.model_copy(update={"side_by_side": True, "system_prompt": "Be brief."}))

    assert [button.label for button in plain.buttons] == ["Side by side"]
    assert [button.label for button in both.buttons] == ["Custom model only"]
    assert "no system prompt" in plain.details[1]
    assert "system prompt of the training data" in both.details[1]


@given(st.text(alphabet=st.sampled_from("ab <>&\n"), max_size=400), st.integers(min_value=8, max_value=60))
def test_pieces_fit_once_escaped_and_give_back_the_text(text: str, size: int) -> None:
    parts = pieces(text, size)
    assert "".join(parts) == text
    assert all(part and len(escape(part)) <= size for part in parts)
