"""Content blocks of ``bedrock-conversation-2024`` turns: text, image or video, one kind per block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import TextParts, check_text, json_type
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.issues import IssueLog

_KINDS = ("text", "image", "video")


@dataclass(slots=True)
class MediaCount:
    """Images and videos met in one record."""

    images: int = 0
    videos: int = 0


class BlockChecker:
    """Checks a turn's ``content`` list and the system prompt's text blocks."""

    def __init__(self, media: MediaTracker) -> None:
        self._media = media

    def content(
        self,
        content: Any,
        path: str,
        role: str | None,
        parts: TextParts,
        count: MediaCount,
        line: int,
        log: IssueLog,
    ) -> None:
        """A turn's content: a non-empty list of blocks; media only in user turns."""
        if not isinstance(content, list):
            shape = 'an array of content blocks like [{"text": "..."}]'
            log.add(IssueCode.WRONG_TYPE, line, f"{path}: expected {shape}, got {json_type(content)}")
            return
        if not content:
            log.add(IssueCode.EMPTY_CONTENT, line, path)
            return
        for index, block in enumerate(content):
            self._block(block, f"{path}[{index}]", role, parts, count, line, log)

    def system(self, system: Any, parts: TextParts, line: int, log: IssueLog) -> None:
        """The top-level system prompt: a list of text blocks."""
        if not isinstance(system, list):
            shape = 'an array of text blocks like [{"text": "..."}]'
            log.add(IssueCode.WRONG_TYPE, line, f"system: expected {shape}, got {json_type(system)}")
            return
        for index, block in enumerate(system):
            path = f"system[{index}]"
            if not isinstance(block, dict) or "text" not in block:
                log.add(IssueCode.INVALID_CONTENT_BLOCK, line, f'{path}: expected {{"text": "..."}}')
                continue
            _unknown_block_keys(block, "text", path, line, log)
            text = check_text(block["text"], f"{path}.text", line, log)
            if text is not None:
                parts.add(text, f"{path}.text")

    def _block(
        self,
        block: Any,
        path: str,
        role: str | None,
        parts: TextParts,
        count: MediaCount,
        line: int,
        log: IssueLog,
    ) -> None:
        if not isinstance(block, dict):
            log.add(IssueCode.INVALID_CONTENT_BLOCK, line, f"{path} is {json_type(block)}, not an object")
            return
        kinds = [kind for kind in _KINDS if kind in block]
        if len(kinds) != 1:
            found = " and ".join(kinds) if kinds else "none of text, image, video"
            log.add(IssueCode.INVALID_CONTENT_BLOCK, line, f"{path} has {found}")
            return
        kind = kinds[0]
        _unknown_block_keys(block, kind, path, line, log)
        if kind == "text":
            text = check_text(block["text"], f"{path}.text", line, log)
            if text is not None:
                parts.add(text, f"{path}.text")
            return
        if role == "assistant":
            log.add(IssueCode.MEDIA_IN_ASSISTANT, line, f"{path}.{kind}")
            return
        if kind == "image":
            count.images += 1
        else:
            count.videos += 1
        self._media.check_block(kind, block[kind], path, line, log)


def _unknown_block_keys(block: dict[str, Any], kind: str, path: str, line: int, log: IssueLog) -> None:
    for key in block:
        if key != kind:
            log.add(IssueCode.UNKNOWN_KEY, line, f"{path}.{key}")
