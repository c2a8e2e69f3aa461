"""Settings: defaults, and one clear line naming the variable when one is missing or malformed."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
import yaml

from bot.composition import aws_adapters
from bot.settings import KEPT_COMMENT_HINT, REQUIREMENTS, SECRETS, SettingsError, load_settings
from tests.support.moto_server import CREDENTIALS, MotoServer
from workflows.chat.chat_ports import ChatRequest

ROOT = Path(__file__).resolve().parents[2]

SETTING_NAMES = tuple(REQUIREMENTS)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """No developer setting or .env file leaks into these tests."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))


def test_defaults_match_the_documented_table() -> None:
    settings = load_settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.aws_region == "us-east-1"
    assert settings.finetune_poll_seconds == 60
    assert settings.finetune_update_minutes == 30
    assert settings.finetune_idle_hours == 24
    assert settings.finetune_idle_check_seconds == 86400
    assert settings.admins == frozenset()
    assert settings.finetune_max_upload_mb == 1024
    assert settings.max_upload_bytes == 1024 * 1024 * 1024
    assert settings.port == 3000
    assert not settings.socket_mode
    assert settings.dataset_buckets == frozenset()
    assert settings.allowed_teams == frozenset()
    assert settings.finetune_events_queue_url is None
    assert settings.reconcile_seconds is None


def test_app_token_turns_on_socket_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-abc")
    assert load_settings().socket_mode


def test_a_dotenv_file_is_read(tmp_path: object) -> None:
    from pathlib import Path

    Path(str(tmp_path), ".env").write_text("FINETUNE_POLL_SECONDS=15\n", encoding="utf-8")
    assert load_settings().finetune_poll_seconds == 15


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-not-a-bot-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_URL", "slack.com/api"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_KEY_PREFIX", "finetune"),
        ("REDIS_CLUSTER", "maybe"),
        ("AWS_REGION", "Virginia"),
        ("AWS_ENDPOINT_URL", "localhost:5000"),
        ("FINETUNE_ROLE_ARN", "my-role"),
        ("FINETUNE_BUCKET", "Not_A_Bucket"),
        ("FINETUNE_POLL_SECONDS", "soon"),
        ("FINETUNE_POLL_SECONDS", "0"),
        ("FINETUNE_UPDATE_MINUTES", "0"),
        ("FINETUNE_UPDATE_MINUTES", "half an hour"),
        ("FINETUNE_IDLE_HOURS", "0"),
        ("FINETUNE_IDLE_HOURS", "a day"),
        ("FINETUNE_IDLE_HOURS", "inf"),
        ("FINETUNE_IDLE_HOURS", "nan"),
        ("FINETUNE_IDLE_HOURS", "100000"),
        ("FINETUNE_IDLE_CHECK_SECONDS", "0"),
        ("FINETUNE_ADMINS", "alice,bob"),
        ("FINETUNE_MAX_UPLOAD_MB", "0"),
        ("FINETUNE_DATASET_BUCKETS", "good-bucket,Bad_Bucket"),
        ("FINETUNE_ALLOWED_TEAMS", "T012ABC,general"),
        ("FINETUNE_EVENTS_QUEUE_URL", "finetune-bot-job-events"),
        ("FINETUNE_EVENTS_QUEUE_URL", "arn:aws:sqs:us-east-1:123456789012:finetune-bot-job-events"),
        ("FINETUNE_RECONCILE_SECONDS", "0"),
        ("FINETUNE_RECONCILE_SECONDS", "ten minutes"),
        ("FINETUNE_COMPARE_PROMPTS", "0"),
        ("FINETUNE_COMPARE_PROMPTS", "51"),
        ("PORT", "70000"),
    ],
)
def test_malformed_setting_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is not valid")
    assert "\n" not in message
    assert value not in message or name not in {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("redis://cache.internal:6379/2", "a cluster has only database 0, and REDIS_URL names database 2"),
        ("unix:///run/redis.sock", "a cluster needs REDIS_URL to start with redis:// or rediss://"),
    ],
)
def test_a_cluster_url_must_be_tcp_and_database_0(monkeypatch: pytest.MonkeyPatch, url: str, why: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("REDIS_CLUSTER", "true")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"REDIS_CLUSTER is not valid ({why})")


@pytest.mark.parametrize("url", ["redis://cfg.cache.amazonaws.com:6379", "rediss://user:pw@cfg.internal:6380/0"])
def test_a_cluster_is_reached_through_one_node(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("REDIS_CLUSTER", "true")
    assert load_settings().redis_cluster
    monkeypatch.delenv("REDIS_CLUSTER")
    assert not load_settings().redis_cluster


QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/finetune-bot-job-events"


@pytest.mark.parametrize(
    ("queue", "reconcile", "expected"),
    [(None, None, None), (QUEUE_URL, None, 600), (QUEUE_URL, "120", 120), (None, "300", 300)],
)
def test_jobs_are_polled_every_ten_minutes_with_a_queue_and_every_tick_without(
    monkeypatch: pytest.MonkeyPatch, queue: str | None, reconcile: str | None, expected: int | None
) -> None:
    if queue is not None:
        monkeypatch.setenv("FINETUNE_EVENTS_QUEUE_URL", queue)
    if reconcile is not None:
        monkeypatch.setenv("FINETUNE_RECONCILE_SECONDS", reconcile)
    assert load_settings().reconcile_seconds == expected


@pytest.mark.parametrize(
    ("value", "admins"),
    [("U0ADMIN", {"U0ADMIN"}), (" U01, W02 ,", {"U01", "W02"}), ("", set())],
)
def test_admins_are_a_comma_separated_list_of_slack_user_ids(
    monkeypatch: pytest.MonkeyPatch, value: str, admins: set[str]
) -> None:
    monkeypatch.setenv("FINETUNE_ADMINS", value)
    assert load_settings().admins == admins


@pytest.mark.parametrize(
    ("listed", "buckets"),
    [(None, {"product-bucket"}), ("", {"product-bucket"}), ("team-data, other.data ,", {"team-data", "other.data"})],
)
def test_dataset_buckets_default_to_the_product_bucket_alone(
    monkeypatch: pytest.MonkeyPatch, listed: str | None, buckets: set[str]
) -> None:
    monkeypatch.setenv("FINETUNE_BUCKET", "product-bucket")
    if listed is not None:
        monkeypatch.setenv("FINETUNE_DATASET_BUCKETS", listed)
    assert load_settings().dataset_buckets == buckets


def test_allowed_teams_are_a_comma_separated_list_of_team_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINETUNE_ALLOWED_TEAMS", "T01, T02,")
    assert load_settings().allowed_teams == {"T01", "T02"}


def test_secret_values_never_appear_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-very-secret-value")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "very-secret" not in str(caught.value)


def test_require_names_the_missing_variable() -> None:
    settings = load_settings()
    with pytest.raises(SettingsError, match=r"^FINETUNE_BUCKET is not set: it needs .*S3 bucket"):
        settings.require("FINETUNE_BUCKET")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("FINETUNE_BUCKET", "Not_A_Bucket", "the name of an S3 bucket"),
        ("FINETUNE_POLL_SECONDS", "soon", "a whole number of seconds"),
        ("FINETUNE_IDLE_HOURS", "0.0001", "a number of hours from 0.001 to 8760"),
        ("AWS_REGION", "Virginia", "an AWS region name such as us-east-1"),
        ("SLACK_API_URL", "slack.com/api", "an http(s) URL ending in /api/"),
    ],
)
def test_a_rejected_setting_shows_the_value_it_got_and_what_it_needs(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"got {value!r}; it needs {expected}" in message


def test_a_rejected_secret_shows_only_its_first_characters_and_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-1234567890-very-secret")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "got 'xoxp'… (27 characters); it needs the bot token" in str(caught.value)
    assert "1234567890" not in str(caught.value)


def test_a_password_in_a_rejected_url_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://default:hunter2@cache.internal:6379/0")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "got 'http://default:***@cache.internal:6379/0'" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5  # Basic Information → Signing Secret"),
        ("SLACK_BOT_TOKEN", "xoxb-123-456-abc # OAuth & Permissions"),
        ("SLACK_APP_TOKEN", "xapp-1-A0-123-abc\t# turns on Socket Mode"),
        ("REDIS_URL", "redis://localhost:6379/0   # state"),
        ("SLACK_API_URL", "https://slack.com/api/ # only for an emulator"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000 # only for an emulator"),
    ],
)
def test_a_comment_kept_after_a_secret_or_url_is_refused_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """As `docker run --env-file` passes ``KEY=value  # comment``: the value would pass, then fail every request."""
    value = value.replace("\\t", "\t")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is not valid ({KEPT_COMMENT_HINT})")
    assert "\n" not in message
    if name in SECRETS:
        assert f"got {value[:4]!r}… ({len(value)} characters)" in message
        assert value[4:16] not in message
    else:
        assert f"got {value!r}" in message


def test_a_comment_kept_after_another_value_gets_the_hint_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINETUNE_BUCKET", "my-finetune-bucket   # datasets and job output")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert KEPT_COMMENT_HINT in str(caught.value)


def test_env_example_read_as_docker_env_file_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``docker run --env-file`` takes each ``KEY=VALUE`` line literally and skips lines starting with #."""
    assignments = [
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert {name for name, _ in assignments} >= {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "FINETUNE_BUCKET"}
    for name, value in assignments:
        assert "#" not in value, f"{name} has a comment after its value"
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.finetune_bucket == "my-finetune-bucket"
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "your-signing-secret"


def test_every_setting_is_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert [name for name in REQUIREMENTS if f"{name}=" not in text] == []


@pytest.mark.integration
def test_an_endpoint_in_a_dotenv_file_reaches_boto3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, moto_session: MotoServer
) -> None:
    """``AWS_ENDPOINT_URL`` from ``.env`` (not the process environment) is where Bedrock and S3 calls go."""
    moto_session.reset()
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_BEDROCK", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    (tmp_path / ".env").write_text(
        f"AWS_ENDPOINT_URL={moto_session.endpoint_url}\nFINETUNE_BUCKET=dotenv-bucket\n", encoding="utf-8"
    )
    boto3.client("s3", region_name="us-east-1", endpoint_url=moto_session.endpoint_url).create_bucket(
        Bucket="dotenv-bucket"
    )
    dataset = tmp_path / "train.jsonl"
    dataset.write_text('{"prompt": "q", "completion": "a"}\n', encoding="utf-8")

    adapters = aws_adapters(load_settings())
    jobs, storage = adapters.jobs, adapters.storage

    assert storage is not None
    uri = storage.upload(dataset, key="finetune-bot/datasets/train.jsonl")
    assert storage.inspect(uri).size == dataset.stat().st_size
    assert list(jobs.in_progress()) == []
    assert "general answer" in adapters.chat.ask(ChatRequest.question("amazon.nova-micro-v1:0", "Hello")).text
    moto_session.reset()


OAUTH = {
    "SLACK_CLIENT_ID": "1234567890.0987654321",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "x" * 32,
    "SLACK_SIGNING_SECRET": "signing-secret",
}


def test_a_client_id_turns_on_oauth_mode_with_the_manifests_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OAUTH.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    settings.check_slack_mode()
    assert settings.oauth_mode
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert settings.scopes == manifest["oauth_config"]["scopes"]["bot"]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN is set in OAuth mode"),
        ({"FINETUNE_ALLOWED_TEAMS": "T012ABCDEF"}, "FINETUNE_ALLOWED_TEAMS is set in OAuth mode"),
        ({"SLACK_CLIENT_SECRET": None}, "SLACK_CLIENT_SECRET is not set"),
        ({"SLACK_STATE_SECRET": None}, "SLACK_STATE_SECRET is not set"),
        ({"SLACK_SIGNING_SECRET": None}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_CLIENT_ID": None}, "SLACK_CLIENT_SECRET or SLACK_STATE_SECRET is set without SLACK_CLIENT_ID"),
    ],
)
def test_an_incomplete_or_mixed_oauth_setup_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, str | None], says: str
) -> None:
    for name, value in (OAUTH | changes).items():
        if value is not None:
            monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=says) as refused:
        load_settings().check_slack_mode()
    assert "\n" not in str(refused.value)
    assert "client-secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SLACK_CLIENT_ID", "my-app", "must be digits, a dot and digits"),
        ("SLACK_STATE_SECRET", "short", "at least 32 characters"),
        ("SLACK_SCOPES", "chat:write, Not A Scope", "Slack bot scopes"),
    ],
)
def test_malformed_oauth_settings_are_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings()
    assert says in str(refused.value)
    if name == "SLACK_STATE_SECRET":
        assert "short" not in str(refused.value)


def test_one_workspace_still_needs_its_bot_token() -> None:
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN is not set"):
        load_settings().check_slack_mode()
