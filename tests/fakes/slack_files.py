"""Files people attached in Slack, by download URL (``SlackFiles``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.setup.events import SlackFile


@dataclass
class FakeSlackFiles:
    contents: dict[str, bytes] = field(default_factory=dict)

    def download(self, file: SlackFile, destination: Path, *, max_bytes: int) -> None:
        destination.unlink(missing_ok=True)  # as the downloader: a failure leaves no file
        if file.download_url not in self.contents:
            raise DatasetUnavailable(f"Slack refused to give me `{file.name}`.")
        data = self.contents[file.download_url]
        if len(data) > max_bytes:
            raise DatasetTooLarge(f"`{file.name}` is too large")
        destination.write_bytes(data)
