"""The job commands: status, list, stop with its confirmation, and cost; refusals are clear answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.governance import MemoryAuditLog, gatekeeper
from tests.fakes.jobs import FakeJobs
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, TEAM, record, snapshot
from workflows.catalogue import load_catalogue
from workflows.command_grammar import Cost, ListJobs, Status, Stop
from workflows.governance.audit_entry import AuditAction
from workflows.jobs.job import JobStatus
from workflows.jobs.job_commands import JobCommands, may_stop
from workflows.messages import Action, Message, Style

CATALOGUE = load_catalogue(None)
ADMIN = "U0ADMIN"


@dataclass(frozen=True)
class Asker:
    team: str = TEAM
    channel: str = "C1"
    user: str = "U1"


ALICE, BOB, ADMIN_ASKS = Asker(), Asker(user="U2"), Asker(user=ADMIN)


@pytest.fixture
def jobs() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def records() -> MemoryRecords:
    return MemoryRecords()


@pytest.fixture
def audit() -> MemoryAuditLog:
    return MemoryAuditLog()


@pytest.fixture
def commands(jobs: FakeJobs, records: MemoryRecords, audit: MemoryAuditLog) -> JobCommands:
    return JobCommands(
        jobs=jobs,
        records=records,
        history=records,
        catalogue=CATALOGUE,
        clock=FakeClock(START + timedelta(hours=2)),
        region="us-east-1",
        admins=frozenset({ADMIN}),
        gatekeeper=gatekeeper(audit=audit),
    )


def started(records: MemoryRecords, jobs: FakeJobs, name: str = "tone-1a2b", **changes: object) -> None:
    records.save(record(name, **changes))
    jobs.put(snapshot(name))


def text(message: Message) -> str:
    return "\n".join([message.text, *message.details, *(f"{k}: {v}" for k, v in message.facts), message.context or ""])


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("U1", True), (ADMIN, True), ("U2", False), ("", False)],
)
def test_the_starter_and_admins_may_stop_a_job_and_nobody_else(user: str, allowed: bool) -> None:
    assert may_stop(record(), user, frozenset({ADMIN})) is allowed


def test_status_of_a_job_asks_bedrock_and_says_who_started_it_and_where(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs)
    jobs.set_status("tone-1a2b", JobStatus.IN_PROGRESS, stages={"validation": "Completed"})

    answer = commands.answer(Status("tone-1a2b"), BOB)

    facts = dict(answer.facts)
    assert (facts["Stages"], facts["Started by"], facts["Channel"]) == ("Validation: Completed", "<@U1>", "<#C1>")
    assert facts["Elapsed"] == "2h 00m"
    assert jobs.calls["describe"] == 1


def test_status_of_a_failed_job_gives_the_hint_but_not_bedrocks_words(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs)
    jobs.set_status("tone-1a2b", JobStatus.FAILED, failure_message="The provided model identifier is invalid.")

    answer = commands.status(ALICE, "tone-1a2b")

    assert "model access" in answer.details[0]
    assert "in finetune-bot's log" in answer.details[1]
    assert not any("model identifier is invalid" in detail for detail in answer.details)


def test_status_falls_back_to_the_last_announced_state_when_bedrock_is_busy(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs, announced_status=JobStatus.STOPPING)
    jobs.busy_describing = {"tone-1a2b"}

    answer = commands.status(ALICE, "tone-1a2b")

    assert dict(answer.facts)["Status"] == "Stopping"
    assert "last status I saw" in (answer.context or "")


def test_status_without_a_job_lists_the_persons_recent_jobs_newest_first(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs, "older-job")
    started(records, jobs, "newer-job", started_at=START + timedelta(hours=1), announced_status=JobStatus.COMPLETED)
    started(records, jobs, "bobs-job", user="U2")

    answer = commands.answer(Status(), ALICE)

    lines = answer.details[0].splitlines()
    assert [line.split("`")[1] for line in lines] == ["newer-job", "older-job"]
    assert "completed" in lines[0]
    assert jobs.calls == {}


@pytest.mark.parametrize("job", ["no-such-job", "  "])
def test_status_of_an_unknown_job_is_refused_clearly(commands: JobCommands, job: str) -> None:
    assert commands.status(ALICE, job).text.startswith("I don't know a fine-tuning job named")


def test_a_job_from_another_workspace_is_unknown_here(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs, team="T-OTHER")

    assert "I don't know" in commands.status(ALICE, "tone-1a2b").text
    assert "I don't know" in commands.ask_to_stop(ALICE, "tone-1a2b").text


def test_list_shows_the_channels_jobs_newest_first_with_status_and_cost(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs, "first-job", announced_status=JobStatus.FAILED)
    started(records, jobs, "second-job", started_at=START + timedelta(minutes=30), estimated_training_cost=None)
    started(records, jobs, "elsewhere", channel="C9")

    answer = commands.answer(ListJobs(), ALICE)

    assert answer.details[0].splitlines() == [
        "• :hourglass_flowing_sand: `second-job` running · <@U1> · started 1h 30m ago · unknown (no price in the "
        "catalogue)",
        "• :x: `first-job` failed · <@U1> · started 2h 00m ago · about $0.10",
    ]


def test_list_in_a_channel_without_jobs_says_how_to_start_one(commands: JobCommands) -> None:
    assert "Type `/finetune` to set one up" in commands.list_channel(ALICE).text


def test_stop_asks_for_confirmation_with_the_billing_warning(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs)

    answer = commands.answer(Stop("tone-1a2b"), ALICE)

    assert "Tokens already trained are billed, no model or checkpoint is kept" in answer.details[0]
    assert [(b.label, b.action, b.value, b.style) for b in answer.buttons] == [
        ("Stop the job", Action.CONFIRM_STOP, "tone-1a2b", Style.DANGER),
        ("Keep it running", Action.KEEP_RUNNING, "tone-1a2b", Style.DEFAULT),
    ]
    assert jobs.stopped == []


@pytest.mark.parametrize("asker", [ALICE, ADMIN_ASKS])
def test_a_confirmed_stop_stops_the_job(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs, asker: Asker
) -> None:
    started(records, jobs)

    answer = commands.confirm_stop(asker, "tone-1a2b")

    assert jobs.stopped == ["tone-1a2b"]
    assert f"<@{asker.user}> asked Bedrock to stop `tone-1a2b`" in answer.text


def test_a_stop_is_recorded_with_who_and_the_estimate_and_a_refused_one_is_not(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs, audit: MemoryAuditLog
) -> None:
    started(records, jobs, estimated_training_cost="12.34")
    commands.confirm_stop(BOB, "tone-1a2b")
    assert audit.entries == []
    commands.confirm_stop(ADMIN_ASKS, "tone-1a2b")
    (entry,) = audit.entries
    assert (entry.action, entry.user, entry.subject, entry.cost_usd) == (
        AuditAction.JOB_STOPPED,
        ADMIN,
        "tone-1a2b",
        "12.34",
    )


def test_someone_else_may_not_stop_a_job_even_by_clicking(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs)

    asked, clicked = commands.ask_to_stop(BOB, "tone-1a2b"), commands.confirm_stop(BOB, "tone-1a2b")

    for answer in (asked, clicked):
        assert answer.text.startswith("Only <@U1>, who started `tone-1a2b`, or a finetune-bot admin can stop it.")
        assert not answer.buttons
    assert jobs.stopped == []


@pytest.mark.parametrize(
    ("announced", "says"),
    [
        (JobStatus.COMPLETED, "has already completed; there is nothing to stop"),
        (JobStatus.STOPPED, "has already stopped"),
        (JobStatus.STOPPING, "is already stopping"),
    ],
)
def test_a_job_that_is_not_running_is_not_stopped_again(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs, announced: JobStatus, says: str
) -> None:
    started(records, jobs, announced_status=announced)

    assert says in commands.ask_to_stop(ALICE, "tone-1a2b").text
    assert jobs.calls["stop"] == 0


def test_stopping_a_job_that_just_ended_passes_bedrocks_refusal_on(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs)
    jobs.set_status("tone-1a2b", JobStatus.COMPLETED)

    assert "nothing to stop" in commands.confirm_stop(ALICE, "tone-1a2b").text


def test_keep_running_changes_nothing(commands: JobCommands, records: MemoryRecords, jobs: FakeJobs) -> None:
    started(records, jobs)

    assert commands.keep_running("tone-1a2b").text == "OK, `tone-1a2b` keeps running. Nothing was changed."
    assert jobs.calls == {}


def test_cost_adds_training_and_storage_per_channel_and_person(
    commands: JobCommands, records: MemoryRecords, jobs: FakeJobs
) -> None:
    started(records, jobs, "done-job", announced_status=JobStatus.COMPLETED, estimated_training_cost="12.50")
    started(records, jobs, "running-job", channel="C2", user="U2", estimated_training_cost="2.00")

    answer = commands.answer(Cost(), ALICE)

    assert dict(answer.facts) == {
        "Training": "$14.50 for 2 jobs",
        "Model storage": "$1.95 for 1 custom model",
        "Total": "$16.45",
    }
    assert "• <#C1>: $14.45 (training $12.50, storage $1.95)" in text(answer)
    assert "• <@U2>: $2.00 (training $2.00, storage $0.00)" in text(answer)
    assert answer.text == "*Estimated fine-tuning spend for March 2026*"
