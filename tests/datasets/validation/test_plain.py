"""The shortcut for clean conversation records agrees with the full checks on every record it takes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.dataset_rules import MediaRules
from workflows.datasets.validation.formats.conversation import ConversationChecker
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.formats.plain import plain_conversation
from workflows.datasets.validation.issues import IssueLog

Record = dict[str, Any]


def clean(turns: int, *, blocks: bool, system: bool) -> Record:
    """A valid conversation with ``turns`` alternating turns, starting with the user."""
    roles = ("user", "assistant")
    record: Record = {
        "messages": [
            {"role": roles[i % 2], "content": [{"text": f"turn {i}"}] if blocks else f"turn {i}"} for i in range(turns)
        ]
    }
    if blocks:
        record["schemaVersion"] = "bedrock-conversation-2024"
    if system:
        record["system"] = [{"text": "Be brief."}] if blocks else "Be brief."
    return record


def _content(record: Record, index: int, value: Any) -> None:
    messages = record["messages"]
    messages[index % len(messages)]["content"] = value


def _role(record: Record, index: int, value: Any) -> None:
    messages = record["messages"]
    messages[index % len(messages)]["role"] = value


MUTATIONS: list[Callable[[Record, int], None]] = [
    lambda r, i: _content(r, i, ""),
    lambda r, i: _content(r, i, "  "),
    lambda r, i: _content(r, i, []),
    lambda r, i: _content(r, i, [{"text": ""}]),
    lambda r, i: _content(r, i, [{"text": "a", "cachePoint": 1}]),
    lambda r, i: _content(r, i, [{"image": {"format": "png"}}]),
    lambda r, i: _content(r, i, [{"text": "a"}, {"text": "b"}]),
    lambda r, i: _content(r, i, "plain string"),
    lambda r, i: _content(r, i, 7),
    lambda r, i: _role(r, i, "system"),
    lambda r, i: _role(r, i, "bot"),
    lambda r, i: _role(r, i, "user"),
    lambda r, i: _role(r, i, "assistant"),
    lambda r, i: r["messages"].pop(i % len(r["messages"])),
    lambda r, i: r["messages"][i % len(r["messages"])].update(name="x"),
    lambda r, i: r["messages"][i % len(r["messages"])].pop("content", None),
    lambda r, i: r.update(schemaVersion="v1"),
    lambda r, i: r.pop("schemaVersion", None),
    lambda r, i: r.update(system=[]),
    lambda r, i: r.update(system=""),
    lambda r, i: r.update(system=[{"text": " "}]),
    lambda r, i: r.update(extra=True),
    lambda r, i: r.update(messages=[]),
]


@settings(max_examples=500, deadline=None)
@given(
    turns=st.integers(1, 5),
    blocks=st.booleans(),
    system=st.booleans(),
    final_assistant=st.booleans(),
    mutations=st.lists(st.tuples(st.integers(0, len(MUTATIONS) - 1), st.integers(0, 9)), max_size=2),
)
def test_shortcut_agrees_with_the_full_checks(
    turns: int, blocks: bool, system: bool, final_assistant: bool, mutations: list[tuple[int, int]]
) -> None:
    record = clean(turns, blocks=blocks, system=system)
    for which, where in mutations:
        if record["messages"]:
            MUTATIONS[which](record, where)
    plain = plain_conversation(copy.deepcopy(record), blocks=blocks, final_assistant=final_assistant)
    media = MediaTracker(MediaRules(), dataset_bucket=None, model="the model") if blocks else None
    log = IssueLog(10)
    full = ConversationChecker(media=media, final_assistant=final_assistant).check_fully(record, 1, log)
    clean_by_full = log.issues() == ()
    if plain is not None:
        assert clean_by_full
        assert plain == full
    elif clean_by_full and not mutations and turns % 2 == 0:
        raise AssertionError("a clean record should take the shortcut")


def test_shortcut_takes_a_clean_record() -> None:
    plain = plain_conversation(clean(2, blocks=True, system=True), blocks=True, final_assistant=True)
    assert plain is not None
    assert plain.paths == ("system[0].text", "messages[0].content[0].text", "messages[1].content[0].text")
    assert plain.user_turns == 1
