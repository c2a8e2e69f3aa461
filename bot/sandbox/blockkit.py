"""Block Kit as Slack enforces it: the limits it checks, the IDs it fills in, where the buttons are."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.sandbox import ids
from bot.sandbox.records import JSON

#: Blocks per message (chat.postMessage / chat.update / response_url).
MESSAGE_BLOCK_LIMIT = 50
#: Blocks per modal or Home tab.
VIEW_BLOCK_LIMIT = 100
#: Elements per ``actions`` block.
ACTIONS_ELEMENT_LIMIT = 25
#: A message's ``text``: longer is refused with ``msg_too_long``.
MESSAGE_TEXT_LIMIT = 40_000
#: Elements per ``context`` block.
CONTEXT_ELEMENT_LIMIT = 10
#: Text of a section, a context element or any other mrkdwn text object.
TEXT_LIMIT = 3000
#: Button, option and option-description texts.
LABEL_LIMIT = 75
#: Placeholders and header texts.
PLACEHOLDER_LIMIT = 150
#: The block types Slack knows; any other ``type`` is refused.
BLOCK_TYPES = frozenset(
    {"section", "header", "actions", "input", "context", "divider", "image", "rich_text", "file", "video", "markdown"}
)
#: Modal ``title``, ``submit`` and ``close`` texts.
VIEW_TITLE_LIMIT = 24
#: Option lists per element type: static menus, overflow menus, radio buttons, checkboxes.
OPTION_LIMITS = {"static_select": 100, "multi_static_select": 100, "overflow": 5, "radio_buttons": 10, "checkboxes": 10}

Errors = list[str]


def parse_json_list(value: object) -> list[JSON] | None:
    """``blocks``/``attachments`` as a list: form bodies carry them as JSON strings, JSON bodies as lists.

    Raises ``ValueError`` when the value is neither a list of objects nor a JSON string of one.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("expected a list of objects")
    return value


def validate_blocks(blocks: list[JSON], *, limit: int = MESSAGE_BLOCK_LIMIT, at: str = "/blocks") -> Errors:
    """The errors Slack would report for these blocks, in its ``[ERROR] … [json-pointer:…]`` form."""
    errors: Errors = []
    if len(blocks) > limit:
        errors.append(_error(f"no more than {limit} items allowed", at))
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                errors.append(_error("duplicate block_id", f"{at}/{index}/block_id"))
            seen.add(block_id)
        _check_block(block, f"{at}/{index}", errors)
    return errors


def validate_view(view: object) -> Errors:
    """The errors Slack would report for a modal or Home view passed to ``views.*``."""
    if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
        return [_error("must provide a view of type modal or home", "/view/type")]
    errors: Errors = []
    if view["type"] == "modal":
        _text(view.get("title"), "/view/title", VIEW_TITLE_LIMIT, errors)
        for key in ("submit", "close"):
            if key in view:
                _text(view[key], f"/view/{key}", VIEW_TITLE_LIMIT, errors)
        has_input = any(block.get("type") == "input" for block in view.get("blocks", []) if isinstance(block, dict))
        if has_input and "submit" not in view:
            errors.append(_error("submit is required when an input block is within the blocks array", "/view"))
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        return [*errors, _error("missing required field: blocks", "/view")]
    errors += validate_blocks(blocks, limit=VIEW_BLOCK_LIMIT, at="/view/blocks")
    _max_len(view.get("private_metadata"), 3000, "/view/private_metadata", errors)
    _max_len(view.get("callback_id"), 255, "/view/callback_id", errors)
    return errors


def fill_ids(blocks: list[JSON]) -> list[JSON]:
    """A copy with the ``block_id``s and ``action_id``s Slack generates when the app leaves them out."""
    filled = copy.deepcopy(blocks)
    for block in filled:
        block.setdefault("block_id", ids.short_id())
        for element in _elements_of(block):
            if element.get("type") != "image":
                element.setdefault("action_id", ids.short_id(4))
    return filled


@dataclass(frozen=True)
class Located:
    """An interactive element and what a person reads around it."""

    block_id: str
    element: JSON
    #: Inside an ``input`` block: Slack sends no action unless the block sets ``dispatch_action``.
    in_input: bool
    dispatch_action: bool
    #: Visible names for the element: its placeholder, the input label or section text beside it.
    names: tuple[str, ...]


def interactive_elements(blocks: list[JSON]) -> Iterator[Located]:
    """Every element a person could click, choose or type into, in reading order."""
    for block in blocks:
        names = tuple(name for name in (_plain(block.get("label")), _plain(block.get("text"))) if name is not None)
        for element in _elements_of(block):
            if element.get("type") == "image":
                continue
            placeholder = _plain(element.get("placeholder"))
            yield Located(
                block_id=str(block.get("block_id", "")),
                element=element,
                in_input=block.get("type") == "input",
                dispatch_action=bool(block.get("dispatch_action")),
                names=names + ((placeholder,) if placeholder else ()),
            )


def element_label(element: JSON) -> str | None:
    """The visible label of a button (``text.text``)."""
    return _plain(element.get("text"))


def options_of(element: JSON) -> list[JSON]:
    """An element's options, flattening ``option_groups``."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return options


def _elements_of(block: JSON) -> list[JSON]:
    """The interactive children of one block, wherever that block type keeps them."""
    kind = block.get("type")
    found: list[Any] = []
    if kind == "actions":
        found = list(block.get("elements") or [])
    elif kind == "section" and isinstance(block.get("accessory"), dict):
        found = [block["accessory"]]
    elif kind == "input" and isinstance(block.get("element"), dict):
        found = [block["element"]]
    return [element for element in found if isinstance(element, dict)]


def _plain(text_object: object) -> str | None:
    """The string inside a text object, or ``None``."""
    if isinstance(text_object, dict) and isinstance(text_object.get("text"), str):
        return str(text_object["text"]).strip()
    return None


def _error(problem: str, at: str) -> str:
    """One error line as Slack words them in ``response_metadata.messages``."""
    return f"[ERROR] {problem} [json-pointer:{at}]"


def _max_len(value: object, limit: int, at: str, errors: Errors) -> None:
    """Report a string longer than ``limit``."""
    if isinstance(value, str) and len(value) > limit:
        errors.append(_error(f"must be less than {limit + 1} characters", at))


def _text(obj: object, at: str, limit: int, errors: Errors) -> None:
    """Check a required text object and the length of its text."""
    if obj is None:
        errors.append(_error(f"missing required field: {at.rsplit('/', 1)[-1]}", at.rsplit("/", 1)[0] or "/"))
    elif not isinstance(obj, dict) or obj.get("type") not in {"plain_text", "mrkdwn"}:
        errors.append(_error("must be a text object with a type and a text", at))
    elif not isinstance(obj.get("text"), str) or not obj["text"]:
        errors.append(_error("must be more than 0 characters", f"{at}/text"))
    else:
        _max_len(obj["text"], limit, f"{at}/text", errors)


def _check_block(block: JSON, at: str, errors: Errors) -> None:
    """Check one block and the elements inside it."""
    if not isinstance(block.get("type"), str):
        errors.append(_error("missing required field: type", at))
        return
    _max_len(block.get("block_id"), 255, f"{at}/block_id", errors)
    if block["type"] not in BLOCK_TYPES:
        errors.append(_error(f"must be a valid enum value ({block['type']!r} is no block type)", f"{at}/type"))
        return
    check = _BLOCK_CHECKS.get(block["type"])
    if check is not None:
        check(block, at, errors)


def _section(block: JSON, at: str, errors: Errors) -> None:
    """A section needs text or fields; it may carry one accessory."""
    if "text" not in block and "fields" not in block:
        errors.append(_error("must provide either text or fields", at))
    if "text" in block:
        _text(block["text"], f"{at}/text", TEXT_LIMIT, errors)
    fields = block.get("fields") or []
    if len(fields) > 10:
        errors.append(_error("no more than 10 items allowed", f"{at}/fields"))
    for index, field in enumerate(fields):
        _text(field, f"{at}/fields/{index}", 2000, errors)
    if isinstance(block.get("accessory"), dict):
        _check_element(block["accessory"], f"{at}/accessory", errors)


def _header(block: JSON, at: str, errors: Errors) -> None:
    """A header is one short plain text."""
    _text(block.get("text"), f"{at}/text", PLACEHOLDER_LIMIT, errors)


def _context(block: JSON, at: str, errors: Errors) -> None:
    """A context block holds 1–10 texts or images."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.append(_error("must provide at least 1 element", f"{at}/elements"))
        return
    if len(elements) > CONTEXT_ELEMENT_LIMIT:
        errors.append(_error(f"no more than {CONTEXT_ELEMENT_LIMIT} items allowed", f"{at}/elements"))
    for index, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "image":
            continue
        _text(element, f"{at}/elements/{index}", TEXT_LIMIT, errors)


def _actions(block: JSON, at: str, errors: Errors) -> None:
    """An actions block holds 1–25 elements with distinct ``action_id``s."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.append(_error("must provide at least 1 element", f"{at}/elements"))
        return
    if len(elements) > ACTIONS_ELEMENT_LIMIT:
        errors.append(_error(f"no more than {ACTIONS_ELEMENT_LIMIT} items allowed", f"{at}/elements"))
    action_ids = [e.get("action_id") for e in elements if isinstance(e, dict) and e.get("action_id")]
    if len(action_ids) != len(set(action_ids)):
        errors.append(_error("duplicate action_id", f"{at}/elements"))
    for index, element in enumerate(elements):
        _check_element(element, f"{at}/elements/{index}", errors)


def _input(block: JSON, at: str, errors: Errors) -> None:
    """An input block needs a label and one element."""
    _text(block.get("label"), f"{at}/label", 2000, errors)
    if not isinstance(block.get("element"), dict):
        errors.append(_error("missing required field: element", at))
    else:
        _check_element(block["element"], f"{at}/element", errors)


def _check_element(element: object, at: str, errors: Errors) -> None:
    """Check a button or a menu: labels, values and option lists within Slack's limits."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        errors.append(_error("missing required field: type", at))
        return
    _max_len(element.get("action_id"), 255, f"{at}/action_id", errors)
    kind = element["type"]
    if kind == "button":
        _text(element.get("text"), f"{at}/text", LABEL_LIMIT, errors)
        _max_len(element.get("value"), 2000, f"{at}/value", errors)
        _max_len(element.get("url"), 3000, f"{at}/url", errors)
        if element.get("style") not in {None, "primary", "danger"}:
            errors.append(_error("must be one of primary, danger", f"{at}/style"))
    if "placeholder" in element:
        _text(element["placeholder"], f"{at}/placeholder", PLACEHOLDER_LIMIT, errors)
    if kind in OPTION_LIMITS:
        options = options_of(element)
        if len(options) > OPTION_LIMITS[kind]:
            errors.append(_error(f"no more than {OPTION_LIMITS[kind]} items allowed", f"{at}/options"))
        for index, option in enumerate(options):
            _check_option(option, f"{at}/options/{index}", errors)


def _check_option(option: object, at: str, errors: Errors) -> None:
    """An option has a short text and a short value."""
    if not isinstance(option, dict):
        errors.append(_error("must be an option object", at))
        return
    _text(option.get("text"), f"{at}/text", LABEL_LIMIT, errors)
    _max_len(option.get("value"), 150, f"{at}/value", errors)
    if "description" in option:
        _text(option["description"], f"{at}/description", LABEL_LIMIT, errors)


_BLOCK_CHECKS: dict[str, Callable[[JSON, str, Errors], None]] = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "input": _input,
    "context": _context,
}
