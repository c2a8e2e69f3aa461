"""BedrockJobs against moto in server mode, a scripted endpoint for throttling and outages, and botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.bedrock.models import bedrock_backends

from tests.support.moto_server import ACCOUNT_ID, MotoServer
from tests.support.net import free_port
from tests.support.scripted_aws import ScriptedAws, error, ok, scripted_aws
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.aws_retry import ATTEMPTS
from workflows.adapters.bedrock import CREATE, GET, LIST, STOP, BedrockJobs
from workflows.dataset_rules import CustomizationType
from workflows.exceptions import (
    AccessProblem,
    JobNotFound,
    JobNotStoppable,
    QuotaExceeded,
    RequestRejected,
    ServiceBusy,
)
from workflows.jobs.job import JobRequest, JobStatus

ROLE = "arn:aws:iam::123456789012:role/BedrockFineTuning"
BASE_MODEL = "amazon.titan-text-express-v1:0:8k"


def job_request(name: str = "support-tone-1a2b3c4d5e6f", **changes: Any) -> JobRequest:
    """A complete request: every optional member given."""
    base = JobRequest(
        job_name=name,
        custom_model_name=f"{name}-model",
        client_request_token=f"ftb-{name}",
        base_model_id=BASE_MODEL,
        customization=CustomizationType.INSTRUCTION,
        role_arn=ROLE,
        training_uri="s3://team-datasets/support/train.jsonl",
        validation_uri="s3://team-datasets/support/validation.jsonl",
        output_uri="s3://finetune-output/jobs/",
        hyperparameters={"epochCount": "2", "batchSize": "1", "learningRate": "0.00001"},
        tags={"started-by": "U024BE7LH", "channel": "C0123456789"},
    )
    return base.model_copy(update=changes)


class TestAgainstMoto:
    """The real HTTP path: boto3 → moto server."""

    pytestmark = pytest.mark.integration

    @pytest.fixture
    def client(self, aws: MotoServer) -> Any:
        return boto3.client("bedrock", region_name="us-east-1")

    @pytest.fixture
    def jobs(self, client: Any) -> BedrockJobs:
        return BedrockJobs(client, page_size=2)

    @staticmethod
    def set_status(name: str, status: str) -> None:
        """Move a job the way Bedrock would; moto never does it by itself."""
        bedrock_backends[ACCOUNT_ID]["us-east-1"].model_customization_jobs[name].status = status

    def test_create_sends_every_field_of_the_request(self, jobs: BedrockJobs, client: Any) -> None:
        request = job_request()

        created = jobs.create(request)

        stored = client.get_model_customization_job(jobIdentifier=request.job_name)
        assert created.job_arn == stored["jobArn"]
        assert stored["roleArn"] == ROLE
        assert stored["baseModelArn"].endswith("/" + BASE_MODEL)
        assert stored["customizationType"] == "FINE_TUNING"
        assert stored["hyperParameters"] == request.hyperparameters
        assert stored["trainingDataConfig"] == {"s3Uri": request.training_uri}
        assert stored["validationDataConfig"] == {"validators": [{"s3Uri": request.validation_uri}]}
        assert stored["outputDataConfig"] == {"s3Uri": request.output_uri}
        assert stored["clientRequestToken"] == request.client_request_token
        tags = client.list_tags_for_resource(resourceARN=created.job_arn)["tags"]
        assert {tag["key"]: tag["value"] for tag in tags} == request.tags

    def test_continued_pretraining_is_sent_as_its_bedrock_type(self, jobs: BedrockJobs, client: Any) -> None:
        request = job_request(customization=CustomizationType.CONTINUED_PRETRAINING, validation_uri=None)

        jobs.create(request)

        stored = client.get_model_customization_job(jobIdentifier=request.job_name)
        assert stored["customizationType"] == "CONTINUED_PRE_TRAINING"
        assert "validationDataConfig" not in stored

    def test_describe_names_the_training_and_validation_datasets(self, jobs: BedrockJobs) -> None:
        with_validation = job_request()
        without = job_request("no-validation", validation_uri=None)
        jobs.create(with_validation)
        jobs.create(without)

        described = jobs.describe(with_validation.job_name)
        bare = jobs.describe(without.job_name)

        assert (described.training_uri, described.validation_uri) == (
            with_validation.training_uri,
            with_validation.validation_uri,
        )
        assert (bare.training_uri, bare.validation_uri) == (without.training_uri, None)

    def test_a_created_job_describes_as_in_progress(self, jobs: BedrockJobs) -> None:
        created = jobs.create(job_request())

        described = jobs.describe(created.job_name)

        assert described.status is JobStatus.IN_PROGRESS
        assert described.job_arn == created.job_arn
        assert described.output_uri == "s3://finetune-output/jobs/"
        assert described.failure_message is None
        assert described.ended_at is None
        assert described.created_at is not None
        assert described.created_at.tzinfo is UTC

    def test_creating_the_same_request_twice_makes_one_job(self, jobs: BedrockJobs, client: Any) -> None:
        first = jobs.create(job_request())

        second = jobs.create(job_request())

        assert second.job_arn == first.job_arn
        listed = client.list_model_customization_jobs()["modelCustomizationJobSummaries"]
        assert [job["jobName"] for job in listed] == [first.job_name]

    def test_a_different_request_with_a_taken_name_is_rejected(self, jobs: BedrockJobs) -> None:
        jobs.create(job_request())
        other = job_request(client_request_token="ftb-someone-else", training_uri="s3://other/train.jsonl")

        with pytest.raises(RequestRejected, match="different customization job is already named"):
            jobs.create(other)

    def test_a_taken_custom_model_name_is_rejected_with_what_to_do(self, jobs: BedrockJobs) -> None:
        jobs.create(job_request("first-job", custom_model_name="shared-model"))

        with pytest.raises(RequestRejected, match="give this job another name") as refused:
            jobs.create(job_request("second-job", custom_model_name="shared-model"))
        assert "shared-model" not in str(refused.value)

    def test_in_progress_lists_running_and_stopping_jobs_across_pages(self, jobs: BedrockJobs) -> None:
        for number in range(5):
            jobs.create(job_request(f"job-{number}"))
        self.set_status("job-1", "Completed")
        self.set_status("job-3", "Stopping")

        listed = {job.job_name: job.status for job in jobs.in_progress()}

        assert listed == {
            "job-0": JobStatus.IN_PROGRESS,
            "job-2": JobStatus.IN_PROGRESS,
            "job-4": JobStatus.IN_PROGRESS,
            "job-3": JobStatus.STOPPING,
        }
        assert jobs.calls[LIST] == 3  # two pages of InProgress (2 + 1), one of Stopping

    def test_list_calls_grow_with_pages_not_with_jobs(self, client: Any) -> None:
        wide = BedrockJobs(client, page_size=100)
        for number in range(7):
            wide.create(job_request(f"job-{number}"))

        assert len(list(wide.in_progress())) == 7
        assert wide.calls[LIST] == 2  # one page per listed status
        assert wide.calls[GET] == 0

    def test_a_completed_job_reports_its_model_and_metrics(self, jobs: BedrockJobs) -> None:
        created = jobs.create(job_request())
        self.set_status(created.job_name, "Completed")

        done = jobs.describe(created.job_name)

        assert done.status is JobStatus.COMPLETED
        assert done.custom_model_arn is not None
        assert done.custom_model_name is not None
        assert (done.training_loss, done.validation_loss) == (0.0, 0.0)
        assert done.ended_at is not None
        assert done.ended_at.tzinfo is UTC
        assert done.failure_message is None

    def test_a_failed_job_reports_bedrocks_reason(self, jobs: BedrockJobs) -> None:
        created = jobs.create(job_request())
        self.set_status(created.job_name, "Failed")

        failed = jobs.describe(created.job_name)

        assert failed.status is JobStatus.FAILED
        assert failed.failure_message == "Failure Message"

    def test_a_stopped_job_describes_as_stopped(self, jobs: BedrockJobs) -> None:
        created = jobs.create(job_request())

        jobs.stop(created.job_name)

        assert jobs.describe(created.job_name).status is JobStatus.STOPPED
        assert jobs.calls[STOP] == 1

    def test_describing_an_unknown_job_raises_job_not_found(self, jobs: BedrockJobs) -> None:
        with pytest.raises(JobNotFound, match="no-such-job"):
            jobs.describe("no-such-job")

    def test_stopping_an_unknown_job_raises_job_not_found(self, jobs: BedrockJobs) -> None:
        with pytest.raises(JobNotFound):
            jobs.stop("no-such-job")

    def test_every_call_is_counted_by_operation(self, jobs: BedrockJobs) -> None:
        created = jobs.create(job_request())
        jobs.describe(created.job_name)
        jobs.describe(created.job_name)

        assert (jobs.calls[CREATE], jobs.calls[GET]) == (1, 2)


# What moto cannot show: botocore's Stubber answers instead of the network, after checking each
# request against the bedrock service model.

JOB_ARN = f"arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:model-customization-job/{BASE_MODEL}/nhjsh25oes0i"
MODEL_ARN = f"arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:custom-model/{BASE_MODEL}/q3n8ajxk2v1m"
CREATED = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)
ENDED = datetime(2026, 3, 2, 11, 2, 41, tzinfo=UTC)


def realistic_job(status: str = "Completed", **changes: Any) -> dict[str, Any]:
    """A GetModelCustomizationJob answer shaped like real Bedrock's."""
    request = job_request()
    answer: dict[str, Any] = {
        "jobArn": JOB_ARN,
        "jobName": request.job_name,
        "outputModelName": request.custom_model_name,
        "outputModelArn": MODEL_ARN,
        "clientRequestToken": request.client_request_token,
        "roleArn": ROLE,
        "status": status,
        "statusDetails": {
            "validationDetails": {"status": "Completed", "creationTime": CREATED, "lastModifiedTime": CREATED},
            "dataProcessingDetails": {"status": "Completed", "creationTime": CREATED},
            "trainingDetails": {"status": status, "creationTime": CREATED, "lastModifiedTime": ENDED},
        },
        "creationTime": CREATED,
        "lastModifiedTime": ENDED,
        "endTime": ENDED,
        "baseModelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{BASE_MODEL}",
        "hyperParameters": request.hyperparameters,
        "trainingDataConfig": {"s3Uri": request.training_uri},
        "validationDataConfig": {"validators": [{"s3Uri": request.validation_uri}]},
        "outputDataConfig": {"s3Uri": request.output_uri},
        "customizationType": "FINE_TUNING",
        "trainingMetrics": {"trainingLoss": 0.4127},
        "validationMetrics": [{"validationLoss": 0.5311}],
    }
    answer.update(changes)
    return answer


class TestWithStubber:
    """Error translation, retries and payload mapping, with request shapes checked by botocore."""

    @pytest.fixture
    def client(self, monkeypatch: pytest.MonkeyPatch) -> Any:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        return boto3.client(
            "bedrock",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    @pytest.fixture
    def stub(self, client: Any) -> Iterator[Stubber]:
        with Stubber(client) as stubber:
            yield stubber
            stubber.assert_no_pending_responses()

    @pytest.fixture
    def jobs(self, client: Any) -> BedrockJobs:
        return BedrockJobs(client, page_size=50)

    def test_create_sends_the_documented_request_shape(self, jobs: BedrockJobs, stub: Stubber) -> None:
        request = job_request()
        stub.add_response(
            "create_model_customization_job",
            {"jobArn": JOB_ARN},
            {
                "jobName": request.job_name,
                "customModelName": request.custom_model_name,
                "roleArn": ROLE,
                "baseModelIdentifier": BASE_MODEL,
                "customizationType": "FINE_TUNING",
                "hyperParameters": {"epochCount": "2", "batchSize": "1", "learningRate": "0.00001"},
                "trainingDataConfig": {"s3Uri": request.training_uri},
                "validationDataConfig": {"validators": [{"s3Uri": request.validation_uri}]},
                "outputDataConfig": {"s3Uri": request.output_uri},
                "jobTags": [
                    {"key": "started-by", "value": "U024BE7LH"},
                    {"key": "channel", "value": "C0123456789"},
                ],
                "clientRequestToken": request.client_request_token,
            },
        )

        created = jobs.create(request)

        assert (created.job_arn, created.status) == (JOB_ARN, JobStatus.IN_PROGRESS)

    def test_access_denied_on_create_explains_role_passrole_and_model_access(
        self, jobs: BedrockJobs, stub: Stubber
    ) -> None:
        stub.add_client_error("create_model_customization_job", "AccessDeniedException", "Not authorized", 403)

        with pytest.raises(AccessProblem) as raised:
            jobs.create(job_request())
        message = str(raised.value)
        assert "iam:PassRole" in message
        assert "trusts bedrock.amazonaws.com" in message
        assert BASE_MODEL in message

    def test_a_service_quota_raises_quota_exceeded(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_client_error(
            "create_model_customization_job",
            "ServiceQuotaExceededException",
            "You have reached the maximum number of scheduled customization jobs.",
            400,
        )

        with pytest.raises(QuotaExceeded, match="request a quota increase"):
            jobs.create(job_request())

    def test_a_validation_error_says_what_to_check_not_bedrocks_words(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_client_error(
            "create_model_customization_job",
            "ValidationException",
            "The provided model identifier is invalid.",
            400,
        )

        with pytest.raises(RequestRejected, match="model access is enabled") as refused:
            jobs.create(job_request())
        assert "identifier is invalid" not in str(refused.value)

    def test_stopping_a_finished_job_raises_job_not_stoppable(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_client_error("stop_model_customization_job", "ConflictException", "Job is not in progress", 409)

        with pytest.raises(JobNotStoppable, match="nothing to stop"):
            jobs.stop("support-tone")

    def test_a_malformed_job_name_is_reported_as_no_such_job(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_client_error(
            "get_model_customization_job",
            "ValidationException",
            "1 validation error detected: Value 'bad name!' at 'jobIdentifier' failed to satisfy constraint",
        )

        with pytest.raises(JobNotFound, match="no customization job named `bad name!`"):
            jobs.describe("bad name!")

    def test_access_denied_on_describe_names_the_permissions(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_client_error("get_model_customization_job", "AccessDeniedException", "Not authorized", 403)

        with pytest.raises(AccessProblem, match="bedrock:GetModelCustomizationJob"):
            jobs.describe("support-tone")

    def test_a_name_in_use_on_real_aws_returns_the_job_this_request_made(
        self, jobs: BedrockJobs, stub: Stubber
    ) -> None:
        request = job_request()
        stub.add_client_error(
            "create_model_customization_job",
            "ValidationException",
            "The provided job name is currently in use.",
            400,
        )
        stub.add_response(
            "get_model_customization_job", realistic_job("InProgress"), {"jobIdentifier": request.job_name}
        )

        existing = jobs.create(request)

        assert (existing.job_arn, existing.status) == (JOB_ARN, JobStatus.IN_PROGRESS)

    def test_without_a_stored_token_the_same_inputs_identify_the_job(self, jobs: BedrockJobs, stub: Stubber) -> None:
        request = job_request()
        answer = realistic_job("InProgress")
        del answer["clientRequestToken"]
        stub.add_client_error(
            "create_model_customization_job", "ConflictException", "The provided job name is currently in use."
        )
        stub.add_response("get_model_customization_job", answer, {"jobIdentifier": request.job_name})

        assert jobs.create(request).job_arn == JOB_ARN

    def test_without_a_stored_token_other_inputs_mean_another_job(self, jobs: BedrockJobs, stub: Stubber) -> None:
        request = job_request()
        answer = realistic_job("InProgress", trainingDataConfig={"s3Uri": "s3://elsewhere/train.jsonl"})
        del answer["clientRequestToken"]
        stub.add_client_error(
            "create_model_customization_job", "ConflictException", "The provided job name is currently in use."
        )
        stub.add_response("get_model_customization_job", answer, {"jobIdentifier": request.job_name})

        with pytest.raises(RequestRejected, match="different customization job"):
            jobs.create(request)

    def test_a_realistic_answer_maps_stages_metrics_and_times(self, jobs: BedrockJobs, stub: Stubber) -> None:
        stub.add_response("get_model_customization_job", realistic_job(), {"jobIdentifier": "support-tone"})

        snapshot = jobs.describe("support-tone")

        assert snapshot.stages == {
            "validation": "Completed",
            "data processing": "Completed",
            "training": "Completed",
        }
        assert (snapshot.training_loss, snapshot.validation_loss) == (0.4127, 0.5311)
        assert (snapshot.custom_model_arn, snapshot.custom_model_name) == (MODEL_ARN, job_request().custom_model_name)
        assert (snapshot.created_at, snapshot.ended_at) == (CREATED, ENDED)
        assert snapshot.output_uri == "s3://finetune-output/jobs/"

    def test_a_failed_answer_carries_the_failure_message(self, jobs: BedrockJobs, stub: Stubber) -> None:
        reason = "Maximum input token count 4919 exceeds limit of 4096 for train data"
        answer = realistic_job("Failed", failureMessage=reason, trainingMetrics={})
        answer["statusDetails"]["trainingDetails"]["status"] = "Failed"
        stub.add_response("get_model_customization_job", answer, {"jobIdentifier": "support-tone"})

        snapshot = jobs.describe("support-tone")

        assert (snapshot.status, snapshot.failure_message) == (JobStatus.FAILED, reason)
        assert snapshot.stages["training"] == "Failed"
        assert snapshot.training_loss is None


def _summary(fields: dict[str, Any]) -> dict[str, Any]:
    """A ListModelCustomizationJobs summary with the members the service model requires."""
    return {"creationTime": CREATED, **fields}


THROTTLED = error(429, "ThrottlingException", "Rate exceeded")
UNAVAILABLE = error(503, "ServiceUnavailableException", "Service unavailable")


class TestRetries:
    """botocore's standard retries, as the product configures them, against an endpoint that throttles.

    A throttling answer waits up to 1 s before the next attempt and a 5xx up to 0.05 s (full jitter),
    so the scripts below use one throttling answer at most.
    """

    pytestmark = pytest.mark.integration

    @pytest.fixture
    def endpoint(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ScriptedAws, str]]:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        with scripted_aws() as (script, url):
            monkeypatch.setenv("AWS_ENDPOINT_URL", url)
            yield script, url

    @pytest.fixture
    def script(self, endpoint: tuple[ScriptedAws, str]) -> ScriptedAws:
        return endpoint[0]

    @pytest.fixture
    def jobs(self, endpoint: tuple[ScriptedAws, str]) -> BedrockJobs:
        return BedrockJobs(bedrock_client("us-east-1"), page_size=50)

    def test_throttling_and_a_5xx_are_retried_then_the_answer_is_used(
        self, jobs: BedrockJobs, script: ScriptedAws
    ) -> None:
        script.script(THROTTLED, UNAVAILABLE, ok(realistic_job()))

        described = jobs.describe("support-tone")

        assert described.status is JobStatus.COMPLETED
        assert script.requests == ["/model-customization-jobs/support-tone"] * 3
        assert jobs.calls[GET] == 3

    def test_an_outage_that_outlasts_every_attempt_raises_service_busy(
        self, jobs: BedrockJobs, script: ScriptedAws
    ) -> None:
        script.script(*[UNAVAILABLE] * ATTEMPTS, ok({}))

        with pytest.raises(ServiceBusy, match=f"Bedrock is busy or unreachable.*after {ATTEMPTS} attempts.*try again"):
            jobs.stop("support-tone")
        assert len(script.requests) == ATTEMPTS
        assert jobs.calls[STOP] == ATTEMPTS

    def test_a_definite_error_is_not_retried(self, jobs: BedrockJobs, script: ScriptedAws) -> None:
        script.script(error(403, "AccessDeniedException", "Not authorized"), ok(realistic_job()))

        with pytest.raises(AccessProblem, match="bedrock:GetModelCustomizationJob"):
            jobs.describe("support-tone")
        assert jobs.calls[GET] == 1

    def test_a_failed_page_is_retried_without_restarting_the_listing(
        self, jobs: BedrockJobs, script: ScriptedAws
    ) -> None:
        first = {"jobArn": JOB_ARN, "jobName": "a", "status": "InProgress", "baseModelArn": BASE_MODEL}
        second = {**first, "jobName": "b"}
        script.script(
            ok({"modelCustomizationJobSummaries": [_summary(first)], "nextToken": "page-2"}),
            UNAVAILABLE,
            ok({"modelCustomizationJobSummaries": [_summary(second)]}),
            ok({"modelCustomizationJobSummaries": []}),
        )

        assert [job.job_name for job in jobs.in_progress()] == ["a", "b"]
        assert jobs.calls[LIST] == 4
        assert ["nextToken=page-2" in path for path in script.requests] == [False, True, True, False]

    def test_an_unreachable_endpoint_is_retried_then_raises_service_busy(
        self, monkeypatch: pytest.MonkeyPatch, endpoint: tuple[ScriptedAws, str]
    ) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
        jobs = BedrockJobs(bedrock_client("us-east-1"))

        with pytest.raises(ServiceBusy, match="Bedrock is busy or unreachable"):
            jobs.describe("support-tone")
        assert jobs.calls[GET] == ATTEMPTS
