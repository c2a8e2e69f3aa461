"""Build the Bolt app from a Web API client and the services; nothing connects here."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot import listeners
from bot.guard.identity import TokenWorkspace
from bot.installations import InstalledAuthorize
from bot.listeners.acting import acting_for_request
from bot.listeners.pinning import only_this_workspace
from bot.services import Services
from bot.workspace_clients import ContextExecutor

#: Bolt's listener threads: each only acknowledges and hands the rest to the after-ack threads.
LISTENER_THREADS = 16
#: Threads that run the work after the ack (Redis saves, Slack posts, downloads, validation, AWS calls).
AFTER_ACK_THREADS = 8
#: What a person in a workspace without an installation sees (a command's answer), instead of Bolt's default.
NOT_INSTALLED = (
    ":warning: finetune-bot is not installed in this workspace (or was removed). "
    "Ask a workspace admin to install it again from the bot's install page (/slack/install)."
)


def create_app(
    *, client: WebClient, services: Services, workspace: TokenWorkspace | None, oauth: OAuthSettings | None = None
) -> App:
    """The Bolt app with every listener registered.

    ``client`` carries no token. With one bot token (``workspace``), Bolt is authorized per request from the one
    cached ``auth.test``, after the workspace pin has let the request through. In OAuth mode (``oauth``), Bolt
    serves the install pages and is authorized per request from the workspace's stored installation; uninstalls
    and revoked tokens remove it. Bolt's own signature check is off: over HTTP the request guard (``bot.guard``)
    verifies the raw bytes before Bolt sees anything and hands Bolt the parsed fields, and in Socket Mode Slack
    does not sign requests. Each request then runs acting for its workspace (``bot.listeners.acting``).
    """
    listener_threads = ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    if oauth is not None:
        assert oauth.installation_store is not None
        app = App(
            client=client,
            signing_secret="",
            request_verification_enabled=False,
            oauth_settings=oauth,
            authorize=InstalledAuthorize(oauth.installation_store),  # type: ignore[arg-type]  # Bolt takes an Authorize
            user_facing_authorize_error_message=NOT_INSTALLED,
            listener_executor=listener_threads,
        )
        app.enable_token_revocation_listeners()
    else:
        assert workspace is not None
        pinned = workspace
        app = App(
            client=client,
            signing_secret="",
            request_verification_enabled=False,
            before_authorize=only_this_workspace(pinned),
            # A plain function: Bolt passes arguments by the names it finds, and a bound method's ``self`` confuses it.
            authorize=lambda: pinned.authorize(),
            listener_executor=listener_threads,
        )
    app.use(acting_for_request(org_scopes=oauth is not None))
    listeners.register(app, services)
    return app
