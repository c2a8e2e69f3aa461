"""How a base model is invoked per region (on-demand model id or cross-region inference profile), and the lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, model_validator

from workflows.catalogue.values import AsOf, Certainty

if TYPE_CHECKING:
    from workflows.catalogue.schema import Catalogue

#: The geography prefixes of Bedrock's system (cross-region) inference profile ids: ``us.``, ``eu.``, ``global.``.
_PROFILE_PREFIX = re.compile(r"^(us|us-gov|eu|apac|jp|au|ca|global)\.")
#: The context-window suffix of a customization id (``…:0:128k``); Converse and InvokeModel refuse it.
_CONTEXT_SUFFIX = re.compile(r":\d+k$")


class InvokeRoute(StrEnum):
    """How Bedrock takes on-demand requests for a base model in one region."""

    #: The model id itself, in the region.
    ON_DEMAND = "on-demand"
    #: Only a system inference profile, which may route the request to another region of its geography.
    INFERENCE_PROFILE = "inference-profile"


class RegionInvocation(BaseModel):
    """The one id to send in a region: ``on_demand`` (a model id) or ``inference_profile`` (a profile id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on_demand: str | None = None
    inference_profile: str | None = None

    @model_validator(mode="after")
    def _one_well_formed_id(self) -> RegionInvocation:
        if (self.on_demand is None) == (self.inference_profile is None):
            raise ValueError("give exactly one of on_demand and inference_profile")
        if self.on_demand is not None and (
            _PROFILE_PREFIX.match(self.on_demand) or _CONTEXT_SUFFIX.search(self.on_demand)
        ):
            raise ValueError(f"{self.on_demand} is not an on-demand model id (no geography prefix, no :NNk suffix)")
        if self.inference_profile is not None and not _PROFILE_PREFIX.match(self.inference_profile):
            raise ValueError(f"{self.inference_profile} is not a system inference profile id (us., eu., global., …)")
        return self

    @property
    def route(self) -> InvokeRoute:
        return InvokeRoute.ON_DEMAND if self.on_demand is not None else InvokeRoute.INFERENCE_PROFILE

    @property
    def model_id(self) -> str:
        return self.on_demand or self.inference_profile or ""


class Invocation(BaseModel):
    """Per region, the id that invokes the base model on demand, with where and when that was read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regions: dict[str, RegionInvocation]
    source: str
    as_of: AsOf
    certainty: Certainty = Certainty.CONFIRMED
    note: str | None = None


@dataclass(frozen=True, slots=True)
class InvokeTarget:
    """What to send as ``modelId`` to Converse or InvokeModel for a base model in one region, and why."""

    #: The catalogue's id of the base model (the customization id, e.g. ``amazon.nova-micro-v1:0:128k``).
    base_model_id: str
    region: str
    #: The ``modelId`` to send: an on-demand model id or a system inference profile id.
    model_id: str
    route: InvokeRoute
    source: str
    as_of: str
    certainty: Certainty


def base_model_invoke_target(catalogue: Catalogue, base_model_id: str, region: str) -> InvokeTarget | None:
    """The id that invokes ``base_model_id`` (a catalogue id) on demand in ``region``; None when the catalogue has none.

    Pure: reads the bundled catalogue only. None for a model the catalogue does not list (a custom model
    ARN, say), for a model without invocation data, and for a region the data does not name.
    """
    model = next((model for model in catalogue.models if model.id == base_model_id), None)
    invocation = model.invocation if model is not None else None
    entry = invocation.regions.get(region) if invocation is not None else None
    if invocation is None or entry is None:
        return None
    return InvokeTarget(
        base_model_id=base_model_id,
        region=region,
        model_id=entry.model_id,
        route=entry.route,
        source=invocation.source,
        as_of=invocation.as_of,
        certainty=invocation.certainty,
    )
