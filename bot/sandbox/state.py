"""Everything the emulator knows about its workspace, in one bundle that handlers receive."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.files import FileStore
from bot.sandbox.ids import TsClock
from bot.sandbox.installs import Installs
from bot.sandbox.recorder import Recorder
from bot.sandbox.records import Workspace
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.store import ConversationStore
from bot.sandbox.views import ViewStore


@dataclass(frozen=True)
class SandboxState:
    """The stores of one emulator; they share a recorder (one lock, one event log) and one ts clock."""

    workspace: Workspace
    recorder: Recorder
    conversations: ConversationStore
    views: ViewStore
    files: FileStore
    responses: ResponseUrls
    #: The other workspaces, the app's installs and the token each belongs to.
    installs: Installs

    @classmethod
    def create(cls, workspace: Workspace) -> SandboxState:
        """Fresh, empty state for a workspace."""
        recorder = Recorder()
        clock = TsClock()
        conversations = ConversationStore(workspace, recorder, clock)
        return cls(
            workspace=workspace,
            recorder=recorder,
            conversations=conversations,
            views=ViewStore(workspace, recorder, clock),
            files=FileStore(workspace, recorder),
            responses=ResponseUrls(recorder, conversations),
            installs=Installs(workspace),
        )

    def set_base_url(self, base_url: str) -> None:
        """Point file and response URLs at the running server."""
        self.files.base_url = base_url
        self.responses.base_url = base_url
