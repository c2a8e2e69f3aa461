"""Loss from the metrics CSV files: found by listing the output prefix, parsed tolerantly."""

from __future__ import annotations

import pytest

from tests.fakes.storage import MemoryStorage
from workflows.jobs.monitoring.metrics import LossCurves, LossPoint, metric_files, parse_losses, read_curves

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
