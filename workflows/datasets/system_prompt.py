"""The system prompt a training file gives its records (their ``system`` field), kept for trying the model later."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

logger = logging.getLogger(__name__)

#: Records read: the prompt most of them share is the one kept.
SCAN_RECORDS = 1000
#: A longer system prompt is not kept (the model is then tried without one).
SYSTEM_PROMPT_MAX = 20_000


def training_system_prompt(path: Path) -> str | None:
    """The system prompt most of the first ``SCAN_RECORDS`` records carry, or None when they carry none.

    ``system`` is a string (Claude's layout) or a list of ``{"text": …}`` blocks (``bedrock-conversation-2024``).
    """
    seen: Counter[str] = Counter()
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines):
            if number >= SCAN_RECORDS:
                break
            try:
                record = json.loads(line)
            except ValueError:
                continue
            text = _system_text(record.get("system")) if isinstance(record, dict) else None
            if text:
                seen[text] += 1
    if not seen:
        return None
    prompt, _ = seen.most_common(1)[0]
    if len(prompt) > SYSTEM_PROMPT_MAX:
        logger.info("The training data's system prompt has %d characters; it is not kept", len(prompt))
        return None
    return prompt


def _system_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        parts = [block["text"] for block in value if isinstance(block, dict) and isinstance(block.get("text"), str)]
        return "\n".join(parts).strip() or None
    return None
