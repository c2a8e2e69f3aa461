"""Request bodies checked against botocore's service model, where the stand-in answers instead of moto."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel
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
