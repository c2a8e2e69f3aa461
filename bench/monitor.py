"""Monitoring cost: Bedrock calls and duration of one status tick, listing versus one describe per job.

1,000 watched jobs live in moto (server mode, in this process, reached over HTTP like AWS); before
each tick a handful are moved to an end state on moto's backend. The same ticks run twice on the
same jobs: with the product's tick (list running jobs page by page, describe only those that left
the list) and with a naive tick that describes every watched job. Slack is a no-op here, so the
durations are Bedrock, S3-free bookkeeping and Redis only.

    python -m bench.monitor [--jobs 1000] [--ticks 5] [--changes 5] [--page-size 100]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from moto.server import ThreadedMotoServer

from tests.support.redis_server import redis_for_tests
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import GET, LIST, BedrockJobs
from workflows.adapters.redis_coordination import RedisLocks
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.catalogue import load_catalogue
from workflows.clock import SystemClock
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobRecord, JobRequest, JobSnapshot, JobStatus
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.tick import JobMonitor
from workflows.messages import Attachment, Message

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
MODEL = "amazon.titan-text-lite-v1:0:4k"
ENDINGS = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED)


@dataclass(frozen=True)
class TickRow:
    """One measured tick."""

    approach: str
    tick: int
    lists: int
    gets: int
    ended: int
    seconds: float

    @property
    def calls(self) -> int:
        return self.lists + self.gets


class NoSlack:
    """A ``Notifier`` that accepts everything at once, so only Bedrock and Redis are timed."""

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        return "1800000000.000100"

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        return "1800000000.000100"

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        return None

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        return None

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        return None

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        return None


class DescribeEveryJob:
    """The naive approach: nothing is listed, so every watched job is described on every tick."""

    def __init__(self, jobs: BedrockJobs) -> None:
        self._jobs = jobs

    def create(self, request: JobRequest) -> JobSnapshot:
        return self._jobs.create(request)

    def describe(self, job_name: str) -> JobSnapshot:
        return self._jobs.describe(job_name)

    def in_progress(self) -> Iterator[JobSnapshot]:
        return iter(())

    def stop(self, job_name: str) -> None:
        self._jobs.stop(job_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.monitor", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--jobs", type=int, default=1000, help="watched jobs (default 1000)")
    parser.add_argument("--ticks", type=int, default=5, help="measured ticks per approach (default 5)")
    parser.add_argument("--changes", type=int, default=5, help="jobs that end before each tick (default 5)")
    parser.add_argument("--page-size", type=int, default=100, help="ListModelCustomizationJobs page size")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("workflows").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        _aws_environment(f"http://{host}:{port}")
        with redis_for_tests(os.environ.get("REDIS_URL")) as url:
            rows = _run(args, redis.Redis.from_url(url))
    finally:
        server.stop()
    _print(rows, args)
    return 0


def _run(args: argparse.Namespace, client: redis.Redis) -> list[TickRow]:
    """Create the jobs once, then measure both approaches on the same jobs and the same changes."""
    jobs = BedrockJobs(bedrock_client(REGION), page_size=args.page_size)
    names = [f"bench-job-{index:05d}" for index in range(args.jobs)]
    started = time.perf_counter()
    for name in names:
        jobs.create(_request(name))
    print(f"created {len(names)} jobs in moto in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    rows: list[TickRow] = []
    try:
        for approach in ("listing", "naive"):
            rows += _measure(approach, args, client, jobs, names)
    finally:
        client.flushdb()
    return rows


def _measure(
    approach: str, args: argparse.Namespace, client: redis.Redis, jobs: BedrockJobs, names: list[str]
) -> list[TickRow]:
    """Fresh records and running jobs, one unmeasured first tick, then ``args.ticks`` measured ticks."""
    client.flushdb()
    _set_all(names, JobStatus.IN_PROGRESS)
    records = RedisJobRecords(client)
    for name in names:
        records.save(_record(name))
    locks = RedisLocks(client)
    monitor = JobMonitor(
        jobs=jobs if approach == "listing" else DescribeEveryJob(jobs),
        records=records,
        notifier=NoSlack(),
        timers=locks,
        lease=SchedulerLease(locks, ttl_seconds=600),
        catalogue=load_catalogue(None),
        clock=SystemClock(),
        region=REGION,
        update_every=timedelta(minutes=30),
        storage=None,
    )
    monitor.tick()
    rows = []
    for tick in range(1, args.ticks + 1):
        changing = names[(tick - 1) * args.changes : tick * args.changes]
        for index, name in enumerate(changing):
            _set_status(name, ENDINGS[index % len(ENDINGS)])
        before = jobs.calls.copy()
        started = time.perf_counter()
        report = monitor.tick()
        seconds = time.perf_counter() - started
        used = jobs.calls - before
        rows.append(TickRow(approach, tick, used[LIST], used[GET], report.ended, seconds))
    monitor.stop()
    return rows


def _print(rows: list[TickRow], args: argparse.Namespace) -> None:
    print(f"\n{args.jobs} watched jobs, {args.changes} ending before each tick, page size {args.page_size}\n")
    print(
        "| approach | tick | ListModelCustomizationJobs | GetModelCustomizationJob | Bedrock calls | ended | tick ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.approach} | {row.tick} | {row.lists} | {row.gets} | {row.calls} | {row.ended} "
            f"| {row.seconds * 1000:.0f} |"
        )
    print("\nSummary (median per tick):\n")
    print("| approach | Bedrock calls per tick | tick duration |")
    print("|---|---|---|")
    for approach in ("listing", "naive"):
        mine = [row for row in rows if row.approach == approach]
        calls = statistics.median(row.calls for row in mine)
        millis = statistics.median(row.seconds for row in mine) * 1000
        print(f"| {approach} | {calls:g} | {millis:.0f} ms |")


def _aws_environment(endpoint: str) -> None:
    """boto3 in this process talks to the moto server, with dummy credentials."""
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=REGION,
    )


def _request(name: str) -> JobRequest:
    return JobRequest(
        job_name=name,
        custom_model_name=f"{name}-model",
        client_request_token=f"token-{name}",
        base_model_id=MODEL,
        customization=CustomizationType.INSTRUCTION,
        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/finetune-bot-bedrock",
        training_uri=f"s3://bench-bucket/data/{name}.jsonl",
        output_uri=f"s3://bench-bucket/finetune-bot/output/{name}/",
        hyperparameters={"epochCount": "2"},
    )


def _record(name: str) -> JobRecord:
    return JobRecord(
        job_name=name,
        job_arn=f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:model-customization-job/{name}",
        base_model_id=MODEL,
        customization=CustomizationType.INSTRUCTION,
        conversation_id=f"T0BENCH:C0BENCH:{name}",
        team="T0BENCH",
        channel="C0BENCH",
        thread_ts="1800000000.000001",
        status_message_ts="1800000000.000002",
        user="U0BENCH",
        started_at=datetime.now(UTC),
        epochs=2,
        training_tokens=100_000,
        estimated_training_cost="0.08",
    )


def _backend_jobs() -> dict[str, Any]:
    """moto's in-process jobs by name (the server runs in this process)."""
    from moto.bedrock.models import bedrock_backends

    jobs: dict[str, Any] = bedrock_backends[ACCOUNT_ID][REGION].model_customization_jobs
    return jobs


def _set_status(name: str, status: JobStatus) -> None:
    """Move a job on moto's backend (moto never moves jobs by itself)."""
    _backend_jobs()[name].status = status.value


def _set_all(names: list[str], status: JobStatus) -> None:
    for name in names:
        _set_status(name, status)


if __name__ == "__main__":
    raise SystemExit(main())
