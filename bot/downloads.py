"""Download a file a person attached in Slack: with the bot token, only from Slack's file host, streamed, capped.

The token goes only to ``https://files.slack.com`` and to the host of ``SLACK_API_URL`` (where an
emulator serves files). Any other scheme or host is refused before a connection is made, and a
redirect is followed only within the same scheme, host and port, so the token never leaves them.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPMessage, HTTPResponse
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import urlsplit

from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.setup.events import SlackFile
from workflows.slack_text import code

#: Bytes read per chunk while streaming a download.
CHUNK_BYTES = 1024 * 1024
#: Seconds without progress before a download is abandoned.
TIMEOUT_SECONDS = 60
#: Where Slack serves ``url_private_download``.
SLACK_FILES = "https://files.slack.com/"
#: Same-host redirects followed before giving up.
MAX_REDIRECTS = 3
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    """Scheme, host and port: what a URL must share with a trusted one to be sent the token."""

    scheme: str
    host: str
    port: int


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) URL, or None for any other scheme, a URL with credentials, or one that is malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None or "\\" in url:
        return None
    return Origin(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme])


def trusted_file_origins(api_url: str) -> frozenset[Origin]:
    """Slack's file host, and the host of ``SLACK_API_URL`` (an emulator serves files beside its API)."""
    return frozenset(origin for origin in (origin_of(SLACK_FILES), origin_of(api_url)) if origin is not None)


class SlackFileDownloader:
    """The domain's ``SlackFiles`` port: GET ``url_private_download`` with ``Authorization: Bearer``."""

    def __init__(self, token: str | Callable[[], str], *, trusted_origins: frozenset[Origin]) -> None:
        #: The bot token, or a function giving the token of the workspace the bot is acting for.
        self._token = token
        self._trusted = trusted_origins

    def _bearer(self) -> str:
        return self._token if isinstance(self._token, str) else self._token()

    def download(self, file: SlackFile, destination: Path, *, max_bytes: int) -> None:
        origin = origin_of(file.download_url)
        if origin is None or origin not in self._trusted:
            raise DatasetUnavailable(_NOT_SLACK.format(name=code(file.name)))
        request = urllib.request.Request(file.download_url, headers={"Authorization": f"Bearer {self._bearer()}"})
        try:
            _fetch(request, origin, destination, max_bytes=max_bytes, name=file.name)
        except BaseException:
            # Too large, cut off or refused: no partial file is left for anything to read as the dataset.
            destination.unlink(missing_ok=True)
            raise


def _fetch(request: urllib.request.Request, origin: Origin, destination: Path, *, max_bytes: int, name: str) -> None:
    """GET and stream to ``destination``, every failure in the person's words."""
    try:
        with _opener(origin).open(request, timeout=TIMEOUT_SECONDS) as response:
            if "text/html" in response.headers.get("Content-Type", ""):
                raise DatasetUnavailable(_LOGIN_PAGE.format(name=code(name)))
            _stream(response, destination, max_bytes=max_bytes, name=name)
    except _OffsiteRedirect:
        raise DatasetUnavailable(_REDIRECTED.format(name=code(name))) from None
    except urllib.error.HTTPError as exc:
        raise DatasetUnavailable(
            f"Slack refused to give me {code(name)} (HTTP {exc.code}). Check that finetune-bot has the "
            "files:read scope and is in this channel, then upload the file again."
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException):
        # HTTPException: a body cut short (IncompleteRead) or a malformed response.
        raise DatasetUnavailable(f"I could not download {code(name)} from Slack; please upload it again.") from None


_WHAT_TO_DO = "Upload the file into this thread, or type its s3:// URI."
_NOT_SLACK = (
    "{name} is not a file Slack hosts, so I did not fetch it: I download attachments only from Slack "
    "(files.slack.com), the one place I send the bot's token. " + _WHAT_TO_DO
)
_REDIRECTED = (
    "Slack's link for {name} redirected to another host, so I stopped: the bot's token goes only to "
    "Slack. " + _WHAT_TO_DO
)
_LOGIN_PAGE = (
    "Slack sent a login page instead of {name}: finetune-bot is missing the files:read scope. "
    "Ask whoever runs it to add the scope and reinstall the app, then upload the file again."
)


class _OffsiteRedirect(Exception):
    """A redirect to another scheme, host or port: not followed, so the token is not sent there."""


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect (with the token) only when it stays on the origin the download started from."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, origin: Origin) -> None:
        self._origin = origin

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if origin_of(newurl) != self._origin:
            raise _OffsiteRedirect(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(origin: Origin) -> urllib.request.OpenerDirector:
    """HTTP(S) only (no file:, ftp: or data: handlers), redirects kept on ``origin``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _SameOriginRedirects(origin),
    ):
        opener.add_handler(handler)
    return opener


def _stream(response: HTTPResponse, destination: Path, *, max_bytes: int, name: str) -> None:
    """Copy in chunks, stopping as soon as the size passes ``max_bytes``."""
    written = 0
    with destination.open("wb") as out:
        while chunk := response.read(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                raise DatasetTooLarge(
                    f"{code(name)} is larger than the {max_bytes // (1024 * 1024):,} MB I accept from Slack. "
                    "Put it in S3 and type its s3:// URI instead."
                )
            out.write(chunk)
    expected = response.headers.get("Content-Length")
    if expected is not None and expected.isdigit() and written != int(expected):
        # urllib returns a short body without an error when the connection closes early.
        raise http.client.IncompleteRead(b"", int(expected) - written)
