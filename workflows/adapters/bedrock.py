"""Bedrock's model-customization API behind the ``CustomizationJobs`` port, errors in the product's terms."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError

from workflows.adapters.aws_retry import AttemptCounter, busy_error
from workflows.aws_advice import Kind, job_advice, launch_advice
from workflows.exceptions import (
    AccessProblem,
    BotError,
    JobLaunchFailed,
    JobNotFound,
    JobNotStoppable,
    QuotaExceeded,
    RequestRejected,
    ServiceBusy,
)
from workflows.jobs.job import JobOrigin, JobRequest, JobSnapshot, JobStatus
from workflows.slack_text import code as as_code

if TYPE_CHECKING:
    from mypy_boto3_bedrock.client import BedrockClient
    from mypy_boto3_bedrock.literals import CustomizationTypeType
    from mypy_boto3_bedrock.type_defs import (
        CreateModelCustomizationJobRequestTypeDef,
        CustomizationConfigTypeDef,
        InvocationLogsConfigTypeDef,
        RFTConfigTypeDef,
        RFTHyperParametersTypeDef,
        TeacherModelConfigTypeDef,
        TrainingDataConfigTypeDef,
    )

logger = logging.getLogger(__name__)

T = TypeVar("T")

CREATE = "CreateModelCustomizationJob"
GET = "GetModelCustomizationJob"
LIST = "ListModelCustomizationJobs"
STOP = "StopModelCustomizationJob"

#: ``statusDetails`` members and the stage names people see, in the order the job goes through them.
STAGES = {
    "validationDetails": "validation",
    "dataProcessingDetails": "data processing",
    "trainingDetails": "training",
}
#: The statuses monitoring lists: the ones that can still change.
LISTED_STATUSES = (JobStatus.IN_PROGRESS, JobStatus.STOPPING)


class BedrockJobs:
    """``CustomizationJobs`` on a boto3 ``bedrock`` client; jobs are addressed by name.

    Names, not ARNs, because moto looks jobs up by name only and real Bedrock accepts both.
    The client retries throttling and 5xx answers itself (``aws.bedrock_client``); what still fails
    after its last attempt is raised here as ``ServiceBusy``.
    """

    def __init__(self, client: BedrockClient, *, page_size: int = 100) -> None:
        self._client = client
        self._page_size = page_size
        self._attempts = AttemptCounter(client)

    @property
    def calls(self) -> Counter[str]:
        """HTTP requests sent so far, retries included, by operation name (``GetModelCustomizationJob``…)."""
        return self._attempts.calls

    def create(self, request: JobRequest) -> JobSnapshot:
        """Create the job; when its name is taken by this same request, return that job instead."""
        params = _create_params(request)
        try:
            response = _call(lambda: self._client.create_model_customization_job(**params))
        except ClientError as error:
            if not _name_in_use(error):
                raise _launch_error(error, request) from error
            return self._existing(request, error)
        logger.info("Created customization job %s", request.job_name)
        return JobSnapshot(
            job_name=request.job_name,
            job_arn=response["jobArn"],
            status=JobStatus.IN_PROGRESS,
            output_uri=request.output_uri,
        )

    def describe(self, job_name: str) -> JobSnapshot:
        """The job as Bedrock reports it now."""
        return _snapshot(self._get(job_name))

    def in_progress(self) -> Iterator[JobSnapshot]:
        """Jobs listed InProgress or Stopping: one call per page, however many jobs are watched."""
        for status in LISTED_STATUSES:
            for page in self._pages(status):
                for summary in page.get("modelCustomizationJobSummaries", []):
                    yield _snapshot(summary)

    def origin(self, job_name: str) -> JobOrigin:
        """The job's base model, type, hyperparameters and tags (Get plus ListTagsForResource)."""
        raw = self._get(job_name)
        try:
            listed = _call(lambda: self._client.list_tags_for_resource(resourceARN=raw["jobArn"]))
        except ClientError as error:
            raise _job_error(error, job_name) from error
        base = str(raw.get("baseModelArn", ""))
        return JobOrigin(
            base_model_id=base.rsplit("/", 1)[-1],
            bedrock_type=str(raw.get("customizationType", "FINE_TUNING")),
            hyperparameters={str(k): str(v) for k, v in (raw.get("hyperParameters") or {}).items()},
            tags={tag["key"]: tag["value"] for tag in listed.get("tags", [])},
        )

    def stop(self, job_name: str) -> None:
        """Ask Bedrock to stop a running job."""
        try:
            _call(lambda: self._client.stop_model_customization_job(jobIdentifier=job_name))
        except ClientError as error:
            if _code(error) == "ConflictException":
                raise JobNotStoppable(
                    f"Job {as_code(job_name)} is no longer running, so there is nothing to stop."
                ) from error
            raise _job_error(error, job_name) from error
        logger.info("Asked Bedrock to stop customization job %s", job_name)

    def _get(self, job_name: str) -> Mapping[str, Any]:
        """GetModelCustomizationJob's raw answer."""
        try:
            return _call(lambda: self._client.get_model_customization_job(jobIdentifier=job_name))
        except ClientError as error:
            raise _job_error(error, job_name) from error

    def _pages(self, status: JobStatus) -> Iterator[Mapping[str, Any]]:
        """ListModelCustomizationJobs page by page; botocore retries a throttled page on its own."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"statusEquals": status.value, "maxResults": self._page_size}
            if token:
                params["nextToken"] = token
            try:
                page = _call(partial(self._client.list_model_customization_jobs, **params))
            except ClientError as error:
                raise _job_error(error, None) from error
            yield page
            token = page.get("nextToken")
            if not token:
                return

    def _existing(self, request: JobRequest, error: ClientError) -> JobSnapshot:
        """After "name in use": the job this request created earlier, or a clear refusal."""
        try:
            raw = self._get(request.job_name)
        except JobNotFound:
            raise _launch_error(error, request) from error
        if not _same_request(raw, request):
            raise RequestRejected(
                f"A different customization job is already named {as_code(request.job_name)}. "
                "Give this job another name and start it again."
            ) from error
        logger.info("Customization job %s already existed for this request", request.job_name)
        return _snapshot(raw)


def _call(function: Callable[[], T]) -> T:
    """``function()``; throttling or an outage that outlasted botocore's retries becomes ``ServiceBusy``.

    Other ``ClientError``s are raised unchanged for the caller to translate.
    """
    try:
        return function()
    except Exception as error:
        busy = busy_error(error, "Bedrock")
        if busy is None:
            raise
        raise busy from error


def _create_params(request: JobRequest) -> CreateModelCustomizationJobRequestTypeDef:
    """The CreateModelCustomizationJob request; optional members only when they have a value."""
    params: CreateModelCustomizationJobRequestTypeDef = {
        "jobName": request.job_name,
        "customModelName": request.custom_model_name,
        "roleArn": request.role_arn,
        "baseModelIdentifier": request.base_model_id,
        "customizationType": cast("CustomizationTypeType", request.customization.bedrock_value),
        "trainingDataConfig": _training_data(request),
        "outputDataConfig": {"s3Uri": request.output_uri},
        "clientRequestToken": request.client_request_token,
    }
    if request.hyperparameters:
        params["hyperParameters"] = dict(request.hyperparameters)
    config = _customization_config(request)
    if config is not None:
        params["customizationConfig"] = config
    if request.validation_uri:
        params["validationDataConfig"] = {"validators": [{"s3Uri": request.validation_uri}]}
    if request.tags:
        params["jobTags"] = [{"key": key, "value": value} for key, value in request.tags.items()]
    return params


def _training_data(request: JobRequest) -> TrainingDataConfigTypeDef:
    """The training file, or (distillation) the model invocation logs to read the prompts from."""
    if request.invocation_logs is not None:
        return {"invocationLogsConfig": cast("InvocationLogsConfigTypeDef", request.invocation_logs)}
    assert request.training_uri is not None, "a job has a training file or invocation logs"
    return {"s3Uri": request.training_uri}


def _customization_config(request: JobRequest) -> CustomizationConfigTypeDef | None:
    """Distillation's teacher, or RFT's grader and settings; None for the other types."""
    if request.teacher_id is not None:
        teacher: TeacherModelConfigTypeDef = {"teacherModelIdentifier": request.teacher_id}
        if request.max_response_tokens is not None:
            teacher["maxResponseLengthForInference"] = request.max_response_tokens
        return {"distillationConfig": {"teacherModelConfig": teacher}}
    if request.grader_arn is not None:
        rft: RFTConfigTypeDef = {"graderConfig": {"lambdaGrader": {"lambdaArn": request.grader_arn}}}
        if request.rft_hyperparameters:
            rft["hyperParameters"] = cast("RFTHyperParametersTypeDef", dict(request.rft_hyperparameters))
        return {"rftConfig": rft}
    return None


def _same_request(raw: Mapping[str, Any], request: JobRequest) -> bool:
    """Whether an existing job came from ``request``: by token, or (moto may drop it) by its inputs."""
    token = raw.get("clientRequestToken")
    if token:
        return bool(token == request.client_request_token)
    base_arn = str(raw.get("baseModelArn", ""))
    same_base = base_arn == request.base_model_id or base_arn.endswith("/" + request.base_model_id)
    training = raw.get("trainingDataConfig") or {}
    if request.invocation_logs is not None:
        return same_base and training.get("invocationLogsConfig") == request.invocation_logs
    return same_base and training.get("s3Uri") == request.training_uri


def _snapshot(raw: Mapping[str, Any]) -> JobSnapshot:
    """A Get answer or a List summary, in the product's terms."""
    status = _status(raw.get("status"))
    return JobSnapshot(
        job_name=raw["jobName"],
        job_arn=raw["jobArn"],
        status=status,
        stages=_stages(raw.get("statusDetails")),
        # moto sets a failure message on every job; only a failed job's reason means anything.
        failure_message=raw.get("failureMessage") if status is JobStatus.FAILED else None,
        custom_model_arn=raw.get("outputModelArn") or raw.get("customModelArn"),
        custom_model_name=raw.get("outputModelName") or raw.get("customModelName"),
        training_loss=_float(raw.get("trainingMetrics", {}).get("trainingLoss")),
        validation_loss=_validation_loss(raw.get("validationMetrics")),
        output_uri=raw.get("outputDataConfig", {}).get("s3Uri"),
        training_uri=raw.get("trainingDataConfig", {}).get("s3Uri"),
        validation_uri=_validation_uri(raw.get("validationDataConfig")),
        created_at=_utc(raw.get("creationTime")),
        # moto sets endTime at creation; a running job has not ended.
        ended_at=_utc(raw.get("endTime")) if status.terminal else None,
    )


def _status(value: object) -> JobStatus:
    """Bedrock's status; one this code does not know yet is treated as still running, not a crash."""
    try:
        return JobStatus(str(value))
    except ValueError:
        logger.warning("Unknown customization job status %r; treating it as InProgress", value)
        return JobStatus.IN_PROGRESS


def _stages(details: object) -> dict[str, str]:
    """``statusDetails`` as {"validation": "Completed", "data processing": …, "training": …}."""
    if not isinstance(details, Mapping):
        return {}
    stages: dict[str, str] = {}
    for member, stage in STAGES.items():
        detail = details.get(member)
        if isinstance(detail, Mapping) and detail.get("status"):
            stages[stage] = str(detail["status"])
    return stages


def _validation_uri(config: object) -> str | None:
    """The first validator's dataset (the product sends at most one validation file)."""
    validators = config.get("validators") if isinstance(config, Mapping) else None
    if not isinstance(validators, list):
        return None
    uris = [item.get("s3Uri") for item in validators if isinstance(item, Mapping)]
    return next((str(uri) for uri in uris if uri), None)


def _validation_loss(metrics: object) -> float | None:
    """The first validator's loss (the product sends one validation file)."""
    if not isinstance(metrics, list):
        return None
    losses = [_float(item.get("validationLoss")) for item in metrics if isinstance(item, Mapping)]
    return next((loss for loss in losses if loss is not None), None)


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _utc(value: object) -> datetime | None:
    """A timezone-aware UTC time; naive times (moto) are taken to be UTC already."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")).strip() or _code(error)


def _name_in_use(error: ClientError) -> bool:
    """Bedrock says "name in use" as ResourceInUse (moto) or Conflict/Validation (real AWS)."""
    code = _code(error)
    in_use_message = "currently in use" in _message(error)
    return code == "ResourceInUseException" or (code in {"ConflictException", "ValidationException"} and in_use_message)


_ERRORS: dict[Kind, type[BotError]] = {
    Kind.ACCESS: AccessProblem,
    Kind.QUOTA: QuotaExceeded,
    Kind.REJECTED: RequestRejected,
    Kind.BUSY: ServiceBusy,
    Kind.FAILED: JobLaunchFailed,
}


def _launch_error(error: ClientError, request: JobRequest) -> BotError:
    """Why Bedrock refused to create the job, with what to check next (its own words go to the log)."""
    code, message = _code(error), _message(error)
    logger.warning("Bedrock refused to create job %s: %s: %s", request.job_name, code, message)
    advice = launch_advice(code, message, base_model_id=request.base_model_id)
    return _ERRORS[advice.kind](advice.text)


def _job_error(error: ClientError, job_name: str | None) -> BotError:
    """Why a Get, Stop (``job_name`` given) or List failed, with what to do next (its own words go to the log)."""
    code, message = _code(error), _message(error)
    logger.warning("Bedrock answered %s for job %s: %s", code, job_name or "(list)", message)
    # A name Bedrock refuses as malformed cannot belong to a job either.
    if job_name is not None and code in {"ResourceNotFoundException", "ValidationException"}:
        return JobNotFound(f"There is no customization job named {as_code(job_name)}; `/finetune list` shows yours.")
    advice = job_advice(code, message)
    error_type = BotError if advice.kind is Kind.FAILED else _ERRORS[advice.kind]
    return error_type(advice.text)
