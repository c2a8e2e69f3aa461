"""Distillation from invocation logs in the conversation: the source asked, logging checked, the review, the request."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from workflows.catalogue.prompt_costs import DISTILLATION_MAX_PROMPTS
from workflows.dataset_rules import CustomizationType
from workflows.jobs.launch import job_request
from workflows.setup.effects import CheckLogging, LaunchJob, Say
from workflows.setup.events import (
    BackPressed,
    Event,
    LoggingChecked,
    LoggingRecheckPressed,
    LogsChosen,
    ModelChosen,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
)
from workflows.setup.log_source import FilterTerm, LogSource
from workflows.setup.model import Stage
from workflows.setup.one_line import OneLinePlan, plan_one_line
from workflows.setup.review import cost_estimate, training_estimate

from .test_conversation import CONTEXT, NOVA, USER, labels, run, said

TEACHER = "amazon.nova-pro-v1:0"
TYPED = 's3://app-logs/bedrock/ filters="project=support team!=qa"'
SOURCE = LogSource(
    s3_uri="s3://app-logs/bedrock/",
    terms=(FilterTerm(key="project", value="support"), FilterTerm(key="team", value="qa", negate=True)),
)
TO_LOGS: list[Event] = [
    TypeChosen(USER, CustomizationType.DISTILLATION),
    ModelChosen(USER, NOVA),
    TeacherChosen(USER, TEACHER),
    LogsChosen(USER),
]
ON = LoggingChecked(SOURCE, "on", "Model invocation logging is on in us-east-1.")
OFF = LoggingChecked(SOURCE, "off", "Model invocation logging does not deliver to S3 in us-east-1.")


def test_distillation_offers_invocation_logs_instead_of_a_file() -> None:
    step = run(TO_LOGS[:3])
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert "Use invocation logs" in labels(step)
    asked = run(TO_LOGS)
    assert asked.conversation.stage is Stage.AWAITING_LOGS
    assert said(asked)[0].startswith("Where are the model invocation logs")


def test_other_types_do_not_offer_invocation_logs_and_refuse_the_click() -> None:
    step = run([TypeChosen(USER, CustomizationType.CONVERSATION), ModelChosen(USER, NOVA)])
    assert "Use invocation logs" not in labels(step)
    refused = run([LogsChosen(USER)], step.conversation)
    assert refused.conversation.stage is Stage.AWAITING_TRAINING
    assert said(refused) == ["Only a distillation job can read invocation logs."]


def test_a_typed_source_is_checked_against_the_regions_logging() -> None:
    step = run([*TO_LOGS, TextTyped(USER, TYPED)])
    assert step.conversation.pending_logs == SOURCE
    assert step.effects[-1] == CheckLogging(SOURCE)
    assert "delivers text to `s3://app-logs/bedrock/`" in said(step)[0]


def test_a_source_with_problems_is_explained_and_nothing_is_checked() -> None:
    step = run([*TO_LOGS, TextTyped(USER, 's3://App-Logs/ filters="a#b=1"')])
    assert step.conversation.stage is Stage.AWAITING_LOGS
    assert not [effect for effect in step.effects if isinstance(effect, CheckLogging)]
    (message,) = [effect.reply.message for effect in step.effects if isinstance(effect, Say)]
    assert len(message.details) == 2


def test_logging_off_is_explained_and_check_again_asks_once_more() -> None:
    off = run([*TO_LOGS, TextTyped(USER, TYPED), OFF])
    assert off.conversation.stage is Stage.AWAITING_LOGS
    assert off.conversation.logs is None
    assert "Check logging again" in labels(off)
    assert said(off) == ["The job would find no invocation logs to distill from."]
    again = run([LoggingRecheckPressed(USER)], off.conversation)
    assert again.effects[-1] == CheckLogging(SOURCE)
    typed_again = run([TextTyped(USER, "check again")], off.conversation)
    assert typed_again.effects[-1] == CheckLogging(SOURCE)


def test_logging_on_leads_to_the_review_with_the_source_and_an_honest_cost() -> None:
    step = run([*TO_LOGS, TextTyped(USER, TYPED), ON])
    assert step.conversation.stage is Stage.REVIEWING
    assert step.conversation.logs == SOURCE
    assert said(step)[0] == "Model invocation logging is on in us-east-1."
    review = [e.reply.message for e in step.effects if isinstance(e, Say)][-1]
    facts = dict(review.facts)
    assert facts["Training data"].startswith("model invocation logs in `s3://app-logs/bedrock/`, requests with")
    assert facts["Teacher"] == f"`{TEACHER}`"
    assert review.text.startswith("Review your fine-tuning job: cost unknown until the job reads the invocation logs")
    cost = review.details[1]
    assert not re.search(r"\$0\.00(?!\d)", cost)
    assert "Student training, one epoch: unknown" in cost
    assert "Teacher reading the prompts: unknown" in cost
    assert "Teacher writing the answers: unknown" in cost
    assert f"up to {DISTILLATION_MAX_PROMPTS:,} prompts × 1,000 tokens" in cost


def test_the_bound_is_the_teachers_answers_at_their_longest_over_the_most_prompts_used() -> None:
    conversation = run([*TO_LOGS, TextTyped(USER, TYPED), ON]).conversation
    catalogue = CONTEXT.catalogue
    price = catalogue.teacher(TEACHER).output_per_1k_tokens.usd
    assert price is not None
    estimate = cost_estimate(conversation, catalogue.model(NOVA), catalogue)
    assert estimate.upfront is None
    assert training_estimate(conversation, catalogue.model(NOVA), catalogue) is None
    bound = price * DISTILLATION_MAX_PROMPTS * 1000 / Decimal(1000)
    assert f"at most ${bound:,.2f}" in estimate.headline()


def test_logged_responses_ask_no_teacher() -> None:
    step = run([*TO_LOGS, TextTyped(USER, "s3://app-logs/ responses=logged")])
    logged = LogSource(s3_uri="s3://app-logs/", use_logged_responses=True)
    review = run([LoggingChecked(logged, "on", "on")], step.conversation)
    text = [e.reply.message for e in review.effects if isinstance(e, Say)][-1]
    assert "Teacher writing" not in text.details[1]
    assert "the teacher is not asked to write any" in text.details[1]


def test_a_stale_verdict_is_ignored() -> None:
    step = run([*TO_LOGS, TextTyped(USER, TYPED)])
    other = LoggingChecked(LogSource(s3_uri="s3://elsewhere/"), "on", "on")
    assert run([other], step.conversation).conversation == step.conversation


def test_back_from_the_review_forgets_the_source_and_asks_for_it_again() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON])
    back = run([BackPressed(USER)], review.conversation)
    assert back.conversation.stage is Stage.AWAITING_LOGS
    assert back.conversation.logs is None
    assert back.conversation.pending_logs is None
    to_file = run([BackPressed(USER)], back.conversation)
    assert to_file.conversation.stage is Stage.AWAITING_TRAINING


def test_start_checks_logging_again_before_anything_is_created() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON])
    pressed = run([StartPressed(USER)], review.conversation)
    assert pressed.conversation.stage is Stage.REVIEWING
    assert pressed.effects[-1] == CheckLogging(SOURCE, start=True)
    assert said(pressed) == [
        "Checking again that model invocation logging in us-east-1 still delivers text to `s3://app-logs/bedrock/`…"
    ]


def test_logging_turned_off_before_start_creates_no_job_and_asks_to_check_again() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON, StartPressed(USER)])
    off = run([LoggingChecked(SOURCE, "off", OFF.text, start=True)], review.conversation)
    assert off.conversation.stage is Stage.AWAITING_LOGS
    assert not [effect for effect in off.effects if isinstance(effect, LaunchJob)]
    assert off.conversation.logs is None
    assert off.conversation.pending_logs == SOURCE
    assert said(off) == ["The job would find no invocation logs to distill from."]
    assert "Check logging again" in labels(off)
    again = run([LoggingRecheckPressed(USER)], off.conversation)
    assert again.effects[-1] == CheckLogging(SOURCE)
    back_to_review = run([ON], again.conversation)
    assert back_to_review.conversation.stage is Stage.REVIEWING
    assert run([BackPressed(USER)], off.conversation).conversation.stage is Stage.AWAITING_TRAINING


def test_logging_that_could_not_be_checked_at_start_still_starts_saying_so() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON, StartPressed(USER)])
    unknown = run([LoggingChecked(SOURCE, "unknown", "I could not check.", start=True)], review.conversation)
    assert unknown.conversation.stage is Stage.STARTING
    assert unknown.effects[-1] == LaunchJob()
    assert said(unknown) == ["I could not check."]


def test_a_start_verdict_for_another_source_or_stage_is_ignored() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON, StartPressed(USER)])
    other = LoggingChecked(LogSource(s3_uri="s3://elsewhere/"), "off", "off", start=True)
    assert run([other], review.conversation).conversation == review.conversation
    back = run([BackPressed(USER)], review.conversation)
    late = LoggingChecked(SOURCE, "on", "on", start=True)
    assert run([late], back.conversation).conversation == back.conversation


def test_start_launches_and_the_request_reads_the_logs_with_the_teacher() -> None:
    review = run([*TO_LOGS, TextTyped(USER, TYPED), ON, StartPressed(USER)])
    started = run([LoggingChecked(SOURCE, "on", ON.text, start=True)], review.conversation)
    assert started.conversation.stage is Stage.STARTING
    assert started.effects == (LaunchJob(),)
    model = CONTEXT.catalogue.model(NOVA)
    request = job_request(started.conversation, model, role_arn="arn:aws:iam::1:role/r", bucket="out")
    assert request.training_uri is None
    assert request.invocation_logs == {
        "invocationLogSource": {"s3Uri": "s3://app-logs/bedrock/"},
        "usePromptResponse": False,
        "requestMetadataFilters": {"andAll": [{"equals": {"project": "support"}}, {"notEquals": {"team": "qa"}}]},
    }
    assert request.teacher_id == TEACHER
    assert request.max_response_tokens == 1000
    assert request.validation_uri is None


ONE_LINE = {"type": "distillation", "model": NOVA, "teacher": TEACHER, "source": "invocation-logs"}


def test_the_one_line_setup_reads_invocation_logs_and_checks_logging_first() -> None:
    options = {**ONE_LINE, "logs": "s3://app-logs/bedrock/", "filters": "project=support team!=qa"}
    plan = plan_one_line(options, CONTEXT, team="T", channel="C")
    assert isinstance(plan, OneLinePlan)
    assert plan.logs == SOURCE
    step = plan.start(team="T", channel="C", thread_ts="1.0", user=USER, context=CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_LOGS
    assert step.effects[-1] == CheckLogging(SOURCE)
    review = run([ON], step.conversation)
    assert review.conversation.stage is Stage.REVIEWING
    assert run([BackPressed(USER)], review.conversation).conversation.stage is Stage.AWAITING_LOGS


def test_logs_alone_mean_invocation_logs() -> None:
    options = {"type": "distillation", "model": NOVA, "teacher": TEACHER, "logs": "s3://app-logs/", "match": "any"}
    plan = plan_one_line(options, CONTEXT, team="T", channel="C")
    assert isinstance(plan, OneLinePlan)
    assert plan.logs == LogSource(s3_uri="s3://app-logs/", match="any")
    assert plan.training_uri is None


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (ONE_LINE, "`logs=` is required"),
        ({**ONE_LINE, "logs": "s3://l/x", "data": "s3://b/t.jsonl"}, "`data=` does not go with invocation logs"),
        ({**ONE_LINE, "logs": "s3://logs/", "validation": "s3://b/v.jsonl"}, "`validation=` does not go with"),
        ({**ONE_LINE, "type": "conversation", "logs": "s3://logs/"}, "Only `type=distillation` can read"),
        ({**ONE_LINE, "source": "kafka", "logs": "s3://logs/"}, "`source=kafka`: use `source=file`"),
        ({**ONE_LINE, "source": "file", "filters": "a=1"}, "`filters=` goes with `logs=` only."),
        ({**ONE_LINE, "source": "file"}, "`data=` is required."),
        ({**ONE_LINE, "logs": "s3://logs/", "filters": "x" * 300 + "=1"}, "a metadata key is 1 to 256"),
    ],
    ids=["no-logs", "with-data", "with-validation", "other-type", "bad-source", "filters-no-logs", "file", "long"],
)
def test_the_one_line_setup_names_what_is_wrong_with_the_source(options: dict[str, str], problem: str) -> None:
    problems = plan_one_line(options, CONTEXT, team="T", channel="C")
    assert isinstance(problems, list)
    assert any(problem in found for found in problems), problems
