"""Choosing held-out prompts: the records that give a prompt and a reference, spread or named, and why others don't."""

from __future__ import annotations

import json

import pytest

from workflows.deployments.comparison.held_out import HeldOut, NoPrompts, Skipped, Turn, choose, parse_record, spread


def pc(prompt: str, completion: str) -> str:
    return json.dumps({"prompt": prompt, "completion": completion})


def conversation(*turns: tuple[str, str], system: str | None = None) -> str:
    record: dict[str, object] = {
        "schemaVersion": "bedrock-conversation-2024",
        "messages": [{"role": role, "content": [{"text": text}]} for role, text in turns],
    }
    if system is not None:
        record["system"] = [{"text": system}]
    return json.dumps(record)


def held(result: HeldOut | NoPrompts) -> HeldOut:
    assert isinstance(result, HeldOut), result
    return result


def test_prompt_completion_records_give_the_prompt_and_the_completion_as_reference() -> None:
    found = held(choose(pc("How do I reset?", "Open Settings.") + "\n", lines=None, limit=10))
    assert [(p.line, p.question, p.reference, p.system) for p in found.prompts] == [
        (1, "How do I reset?", "Open Settings.", None)
    ]


def test_a_conversation_is_asked_with_its_earlier_turns_and_system_and_its_last_answer_is_the_reference() -> None:
    row = conversation(
        ("user", "Hi"),
        ("assistant", "Hello!"),
        ("user", "Refund?"),
        ("assistant", "Within 30 days."),
        system="Be brief.",
    )
    prompt = held(choose(row, lines=None, limit=10)).prompts[0]
    assert prompt.system == "Be brief."
    assert prompt.turns == (Turn("user", "Hi"), Turn("assistant", "Hello!"), Turn("user", "Refund?"))
    assert prompt.reference == "Within 30 days."


def test_anthropic_layout_with_string_content_and_a_system_string() -> None:
    row = json.dumps(
        {"system": "Be kind.", "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}
    )
    prompt = held(choose(row, lines=None, limit=1)).prompts[0]
    assert (prompt.system, prompt.question, prompt.reference) == ("Be kind.", "Q", "A")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (pc("", "x"), "no prompt"),
        (pc("q", "  "), "no reference answer (the completion is empty)"),
        (json.dumps({"prompt": "q"}), "no reference answer (the completion is empty)"),
        (conversation(("user", "q")), "does not end with a user question and the assistant's answer"),
        (
            conversation(("assistant", "a"), ("user", "q")),
            "does not end with a user question and the assistant's answer",
        ),
        (conversation(("user", "q"), ("assistant", "")), "no reference answer (the last assistant turn has no text)"),
        (
            json.dumps(
                {"messages": [{"role": "user", "content": [{"image": {}}]}, {"role": "assistant", "content": "a"}]}
            ),
            "a turn has no text (images and video are not sent in a comparison)",
        ),
        (json.dumps({"messages": [{"role": "tool", "content": "x"}]}), "a message is not a user or assistant turn"),
        (json.dumps({"input": "domain text"}), "continued pre-training text: no prompt and reference answer"),
        (json.dumps({"text": "?"}), "neither prompt/completion nor messages"),
    ],
)
def test_records_without_a_prompt_and_a_reference_say_why(row: str, reason: str) -> None:
    skipped = parse_record(row, 7)
    assert isinstance(skipped, Skipped)
    assert (skipped.line, skipped.reason) == (7, reason)


@pytest.mark.parametrize(
    ("count", "limit", "expected"),
    [
        (3, 10, [0, 1, 2]),
        (10, 10, list(range(10))),
        (10, 5, [0, 2, 4, 6, 8]),
        (7, 3, [0, 2, 4]),
        (100, 4, [0, 25, 50, 75]),
        (5, 1, [0]),
    ],
)
def test_spread_takes_evenly_spaced_items_from_the_first(count: int, limit: int, expected: list[int]) -> None:
    assert spread(list(range(count)), limit) == expected


def test_by_default_up_to_the_limit_spread_through_the_file_with_bad_lines_skipped_and_line_numbers_kept() -> None:
    rows = [pc(f"question {n}", f"answer {n}") for n in range(1, 9)]
    rows.insert(2, "{broken")
    rows.insert(5, "")
    data = "\ufeff" + "\n".join(rows) + "\n"
    found = held(choose(data, lines=None, limit=4))
    assert found.usable == 8
    assert [p.line for p in found.prompts] == [1, 4, 7, 9]
    assert [p.question for p in found.prompts] == ["question 1", "question 3", "question 5", "question 7"]
    assert [(s.line, s.reason) for s in found.skipped] == [(3, "not valid JSON")]


def test_named_lines_are_used_in_their_order_and_missing_or_bad_ones_are_reported() -> None:
    data = "\n".join([pc("one", "1"), "", pc("three", "3"), "nope"]) + "\n"
    found = held(choose(data, lines=(3, 1, 2, 4, 9), limit=10))
    assert [p.line for p in found.prompts] == [3, 1]
    assert [(s.line, s.reason) for s in found.skipped] == [
        (2, "the line is blank"),
        (4, "not valid JSON"),
        (9, "there is no line 9: the file has 4 lines"),
    ]


def test_named_lines_over_the_limit_are_left_out_and_counted() -> None:
    data = "\n".join(pc(str(n), str(n)) for n in range(1, 6))
    found = held(choose(data, lines=(5, 4, 3, 2), limit=2))
    assert [p.line for p in found.prompts] == [5, 4]
    assert found.over_limit == 2


def test_continued_pretraining_text_says_there_is_nothing_to_compare_on() -> None:
    data = "\n".join(json.dumps({"input": f"text {n}"}) for n in range(3))
    result = choose(data, lines=None, limit=10)
    assert isinstance(result, NoPrompts)
    assert "continued pre-training text" in result.text
    assert "Name a file of prompt/completion or conversation records" in result.text


@pytest.mark.parametrize(
    ("data", "lines", "expected"),
    [
        ("", None, "There are no records in the file to compare on."),
        (
            "{bad\n",
            None,
            "None of the file has a prompt with a reference answer to compare on (line 1: not valid JSON).",
        ),
        (pc("q", "a"), (5,), "(line 5: there is no line 5: the file has 1 line)"),
    ],
)
def test_nothing_usable_says_what_was_wrong(data: str, lines: tuple[int, ...] | None, expected: str) -> None:
    result = choose(data, lines=lines, limit=10)
    assert isinstance(result, NoPrompts)
    assert expected in result.text
