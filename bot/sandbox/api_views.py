"""The ``views.*`` methods: modals the bot opens, pushes and updates, and the Home tab it publishes."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox import blockkit
from bot.sandbox.params import ApiError, Params
from bot.sandbox.records import JSON, View
from bot.sandbox.state import SandboxState


def open_view(state: SandboxState, params: Params) -> JSON:
    """``views.open``: a modal for the person whose interaction issued the trigger."""
    user = _trigger_user(state, params)
    return _answer(state.views.open(user, _checked_view(params, "modal")))


def push_view(state: SandboxState, params: Params) -> JSON:
    """``views.push``: a modal on top of the open one; Slack allows a stack of three."""
    user = _trigger_user(state, params)
    view = state.views.push(user, _checked_view(params, "modal"))
    if view is None:
        raise ApiError("push_limit_reached")
    return _answer(view)


def update_view(state: SandboxState, params: Params) -> JSON:
    """``views.update``: replace a view by ``view_id`` or ``external_id``, guarded by ``hash``."""
    view_id, external_id = params.text("view_id"), params.text("external_id")
    current = state.views.view(view_id) if view_id else state.views.by_external_id(external_id or "")
    if current is None:
        raise ApiError("not_found")
    _check_hash(current, params)
    return _answer(state.views.update(current.id, _checked_view(params, current.type)))


def publish_view(state: SandboxState, params: Params) -> JSON:
    """``views.publish``: the Home tab of one person."""
    user = params.require("user_id", "user_not_found")
    if state.conversations.user(user) is None:
        raise ApiError("user_not_found")
    view = _checked_view(params, "home")
    current = next((v for v in state.views.visible(user) if v.type == "home"), None)
    if current is not None:
        _check_hash(current, params)
    return _answer(state.views.publish(user, view))


def _trigger_user(state: SandboxState, params: Params) -> str:
    """The person a ``trigger_id`` belongs to; refused when unknown or older than Slack's 3 seconds."""
    trigger_id = params.text("trigger_id") or params.require("interactivity_pointer")
    found = state.views.trigger(trigger_id)
    if found is None:
        raise ApiError("invalid_trigger_id")
    user, age = found
    if age > state.views.trigger_ttl:
        raise ApiError("expired_trigger_id")
    return user


def _checked_view(params: Params, expected_type: str) -> JSON:
    """The ``view`` argument, valid per Block Kit and of the type this method takes."""
    view = params.obj("view")
    errors = blockkit.validate_view(view)
    if view is not None and not errors and view["type"] != expected_type:
        errors = [f"[ERROR] must be of type {expected_type} [json-pointer:/view/type]"]
    if view is None or errors:
        raise ApiError("invalid_arguments", errors or ["[ERROR] missing required field: view"])
    return {**view, "blocks": blockkit.fill_ids(view["blocks"])}


def _check_hash(current: View, params: Params) -> None:
    """Refuse a stale update: a ``hash`` that no longer matches means someone else changed the view."""
    given = params.text("hash")
    if given is not None and given != current.hash:
        raise ApiError("hash_conflict")


def _answer(view: View) -> JSON:
    """The success body of every ``views.*`` method."""
    return {"ok": True, "view": view.as_slack()}


METHODS: dict[str, Callable[[SandboxState, Params], JSON]] = {
    "views.open": open_view,
    "views.push": push_view,
    "views.update": update_view,
    "views.publish": publish_view,
}
