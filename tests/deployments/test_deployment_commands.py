"""The deployment commands: deploy once however often confirmed, refusals, the watch's announcements, undeploy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.deployments.deployment_samples import on_demand, ready
from tests.fakes.approvals import approval_desk
from tests.fakes.clock import FakeClock
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.deployments import FakeDeployments
from tests.fakes.governance import gatekeeper
from tests.fakes.home import RecordingHome
from tests.fakes.invocations import FakeInvocations
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, TEAM, record, snapshot
from workflows.catalogue import load_catalogue
from workflows.deployments.deployment_commands import DeploymentCommands
from workflows.deployments.deployment_record import CustomModel, DeploymentStatus, Route
from workflows.deployments.deployment_usage import DeploymentUsage
from workflows.jobs.job import JobStatus
from workflows.messages import Action, Message

CATALOGUE = load_catalogue(None)
ADMIN = "U0ADMIN"
JOB = "tone-1a2b"
MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-lite-v1:0:4k/abc123"


@dataclass(frozen=True)
class Asker:
    team: str = TEAM
    channel: str = "C1"
    user: str = "U1"


ALICE, BOB, ADMIN_ASKS = Asker(), Asker(user="U2"), Asker(user=ADMIN)


@dataclass
class World:
    commands: DeploymentCommands
    deployments: FakeDeployments
    store: MemoryDeploymentStore
    jobs: FakeJobs
    notifier: RecordingNotifier
    locks: MemoryLocks
    records: MemoryRecords
    invocations: FakeInvocations
    home: RecordingHome


@pytest.fixture
def world() -> World:
    deployments, store, jobs = FakeDeployments(), MemoryDeploymentStore(), FakeJobs()
    records, notifier, locks = MemoryRecords(), RecordingNotifier(), MemoryLocks()
    invocations = FakeInvocations()
    home = RecordingHome()
    records.save(record(JOB))
    jobs.put(snapshot(JOB, JobStatus.COMPLETED, custom_model_arn=MODEL_ARN, created_at=START))
    clock, keeper = FakeClock(START + timedelta(hours=3)), gatekeeper()
    commands = DeploymentCommands(
        deployments=deployments,
        store=store,
        jobs=jobs,
        records=records,
        notifier=notifier,
        locks=locks,
        catalogue=CATALOGUE,
        clock=clock,
        region="us-east-1",
        admins=frozenset({ADMIN}),
        usage=DeploymentUsage(store=store, invocations=invocations, catalogue=CATALOGUE),
        gatekeeper=keeper,
        home=home,
        approvals=approval_desk(gatekeeper=keeper, notifier=notifier, clock=clock, locks=locks),
    )
    return World(commands, deployments, store, jobs, notifier, locks, records, invocations, home)


def thread_texts(world: World) -> list[str]:
    return [post.message.text for post in world.notifier.posts if post.thread_ts == record(JOB).thread_ts]


def test_the_confirmation_states_the_hourly_cost_and_carries_deploy_and_cancel(world: World) -> None:
    question = world.commands.ask_to_deploy(ALICE, JOB)

    everything = "\n".join((question.text, *question.details))
    assert "$7.10 per hour" in everything
    assert "billed every hour from creation until it is deleted" in everything
    assert [(button.label, button.action, button.value) for button in question.buttons] == [
        ("Deploy", Action.CONFIRM_DEPLOY, JOB),
        ("Cancel", Action.CANCEL_DEPLOY, JOB),
    ]
    assert world.deployments.requests == []


def test_confirming_twice_creates_one_deployment_one_record_and_one_status_line(world: World) -> None:
    first = world.commands.confirm_deploy(ALICE, JOB)
    second = world.commands.confirm_deploy(ALICE, JOB)

    assert len(world.deployments.requests) == 1
    assert len(world.store.records) == 1
    assert "Deploying" in first.text
    assert "already has a deployment" in second.text
    assert len([text for text in thread_texts(world) if "is deploying" in text]) == 1
    saved = next(iter(world.store.records.values()))
    assert (saved.route, saved.owner, saved.thread_ts) == (Route.PROVISIONED, "U1", record(JOB).thread_ts)


def test_a_confirmation_while_another_is_creating_the_same_name_creates_nothing(world: World) -> None:
    question = world.commands.ask_to_deploy(ALICE, JOB)
    name = next(value for label, value in question.facts if label == "Name").strip("`")
    world.locks.acquire(f"deploy:{name}", ttl_seconds=60)

    answer = world.commands.confirm_deploy(ALICE, JOB)

    assert "being created already" in answer.text
    assert world.deployments.requests == []


def test_someone_else_is_refused_with_who_may(world: World) -> None:
    for answer in (world.commands.ask_to_deploy(BOB, JOB), world.commands.confirm_deploy(BOB, JOB)):
        assert answer.text == "Only <@U1>, who started the job, or an admin may deploy `tone-1a2b`."
    assert world.deployments.requests == []


def test_an_admin_may_deploy_from_another_channel_and_the_jobs_thread_hears_it(world: World) -> None:
    world.commands.confirm_deploy(Asker(channel="C9", user=ADMIN), JOB)

    saved = next(iter(world.store.records.values()))
    assert (saved.owner, saved.deployed_by) == ("U1", ADMIN)
    assert (saved.channel, saved.thread_ts) == (record(JOB).channel, record(JOB).thread_ts)
    assert [post.channel for post in world.notifier.posts] == [record(JOB).channel]


def test_a_job_that_has_not_completed_has_nothing_to_deploy(world: World) -> None:
    world.jobs.set_status(JOB, JobStatus.IN_PROGRESS, custom_model_arn=None)

    answer = world.commands.ask_to_deploy(ALICE, JOB)

    assert answer.text == "`tone-1a2b` has no custom model to deploy: it is InProgress."


def test_an_unknown_job_and_bad_options_are_answered_in_words(world: World) -> None:
    assert "I don't know a job or custom model called `nope`" in world.commands.ask_to_deploy(ALICE, "nope").text
    assert "`units=` takes a whole number" in world.commands.ask_to_deploy(ALICE, f"{JOB} units=many").text


def test_a_custom_model_is_deployed_by_its_name_or_arn(world: World) -> None:
    world.deployments.add_model(CustomModel(arn=MODEL_ARN, name="tone-model", job_name=JOB))

    for target in ("tone-model", MODEL_ARN):
        question = world.commands.ask_to_deploy(ALICE, target)
        assert question.text == f"Deploy `{JOB}` through Provisioned Throughput?"
    world.commands.confirm_deploy(ALICE, "tone-model")

    assert [request.model_arn for request in world.deployments.requests] == [MODEL_ARN]


def test_a_custom_model_this_workspace_did_not_make_is_refused(world: World) -> None:
    world.deployments.add_model(CustomModel(arn=MODEL_ARN + "x", name="console-model", job_name="made-elsewhere"))
    world.deployments.add_model(CustomModel(arn=MODEL_ARN + "y", name="imported-model", job_name=None))
    world.records.save(record("other-team-job", team="T0OTHER"))
    world.deployments.add_model(CustomModel(arn=MODEL_ARN + "z", name="their-model", job_name="other-team-job"))

    for name in ("console-model", "imported-model", "their-model"):
        answer = world.commands.ask_to_deploy(ALICE, name)
        assert f"`{name}` was not made by finetune-bot in this workspace" in answer.text
        world.commands.confirm_deploy(ALICE, name)
    assert "I don't know a job or custom model called `other-team-job`" in (
        world.commands.ask_to_deploy(ALICE, "other-team-job").text
    )
    assert world.deployments.requests == []


def test_the_watch_announces_ready_once(world: World) -> None:
    world.commands.confirm_deploy(ALICE, JOB)
    world.commands.watch()
    world.deployments.settle()

    world.commands.watch()
    world.commands.watch()

    ready = [post.message for post in world.notifier.posts if "is ready" in post.message.text]
    assert len(ready) == 1
    name = next(iter(world.store.records))
    assert [(button.label, button.action, button.value) for button in ready[0].buttons] == [
        ("Try it", Action.TRY_IT, name),
        ("Compare with base", Action.COMPARE, name),
    ]
    assert next(iter(world.store.records.values())).status is DeploymentStatus.IN_SERVICE


def test_the_watch_explains_a_failure_without_bedrocks_words(world: World) -> None:
    world.deployments.fail_next("InternalFailure 0xDEADBEEF")
    world.commands.confirm_deploy(ALICE, JOB)
    world.deployments.settle()

    world.commands.watch()
    world.commands.watch()

    failed = [post.message for post in world.notifier.posts if "failed" in post.message.text]
    assert len(failed) == 1
    assert "0xDEADBEEF" not in "\n".join((failed[0].text, *failed[0].details))
    assert world.store.live() == []


def test_a_deployment_deleted_elsewhere_is_announced_as_gone(world: World) -> None:
    world.commands.confirm_deploy(ALICE, JOB)
    world.deployments.items.clear()

    world.commands.watch()

    assert any("no longer exists in Bedrock" in text for text in thread_texts(world))


def deployed_name(world: World) -> str:
    world.commands.confirm_deploy(ALICE, JOB)
    return next(iter(world.store.records))


def test_undeploy_asks_first_then_deletes_and_says_so_in_the_thread(world: World) -> None:
    name = deployed_name(world)

    question = world.commands.ask_to_undeploy(ALICE, name)
    assert [button.label for button in question.buttons] == ["Delete it", "Keep it"]
    assert name in question.text
    answer = world.commands.confirm_undeploy(ALICE, name)

    assert "Deleted" in answer.text
    assert world.deployments.items == {}
    assert world.store.records[name].status is DeploymentStatus.DELETED
    assert any("was deleted by <@U1>" in text for text in thread_texts(world))


def test_undeploy_is_refused_to_others_and_a_second_delete_finds_nothing(world: World) -> None:
    name = deployed_name(world)

    refused = world.commands.confirm_undeploy(BOB, name)
    world.commands.confirm_undeploy(ADMIN_ASKS, name)
    again = world.commands.ask_to_undeploy(ALICE, name)

    assert refused.text == f"Only <@U1>, who started the job, or an admin may delete `{name}`."
    assert "Deleted already" in again.text
    assert world.commands.ask_to_undeploy(ALICE, "").text.startswith("Say which deployment to delete")


def test_a_committed_throughput_cannot_be_deleted_and_stays_recorded(world: World) -> None:
    world.commands.confirm_deploy(ALICE, f"{JOB} commitment=1m")
    name = next(iter(world.store.records))

    answer = world.commands.confirm_undeploy(ALICE, name)

    assert "cannot be deleted before its term ends" in answer.text
    assert world.store.records[name].status is DeploymentStatus.CREATING


def test_listing_shows_the_workspaces_deployments(world: World) -> None:
    name = deployed_name(world)

    listed: Message = world.commands.list_team(ALICE)

    assert "1 live" in listed.text
    assert name in listed.details[0]


def test_undeploying_an_on_demand_deployment_prices_the_tokens_cloudwatch_counted(world: World) -> None:
    deployment = ready(on_demand(team=ALICE.team, owner=ALICE.user, created_at=START))
    world.store.save(deployment)
    world.invocations.record(
        deployment.arn, START + timedelta(hours=1), invocations=4, input_tokens=2000, output_tokens=1000
    )

    question = world.commands.ask_to_undeploy(ALICE, deployment.name)

    assert dict(question.facts)["Cost so far"] == "about $0.00021 (2,000 input and 1,000 output tokens)"


def test_creating_readying_and_deleting_a_deployment_ask_for_the_home_tabs_of_its_owner_and_deployer(
    world: World,
) -> None:
    world.commands.confirm_deploy(Asker(channel="C9", user=ADMIN), JOB)
    assert world.home.changes == [(TEAM, "U1"), (TEAM, ADMIN)]

    world.commands.watch()  # still creating: nothing changed
    assert len(world.home.changes) == 2
    saved = next(iter(world.store.records.values()))
    world.deployments.set_status(saved.name, DeploymentStatus.IN_SERVICE)
    world.commands.watch()
    assert world.home.changes[2:] == [(TEAM, "U1"), (TEAM, ADMIN)]

    world.commands.confirm_undeploy(ALICE, saved.name)
    assert world.home.changes[4:] == [(TEAM, "U1"), (TEAM, ADMIN)]
