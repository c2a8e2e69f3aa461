"""Settings: defaults, and one clear line naming the variable when one is missing or malformed."""

from __future__ import annotations

import pytest

from bot.settings import REQUIREMENTS, SettingsError, load_settings

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
    assert settings.admins == frozenset()
    assert settings.finetune_max_upload_mb == 1024
    assert settings.max_upload_bytes == 1024 * 1024 * 1024
    assert settings.port == 3000
    assert not settings.socket_mode
    assert settings.dataset_buckets == frozenset()
    assert settings.allowed_teams == frozenset()


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
        ("AWS_REGION", "Virginia"),
        ("AWS_ENDPOINT_URL", "localhost:5000"),
        ("FINETUNE_ROLE_ARN", "my-role"),
        ("FINETUNE_BUCKET", "Not_A_Bucket"),
        ("FINETUNE_POLL_SECONDS", "soon"),
        ("FINETUNE_POLL_SECONDS", "0"),
        ("FINETUNE_UPDATE_MINUTES", "0"),
        ("FINETUNE_UPDATE_MINUTES", "half an hour"),
        ("FINETUNE_ADMINS", "alice,bob"),
        ("FINETUNE_MAX_UPLOAD_MB", "0"),
        ("FINETUNE_DATASET_BUCKETS", "good-bucket,Bad_Bucket"),
        ("FINETUNE_ALLOWED_TEAMS", "T012ABC,general"),
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
