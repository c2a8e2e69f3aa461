"""Many workspaces over HTTP: two install through Slack's OAuth flow, each starts a job, neither sees the other's.

``serve`` runs in OAuth mode against the Slack emulator (which plays Slack's install page and ``oauth.v2.access``,
and lets a token reach only its own workspace's channels), moto and a real Redis. A browser helper walks the
install: the bot's ``/slack/install`` page, Slack's approval, the bot's ``/slack/oauth_redirect``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
import redis

from bot.app import NOT_INSTALLED
from bot.sandbox import payloads
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.ids import slack_id
from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.conftest import SIGNING_SECRET
from tests.integration.test_conversation_flow import CASES
from tests.integration.test_home_tab import wait_home
from tests.jobs.monitoring.moto_jobs import set_status
from tests.support.bot_process import BotProcess
from tests.support.browser import Browser, Page
from tests.support.moto_server import MotoServer
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, bot_environment, full_text
from workflows.adapters.redis_deployments import RedisDeployments
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

CLIENT_ID, CLIENT_SECRET = "1234567890.0987654321", "the-apps-client-secret"
STATE_SECRET = "a-state-secret-of-more-than-thirty-two-characters"
HOME = "T0SANDBOX01"
BETA, BETA_CHANNEL, BEA = "T0BETA", "C0BETA", "U0BEA"
NOVA = CASES[2]
WAIT = 30
#: A training price for the model the jobs use, so ``cost`` counts them.
PRICES = f"""\
models:
  "{NOVA.model_id}":
    training_per_1k_tokens: {{usd: "10.00", as_of: 2026-11-01, source: "the team's negotiated rate"}}
"""


class Workspaces:
    """The bot in OAuth mode, the emulator with a second workspace, and a driver per workspace."""

    def __init__(self, bot: BotProcess, emulator: SlackEmulator, client: redis.Redis) -> None:
        self.bot, self.emulator, self.redis = bot, emulator, client
        emulator.configure_oauth(CLIENT_ID, CLIENT_SECRET, redirect_uri=f"{bot.base_url}/slack/oauth_redirect")
        self.home = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        self.beta = SlackDriver(
            bot.events_url, SIGNING_SECRET, emulator, team_id=BETA, default_user=BEA, default_channel=BETA_CHANNEL
        )

    def install(self, team: str, browser: Browser | None = None) -> Page:
        """A workspace admin's install: the install page, Slack's approval for ``team``, back to the bot."""
        browser = browser or Browser()
        page = browser.get(f"{self.bot.base_url}/slack/install")
        assert page.status == 200, page.body
        approved = browser.get(f"{page.link(self.emulator.authorize_url)}&team={team}")
        assert approved.status == 302
        return browser.get(approved.location)

    def start_job(self, driver: SlackDriver, channel: str) -> str:
        """A one-line setup in ``channel``, started; the name of the job it made."""
        text = f"new type=conversation model={NOVA.model_id} data=s3://{BUCKET}/data/train.jsonl"
        assert driver.slash_command(text).status == 200
        root = self.emulator.wait_for_message(channel, contains="is setting up a fine-tuning job", timeout=WAIT)
        self.reply(channel, root.ts, "Review your fine-tuning job")
        driver.click("Start fine-tuning", thread_ts=root.ts)
        self.reply(channel, root.ts, "Started fine-tuning job")
        team = driver.workspace.team_id
        (record,) = RedisJobRecords(self.redis).in_channel(team=team, channel=channel, limit=5)
        return record.job_name

    def reply(self, channel: str, thread: str, contains: str) -> str:
        def found() -> str | None:
            texts = [full_text(m) for m in self.emulator.messages(channel, thread) if m.from_bot]
            return next((text for text in reversed(texts) if contains in text), None)

        text = self.emulator.wait_for(found, WAIT, f"a reply containing {contains!r} in {channel}")
        assert text is not None
        return text

    def ask(self, driver: SlackDriver, command: str, contains: str) -> str:
        """Run a command and read the answer only its person sees."""
        assert driver.slash_command(command).status == 200
        channel, user = driver.default_channel, driver.default_user

        def found() -> str | None:
            texts = [full_text(e) for e in self.emulator.ephemerals(channel, user)]
            return next((text for text in reversed(texts) if contains in text), None)

        text = self.emulator.wait_for(found, WAIT, f"an answer to {command!r} containing {contains!r}")
        assert text is not None
        return text

    def posts_to(self, channel: str, since: float) -> list[str]:
        """The Web API calls the bot made about ``channel`` since ``since`` (any method, answered or not)."""
        return [
            call.method
            for call in self.emulator.calls()
            if call.time >= since and call.params.get("channel") == channel
        ]

    def event(self, driver: SlackDriver, event: dict[str, object]) -> int:
        envelope = payloads.event_envelope(driver.workspace, event, event_id=slack_id("Ev"))
        return driver.send_raw(json.dumps(envelope).encode(), "application/json").status


@pytest.fixture
def workspaces(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    redis_url: str,
    aws: MotoServer,
    tmp_path: Path,
) -> Iterator[Workspaces]:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="data/train.jsonl", Body=sample_bytes(CONVERSATION))
    emulator.add_workspace(BETA, "Beta")
    emulator.add_channel(BETA_CHANNEL, "beta-ml", team_id=BETA)
    emulator.add_user(BEA, "bea", team_id=BETA)
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    )
    del env["SLACK_BOT_TOKEN"]
    prices = tmp_path / "prices.yml"
    prices.write_text(PRICES, encoding="utf-8")
    env |= {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_STATE_SECRET": STATE_SECRET,
        "FINETUNE_POLL_SECONDS": "1",
        "FINETUNE_ADMINS": f"{USER},{BEA}",
        "FINETUNE_PRICES_FILE": str(prices),
    }
    running = Workspaces(bot_factory(env), emulator, redis_client)
    yield running
    print(running.bot.log())  # shown when the test failed


def deployment(name: str, team: str, channel: str) -> DeploymentRecord:
    """A deleted Provisioned Throughput of ``team`` (kept for ``deployments`` and ``cost``; nothing to watch)."""
    now = datetime.now(UTC)
    return DeploymentRecord(
        name=name,
        route=Route.PROVISIONED,
        arn=f"arn:aws:bedrock:{REGION}:123456789012:provisioned-model/{name}",
        status=DeploymentStatus.DELETED,
        model_arn=f"arn:aws:bedrock:{REGION}:123456789012:custom-model/{name}",
        base_model_id=NOVA.model_id,
        team=team,
        channel=channel,
        thread_ts="1.000001",
        owner=USER,
        deployed_by=USER,
        created_at=now,
        deleted_at=now,
    )


def test_two_workspaces_install_and_never_see_each_others_jobs_costs_deployments_home_or_audit(
    workspaces: Workspaces, emulator: SlackEmulator, redis_client: redis.Redis
) -> None:
    for team in (HOME, BETA):
        done = workspaces.install(team)
        assert done.status == 200, done.body
    assert redis_client.exists(f"finetune:install:bot:team:{HOME}", f"finetune:install:bot:team:{BETA}") == 2
    tokens = [call for call in emulator.calls("oauth.v2.access") if call.ok]
    assert len(tokens) == 2

    home_job = workspaces.start_job(workspaces.home, CHANNEL)
    beta_job = workspaces.start_job(workspaces.beta, BETA_CHANNEL)
    assert home_job != beta_job
    # Every call about a channel carried its own workspace's token: none was refused as another workspace's.
    assert not [call for call in emulator.calls() if call.error == "channel_not_found"]
    store = RedisDeployments(redis_client)
    store.save(deployment("home-throughput", HOME, CHANNEL))
    store.save(deployment("beta-throughput", BETA, BETA_CHANNEL))

    for driver, own, other in (
        (
            workspaces.home,
            (home_job, "home-throughput", CHANNEL, USER),
            (beta_job, "beta-throughput", BETA_CHANNEL, BEA),
        ),
        (
            workspaces.beta,
            (beta_job, "beta-throughput", BETA_CHANNEL, BEA),
            (home_job, "home-throughput", CHANNEL, USER),
        ),
    ):
        listed = workspaces.ask(driver, "list", "Fine-tuning jobs started in this channel")
        assert own[0] in listed
        assert other[0] not in listed
        cost = workspaces.ask(driver, "cost", "Estimated fine-tuning spend")
        assert "for 1 job" in cost
        assert own[2] in cost
        assert other[2] not in cost
        served = workspaces.ask(driver, "deployments", "Deployments in this workspace")
        assert own[1] in served
        assert other[1] not in served
        audit = workspaces.ask(driver, "audit 50", "audit entr")
        assert f"`job.started` by <@{own[3]}>" in audit
        assert other[0] not in audit
        assert f"<@{other[3]}>" not in audit
        status = workspaces.ask(driver, f"status {other[0]}", other[0])
        assert "Started by" not in status
        assert driver.open_home(user=own[3]).status == 200
        home = wait_home(emulator, own[3], lambda text, job=own[0]: f"`{job}`" in text, "with the person's job")
        assert "*Running jobs* (1)" in home
        assert other[0] not in home
    # Every Home tab was published with its own workspace's token (the emulator refuses another's people).
    assert not [call for call in emulator.calls("views.publish") if not call.ok]

    # Beta uninstalls the app: Slack revokes its token and tells the bot, which forgets the installation.
    assert emulator.uninstall(BETA) == 1
    uninstalled = time.time()
    assert workspaces.event(workspaces.beta, {"type": "app_uninstalled"}) == 200
    assert workspaces.event(workspaces.beta, {"type": "tokens_revoked", "tokens": {"bot": ["U0FINETUNE"]}}) == 200
    emulator.wait_for(
        lambda: not redis_client.exists(f"finetune:install:bot:team:{BETA}"), 10, "beta's installation to go"
    )
    assert redis_client.exists(f"finetune:install:bot:team:{HOME}") == 1

    assert workspaces.ask(workspaces.beta, "list", "not installed in this workspace") == NOT_INSTALLED

    set_status(beta_job, JobStatus.COMPLETED)
    set_status(home_job, JobStatus.COMPLETED)
    emulator.wait_for_message(CHANNEL, contains="completed.", timeout=WAIT)
    time.sleep(3)  # a few more ticks, in which beta's finished job is seen and not announced
    assert workspaces.posts_to(BETA_CHANNEL, uninstalled) == []
    assert not [m for m in emulator.all_messages(BETA_CHANNEL) if "completed." in m.text]


def test_a_replayed_or_forged_state_is_refused_and_installs_nothing(
    workspaces: Workspaces, emulator: SlackEmulator, redis_client: redis.Redis
) -> None:
    browser = Browser()
    page = browser.get(f"{workspaces.bot.base_url}/slack/install")
    approved = browser.get(f"{page.link(emulator.authorize_url)}&team={BETA}")
    callback = approved.location

    first = browser.get(callback)
    assert first.status == 200, first.body
    redis_client.delete(f"finetune:install:bot:team:{BETA}", f"finetune:install:installation:team:{BETA}")
    exchanges = len(emulator.calls("oauth.v2.access"))

    replayed = browser.get(callback)
    assert replayed.status != 200
    forged_state = callback.replace("state=", "state=x", 1)
    forged = browser.get(forged_state)
    assert forged.status != 200
    stranger = Browser(cookies=dict(browser.cookies))
    approved_again = stranger.get(
        f"{stranger.get(f'{workspaces.bot.base_url}/slack/install').link(emulator.authorize_url)}&team={BETA}"
    )
    stranger.cookies.clear()  # the callback arrives in a browser that never visited the install page
    assert stranger.get(approved_again.location).status != 200

    assert len(emulator.calls("oauth.v2.access")) == exchanges
    assert redis_client.exists(f"finetune:install:bot:team:{BETA}") == 0


def test_a_request_from_a_workspace_without_an_installation_is_answered_clearly(
    workspaces: Workspaces, emulator: SlackEmulator
) -> None:
    assert workspaces.ask(workspaces.beta, "list", "not installed in this workspace") == NOT_INSTALLED
    assert workspaces.beta.message("hello").status == 200
    assert workspaces.bot.process.poll() is None
    assert workspaces.posts_to(BETA_CHANNEL, 0) == []
