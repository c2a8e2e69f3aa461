"""Loss and reward from the metrics CSV files: found by listing the output prefix, parsed tolerantly."""

from __future__ import annotations

import logging

import pytest

from tests.fakes.storage import MemoryStorage
from workflows.jobs.monitoring.metrics import (
    MAX_METRICS_BYTES,
    LossCurves,
    LossPoint,
    metric_files,
    parse_losses,
    parse_rewards,
    read_curves,
)

OUTPUT = "s3://bucket/finetune-bot/output/tone-1a2b/"
TRAINING_CSV = "step_number,epoch_number,training_loss,perplexity\n0,1,2.5,12.1\n1,1,1.75,5.7\n2,2,0.5,1.6\n"
VALIDATION_CSV = "step_number,epoch_number,validation_loss,perplexity\n1,1,1.9,6.6\n2,2,0.75,2.1\n"


@pytest.mark.parametrize(
    ("uris", "expected"),
    [
        # the documented layout
        (
            [
                f"{OUTPUT}model-customization-job-abc/training_artifacts/step_wise_training_metrics.csv",
                f"{OUTPUT}model-customization-job-abc/validation_artifacts/post_fine_tuning_validation/"
                "validation_metrics.csv",
            ],
            {"step_wise_training_metrics.csv", "validation_metrics.csv"},
        ),
        # Nova's deeper validation folder and Llama's shallower one are found by name alike
        (
            [f"{OUTPUT}x/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv"],
            {"validation_metrics.csv"},
        ),
        ([f"{OUTPUT}x/validation_artifacts/validation_metrics.csv"], {"validation_metrics.csv"}),
        # unrelated files and the write probe are ignored
        ([f"{OUTPUT}.write_access_check_file.tmp", f"{OUTPUT}x/model.bin"], set()),
    ],
)
def test_metrics_files_are_matched_by_name_wherever_they_are(uris: list[str], expected: set[str]) -> None:
    assert set(metric_files(uris)) == expected


def test_the_shallowest_copy_of_a_metrics_file_wins() -> None:
    shallow = f"{OUTPUT}x/validation_artifacts/validation_metrics.csv"
    deep = f"{OUTPUT}x/validation_artifacts/a/b/validation_metrics.csv"

    assert metric_files([deep, shallow])["validation_metrics.csv"] == shallow


def test_rows_become_points_with_step_epoch_and_loss() -> None:
    assert parse_losses(TRAINING_CSV, "training_loss") == (
        LossPoint(0, 1, 2.5),
        LossPoint(1, 1, 1.75),
        LossPoint(2, 2, 0.5),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # headers in another case and with spaces
        ("Step_Number, Epoch_Number ,TRAINING_LOSS\n3,1,0.25\n", (LossPoint(3, 1, 0.25),)),
        # unreadable and non-finite losses are skipped
        ("step_number,epoch_number,training_loss\n0,1,abc\n1,1,nan\n2,1,\n3,1,0.5\n", (LossPoint(3, 1, 0.5),)),
        # no step column: the row's position stands in
        ("training_loss\n0.9\n0.8\n", (LossPoint(0, None, 0.9), LossPoint(1, None, 0.8))),
        # the loss column is missing
        ("step_number,perplexity\n0,5.0\n", ()),
        # an empty file
        ("", ()),
    ],
)
def test_parsing_tolerates_what_files_in_the_wild_look_like(text: str, expected: tuple[LossPoint, ...]) -> None:
    assert parse_losses(text, "training_loss") == expected


def test_curves_are_read_from_the_files_under_the_output_prefix() -> None:
    storage = MemoryStorage(
        {
            f"{OUTPUT}job-abc/training_artifacts/step_wise_training_metrics.csv": TRAINING_CSV.encode(),
            f"{OUTPUT}job-abc/validation_artifacts/post_fine_tuning_validation/validation_metrics.csv": (
                VALIDATION_CSV.encode()
            ),
            "s3://bucket/finetune-bot/output/other-job/training_artifacts/step_wise_training_metrics.csv": b"x",
        }
    )

    curves = read_curves(storage, OUTPUT.rstrip("/"))

    assert [p.loss for p in curves.training] == [2.5, 1.75, 0.5]
    assert [p.loss for p in curves.validation] == [1.9, 0.75]


def test_an_unreadable_output_prefix_means_no_curves_rather_than_an_error() -> None:
    storage = MemoryStorage()
    storage.broken = True

    assert read_curves(storage, OUTPUT) == LossCurves()


RFT_CSV = (
    "step_number,epoch_number,training_loss,perplexity,critic/rewards/mean\n"
    "0,1,0.9,2.4,0.31\n1,1,0.8,2.2,0.62\n2,2,0.7,2.0,0.58\n"
)


def test_a_reinforcement_jobs_reward_is_read_beside_its_loss() -> None:
    storage = MemoryStorage({f"{OUTPUT}job-abc/training_artifacts/step_wise_training_metrics.csv": RFT_CSV.encode()})

    curves = read_curves(storage, OUTPUT)

    assert [p.loss for p in curves.training] == [0.9, 0.8, 0.7]
    assert [(p.step, p.loss) for p in curves.rewards] == [(0, 0.31), (1, 0.62), (2, 0.58)]


def test_a_file_without_a_reward_column_has_no_rewards() -> None:
    assert parse_rewards(TRAINING_CSV) == ()
    assert parse_rewards("") == ()


@pytest.mark.parametrize("column", ["Reward", "critic/rewards/mean", " reward_mean "])
def test_reward_columns_are_matched_in_any_case(column: str) -> None:
    assert [p.loss for p in parse_rewards(f"step_number,{column}\n0,0.5\n")] == [0.5]


def test_rows_that_are_not_finite_numbers_are_left_out_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    text = "step_number,reward\n0,0.5\n1,nan\n2,inf\n3,high\n4,\n5,0.7\n6\n"
    with caplog.at_level(logging.INFO, logger="workflows.jobs.monitoring.metrics"):
        points = parse_rewards(text)
    assert [(p.step, p.loss) for p in points] == [(0, 0.5), (5, 0.7)]
    assert "Left out 5 of 7 reward rows" in caplog.text


def test_a_metrics_file_over_the_limit_is_not_read() -> None:
    huge = RFT_CSV + "3,2,0.6,1.9,0.7\n" * (MAX_METRICS_BYTES // 16 + 1)
    storage = MemoryStorage({f"{OUTPUT}j/training_artifacts/step_wise_training_metrics.csv": huge.encode()})
    assert read_curves(storage, OUTPUT).rewards == ()
