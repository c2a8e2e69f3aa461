"""AWS for the demo and the sandbox: moto on loopback, reached by boto3 through AWS_ENDPOINT_URL as in production.

What moto lacks (custom model deployments, Provisioned Throughput, Converse, customizationConfig,
Lambda graders run locally) is answered in front of it by ``BedrockStandIn`` (``bot.sandbox.bedrock_standin``).

moto creates every customization job ``InProgress`` and never moves it, and it reports no
``statusDetails``. ``JobLifecycle`` (``bot.sandbox.lifecycle``) moves each job through Bedrock's
stages on a compressed clock. The stages reach the bot the way Bedrock sends them: ``StageDetails``
is a small WSGI layer in front of moto that adds ``statusDetails`` to the job reads
(``GetModelCustomizationJob``, ``ListModelCustomizationJobs``); moto's code and objects are not changed.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from bot.sandbox.bedrock_standin import BedrockStandIn
from bot.sandbox.grader_function import grader_arn, provision_sample_grader
from bot.sandbox.lifecycle import JobLifecycle

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The demo's own resources, made in the emulated account at start.
BUCKET = "finetune-bot-demo"
ROLE_NAME = "finetune-bot-demo-bedrock"
ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/{ROLE_NAME}"
#: Nova Micro supports conversational fine-tuning here.
REGION = "us-east-1"
#: Credentials moto accepts; they replace whatever the person's shell carries, so real AWS is never reached.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_SESSION_TOKEN": "sandbox",
}
_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@dataclass(frozen=True)
class EmulatedAws:
    """Where the emulated AWS answers, what was made in it, and the clock that moves its jobs."""

    endpoint_url: str
    region: str
    bucket: str
    role_arn: str
    lifecycle: JobLifecycle
    #: What moto lacks (deployments, throughput, Converse, graders), with its Python API.
    standin: BedrockStandIn | None = None


@contextmanager
def emulated_aws(*, speed: float, region: str = REGION) -> Iterator[EmulatedAws]:
    """moto on a free loopback port, this process's boto3 pointed at it, the bucket and role made, jobs moving."""
    lifecycle = JobLifecycle(region=region, speed=speed)
    standin = BedrockStandIn(DomainDispatcherApplication(create_backend_app), speed=speed, region=region)
    app = StageDetails(standin, lifecycle)
    with ExitStack() as stack:
        endpoint = stack.enter_context(moto_on_loopback(app))
        stack.enter_context(aws_environment(endpoint, region))
        _provision(region)
        provision_sample_grader(region, standin)
        lifecycle.start(boto3.session.Session().client("s3", region_name=region))
        stack.callback(lifecycle.stop)
        yield EmulatedAws(endpoint, region, BUCKET, ROLE_ARN, lifecycle, standin)


@contextmanager
def moto_on_loopback(app: WSGIApplication) -> Iterator[str]:
    """Serve ``app`` (moto) on 127.0.0.1 from a daemon thread; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="aws", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def aws_environment(endpoint_url: str, region: str) -> Iterator[None]:
    """Set what boto3 reads for this process: the endpoint, the region, dummy credentials and nothing else.

    Every ``AWS_*`` variable of the person's shell is set aside first (profiles, keys, tokens,
    per-service endpoints), and the config and credential files are pointed at nothing, so no
    real credential or endpoint can be picked up. The previous environment comes back at the end.
    """
    saved = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    for name in saved:
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            **DUMMY_CREDENTIALS,
        }
    )
    try:
        yield
    finally:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(saved)


def _provision(region: str) -> None:
    """The bucket for datasets and job output, and the service role Bedrock is given (kept if already there).

    The role may invoke the sample grader, as ``iam/bedrock-service-role-policy.json`` allows a grader.
    """
    session = boto3.session.Session()
    s3 = session.client("s3", region_name=region)
    iam = session.client("iam", region_name=region)
    with suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    with suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(
            RoleName=ROLE_NAME,
            AssumeRolePolicyDocument=json.dumps(_TRUST_POLICY),
            Description="The role finetune-bot's demo passes to Bedrock customization jobs",
        )
    grader = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": grader_arn(region)}
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="ReinforcementFineTuningGrader",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [grader]}),
    )


class StageDetails:
    """WSGI middleware: adds the lifecycle's ``statusDetails`` to moto's answers about customization jobs.

    A read is answered under the lifecycle's lock, so a job's status and stages always come from
    the same moment; every other request passes straight through.
    """

    def __init__(self, app: WSGIApplication, lifecycle: JobLifecycle) -> None:
        self._app = app
        self._lifecycle = lifecycle

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not _is_job_read(environ):
            return self._app(environ, start_response)
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return lambda data: None

        with self._lifecycle.lock:
            answer = self._app(environ, capture)
            try:
                body = b"".join(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
            status, headers = captured
            if status.startswith("200"):
                body = self._lifecycle.add_status_details(body)
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _is_job_read(environ: WSGIEnvironment) -> bool:
    """A Bedrock ``GET /model-customization-jobs[/name]`` (signed for the bedrock service)."""
    signed_for_bedrock = "/bedrock/aws4_request" in str(environ.get("HTTP_AUTHORIZATION", ""))
    path = str(environ.get("PATH_INFO", ""))
    return (
        environ.get("REQUEST_METHOD") == "GET" and signed_for_bedrock and path.startswith("/model-customization-jobs")
    )
