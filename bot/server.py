"""HTTP serving: ``POST /slack/events`` through the request guard to Bolt, and ``GET /healthz``, on waitress."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from waitress.server import create_server

from bot.guard.body import MAX_BODY_BYTES

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: OAuth mode's pages: where an admin starts an install, and where Slack sends them back with a code.
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"
#: Worker threads answering HTTP requests; each request only verifies, dispatches and acks.
HTTP_THREADS = 16


class Routes:
    """The WSGI application: health probe, the guarded Slack endpoint, the install pages, 404 for anything else.

    ``slack`` is the request guard in front of Bolt, or None in Socket Mode (Slack then reaches the bot
    over its WebSocket, and HTTP serves only the health probe). ``install`` serves OAuth mode's two pages
    (Bolt's OAuth flow, GET only); None with one bot token.
    """

    def __init__(
        self, slack: WSGIApplication | None, healthy: Callable[[], bool], *, install: WSGIApplication | None = None
    ) -> None:
        self._slack = slack
        self._healthy = healthy
        self._install = install

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            return self._health(environ, start_response)
        if path == EVENTS_PATH and self._slack is not None:
            return self._slack(environ, start_response)
        if path in (INSTALL_PATH, REDIRECT_PATH) and self._install is not None:
            return self._install(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]

    def _health(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            start_response("405 Method Not Allowed", [("Content-Type", "text/plain"), ("Allow", "GET, HEAD")])
            return [b"method not allowed\n"]
        ok = self._healthy()
        status = "200 OK" if ok else "503 Service Unavailable"
        body = b'{"status": "ok", "redis": "up"}\n' if ok else b'{"status": "unavailable", "redis": "down"}\n'
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def serve_http(routes: Routes, *, host: str, port: int) -> None:
    """Serve until interrupted; waitress is a production WSGI server with a thread pool."""
    # waitress refuses a larger declared body with 413 before reading it (its limit is exclusive).
    server = create_server(
        routes,
        host=host,
        port=port,
        threads=HTTP_THREADS,
        ident="finetune-bot",
        max_request_body_size=MAX_BODY_BYTES + 1,
    )
    logger.info("Listening on http://%s:%s%s", host, port, EVENTS_PATH)
    try:
        server.run()
    finally:
        server.close()
