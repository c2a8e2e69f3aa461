"""``deploy`` and ``undeploy`` arguments: what is accepted, and a refusal that says how to write it for the rest."""

from __future__ import annotations

import pytest

from workflows.catalogue import Commitment
from workflows.deployments.deploy_arguments import (
    MAX_MODEL_UNITS,
    DeployArguments,
    Refusal,
    UndeployArguments,
    parse_deploy,
    parse_undeploy,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("support-tone", DeployArguments("support-tone")),
        ("  support-tone  ", DeployArguments("support-tone")),
        ("support-tone units=2", DeployArguments("support-tone", units=2)),
        ("support-tone commitment=1m", DeployArguments("support-tone", commitment=Commitment.ONE_MONTH)),
        ("units=3 COMMITMENT=6M support-tone", DeployArguments("support-tone", 3, Commitment.SIX_MONTHS)),
        ("support-tone commitment=none", DeployArguments("support-tone", commitment=Commitment.NONE)),
        (f"m units={MAX_MODEL_UNITS}", DeployArguments("m", units=MAX_MODEL_UNITS)),
    ],
)
def test_accepted(text: str, expected: DeployArguments) -> None:
    assert parse_deploy(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Say which job or custom model to deploy"),
        ("units=1", "Say which job or custom model to deploy"),
        ("one two", "Deploy one model at a time (I read `one`, `two`)"),
        ("m units=0", "`units=` must be at least 1."),
        ("m units=two", "whole number of model units, such as `units=1`, not `two`"),
        ("m units=-1", "whole number of model units"),
        ("m units=1.5", "whole number of model units"),
        ("m units=٣", "whole number of model units"),
        (f"m units={MAX_MODEL_UNITS + 1}", f"more than the {MAX_MODEL_UNITS} model units"),
        ("m commitment=12m", "`commitment=` is `none`, `1m` or `6m`"),
        ("m commitment=", "`commitment=` is `none`, `1m` or `6m`"),
        ("m epochs=2", "I don't know the option `epochs`; deploy takes `units=` and `commitment=`"),
        ("m units=1 units=2", "`units=` is given twice"),
    ],
)
def test_refused_with_what_to_write(text: str, says: str) -> None:
    refusal = parse_deploy(text)
    assert isinstance(refusal, Refusal)
    assert says in refusal.text


def test_a_refusal_shows_typed_values_as_code_that_cannot_break_out() -> None:
    refusal = parse_deploy("m units=`<!channel>`")
    assert isinstance(refusal, Refusal)
    assert "`ˋ<!channel>ˋ`" in refusal.text


def test_units_or_a_commitment_ask_for_throughput() -> None:
    assert not DeployArguments("m").asks_for_throughput
    assert DeployArguments("m", units=1).asks_for_throughput
    assert DeployArguments("m", commitment=Commitment.NONE).asks_for_throughput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("support-tone-pt1-0a1b2c3d", UndeployArguments("support-tone-pt1-0a1b2c3d")),
        (
            "",
            Refusal("Say which deployment to delete: `/finetune undeploy NAME` (`/finetune deployments` lists them)."),
        ),
        ("a b", Refusal("Delete one deployment at a time: `/finetune undeploy NAME`.")),
    ],
)
def test_undeploy(text: str, expected: UndeployArguments | Refusal) -> None:
    assert parse_undeploy(text) == expected
