"""The dependency rule, checked by walking every import: bot → workflows, never the reverse.

Only ``workflows/adapters/`` may import redis and boto3; only ``bot/`` may import Slack's packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_PACKAGES = {"slack_bolt", "slack_sdk"}
INFRASTRUCTURE_PACKAGES = {"redis", "boto3", "botocore", "fakeredis", "moto"}


def imported_top_levels(path: Path) -> Iterator[tuple[str, int]]:
    """Every top-level package ``path`` imports, with the line of the import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def violations(files: list[Path], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files
        for name, line in imported_top_levels(path)
        if name in forbidden
    ]


def test_workflows_never_imports_bot_or_slack() -> None:
    assert violations(python_files("workflows"), {"bot"} | SLACK_PACKAGES) == []


def test_only_workflow_adapters_import_redis_and_boto3() -> None:
    adapters = ROOT / "workflows" / "adapters"
    outside = [path for path in python_files("workflows") if adapters not in path.parents]
    assert violations(outside, INFRASTRUCTURE_PACKAGES) == []


def test_bot_reaches_infrastructure_only_through_workflow_adapters() -> None:
    sandbox = ROOT / "bot" / "sandbox"
    edge = [path for path in python_files("bot") if sandbox not in path.parents]
    assert violations(edge, INFRASTRUCTURE_PACKAGES) == []


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for package in ("bot", "workflows", "tests", "bench")
        for path in python_files(package)
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


@pytest.mark.parametrize("package", ["bot", "workflows"])
def test_packages_import_without_connecting(package: str) -> None:
    """Importing any module must not need tokens, Redis or AWS (nothing connects at import time)."""
    import importlib

    for path in python_files(package):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        importlib.import_module(module.removesuffix(".__init__"))
