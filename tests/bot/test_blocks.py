"""Block Kit rendering of domain messages: every choice keeps its visible label, within Slack's limits."""

from __future__ import annotations

from bot.blocks import action_name, render
from workflows.messages import Action, Button, Menu, Message, Option, Style


def test_a_message_renders_heading_details_facts_menu_buttons_and_context_in_order() -> None:
    message = Message(
        text="Which base model?",
        details=("These support it.",),
        facts=(("Type", "Conversational"),),
        menu=Menu("Choose a base model", Action.CHOOSE_MODEL, (Option("Nova Micro", "amazon.nova-micro-v1:0:128k"),)),
        buttons=(Button("Back", Action.BACK), Button("Cancel", Action.CANCEL, style=Style.DANGER)),
        context="You can also type a model id.",
    )
    blocks = render(message)
    assert [block["type"] for block in blocks] == ["section", "section", "section", "actions", "actions", "context"]
    assert blocks[0]["text"]["text"] == "Which base model?"
    assert blocks[2]["fields"][0]["text"] == "*Type*\nConversational"
    select = blocks[3]["elements"][0]
    assert select["type"] == "static_select"
    assert select["options"][0] == {
        "text": {"type": "plain_text", "text": "Nova Micro"},
        "value": "amazon.nova-micro-v1:0:128k",
    }
    back, cancel = blocks[4]["elements"]
    assert back["text"]["text"] == "Back"
    assert cancel["style"] == "danger"
    assert "style" not in back


def test_buttons_sharing_an_action_get_unique_ids_that_map_back_to_the_action() -> None:
    message = Message("Pick", buttons=(Button("A", Action.CHOOSE_TYPE, "a"), Button("B", Action.CHOOSE_TYPE, "b")))
    ids = [element["action_id"] for element in render(message)[-1]["elements"]]
    assert len(set(ids)) == 2
    assert {action_name(action_id) for action_id in ids} == {Action.CHOOSE_TYPE.value}


def test_long_texts_are_cut_to_slacks_limits() -> None:
    message = Message("x" * 5000, buttons=(Button("y" * 100, Action.BACK),))
    blocks = render(message)
    text = blocks[0]["text"]["text"]
    assert len(text) <= 3000
    assert text.endswith(f"… ({5000 - text.index('…'):,} more characters)")
    assert len(blocks[1]["elements"][0]["text"]["text"]) == 75


def test_more_than_ten_facts_are_split_across_sections() -> None:
    message = Message("Facts", facts=tuple((f"k{i}", "v") for i in range(12)))
    sections = [block for block in render(message) if "fields" in block]
    assert [len(block["fields"]) for block in sections] == [10, 2]
