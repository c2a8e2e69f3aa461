"""The announcement decision: what a tick does about one job, from its record and Bedrock's snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes.samples import START, record, snapshot
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.decisions import Change, Plan, plan

EVERY = timedelta(minutes=30)
TRAINING = {"validation": "Completed", "data processing": "Completed", "training": "InProgress"}
VALIDATING = {"validation": "InProgress", "data processing": "NotStarted", "training": "NotStarted"}


@pytest.mark.parametrize(
    ("announced", "announced_stages", "observed", "observed_stages", "minutes", "expected"),
    [
        # nothing new, refresh not yet due
        (JobStatus.IN_PROGRESS, {}, JobStatus.IN_PROGRESS, {}, 5, Plan(Change.NONE)),
        # nothing new, refresh due after the interval
        (JobStatus.IN_PROGRESS, {}, JobStatus.IN_PROGRESS, {}, 30, Plan(Change.NONE, periodic_due=True)),
        # a stage moved
        (JobStatus.IN_PROGRESS, VALIDATING, JobStatus.IN_PROGRESS, TRAINING, 5, Plan(Change.PROGRESS)),
        # stages appear for the first time
        (JobStatus.IN_PROGRESS, {}, JobStatus.IN_PROGRESS, VALIDATING, 1, Plan(Change.PROGRESS)),
        # a stop is taking effect
        (JobStatus.IN_PROGRESS, TRAINING, JobStatus.STOPPING, TRAINING, 5, Plan(Change.PROGRESS)),
        # a change and a due refresh coalesce into the same plan
        (JobStatus.IN_PROGRESS, VALIDATING, JobStatus.IN_PROGRESS, TRAINING, 45, Plan(Change.PROGRESS, True)),
        # each end state is an end
        (JobStatus.IN_PROGRESS, TRAINING, JobStatus.COMPLETED, TRAINING, 90, Plan(Change.END)),
        (JobStatus.IN_PROGRESS, VALIDATING, JobStatus.FAILED, VALIDATING, 3, Plan(Change.END)),
        (JobStatus.STOPPING, TRAINING, JobStatus.STOPPED, TRAINING, 60, Plan(Change.END)),
        # an end already announced only leaves the watch list, whatever Bedrock says
        (JobStatus.COMPLETED, TRAINING, JobStatus.COMPLETED, TRAINING, 90, Plan(Change.ALREADY_ENDED)),
        (JobStatus.FAILED, {}, JobStatus.IN_PROGRESS, {}, 90, Plan(Change.ALREADY_ENDED)),
    ],
)
def test_the_plan_follows_from_what_changed_since_the_last_announcement(
    announced: JobStatus,
    announced_stages: dict[str, str],
    observed: JobStatus,
    observed_stages: dict[str, str],
    minutes: int,
    expected: Plan,
) -> None:
    notice_ts = "1800000000.000001" if announced.terminal else None
    job = record(announced_status=announced, announced_stages=announced_stages, notice_ts=notice_ts)
    seen = snapshot(status=observed, stages=observed_stages)

    assert plan(job, seen, now=START + timedelta(minutes=minutes), update_every=EVERY) == expected


@pytest.mark.parametrize("observed", [JobStatus.COMPLETED, JobStatus.IN_PROGRESS])
def test_an_end_claimed_without_its_notice_owes_the_notice(observed: JobStatus) -> None:
    job = record(announced_status=JobStatus.COMPLETED, notice_ts=None)

    decided = plan(job, snapshot(status=observed), now=START, update_every=EVERY)

    assert decided == Plan(Change.NOTICE_OWED)
    assert not decided.claims_transition


@pytest.mark.parametrize(
    ("change", "periodic_due", "claims", "edits"),
    [
        (Change.NONE, False, False, False),
        (Change.NONE, True, False, True),
        (Change.PROGRESS, False, True, True),
        (Change.PROGRESS, True, True, True),
        (Change.END, False, True, False),
        (Change.ALREADY_ENDED, False, False, False),
    ],
)
def test_only_changes_are_claimed_and_the_status_message_is_edited_once(
    change: Change, periodic_due: bool, claims: bool, edits: bool
) -> None:
    decided = Plan(change, periodic_due=periodic_due)

    assert (decided.claims_transition, decided.edits_status) == (claims, edits)
