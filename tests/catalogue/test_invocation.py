"""The base model's invoke id per region: the catalogue's table, its checks, and the pure lookup."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from workflows.catalogue import Catalogue, InvokeRoute, base_model_invoke_target, load_catalogue
from workflows.catalogue.invocation import RegionInvocation


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize(
    ("base_model", "region", "model_id", "route"),
    [
        ("amazon.nova-micro-v1:0:128k", "us-east-1", "amazon.nova-micro-v1:0", InvokeRoute.ON_DEMAND),
        ("amazon.nova-micro-v1:0:128k", "us-west-2", "us.amazon.nova-micro-v1:0", InvokeRoute.INFERENCE_PROFILE),
        ("amazon.nova-lite-v1:0:300k", "us-east-1", "amazon.nova-lite-v1:0", InvokeRoute.ON_DEMAND),
        ("amazon.nova-pro-v1:0:300k", "us-east-2", "us.amazon.nova-pro-v1:0", InvokeRoute.INFERENCE_PROFILE),
        ("amazon.nova-2-lite-v1:0:256k", "us-east-1", "us.amazon.nova-2-lite-v1:0", InvokeRoute.INFERENCE_PROFILE),
        ("amazon.titan-text-lite-v1:0:4k", "us-east-1", "amazon.titan-text-lite-v1", InvokeRoute.ON_DEMAND),
        ("amazon.titan-text-express-v1:0:8k", "us-west-2", "amazon.titan-text-express-v1", InvokeRoute.ON_DEMAND),
        ("meta.llama3-1-8b-instruct-v1:0:128k", "us-west-2", "meta.llama3-1-8b-instruct-v1:0", InvokeRoute.ON_DEMAND),
        (
            "meta.llama3-1-70b-instruct-v1:0:128k",
            "us-east-1",
            "us.meta.llama3-1-70b-instruct-v1:0",
            InvokeRoute.INFERENCE_PROFILE,
        ),
        (
            "meta.llama3-2-1b-instruct-v1:0:128k",
            "us-west-2",
            "us.meta.llama3-2-1b-instruct-v1:0",
            InvokeRoute.INFERENCE_PROFILE,
        ),
        (
            "meta.llama3-2-90b-instruct-v1:0:128k",
            "us-west-2",
            "us.meta.llama3-2-90b-instruct-v1:0",
            InvokeRoute.INFERENCE_PROFILE,
        ),
        (
            "meta.llama3-3-70b-instruct-v1:0:128k",
            "us-west-2",
            "us.meta.llama3-3-70b-instruct-v1:0",
            InvokeRoute.INFERENCE_PROFILE,
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0:200k",
            "us-west-2",
            "anthropic.claude-3-haiku-20240307-v1:0",
            InvokeRoute.ON_DEMAND,
        ),
        ("openai.gpt-oss-20b", "us-west-2", "openai.gpt-oss-20b-1:0", InvokeRoute.ON_DEMAND),
    ],
)
def test_the_catalogue_maps_a_base_model_and_region_to_the_id_bedrock_invokes(
    catalogue: Catalogue, base_model: str, region: str, model_id: str, route: InvokeRoute
) -> None:
    target = base_model_invoke_target(catalogue, base_model, region)

    assert target is not None
    assert (target.model_id, target.route, target.region, target.base_model_id) == (model_id, route, region, base_model)
    assert target.source.startswith("AWS documentation")
    assert target.as_of == "2026-11-29"


@pytest.mark.parametrize(
    ("base_model", "region"),
    [
        ("amazon.nova-micro-v1:0:128k", "eu-west-1"),  # a region the data does not name
        ("cohere.command-light-text-v14:7:4k", "us-east-1"),  # legacy, no invocation data
        ("arn:aws:bedrock:us-east-1:123456789012:custom-model/abc", "us-east-1"),  # not a catalogue model
        ("amazon.nova-micro-v1:0", "us-east-1"),  # the invoke id is not a catalogue id
    ],
)
def test_no_invoke_id_is_made_up_where_the_catalogue_has_none(
    catalogue: Catalogue, base_model: str, region: str
) -> None:
    assert base_model_invoke_target(catalogue, base_model, region) is None


def test_every_active_model_can_be_invoked_in_each_region_it_is_customized_in(catalogue: Catalogue) -> None:
    missing = [
        f"{model.id} in {region}"
        for model in catalogue.models
        if not model.is_legacy
        for region in model.regions
        if base_model_invoke_target(catalogue, model.id, region) is None
    ]

    assert missing == []


def test_no_invoke_id_in_the_catalogue_keeps_the_context_suffix_or_mixes_up_profiles(catalogue: Catalogue) -> None:
    for model in catalogue.models:
        for region in model.invocation.regions if model.invocation else {}:
            target = base_model_invoke_target(catalogue, model.id, region)
            assert target is not None
            assert re.search(r":\d+k$", target.model_id) is None, target
            assert target.model_id.startswith("us.") == (target.route is InvokeRoute.INFERENCE_PROFILE), target


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({}, "exactly one of on_demand and inference_profile"),
        (
            {"on_demand": "amazon.nova-micro-v1:0", "inference_profile": "us.amazon.nova-micro-v1:0"},
            "exactly one",
        ),
        ({"on_demand": "amazon.nova-micro-v1:0:128k"}, "is not an on-demand model id"),
        ({"on_demand": "us.amazon.nova-micro-v1:0"}, "is not an on-demand model id"),
        ({"inference_profile": "amazon.nova-micro-v1:0"}, "is not a system inference profile id"),
    ],
)
def test_a_malformed_invocation_entry_is_refused_when_the_catalogue_loads(entry: dict[str, str], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        RegionInvocation.model_validate(entry)
