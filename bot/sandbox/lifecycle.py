"""Simulated Bedrock jobs: each moto customization job moves through its stages to Completed on a compressed clock.

What a real job does, in order: validation, data processing, training (``statusDetails``), then
``Completed`` with the metrics CSV files under its output prefix and the final losses on the job
(a reinforcement fine-tuning job's step-wise file also has its mean reward, ``critic/rewards/mean``).
Here one simulated hour passes in ``3600 / speed`` seconds. Jobs are moved on moto's in-process
backend, the way moto documents for tests; the metrics files are written to moto's S3 over HTTP.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID

logger = logging.getLogger(__name__)

#: Seconds between two looks at the jobs.
TICK_SECONDS = 0.1
#: Steps per epoch in the simulated metrics files.
STEPS_PER_EPOCH = 10
#: moto's time format for job times (read back by botocore as naive, which the bot takes as UTC).
_MOTO_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Stage:
    """One of Bedrock's stages: its ``statusDetails`` member, its name, and how long it takes (simulated)."""

    member: str
    name: str
    minutes: float


#: About an hour, as a Nova Micro job on a few thousand records takes.
STAGES = (
    Stage("validationDetails", "validation", 10),
    Stage("dataProcessingDetails", "data processing", 10),
    Stage("trainingDetails", "training", 40),
)


@dataclass
class _Job:
    """What the lifecycle knows of one job: when it was first seen, its stage, and the stage times."""

    name: str
    began: float
    created: str
    #: Index into STAGES of the running stage; ``len(STAGES)`` once every stage completed.
    phase: int = 0
    #: Set when moto reports the job ended without us (a stop): the stage it stopped in shows Stopped.
    stopped: bool = False
    changed: list[str] = field(default_factory=list)


class JobLifecycle:
    """Moves every ``InProgress`` moto job through the stages on a background thread.

    ``lock`` is held whenever a job's stage or status changes; readers that need both from the
    same moment (the ``StageDetails`` middleware) hold it while moto answers.
    """

    def __init__(
        self,
        *,
        region: str,
        speed: float,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.lock = threading.Lock()
        self._region = region
        self._speed = speed
        self._account_id = account_id
        self._clock = clock
        self._jobs: dict[str, _Job] = {}
        self._s3: Any = None
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    @property
    def job_seconds(self) -> float:
        """Real seconds from creation to Completed."""
        return sum(stage.minutes for stage in STAGES) * 60 / self._speed

    @property
    def simulated_minutes(self) -> float:
        """How long the same job takes on Bedrock, in minutes."""
        return sum(stage.minutes for stage in STAGES)

    def start(self, s3: Any) -> None:
        """Start moving jobs; ``s3`` (a boto3 client) writes the metrics files."""
        self._s3 = s3
        self._thread = threading.Thread(target=self._run, name="job-lifecycle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def running(self) -> list[str]:
        """Names of the jobs still InProgress."""
        with self.lock:
            return sorted(name for name, job in self._backend_jobs().items() if job.status == "InProgress")

    def ended(self) -> dict[str, str]:
        """Every job that ended, with its status (Completed, Stopped…)."""
        with self.lock:
            return {name: job.status for name, job in self._backend_jobs().items() if job.status != "InProgress"}

    def step(self) -> None:
        """One look at every job: start tracking new ones, move due ones on, notice stops."""
        now = self._clock()
        for name, moto_job in list(self._backend_jobs().items()):
            job = self._jobs.get(name)
            if job is None:
                if moto_job.status == "InProgress":
                    self._track(name, now)
                continue
            if job.stopped or job.phase >= len(STAGES):
                continue
            if moto_job.status != "InProgress":
                self._stopped(job)
                continue
            self._advance(job, moto_job, self._phase_at(now - job.began))

    def add_status_details(self, body: bytes) -> bytes:
        """A Get or List answer with ``statusDetails`` for the jobs this lifecycle moves (call with ``lock`` held)."""
        try:
            document = json.loads(body)
        except ValueError:
            return body
        if not isinstance(document, dict):
            return body
        summaries = document.get("modelCustomizationJobSummaries")
        for item in summaries if isinstance(summaries, list) else [document]:
            job = self._jobs.get(str(item.get("jobName")))
            if job is not None:
                item["statusDetails"] = self._details(job)
        return json.dumps(document).encode()

    # -- moving jobs -------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._halt.wait(TICK_SECONDS):
            try:
                self.step()
            except Exception:
                logger.exception("The simulated job lifecycle failed a step; it tries again")

    def _track(self, name: str, now: float) -> None:
        stamp = _iso_now()
        with self.lock:
            self._jobs[name] = _Job(name=name, began=now, created=stamp, changed=[stamp] * len(STAGES))
        logger.info(
            "Simulating job %s: %.0f simulated minutes in %.1f s", name, self.simulated_minutes, self.job_seconds
        )

    def _phase_at(self, real_seconds: float) -> int:
        """How many stages have completed after ``real_seconds``."""
        simulated_minutes = real_seconds * self._speed / 60
        passed, boundary = 0, 0.0
        for stage in STAGES:
            boundary += stage.minutes
            if simulated_minutes < boundary:
                break
            passed += 1
        return passed

    def _advance(self, job: _Job, moto_job: Any, phase: int) -> None:
        if phase <= job.phase:
            return
        if phase >= len(STAGES):
            self._write_metrics(moto_job)
        stamp = _iso_now()
        with self.lock:
            for index in range(job.phase, min(phase + 1, len(STAGES))):
                job.changed[index] = stamp
            job.phase = phase
            if phase >= len(STAGES):
                self._complete(moto_job)
        logger.info("Simulated job %s reached %s", job.name, _phase_name(phase))

    def _stopped(self, job: _Job) -> None:
        with self.lock:
            job.stopped = True
            if job.phase < len(STAGES):
                job.changed[job.phase] = _iso_now()
        logger.info("Simulated job %s was stopped during %s", job.name, _phase_name(job.phase))

    def _complete(self, moto_job: Any) -> None:
        """Completed, with an end time and Bedrock's final losses (moto's are hard-coded zeros)."""
        curve = loss_curve(_epochs(moto_job))
        now = datetime.now(UTC).strftime(_MOTO_TIME)
        moto_job.status = "Completed"
        moto_job.end_time = now
        moto_job.last_modified_time = now
        moto_job.training_metrics = {"trainingLoss": curve[-1][2]}
        validation = validation_curve(curve) if moto_job.validation_data_config else []
        moto_job.validation_metrics = [{"validationLoss": validation[-1][2]}] if validation else []

    def _write_metrics(self, moto_job: Any) -> None:
        """The CSV files Bedrock leaves under the output prefix (Nova's layout)."""
        bucket, _, prefix = str(moto_job.output_data_config["s3Uri"]).removeprefix("s3://").partition("/")
        folder = f"{prefix.rstrip('/')}/model-customization-job-{_job_id(moto_job.job_name)}".lstrip("/")
        curve = loss_curve(_epochs(moto_job))
        steps = _csv("training_loss", curve)
        if getattr(moto_job, "customization_type", None) == "REINFORCEMENT_FINE_TUNING":
            steps = _with_rewards(steps, reward_curve(curve))
        self._s3.put_object(
            Bucket=bucket, Key=f"{folder}/training_artifacts/step_wise_training_metrics.csv", Body=steps.encode()
        )
        if moto_job.validation_data_config:
            self._s3.put_object(
                Bucket=bucket,
                Key=f"{folder}/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv",
                Body=_csv("validation_loss", validation_curve(curve)).encode(),
            )

    def _details(self, job: _Job) -> dict[str, Any]:
        """``statusDetails`` as Bedrock reports it: each stage's status and times."""
        details: dict[str, Any] = {}
        for index, stage in enumerate(STAGES):
            if index < job.phase:
                status = "Completed"
            elif index == job.phase:
                status = "Stopped" if job.stopped else "InProgress"
            else:
                status = "NotStarted"
            details[stage.member] = {
                "status": status,
                "creationTime": job.created,
                "lastModifiedTime": job.changed[index],
            }
        return details

    def _backend_jobs(self) -> dict[str, Any]:
        from moto.bedrock.models import bedrock_backends

        jobs: dict[str, Any] = bedrock_backends[self._account_id][self._region].model_customization_jobs
        return jobs


def loss_curve(epochs: int) -> list[tuple[int, int, float]]:
    """``(step, epoch, loss)`` rows of a training run that learns: quick drop, then a slow settle."""
    rows = []
    for step in range(epochs * STEPS_PER_EPOCH):
        loss = 0.42 + 1.9 * math.exp(-step / 6) + 0.03 * math.sin(1.7 * step)
        rows.append((step, step // STEPS_PER_EPOCH + 1, round(loss, 4)))
    return rows


def validation_curve(training: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """One evaluation at the end of each epoch, a little above the training loss."""
    ends = [row for row in training if (row[0] + 1) % STEPS_PER_EPOCH == 0]
    return [(step, epoch, round(loss + 0.08, 4)) for step, epoch, loss in ends]


def reward_curve(training: list[tuple[int, int, float]]) -> list[float]:
    """A reinforcement job's mean reward per step: it climbs from about 0.3 towards 0.85, a little noisy."""
    return [round(0.85 - 0.55 * math.exp(-step / 8) + 0.02 * math.sin(2.3 * step), 4) for step, _, _ in training]


def _with_rewards(text: str, rewards: list[float]) -> str:
    """The step-wise CSV with a ``critic/rewards/mean`` column added to each row."""
    header, *rows = text.strip().split("\n")
    lines = [f"{header},critic/rewards/mean", *(f"{row},{reward}" for row, reward in zip(rows, rewards, strict=True))]
    return "\n".join(lines) + "\n"


def _csv(column: str, rows: list[tuple[int, int, float]]) -> str:
    lines = [f"step_number,epoch_number,{column},perplexity"]
    lines += [f"{step},{epoch},{loss},{math.exp(loss):.4f}" for step, epoch, loss in rows]
    return "\n".join(lines) + "\n"


def _epochs(moto_job: Any) -> int:
    try:
        # Distillation and RFT jobs carry no top-level hyperparameters (RFT's are in customizationConfig).
        return max(1, min(10, int((moto_job.hyper_parameters or {}).get("epochCount", 2))))
    except (TypeError, ValueError):
        return 2


def _job_id(name: str) -> str:
    """The 12-character id Bedrock puts in the output folder's name (derived from the name here)."""
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def _phase_name(phase: int) -> str:
    return STAGES[phase].name if phase < len(STAGES) else "Completed"


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
