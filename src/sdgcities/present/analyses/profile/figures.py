"""The city profile's charts: priority targets and KPI rows as side x goal tiles in the goals'
colours, and the published 達成度 of each KPI row."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile.data import NO_GOAL_COLOUR, city, goal_colour, short


def _field(ctx: Context, name: str) -> str:
    return ctx.w(f"profile.field.{name}")


def _goal_tiles(ctx: Context, frame: pl.DataFrame, *, count_col: str, count_title: str, detail_col: str, detail_title: str, title: str, subtitle: str) -> alt.Chart:
    """Side x goal tiles filled with the goal's SDG colour and the count written in them."""
    goal_order = sorted({g for g in frame["goal"].to_list() if g is not None})
    has_no_goal = frame["goal"].null_count() > 0
    x_domain = [str(g) for g in goal_order] + ([ctx.w("profile.no_goal")] if has_no_goal else [])
    colour_range = [goal_colour(ctx, g) for g in goal_order] + ([NO_GOAL_COLOUR] if has_no_goal else [])
    side_order = frame.sort("side_rank")["side_label"].unique(maintain_order=True).to_list()
    base = alt.Chart(frame).encode(
        x=alt.X("goal_label:N", sort=x_domain, title=_field(ctx, "sdg_goal"), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("side_label:N", sort=side_order, title=None),
    )
    tiles = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3).encode(
        color=alt.Color("goal_label:N", scale=alt.Scale(domain=x_domain, range=colour_range), legend=None),
        tooltip=[
            alt.Tooltip("side_label:N", title=_field(ctx, "side")),
            alt.Tooltip("goal_name:N", title=_field(ctx, "goal")),
            alt.Tooltip(f"{count_col}:Q", title=count_title),
            alt.Tooltip(f"{detail_col}:N", title=detail_title),
        ],
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.Text(f"{count_col}:Q"),
        color=alt.Color("text_colour:N", scale=None),
    )
    return (tiles + text).properties(title=alt.TitleParams(title, subtitle=subtitle), width=alt.Step(40), height=alt.Step(40))


def priority_chart(ctx: Context, frame: pl.DataFrame, s: dict[str, Any]) -> alt.Chart | None:
    """Tiles: sides x goals, the number of priority targets in each; None without priority targets."""
    if frame.height == 0:
        return None
    data = frame.with_columns(pl.col("targets").list.join(", ").alias("target_list"))
    per_goal = data.group_by("goal").agg(pl.col("targets").list.explode(keep_nulls=False, empty_as_null=False).unique().len().alias("n")).sort(["n", "goal"], descending=[True, False])
    top = per_goal.row(0, named=True)
    unique_top = top["n"] > 1 and (per_goal.height == 1 or per_goal["n"][1] < top["n"])
    shared = (
        # A goal named without any target (goal-level priority) has no target to share.
        data.filter(pl.col("side").is_not_null()).explode("targets").drop_nulls("targets").group_by("targets").agg(pl.col("side").n_unique().alias("sides"))
        .filter(pl.col("sides") > 1).sort("targets")["targets"].to_list()
    )
    extras = []
    if unique_top:
        extras.append(ctx.w("profile.chart.priority_most", goal=top["goal"], n=top["n"]))
    if shared:
        extras.append(ctx.w("profile.chart.priority_shared", targets=", ".join(shared)))
    title = ctx.w("profile.chart.priority_title", city=ctx.city(city(ctx)), targets=s["priority_targets"], goals=s["priority_goals"])
    if extras:
        title += ctx.w("profile.chart.brackets", text=ctx.w("profile.chart.extra_separator").join(extras))
    return _goal_tiles(
        ctx, data, count_col="n_targets", count_title=_field(ctx, "target_count"), detail_col="target_list",
        detail_title=_field(ctx, "targets"), title=title, subtitle=ctx.w("profile.chart.priority_subtitle"),
    )


def kpi_chart(ctx: Context, counts: pl.DataFrame, s: dict[str, Any]) -> alt.Chart | None:
    """Tiles: sides x goals, the number of KPI rows in each."""
    if counts.height == 0:
        return None
    data = counts.with_columns(pl.col("indicators").list.eval(pl.element().str.slice(0, 30)).list.join(" / ").alias("indicator_list"))
    no_goal = int(data.filter(pl.col("goal").is_null())["n_kpis"].sum())
    title = ctx.w("profile.chart.kpi_title", city=ctx.city(city(ctx)), rows=s["kpis"] - s["kpis_repeat"], goals=data["goal"].drop_nulls().n_unique())
    if no_goal:
        title += ctx.w("profile.chart.kpi_no_goal", n=no_goal)
    return _goal_tiles(
        ctx, data, count_col="n_kpis", count_title=_field(ctx, "kpi_rows"), detail_col="indicator_list",
        detail_title=_field(ctx, "indicators"), title=title, subtitle=ctx.w("profile.chart.kpi_subtitle"),
    )


def achievement_chart(ctx: Context, rows: pl.DataFrame) -> alt.Chart | None:
    """The published 達成度 (%) of each non-repeat KPI row, with the 100% line; None when the
    city publishes no numeric rate."""
    data = rows.filter(pl.col("published_achievement_pct").is_not_null() & ~pl.col("is_repeat"))
    if data.height == 0:
        return None
    reached_label, below_label = ctx.w("profile.chart.reached"), ctx.w("profile.chart.below")
    data = data.with_columns(
        pl.col("indicator_ja").fill_null(ctx.w("profile.redacted_name")).map_elements(lambda s: short(s, 24), return_dtype=pl.String).alias("label"),
        pl.col("section").map_elements(lambda s: short(s, 40), return_dtype=pl.String).alias("table_label"),
        (pl.col("published_achievement_pct") >= 100).alias("reached"),
    ).with_columns(
        pl.when(pl.col("reached")).then(pl.lit(reached_label)).otherwise(pl.lit(below_label)).alias("reached_label"),
        # Labels must be unique within a panel: add the side when an indicator is printed twice.
        pl.when(pl.col("label").is_duplicated().over("table_label"))
        .then(pl.col("label") + pl.lit(" (") + pl.col("side_label") + pl.lit(")"))
        .otherwise(pl.col("label"))
        .alias("label"),
    )
    reached = int(data["reached"].sum())
    words = rows.filter(pl.col("published_achievement_text").is_not_null() & ~pl.col("is_repeat")).height
    title = ctx.w("profile.chart.achievement_title", city=ctx.city(city(ctx)), n=data.height, reached=reached)
    subtitle = ctx.w("profile.chart.achievement_subtitle") + (ctx.w("profile.chart.achievement_words", n=words) if words else "")
    tables = data["table_label"].unique(maintain_order=True).to_list()
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=None, title=None),
            x=alt.X("published_achievement_pct:Q", title=_field(ctx, "published_pct")),
            color=alt.Color("reached_label:N", scale=alt.Scale(domain=[reached_label, below_label], range=["#0072B2", "#E69F00"]), title=None),
            tooltip=[
                alt.Tooltip("indicator_ja:N", title=_field(ctx, "indicator")),
                alt.Tooltip("side_label:N", title=_field(ctx, "side")),
                alt.Tooltip("baseline_shown:N", title=_field(ctx, "baseline")),
                alt.Tooltip("actual_shown:N", title=_field(ctx, "actual")),
                alt.Tooltip("target_shown:N", title=_field(ctx, "target")),
                alt.Tooltip("achievement_shown:N", title=_field(ctx, "published_rate")),
            ],
        )
        .properties(width=440, height=alt.Step(18))
    )
    target = alt.Chart().mark_rule(color="#333333", strokeDash=[4, 3], strokeWidth=1.5).encode(x=alt.datum(100))
    plot = data.select(
        "label", "table_label", "published_achievement_pct", "reached_label", "indicator_ja", "side_label",
        "baseline_shown", "actual_shown", "target_shown", "achievement_shown",
    )
    return (
        alt.layer(bars, target, data=plot)
        .facet(
            row=alt.Row(
                "table_label:N", sort=tables, title=None,
                header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=12, labelFontWeight="bold"),
            ),
            spacing=8,
        )
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams(title, subtitle=subtitle))
    )
