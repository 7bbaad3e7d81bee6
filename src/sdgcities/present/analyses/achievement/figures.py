"""Charts of the rules' results: the distribution of scores, the histogram, the status bands, the
published rates against the recomputed ones, and the KPI x rule matrix. Titles and notes come from
the catalogues (achievement.*, rules.*); with many cities the charts pool the cities per side."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sdgcities.build.models.progress import RULE_NAMES
from sdgcities.present.analyses.achievement import small_n
from sdgcities.present.analyses.achievement.chart_parts import (
    MAX_POINTS, box_layers, city_scale, col, jittered, outside_note, reference_rules)
from sdgcities.present.analyses.achievement.data import (
    AGREEMENTS, NOT_EVALUABLE, TIER_CODES, city_summary, run_flip_summary, histogram_frame, many_cities, published_counts,
    status_codes, status_counts)
from sdgcities.present.analyses.achievement.labels import group_order, status_label
from sdgcities.present.analyses.achievement.scales import box_stats, clip, display_range, slim
from sdgcities.present.marks import TOP_N
from sdgcities.present.notebook import Context

MAX_MATRIX_ROWS = 60  # KPI rows shown in the KPI x rule matrix
TIER_COLOURS = {"achieved": "#2166ac", "progressing": "#67a9cf", "stalled": "#f4a261", "worse": "#b2182b",
                NOT_EVALUABLE: "#d9d9d9"}
# Status colours from best to worst (blue to red, colour-blind safe); grey for "not evaluable".
STATUS_PALETTE = ["#2166ac", "#67a9cf", "#f6d860", "#f4a261", "#b2182b"]
NOT_EVALUABLE_COLOUR = "#c8c8c8"


def status_colours(rule: str) -> dict[str, str]:
    """Colour of each status code of the rule (best blue to worst red) and of 'not evaluable'."""
    codes = status_codes(rule)
    palette = STATUS_PALETTE if len(codes) >= 5 else [STATUS_PALETTE[i] for i in (0, 2, 3, 4)][: len(codes)]
    return {**dict(zip(codes, palette)), NOT_EVALUABLE: NOT_EVALUABLE_COLOUR}


def _rule(ctx: Context, rule: str) -> str:
    return ctx.label("rules.name", rule)


def _names(ctx: Context, names: list[str]) -> str:
    """Up to TOP_N names, and how many more."""
    shown = ctx.w("achievement.sep.names").join(names[:TOP_N])
    more = len(names) - min(len(names), TOP_N)
    return shown + (ctx.w("achievement.more_cities", n=more) if more else "")


def distribution_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Strip plot (one point per KPI row) over a box plot per city and side, with 0/100 lines.

    With many cities the points would exceed what a chart can carry: the chart then shows one
    pre-aggregated box per side across all cities and no points.
    """
    data = evaluated.filter(pl.col("score").is_not_null())
    low, high, _ = display_range(data["score"].to_list())
    data = clip(data, ["score"], low, high)
    n_outside = data.filter((pl.col("score") < low) | (pl.col("score") > high)).height
    many = many_cities(ctx) or data.height > MAX_POINTS
    order = group_order(ctx, data, many_cities(ctx))
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=[low, high], nice=False)
    x_title = ctx.label("rules.formula", rule)

    stats = clip(box_stats(data, ["group"], "score"), ["low", "q1", "median", "q3", "high"], low, high)
    box_tooltip = [alt.Tooltip("group:N", title=col(ctx, "city_side")), alt.Tooltip("n:Q", title=col(ctx, "kpi_rows"))] + [
        alt.Tooltip(f"{c}:Q", format=".1f", title=col(ctx, c)) for c in ("median", "q1", "q3", "low", "high")]
    layers: list[Any] = box_layers(ctx, stats, y, x_scale, x_title, box_tooltip, points=many)

    if not many:
        points = alt.Chart(slim(jittered(data))).mark_circle(size=70, opacity=0.85, stroke="white", strokeWidth=0.6).encode(
            y=y,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.9, 0.9])),
            x=alt.X("score_shown:Q", scale=x_scale, title=x_title),
            color=alt.Color("city:N", scale=city_scale(ctx), title=col(ctx, "city")),
            tooltip=[
                alt.Tooltip("city:N", title=col(ctx, "city")),
                alt.Tooltip("indicator_ja:N", title=col(ctx, "indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("side_label:N", title=col(ctx, "side")),
                alt.Tooltip("score:Q", format=".1f", title=x_title),
                alt.Tooltip("status_label:N", title=col(ctx, "status")),
                *[alt.Tooltip(f"{kind}_label:N", title=col(ctx, f"{kind}_year")) if part == "label" else
                  alt.Tooltip(f"{kind}_value:Q", title=col(ctx, kind))
                  for kind in ("baseline", "actual", "target") for part in ("label", "value")],
                alt.Tooltip("unit:N", title=col(ctx, "unit")),
                alt.Tooltip("published_achievement_pct:Q", title=col(ctx, "published_rate")),
            ],
        )
        layers.append(points)
    layers.append(reference_rules(ctx, rule, low, high))

    title, subtitle = _distribution_title(ctx, evaluated, rule)
    notes = [subtitle, outside_note(ctx, n_outside, low, high), small_n.small_n_note(ctx, stats)]
    if many:
        notes.append(ctx.w("achievement.distribution.pooled", n=len(ctx.cities)))
    return alt.layer(*layers).properties(
        width=560, height=max(90, 46 * max(1, len(order))), title=alt.Title(title, subtitle=[n for n in notes if n]))


def _distribution_title(ctx: Context, evaluated: pl.DataFrame, rule: str) -> tuple[str, str]:
    summary = city_summary(ctx, evaluated)
    with_values = summary.filter(pl.col("n_evaluated") > 0)
    without = summary.filter(pl.col("n_evaluated") == 0)
    if with_values.is_empty():
        return ctx.w("achievement.distribution.title_none", rule=_rule(ctx, rule)), ""
    if many_cities(ctx):
        centre = small_n.centre_text(ctx, evaluated["score"].median(), int(with_values["n_evaluated"].sum()))
        title = ctx.w("achievement.distribution.title_many", rule=_rule(ctx, rule), n_cities=with_values.height, centre=centre)
    else:
        parts = ctx.w("achievement.sep.list").join(
            ctx.w("achievement.city_centre", city=r["city"], centre=small_n.centre_text(ctx, r["median_score"], r["n_evaluated"]))
            for r in with_values.iter_rows(named=True))
        title = ctx.w("achievement.distribution.title", rule=_rule(ctx, rule), parts=parts)
    subtitle = ctx.w("achievement.distribution.without", names=_names(ctx, without["city"].to_list())) if without.height else ""
    return title, subtitle


def histogram_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Histogram of the scores, stacked by city (by side with many cities), with 0/100 lines."""
    binned, low, high, step = histogram_frame(ctx, evaluated, rule)
    x_title = ctx.label("rules.formula", rule)
    many = many_cities(ctx)
    colour_title = col(ctx, "side" if many else "city")
    colour = (alt.Color("colour:N", title=colour_title) if many
              else alt.Color("colour:N", scale=city_scale(ctx), title=colour_title))
    bars = alt.Chart(binned).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("bin_start:Q", scale=alt.Scale(domain=[low, high], nice=False), title=x_title),
        x2="bin_end:Q",
        y=alt.Y("sum(n):Q", stack="zero", title=col(ctx, "kpi_rows"), axis=alt.Axis(tickMinStep=1)),
        color=colour,
        order=alt.Order("colour:N"),
        tooltip=[
            alt.Tooltip("colour:N", title=colour_title),
            alt.Tooltip("bin_start:Q", format=".0f", title=col(ctx, "bin_from")),
            alt.Tooltip("bin_end:Q", format=".0f", title=col(ctx, "bin_to")),
            alt.Tooltip("sum(n):Q", title=col(ctx, "kpi_rows")),
            alt.Tooltip("min(min_score):Q", format=".1f", title=col(ctx, "bin_min")),
            alt.Tooltip("max(max_score):Q", format=".1f", title=col(ctx, "bin_max")),
        ],
    )
    title = ctx.w("achievement.histogram.title", rule=_rule(ctx, rule),
                  n=int(binned["n"].sum()) if not binned.is_empty() else 0,
                  above=evaluated.filter(pl.col("score") >= 100).height,
                  in_core=evaluated.filter(pl.col("score").is_between(0, 100, closed="left")).height,
                  below=evaluated.filter(pl.col("score") < 0).height)
    outside = evaluated.filter((pl.col("score") < low) | (pl.col("score") > high)).height
    subtitle = (ctx.w("achievement.histogram.bin_width_outside", step=step, n=outside, low=low, high=high) if outside
                else ctx.w("achievement.histogram.bin_width", step=step))
    return alt.layer(bars, reference_rules(ctx, rule, low, high)).properties(
        width=560, height=240, title=alt.Title(title, subtitle=subtitle))


def status_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.Chart:
    """Stacked bars of the status bands per city and side (per side with many cities)."""
    counts = status_counts(ctx, evaluated, rule)
    colours = status_colours(rule)
    codes = [*status_codes(rule), NOT_EVALUABLE]
    labels = [status_label(ctx, rule, c) for c in codes]
    order = group_order(ctx, evaluated, many_cities(ctx))
    totals = evaluated.group_by("status_code").len()
    achieved = int(totals.filter(pl.col("status_code") == codes[0])["len"].sum())
    with_status = int(totals.filter(pl.col("status_code") != NOT_EVALUABLE)["len"].sum())
    if with_status:
        title = ctx.w("achievement.status.title", rule=_rule(ctx, rule), n=with_status, achieved=achieved, top=labels[0])
    else:
        title = ctx.w("achievement.status.title_none", rule=_rule(ctx, rule), n=evaluated.height)
    subtitle = ctx.w("achievement.status.grey", n=evaluated.height - with_status)
    return alt.Chart(counts).mark_bar(stroke="white", strokeWidth=0.5).encode(
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("sum(n):Q", title=col(ctx, "kpi_rows"), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status_label:N", title=col(ctx, "status"),
                        scale=alt.Scale(domain=labels, range=[colours[c] for c in codes]),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=420)),
        order=alt.Order("status_rank:Q"),
        tooltip=[alt.Tooltip("group:N", title=col(ctx, "city_side")),
                 alt.Tooltip("status_label:N", title=col(ctx, "status")),
                 alt.Tooltip("sum(n):Q", title=col(ctx, "kpi_rows"))],
    ).properties(width=520, height=max(80, 34 * max(1, len(order))), title=alt.Title(title, subtitle=subtitle))


def published_chart(ctx: Context, comparison: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Scatter of the published 達成度 (x) against the rule's recomputed score (y) with the y = x line."""
    data = comparison.filter(pl.col("score").is_not_null())
    low, high, _ = display_range(data["score"].to_list() + data["published_pct"].to_list(), max_bins=12)
    data = clip(data, ["score", "published_pct"], low, high).with_columns(
        pl.col("agreement").replace_strict(ctx.words.labels("achievement.agreement")).alias("agreement_label"))
    outside = data.filter((pl.col("score") < low) | (pl.col("score") > high)
                          | (pl.col("published_pct") < low) | (pl.col("published_pct") > high)).height
    counts = published_counts(comparison)
    scale = alt.Scale(domain=[low, high], nice=False)
    y_title, x_title = ctx.label("rules.formula", rule), col(ctx, "published_axis")
    diagonal = alt.Chart(pl.DataFrame({"a": [low, high], "b": [low, high]})).mark_line(
        color="#666666", strokeDash=[4, 4], strokeWidth=1.5).encode(x=alt.X("a:Q", scale=scale), y=alt.Y("b:Q", scale=scale))
    agree_labels = [ctx.label("achievement.agreement", k) for k in AGREEMENTS[:2]]
    if data.height <= MAX_POINTS:
        marks_ = alt.Chart(slim(data)).mark_point(size=90, filled=True, opacity=0.85).encode(
            x=alt.X("published_pct_shown:Q", scale=scale, title=x_title),
            y=alt.Y("score_shown:Q", scale=scale, title=y_title),
            color=alt.Color("agreement_label:N", title=col(ctx, "against_published"),
                            scale=alt.Scale(domain=agree_labels, range=["#0072B2", "#D55E00"])),
            shape=alt.Shape("agreement_label:N", scale=alt.Scale(domain=agree_labels, range=["circle", "diamond"]),
                            title=col(ctx, "against_published")),
            tooltip=[
                alt.Tooltip("city:N", title=col(ctx, "city")),
                alt.Tooltip("indicator_ja:N", title=col(ctx, "indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("published_pct:Q", format=".1f", title=x_title),
                alt.Tooltip("score:Q", format=".1f", title=y_title),
                alt.Tooltip("difference:Q", format="+.1f", title=col(ctx, "difference")),
                *[alt.Tooltip(f"{k}_value:Q", title=col(ctx, k)) for k in ("baseline", "actual", "target")],
            ],
        )
    else:  # pre-binned density for very many rows
        n_bins = 30
        step = (high - low) / n_bins
        binned = data.with_columns(
            (((pl.col("published_pct_shown") - low) / step).floor().clip(0, n_bins - 1) * step + low).alias("bx"),
            (((pl.col("score_shown") - low) / step).floor().clip(0, n_bins - 1) * step + low).alias("by"),
        ).group_by("bx", "by").agg(pl.len().alias("n")).with_columns(
            (pl.col("bx") + step).alias("bx2"), (pl.col("by") + step).alias("by2")).sort("bx", "by")  # group_by order is arbitrary
        marks_ = alt.Chart(binned).mark_rect().encode(
            x=alt.X("bx:Q", scale=scale, title=x_title), x2="bx2:Q",
            y=alt.Y("by:Q", scale=scale, title=y_title), y2="by2:Q",
            color=alt.Color("n:Q", title=col(ctx, "kpi_rows"), scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("n:Q", title=col(ctx, "kpi_rows"))])
    title = ctx.w("achievement.published.title", rule=_rule(ctx, rule), agrees=counts["agrees"], n=counts["published"])
    subtitle = [ctx.w("achievement.published.comparable", n=counts["agrees"] + counts["differs"])]
    note = outside_note(ctx, outside, low, high)
    if note:
        subtitle.append(note)
    return alt.layer(marks_, diagonal).properties(width=420, height=420, title=alt.Title(title, subtitle=subtitle))


def matrix_chart(ctx: Context, matrix: pl.DataFrame, *, max_rows: int = MAX_MATRIX_ROWS) -> alt.LayerChart:
    """KPI x rule matrix coloured by the common tier; KPIs whose tier flips are marked ◆ and listed first.

    Only KPI rows with a status under at least one rule are drawn; at most max_rows of them
    (flipping ones first).
    """
    summary = run_flip_summary(ctx, matrix).filter(pl.col("n_rules_with_status") >= 1)
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    summary = summary.with_columns(pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c")).sort(
        ["flips", "_c", "kpi_id"], descending=[True, False, False])
    shown = summary.head(min(max_rows, 40) if many_cities(ctx) else max_rows)
    multi = shown["city_id"].n_unique() > 1 if not shown.is_empty() else False
    labels = {r["kpi_id"]: ("◆ " if r["flips"] else "") + (f"{r['city']}: " if multi else "") + r["kpi"]
              for r in shown.iter_rows(named=True)}
    order = [labels[k] for k in shown["kpi_id"].to_list()]
    reasons = ctx.words.labels("rules.reason")
    data = matrix.filter(pl.col("kpi_id").is_in(list(labels))).with_columns(
        pl.col("kpi_id").replace_strict(labels).alias("row_label"),
        pl.col("rule").replace_strict(ctx.words.labels("rules.name")).alias("rule_label"),
        pl.col("tier_code").replace_strict(ctx.words.labels("rules.tier")).alias("tier_label"),
        pl.col("score").round(0).cast(pl.Int64).cast(pl.String).fill_null("–").alias("score_text"),
        # Tooltips print a missing value as "null": give them a dash instead.
        pl.col("score").round(1).cast(pl.String).fill_null("–").alias("score_tip"),
        pl.struct("reason_code", "caveats").map_elements(
            lambda r: _reason_or_caveats(ctx, reasons, r["reason_code"], r["caveats"]), return_dtype=pl.String).alias("reason"),
    ).select("row_label", "rule_label", "tier_code", "tier_label", "score", "score_text", "score_tip",
             "status_label", "city", "indicator_ja", "kpi_id", "reason")
    rule_order = [_rule(ctx, r) for r in RULE_NAMES]
    y = alt.Y("row_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=380))
    x = alt.X("rule_label:N", sort=rule_order, title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=150))
    tooltip = [
        alt.Tooltip("city:N", title=col(ctx, "city")),
        alt.Tooltip("indicator_ja:N", title=col(ctx, "indicator")),
        alt.Tooltip("kpi_id:N", title="KPI"),
        alt.Tooltip("rule_label:N", title=col(ctx, "rule")),
        alt.Tooltip("status_label:N", title=col(ctx, "status")),
        alt.Tooltip("tier_label:N", title=col(ctx, "common_tier")),
        alt.Tooltip("score_tip:N", title=col(ctx, "value_pct")),
        alt.Tooltip("reason:N", title=col(ctx, "reason_or_caveat")),
    ]
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1.5).encode(
        y=y, x=x,
        color=alt.Color("tier_label:N", title=col(ctx, "status_tier"),
                        scale=alt.Scale(domain=[ctx.label("rules.tier", c) for c in TIER_CODES],
                                        range=[TIER_COLOURS[c] for c in TIER_CODES]),
                        legend=alt.Legend(orient="bottom", columns=5)),
        tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(fontSize=11).encode(
        y=y, x=x, text="score_text:N",
        color=alt.condition(alt.FieldOneOfPredicate(field="tier_code", oneOf=["achieved", "worse"]),
                            alt.value("white"), alt.value("#222222")),
        tooltip=tooltip,
    )
    n_flips = int(summary["flips"].sum()) if not summary.is_empty() else 0
    title = ctx.w("achievement.matrix.title", n_flips=n_flips, n=summary.height)
    subtitle = [ctx.w("achievement.matrix.numbers")]
    if summary.height > len(order):
        subtitle.append(ctx.w("achievement.matrix.shown", shown=len(order), n=summary.height))
    return alt.layer(cells, text).properties(
        width=4 * 120, height=max(60, 22 * max(1, len(order))), title=alt.Title(title, subtitle=subtitle))


def _reason_or_caveats(ctx: Context, reasons: dict[str, str], code: str | None, caveats: list[str] | None) -> str:
    """Why a cell has no value, or the caveats of its value ('–' when there is nothing to say)."""
    words = [ctx.label("rules.caveat", c) for c in caveats or []]
    if code and code != "evaluated":
        words.insert(0, reasons[code])
    return ctx.w("achievement.sep.list").join(words) or "–"
