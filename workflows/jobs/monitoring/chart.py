"""A small loss-curve PNG for the completion notice, drawn with matplotlib's Agg canvas (no display)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence

from workflows.jobs.monitoring.metrics import LossCurves, LossPoint

#: Inches and dots per inch: 720 × 360 pixels, readable in a Slack preview.
SIZE_INCHES = (7.2, 3.6)
DPI = 100
#: Points drawn per curve; longer curves are thinned evenly (the last point is always kept).
MAX_POINTS = 2000


def loss_chart(curves: LossCurves, *, title: str) -> bytes:
    """PNG bytes of training (and validation) loss by step; requires ``curves.chartable``."""
    if not curves.chartable:
        raise ValueError("a loss chart needs at least two points of one curve")
    # matplotlib caches fonts under MPLCONFIGDIR; a read-only home must not break the notice.
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "finetune-bot-matplotlib"))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="tight")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for label, points, style in (
        ("training loss", curves.training, "-"),
        ("validation loss", curves.validation, "o--"),
    ):
        if points:
            shown = thinned(points)
            axes.plot([p.step for p in shown], [p.loss for p in shown], style, label=label, linewidth=1.5)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right", fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def thinned(points: Sequence[LossPoint], limit: int = MAX_POINTS) -> Sequence[LossPoint]:
    """At most ``limit`` evenly spaced points, first and last included."""
    if len(points) <= limit:
        return points
    stride = (len(points) - 1) / (limit - 1)
    return [points[round(index * stride)] for index in range(limit)]
