"""Pieces the achievement charts share: reference lines, box layers, notes on clipped values."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sdgcities.present import charts, marks
from sdgcities.present.notebook import Context

# The reference lines of each rule's axis: (value, label code of achievement.reference).
REFERENCE_LINES = {
    "progress": ((0, "baseline"), (100, "target_reached")),
    "ratio": ((0, "zero"), (100, "target_reached")),
    "open_sdg": ((0, "no_change"), (100, "required_pace")),
    "un_cr": ((0, "no_change"), (100, "required_pace")),
    "ambition": ((0, "no_change_short"),),
}
MAX_POINTS = 5000  # Altair's row limit: above it charts draw pre-aggregated marks only


def city_scale(ctx: Context) -> alt.Scale:
    return charts.city_colour_scale(ctx.city_order())


def col(ctx: Context, code: str) -> str:
    """A column or tooltip title (achievement.col.<code>)."""
    return ctx.label("achievement.col", code)


def reference_rules(ctx: Context, lines: str, low: float, high: float, *, vertical: bool = True) -> alt.LayerChart:
    """Dashed reference lines (e.g. 0 = baseline, 100 = target reached) with a small label.

    The lowest line is labelled on its left and the others on their right, so that two lines close
    together (0 and 100 on a wide axis) keep readable labels.
    """
    refs = REFERENCE_LINES[lines]
    data = pl.DataFrame({
        "ref": [float(v) for v, _ in refs],
        "ref_label": [ctx.w("achievement.reference.line", label=ctx.label("achievement.reference", code), value=v)
                      for v, code in refs],
    }).filter((pl.col("ref") >= low) & (pl.col("ref") <= high)).sort("ref")
    tooltip = [alt.Tooltip("ref_label:N", title=col(ctx, "reference"))]
    line = alt.Chart(data).mark_rule(strokeDash=[5, 3], color="#333333", strokeWidth=1.5)
    first, rest = data.head(1), data.slice(1)
    if vertical:
        line = line.encode(x=alt.X("ref:Q", scale=alt.Scale(domain=[low, high])), tooltip=tooltip)
        texts = [
            alt.Chart(part).mark_text(align=align, baseline="top", dx=dx, dy=-14, fontSize=11, color="#333333")
            .encode(x="ref:Q", y=alt.value(0), text="ref_label:N")
            for part, align, dx in ((first, "right", -3), (rest, "left", 3)) if not part.is_empty()
        ]
    else:
        line = line.encode(y=alt.Y("ref:Q", scale=alt.Scale(domain=[low, high])), tooltip=tooltip)
        texts = [
            alt.Chart(part).mark_text(align="right", baseline=baseline, dx=-3, dy=dy, fontSize=11, color="#333333")
            .encode(y="ref:Q", x=alt.value(0), text="ref_label:N")
            for part, baseline, dy in ((first, "top", 2), (rest, "bottom", -2)) if not part.is_empty()
        ]
    return alt.layer(line, *texts)


def box_layers(ctx: Context, stats: pl.DataFrame, y: alt.Y, x_scale: alt.Scale, x_title: str,
               tooltip: list[alt.Tooltip], *, points: bool) -> list[Any]:
    """Whisker, box and median tick for the groups with at least marks.MIN_BOX values. Smaller groups
    get no box; with ``points`` (the strip of single values is not drawn) their values become points."""
    b = alt.Chart(marks.box_groups(stats))
    layers: list[Any] = [
        b.mark_rule(color="#555555").encode(y=y, x=alt.X("low_shown:Q", scale=x_scale, title=x_title),
                                            x2="high_shown:Q", tooltip=tooltip),
        b.mark_bar(size=22, color="#e8e8e8", stroke="#555555", strokeWidth=1).encode(
            y=y, x="q1_shown:Q", x2="q3_shown:Q", tooltip=tooltip),
        b.mark_tick(color="#222222", size=22, thickness=2.5).encode(y=y, x="median_shown:Q", tooltip=tooltip),
    ]
    small = marks.small_group_points(stats, "group")
    if points and not small.is_empty():
        layers.append(alt.Chart(small).mark_point(size=70, color="#222222", filled=True).encode(
            y=y, x=alt.X("value_shown:Q", scale=x_scale, title=x_title),
            tooltip=[alt.Tooltip("group:N", title=col(ctx, "city_side")),
                     alt.Tooltip("n:Q", title=col(ctx, "kpi_rows")),
                     alt.Tooltip("value:Q", format=".1f", title=col(ctx, "value"))]))
    return layers


def outside_note(ctx: Context, n_outside: int, low: float, high: float) -> str:
    if n_outside == 0:
        return ""
    return ctx.w("achievement.note.outside", n=n_outside, low=low, high=high)


def jittered(data: pl.DataFrame) -> pl.DataFrame:
    """Deterministic jitter: spread the points of a group over the band by their rank."""
    return data.sort("kpi_id").with_columns(
        ((pl.col("kpi_id").rank("ordinal").over("group") * 0.618034) % 1.0 - 0.5).alias("jitter"))

