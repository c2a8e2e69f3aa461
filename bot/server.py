"""HTTP serving: ``POST /slack/events`` through Bolt and ``GET /healthz``, on waitress's threaded server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
#: Worker threads answering HTTP requests; each request only verifies, dispatches and acks.
HTTP_THREADS = 16


class Routes:
    """The WSGI application: health probe, Slack endpoint, 404 for anything else."""

    def __init__(self, app: App, healthy: Callable[[], bool]) -> None:
        self._slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self._healthy = healthy

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return self._health(environ, start_response)
        return self._slack(environ, start_response)

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
    server = create_server(routes, host=host, port=port, threads=HTTP_THREADS, ident="finetune-bot")
    logger.info("Listening on http://%s:%s%s", host, port, EVENTS_PATH)
    try:
        server.run()
    finally:
        server.close()
