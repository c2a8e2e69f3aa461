"""Typed settings from the environment or a ``.env`` file (PRODUCT.md §3), checked once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflows.datasets.access import BUCKET_NAME, dataset_buckets
from workflows.deployments.comparison.compare_arguments import DEFAULT_PROMPTS, MAX_PROMPTS
from workflows.deployments.idle_check import DEFAULT_IDLE_HOURS, MAX_IDLE_HOURS, MIN_IDLE_HOURS

#: What each setting needs, in words, for the one-line error a person sees when it is wrong.
REQUIREMENTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the bot token from your Slack app's OAuth & Permissions page, starting with xoxb-",
    "SLACK_SIGNING_SECRET": "the signing secret from your Slack app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token with connections:write, starting with xapp- (Socket Mode)",
    "SLACK_CLIENT_ID": "the Client ID from your Slack app's Basic Information page, such as 1234567890.0987654321 "
    "(OAuth mode, for installing in many workspaces)",
    "SLACK_CLIENT_SECRET": "the Client Secret from your Slack app's Basic Information page (OAuth mode)",
    "SLACK_STATE_SECRET": "a random string of at least 32 characters that signs the OAuth state (OAuth mode), "
    "e.g. from: openssl rand -hex 32",
    "SLACK_SCOPES": "bot scopes separated by commas, e.g. commands,chat:write "
    "(OAuth mode; the default is the manifest's)",
    "SLACK_REDIRECT_URI": "the https URL of /slack/oauth_redirect on the bot, as listed under Redirect URLs in the "
    "Slack app's OAuth & Permissions page",
    "SLACK_API_URL": "an http(s) URL ending in /api/, e.g. https://slack.com/api/",
    "REDIS_URL": "a Redis URL such as redis://localhost:6379/0 (redis://, rediss:// or unix://)",
    "REDIS_CLUSTER": "true when REDIS_URL names a node of a Redis Cluster (redis:// or rediss://, database 0), "
    "else false",
    "REDIS_KEY_PREFIX": "letters, digits, '.', '_' or '-' ending in a colon, e.g. finetune:",
    "AWS_REGION": "an AWS region name such as us-east-1",
    "AWS_ENDPOINT_URL": "an http(s) URL, or unset to use AWS itself",
    "FINETUNE_ROLE_ARN": "the ARN of the Bedrock service role, arn:aws:iam::<account>:role/<name>",
    "FINETUNE_BUCKET": "the name of an S3 bucket in AWS_REGION for datasets and job output",
    "FINETUNE_POLL_SECONDS": "a whole number of seconds between job status checks, 1 or more (60 in production)",
    "FINETUNE_UPDATE_MINUTES": "a whole number of minutes between periodic status updates, 1 or more",
    "FINETUNE_CHECK_TIMEOUT_SECONDS": "a whole number of seconds a dataset check may take, 1 or more",
    "FINETUNE_LAUNCH_TIMEOUT_SECONDS": "a whole number of seconds creating a job may take, 1 or more",
    "FINETUNE_IDLE_HOURS": "a number of hours from 0.001 to 8760 (24 in production; fractions such as 0.5 are allowed)",
    "FINETUNE_IDLE_CHECK_SECONDS": "a whole number of seconds between idle checks, from 1 to a year (86400: daily)",
    "FINETUNE_ADMINS": "Slack user ids separated by commas, e.g. U012ABCDEF,U034GHIJKL",
    "FINETUNE_MAX_UPLOAD_MB": "a whole number of megabytes, 1 or more",
    "FINETUNE_PRICES_FILE": "the path of a YAML file with price overrides",
    "FINETUNE_POLICY_FILE": "the path of the governance policy (YAML), or unset to run without one",
    "FINETUNE_AUDIT_RETENTION_DAYS": "a whole number of days to keep audit entries, 1 or more (400 by default)",
    "FINETUNE_DATASET_BUCKETS": "S3 bucket names separated by commas, e.g. my-finetune-bucket,team-datasets",
    "FINETUNE_COMPARE_PROMPTS": f"a whole number of prompts a comparison runs by default, 1 to {MAX_PROMPTS}",
    "FINETUNE_ALLOWED_TEAMS": "Slack team ids separated by commas, e.g. T012ABCDEF,T034GHIJKL",
    "FINETUNE_EVENTS_QUEUE_URL": "the URL of the SQS queue the EventBridge rule feeds, "
    "https://sqs.<region>.amazonaws.com/<account>/<name>",
    "FINETUNE_RECONCILE_SECONDS": "a whole number of seconds between polls of every watched job, 1 or more",
    "PORT": "a TCP port number between 1 and 65535",
}

Port = Annotated[int, Field(ge=1, le=65535)]
#: With job events from a queue, the status tick polls every job only this often, to catch dropped events.
DEFAULT_RECONCILE_SECONDS = 600
#: A Slack user id (``U…``, or ``W…`` on Enterprise Grid).
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")
#: A Slack workspace (team) id.
_SLACK_TEAM = re.compile(r"^T[A-Z0-9]+$")
#: Settings whose values are never shown, only their first characters and length.
SECRETS = frozenset(
    {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"}
)
#: The bot scopes an OAuth install asks for unless SLACK_SCOPES says otherwise: the manifest's (``manifest.yml``).
DEFAULT_SCOPES = (
    "commands,chat:write,files:read,files:write,channels:history,groups:history,reactions:write,users:read,"
    "usergroups:read"
)
#: The shortest state secret accepted: 32 characters (128 bits as hex) and up.
MIN_STATE_SECRET_CHARS = 32
#: A Slack app's client id: digits, a dot, digits.
_CLIENT_ID = re.compile(r"^\d+\.\d+$")
#: A bot scope such as ``chat:write`` or ``commands``.
_SCOPE = re.compile(r"^[a-z_]+(:[a-z_.]+)*$")
#: Characters of a secret shown in an error: enough to tell an xoxb- from an xoxp- token.
SHOWN_SECRET_CHARS = 4
#: Longest value quoted back in an error; longer ones are cut.
SHOWN_VALUE_CHARS = 80
#: Text after a value that a shell or python-dotenv would drop as a comment, but ``docker --env-file`` keeps.
_KEPT_COMMENT = re.compile(r"\s#")
KEPT_COMMENT_HINT = "looks like a comment was kept: docker --env-file keeps text after #"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it and what it needs."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment; built once in the composition root."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    #: OAuth mode (many workspaces): the app's credentials, the secret that signs states, and the scopes asked for.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_scopes: str = DEFAULT_SCOPES
    slack_redirect_uri: str | None = Field(default=None, pattern=r"^https?://")
    slack_api_url: str = "https://slack.com/api/"
    redis_url: str = "redis://localhost:6379/0"
    #: REDIS_URL is one node of a Redis Cluster: the client learns the others from it (redis-py's RedisCluster).
    redis_cluster: bool = False
    #: Every key the bot writes starts with this, the scheduler lease included (``workflows/keys.py``).
    redis_key_prefix: str = Field(default="finetune:", pattern=r"^[A-Za-z0-9._-]+:$")
    aws_region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    aws_endpoint_url: str | None = Field(default=None, pattern=r"^https?://")
    finetune_role_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
    finetune_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    #: The minimum is 1 so tests and the demo can watch jobs move in seconds; Bedrock is polled once per
    #: page of running jobs per tick, so production keeps the default.
    finetune_poll_seconds: int = Field(default=60, ge=1)
    finetune_update_minutes: int = Field(default=30, ge=1)
    #: Deadlines of the busy stages: past them a lost check is re-run and a lost launch resolved in Bedrock.
    finetune_check_timeout_seconds: int = Field(default=900, ge=1)
    finetune_launch_timeout_seconds: int = Field(default=120, ge=1)
    #: Hours a Provisioned Throughput may go without a request before its thread is reminded (and between
    #: two reminders); fractions down to 0.001 let tests and the demo see a reminder in seconds.
    finetune_idle_hours: float = Field(
        default=DEFAULT_IDLE_HOURS, ge=MIN_IDLE_HOURS, le=MAX_IDLE_HOURS, allow_inf_nan=False
    )
    #: How often the idle check runs (once per interval across replicas, on the status tick): daily.
    finetune_idle_check_seconds: int = Field(default=24 * 3600, ge=1, le=366 * 24 * 3600)
    finetune_admins: str | None = None
    finetune_max_upload_mb: int = Field(default=1024, ge=1)
    finetune_prices_file: Path | None = None
    finetune_dataset_buckets: str | None = None
    #: The governance policy (``bot/policy_file.py``); unset: anyone may start and deploy anything.
    finetune_policy_file: Path | None = None
    finetune_audit_retention_days: int = Field(default=400, ge=1)
    finetune_allowed_teams: str | None = None
    #: Bedrock's job state changes arrive on this SQS queue (EventBridge feeds it); polling becomes a reconciler.
    finetune_events_queue_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s/]+/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$"
    )
    #: Seconds between the tick's polls of every watched job; unset: every tick without a queue, 600 with one.
    finetune_reconcile_seconds: int | None = Field(default=None, ge=1)
    #: Held-out prompts a comparison runs when ``n=`` does not say; ``n=`` may ask for up to the same cap.
    finetune_compare_prompts: int = Field(default=DEFAULT_PROMPTS, ge=1, le=MAX_PROMPTS)
    port: Port = 3000

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "slack_state_secret",
        "slack_api_url",
        "redis_url",
        "aws_endpoint_url",
        "finetune_events_queue_url",
        mode="before",
    )
    @classmethod
    def _no_kept_comment(cls, value: object) -> object:
        """A secret or URL never contains `` #``; when it does, an env file's comment came along."""
        if isinstance(value, str) and _KEPT_COMMENT.search(value):
            raise ValueError(KEPT_COMMENT_HINT)
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not _CLIENT_ID.match(value):
            raise ValueError("must be digits, a dot and digits")
        return value

    @field_validator("slack_state_secret")
    @classmethod
    def _state_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_STATE_SECRET_CHARS:
            raise ValueError(f"must be at least {MIN_STATE_SECRET_CHARS} characters")
        return value

    @field_validator("slack_scopes")
    @classmethod
    def _scopes_shape(cls, value: str) -> str:
        if not _listed(value) or not all(_SCOPE.match(part) for part in _listed(value)):
            raise ValueError("must be Slack bot scopes such as commands,chat:write")
        return value

    @field_validator("finetune_admins")
    @classmethod
    def _admins_shape(cls, value: str | None) -> str | None:
        if value is not None and not all(_SLACK_USER.match(part.strip()) for part in value.split(",") if part.strip()):
            raise ValueError("must be Slack user ids such as U012ABCDEF")
        return value

    @field_validator("finetune_dataset_buckets")
    @classmethod
    def _dataset_buckets_shape(cls, value: str | None) -> str | None:
        if value is not None and not all(BUCKET_NAME.match(part) for part in _listed(value)):
            raise ValueError("must be S3 bucket names such as my-finetune-bucket")
        return value

    @field_validator("finetune_allowed_teams")
    @classmethod
    def _allowed_teams_shape(cls, value: str | None) -> str | None:
        if value is not None and not all(_SLACK_TEAM.match(part) for part in _listed(value)):
            raise ValueError("must be Slack team ids such as T012ABCDEF")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("redis_url")
    @classmethod
    def _redis_url_shape(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("redis_cluster")
    @classmethod
    def _cluster_url_shape(cls, value: bool, info: ValidationInfo) -> bool:
        """A cluster is reached over TCP and has only database 0."""
        url = info.data.get("redis_url")
        if not value or not isinstance(url, str):
            return value
        if not url.startswith(("redis://", "rediss://")):
            raise ValueError("a cluster needs REDIS_URL to start with redis:// or rediss://")
        database = url.split("?")[0].split("//", 1)[1].partition("/")[2]
        if database not in ("", "0"):
            raise ValueError(f"a cluster has only database 0, and REDIS_URL names database {database}")
        return value

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is on exactly when an app-level token is configured."""
        return self.slack_app_token is not None

    @property
    def oauth_mode(self) -> bool:
        """Many workspaces through Slack's OAuth install flow: on exactly when a client id is configured."""
        return self.slack_client_id is not None

    @property
    def scopes(self) -> list[str]:
        """The bot scopes an OAuth install asks for."""
        return _listed(self.slack_scopes)

    def check_slack_mode(self) -> None:
        """Fail with one line unless the settings make exactly one of the two modes complete.

        One workspace: ``SLACK_BOT_TOKEN``. Many workspaces (OAuth): ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET`` and
        ``SLACK_STATE_SECRET``, over HTTP (the install pages are web pages), with no bot token and no team list.
        """
        if not self.oauth_mode:
            if self.slack_client_secret is not None or self.slack_state_secret is not None:
                raise SettingsError(
                    "SLACK_CLIENT_SECRET or SLACK_STATE_SECRET is set without SLACK_CLIENT_ID: for OAuth mode set "
                    f"SLACK_CLIENT_ID, which needs {REQUIREMENTS['SLACK_CLIENT_ID']}; for one workspace unset them."
                )
            self.require("SLACK_BOT_TOKEN")
            return
        if self.slack_bot_token is not None:
            raise SettingsError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: OAuth mode takes each workspace's token from its "
                "installation, so unset SLACK_BOT_TOKEN (or unset SLACK_CLIENT_ID to run in one workspace)."
            )
        if self.socket_mode:
            raise SettingsError(
                "SLACK_APP_TOKEN is set in OAuth mode: installing through /slack/install needs HTTP mode, "
                "so unset SLACK_APP_TOKEN."
            )
        if self.allowed_teams:
            raise SettingsError(
                "FINETUNE_ALLOWED_TEAMS is set in OAuth mode: there the workspaces that installed the app are the "
                "ones it acts for, so unset FINETUNE_ALLOWED_TEAMS."
            )
        self.require("SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "SLACK_SIGNING_SECRET")

    @property
    def admins(self) -> frozenset[str]:
        """Slack user ids that may stop anyone's job."""
        return frozenset(part.strip() for part in (self.finetune_admins or "").split(",") if part.strip())

    @property
    def dataset_buckets(self) -> frozenset[str]:
        """Buckets a person may name for datasets: FINETUNE_DATASET_BUCKETS, else FINETUNE_BUCKET alone."""
        return dataset_buckets(self.finetune_dataset_buckets, self.finetune_bucket)

    @property
    def allowed_teams(self) -> frozenset[str]:
        """Workspaces the bot acts for besides the one its token belongs to."""
        return frozenset(_listed(self.finetune_allowed_teams or ""))

    @property
    def reconcile_seconds(self) -> int | None:
        """Seconds between polls of the jobs: FINETUNE_RECONCILE_SECONDS, else 600 with a queue, else every tick."""
        if self.finetune_reconcile_seconds is not None:
            return self.finetune_reconcile_seconds
        return DEFAULT_RECONCILE_SECONDS if self.finetune_events_queue_url else None

    @property
    def max_upload_bytes(self) -> int:
        return self.finetune_max_upload_mb * 1024 * 1024

    def require(self, *names: str) -> None:
        """Fail with one clear line when a setting this command needs is unset."""
        for name in names:
            if getattr(self, name.lower()) is None:
                raise SettingsError(f"{name} is not set: it needs {REQUIREMENTS[name]}.")


def _listed(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting."""
    return [part.strip() for part in value.split(",") if part.strip()]


def load_settings() -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(rejection(exc)) from None


def rejection(exc: ValidationError) -> str:
    """One line: the setting, why it was refused, the value it got (a secret masked) and what it needs."""
    first = exc.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
    need = REQUIREMENTS.get(name, "a valid value")
    why = str(first["msg"]).removeprefix("Value error, ")
    got = first.get("input")
    if isinstance(got, str) and _KEPT_COMMENT.search(got) and why != KEPT_COMMENT_HINT:
        why += f"; {KEPT_COMMENT_HINT}"
    return f"{name} is not valid ({why}): got {shown(name, got)}; it needs {need}."


def shown(name: str, value: object) -> str:
    """``value`` as it may be printed: secrets by their first characters and length, passwords in URLs hidden."""
    if not isinstance(value, str):
        return repr(value)
    if not value:
        return "an empty value"
    if name in SECRETS:
        return f"{value[:SHOWN_SECRET_CHARS]!r}… ({len(value)} characters)"
    text = re.sub(r"://([^:@/\s]*):[^@/\s]*@", r"://\1:***@", value)
    return repr(text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "…")
