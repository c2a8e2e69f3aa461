"""Training and validation loss, and a reinforcement job's reward, from the metrics CSV files of a job's output.

Bedrock's layout varies by model family (``training_artifacts/step_wise_training_metrics.csv``,
``validation_artifacts/…/validation_metrics.csv`` at different depths), so the prefix is listed
and files are matched by name, never by a hard-coded path. A reinforcement fine-tuning job's mean
reward per step is read from the step-wise file when it has a reward column (AWS names the metric
``critic/rewards/mean`` in its RFT monitoring documentation; the other names are accepted too). The
files are untrusted: read up to a size limit, and a row whose value is not a finite number is left
out, with a log line saying how many were.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

from workflows.exceptions import BotError
from workflows.ports import DatasetStorage

logger = logging.getLogger(__name__)

TRAINING_FILE = "step_wise_training_metrics.csv"
VALIDATION_FILE = "validation_metrics.csv"
#: Largest metrics file read; a long job writes one short row per step.
MAX_METRICS_BYTES = 16 * 1024 * 1024
#: Reward columns of a reinforcement job's step-wise file, the first present is read (case-insensitive).
REWARD_COLUMNS = ("critic/rewards/mean", "rewards/mean", "reward_mean", "mean_reward", "training_reward", "reward")


@dataclass(frozen=True, slots=True)
class LossPoint:
    """One row of a metrics file."""

    step: int
    epoch: int | None
    loss: float


@dataclass(frozen=True, slots=True)
class LossCurves:
    """Both curves of one job; either may be empty when Bedrock wrote no such file."""

    training: tuple[LossPoint, ...] = ()
    validation: tuple[LossPoint, ...] = ()
    #: A reinforcement job's mean reward per step (each point's ``loss`` holds the reward).
    rewards: tuple[LossPoint, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.training and not self.validation

    @property
    def chartable(self) -> bool:
        """A curve needs at least two points."""
        return len(self.training) >= 2 or len(self.validation) >= 2


def metric_files(uris: Iterable[str]) -> dict[str, str]:
    """``{TRAINING_FILE: uri, VALIDATION_FILE: uri}`` for the files present; the shallowest copy wins."""
    found: dict[str, str] = {}
    for uri in sorted(uris, key=lambda uri: (uri.count("/"), uri)):
        name = uri.rsplit("/", 1)[-1]
        if name in {TRAINING_FILE, VALIDATION_FILE}:
            found.setdefault(name, uri)
    return found


def parse_losses(text: str, column: str) -> tuple[LossPoint, ...]:
    """Rows with a finite loss in ``column``; malformed rows are skipped, headers matched in any case."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return ()
    names = {name.strip().lower(): name for name in reader.fieldnames if name}
    loss_key, step_key, epoch_key = names.get(column), names.get("step_number"), names.get("epoch_number")
    if loss_key is None:
        return ()
    points = []
    for index, row in enumerate(reader):
        point = _point(row, loss_key, step_key, epoch_key, index)
        if point is not None:
            points.append(point)
    return tuple(points)


def read_curves(storage: DatasetStorage, output_uri: str) -> LossCurves:
    """List the output prefix and read the metrics files found; nothing found (or unreadable) is empty."""
    prefix = output_uri if output_uri.endswith("/") else output_uri + "/"
    try:
        files = metric_files(storage.list_uris(prefix))
        steps = _text(storage, files.get(TRAINING_FILE))
        validation = parse_losses(_text(storage, files.get(VALIDATION_FILE)), "validation_loss")
    except BotError as exc:
        logger.warning("Could not read the metrics under %s: %s", prefix, exc)
        return LossCurves()
    rewards = parse_rewards(steps)
    return LossCurves(training=parse_losses(steps, "training_loss"), validation=validation, rewards=rewards)


def parse_rewards(text: str) -> tuple[LossPoint, ...]:
    """The reward column's finite values by step; rows left out are counted in a log line."""
    header = text.split("\n", 1)[0]
    names = {name.strip().lower() for name in header.split(",")}
    column = next((name for name in REWARD_COLUMNS if name in names), None)
    if column is None:
        return ()
    points = parse_losses(text, column)
    rows = sum(1 for line in text.splitlines()[1:] if line.strip())
    if len(points) < rows:
        logger.info("Left out %d of %d reward rows that are not finite numbers", rows - len(points), rows)
    return points


def _text(storage: DatasetStorage, uri: str | None) -> str:
    return "" if uri is None else storage.read_text(uri, max_bytes=MAX_METRICS_BYTES)


def _point(
    row: dict[str, str | None], loss_key: str, step_key: str | None, epoch_key: str | None, index: int
) -> LossPoint | None:
    """A point from one CSV row, or None when its loss is missing or not a finite number."""
    loss = _number(row.get(loss_key))
    if loss is None or not math.isfinite(loss):
        return None
    step = _whole(row.get(step_key)) if step_key else None
    epoch = _whole(row.get(epoch_key)) if epoch_key else None
    return LossPoint(step=index if step is None else step, epoch=epoch, loss=loss)


def _whole(value: str | None) -> int | None:
    number = _number(value)
    return int(number) if number is not None and math.isfinite(number) else None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None
