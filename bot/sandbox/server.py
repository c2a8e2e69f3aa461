"""The emulator's HTTP face: Web API calls, file downloads, upload URLs and ``response_url``s."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.sandbox.faults import SlackFaults
from bot.sandbox.params import ApiError
from bot.sandbox.records import JSON
from bot.sandbox.state import SandboxState
from bot.sandbox.webapi import WebApi

logger = logging.getLogger(__name__)

#: What Slack serves when a file URL is fetched without the right token: a sign-in page, not bytes.
LOGIN_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><title>Slack</title></head>'
    b'<body><h1>Sign in to your workspace</h1><form action="/signin" method="post"></form></body></html>'
)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, body bytes, content type and any extra headers."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: Close the connection without answering (an injected dropped connection).
    drop: bool = False

    @classmethod
    def json(cls, status: int, body: JSON, headers: dict[str, str] | None = None) -> Reply:
        """A JSON answer."""
        return cls(status, json.dumps(body).encode(), headers=headers or {})


class Routes:
    """Maps request paths to the part of the sandbox that answers them."""

    def __init__(self, state: SandboxState, api: WebApi, faults: SlackFaults | None = None) -> None:
        self._state = state
        self._api = api
        self._faults = faults or SlackFaults()

    def handle(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one request; ``headers`` keys are lower-case."""
        url = urlsplit(target)
        path = url.path
        if path == "/faults":
            status, answer = self._faults.control(verb, body)
            return Reply.json(status, answer)
        if path == "/oauth/v2/authorize" and verb == "GET":
            return self._authorize(url.query)
        if path == "/api/oauth.v2.access":
            values: JSON = dict(parse_qsl(url.query, keep_blank_values=True))
            try:
                values.update(_parse_body(headers.get("content-type", ""), body))
            except ValueError:
                return Reply.json(200, {"ok": False, "error": "invalid_form_data"})
            access = self._api.oauth_access(values, headers.get("authorization"))
            return Reply.json(access.status, access.body, access.headers)
        if path.startswith("/api/"):
            fault = self._faults.take(path[len("/api/") :])
            if fault is not None:
                return (
                    Reply.json(fault.status, fault.body(), fault.headers())
                    if fault.status
                    else Reply(0, b"", drop=True)
                )
            return self._web_api(path[len("/api/") :], url.query, headers, body)
        if path.startswith("/files-pri/") and verb in {"GET", "HEAD"}:
            return self._download(path, headers)
        if path.startswith("/upload/v1/") and verb == "POST":
            accepted = self._state.files.receive(path.rsplit("/", 1)[-1], body)
            return Reply(200, f"OK - {len(body)}".encode(), "text/plain") if accepted else _not_found()
        if path.startswith(("/commands/", "/actions/")) and verb == "POST":
            return self._response_url(self._state.responses.base_url + path.lstrip("/"), body)
        return _not_found()

    def _web_api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        """A Web API call: arguments from the query, a form body or a JSON body; token from either place."""
        values: JSON = dict(parse_qsl(query, keep_blank_values=True))
        malformed = None
        try:
            values.update(_parse_body(headers.get("content-type", ""), body))
        except ValueError:
            malformed = "invalid_json"
        token = _bearer(headers)
        if token is None and isinstance(values.get("token"), str):
            token = values["token"]
        answer = self._api.call(method, values, token, malformed=malformed)
        return Reply.json(answer.status, answer.body, answer.headers)

    def _download(self, path: str, headers: dict[str, str]) -> Reply:
        """A file's bytes for the bot token; the sign-in page with 403 for anyone else."""
        segment = path.split("/")[2] if path.count("/") >= 2 else ""
        team_id, _, file_id = segment.partition("-")
        stored = self._state.files.file(file_id)
        if stored is None or team_id != self._state.workspace.team_id:
            return _not_found()
        owner = self._state.installs.of_token(_bearer(headers))
        if owner is None or owner.team_id != team_id:
            return Reply(403, LOGIN_PAGE, "text/html; charset=utf-8")
        if (location := self._state.files.redirect_of(file_id)) is not None:
            return Reply(302, b"", "text/plain", {"Location": location})
        disposition = f'attachment; filename="{unquote(path.rsplit("/", 1)[-1])}"'
        return Reply(200, stored.content, str(stored.info["mimetype"]), {"Content-Disposition": disposition})

    def _authorize(self, query: str) -> Reply:
        """Slack's install page, approved at once for the workspace named by ``team``: back to the app with a code."""
        asked = dict(parse_qsl(query, keep_blank_values=True))
        try:
            location = self._state.installs.approve(
                client_id=asked.get("client_id", ""),
                team_id=asked.get("team", self._state.workspace.team_id),
                redirect_uri=asked.get("redirect_uri", ""),
                state=asked.get("state", ""),
            )
        except ApiError as error:
            return Reply.json(400, error.as_response())
        return Reply(302, b"", "text/plain", {"Location": location})

    def _response_url(self, url: str, body: bytes) -> Reply:
        """A POST to a ``response_url``: JSON in, applied to the conversation, recorded."""
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return Reply.json(400, {"ok": False, "error": "invalid_payload"})
        post = self._state.responses.deliver(url, payload)
        return Reply.json(post.status, {"ok": True} if post.error is None else {"ok": False, "error": post.error})


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server on loopback whose handler threads die with the process."""

    daemon_threads = True

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks the routes, writes the answer (large bodies in chunks)."""

    def do_GET(self) -> None:
        """GET: file downloads, and Web API calls with query arguments."""
        self._serve()

    def do_POST(self) -> None:
        """POST: Web API calls, uploads, ``response_url``s."""
        self._serve()

    def do_DELETE(self) -> None:
        """DELETE: disarm injected faults."""
        self._serve()

    def do_HEAD(self) -> None:
        """HEAD: headers of a download, without its bytes."""
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        """Send the access log to ``logging`` at debug level rather than stderr."""
        logger.debug("sandbox %s", format % args)

    def _serve(self) -> None:
        """Answer one request."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        reply = cast(SandboxServer, self.server).routes.handle(self.command, self.path, headers, body)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            for start in range(0, len(reply.body), _CHUNK):
                self.wfile.write(reply.body[start : start + _CHUNK])


def _parse_body(content_type: str, body: bytes) -> JSON:
    """Arguments from a JSON or form-encoded body; ``ValueError`` for JSON that is not an object."""
    if not body:
        return {}
    if content_type.split(";")[0].strip().lower() == "application/json":
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("a JSON body must be an object")
        return decoded
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _bearer(headers: dict[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _not_found() -> Reply:
    """A plain 404."""
    return Reply(404, b"not found", "text/plain")
