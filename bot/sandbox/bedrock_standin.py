"""The AWS stand-in: a WSGI layer in front of moto's server that answers what moto cannot, on the same host and port.

Bedrock is REST-JSON, so operations are recognised by method and path. Answered here, in the
shapes of the installed botocore's service model: the custom model deployment and Provisioned
Throughput operations (``bot.sandbox.deployments``), bedrock-runtime ``Converse``
(``bot.sandbox.converse``), ``customizationConfig`` on customization jobs (moto drops it; it is
kept here and returned by GetModelCustomizationJob), ``trainingDataConfig.invocationLogsConfig``
(moto refuses a job without ``trainingDataConfig.s3Uri``: it is shown the logs' location as one, and
the request's own ``trainingDataConfig`` is kept and returned), Lambda ``Invoke`` of functions registered
with a local Python handler (moto needs Docker to run code), and IAM ``SimulatePrincipalPolicy``
(``bot.sandbox.iam_simulator``). ``refuse()`` makes an operation answer AccessDenied, as it does for
an identity without the permission. Everything else goes to moto unchanged, and moto's reset
endpoint forgets the stand-in's state too.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moto.core.models import DEFAULT_ACCOUNT_ID

from bot.sandbox import iam_simulator
from bot.sandbox.aws_http import (
    AwsError,
    Request,
    captured_call,
    read_request,
    replay,
    respond,
    respond_error,
    validation,
    with_body,
)
from bot.sandbox.converse import Throttle, converse
from bot.sandbox.deployments import Deployment, Deployments, Route
from bot.sandbox.lambdas import Handler, LocalFunctions
from bot.sandbox.shapes import check_limits, check_request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_DEPLOYMENTS = "/model-customization/custom-model-deployments"
_ONE_DEPLOYMENT = re.compile(rf"^{_DEPLOYMENTS}/(?P<id>.+)$")
_THROUGHPUT = "/provisioned-model-throughput"
_ONE_THROUGHPUT = re.compile(rf"^{_THROUGHPUT}/(?P<id>.+)$")
_CONVERSE = re.compile(r"^/model/(?P<id>.+)/converse$")
_JOBS = "/model-customization-jobs"
_ONE_JOB = re.compile(rf"^{_JOBS}/(?P<id>[^/]+)$")
_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<id>.+)/invocations$")
_FUNCTION_POLICY = re.compile(r"^/2015-03-31/functions/(?P<id>[^/]+)/policy$")
_RESET = "/moto-api/reset"
#: What moto drops or changes in a CreateModelCustomizationJob request: kept here, returned by Get as sent.
_KEPT = ("customizationConfig", "trainingDataConfig")
#: Page size of the List operations when the caller gives none.
_PAGE = 100

Operation = Callable[[Request, "re.Match[str] | None"], tuple[int, dict[str, Any]]]


class BedrockStandIn:
    """WSGI middleware: the operations moto lacks, answered in front of ``app`` (moto's dispatcher).

    The Python API is for tests and the sandbox: ``deployments.fail_next()``, ``throttle()``,
    ``register_function()``.
    """

    def __init__(
        self, app: WSGIApplication, *, speed: float, region: str, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        self._app = app
        self._region = region
        self._account_id = account_id
        self.deployments = Deployments(speed=speed)
        self.functions = LocalFunctions()
        self._throttle = Throttle()
        self._configs: dict[tuple[str, str], dict[str, Any]] = {}
        self._refused: set[str] = set()
        self._lock = threading.Lock()

    # -- Python API ---------------------------------------------------------------------------------

    def throttle(self, times: int = 1, *, model_id: str | None = None) -> None:
        """The next ``times`` Converse calls (to ``model_id``, or to any model) get ThrottlingException."""
        self._throttle.add(times, model_id)

    def register_function(self, function: str, handler: Handler) -> None:
        """Lambda ``Invoke`` of ``function`` (name or ARN) runs ``handler(event, context)`` here."""
        self.functions.register(function, handler)

    def refuse(self, operation: str) -> None:
        """``SimulatePrincipalPolicy`` (IAM) or ``GetPolicy`` (Lambda) answers AccessDenied until reset."""
        with self._lock:
            self._refused.add(operation)

    def reset(self) -> None:
        """Forget every deployment, throttle, refusal and kept job config (registered functions stay)."""
        self.deployments.reset()
        self._throttle.reset()
        with self._lock:
            self._configs.clear()
            self._refused.clear()

    # -- WSGI ---------------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = read_request(environ, default_region=self._region)
        if request.method == "POST" and request.path == _RESET:
            self.reset()
            return self._app(environ, start_response)
        if request.service == "iam" and request.method == "POST":
            return self._iam_call(environ, request, start_response)
        if request.service == "lambda":
            match = _INVOKE.match(request.path)
            if request.method == "POST" and match and self.functions.knows(match["id"]):
                return self.functions.invoke(match["id"], with_body(environ, request), start_response)
            if request.method == "GET" and _FUNCTION_POLICY.match(request.path) and self._refuses("GetPolicy"):
                error = AwsError(403, "AccessDeniedException", "not authorized to perform: lambda:GetPolicy")
                return respond_error(start_response, error)
            return self._app(environ, start_response)
        if request.service != "bedrock":
            return self._app(environ, start_response)
        if request.path.startswith(_JOBS):
            return self._job_call(environ, request, start_response)
        operation, match = self._operation(request)
        if operation is None:
            return self._app(environ, start_response)
        try:
            status, document = operation(with_body(environ, request), match)
        except AwsError as error:
            return respond_error(start_response, error)
        return respond(start_response, status, document)

    def _refuses(self, operation: str) -> bool:
        with self._lock:
            return operation in self._refused

    def _iam_call(self, environ: WSGIEnvironment, request: Request, start_response: StartResponse) -> Iterable[bytes]:
        """``SimulatePrincipalPolicy`` is answered here (or refused); every other IAM call goes to moto."""
        request = with_body(environ, request)
        if b"Action=SimulatePrincipalPolicy" not in request.body:
            return self._app(environ, start_response)
        if self._refuses("SimulatePrincipalPolicy"):
            status, xml = (
                403,
                iam_simulator.error("AccessDenied", "not authorized to perform: iam:SimulatePrincipalPolicy"),
            )
        else:
            status, xml = iam_simulator.simulate(request.body, self._account_id)
        payload = xml.encode()
        reason = {200: "OK", 403: "Forbidden", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]

    def _operation(self, request: Request) -> tuple[Operation | None, re.Match[str] | None]:
        method, path = request.method, request.path
        table: list[tuple[str, re.Pattern[str] | str, Operation]] = [
            ("POST", _DEPLOYMENTS, self._create_deployment),
            ("GET", _DEPLOYMENTS, self._list_deployments),
            ("GET", _ONE_DEPLOYMENT, self._get_deployment),
            ("DELETE", _ONE_DEPLOYMENT, self._delete_deployment),
            ("POST", _THROUGHPUT, self._create_throughput),
            ("GET", _THROUGHPUT + "s", self._list_throughputs),
            ("GET", _ONE_THROUGHPUT, self._get_throughput),
            ("DELETE", _ONE_THROUGHPUT, self._delete_throughput),
            ("POST", _CONVERSE, self._converse),
        ]
        for wanted, pattern, operation in table:
            if method != wanted:
                continue
            if isinstance(pattern, str):
                if path == pattern:
                    return operation, None
            elif (match := pattern.match(path)) is not None:
                return operation, match
        return None, None

    # -- custom model deployments -------------------------------------------------------------------

    def _create_deployment(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        body = request.json()
        check_request("bedrock", "CreateCustomModelDeployment", body)
        made = self.deployments.create(Route.ON_DEMAND, request.region, self._account_id, body)
        return 202, {"customModelDeploymentArn": made.arn}

    def _get_deployment(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        return 200, self.deployments.describe(self.deployments.find(Route.ON_DEMAND, _id(match)))

    def _delete_deployment(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        self.deployments.delete(Route.ON_DEMAND, _id(match))
        return 200, {}

    def _list_deployments(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        found = self._filtered(Route.ON_DEMAND, request, created=("createdAfter", "createdBefore"))
        page, token = _page(found, request)
        summaries = [self.deployments.describe(item, summary=True) for item in page]
        return 200, {"modelDeploymentSummaries": summaries, **token}

    # -- Provisioned Throughput ---------------------------------------------------------------------

    def _create_throughput(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        body = request.json()
        check_request("bedrock", "CreateProvisionedModelThroughput", body)
        made = self.deployments.create(Route.PROVISIONED, request.region, self._account_id, body)
        return 201, {"provisionedModelArn": made.arn}

    def _get_throughput(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        return 200, self.deployments.describe(self.deployments.find(Route.PROVISIONED, _id(match)))

    def _delete_throughput(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        self.deployments.delete(Route.PROVISIONED, _id(match))
        return 200, {}

    def _list_throughputs(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        found = self._filtered(Route.PROVISIONED, request, created=("creationTimeAfter", "creationTimeBefore"))
        page, token = _page(found, request)
        return 200, {"provisionedModelSummaries": [self.deployments.describe(item) for item in page], **token}

    def _filtered(self, route: Route, request: Request, *, created: tuple[str, str]) -> list[Deployment]:
        """The List filters Bedrock offers, newest first unless ``sortOrder=Ascending``."""
        query = request.query
        after, before = (_moment(query.get(name)) for name in created)
        found = [
            item
            for item in self.deployments.listed(route)
            if query.get("nameContains", "") in item.name
            and query.get("statusEquals", self.deployments.status(item)) == self.deployments.status(item)
            and query.get("modelArnEquals", item.model_arn) == item.model_arn
            and (after is None or item.created > after)
            and (before is None or item.created < before)
        ]
        return sorted(found, key=lambda item: item.created, reverse=query.get("sortOrder") != "Ascending")

    # -- bedrock-runtime ----------------------------------------------------------------------------

    def _converse(self, request: Request, match: re.Match[str] | None) -> tuple[int, dict[str, Any]]:
        body = request.json()
        model_id = _id(match)
        check_request("bedrock-runtime", "Converse", {**body, "modelId": model_id})
        return 200, converse(self.deployments, self._throttle, request.region, model_id, body)

    # -- customization jobs: keep customizationConfig ----------------------------------------------

    def _job_call(self, environ: WSGIEnvironment, request: Request, start_response: StartResponse) -> Iterable[bytes]:
        one = _ONE_JOB.match(request.path)
        creating = request.method == "POST" and request.path == _JOBS
        body: dict[str, Any] = {}
        if not creating and not (request.method == "GET" and one):
            return self._app(environ, start_response)
        if creating:
            request = with_body(environ, request)
            try:
                body = request.json()
                check_request("bedrock", "CreateModelCustomizationJob", body)
                check_limits("bedrock", "CreateModelCustomizationJob", body, _KEPT)
            except AwsError as error:
                return respond_error(start_response, error)
            _logs_as_location(environ, body)
        status, headers, answer = captured_call(self._app, environ)
        kept = {name: body[name] for name in _KEPT if name in body}
        if creating and status.startswith("2") and kept:
            with self._lock:
                self._configs[(request.region, str(body["jobName"]))] = kept
        elif one is not None and status.startswith("200"):
            answer = self._with_config(request.region, one["id"], answer)
        return replay(start_response, status, headers, answer)

    def _with_config(self, region: str, job: str, answer: bytes) -> bytes:
        with self._lock:
            kept = self._configs.get((region, job))
        if kept is None:
            return answer
        try:
            document = json.loads(answer)
        except ValueError:
            return answer
        document.update(kept)
        return json.dumps(document).encode()


def _logs_as_location(environ: WSGIEnvironment, body: dict[str, Any]) -> None:
    """A job reading invocation logs reaches moto with the logs' location as its ``s3Uri`` (moto needs one)."""
    training = body.get("trainingDataConfig") or {}
    logs = training.get("invocationLogsConfig")
    if "s3Uri" in training or not isinstance(logs, dict):
        return
    location = str((logs.get("invocationLogSource") or {}).get("s3Uri", ""))
    forwarded = json.dumps({**body, "trainingDataConfig": {"s3Uri": location}}).encode()
    environ["wsgi.input"] = io.BytesIO(forwarded)
    environ["CONTENT_LENGTH"] = str(len(forwarded))


def _id(match: re.Match[str] | None) -> str:
    if match is None:
        raise validation("The request names no resource.")
    return match["id"]


def _page(items: list[Deployment], request: Request) -> tuple[list[Deployment], dict[str, str]]:
    """One page by ``maxResults`` (1–1000) from the offset in ``nextToken``."""
    try:
        size = int(request.query.get("maxResults", _PAGE))
        start = int(request.query.get("nextToken", 0))
    except ValueError:
        raise validation("maxResults and nextToken must be numbers from earlier answers.") from None
    if not 1 <= size <= 1000 or start < 0:
        raise validation("maxResults must be between 1 and 1000.")
    end = start + size
    return items[start:end], ({"nextToken": str(end)} if end < len(items) else {})


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise validation(f"Not a timestamp: {text}") from None
