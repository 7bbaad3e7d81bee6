"""Charts for cities without actual values: the ambition of the targets (required change per year),
per city and side and per SDG goal, and how complete the disclosure of each item is."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.achievement import small_n
from sdgcities.present.analyses.achievement.chart_parts import (
    MAX_POINTS, box_layers, city_scale, col, jittered, outside_note, reference_rules)
from sdgcities.present.analyses.achievement.data import (
    DISCLOSURE_FIELDS, ambition, ambition_summary, disclosure_long, many_cities)
from sdgcities.present.analyses.achievement.labels import group_order
from sdgcities.present.analyses.achievement.scales import box_stats, clip, display_range, slim
from sdgcities.present.notebook import Context

PER_YEAR = "achievement.unit.per_year"


def ambition_chart(ctx: Context, amb: pl.DataFrame) -> alt.LayerChart:
    """Strip and box plot of the required change per year per city and side, with a line at 0."""
    data = amb.filter(pl.col("ambition_pct").is_not_null())
    low, high, _ = display_range(data["ambition_pct"].to_list(), include=(0.0,))
    data = clip(data, ["ambition_pct"], low, high)
    outside = data.filter((pl.col("ambition_pct") < low) | (pl.col("ambition_pct") > high)).height
    order = group_order(ctx, data, many_cities(ctx))
    many = many_cities(ctx) or data.height > MAX_POINTS
    x_title = col(ctx, "ambition_axis")
    x_scale = alt.Scale(domain=[low, high], nice=False)
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    stats = clip(box_stats(data, ["group"], "ambition_pct"), ["low", "q1", "median", "q3", "high"], low, high)
    tip = [alt.Tooltip("group:N", title=col(ctx, "city_side")), alt.Tooltip("n:Q", title=col(ctx, "kpi_rows")),
           alt.Tooltip("median:Q", format=".2f", title=col(ctx, "median"))]
    layers: list[Any] = box_layers(ctx, stats, y, x_scale, x_title, tip, points=many)
    if not many:
        layers.append(alt.Chart(slim(jittered(data))).mark_circle(size=70, opacity=0.85, stroke="white", strokeWidth=0.6).encode(
            y=y, yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.9, 0.9])),
            x=alt.X("ambition_pct_shown:Q", scale=x_scale, title=x_title),
            color=alt.Color("city:N", scale=city_scale(ctx), title=col(ctx, "city")),
            tooltip=[
                alt.Tooltip("city:N", title=col(ctx, "city")),
                alt.Tooltip("indicator_ja:N", title=col(ctx, "indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("direction_label:N", title=col(ctx, "direction")),
                alt.Tooltip("baseline_label:N", title=col(ctx, "baseline_year")),
                alt.Tooltip("baseline_value:Q", title=col(ctx, "baseline")),
                alt.Tooltip("target_label:N", title=col(ctx, "target_year")),
                alt.Tooltip("target_value:Q", title=col(ctx, "target")),
                alt.Tooltip("unit:N", title=col(ctx, "unit")),
                alt.Tooltip("ambition_pct:Q", format=".2f", title=col(ctx, "ambition_tip")),
            ]))
    layers.append(reference_rules(ctx, "ambition", low, high))
    summary = ambition_summary(ctx, amb).filter(pl.col("n") > 0)
    if summary.is_empty():
        title = ctx.w("achievement.ambition.title_none")
    elif many_cities(ctx):
        centre = small_n.centre_text(ctx, data["ambition_pct"].median(), data.height, unit=PER_YEAR)
        title = ctx.w("achievement.ambition.title_many", n_cities=summary.height, centre=centre)
    else:
        parts = ctx.w("achievement.sep.list").join(
            ctx.w("achievement.city_centre", city=r["city"], centre=small_n.centre_text(ctx, r["median_pct"], r["n"], unit=PER_YEAR))
            for r in summary.iter_rows(named=True))
        title = ctx.w("achievement.ambition.title", parts=parts)
    notes = [small_n.periods_note(ctx, data), outside_note(ctx, outside, low, high), small_n.small_n_note(ctx, stats)]
    return alt.layer(*layers).properties(
        width=560, height=max(90, 46 * max(1, len(order))), title=alt.Title(title, subtitle=[n for n in notes if n]))


def ambition_goal_chart(ctx: Context, by_goal: pl.DataFrame, amb: pl.DataFrame | None = None) -> alt.Chart:
    """Median required change per year per SDG goal (SDG colours), one panel per city (pooled with many).
    amb is the notebook's ambition frame (read again when not given), for the note on periods."""
    data = by_goal
    if many_cities(ctx):
        data = data.group_by("sdg_goal", "goal_label").agg(
            pl.col("median_ambition_pct").median(), pl.col("n_kpis").sum(),
            pl.col("min_ambition_pct").min(), pl.col("max_ambition_pct").max(),
        ).with_columns(pl.lit(ctx.w("achievement.n_cities", n=len(ctx.cities))).alias("city"))
    data = data.sort("sdg_goal")
    low, high, _ = display_range(data["median_ambition_pct"].to_list(), include=(0.0,), max_bins=10, method="fence")
    data = clip(data, ["median_ambition_pct"], low, high).with_columns(
        pl.when((pl.col("median_ambition_pct") > high) | (pl.col("median_ambition_pct") < low))
        .then(pl.col("median_ambition_pct").round(1).cast(pl.String) + pl.lit(" ▶"))
        .otherwise(pl.lit("")).alias("clipped_text"))
    goal_labels = data["goal_label"].unique(maintain_order=True).to_list()
    goals = data["sdg_goal"].unique(maintain_order=True).to_list()
    colour = alt.Color("goal_label:N", scale=marks.sdg_colour_scale(ctx.goal_colours, goal_labels, goals), legend=None)
    data = data.with_columns(
        (pl.lit("n=") + pl.col("n_kpis").cast(pl.String)).alias("n_text"),
        pl.max_horizontal(pl.col("median_ambition_pct_shown"), pl.lit(0.0)).alias("n_text_x"),
    ).select("city", "sdg_goal", "goal_label", "n_kpis", "median_ambition_pct", "min_ambition_pct",
             "max_ambition_pct", "median_ambition_pct_shown", "clipped_text", "n_text", "n_text_x")
    y = alt.Y("goal_label:N", sort=goal_labels, title=None, axis=alt.Axis(labelLimit=300))
    x = alt.X("median_ambition_pct_shown:Q", scale=alt.Scale(domain=[low, high], nice=False),
              title=col(ctx, "ambition_goal_axis"))
    bars = alt.Chart().mark_bar().encode(
        y=y, x=x, color=colour,
        tooltip=[
            alt.Tooltip("city:N", title=col(ctx, "city")),
            alt.Tooltip("goal_label:N", title=col(ctx, "goal")),
            alt.Tooltip("n_kpis:Q", title=col(ctx, "kpi_rows")),
            alt.Tooltip("median_ambition_pct:Q", format=".2f", title=col(ctx, "median_per_year")),
            alt.Tooltip("min_ambition_pct:Q", format=".2f", title=col(ctx, "low")),
            alt.Tooltip("max_ambition_pct:Q", format=".2f", title=col(ctx, "high")),
        ],
    )
    clipped = alt.Chart().mark_text(align="right", dx=-4, fontSize=11, fontWeight="bold", color="white").encode(
        y=y, x=x, text="clipped_text:N")
    zero = alt.Chart().mark_rule(color="#333333", strokeWidth=1).encode(x=alt.datum(0))
    # n beside every bar: most goals rest on one or two KPI rows, and a bar of one value is no median.
    n_labels = alt.Chart().mark_text(align="left", dx=4, fontSize=10, color="#333333").encode(
        y=y, x=alt.X("n_text_x:Q", scale=alt.Scale(domain=[low, high], nice=False)), text="n_text:N")
    layered = alt.layer(bars, clipped, zero, n_labels, data=data).properties(width=300, height=max(60, 24 * len(goal_labels)))
    if data.is_empty():
        title = ctx.w("achievement.ambition_goal.title_none")
    else:
        top = data.sort(["median_ambition_pct", "sdg_goal"], descending=[True, False]).row(0, named=True)
        if many_cities(ctx):
            title = ctx.w("achievement.ambition_goal.title_many", n_cities=len(ctx.cities), goal=top["goal_label"],
                          median=top["median_ambition_pct"], n=top["n_kpis"])
        else:
            centre = small_n.centre_text(ctx, top["median_ambition_pct"], top["n_kpis"], unit=PER_YEAR)
            title = ctx.w("achievement.ambition_goal.title", city=top["city"], goal=top["goal_label"], centre=centre)
    outside = data.filter((pl.col("median_ambition_pct") < low) | (pl.col("median_ambition_pct") > high)).height
    n_small = data.filter(pl.col("n_kpis") < marks.MIN_BOX).height
    notes = [
        small_n.periods_note(ctx, (ambition(ctx) if amb is None else amb).filter(pl.col("ambition_pct").is_not_null())),
        ctx.w("achievement.ambition_goal.small_bars", n=n_small, min_box=marks.MIN_BOX) if n_small else "",
        outside_note(ctx, outside, low, high),
    ]
    return layered.facet(
        column=alt.Column("city:N", title=None, sort=ctx.city_order() if not many_cities(ctx) else None),
    ).properties(title=alt.Title(title, subtitle=[n for n in notes if n]))


def disclosure_chart(ctx: Context, disc: pl.DataFrame) -> alt.LayerChart:
    """Grouped bars: share of KPI rows disclosing each item, per city (boxes across cities with many)."""
    data = disclosure_long(ctx, disc).filter(pl.col("n_rows") > 0)
    fields = [ctx.label("achievement.disclosure_field", f) for f in DISCLOSURE_FIELDS]
    x = alt.X("field_label:N", sort=fields, title=None)
    y_title = col(ctx, "share_axis")
    many = many_cities(ctx)
    if many:
        stats = box_stats(data, ["field_label"], "share")
        tip = [alt.Tooltip("field_label:N", title=col(ctx, "item")), alt.Tooltip("n:Q", title=col(ctx, "n_cities")),
               alt.Tooltip("median:Q", format=".1%", title=col(ctx, "median"))]
        b = alt.Chart(stats)
        chart = alt.layer(
            b.mark_rule(color="#555555").encode(x=x, y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format="%"),
                                                               scale=alt.Scale(domain=[0, 1])), y2="high:Q", tooltip=tip),
            b.mark_bar(size=30, color="#9ecae1", stroke="#555555").encode(x=x, y="q1:Q", y2="q3:Q", tooltip=tip),
            b.mark_tick(color="#222222", size=30, thickness=2.5).encode(x=x, y="median:Q", tooltip=tip),
        )
    else:
        enc = dict(
            x=x,
            xOffset=alt.XOffset("city:N", sort=ctx.city_order()),
            y=alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1.08])),
            tooltip=[alt.Tooltip("city:N", title=col(ctx, "city")), alt.Tooltip("field_label:N", title=col(ctx, "item")),
                     alt.Tooltip("n_text:N", title=col(ctx, "rows_disclosing")),
                     alt.Tooltip("share:Q", format=".1%", title=col(ctx, "share"))],
        )
        bars = alt.Chart(data).mark_bar().encode(
            color=alt.Color("city:N", scale=city_scale(ctx), title=col(ctx, "city"), legend=alt.Legend(orient="bottom")), **enc)
        chart = alt.layer(bars, alt.Chart(data).mark_text(dy=-7, fontSize=10, color="#333333").encode(text="n_text:N", **enc))
    full = disc.filter(pl.col("n_rows") > 0)
    best = full.sort(["share_actual", "city_id"], descending=[True, False])
    names = ctx.w("achievement.sep.names").join
    if full.is_empty():
        title = ctx.w("achievement.disclosure.title_none")
    elif many:
        title = ctx.w("achievement.disclosure.title_many", n_actual=full.filter(pl.col("share_actual") > 0).height,
                      n=full.height)
    else:
        with_actual = best.filter(pl.col("share_actual") > 0)["city"].to_list()
        without = best.filter(pl.col("share_actual") == 0)["city"].to_list()
        if not with_actual:
            title = ctx.w("achievement.disclosure.title_no_city", without=names(without))
        elif not without:
            title = ctx.w("achievement.disclosure.title_every_city", with_actual=names(with_actual))
        else:
            title = ctx.w("achievement.disclosure.title_some", with_actual=names(with_actual), without=names(without))
    subtitle = ctx.w("achievement.disclosure.subtitle_many" if many else "achievement.disclosure.subtitle")
    return chart.properties(width=480, height=280, title=alt.Title(title, subtitle=subtitle))
