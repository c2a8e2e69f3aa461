"""Files in the emulator: attached files, token-checked downloads, files.info and files_upload_v2."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator

C = GENERAL_CHANNEL
DATASET = b'{"prompt": "2+2?", "completion": "4"}\n' * 3


def fetch(url: str, token: str | None) -> tuple[int, bytes, str]:
    """GET a URL with an optional bearer token: status, body, content type."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
            return answer.status, answer.read(), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), error.headers.get("Content-Type", "")


def test_registered_file_looks_like_a_slack_file_object(emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET, user="U0ALICE")
    assert file["id"].startswith("F")
    assert (file["name"], file["title"], file["filetype"], file["size"]) == (
        "train.jsonl",
        "train.jsonl",
        "jsonl",
        len(DATASET),
    )
    assert file["mode"] == "hosted"
    assert file["user"] == "U0ALICE"
    assert file["url_private_download"].startswith(emulator.base_url)
    assert file["mimetype"]
    assert file["created"] > 0


def test_a_reported_size_stands_in_for_a_huge_file(emulator: SlackEmulator) -> None:
    file = emulator.register_file("huge.jsonl", DATASET, reported_size=5 * 1024**3)
    assert file["size"] == 5 * 1024**3


def test_download_with_the_bot_token_returns_the_bytes(emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET)
    status, body, _ = fetch(file["url_private_download"], emulator.workspace.bot_token)
    assert (status, body) == (200, DATASET)


def test_download_without_a_token_is_a_403_sign_in_page(emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET)
    status, body, content_type = fetch(file["url_private_download"], None)
    assert status == 403
    assert content_type.startswith("text/html")
    assert b"<html" in body
    assert DATASET not in body


def test_download_with_a_wrong_token_is_refused(emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET)
    assert fetch(file["url_private"], "xoxb-someone-else")[0] == 403


def test_a_redirected_download_answers_302_with_the_location_to_the_bot_token_only(emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET)
    emulator.redirect_download(file["id"], "http://127.0.0.1:9/elsewhere")
    url = urlsplit(file["url_private_download"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    connection.request("GET", url.path, headers={"Authorization": f"Bearer {emulator.workspace.bot_token}"})
    answer = connection.getresponse()
    assert (answer.status, answer.getheader("Location")) == (302, "http://127.0.0.1:9/elsewhere")
    connection.close()
    assert fetch(file["url_private_download"], None)[0] == 403


def test_files_info_returns_the_file_object(client: WebClient, emulator: SlackEmulator) -> None:
    file = emulator.register_file("train.jsonl", DATASET)
    assert client.files_info(file=file["id"])["file"]["url_private_download"] == file["url_private_download"]
    with pytest.raises(SlackApiError) as raised:
        client.files_info(file="F0MISSING00")
    assert raised.value.response["error"] == "file_not_found"


def test_upload_v2_shares_the_file_in_the_thread_with_its_bytes(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.chat_postMessage(channel=C, text="validating")["ts"]
    answer = client.files_upload_v2(
        channel=C, thread_ts=root, content=b"line 3: bad json\n", filename="report.txt", initial_comment="Report"
    )
    [upload] = emulator.uploaded_files
    assert upload.id == answer["file"]["id"]
    assert (upload.name, upload.content, upload.channel, upload.thread_ts) == (
        "report.txt",
        b"line 3: bad json\n",
        C,
        root,
    )
    [share] = emulator.messages(C, thread_ts=root)
    assert share.text == "Report"
    assert [f["id"] for f in share.files] == [upload.id]
    assert emulator.file_bytes(upload.id) == b"line 3: bad json\n"


def test_uploaded_file_is_downloadable_by_the_bot(client: WebClient, emulator: SlackEmulator) -> None:
    answer = client.files_upload_v2(channel=C, content=b"abc", filename="r.txt")
    url = client.files_info(file=answer["file"]["id"])["file"]["url_private_download"]
    assert fetch(url, emulator.workspace.bot_token)[:2] == (200, b"abc")


def test_upload_v2_uses_the_three_step_external_flow(client: WebClient, emulator: SlackEmulator) -> None:
    client.files_upload_v2(channel=C, content=b"abc", filename="r.txt")
    assert [call.method for call in emulator.calls()] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert emulator.unknown_methods == []


def test_completing_an_upload_whose_bytes_never_arrived_fails(client: WebClient) -> None:
    reserved = client.files_getUploadURLExternal(filename="r.txt", length=3)
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": reserved["file_id"], "title": "r"}], channel_id=C)
    assert raised.value.response["error"] == "file_not_found"
