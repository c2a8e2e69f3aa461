"""``SlackEmulator``: a local Slack Web API on loopback that answers a bot and records what it does."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from bot.sandbox.events import Call, Interaction, ResponsePost, SandboxEvent
from bot.sandbox.faults import SlackFaults
from bot.sandbox.installs import OAuthApp
from bot.sandbox.records import JSON, Channel, Ephemeral, Message, Reaction, UploadedFile, User, View, Workspace
from bot.sandbox.server import Routes, SandboxServer
from bot.sandbox.state import SandboxState
from bot.sandbox.webapi import WebApi

T = TypeVar("T")

#: The channel every sandbox starts with.
GENERAL_CHANNEL = "C0GENERAL"


class SlackEmulator:
    """A Slack workspace in a thread: point ``WebClient(base_url=emulator.api_url)`` at it.

    It answers the Web API methods the bot uses, serves file downloads (bot token only), takes
    uploads and ``response_url`` posts, and records all of it, thread-safely, for tests to read
    and for ``subscribe``d observers to print. Channels and people are a registry (see
    ``add_channel``/``add_user``); ``#general`` (``C0GENERAL``) exists from the start.
    """

    def __init__(
        self,
        bot_token: str = "xoxb-sandbox-token",
        team_id: str = "T0SANDBOX01",
        bot_user_id: str = "U0FINETUNE",
        *,
        bot_id: str = "B0FINETUNE",
        app_id: str = "A0FINETUNE",
        team_domain: str = "sandbox",
        bot_name: str = "finetune-bot",
        trigger_ttl: float = 3.0,
    ) -> None:
        self.workspace = Workspace(
            team_id=team_id,
            team_domain=team_domain,
            bot_token=bot_token,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_name=bot_name,
            app_id=app_id,
        )
        self._state = SandboxState.create(self.workspace)
        self._state.views.trigger_ttl = trigger_ttl
        self._api = WebApi(self._state)
        #: Failures to inject into the next calls of a method (also armed over HTTP at ``/faults``).
        self.faults = SlackFaults()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self.add_channel(GENERAL_CHANNEL, "general")

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        """Listen on a free loopback port, serving from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = SandboxServer(Routes(self._state, self._api, self.faults))
        self._state.set_base_url(self.base_url)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``: where file, upload and response URLs live."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def faults_url(self) -> str:
        """``http://127.0.0.1:PORT/faults``: arm Slack failures over HTTP (see ``bot.sandbox.faults``)."""
        return self.base_url + "faults"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``: the value for ``SLACK_API_URL`` / ``WebClient(base_url=…)``."""
        return self.base_url + "api/"

    # -- setting the scene -----------------------------------------------------------------------

    def add_channel(
        self, channel_id: str, name: str | None = None, *, is_private: bool = False, team_id: str | None = None
    ) -> Channel:
        """Register a channel the bot can post in (idempotent); ``team_id`` places it in another workspace."""
        if team_id is not None:
            self._state.installs.assign_channel(channel_id, team_id)
        return self._state.conversations.add_channel(channel_id, name, is_private=is_private)

    # -- more workspaces and OAuth installs ---------------------------------------------------------

    def add_workspace(self, team_id: str, name: str, *, enterprise_id: str | None = None) -> Workspace:
        """Another workspace (idempotent); the app has no token there until it is installed through OAuth."""
        return self._state.installs.add(team_id, name, enterprise_id=enterprise_id)

    def configure_oauth(self, client_id: str, client_secret: str, *, redirect_uri: str = "") -> None:
        """The app's client id and secret, which ``oauth.v2.access`` checks, and its Redirect URL."""
        self._state.installs.configure_app(OAuthApp(client_id, client_secret, redirect_uri))

    @property
    def authorize_url(self) -> str:
        """``http://127.0.0.1:PORT/oauth/v2/authorize``: Slack's install page (add ``team=`` to pick the workspace)."""
        return self.base_url + "oauth/v2/authorize"

    def workspace_of_token(self, token: str) -> Workspace | None:
        """The workspace a live bot token belongs to; None once revoked."""
        return self._state.installs.of_token(token)

    def uninstall(self, team_id: str) -> int:
        """The app is removed from a workspace: its bot tokens stop working (how many there were). Slack then sends
        ``app_uninstalled`` and ``tokens_revoked`` events, which a test delivers through the driver."""
        return self._state.installs.revoke(team_id)

    def add_user(self, user_id: str, name: str | None = None, *, team_id: str | None = None) -> User:
        """Register a person (idempotent), so ``users.info`` and ephemerals know them; ``team_id`` places them in
        another workspace."""
        if team_id is not None:
            self._state.installs.assign_user(user_id, team_id)
        return self._state.conversations.add_user(user_id, name)

    def set_usergroup(self, group_id: str, users: list[str] | tuple[str, ...]) -> None:
        """Create a user group (``S…``) or replace its members, as ``usergroups.users.list`` answers them."""
        self._state.conversations.set_usergroup(group_id, tuple(users))

    def register_file(
        self,
        name: str,
        content: bytes,
        *,
        filetype: str = "jsonl",
        mimetype: str | None = None,
        user: str | None = None,
        title: str | None = None,
        reported_size: int | None = None,
    ) -> JSON:
        """Store a file a person attaches and return its Slack file object (URLs point here).

        ``reported_size`` overrides the ``size`` Slack reports, to test size caps without the bytes.
        """
        uploader = user or self.workspace.bot_user_id
        self.add_user(uploader)
        stored = self._state.files.register(
            name, content, user=uploader, filetype=filetype, mimetype=mimetype, title=title, size=reported_size
        )
        return copy.deepcopy(stored.info)

    def redirect_download(self, file_id: str, location: str) -> None:
        """Make downloads of a registered file answer ``302 Location: location`` (after the token check)."""
        self._state.files.redirect(file_id, location)

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and ``Retry-After``."""
        self._api.rate_limit(method, times=times, retry_after=retry_after)

    # -- acting as Slack for the driver -----------------------------------------------------------

    def new_response_url(
        self,
        *,
        channel: str = GENERAL_CHANNEL,
        user: str | None = None,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        """A fresh ``response_url`` answering in ``channel`` to ``user`` (about ``message_ts`` if set)."""
        return self._state.responses.new(
            channel=channel,
            user=user or self.workspace.bot_user_id,
            message_ts=message_ts,
            thread_ts=thread_ts,
            is_ephemeral=is_ephemeral,
        )

    def deliver_response(self, url: str, payload: JSON) -> ResponsePost:
        """Apply a ``response_url`` post without HTTP (Slack does this with a command's ack body)."""
        return self._state.responses.deliver(url, payload)

    def new_trigger_id(self, user: str) -> str:
        """A fresh ``trigger_id`` with which the bot may open a modal for ``user``."""
        return self._state.views.issue_trigger(user)

    def record_user_message(
        self,
        channel: str,
        user: str,
        text: str = "",
        *,
        thread_ts: str | None = None,
        files: list[JSON] | None = None,
        client_msg_id: str | None = None,
        record: bool = True,
    ) -> Message:
        """Put a person's message (or file share) in a channel or thread, as the driver sends it.

        With ``record=False`` the message is only stamped: a forged delivery never happened in Slack.
        """
        self.add_user(user)
        self.add_channel(channel)
        message = self._state.conversations.user_message(
            channel, user, text=text, thread_ts=thread_ts, files=files, client_msg_id=client_msg_id
        )
        if record:
            self._state.conversations.post(message)
            for file in files or []:
                self._state.files.share(str(file["id"]), channel, message.ts, thread_ts)
        return message

    def delete_message(self, channel: str, ts: str) -> Message:
        """Remove a message as its author or an admin would; replying to it then gets ``thread_not_found``."""
        return self._state.conversations.delete(channel, ts)

    def record_interaction(self, kind: str, user: str, label: str, **where: Any) -> Interaction:
        """Note something a person did that leaves no message (a command, click or submission)."""
        return self._state.conversations.record_interaction(Interaction(kind, user, label, **where))

    def push_view(self, user: str, payload: JSON) -> View | None:
        """Push a modal for ``user`` (``response_action: push``); ``None`` when the stack is full."""
        return self._state.views.push(user, payload)

    def update_view(self, view_id: str, payload: JSON) -> View:
        """Replace a view's content (``response_action: update``)."""
        return self._state.views.update(view_id, payload)

    def close_view(self, view_id: str) -> None:
        """Close a modal and any stacked above it (a plain submission or a cancel)."""
        self._state.views.close(view_id)

    def clear_views(self, user: str) -> None:
        """Close every modal of ``user`` (``response_action: clear``)."""
        self._state.views.clear(user)

    # -- what happened -----------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Every Web API request (or those of one method), oldest first, with status and outcome."""
        return self._api.calls(method)

    @property
    def unknown_methods(self) -> list[str]:
        """Methods the bot called that the emulator does not implement (expect ``[]``)."""
        return self._api.unknown_methods()

    def messages(self, channel: str, thread_ts: str | None = None) -> list[Message]:
        """Current top-level messages, or a thread's replies with ``thread_ts``; oldest first."""
        return self._state.conversations.messages(channel, thread_ts)

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """A thread as people read it: the parent, then the replies."""
        parent = self.message(channel, thread_ts)
        return ([parent] if parent else []) + self.messages(channel, thread_ts)

    def message(self, channel: str, ts: str) -> Message | None:
        """One current message."""
        return self._state.conversations.message(channel, ts)

    def all_messages(self, channel: str) -> list[Message]:
        """Every current message of a channel, thread replies included, oldest first."""
        return self._state.conversations.all_messages(channel)

    def ephemerals(self, channel: str, user: str | None = None) -> list[Ephemeral]:
        """Current ephemerals in a channel, optionally those one person sees."""
        return self._state.conversations.ephemerals(channel, user)

    def views(self, user: str | None = None) -> list[View]:
        """Every view shown (``is_open`` tells which are still up), oldest first."""
        return self._state.views.views(user)

    def view(self, view_id: str) -> View | None:
        """One view, as it stands."""
        return self._state.views.view(view_id)

    def home(self, user: str) -> View | None:
        """The Home tab the bot last published for ``user`` (``views.publish``), or ``None`` before any."""
        return next((view for view in self._state.views.visible(user) if view.type == "home"), None)

    def direct_channel(self, user: str) -> Channel:
        """The app's direct-message channel with ``user`` (``D…``), where its Home and Messages tabs live."""
        person = self.add_user(user)
        return self.add_channel("D" + person.id[1:], person.name)

    def visible_views(self, user: str) -> list[View]:
        """What ``user`` can interact with now: their top modal and their Home tab."""
        return self._state.views.visible(user)

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files the bot uploaded (``files_upload_v2``), with their bytes."""
        return self._state.files.uploads()

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of any file in the workspace; ``KeyError`` for an unknown ID."""
        stored = self._state.files.file(file_id)
        if stored is None:
            raise KeyError(file_id)
        return stored.content

    def responses(self, url: str | None = None) -> list[ResponsePost]:
        """Every POST to ``response_url``s (or to one), oldest first."""
        return self._state.responses.posts(url)

    def reactions(self, channel: str | None = None, ts: str | None = None) -> list[Reaction]:
        """Reactions the bot added."""
        return self._state.conversations.reactions(channel, ts)

    def interactions(self) -> list[Interaction]:
        """What people did through the driver, oldest first."""
        return self._state.conversations.interactions()

    def events(self) -> list[SandboxEvent]:
        """Every recorded change, in order."""
        return self._state.recorder.events()

    def subscribe(self, callback: Callable[[SandboxEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with each later event (under the sandbox lock: keep it quick).

        Returns a function that unsubscribes it.
        """
        return self._state.recorder.subscribe(callback)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, description: str = "") -> T:
        """Wait until ``predicate()`` is truthy and return its value; ``TimeoutError`` after ``timeout``."""
        return self._state.recorder.wait_for(predicate, timeout, description or "the sandbox condition")

    def wait_for_message(
        self,
        channel: str,
        *,
        thread_ts: str | None = None,
        contains: str = "",
        timeout: float = 5.0,
    ) -> Message:
        """The newest bot message (in a thread, if given) whose text contains ``contains``, once there."""

        def newest() -> Message | None:
            pool = self.messages(channel, thread_ts) if thread_ts else self.all_messages(channel)
            return next((m for m in reversed(pool) if m.from_bot and contains in m.text), None)

        where = f"thread {thread_ts}" if thread_ts else f"channel {channel}"
        found = self.wait_for(newest, timeout, f"a bot message containing {contains!r} in {where}")
        assert found is not None
        return found
