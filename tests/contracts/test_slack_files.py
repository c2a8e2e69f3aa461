"""``SlackFiles``: the fake file host and ``SlackFileDownloader`` on the Slack emulator over HTTP agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.downloads import SlackFileDownloader, trusted_file_origins
from bot.sandbox.emulator import SlackEmulator
from tests.fakes.slack_files import FakeSlackFiles
from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.ports import SlackFiles
from workflows.setup.events import SlackFile

DATASET = b'{"prompt": "2+2?", "completion": "4"}\n' * 30


@dataclass
class Subject:
    files: SlackFiles
    #: Shares a file in Slack; its download URL.
    share: Callable[[str, bytes], str]
    #: A download URL on Slack's file host for a file that does not exist there.
    missing: str


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeSlackFiles()

        def put(name: str, data: bytes) -> str:
            url = f"https://files.slack.com/files-pri/T1-F{len(fake.contents)}/download/{name}"
            fake.contents[url] = data
            return url

        return Subject(fake, put, "https://files.slack.com/files-pri/T1-F0NONE/download/train.jsonl")
    emulator: SlackEmulator = request.getfixturevalue("emulator")
    downloader = SlackFileDownloader(
        emulator.workspace.bot_token, trusted_origins=trusted_file_origins(emulator.api_url)
    )

    def register(name: str, data: bytes) -> str:
        return str(emulator.register_file(name, data)["url_private_download"])

    missing = emulator.api_url.removesuffix("api/") + "files-pri/T0SANDBOX01-F0NONE/download/train.jsonl"
    return Subject(downloader, register, missing)


def slack_file(url: str) -> SlackFile:
    return SlackFile(id="F1", name="train.jsonl", size=len(DATASET), filetype="jsonl", mimetype="", download_url=url)


def test_a_shared_file_downloads_byte_for_byte(subject: Subject, tmp_path: Path) -> None:
    url = subject.share("train.jsonl", DATASET)

    subject.files.download(slack_file(url), tmp_path / "train.jsonl", max_bytes=len(DATASET))

    assert (tmp_path / "train.jsonl").read_bytes() == DATASET


def test_a_file_over_the_cap_is_too_large_and_leaves_no_file(subject: Subject, tmp_path: Path) -> None:
    url = subject.share("train.jsonl", DATASET)

    with pytest.raises(DatasetTooLarge):
        subject.files.download(slack_file(url), tmp_path / "train.jsonl", max_bytes=len(DATASET) - 1)
    assert not (tmp_path / "train.jsonl").exists()


def test_a_failed_download_leaves_no_earlier_file_behind(subject: Subject, tmp_path: Path) -> None:
    destination = tmp_path / "train.jsonl"
    destination.write_bytes(b"an earlier upload\n")

    with pytest.raises(DatasetUnavailable):
        subject.files.download(slack_file(subject.missing), destination, max_bytes=10**6)
    assert not destination.exists()


def test_a_file_slack_will_not_serve_is_unavailable(subject: Subject, tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailable):
        subject.files.download(slack_file(subject.missing), tmp_path / "train.jsonl", max_bytes=10**6)
    assert not (tmp_path / "train.jsonl").exists()
