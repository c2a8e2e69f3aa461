"""The composition root: the only place that turns settings into concrete clients and services.

``serve`` uses it, and so do the demo and the sandbox, so all of them run the same app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.app import AFTER_ACK_THREADS, create_app
from bot.downloads import SlackFileDownloader, trusted_file_origins
from bot.guard.identity import TokenWorkspace
from bot.guard.middleware import RequestGuard
from bot.installations import InstalledTokens, SharedInstallationStore, SharedStateStore
from bot.notifier import SlackNotifier
from bot.policy_file import PolicySource
from bot.queue_poller import QueuePoller
from bot.server import INSTALL_PATH, REDIRECT_PATH
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import build_web_client
from bot.usergroups import SlackUserGroups
from bot.workspace_clients import ContextExecutor, SingleToken, TokenSource, WorkspaceClients
from workflows.adapters.aws_clients import bedrock_client, bedrock_runtime_client, s3_client, sqs_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.adapters.bedrock_chat import BedrockChat
from workflows.adapters.bedrock_deployments import BedrockDeployments
from workflows.adapters.bedrock_logging import BedrockInvocationLogging
from workflows.adapters.cloudwatch_metrics import CloudWatchInvocations, cloudwatch_client
from workflows.adapters.iam_roles import IamRoles, iam_client
from workflows.adapters.lambda_graders import LambdaGraders, lambda_client
from workflows.adapters.redis_approvals import RedisApprovals
from workflows.adapters.redis_audit import RedisAuditLog
from workflows.adapters.redis_connection import RedisHealth, connect, connect_briefly
from workflows.adapters.redis_conversations import RedisConversationStore
from workflows.adapters.redis_coordination import RedisEventLog, RedisLocks, RedisRequestLog
from workflows.adapters.redis_deployments import RedisDeployments
from workflows.adapters.redis_installations import RedisInstallations, RedisOAuthStates
from workflows.adapters.redis_job_events import RedisJobEventMarks
from workflows.adapters.redis_job_history import RedisJobHistory
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.adapters.redis_key_upgrade import LegacyKeyUpgrade
from workflows.adapters.redis_token_charges import RedisTokenCharges
from workflows.adapters.redis_tryouts import RedisTryThreads
from workflows.adapters.s3 import S3Datasets
from workflows.adapters.sqs_queue import WAIT_SECONDS, SqsQueue
from workflows.availability import Availability
from workflows.catalogue.loader import load_catalogue
from workflows.clock import SystemClock
from workflows.datasets.checking import DatasetChecker
from workflows.deployments.comparison.comparisons import Comparisons
from workflows.deployments.deployment_commands import DeploymentCommands
from workflows.deployments.deployment_spending import DeploymentSpending
from workflows.deployments.deployment_usage import DeploymentUsage
from workflows.deployments.idle_reminders import IdleReminders
from workflows.deployments.token_charges import TokenMeter, TokenSpending
from workflows.deployments.tryout_commands import TryCommands
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approvals import ApprovalKind
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.governance_ports import AuditLog, Spending
from workflows.governance.spending_sum import SpendingSum
from workflows.home.home_tab import HomeTab
from workflows.jobs.job_commands import JobCommands
from workflows.jobs.job_spending import JobSpending
from workflows.jobs.launch import JobLauncher
from workflows.jobs.monitoring.event_intake import JobEventIntake
from workflows.jobs.monitoring.lease import SchedulerLease, lease_ttl
from workflows.jobs.monitoring.orphans import OrphanAdopter
from workflows.jobs.monitoring.pacing import PacedNotifier
from workflows.jobs.monitoring.tick import JobMonitor
from workflows.keys import OAUTH_STATE_TTL_SECONDS, Keyspace
from workflows.ports import Locks, OAuthStates
from workflows.setup.service import ConversationService, Deadlines

#: Threads that ask the models in comparisons; more comparisons at once wait their turn.
COMPARISON_THREADS = 2
#: Threads that publish Home tabs after a change; changes for a person already queued are folded in.
HOME_THREADS = 2


@dataclass(frozen=True)
class Runtime:
    """Everything a running bot is made of."""

    settings: Settings
    services: Services
    app: App
    #: The status tick; ``serve`` runs it on a schedule (through ``tick``).
    monitor: JobMonitor
    #: Who the bot token belongs to (``auth.test``, asked once); ``serve`` asks at start. None in OAuth mode, where
    #: each workspace's installation says it.
    workspace: TokenWorkspace | None
    #: ``/slack/events`` over HTTP: verification, size cap, replay, then Bolt; None in Socket Mode.
    guard: RequestGuard | None
    #: The governance policy in force (``FINETUNE_POLICY_FILE``), read at start and again when it changes.
    policy: PolicySource
    #: Moves records kept under the key names used before hash tags; True once done (``serve`` asks at start,
    #: and each tick until it is done, so a Redis that was down at start is upgraded when it answers).
    upgrade_keys: Callable[[], bool]
    #: OAuth mode's install pages (``/slack/install``, ``/slack/oauth_redirect``) through Bolt's OAuth flow; None with
    #: one bot token.
    install_pages: SlackRequestHandler | None = None
    #: The thread that takes job state changes from ``FINETUNE_EVENTS_QUEUE_URL``; ``serve`` starts and stops it.
    #: None without a queue (polling only).
    intake: QueuePoller | None = None

    def tick(self) -> None:
        """One scheduled pass: re-drive what setups still owe (messages, overdue checks and launches), then
        the requests for approval (sent, expired, settled), then the status tick (jobs, then deployments); each
        part runs even when an earlier one fails."""
        self.upgrade_keys()
        try:
            self.services.conversations.sweep()
        finally:
            try:
                self.services.approvals.sweep()
            finally:
                self.monitor.tick()


def build_runtime(settings: Settings) -> Runtime:
    """Clients, services, the Bolt app and its request guard for ``settings``; connects to nothing yet.

    The policy file is read here, before anything else starts: ``PolicyFileError`` when it cannot be used.
    """
    settings.check_slack_mode()
    signing_secret = None if settings.socket_mode else _signing_secret(settings)
    policy = PolicySource(settings.finetune_policy_file)
    policy.load()
    redis_client = connect(settings.redis_url, cluster=settings.redis_cluster)
    storage_up = Availability(RedisHealth(settings.redis_url, cluster=settings.redis_cluster))
    keyspace = Keyspace(settings.redis_key_prefix)
    oauth, workspace = None, None
    tokens: TokenSource
    if settings.oauth_mode:
        store = SharedInstallationStore(RedisInstallations(redis_client, keyspace=keyspace))
        oauth = oauth_settings(settings, store, RedisOAuthStates(redis_client, keyspace=keyspace))
        tokens = InstalledTokens(store)
    else:
        assert settings.slack_bot_token is not None
        token = settings.slack_bot_token.get_secret_value()
        tokens = SingleToken(token)
        workspace = TokenWorkspace(
            build_web_client(token=token, base_url=settings.slack_api_url), allowed_teams=settings.allowed_teams
        )
    clients = WorkspaceClients(tokens, base_url=settings.slack_api_url)
    client = clients.current
    notifier = SlackNotifier(client)
    catalogue = load_catalogue(settings.finetune_prices_file)
    clock = SystemClock()
    aws = aws_adapters(settings)
    jobs, storage = aws.jobs, aws.storage
    deployment_store = RedisDeployments(redis_client, keyspace=keyspace)
    charges = RedisTokenCharges(redis_client, keyspace=keyspace)
    audit = RedisAuditLog(
        redis_client, retention=timedelta(days=settings.finetune_audit_retention_days), keyspace=keyspace
    )
    spending = SpendingSum(
        JobSpending(history=RedisJobHistory(redis_client, keyspace=keyspace), catalogue=catalogue),
        DeploymentSpending(deployment_store),
        TokenSpending(charges),
    )
    groups = SlackUserGroups(client)
    gatekeeper = governance(
        settings,
        policy=policy,
        groups=groups,
        audit=audit,
        spending=spending,
        locks=RedisLocks(redis_client, keyspace=keyspace),
    )
    meter = TokenMeter(charges=charges, catalogue=catalogue, clock=clock, gatekeeper=gatekeeper)
    checker = DatasetChecker(
        files=SlackFileDownloader(clients.token, trusted_origins=trusted_file_origins(settings.slack_api_url)),
        storage=storage,
        catalogue=catalogue,
        max_upload_bytes=settings.max_upload_bytes,
        dataset_buckets=settings.dataset_buckets,
    )
    records = RedisJobRecords(redis_client, keyspace=keyspace)
    locks = RedisLocks(redis_client, keyspace=keyspace)
    setups = RedisConversationStore(redis_client, keyspace=keyspace)
    approvals = ApprovalDesk(
        store=RedisApprovals(redis_client, keyspace=keyspace),
        posts=notifier,
        threads=notifier,
        groups=groups,
        gatekeeper=gatekeeper,
        locks=locks,
        clock=clock,
    )
    home = HomeTab(
        setups=setups,
        jobs=records,
        deployments=deployment_store,
        spending=spending,
        gatekeeper=gatekeeper,
        catalogue=catalogue,
        clock=clock,
        publisher=notifier,
        background=ContextExecutor(max_workers=HOME_THREADS, thread_name_prefix="home"),
        approvals=approvals,
    )
    approvals.show_on_homes(home)
    launcher = JobLauncher(
        jobs=jobs,
        records=records,
        notifier=notifier,
        locks=locks,
        catalogue=catalogue,
        clock=clock,
        role_arn=settings.finetune_role_arn,
        bucket=settings.finetune_bucket,
        lock_seconds=settings.finetune_launch_timeout_seconds,
    )
    conversations = ConversationService(
        store=setups,
        home=home,
        notifier=notifier,
        posts=notifier,
        locks=locks,
        deadlines=Deadlines(
            check=settings.finetune_check_timeout_seconds, launch=settings.finetune_launch_timeout_seconds
        ),
        datasets=checker,
        launcher=launcher,
        graders=aws.graders,
        roles=aws.roles,
        role_arn=settings.finetune_role_arn,
        invocation_logging=aws.invocation_logging,
        catalogue=catalogue,
        clock=clock,
        region=settings.aws_region,
        max_upload_bytes=settings.max_upload_bytes,
        storage_up=storage_up,
        gatekeeper=gatekeeper,
        approvals=approvals,
    )
    approvals.serve(ApprovalKind.JOB, conversations)
    deployment_usage = DeploymentUsage(store=deployment_store, invocations=aws.invocations, catalogue=catalogue)
    deployments = DeploymentCommands(
        deployments=aws.deployments,
        store=deployment_store,
        jobs=jobs,
        records=records,
        notifier=notifier,
        locks=locks,
        catalogue=catalogue,
        clock=clock,
        region=settings.aws_region,
        admins=settings.admins,
        usage=deployment_usage,
        gatekeeper=gatekeeper,
        home=home,
        approvals=approvals,
    )
    approvals.serve(ApprovalKind.DEPLOYMENT, deployments)
    comparisons = Comparisons(
        chat=aws.chat,
        store=deployment_store,
        jobs=jobs,
        storage=storage,
        notifier=notifier,
        locks=locks,
        clock=clock,
        background=ContextExecutor(max_workers=COMPARISON_THREADS, thread_name_prefix="compare"),
        # The job's own validation file may be in FINETUNE_BUCKET (uploaded from Slack) as well as the listed buckets.
        dataset_buckets=settings.dataset_buckets | frozenset(filter(None, [settings.finetune_bucket])),
        default_prompts=settings.finetune_compare_prompts,
        catalogue=catalogue,
        region=settings.aws_region,
        meter=meter,
    )
    services = Services(
        healthy=storage_up,
        conversations=conversations,
        events=RedisEventLog(redis_client, keyspace=keyspace),
        catalogue=catalogue,
        region=settings.aws_region,
        jobs=JobCommands(
            jobs=jobs,
            records=records,
            history=RedisJobHistory(redis_client, keyspace=keyspace),
            catalogue=catalogue,
            clock=clock,
            region=settings.aws_region,
            admins=settings.admins,
            serving=deployment_usage,
            charges=charges,
            gatekeeper=gatekeeper,
        ),
        deployments=deployments,
        tryouts=TryCommands(
            chat=aws.chat,
            threads=RedisTryThreads(redis_client, keyspace=keyspace),
            store=deployment_store,
            jobs=jobs,
            records=records,
            notifier=notifier,
            clock=clock,
            catalogue=catalogue,
            region=settings.aws_region,
            meter=meter,
        ),
        governance=gatekeeper,
        approvals=approvals,
        comparisons=comparisons,
        home=home,
        after_ack=ContextExecutor(max_workers=AFTER_ACK_THREADS, thread_name_prefix="after-ack"),
    )
    paced = PacedNotifier(notifier)
    idle = IdleReminders(
        store=deployment_store,
        invocations=aws.invocations,
        notifier=notifier,
        timers=locks,
        clock=clock,
        idle_hours=settings.finetune_idle_hours,
        check_seconds=settings.finetune_idle_check_seconds,
    )
    adopter = OrphanAdopter(
        origins=jobs,
        records=records,
        notifier=paced,
        locks=locks,
        catalogue=catalogue,
        clock=clock,
        region=settings.aws_region,
    )
    monitor = JobMonitor(
        jobs=jobs,
        records=records,
        notifier=paced,
        timers=locks,
        lease=SchedulerLease(locks, ttl_seconds=lease_ttl(settings.finetune_poll_seconds)),
        catalogue=catalogue,
        clock=clock,
        region=settings.aws_region,
        update_every=timedelta(minutes=settings.finetune_update_minutes),
        storage=storage,
        adopter=adopter,
        also_watch=lambda: _upkeep(deployments, idle),
        reconcile_every=settings.reconcile_seconds,
        home=home,
    )
    intake = None
    if settings.finetune_events_queue_url:
        queue = SqsQueue(
            sqs_client(settings.aws_region, endpoint_url=settings.aws_endpoint_url, wait_seconds=WAIT_SECONDS),
            queue_url=settings.finetune_events_queue_url,
        )
        marks = RedisJobEventMarks(redis_client, keyspace=keyspace)
        events = JobEventIntake(queue=queue, marks=marks, records=records, jobs=jobs, monitor=monitor)
        intake = QueuePoller(events.poll, wait_seconds=WAIT_SECONDS, storage_up=storage_up)
    bolt_client = build_web_client(token=None, base_url=settings.slack_api_url)
    app = create_app(client=bolt_client, services=services, workspace=workspace, oauth=oauth)
    replays = RedisRequestLog(connect_briefly(settings.redis_url, cluster=settings.redis_cluster), keyspace=keyspace)
    guard = None if signing_secret is None else RequestGuard(app, signing_secret=signing_secret, requests=replays)
    return Runtime(
        settings=settings,
        services=services,
        app=app,
        monitor=monitor,
        workspace=workspace,
        guard=guard,
        upgrade_keys=LegacyKeyUpgrade(redis_client, keyspace=keyspace).ensure,
        intake=intake,
        policy=policy,
        install_pages=None if oauth is None else SlackRequestHandler(app),
    )


def governance(
    settings: Settings,
    *,
    policy: PolicySource,
    groups: SlackUserGroups,
    audit: AuditLog,
    spending: Spending,
    locks: Locks,
) -> Gatekeeper:
    """The gatekeeper that asks the policy; each reload of the file (or refusal of a bad one) is recorded."""

    def reloaded(path: str) -> None:
        gatekeeper.record(AuditAction.POLICY_RELOADED, None, subject=path)

    def refused(problem: str) -> None:
        gatekeeper.record(AuditAction.POLICY_RELOAD_REFUSED, None, subject="policy file", detail=problem)

    policy.on_reload, policy.on_refused = reloaded, refused
    gatekeeper = Gatekeeper(
        policy=policy,
        groups=groups,
        audit=audit,
        clock=SystemClock(),
        admins=settings.admins,
        spending=spending,
        locks=locks,
    )
    return gatekeeper


@dataclass(frozen=True)
class AwsAdapters:
    """The AWS side of the bot: jobs and deployments share one Bedrock client; deployed and base models answer
    through bedrock-runtime (``chat``); S3 only when a bucket is set."""

    jobs: BedrockJobs
    deployments: BedrockDeployments
    chat: BedrockChat
    #: The deployments' use, from CloudWatch (``AWS/Bedrock``).
    invocations: CloudWatchInvocations
    #: Reinforcement fine-tuning's grader Lambdas.
    graders: LambdaGraders
    #: IAM's policy simulator, for what the service role may invoke.
    roles: IamRoles
    #: Bedrock's model invocation logging settings (distillation from invocation logs).
    invocation_logging: BedrockInvocationLogging
    storage: S3Datasets | None


def aws_adapters(settings: Settings) -> AwsAdapters:
    """Bedrock, bedrock-runtime, and S3 when a bucket is set, at ``AWS_ENDPOINT_URL`` (``.env`` included)."""
    endpoint = settings.aws_endpoint_url
    bedrock = bedrock_client(settings.aws_region, endpoint_url=endpoint)
    storage = None
    if settings.finetune_bucket:
        s3 = s3_client(settings.aws_region, endpoint_url=endpoint)
        storage = S3Datasets(s3, bucket=settings.finetune_bucket, region=settings.aws_region)
    chat = BedrockChat(bedrock_runtime_client(settings.aws_region, endpoint_url=endpoint))
    invocations = CloudWatchInvocations(cloudwatch_client(settings.aws_region, endpoint_url=endpoint))
    return AwsAdapters(
        jobs=BedrockJobs(bedrock),
        deployments=BedrockDeployments(bedrock),
        chat=chat,
        invocations=invocations,
        graders=LambdaGraders(lambda_client(settings.aws_region, endpoint_url=endpoint)),
        roles=IamRoles(iam_client(settings.aws_region, endpoint_url=endpoint)),
        invocation_logging=BedrockInvocationLogging(bedrock),
        storage=storage,
    )


def oauth_settings(settings: Settings, store: SharedInstallationStore, state_records: OAuthStates) -> OAuthSettings:
    """Bolt's OAuth flow for ``SLACK_CLIENT_ID``: install pages at ``/slack/install`` and ``/slack/oauth_redirect``,
    installations and states shared by the replicas, Slack's authorize page beside ``SLACK_API_URL``."""
    assert settings.slack_client_id is not None
    assert settings.slack_client_secret is not None
    assert settings.slack_state_secret is not None
    states = SharedStateStore(
        state_records,
        secret=settings.slack_state_secret.get_secret_value(),
        ttl_seconds=OAUTH_STATE_TTL_SECONDS,
    )
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=settings.scopes,
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=OAUTH_STATE_TTL_SECONDS,
    )


def authorization_url(api_url: str) -> str:
    """Slack's page where a person approves an install: ``https://slack.com/oauth/v2/authorize`` for the real API."""
    return api_url.removesuffix("/").removesuffix("/api") + "/oauth/v2/authorize"


def _upkeep(deployments: DeploymentCommands, idle: IdleReminders) -> None:
    """The deployments' part of the tick: the watch, the idle check when due, then the budgets' (each runs even if
    an earlier one failed)."""
    try:
        deployments.watch()
    finally:
        try:
            idle.check_if_due()
        finally:
            deployments.budget_watch()


def _signing_secret(settings: Settings) -> str:
    settings.require("SLACK_SIGNING_SECRET")
    assert settings.slack_signing_secret is not None
    return settings.slack_signing_secret.get_secret_value()


def audit_log(settings: Settings) -> AuditLog:
    """The audit log alone, for ``finetune-bot audit export`` (no Slack, no AWS)."""
    return RedisAuditLog(
        connect(settings.redis_url),
        retention=timedelta(days=settings.finetune_audit_retention_days),
        keyspace=Keyspace(settings.redis_key_prefix),
    )
