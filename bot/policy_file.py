"""The governance policy file (``FINETUNE_POLICY_FILE``): read and checked at start, read again when it changes.

A bad file at start stops ``serve`` with one line naming the problem and where it is. A file that changes while the
bot runs is read again on the next use (a ``stat`` per use: cheap); if the new version is bad, the last good policy
stays in force and the problem is logged once per version of the file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import ValidationError

from workflows.governance.policy import Policy

logger = logging.getLogger(__name__)

#: What to do about a bad file, after the problem.
_FIX = "fix the file, or unset FINETUNE_POLICY_FILE to run without a policy (anyone may start and deploy)"
#: Longest piece of a value quoted back from the file.
_SHOWN = 80

#: Identifies one version of the file: (modification time in ns, size, inode).
Signature = tuple[int, int, int]


class PolicyFileError(Exception):
    """The policy file cannot be used; the message is one line naming the problem and where it is."""


def read_policy(path: Path) -> Policy:
    """The checked policy in ``path``, or ``PolicyFileError`` with one line."""
    where = f"FINETUNE_POLICY_FILE {str(path)[:_SHOWN]!r}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(f"{where} does not exist; {_FIX}.") from None
    except UnicodeDecodeError:
        raise PolicyFileError(f"{where} is not UTF-8 text; {_FIX}.") from None
    except OSError as exc:
        raise PolicyFileError(f"{where} cannot be read ({exc.strerror}); {_FIX}.") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyFileError(f"{where} is not valid YAML{_yaml_place(exc)}; {_FIX}.") from None
    if not isinstance(raw, dict):
        raise PolicyFileError(f"{where} must be a mapping with `version: 1` and `workspaces:`; {_FIX}.")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyFileError(f"{where} is not a valid policy: {_first_problem(exc)}; {_FIX}.") from None


def _yaml_place(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{place} ({problem})" if problem else place


def _first_problem(exc: ValidationError) -> str:
    """``at workspaces.T1.start.users[0]: 'alice' is not a Slack user id … (and 2 more problems)``."""
    errors = exc.errors()
    first = errors[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    why = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        why = "is not a key the policy knows (check its spelling)"
    elif first["type"] == "missing":
        why = "is required"
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"at {where or 'the top'}: {why[:200]}{tail}" if where else f"{why[:200]}{tail}"


class PolicySource:
    """The policy in force: ``None`` without a file; otherwise the last good version of the file."""

    def __init__(
        self,
        path: Path | None,
        *,
        on_reload: Callable[[str], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self._path = path
        #: Told the path after a changed file was read again; told the problem when a changed file was refused.
        self.on_reload = on_reload
        self.on_refused = on_refused
        self._lock = threading.Lock()
        self._policy: Policy | None = None
        self._signature: Signature | None = None

    def load(self) -> None:
        """Read the file at start; ``PolicyFileError`` when it cannot be used. Without a file, say so once."""
        if self._path is None:
            logger.info("No FINETUNE_POLICY_FILE: anyone may start jobs and deploy models, with any type or model")
            return
        try:
            signature: Signature | None = _signature(self._path)
        except OSError:
            signature = None
        self._policy = read_policy(self._path)
        self._signature = signature
        logger.info("Policy read from %s", self._path)

    def __call__(self) -> Policy | None:
        """The policy now, reading the file again first when it changed since it was last read."""
        if self._path is None:
            return None
        try:
            signature: Signature | None = _signature(self._path)
        except OSError:
            signature = None
        if signature == self._signature:
            return self._policy
        with self._lock:
            if signature != self._signature:
                self._reload(self._path, signature)
            return self._policy

    def _reload(self, path: Path, signature: Signature | None) -> None:
        """Take the new version when it is good; otherwise keep the last good one and say so once."""
        self._signature = signature
        try:
            self._policy = read_policy(path)
        except PolicyFileError as exc:
            logger.warning("The policy file changed but cannot be used, so the last good policy stays: %s", exc)
            if self.on_refused is not None:
                self.on_refused(str(exc))
            return
        logger.info("Policy read again from %s: it changed", path)
        if self.on_reload is not None:
            self.on_reload(str(path))


def _signature(path: Path) -> Signature:
    status = os.stat(path)
    return (status.st_mtime_ns, status.st_size, status.st_ino)
