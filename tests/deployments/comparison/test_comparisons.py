"""The comparison service: which prompts, both models asked, the summary and the table, once per double click."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.clock import FakeClock
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.model_chat import FakeModelChat
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.samples import snapshot
from tests.fakes.storage import MemoryStorage
from tests.fakes.token_charges import MemoryTokenCharges
from workflows.catalogue import load_catalogue
from workflows.deployments.comparison.comparisons import AFTERGLOW_SECONDS, RETRY_PAUSES, Comparisons
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus
from workflows.deployments.token_charges import TokenMeter, month_key
from workflows.jobs.job import JobStatus

JOB = "support-tone"
VALIDATION = "s3://bucket/support/validation.jsonl"
TRAINING = "s3://bucket/support/train.jsonl"
PAIRS = [
    ("How do I reset my password?", "Open Settings, choose Security, then Reset password."),
    ("Can I get a refund after 40 days?", "Refunds are possible within 30 days of purchase only."),
    ("Where do I download my invoice?", "Invoices are under Billing, then History."),
    ("How do I add a teammate?", "Go to Team, then Invite, and enter their email."),
]


@dataclass(frozen=True)
class Asker:
    team: str = "T1"
    channel: str = "C9"
    user: str = "U0BOB"


class Deferred(Executor):
    """Runs submitted work only when the test says so, like a busy pool."""

    def __init__(self) -> None:
        self.queued: list[Callable[[], Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.queued.append(lambda: fn(*args, **kwargs))
        return Future()

    def run_all(self) -> int:
        ran = 0
        while self.queued:
            self.queued.pop(0)()
            ran += 1
        return ran


def jsonl(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(json.dumps({"prompt": p, "completion": c}) + "\n" for p, c in pairs).encode()


@dataclass
class World:
    service: Comparisons
    record: DeploymentRecord
    chat: FakeModelChat
    jobs: FakeJobs
    storage: MemoryStorage
    notifier: RecordingNotifier
    locks: MemoryLocks
    background: Deferred
    pauses: list[float] = field(default_factory=list)
    charges: MemoryTokenCharges = field(default_factory=MemoryTokenCharges)
    store: MemoryDeploymentStore = field(default_factory=MemoryDeploymentStore)

    def rows(self) -> list[dict[str, str]]:
        (table,) = self.notifier.attachments
        return list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))

    def summary(self) -> str:
        """Everything the thread's messages say, their grey context lines included."""
        contexts = [posted.message.context or "" for posted in self.notifier.posts]
        return "\n".join([self.notifier.everything(), *contexts])


@pytest.fixture
def world() -> World:
    record = ready(throughput(job_name=JOB))
    store = MemoryDeploymentStore()
    store.save(record)
    chat = FakeModelChat()
    chat.teach(record.arn, PAIRS)
    jobs = FakeJobs()
    jobs.put(snapshot(JOB, JobStatus.COMPLETED, training_uri=TRAINING, validation_uri=VALIDATION, created_at=CREATED))
    storage = MemoryStorage(objects={VALIDATION: jsonl(PAIRS), TRAINING: jsonl(PAIRS)})
    notifier, locks, background = RecordingNotifier(), MemoryLocks(), Deferred()
    pauses: list[float] = []
    charges, clock, catalogue = MemoryTokenCharges(), FakeClock(CREATED + timedelta(hours=1)), load_catalogue(None)
    service = Comparisons(
        chat=chat,
        store=store,
        jobs=jobs,
        storage=storage,
        notifier=notifier,
        locks=locks,
        clock=clock,
        background=background,
        dataset_buckets=frozenset({"bucket"}),
        default_prompts=10,
        catalogue=catalogue,
        region="us-east-1",
        meter=TokenMeter(charges=charges, catalogue=catalogue, clock=clock),
        pause=pauses.append,
    )
    return World(service, record, chat, jobs, storage, notifier, locks, background, pauses, charges, store)


def test_the_validation_data_is_compared_and_the_summary_and_table_go_to_the_deployments_thread(world: World) -> None:
    answer = world.service.compare(Asker(), world.record.name)
    assert world.notifier.sent == []
    world.background.run_all()

    assert "on 4 held-out prompts" in answer.text
    assert "the job's thread" in answer.text
    rows = world.rows()
    assert [row["line"] for row in rows] == ["1", "2", "3", "4"]
    assert [(row["prompt"], row["reference"]) for row in rows] == PAIRS
    assert all(row["custom_exact_match"] == "1" for row in rows)
    assert all(row["base_answer"].startswith("Here is a general answer") for row in rows)
    summary = world.summary()
    assert "Compared `support-tone-pt1-0a1b2c3d` (custom) with its base model `amazon.nova-micro-v1:0:128k`" in summary
    assert "on 4 held-out prompts from the job's validation data" in summary
    assert "not a human judgement" in summary
    assert "Custom model: exact match 4/4 · token F1 1.00 · ROUGE-L 1.00" in summary
    assert {post.thread_ts for post in world.notifier.posts} == {world.record.thread_ts}
    assert len(world.notifier.posts) == 1  # the progress message became the summary
    asked = {request.model_id for request in world.chat.asked}
    assert asked == {world.record.arn, "amazon.nova-micro-v1:0"}
    assert all(request.temperature == 0.0 and request.max_tokens for request in world.chat.asked)


@pytest.mark.parametrize("named", [JOB, "arn"])
def test_the_job_or_the_custom_model_named_instead_of_the_deployment_finds_its_deployment(
    world: World, named: str
) -> None:
    world.service.compare(Asker(), f"{world.record.model_arn if named == 'arn' else named} n=2")
    world.background.run_all()
    assert [row["line"] for row in world.rows()] == ["1", "3"]


def test_without_validation_data_it_asks_for_held_out_records_and_never_reads_the_training_data(world: World) -> None:
    world.jobs.set_status(JOB, JobStatus.COMPLETED, validation_uri=None)
    world.storage.objects.pop(TRAINING)  # reading it would fail loudly

    answer = world.service.compare(Asker(), world.record.name)

    assert "was trained without a validation dataset" in answer.text
    assert "I won't use the training data" in "\n".join(answer.details)
    assert world.background.queued == []
    assert world.locks.held == {}


def test_named_lines_of_a_named_file_are_used_in_their_order(world: World) -> None:
    world.storage.objects["s3://bucket/held-out.jsonl"] = jsonl(PAIRS[::-1])
    world.service.compare(Asker(), f"{world.record.name} prompts=s3://bucket/held-out.jsonl lines=4,2")
    world.background.run_all()
    assert [row["line"] for row in world.rows()] == ["4", "2"]
    assert "from the file you named `s3://bucket/held-out.jsonl`" in world.summary()


def test_naming_the_training_data_is_allowed_but_the_summary_says_it_flatters_the_model(world: World) -> None:
    world.service.compare(Asker(), f"{world.record.name} prompts={TRAINING}")
    world.background.run_all()
    assert "from the job's training data" in world.summary()


def test_a_file_in_a_bucket_outside_the_allow_list_is_refused_before_reading(world: World) -> None:
    answer = world.service.compare(Asker(), f"{world.record.name} prompts=s3://elsewhere/x.jsonl")
    assert "I may not read held-out prompts from `s3://elsewhere/x.jsonl`" in answer.text
    assert world.background.queued == []


def test_a_double_click_runs_one_comparison_and_a_later_one_runs_again(world: World) -> None:
    world.service.compare(Asker(), world.record.name)
    second = world.service.compare(Asker(user="U0CAROL"), world.record.name)
    assert "running or has just finished" in second.text
    assert world.background.run_all() == 1

    third = world.service.compare(Asker(), world.record.name)  # a click that lands just after a quick run
    assert "running or has just finished" in third.text
    world.locks.time += AFTERGLOW_SECONDS + 1
    world.service.compare(Asker(), world.record.name)
    assert world.background.run_all() == 1
    assert len(world.notifier.attachments) == 2


def test_another_choice_of_prompts_is_another_comparison(world: World) -> None:
    world.service.compare(Asker(), world.record.name)
    world.service.compare(Asker(), f"{world.record.name} n=2")
    assert world.background.run_all() == 2


def test_throttling_is_asked_again_after_a_pause(world: World) -> None:
    world.chat.throttle(len(RETRY_PAUSES))
    world.service.compare(Asker(), world.record.name)
    world.background.run_all()
    assert world.pauses == list(RETRY_PAUSES)
    assert all(row["custom_error"] == "" for row in world.rows())


def test_throttling_that_outlasts_the_retries_is_reported_for_that_prompt_and_the_rest_go_on(world: World) -> None:
    world.chat.throttle(len(RETRY_PAUSES) + 1)
    world.service.compare(Asker(), world.record.name)
    world.background.run_all()
    rows = world.rows()
    assert rows[0]["custom_error"] == "throttled by Bedrock after 3 tries"
    assert rows[0]["custom_answer"] == ""
    assert [row["custom_error"] for row in rows[1:]] == ["", "", ""]
    assert (
        "The custom model gave no answer for 1 prompt: line 1 (throttled by Bedrock after 3 tries)" in world.summary()
    )


def test_a_model_that_is_not_ready_is_reported_per_prompt(world: World) -> None:
    world.chat.not_ready.add(world.record.arn)
    world.service.compare(Asker(), world.record.name)
    world.background.run_all()
    assert {row["custom_error"] for row in world.rows()} == {"the model was not ready after 3 tries"}
    assert "Custom model: no prompt answered by both models" in world.summary()


def test_an_unexpected_failure_is_said_in_the_thread_and_frees_the_comparison_after_a_while(world: World) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("boom")

    world.chat.ask = broken  # type: ignore[method-assign]
    world.service.compare(Asker(), world.record.name)
    world.background.run_all()
    assert "stopped after 0 of 4 prompts because of an error on my side" in world.summary()
    assert "boom" not in world.summary()
    world.locks.time += AFTERGLOW_SECONDS + 1
    assert "Comparing" in world.service.compare(Asker(), world.record.name).text


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (DeploymentStatus.CREATING, "is still being deployed: its thread hears when it is ready; compare it then."),
        (DeploymentStatus.DELETED, "has no deployment serving requests now (Deleted)"),
        (DeploymentStatus.FAILED, "has no deployment serving requests now (Failed)"),
    ],
)
def test_a_deployment_that_does_not_serve_is_refused(world: World, status: DeploymentStatus, says: str) -> None:
    world.service._store.save(world.record.model_copy(update={"status": status}))  # type: ignore[attr-defined]
    assert says in world.service.compare(Asker(), world.record.name).text
    assert world.background.queued == []


@pytest.mark.parametrize(
    ("request_text", "says"),
    [
        ("nothing-here", "I don't know a deployment, job or custom model called `nothing-here` in this workspace"),
        ("", "Say which deployed model to compare"),
        ("x n=500", "more than the 50 prompts"),
    ],
)
def test_unknown_models_and_bad_arguments_are_refused(world: World, request_text: str, says: str) -> None:
    assert says in world.service.compare(Asker(), request_text).text


def test_a_base_model_the_catalogue_cannot_invoke_in_the_region_is_refused(world: World) -> None:
    world.service._region = "xx-nowhere-1"  # type: ignore[attr-defined]
    answer = world.service.compare(Asker(), world.record.name)
    assert "I can't ask the base model `amazon.nova-micro-v1:0:128k` in xx-nowhere-1" in answer.text
    assert world.background.queued == []


def test_another_workspaces_deployment_is_unknown(world: World) -> None:
    answer = world.service.compare(Asker(team="T2"), world.record.name)
    assert "I don't know a deployment, job or custom model" in answer.text


def test_a_file_without_usable_records_says_why(world: World) -> None:
    world.storage.objects[VALIDATION] = b'{"input": "domain text"}\n'
    answer = world.service.compare(Asker(), world.record.name)
    assert "continued pre-training text" in answer.text
    assert world.locks.held == {}


def test_an_unreadable_file_says_so(world: World) -> None:
    world.storage.objects.pop(VALIDATION)
    answer = world.service.compare(Asker(), world.record.name)
    assert "There is no object at" in answer.text


def test_each_answer_billed_per_token_is_charged_to_who_asked_for_the_comparison_and_where(world: World) -> None:
    od = ready(on_demand(job_name=JOB))
    world.store.save(od)
    world.chat.teach(od.arn, PAIRS)

    world.service.compare(Asker(), od.name)
    world.background.run_all()

    charges = {charge.model: charge for charge in world.charges.in_month(team="T1", month=month_key(CREATED))}
    assert set(charges) == {od.name, od.base_model_id}
    for charge in charges.values():
        assert (charge.channel, charge.person, charge.calls) == ("C9", "U0BOB", 4)  # where the command was typed
        assert charge.amount is not None
        assert charge.amount == (od.input_per_1k * charge.input_tokens + od.output_per_1k * charge.output_tokens) / 1000
    assert charges[od.name].deployment


def test_a_throughputs_answers_are_in_its_hourly_price_and_only_the_base_models_are_charged(world: World) -> None:
    world.service.compare(Asker(), world.record.name)
    world.background.run_all()

    [charge] = world.charges.in_month(team="T1", month=month_key(CREATED))
    assert (charge.model, charge.deployment, charge.calls) == (world.record.base_model_id, False, 4)
