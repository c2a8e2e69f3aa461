"""``finetune-bot serve``: run the Slack app over HTTP, or over Socket Mode when an app token is set."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from bot.cli import EXIT_OK, EXIT_USAGE, Subparsers

if TYPE_CHECKING:
    from slack_bolt import App

logger = logging.getLogger("finetune_bot")


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the Slack app")
    parser.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all interfaces)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the bot; settings problems end it at once with one line and status 2."""
    # Slack, Redis and AWS clients load here, so the offline commands start without them.
    from bot.composition import build_runtime
    from bot.policy_file import PolicyFileError
    from bot.scheduler import MonitorScheduler
    from bot.server import Routes, serve_http
    from bot.settings import SettingsError, load_settings
    from workflows.catalogue.errors import CatalogueError

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"finetune-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging()
    try:
        runtime = build_runtime(settings)  # reads the policy file first: a bad one stops here
    except (SettingsError, CatalogueError, PolicyFileError) as exc:
        print(f"finetune-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    runtime.upgrade_keys()  # records under the names used before hash tags move first; retried each tick
    if runtime.workspace is not None:
        runtime.workspace.pin()  # auth.test once, before the first request; retried later if Slack is unreachable
    routes = Routes(runtime.guard, runtime.services.healthy, install=runtime.install_pages)
    port = args.port or settings.port
    scheduler = MonitorScheduler(
        runtime.tick,
        seconds=settings.finetune_poll_seconds,
        on_stop=runtime.monitor.stop,
        storage_up=runtime.services.healthy,
    )
    poller = runtime.intake
    try:
        scheduler.start()
        if poller is not None:
            poller.start()
        if settings.socket_mode:
            assert settings.slack_app_token is not None
            _serve_socket_mode(runtime.app, settings.slack_app_token.get_secret_value())
        serve_http(routes, host=args.host, port=port)
    except KeyboardInterrupt:
        logger.info("Stopped")
    finally:
        if poller is not None:
            poller.stop()
        scheduler.stop()
    return EXIT_OK


def _serve_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over a WebSocket; HTTP then serves only the health probe."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).connect()  # type: ignore[no-untyped-call]
    logger.info("Connected to Slack in Socket Mode")


def configure_logging() -> None:
    """Plain timestamped lines on stderr; Slack's own clients stay quiet below warnings."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    # APScheduler logs every run of the status tick at INFO; the tick logs what matters itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
