"""Bedrock's customization jobs by name (``CustomizationJobs``, ``JobOrigins``), with faults to inject."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from workflows.exceptions import JobNotFound, JobNotStoppable, RequestRejected, ServiceBusy
from workflows.jobs.job import JobOrigin, JobRequest, JobSnapshot, JobStatus

ARN_PREFIX = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/"


@dataclass
class FakeJobs:
    """Jobs by name; a name is created once per request, ``list`` is counted per page of ``page_size``."""

    jobs: dict[str, JobSnapshot] = field(default_factory=dict)
    requests: list[JobRequest] = field(default_factory=list)
    page_size: int = 100
    calls: Counter[str] = field(default_factory=Counter)
    #: Every create raises this (Bedrock refusing: quota, access, a bad request).
    refuse_with: Exception | None = None
    busy_listing: bool = False
    busy_describing: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    stopped: list[str] = field(default_factory=list)
    #: Base model, type, hyperparameters and tags by job name (``origin``); ``create`` records them.
    origins: dict[str, JobOrigin] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def put(self, job: JobSnapshot) -> None:
        self.jobs[job.job_name] = job

    def set_status(self, name: str, status: JobStatus, **changes: object) -> None:
        self.jobs[name] = self.jobs[name].model_copy(update={"status": status, **changes})

    def create(self, request: JobRequest) -> JobSnapshot:
        """The job, or the one this same request (by its client token) created earlier."""
        self.calls["create"] += 1
        if self.refuse_with is not None:
            raise self.refuse_with
        existing = self.jobs.get(request.job_name)
        if existing is not None:
            if self._tokens.get(request.job_name) != request.client_request_token:
                raise RequestRejected(f"A different customization job is already named {request.job_name}.")
            return existing
        self.requests.append(request)
        self._tokens[request.job_name] = request.client_request_token
        self.origins[request.job_name] = JobOrigin(
            base_model_id=request.base_model_id,
            bedrock_type="FINE_TUNING",
            hyperparameters=dict(request.hyperparameters),
            tags=dict(request.tags),
        )
        job = JobSnapshot(
            job_name=request.job_name,
            job_arn=ARN_PREFIX + request.job_name,
            status=JobStatus.IN_PROGRESS,
            output_uri=request.output_uri,
            training_uri=request.training_uri,
            validation_uri=request.validation_uri,
        )
        self.jobs[request.job_name] = job
        return job

    def describe(self, job_name: str) -> JobSnapshot:
        self.calls["describe"] += 1
        if job_name in self.busy_describing:
            raise ServiceBusy("Bedrock is busy")
        if job_name in self.broken:
            raise RuntimeError(f"unexpected answer for {job_name}")
        if job_name not in self.jobs:
            raise JobNotFound(f"There is no customization job named {job_name}")
        return self.jobs[job_name]

    def in_progress(self) -> Iterator[JobSnapshot]:
        running = [job for job in self.jobs.values() if not job.status.terminal]
        for start in range(0, max(len(running), 1), self.page_size):
            self.calls["list"] += 1
            if self.busy_listing:
                raise ServiceBusy("Bedrock is busy")
            yield from running[start : start + self.page_size]

    def origin(self, job_name: str) -> JobOrigin:
        self.calls["origin"] += 1
        if job_name not in self.origins:
            raise JobNotFound(f"There is no customization job named {job_name}")
        return self.origins[job_name]

    def stop(self, job_name: str) -> None:
        self.calls["stop"] += 1
        job = self.jobs.get(job_name)
        if job is None:
            raise JobNotFound(f"There is no customization job named {job_name}")
        if job.status.terminal:
            raise JobNotStoppable(f"Job {job_name} is no longer running, so there is nothing to stop.")
        self.stopped.append(job_name)
        self.set_status(job_name, JobStatus.STOPPED)
