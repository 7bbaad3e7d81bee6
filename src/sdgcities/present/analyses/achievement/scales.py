"""Axes that show the bulk of the values and the reference lines, and the pre-aggregated statistics
the charts draw (box plots, clipped copies of values for drawing)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl


def fmt_number(value: float | None, decimals: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{decimals}f}"


def nice_step(span: float, max_bins: int = 24) -> float:
    """The smallest 1-2-2.5-5 x 10^k step that cuts span into at most max_bins bins."""
    span = max(span, 1e-9)
    raw = span / max_bins
    exponent = math.floor(math.log10(raw))
    for mantissa in (1, 2, 2.5, 5, 10):
        step = mantissa * 10**exponent
        if step >= raw:
            return float(step)
    return float(10 ** (exponent + 1))


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of already sorted values."""
    position = q * (len(sorted_values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * (position - below)


def display_range(values: Sequence[float], *, include: Sequence[float] = (0.0, 100.0),
                  max_bins: int = 24, method: str = "percentile") -> tuple[float, float, float]:
    """(low, high, bin step) of an axis that shows the bulk of the values and the reference lines.

    method "percentile": the 5th to 95th percentile; "fence": Tukey's far-out fences, Q1 - 3 IQR to
    Q3 + 3 IQR (within the data), for a few bars one of which is extreme. The range is widened to the
    reference values; values outside it are drawn at the edge (charts say how many), so one extreme
    row does not squash all the others.
    """
    clean = sorted(v for v in values if v is not None and math.isfinite(v))
    anchors = [float(x) for x in include]
    if clean:
        n = len(clean)
        if method == "fence":
            q1, q3 = quantile(clean, 0.25), quantile(clean, 0.75)
            iqr = q3 - q1
            low_q, high_q = max(clean[0], q1 - 3 * iqr), min(clean[-1], q3 + 3 * iqr)
        else:
            low_q = clean[max(0, math.floor(0.05 * (n - 1)))]
            high_q = clean[min(n - 1, math.ceil(0.95 * (n - 1)))]
        anchors += [low_q, high_q]
    low, high = min(anchors), max(anchors)
    if high == low:
        high = low + 1.0
    step = nice_step(high - low, max_bins)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high == low:
        high = low + step
    return float(low), float(high), float(step)


def box_stats(frame: pl.DataFrame, by: Sequence[str], value: str) -> pl.DataFrame:
    """Pre-aggregated box plot statistics (min, quartiles, median, max, n) per group."""
    return (
        frame.filter(pl.col(value).is_not_null())
        .group_by(list(by), maintain_order=True)
        .agg(
            pl.col(value).min().alias("low"),
            pl.col(value).quantile(0.25, interpolation="linear").alias("q1"),
            pl.col(value).median().alias("median"),
            pl.col(value).quantile(0.75, interpolation="linear").alias("q3"),
            pl.col(value).max().alias("high"),
            pl.len().alias("n"),
        )
    )


def clip(frame: pl.DataFrame, columns: Sequence[str], low: float, high: float) -> pl.DataFrame:
    """Copies of columns clipped to [low, high] (suffix _shown) for drawing; the originals stay in tooltips."""
    return frame.with_columns(pl.col(c).clip(low, high).alias(f"{c}_shown") for c in columns)


POINT_COLUMNS = ("kpi_id", "city", "group", "side_label", "indicator_ja", "unit", "direction_label", "score",
                 "score_shown", "status_label", "baseline_label", "baseline_value", "actual_label", "actual_value",
                 "target_label", "target_value", "published_achievement_pct", "jitter", "ambition_pct",
                 "ambition_pct_shown", "difference", "agreement_label", "published_pct", "published_pct_shown")


def slim(frame: pl.DataFrame, columns: Sequence[str] = POINT_COLUMNS) -> pl.DataFrame:
    """Only the columns a chart encodes (keeps the embedded data small)."""
    return frame.select([c for c in columns if c in frame.columns])
