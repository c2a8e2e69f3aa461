"""What ``/finetune cancel`` says: how many setups it cancelled, and which it could not."""

from __future__ import annotations

import pytest

from workflows.setup.cancellation import Cancellation
from workflows.setup.model import Stage


def tally(*stages: Stage | None) -> Cancellation:
    outcome = Cancellation()
    for stage in stages:
        outcome.count(stage)
    return outcome


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ((), "You have no setup in progress in this channel."),
        ((Stage.CANCELLED,), "Cancelled your setup in this channel. Nothing was started and nothing was spent."),
        ((Stage.CANCELLED,) * 3, "Cancelled your 3 setups in this channel. Nothing was started and nothing was spent."),
        ((Stage.STARTING,), "1 setup is creating a job right now and can no longer be cancelled"),
        ((Stage.REVIEWING, Stage.AWAITING_TRAINING), "I could not cancel 2 setups; try `/finetune cancel` again"),
    ],
)
def test_the_summary_names_each_outcome(stages: tuple[Stage, ...], expected: str) -> None:
    assert expected in tally(*stages).text()


def test_setups_that_vanished_or_started_meanwhile_are_not_counted() -> None:
    outcome = tally(None, Stage.STARTED, Stage.CANCELLED)
    assert (outcome.cancelled, outcome.starting, outcome.failed) == (1, 0, 0)


def test_mixed_outcomes_are_all_reported() -> None:
    text = tally(Stage.CANCELLED, Stage.CANCELLED, Stage.STARTING, Stage.CHOOSING_TYPE).text()
    assert text.startswith("Cancelled your 2 setups")
    assert "1 setup is creating a job" in text
    assert "I could not cancel 1 setup;" in text
