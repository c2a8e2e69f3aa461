"""The Home tab's view: what each section says, escaping of what people and AWS named, and Slack's limits."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.sandbox.blockkit import validate_view
from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.samples import CHANNEL, START, USER, record
from workflows.dataset_rules import CustomizationType
from workflows.home.home_facts import ChannelBudget, HomeFacts, SpendFacts
from workflows.home.home_view import (
    LISTED,
    SECTION_TEXT_MAX,
    STAGE_WORDS,
    VIEW_BLOCKS_MAX,
    current_stage,
    fit,
    home_view,
)
from workflows.jobs.job import JobStatus
from workflows.setup.model import Conversation, DatasetSummary, Stage

NOW = START + timedelta(hours=2, minutes=5)
TITAN = "amazon.titan-text-lite-v1:0:4k"


def setup(thread_ts: str = "1772443800.000100", **changes: object) -> Conversation:
    base = Conversation(team="T1", channel=CHANNEL, thread_ts=thread_ts, user=USER, created_at=START, updated_at=START)
    return base.model_copy(update=changes)


def facts(**changes: Any) -> HomeFacts:
    base: dict[str, Any] = {
        "user": USER,
        "now": NOW,
        "spend": SpendFacts(month="March 2026", spent=Decimal("0")),
        "model_names": {TITAN: "Titan Text G1 - Lite"},
    }
    return HomeFacts(**(base | changes))


def texts(view: dict[str, Any]) -> list[str]:
    """Every text of the view, in order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                found.extend([value] if key == "text" and isinstance(value, str) else [])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(view["blocks"])
    return found


def shown(view: dict[str, Any]) -> str:
    return "\n".join(texts(view))


def test_a_person_with_nothing_going_on_sees_each_section_say_so() -> None:
    view = home_view(facts())

    assert view["type"] == "home"
    assert validate_view(view) == []
    text = shown(view)
    for expected in (
        "Your fine-tuning",
        "*Setups in progress*",
        "No setup in progress.",
        "No job running.",
        "No deployment: nothing of yours is billed by the hour.",
        "Your estimated spend for March 2026: *$0.00*",
        "No monthly budget applies to you.",
    ):
        assert expected in text


def test_a_setup_shows_its_type_model_channel_stage_and_training_file() -> None:
    training = DatasetSummary(source="slack", name="train.jsonl", uri="s3://b/k", size_bytes=10, records=1234, tokens=9)
    view = home_view(
        facts(
            setups=(
                setup(
                    customization=CustomizationType.INSTRUCTION,
                    model_id=TITAN,
                    stage=Stage.AWAITING_VALIDATION,
                    training=training,
                ),
            )
        )
    )

    assert (
        f"*Instruction fine-tuning* on *Titan Text G1 - Lite* in <#{CHANNEL}>: waiting for validation data (optional)"
        " · training data `train.jsonl` (1,234 records) · started 2h 05m ago"
    ) in shown(view)
    assert "*Setups in progress* (1)" in shown(view)


def test_a_running_job_shows_its_stage_elapsed_time_and_cost_so_far() -> None:
    job = record(announced_stages={"validation": "Completed", "data processing": "Completed", "training": "InProgress"})

    text = shown(home_view(facts(jobs=(job,))))

    assert f"`tone-1a2b` on *Titan Text G1 - Lite* in <#{CHANNEL}>: *running*, stage: training" in text
    assert "Running for 2h 05m · cost so far up to about $0.10 (its estimate, counted in full while it runs)" in text


def test_a_stopping_job_and_one_without_a_price_say_so() -> None:
    job = record(announced_status=JobStatus.STOPPING, estimated_training_cost=None)

    text = shown(home_view(facts(jobs=(job,))))

    assert "*stopping*, starting" in text
    assert "cost so far unknown (no training price in the catalogue)" in text


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ({}, "starting"),
        ({"validation": "InProgress", "data processing": "NotStarted", "training": "NotStarted"}, "stage: validation"),
        ({"validation": "Completed", "data processing": "InProgress"}, "stage: data processing"),
        ({"validation": "Completed", "data processing": "Completed", "training": "Completed"}, "stage: training done"),
    ],
)
def test_the_current_stage_is_the_first_one_not_completed(stages: dict[str, str], expected: str) -> None:
    assert current_stage(stages) == expected


def test_deployments_show_their_hourly_cost_and_cost_so_far() -> None:
    now = CREATED + timedelta(hours=6)
    view = home_view(facts(now=now, deployments=(ready(throughput()), ready(on_demand()))))

    text = shown(view)
    assert (
        "`support-tone-pt1-0a1b2c3d` (Provisioned Throughput, 1 model unit, InService) in <#C1>: "
        "$60.50 per hour · about $363.00 so far"
    ) in text
    assert "`support-tone-od1-0a1b2c3d` (on demand, Active) in <#C1>: no hourly fee (billed per token)" in text


def test_spend_is_shown_against_the_person_s_and_channels_budgets() -> None:
    spend = SpendFacts(
        month="March 2026",
        spent=Decimal("23.75"),
        person_limit=Decimal("200"),
        channels=(
            ChannelBudget("C1", Decimal("120"), Decimal("500")),
            ChannelBudget("C2", Decimal("5"), None, Decimal("50")),
        ),
        more_channels=2,
    )

    text = shown(home_view(facts(spend=spend)))

    assert "Your estimated spend for March 2026: *$23.75* of $200.00, your monthly budget (12%)" in text
    assert "• <#C1>: $120.00 of $500.00, the channel's budget (24%)" in text
    assert "• <#C2>: $5.00; your budget there is $50.00" in text
    assert "…and 2 more channels with a budget." in text
    assert "No monthly budget applies to you." not in text


def test_spend_that_could_not_be_read_is_said_plainly() -> None:
    assert "Your spend could not be read just now" in shown(home_view(facts(spend=None)))


def test_names_people_and_aws_chose_are_escaped_and_cannot_mention_or_link() -> None:
    hostile = "<!channel> & <@U0BOB> <https://evil.example|log in>.jsonl"
    training = DatasetSummary(source="slack", name=hostile, uri="s3://b/k", size_bytes=10, records=3, tokens=9)
    view = home_view(
        facts(
            setups=(setup(stage=Stage.AWAITING_VALIDATION, training=training, model_id="<!here>"),),
            model_names={},
        )
    )

    raw = json.dumps(view)
    assert "<!channel>" not in raw
    assert "<!here>" not in raw
    assert "<@U0BOB>" not in raw
    assert "<https://evil" not in raw
    assert "&lt;!channel&gt; &amp; &lt;@U0BOB&gt;" in shown(view)
    assert "*&lt;!here&gt;*" in shown(view)


def test_each_list_shows_its_first_entries_then_how_many_more() -> None:
    jobs = tuple(record(f"job-{index:02d}") for index in range(25))
    setups = tuple(setup(f"17724438{index:02d}.000100") for index in range(LISTED + 1))

    view = home_view(facts(jobs=jobs, setups=setups))

    text = shown(view)
    assert "*Running jobs* (25)" in text
    assert sum("`job-" in line for line in texts(view)) == LISTED
    assert "…and 15 more running jobs." in text
    assert "…and 1 more setup." in text
    assert len(view["blocks"]) <= VIEW_BLOCKS_MAX
    assert validate_view(view) == []


def test_long_texts_are_clipped_to_slack_s_section_limit() -> None:
    training = DatasetSummary(source="slack", name="x" * 5000, uri="s3://b/k", size_bytes=1, records=1, tokens=1)

    view = home_view(facts(setups=(setup(training=training),)))

    assert all(len(text) <= SECTION_TEXT_MAX for text in texts(view))
    assert any("more characters)" in text for text in texts(view))
    assert validate_view(view) == []


def test_a_view_past_100_blocks_is_cut_with_a_line_saying_how_many_were_left_out() -> None:
    blocks = [{"type": "divider"} for _ in range(150)]

    kept = fit(blocks)

    assert len(kept) == VIEW_BLOCKS_MAX
    assert kept[-1]["elements"][0]["text"] == "…and 51 more blocks not shown."
    assert fit(blocks[:100]) == blocks[:100]


def test_the_fullest_view_is_still_one_slack_accepts() -> None:
    spend = SpendFacts(
        month="March 2026",
        spent=Decimal("1"),
        person_limit=Decimal("2"),
        channels=tuple(ChannelBudget(f"C{index}", Decimal(1), Decimal(2)) for index in range(5)),
        more_channels=9,
    )
    view = home_view(
        facts(
            setups=tuple(setup(f"17724438{index:02d}.000100") for index in range(30)),
            jobs=tuple(record(f"job-{index:02d}") for index in range(30)),
            deployments=tuple(throughput(f"dep-{index:02d}-pt1-0a1b2c3d") for index in range(30)),
            spend=spend,
        )
    )

    assert validate_view(view) == []


def test_every_stage_a_setup_can_wait_in_has_words() -> None:
    assert {stage for stage in Stage if not stage.finished} == set(STAGE_WORDS)
