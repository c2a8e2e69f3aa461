"""Request bodies checked against botocore's service model, where the stand-in answers instead of moto.

``check_request`` checks what botocore checks before sending (required members, types, minimums);
``check_limits`` checks what only the service checks, for the members the stand-in keeps itself:
maximum lengths and counts, and string patterns, matched against the whole string as Bedrock applies
them (a pattern Python's ``re`` cannot read, such as a Unicode class, is skipped).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator

from bot.sandbox.aws_http import validation


@lru_cache(maxsize=4)
def service_model(service: str) -> ServiceModel:
    """The installed botocore's model of ``service`` (``bedrock``, ``bedrock-runtime``, ``lambda``…)."""
    session = botocore.session.get_session()
    return ServiceModel(session.get_service_data(service), service_name=service)


def operation(service: str, name: str) -> OperationModel:
    return service_model(service).operation_model(name)


def check_request(service: str, name: str, params: dict[str, Any]) -> None:
    """A ValidationException naming every problem when ``params`` do not fit the operation's input shape."""
    shape = operation(service, name).input_shape
    if shape is None:
        return
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise validation(f"{name}: {report.generate_report()}")


def check_limits(service: str, name: str, params: dict[str, Any], members: tuple[str, ...]) -> None:
    """A ValidationException when ``members`` of ``params`` break the service model's maximums or patterns.

    Only for members the stand-in answers for itself: elsewhere moto's own identifiers (ARNs of its
    own shape) would not match the real patterns.
    """
    shape = operation(service, name).input_shape
    if not isinstance(shape, StructureShape):
        return
    problems = [
        problem
        for member in members
        if member in params and member in shape.members
        for problem in limit_problems(shape.members[member], params[member], member)
    ]
    if problems:
        raise validation(f"{name}: " + "; ".join(problems))


def limit_problems(shape: Shape, value: Any, path: str) -> list[str]:
    """What the service refuses beyond botocore's checks: values over ``max``, strings off their ``pattern``."""
    problems: list[str] = []
    limit = shape.metadata.get("max")
    if isinstance(value, str | list | dict) and isinstance(limit, int) and len(value) > limit:
        problems.append(f"{path} has {len(value)} {_unit(value)}, more than {limit}")
    pattern = _pattern(shape.metadata.get("pattern")) if isinstance(value, str) else None
    if isinstance(value, str) and pattern is not None and pattern.fullmatch(value) is None:
        problems.append(f"{path} does not match the pattern {shape.metadata['pattern']}")
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for member, member_shape in shape.members.items():
            if member in value:
                problems += limit_problems(member_shape, value[member], f"{path}.{member}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            problems += limit_problems(shape.member, item, f"{path}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            problems += limit_problems(shape.key, key, f"{path} key")
            problems += limit_problems(shape.value, item, f"{path}[{key}]")
    return problems


@lru_cache(maxsize=512)
def _pattern(text: object) -> re.Pattern[str] | None:
    if not isinstance(text, str):
        return None
    try:
        return re.compile(text)
    except re.error:
        return None


def _unit(value: str | list[Any] | dict[str, Any]) -> str:
    return "characters" if isinstance(value, str) else "items"
