"""What the bot posts stays inert and within Slack's limits, whatever text it is given (pure, no I/O)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import (
    ACTIONS_ELEMENTS_MAX,
    MESSAGE_BLOCKS_MAX,
    MESSAGE_TEXT_MAX,
    SECTION_TEXT_MAX,
    answer_text,
    fallback_text,
    render,
)
from bot.sandbox.blockkit import validate_blocks
from workflows.command_grammar import Unknown, one_line_problems, parse_command, unknown_answer
from workflows.messages import Action, Button, Menu, Message, Option
from workflows.slack_text import (
    BACKTICK_LOOKALIKE,
    Mrkdwn,
    as_mrkdwn,
    bullets,
    channel_link,
    clip,
    code,
    escape,
    join,
    mention,
    mrkdwn,
)

#: What a hostile person types: a broadcast, a mention, a disguised link, and a backtick break-out.
HOSTILE = "<!channel> <@U1> <https://evil.example|Re-authenticate> `x` *y* & done"
#: Anything Slack would act on: <!…>, <@…>, <#…> and <http…|…>.
LIVE = re.compile(r"<[!@#]|<https?:|<mailto:")
#: Only &amp; &lt; &gt; are entities the renderer writes; a cut one would show as junk.
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn text in the blocks, wherever it sits."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


class TestEscaping:
    def test_the_three_characters_become_slacks_entities_ampersand_first(self) -> None:
        assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"
        assert escape("&lt;") == "&amp;lt;"

    def test_a_plain_string_is_escaped_whole_and_markup_built_here_is_kept(self) -> None:
        assert as_mrkdwn("<@U1>") == "&lt;@U1&gt;"
        assert as_mrkdwn(mention("U0ALICE")) == "<@U0ALICE>"
        assert as_mrkdwn(channel_link("C0GENERAL")) == "<#C0GENERAL>"

    def test_only_slack_ids_become_mentions_or_channel_links(self) -> None:
        assert mention("U1> <!channel") == "U1&gt; &lt;!channel"
        assert channel_link("C1|x> <!here") == "C1|x&gt; &lt;!here"

    def test_string_operations_on_trusted_markup_fall_back_to_escaped_text(self) -> None:
        combined = mention("U0ALICE") + " <!channel>"
        assert not isinstance(combined, Mrkdwn)
        assert as_mrkdwn(combined) == "&lt;@U0ALICE&gt; &lt;!channel&gt;"
        assert as_mrkdwn(f"{mention('U0ALICE')}") == "&lt;@U0ALICE&gt;"

    def test_a_template_escapes_every_value_and_keeps_its_own_markup(self) -> None:
        text = mrkdwn("*{who}* started {job:code} for {count:,} tokens", who=HOSTILE, job="a`b", count=12345)
        assert isinstance(text, Mrkdwn)
        assert text.startswith("*&lt;!channel&gt; &lt;@U1&gt; &lt;https://evil.example|Re-authenticate&gt;")
        assert f"`a{BACKTICK_LOOKALIKE}b`" in text
        assert "12,345 tokens" in text
        assert not LIVE.search(text)

    def test_a_template_keeps_trusted_values_as_they_are(self) -> None:
        text = mrkdwn("{who} asked in {where}", who=mention("U0ALICE"), where=channel_link("C0GENERAL"))
        assert text == "<@U0ALICE> asked in <#C0GENERAL>"

    def test_join_escapes_plain_parts_only(self) -> None:
        assert join("\n", [mention("U0ALICE"), "<!here>"]) == "<@U0ALICE>\n&lt;!here&gt;"

    @given(st.text())
    def test_a_code_span_cannot_be_closed_by_its_value(self, value: str) -> None:
        span = code(value)
        assert span.startswith("`")
        assert span.endswith("`")
        assert span.count("`") == 2
        assert "\n" not in span

    @given(st.text())
    def test_no_text_escapes_into_live_markup(self, value: str) -> None:
        escaped = as_mrkdwn(value)
        assert "<" not in escaped
        assert ">" not in escaped
        assert not ENTITY.search(escaped)


class TestClipping:
    def test_long_lists_keep_whole_lines_and_say_how_many_are_left_out(self) -> None:
        text = "\n".join(f"line {number}" for number in range(1000))
        clipped = clip(text, 300)
        assert len(clipped) <= 300
        kept = clipped.split("\n")[:-1]
        assert kept == [f"line {number}" for number in range(len(kept))]
        assert clipped.endswith(f"…and {1000 - len(kept):,} more lines")

    def test_one_very_long_line_is_cut_and_says_how_much_is_missing(self) -> None:
        clipped = clip("Unknown model `" + "m" * 40_000 + "`.", 3000)
        assert len(clipped) <= 3000
        assert re.search(r"… \([\d,]+ more characters\)$", clipped)
        head = clipped.split("…")[0]
        assert head.count("`") % 2 == 0, "a cut code span is closed"

    @given(st.text(alphabet="<>&ab` \n", max_size=4000), st.integers(min_value=60, max_value=3000))
    def test_clipped_escaped_text_fits_and_never_cuts_an_entity(self, value: str, limit: int) -> None:
        clipped = clip(escape(value), limit)
        assert len(clipped) <= limit
        assert not ENTITY.search(clipped)
        assert "<" not in clipped

    def test_bullets_stop_within_the_limit_with_and_n_more(self) -> None:
        listed = bullets([f"problem {number} <!channel>" for number in range(60)], limit=500)
        assert len(listed) <= 500
        assert listed.endswith("more")
        assert "<!channel>" not in listed
        shown = listed.count("• ")
        assert listed.endswith(f"…and {60 - shown} more")


def hostile_message(value: str, *, details: int = 2, buttons: int = 2, options: int = 2) -> Message:
    return Message(
        text=f"Started {code(value)} for {value}",
        details=tuple(f"• Line {number}: {value}" for number in range(details)),
        facts=(("Base model", f"{value} ({code(value)})"), ("Started by", mention("U0ALICE"))),
        menu=Menu("Choose", Action.CHOOSE_MODEL, tuple(Option(value[:75] or "x", f"m{n}") for n in range(options))),
        buttons=tuple(Button(f"B{number}", Action.BACK) for number in range(buttons)),
        context=f"Type {code(value)} to go back.",
    )


class TestRendering:
    def test_every_text_of_a_hostile_message_is_inert(self) -> None:
        blocks = render(hostile_message(HOSTILE))
        texts = mrkdwn_texts(blocks)
        assert texts
        for text in texts:
            assert not LIVE.search(text.replace("<@U0ALICE>", "")), text
        assert any("<@U0ALICE>" in text for text in texts), "a trusted mention stays live"
        assert "&lt;!channel&gt;" in texts[0]
        assert not LIVE.search(fallback_text(hostile_message(HOSTILE)))

    def test_sixty_problems_fit_in_fifty_blocks_and_slack_accepts_them(self) -> None:
        problems = tuple(
            f"`k{n}` is not a hyperparameter of Nova Micro; valid: epochCount, learningRate." for n in range(60)
        )
        blocks = render(Message("I could not change that.", details=problems))
        assert len(blocks) <= MESSAGE_BLOCKS_MAX
        assert validate_blocks(blocks) == []
        shown = "\n".join(mrkdwn_texts(blocks))
        assert all(f"`k{n}`" in shown for n in range(60)), "packed, not dropped, while they fit"

    def test_thousands_of_long_details_end_with_and_n_more(self) -> None:
        details = tuple("d" * 2500 + str(n) for n in range(200))
        blocks = render(Message("Many", details=details, buttons=(Button("Back", Action.BACK),)))
        assert len(blocks) == MESSAGE_BLOCKS_MAX
        assert validate_blocks(blocks) == []
        assert any(re.search(r"…and [\d,]+ more", text) for text in mrkdwn_texts(blocks[-3:]))
        assert blocks[-1]["type"] == "actions", "the choices are never the part that is cut"

    def test_many_buttons_are_split_into_actions_blocks_of_twenty_five(self) -> None:
        blocks = render(
            Message("Pick", buttons=tuple(Button(f"Option {n}", Action.CHOOSE_TYPE, str(n)) for n in range(60)))
        )
        actions = [block for block in blocks if block["type"] == "actions"]
        assert [len(block["elements"]) for block in actions] == [ACTIONS_ELEMENTS_MAX, ACTIONS_ELEMENTS_MAX, 10]
        assert len({element["action_id"] for block in actions for element in block["elements"]}) == 60
        assert validate_blocks(blocks) == []

    def test_a_menu_shows_one_hundred_options_and_says_how_many_more_exist(self) -> None:
        blocks = render(hostile_message("model", options=150))
        (select,) = [block["elements"][0] for block in blocks if block.get("block_id") == "menu"]
        assert len(select["options"]) == 100
        assert any("…and 50 more not in the menu" in text for text in mrkdwn_texts(blocks))
        assert validate_blocks(blocks) == []

    def test_a_forty_thousand_character_value_renders_within_limits(self) -> None:
        message = hostile_message("m" * 40_000)
        blocks = render(message)
        assert validate_blocks(blocks) == []
        assert len(fallback_text(message)) <= MESSAGE_TEXT_MAX
        assert all(len(text) <= SECTION_TEXT_MAX for text in mrkdwn_texts(blocks))

    @settings(max_examples=60, deadline=None)
    @given(
        st.text(max_size=6000),
        st.integers(min_value=0, max_value=80),
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=0, max_value=130),
    )
    def test_any_input_renders_inert_and_within_slacks_limits(
        self, value: str, details: int, buttons: int, options: int
    ) -> None:
        message = hostile_message(value, details=details, buttons=buttons, options=options)
        blocks = render(message)
        assert validate_blocks(blocks) == []
        assert len(blocks) <= MESSAGE_BLOCKS_MAX
        for text in mrkdwn_texts(blocks):
            assert "<" not in text.replace("<@U0ALICE>", "")
            assert not ENTITY.search(text)
        text = fallback_text(message)
        assert len(text) <= MESSAGE_TEXT_MAX
        assert "<" not in text


class TestAnswers:
    def test_an_unknown_command_echoes_the_words_inert(self) -> None:
        parsed = parse_command("<!channel>`x`<https://evil|y>")
        assert isinstance(parsed, Unknown)
        answer = answer_text(unknown_answer(parsed))
        assert not LIVE.search(answer)
        assert "`&lt;!channel&gt;ˋxˋ&lt;https://evil|y&gt;`" in answer

    def test_a_bad_key_in_a_one_line_setup_stays_inside_its_code_span(self) -> None:
        parsed = parse_command("new `<!here>`")
        assert isinstance(parsed, Unknown)
        assert answer_text(unknown_answer(parsed)).startswith("`ˋ&lt;!here&gt;ˋ` is not key=value")

    def test_sixty_one_line_problems_fit_in_one_short_answer(self) -> None:
        problems = [f"`k{n}=<!channel>` is not a hyperparameter of Nova Micro; valid: epochCount." for n in range(60)]
        answer = answer_text(one_line_problems(problems))
        assert len(answer) <= MESSAGE_TEXT_MAX
        assert re.search(r"…and \d+ more\nFix them", answer)
        assert not LIVE.search(answer)


def test_trusted_markup_is_built_only_by_the_text_module() -> None:
    """``Mrkdwn(...)`` anywhere else would let a value skip escaping; the module's builders are the way."""
    root = Path(__file__).resolve().parents[2]
    builders = {root / "workflows" / "slack_text.py"}
    offenders = [
        str(path.relative_to(root))
        for folder in ("bot", "workflows")
        for path in (root / folder).rglob("*.py")
        if path not in builders and re.search(r"\bMrkdwn\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
