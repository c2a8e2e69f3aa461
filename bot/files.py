"""Download a file a person attached in Slack: with the bot token, streamed, size-capped."""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPResponse
from pathlib import Path

from workflows.conversation.events import SlackFile
from workflows.errors import DatasetTooLarge, DatasetUnavailable

#: Bytes read per chunk while streaming a download.
CHUNK_BYTES = 1024 * 1024
#: Seconds without progress before a download is abandoned.
TIMEOUT_SECONDS = 60


class SlackFileDownloader:
    """The domain's ``SlackFiles`` port: GET ``url_private_download`` with ``Authorization: Bearer``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def download(self, file: SlackFile, destination: Path, *, max_bytes: int) -> None:
        request = urllib.request.Request(file.download_url, headers={"Authorization": f"Bearer {self._token}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                if "text/html" in response.headers.get("Content-Type", ""):
                    raise DatasetUnavailable(_LOGIN_PAGE.format(name=file.name))
                _stream(response, destination, max_bytes=max_bytes, name=file.name)
        except urllib.error.HTTPError as exc:
            raise DatasetUnavailable(
                f"Slack refused to give me `{file.name}` (HTTP {exc.code}). Check that finetune-bot has the "
                "files:read scope and is in this channel, then upload the file again."
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise DatasetUnavailable(
                f"I could not download `{file.name}` from Slack; please upload it again."
            ) from None


_LOGIN_PAGE = (
    "Slack sent a login page instead of `{name}`: finetune-bot is missing the files:read scope. "
    "Ask whoever runs it to add the scope and reinstall the app, then upload the file again."
)


def _stream(response: HTTPResponse, destination: Path, *, max_bytes: int, name: str) -> None:
    """Copy in chunks, stopping as soon as the size passes ``max_bytes``."""
    written = 0
    with destination.open("wb") as out:
        while chunk := response.read(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                raise DatasetTooLarge(
                    f"`{name}` is larger than the {max_bytes // (1024 * 1024):,} MB I accept from Slack. "
                    "Put it in S3 and type its s3:// URI instead."
                )
            out.write(chunk)
