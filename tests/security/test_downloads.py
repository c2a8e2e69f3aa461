"""The bot token goes only to Slack's file host: hostile hosts, redirects and file: URLs never get it.

First the downloader itself against real HTTP servers on loopback (the emulator as Slack's file host,
recording hostile servers elsewhere), then the whole bot, told about such files in a conversation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.downloads import Origin, SlackFileDownloader, origin_of, trusted_file_origins
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import BOT_TOKEN
from tests.security.conftest import file_at, share_file
from tests.support.hostile import SECRET_LINE, HostileServer, hostile_server
from tests.support.stack import Stack
from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.setup.events import SlackFile

DATASET = b'{"prompt": "2+2?", "completion": "4"}\n' * 3


class TestOrigins:
    @pytest.mark.parametrize(
        ("url", "origin"),
        [
            ("https://files.slack.com/files-pri/T1-F1/x.jsonl", Origin("https", "files.slack.com", 443)),
            ("HTTPS://FILES.SLACK.COM/x", Origin("https", "files.slack.com", 443)),
            ("https://files.slack.com:443/x", Origin("https", "files.slack.com", 443)),
            ("http://127.0.0.1:8080/api/", Origin("http", "127.0.0.1", 8080)),
            ("file:///etc/passwd", None),
            ("ftp://files.slack.com/x", None),
            ("data:text/plain,hello", None),
            ("https://files.slack.com@evil.example/x", None),
            ("https://user:pw@files.slack.com/x", None),
            ("https://files.slack.com\\@evil.example/x", None),
            ("https://files.slack.com:99999/x", None),
            ("https:///x", None),
            ("", None),
        ],
    )
    def test_origin_of(self, url: str, origin: Origin | None) -> None:
        assert origin_of(url) == origin

    def test_slacks_file_host_and_the_api_host_are_trusted(self) -> None:
        assert trusted_file_origins("https://slack.com/api/") == {
            Origin("https", "files.slack.com", 443),
            Origin("https", "slack.com", 443),
        }


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


@contextmanager
def cut_off_server() -> Iterator[str]:
    """A file host that promises more bytes than it sends, then closes the connection: its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(DATASET) * 100))
            self.end_headers()
            self.wfile.write(DATASET)
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def downloader(emulator: SlackEmulator) -> SlackFileDownloader:
    return SlackFileDownloader(emulator.workspace.bot_token, trusted_origins=trusted_file_origins(emulator.api_url))


def slack_file(url: str) -> SlackFile:
    return SlackFile(id="F1", name="train.jsonl", size=10, filetype="jsonl", mimetype="", download_url=url)


class TestDownloader:
    def test_a_file_on_slacks_host_is_downloaded(self, emulator: SlackEmulator, tmp_path: Path) -> None:
        file = emulator.register_file("train.jsonl", DATASET)
        downloader(emulator).download(slack_file(file["url_private_download"]), tmp_path / "x", max_bytes=10**6)
        assert (tmp_path / "x").read_bytes() == DATASET

    def test_a_redirect_within_slacks_host_is_followed(self, emulator: SlackEmulator, tmp_path: Path) -> None:
        moved = emulator.register_file("train.jsonl", b"old\n")
        target = emulator.register_file("train.jsonl", DATASET)
        emulator.redirect_download(moved["id"], target["url_private_download"])
        downloader(emulator).download(slack_file(moved["url_private_download"]), tmp_path / "x", max_bytes=10**6)
        assert (tmp_path / "x").read_bytes() == DATASET

    def test_a_redirect_to_another_host_is_not_followed(
        self, emulator: SlackEmulator, hostile: HostileServer, tmp_path: Path
    ) -> None:
        file = emulator.register_file("train.jsonl", DATASET)
        emulator.redirect_download(file["id"], hostile.base_url + "steal")
        with pytest.raises(DatasetUnavailable, match="redirected to another host"):
            downloader(emulator).download(slack_file(file["url_private_download"]), tmp_path / "x", max_bytes=10**6)
        assert hostile.requests() == []

    @pytest.mark.parametrize("port_offset", [0, 1])
    def test_a_redirect_to_another_port_or_scheme_of_the_same_host_is_not_followed(
        self, emulator: SlackEmulator, tmp_path: Path, port_offset: int
    ) -> None:
        file = emulator.register_file("train.jsonl", DATASET)
        port = int(emulator.base_url.rstrip("/").rsplit(":", 1)[1])
        scheme = "https" if port_offset == 0 else "http"
        emulator.redirect_download(file["id"], f"{scheme}://127.0.0.1:{port + port_offset}/x")
        with pytest.raises(DatasetUnavailable, match="redirected to another host"):
            downloader(emulator).download(slack_file(file["url_private_download"]), tmp_path / "x", max_bytes=10**6)

    def test_a_hostile_host_is_refused_before_it_is_contacted(
        self, emulator: SlackEmulator, hostile: HostileServer, tmp_path: Path
    ) -> None:
        with pytest.raises(DatasetUnavailable, match="not a file Slack hosts") as refused:
            downloader(emulator).download(slack_file(hostile.base_url + "x.jsonl"), tmp_path / "x", max_bytes=10**6)
        assert "Upload the file into this thread, or type its s3:// URI" in str(refused.value)
        assert hostile.requests() == []
        assert not (tmp_path / "x").exists()

    def test_a_redirecting_host_elsewhere_is_refused_before_it_is_contacted(
        self, emulator: SlackEmulator, hostile: HostileServer, tmp_path: Path
    ) -> None:
        with hostile_server(redirect_to=hostile.base_url + "steal") as redirector:
            with pytest.raises(DatasetUnavailable, match="not a file Slack hosts"):
                downloader(emulator).download(slack_file(redirector.base_url + "x"), tmp_path / "x", max_bytes=10**6)
            assert redirector.requests() == []
        assert hostile.requests() == []

    def test_a_download_over_the_cap_leaves_no_partial_file(self, emulator: SlackEmulator, tmp_path: Path) -> None:
        file = emulator.register_file("train.jsonl", DATASET * 1000)
        with pytest.raises(DatasetTooLarge):
            downloader(emulator).download(slack_file(file["url_private_download"]), tmp_path / "x", max_bytes=1000)
        assert not (tmp_path / "x").exists()

    def test_a_download_cut_off_midway_is_unavailable_and_leaves_no_partial_file(self, tmp_path: Path) -> None:
        with cut_off_server() as url:
            trusted = frozenset({origin}) if (origin := origin_of(url)) else frozenset()
            files = SlackFileDownloader(BOT_TOKEN, trusted_origins=trusted)
            with pytest.raises(DatasetUnavailable, match=r"I could not download `train\.jsonl` from Slack"):
                files.download(slack_file(url + "train.jsonl"), tmp_path / "x", max_bytes=10**6)
        assert not (tmp_path / "x").exists()

    def test_a_local_file_url_is_refused_and_not_read(self, emulator: SlackEmulator, tmp_path: Path) -> None:
        secret = tmp_path / "secret.jsonl"
        secret.write_bytes(SECRET_LINE)
        with pytest.raises(DatasetUnavailable, match="not a file Slack hosts") as refused:
            downloader(emulator).download(slack_file(secret.as_uri()), tmp_path / "x", max_bytes=10**6)
        assert "HOSTILE-SECRET-CONTENT" not in str(refused.value)
        assert not (tmp_path / "x").exists()


def at_upload(stack: Stack) -> str:
    """A conversation waiting for its training file; its thread."""
    assert stack.driver.slash_command("").status == 200
    thread = stack.root().ts
    stack.reply(thread, "What kind of customization do you want?")
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    return thread


@pytest.mark.integration
class TestThroughTheBot:
    def test_a_file_on_a_hostile_host_is_refused_and_the_host_sees_nothing(
        self, stack: Stack, hostile: HostileServer
    ) -> None:
        thread = at_upload(stack)
        share_file(stack, thread, file_at(stack, hostile.base_url + "files-pri/T1-F1/train.jsonl"))
        stack.reply(thread, "not a file Slack hosts")
        assert "Upload the file into this thread, or type its s3:// URI" in stack.thread_text(thread)
        assert hostile.requests() == []
        assert not hostile.saw_token(BOT_TOKEN)

    def test_a_slack_link_redirecting_elsewhere_never_carries_the_token_there(
        self, stack: Stack, hostile: HostileServer
    ) -> None:
        thread = at_upload(stack)
        file = stack.emulator.register_file("train.jsonl", DATASET)
        stack.emulator.redirect_download(file["id"], hostile.base_url + "steal")
        share_file(stack, thread, file)
        stack.reply(thread, "redirected to another host")
        assert hostile.requests() == []
        assert "HOSTILE-SECRET-CONTENT" not in stack.thread_text(thread)

    def test_a_file_url_is_refused_and_nothing_from_the_file_is_posted(self, stack: Stack) -> None:
        thread = at_upload(stack)
        share_file(stack, thread, file_at(stack, "file:///etc/passwd", name="passwd.jsonl"))
        stack.reply(thread, "not a file Slack hosts")
        assert "root:" not in stack.thread_text(thread)
        assert "Do you have a validation file?" not in stack.thread_text(thread)
