"""Modals and Home tabs: each person's stack of open modals, published Home views and trigger IDs."""

from __future__ import annotations

import dataclasses
import time

from bot.sandbox import ids
from bot.sandbox.events import EventKind
from bot.sandbox.ids import TsClock
from bot.sandbox.recorder import Recorder
from bot.sandbox.records import JSON, View, Workspace

#: Slack keeps at most three modals on a person's stack (one opened, two pushed).
MAX_STACK = 3


class ViewStore:
    """Views as they stand, with the modal stack per person that ``views.push`` and closing work on."""

    def __init__(self, workspace: Workspace, recorder: Recorder, clock: TsClock) -> None:
        self.workspace = workspace
        self._recorder = recorder
        self._clock = clock
        self._views: dict[str, View] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, tuple[str, float]] = {}
        #: Seconds a ``trigger_id`` stays usable, as on Slack.
        self.trigger_ttl = 3.0

    def issue_trigger(self, user: str) -> str:
        """A fresh ``trigger_id`` for an interaction by ``user``; the bot may open a modal with it."""
        trigger = ids.trigger_id()
        with self._recorder.lock:
            self._triggers[trigger] = (user, time.monotonic())
        return trigger

    def trigger(self, trigger_id: str) -> tuple[str, float] | None:
        """Who a trigger belongs to and how many seconds old it is, or ``None`` if never issued."""
        with self._recorder.lock:
            found = self._triggers.get(trigger_id)
        return None if found is None else (found[0], time.monotonic() - found[1])

    def open(self, user: str, payload: JSON) -> View:
        """Open a modal as the root of a new stack, closing any stack the person had."""
        with self._recorder.lock:
            for view_id in self._stacks.pop(user, []):
                self._set_closed(view_id)
            view = self._new(user, payload, root=None, previous=None)
            self._stacks[user] = [view.id]
            self._recorder.emit(EventKind.VIEW_OPENED, view)
            return view

    def push(self, user: str, payload: JSON) -> View | None:
        """Push a modal on top of the person's stack; ``None`` when the stack is already full."""
        with self._recorder.lock:
            stack = self._stacks.setdefault(user, [])
            if len(stack) >= MAX_STACK:
                return None
            root = stack[0] if stack else None
            view = self._new(user, payload, root=root, previous=stack[-1] if stack else None)
            stack.append(view.id)
            self._recorder.emit(EventKind.VIEW_PUSHED, view)
            return view

    def publish(self, user: str, payload: JSON) -> View:
        """Publish (or republish) the person's Home tab, which keeps one view ID per person."""
        with self._recorder.lock:
            home_id = self._homes.get(user)
            if home_id is None:
                view = self._new(user, payload, root=None, previous=None)
                self._homes[user] = view.id
            else:
                view = self._replace(home_id, payload)
            self._recorder.emit(EventKind.VIEW_PUBLISHED, view)
            return view

    def update(self, view_id: str, payload: JSON) -> View:
        """Replace a view's content; a new ``hash`` is issued. ``KeyError`` for an unknown view."""
        with self._recorder.lock:
            view = self._replace(view_id, payload)
            self._recorder.emit(EventKind.VIEW_UPDATED, view)
            return view

    def close(self, view_id: str) -> None:
        """Close a modal and everything stacked above it, as Slack does after a plain submission."""
        with self._recorder.lock:
            view = self._views[view_id]
            stack = self._stacks.get(view.user, [])
            if view_id in stack:
                for closing in reversed(stack[stack.index(view_id) :]):
                    self._set_closed(closing)
                del stack[stack.index(view_id) :]

    def clear(self, user: str) -> None:
        """Close every modal the person has open (``response_action: clear``)."""
        with self._recorder.lock:
            for view_id in reversed(self._stacks.pop(user, [])):
                self._set_closed(view_id)

    def view(self, view_id: str) -> View | None:
        """A view by ID."""
        with self._recorder.lock:
            return self._views.get(view_id)

    def by_external_id(self, external_id: str) -> View | None:
        """A view by the app's ``external_id``."""
        with self._recorder.lock:
            return next((v for v in self._views.values() if external_id and v.external_id == external_id), None)

    def views(self, user: str | None = None) -> list[View]:
        """Every view ever shown (closed ones too, flagged), oldest first."""
        with self._recorder.lock:
            return [v for v in self._views.values() if user is None or v.user == user]

    def visible(self, user: str) -> list[View]:
        """What the person can interact with: the top modal of their stack and their Home tab."""
        with self._recorder.lock:
            stack = self._stacks.get(user, [])
            ids_ = ([stack[-1]] if stack else []) + ([self._homes[user]] if user in self._homes else [])
            return [self._views[view_id] for view_id in ids_]

    def _new(self, user: str, payload: JSON, *, root: str | None, previous: str | None) -> View:
        """Create and store a view with fresh ID and hash."""
        ts = self._clock.next()
        view_id = ids.slack_id("V")
        view = View(
            id=view_id,
            hash=ids.view_hash(ts),
            user=user,
            team_id=self.workspace.team_id,
            app_id=self.workspace.app_id,
            bot_id=self.workspace.bot_id,
            payload=payload,
            updated_ts=ts,
            root_view_id=root or view_id,
            previous_view_id=previous,
        )
        self._views[view_id] = view
        return view

    def _replace(self, view_id: str, payload: JSON) -> View:
        """Swap a view's payload, issuing a new hash."""
        ts = self._clock.next()
        view = dataclasses.replace(self._views[view_id], payload=payload, hash=ids.view_hash(ts), updated_ts=ts)
        self._views[view_id] = view
        return view

    def _set_closed(self, view_id: str) -> None:
        """Mark one view closed and announce it."""
        closed = dataclasses.replace(self._views[view_id], is_open=False)
        self._views[view_id] = closed
        self._recorder.emit(EventKind.VIEW_CLOSED, closed)
