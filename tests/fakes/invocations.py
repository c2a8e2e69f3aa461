"""A deployed model's requests and tokens over time (``ModelInvocations``), summed per asked window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workflows.deployments.deployment_ports import ModelUsage


@dataclass
class FakeInvocations:
    """``ModelInvocations``: usage points per model id, summed over the asked window."""

    points: dict[str, list[tuple[datetime, int, int, int]]] = field(default_factory=dict)
    asked: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def record(self, model_id: str, at: datetime, *, invocations: int, input_tokens: int, output_tokens: int) -> None:
        self.points.setdefault(model_id, []).append((at, invocations, input_tokens, output_tokens))

    def usage(self, *, model_id: str, start: datetime, end: datetime) -> ModelUsage:
        self.asked.append((model_id, start, end))
        inside = [point for point in self.points.get(model_id, []) if start <= point[0] < end]
        return ModelUsage(
            invocations=sum(point[1] for point in inside),
            input_tokens=sum(point[2] for point in inside),
            output_tokens=sum(point[3] for point in inside),
        )

    def last_used(self, *, model_id: str, start: datetime, end: datetime) -> datetime | None:
        self.asked.append((model_id, start, end))
        used = [point[0] for point in self.points.get(model_id, []) if start <= point[0] < end and point[1] > 0]
        return max(used, default=None)
