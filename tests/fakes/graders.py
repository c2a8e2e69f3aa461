"""``GraderFunctions`` and ``RolePolicies`` in memory: graders are Python handlers by ARN, every call is recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflows.exceptions import GraderUnavailable
from workflows.ports import GraderReply, Lookup


class FakeGraders:
    """A handler that raises stands for a Lambda that raised (Lambda's ``FunctionError``)."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[Any], Any]] = {}
        self.calls: list[tuple[str, Any]] = []
        #: Each function's resource policy (JSON text); none by default.
        self.policies: dict[str, Lookup] = {}

    def find(self, arn: str) -> None:
        if arn not in self.handlers:
            raise GraderUnavailable(f"There is no Lambda function {arn} in this account and region.")

    def invoke(self, arn: str, payload: object) -> GraderReply:
        self.find(arn)
        self.calls.append((arn, payload))
        try:
            return GraderReply(payload=self.handlers[arn](payload))
        except Exception as exc:
            return GraderReply(error=f"{type(exc).__name__}: {exc}")

    def resource_policy(self, arn: str) -> Lookup:
        return self.policies.get(arn, Lookup(found=False))


class FakeRoles:
    """IAM's simulator: one decision for every question (``allowed`` by default), and the questions asked."""

    def __init__(self) -> None:
        self.answer = Lookup(found=True, value="allowed")
        self.asked: list[tuple[str, str, str]] = []

    def simulate(self, role_arn: str, action: str, resource: str) -> Lookup:
        self.asked.append((role_arn, action, resource))
        return self.answer
