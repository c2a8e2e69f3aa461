"""Deterministic names and tokens: the same confirmation makes one deployment, a new one after deletion another."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.deployments.deployment_samples import MODEL_ARN, throughput
from workflows.deployments.deployment_naming import deployment_names, live_deployment_of, next_attempt
from workflows.deployments.deployment_record import DeploymentStatus, Route

#: Bedrock's patterns for deployment and throughput names, and for client request tokens.
NAME = re.compile(r"^([0-9a-zA-Z][_-]?){1,63}$")
TOKEN = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$")


def names(**changes: object) -> tuple[str, str]:
    arguments: dict[str, object] = {
        "team": "T1",
        "model_arn": MODEL_ARN,
        "label": "support-tone",
        "route": Route.PROVISIONED,
        "attempt": 1,
    }
    return deployment_names(**{**arguments, **changes})  # type: ignore[arg-type]


def test_the_same_request_always_gives_the_same_name_and_token() -> None:
    assert names() == names()
    name, token = names()
    assert name.startswith("support-tone-pt1-")
    assert token.startswith("ftd-")


def test_workspace_model_route_and_attempt_each_change_both() -> None:
    first = names()
    for changed in (
        names(team="T2"),
        names(model_arn=MODEL_ARN.replace("abcdef", "fedcba")),
        names(route=Route.ON_DEMAND),
        names(attempt=2),
    ):
        assert changed[0] != first[0]
        assert changed[1] != first[1]


@given(label=st.text(max_size=200))
def test_any_label_gives_names_and_tokens_bedrock_accepts(label: str) -> None:
    name, token = names(label=label)
    assert NAME.match(name), name
    assert len(name) <= 63
    assert TOKEN.match(token), token


def test_the_next_attempt_follows_the_last_deployment_of_that_model_and_route() -> None:
    first_name, _ = names()
    second_name, _ = names(attempt=2)
    existing = [
        throughput(first_name, status=DeploymentStatus.DELETED),
        throughput(second_name, status=DeploymentStatus.FAILED),
        throughput("other-pt7-0a1b2c3d", model_arn=MODEL_ARN.replace("abcdef", "fedcba")),
    ]
    assert next_attempt(existing, model_arn=MODEL_ARN, route=Route.PROVISIONED) == 3
    assert next_attempt(existing, model_arn=MODEL_ARN, route=Route.ON_DEMAND) == 1
    assert next_attempt([], model_arn=MODEL_ARN, route=Route.PROVISIONED) == 1


def test_a_model_still_creating_or_serving_is_found_before_a_second_deploy() -> None:
    live = throughput("support-tone-pt2-0a1b2c3d", status=DeploymentStatus.CREATING)
    gone = throughput("support-tone-pt1-0a1b2c3d", status=DeploymentStatus.DELETED)
    assert live_deployment_of([gone, live], model_arn=MODEL_ARN) == live
    assert live_deployment_of([gone], model_arn=MODEL_ARN) is None
