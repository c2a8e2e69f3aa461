"""The policy file: one line naming a bad file's problem and where, and a changed file read again on use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.policy_file import PolicyFileError, PolicySource, read_policy

GOOD = "version: 1\nworkspaces:\n  '*':\n    start:\n      users: [U1]\n"
OTHER = "version: 1\nworkspaces:\n  '*':\n    start:\n      users: [U2]\n"


def write(path: Path, text: str, *, bump: int = 0) -> Path:
    path.write_text(text, encoding="utf-8")
    if bump:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump))
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: 1\nworkspaces: [\n", "is not valid YAML at line 3, column 1"),
        ("- a\n- b\n", "must be a mapping with `version: 1` and `workspaces:`"),
        ("version: 1\n", "is not a valid policy: at workspaces: is required"),
        (
            "version: 1\nworkspaces:\n  T1:\n    start:\n      users: [alice]\n",
            "at workspaces.T1.start.users[0]: 'alice' is not a Slack user id such as U012ABCDEF",
        ),
        (
            "version: 1\nworkspaces:\n  T1:\n    alow: {}\n    strat: {}\n",
            "at workspaces.T1.alow: is not a key the policy knows (check its spelling) (and 1 more problem)",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_the_problem_and_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)  # a short path, shown whole (a long one is cut to its first 80 characters)
    with pytest.raises(PolicyFileError) as refused:
        read_policy(write(Path("policy.yml"), text))
    message = str(refused.value)
    assert "\n" not in message
    assert problem in message
    assert message.startswith("FINETUNE_POLICY_FILE 'policy.yml'")
    assert message.endswith("or unset FINETUNE_POLICY_FILE to run without a policy (anyone may start and deploy).")


def test_a_missing_or_binary_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="does not exist"):
        read_policy(tmp_path / "nope.yml")
    (tmp_path / "bin.yml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicyFileError, match="is not UTF-8 text"):
        read_policy(tmp_path / "bin.yml")


def test_without_a_file_the_policy_is_open() -> None:
    source = PolicySource(None)
    source.load()
    assert source() is None


def test_a_changed_file_is_read_again_and_a_bad_change_keeps_the_last_good_policy(tmp_path: Path) -> None:
    reloads: list[str] = []
    refusals: list[str] = []
    path = write(tmp_path / "policy.yml", GOOD)
    source = PolicySource(path, on_reload=reloads.append, on_refused=refusals.append)
    source.load()
    first = source()
    assert first is not None
    assert first.workspaces["*"].start is not None
    assert first.workspaces["*"].start.users == ("U1",)
    assert source() is first
    assert reloads == []

    write(path, OTHER, bump=1_000_000)
    second = source()
    assert second is not None
    assert second.workspaces["*"].start is not None
    assert second.workspaces["*"].start.users == ("U2",)
    assert reloads == [str(path)]

    write(path, "version: 1\nworkspaces: {T1: {start: {users: [bob]}}}\n", bump=2_000_000)
    assert source() is second
    assert source() is second
    assert len(refusals) == 1
    assert "'bob' is not a Slack user id" in refusals[0]

    path.unlink()
    assert source() is second
    assert len(refusals) == 2
    assert "does not exist" in refusals[1]


def test_a_bad_file_at_start_stops_the_load(tmp_path: Path) -> None:
    source = PolicySource(write(tmp_path / "policy.yml", "version: 7\nworkspaces: {}\n"))
    with pytest.raises(PolicyFileError, match="version 7 is not supported"):
        source.load()


def test_approval_rules_are_read_with_their_expiry_and_a_default_of_a_day(tmp_path: Path) -> None:
    text = GOOD + "    approval:\n      above_usd: 100\n      approvers: {users: [U9]}\n"
    source = PolicySource(write(tmp_path / "policy.yml", text))
    source.load()
    policy = source()
    assert policy is not None
    approval = next(iter(policy.workspaces.values())).approval
    assert approval is not None
    assert approval.expires_after_hours == 24
    too_long = text + "      expires_after_hours: 145\n"
    with pytest.raises(PolicyFileError, match="expires_after_hours"):
        PolicySource(write(tmp_path / "long.yml", too_long)).load()


def test_the_readme_example_is_a_valid_policy(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Governance") :]
    example = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml"))]
    policy = read_policy(write(tmp_path / "policy.yml", example))
    assert policy.workspaces["T012ABCDEF"].channels["C034GHIJKL"].start is not None
