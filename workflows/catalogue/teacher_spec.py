"""A distillation teacher: the model Bedrock runs on your prompts to write the answers a student learns from."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from workflows.catalogue.values import AsOf, Price


class TeacherAccess(StrEnum):
    """How a distillation job reaches the teacher (AWS's "inference profile" column)."""

    #: Invoked on demand in the region.
    ON_DEMAND = "on-demand"
    #: Only through a system (cross-region) inference profile.
    INFERENCE_PROFILE = "inference-profile"
    #: Either way.
    BOTH = "both"


class TeacherSpec(BaseModel):
    """One teacher model, with its on-demand prices: a distillation job is billed for its inference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``teacherModelIdentifier`` (an inference profile id is also accepted where access allows one).
    id: str
    name: str
    provider: str
    regions: tuple[str, ...]
    access: TeacherAccess
    #: The teacher's on-demand prices, which a distillation job pays for the answers it writes.
    input_per_1k_tokens: Price
    output_per_1k_tokens: Price
    #: Where the teacher and its students were read, and when (None: the date was not recorded).
    source: str
    as_of: AsOf | None = None
    note: str | None = None

    def in_region(self, region: str) -> bool:
        return region in self.regions
