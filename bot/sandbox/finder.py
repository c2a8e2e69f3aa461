"""Finding what a person would click: buttons by label, menu options by their text, on any surface."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.sandbox.blockkit import Located, element_label, interactive_elements, options_of
from bot.sandbox.records import JSON, View
from bot.sandbox.surfaces import Surface

#: Element types whose choice is a ``selected_option``.
SINGLE_CHOICE = {"static_select", "radio_buttons", "overflow", "external_select"}
#: Element types whose choice is a list of ``selected_options``.
MULTI_CHOICE = {"checkboxes", "multi_static_select"}


@dataclass(frozen=True)
class Target:
    """The element found, where it is, and for menus the option chosen."""

    surface: Surface
    located: Located
    option: JSON | None = None

    @property
    def label(self) -> str:
        """What the person read: the button label or the option text."""
        source = self.option if self.option is not None else self.located.element
        return element_label(source) or ""


def find_button(surfaces: list[Surface], label: str, where: str) -> Target:
    """The first button labelled ``label`` (newest surface first); ``LookupError`` listing what was seen."""
    wanted = label.strip()
    seen: list[str] = []
    for surface, located in _elements(surfaces):
        if located.element.get("type") != "button":
            continue
        text = element_label(located.element) or ""
        if text == wanted:
            return Target(surface, located)
        seen.append(text)
    raise LookupError(f"no button labelled {wanted!r} {where}; buttons seen, newest first: {_listing(seen)}")


def find_option(surfaces: list[Surface], option_label: str, menu: str | None, where: str) -> Target:
    """The first menu option whose text is ``option_label``, in a menu named ``menu`` if given."""
    wanted = option_label.strip()
    seen: list[str] = []
    for surface, located in _elements(surfaces):
        if located.element.get("type") not in SINGLE_CHOICE | MULTI_CHOICE:
            continue
        if menu is not None and not _names_menu(located, menu):
            continue
        for option in options_of(located.element):
            text = element_label(option) or ""
            if text == wanted:
                return Target(surface, located, option)
            seen.append(text)
    in_menu = f" in a menu named {menu!r}" if menu is not None else ""
    raise LookupError(f"no option {wanted!r}{in_menu} {where}; options seen, newest first: {_listing(seen)}")


def state_value(element: JSON, value: Any) -> JSON:
    """The ``state.values`` entry Slack reports for ``element`` after a person enters ``value``.

    ``value`` is typed text, an option's text or value (a list of them for multi-choice), or a
    ready-made state dict which is passed through.
    """
    if isinstance(value, dict):
        return value
    kind = str(element.get("type"))
    if kind in SINGLE_CHOICE:
        return {"type": kind, "selected_option": option_for(element, str(value))}
    if kind in MULTI_CHOICE:
        values = [value] if isinstance(value, str) else list(value)
        return {"type": kind, "selected_options": [option_for(element, str(v)) for v in values]}
    return {"type": kind, "value": None if value is None else str(value)}


def option_for(element: JSON, text_or_value: str) -> JSON:
    """The option shown as (or valued) ``text_or_value``; ``LookupError`` listing the options."""
    options = options_of(element)
    for option in options:
        if text_or_value in {element_label(option), option.get("value")}:
            return option
    texts = [element_label(option) or "" for option in options]
    raise LookupError(f"{element.get('action_id')!r} has no option {text_or_value!r}; it offers {_listing(texts)}")


def find_input(view: View, block_id: str, action_id: str) -> JSON:
    """The element at ``block_id``/``action_id`` of a view; ``LookupError`` listing the real ones."""
    found = [(located.block_id, str(located.element.get("action_id"))) for located in _located(view.blocks)]
    for located in _located(view.blocks):
        if located.block_id == block_id and located.element.get("action_id") == action_id:
            return located.element
    raise LookupError(f"view {view.id} has no element {block_id}/{action_id}; it has {_listing(found)}")


def _elements(surfaces: list[Surface]) -> Iterator[tuple[Surface, Located]]:
    """Every interactive element, surface by surface, in reading order."""
    for surface in surfaces:
        for located in interactive_elements(surface.blocks):
            yield surface, located


def _located(blocks: Iterable[JSON]) -> Iterator[Located]:
    """Interactive elements of a block list."""
    return interactive_elements(list(blocks))


def _names_menu(located: Located, menu: str) -> bool:
    """Whether ``menu`` is the menu's placeholder, the label or text beside it, or its ``action_id``."""
    return menu.strip() in located.names or menu == located.element.get("action_id")


def _listing(items: Iterable[object]) -> str:
    """Items quoted and comma-separated, or ``(none)``."""
    shown = [repr(item) for item in items]
    return ", ".join(shown) if shown else "(none)"
