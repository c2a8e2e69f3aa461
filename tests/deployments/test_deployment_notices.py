"""What people read about a deployment: the confirmation's costs and who may delete, ready, failed, idle, deleted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.blocks import render
from tests.deployments.deployment_samples import (
    ADMIN,
    CREATED,
    NOVA_MICRO,
    OWNER,
    TITAN_LITE,
    on_demand,
    target,
    throughput,
)
from workflows.catalogue import Catalogue, Commitment, load_catalogue
from workflows.deployments import deployment_notices as notices
from workflows.deployments.deploy_arguments import DeployArguments
from workflows.deployments.deployment_advice import DEFAULT_HINT, failure_hint, refusal_text
from workflows.deployments.deployment_costs import plan_costs
from workflows.deployments.routing import DeployTarget, choose_route
from workflows.messages import Message

ADMINS = frozenset({ADMIN})
#: AWS's own words in a failure: an account id and a role ARN that must never reach a channel.
RAW_FAILURE = "Insufficient capacity for arn:aws:iam::123456789012:role/Secret in account 123456789012"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def proposal(catalogue: Catalogue, deploy_target: DeployTarget, arguments: DeployArguments) -> notices.DeployProposal:
    model = catalogue.model(deploy_target.base_model_id)
    plan = choose_route(deploy_target, model, "us-east-1", arguments)
    costs = plan_costs(model, plan, base_model_id=deploy_target.base_model_id)
    return notices.DeployProposal(
        deploy_target, plan, costs, model.name, "us-east-1", "support-tone-pt1-0a1b2c3d", "ftd-0123456789abcdef"
    )


def shown(message: Message) -> str:
    """Everything Slack would show, as rendered Block Kit JSON (escaped as it is sent)."""
    return json.dumps(render(message), ensure_ascii=False)


def test_a_throughput_confirmation_states_hour_month_billing_and_who_may_delete(catalogue: Catalogue) -> None:
    message = notices.confirmation(proposal(catalogue, target(base_model_id=TITAN_LITE), DeployArguments("m")), ADMINS)
    assert message.text == "Deploy `support-tone` through Provisioned Throughput?"
    assert message.buttons == ()
    costs = message.details[1]
    assert "• Per hour, 1 model unit, no commitment: $7.10 per hour (estimate)" in costs
    assert "• Per 30 days: $5,112.00 (estimate) — 720 hours" in costs
    assert "billed every hour from creation until it is deleted, used or not" in costs
    assert "Prices as of 2024, Third-party GitHub notes" in costs
    assert message.details[2] == (
        f"Who may delete it: <@{OWNER}> (who started the job) and the admins in FINETUNE_ADMINS (<@{ADMIN}>)."
    )
    assert dict(message.facts)["Commitment"] == "none (delete it at any time)"
    assert dict(message.facts)["Name"] == "`support-tone-pt1-0a1b2c3d`"
    assert f"<@{OWNER}>" in shown(message)


def test_an_on_demand_confirmation_states_prices_per_1k_tokens(catalogue: Catalogue) -> None:
    message = notices.confirmation(proposal(catalogue, target(base_model_id=NOVA_MICRO), DeployArguments("m")), ADMINS)
    assert message.text == "Deploy `support-tone` on demand?"
    assert "Model units" not in dict(message.facts)
    costs = message.details[1]
    assert "• Input: $0.000035 per 1K tokens (estimate)" in costs
    assert "• Output: $0.00014 per 1K tokens (estimate)" in costs
    assert "Prices as of 2026-09-01" in costs
    assert "per hour" not in costs


def test_a_commitment_is_named_with_its_consequence(catalogue: Catalogue) -> None:
    arguments = DeployArguments("m", units=2, commitment=Commitment.SIX_MONTHS)
    message = notices.confirmation(proposal(catalogue, target(), arguments), ADMINS)
    facts = dict(message.facts)
    assert (facts["Model units"], facts["Commitment"]) == ("2", "6 months (cannot be deleted before it ends)")
    assert "With a 6-month commitment it cannot be deleted before the term ends." in message.details[1]


def test_without_admins_or_owner_the_confirmation_says_who_is_left(catalogue: Catalogue) -> None:
    message = notices.confirmation(proposal(catalogue, target(owner=None), DeployArguments("m")), frozenset())
    assert message.details[2] == "Who may delete it: the admins in FINETUNE_ADMINS (none are set)."


def test_hostile_labels_stay_inert_everywhere(catalogue: Catalogue) -> None:
    hostile = target(label="<!channel> `x` <https://evil|log in>", owner="<!here>")
    message = notices.confirmation(proposal(catalogue, hostile, DeployArguments("m")), ADMINS)
    rendered = shown(message) + shown(notices.not_allowed_to_deploy(hostile))
    assert "<!channel>" not in rendered
    assert "<!here>" not in rendered
    assert "<https://evil" not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_the_ready_notice_says_what_it_costs_and_how_to_delete_it() -> None:
    message = notices.ready_notice(throughput(units=2, hourly_cost=None), ADMINS)
    assert message.text == (
        ":white_check_mark: `support-tone-pt1-0a1b2c3d` is ready: `support-tone` is served "
        "through Provisioned Throughput (2 model units)."
    )
    assert message.details[0] == "It costs an unknown amount per hour until it is deleted, used or not."
    assert "`/finetune undeploy support-tone-pt1-0a1b2c3d`" in message.details[1]
    on_demand_ready = notices.ready_notice(on_demand(), ADMINS)
    assert "served on demand" in on_demand_ready.text
    assert on_demand_ready.details[0].startswith("There is no hourly fee")


def test_a_failure_is_explained_and_awss_words_never_shown() -> None:
    message = notices.failed_notice(throughput(), RAW_FAILURE)
    rendered = shown(message)
    assert "123456789012" not in rendered
    assert "Secret" not in rendered
    assert "no capacity or quota" in rendered
    assert "The exact reason is in finetune-bot's log." in rendered
    assert "Bedrock gave no reason." in shown(notices.failed_notice(throughput(), None))


@pytest.mark.parametrize(
    ("aws_says", "hint_starts"),
    [
        ("The model units are not available in this Region", "AWS has no capacity or quota"),
        ("On-demand deployment is not supported for custom models based on x", "This custom model cannot be served"),
        ("The custom model x is not active yet: its customization job is InProgress", "The custom model is not ready"),
        ("User is not authorized to perform bedrock:CreateProvisionedModelThroughput", "The bot's identity lacks"),
        ("Deployment failed because of an internal error.", "This is an error inside Bedrock"),
        ("Something nobody has seen", DEFAULT_HINT),
    ],
)
def test_failure_hints(aws_says: str, hint_starts: str) -> None:
    assert failure_hint(aws_says).startswith(hint_starts)


def test_refusals_name_the_code_never_the_message() -> None:
    assert "AccessDeniedException" in refusal_text("AccessDeniedException", RAW_FAILURE)
    assert "123456789012" not in refusal_text("ValidationException", RAW_FAILURE)
    assert "already being created" in refusal_text(
        "ValidationException", "The clientRequestToken was already used with different parameters."
    )
    assert refusal_text("", "").startswith("Bedrock refused the deployment (an unknown error).")


def test_the_idle_reminder_has_the_cost_so_far_and_the_period() -> None:
    message = notices.idle_reminder(throughput(), idle_hours=24, spent="about $1,452.00")
    assert message.text == (
        ":zzz: `support-tone-pt1-0a1b2c3d` (Provisioned Throughput for `support-tone`) has had no requests "
        "in the last 24 hours."
    )
    assert dict(message.facts) == {"Cost so far": "about $1,452.00", "Costs": "$60.50 per hour until deleted"}
    assert message.context == "I remind at most once every 24 hours while it stays idle."


def test_undeploy_texts() -> None:
    record = throughput()
    confirm = notices.delete_confirmation(record, spent="about $12.10")
    assert confirm.text == "Delete `support-tone-pt1-0a1b2c3d` (Provisioned Throughput for `support-tone`)?"
    assert dict(confirm.facts) == {"Cost so far": "about $12.10"}
    deleted = notices.deleted_notice(record, ADMIN, CREATED + timedelta(hours=3))
    assert (
        deleted.text == f":wastebasket: `support-tone-pt1-0a1b2c3d` was deleted by <@{ADMIN}> at 2026-10-05 11:00 UTC."
    )
    refused = notices.not_allowed_to_delete(record)
    assert refused.text == f"Only <@{OWNER}>, who started the job, or an admin may delete `support-tone-pt1-0a1b2c3d`."
    assert "deleted outside finetune-bot" in notices.gone_notice(record).text
    assert "`/finetune undeploy support-tone-pt1-0a1b2c3d`" in notices.already_deployed(record).text
