"""Coverage charts of goals: the city × goal heatmap, how many cities measure each goal, and KPIs
per goal. Words from the catalogue (coverage.yaml), goal colours from the sdg_goals table."""

from __future__ import annotations

import altair as alt
import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.coverage.data import top_cities
from sdgcities.present.analyses.coverage.labels import EMPTY, city_labels, join_list, names_text, tooltips
from sdgcities.present.analyses.coverage.text import city_counts, list_phrase, side_phrase
from sdgcities.present.notebook import Context

GOALS = list(range(1, 18))
GOAL_ORDER = [str(g) for g in GOALS]
EMPTY_FILL = "#f2f2f2"
STAR = "★"


def goal_scale(ctx: Context) -> alt.Scale:
    """The 17 goal numbers (as text) in their official colours."""
    return marks.sdg_colour_scale(ctx.goal_colours, GOAL_ORDER, GOALS)


def _goal_strip(ctx: Context, step: int) -> alt.Chart:
    """A row of the 17 goal colours with their numbers: the matrix header."""
    frame = pl.DataFrame({"goal": GOAL_ORDER, "name": [ctx.goal(g) for g in GOALS],
                          "fill": marks.sdg_colours(ctx.goal_colours, GOALS)})
    position = alt.X("goal:N", sort=GOAL_ORDER, axis=None, title=None)
    base = alt.Chart(frame)
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        position, alt.Color("fill:N", scale=None), tooltip=tooltips(ctx, ("name:N", "goal"))
    )
    text = base.mark_text(color="white", fontWeight="bold", fontSize=13).encode(position, text="goal:N")
    return (rect + text).properties(width=alt.Step(step), height=step * 0.8)


def heatmap_title(ctx: Context, summary: pl.DataFrame, side: str) -> tuple[str, str]:
    """(title, subtitle) stating how many goals each city's KPIs cover."""
    if summary.height <= 4:
        counts = city_counts(ctx, list(summary.select("city_id", "n_goals_kpi").iter_rows()), last=False)
        title = ctx.w("coverage.heatmap.title_few", counts=counts)
    else:
        best = summary.sort(["n_goals_kpi"], descending=True).row(0, named=True)
        title = ctx.w("coverage.heatmap.title_many", n=summary.height, mean=summary["n_goals_kpi"].mean(),
                      city=ctx.city(best["city_id"]), most=best["n_goals_kpi"])
    return title, ctx.w("coverage.heatmap.subtitle", side=side_phrase(ctx, side, start=True))


def goal_heatmap(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.VConcatChart:
    """City × goal matrix: each covered cell in its goal's colour (opacity by number of KPIs), the
    count as text, a star on priority goals; a goal-coloured header. With more than
    marks.MANY_CITIES cities, the MANY_CITIES with most goals covered."""
    shown = top_cities(summary)
    cells = cells.filter(pl.col("city_id").is_in(shown))
    max_n = max(int(cells["n_indicators"].max() or 0), 1)
    label = city_labels(ctx, shown)
    rows = []
    for r in cells.iter_rows(named=True):
        goal, n = r["sdg_goal"], r["n_indicators"]
        colour = ctx.goal_colours[goal]
        alpha = 0.35 + 0.65 * (n / max_n) if n else 1.0
        rows.append({
            "city": label[r["city_id"]],
            "goal": str(goal),
            "goal_name": ctx.goal(goal),
            "fill": colour if n else EMPTY_FILL,
            "stroke": colour if (r["is_priority"] and not n) else "white",
            "alpha": alpha,
            "ink": marks.text_colour(colour, alpha) if n else "#444444",
            "count": str(n) if n else "",
            "star": STAR if r["is_priority"] else "",
            "n_indicators": n,
            "n_kpi_rows": r["n_kpi_rows"],
            "names": names_text(ctx, r["indicator_names"], r["n_redacted_indicators"]) if n else EMPTY,
            "kpi_targets": join_list(r["kpi_targets"]),
            "priority": ctx.w("coverage.heatmap.priority", targets=join_list(r["priority_targets"])) if r["is_priority"]
            else ctx.w("coverage.heatmap.not_priority"),
        })
    frame = pl.DataFrame(rows)
    city_order = [label[c] for c in shown]
    step = 36
    x = alt.X("goal:N", sort=GOAL_ORDER, axis=None, title=None)
    y = alt.Y("city:N", sort=city_order, title=None, axis=alt.Axis(labelFontSize=13, ticks=False, domain=False))
    tooltip = tooltips(
        ctx,
        ("city:N", "city"),
        ("goal_name:N", "goal"),
        ("n_indicators:Q", "n_indicators"),
        ("n_kpi_rows:Q", "n_kpi_rows"),
        ("names:N", "names"),
        ("kpi_targets:N", "kpi_targets"),
        ("priority:N", "priority_goal"),
    )
    base = alt.Chart(frame).encode(x, y)
    rect = base.mark_rect(strokeWidth=2).encode(
        alt.Color("fill:N", scale=None), alt.Stroke("stroke:N", scale=None), alt.Opacity("alpha:Q", scale=None),
        tooltip=tooltip,
    )
    count = base.mark_text(fontSize=13, fontWeight="bold").encode(
        alt.Text("count:N"), alt.Color("ink:N", scale=None), tooltip=tooltip
    )
    star = base.mark_text(fontSize=10, dx=11, dy=-10).encode(
        alt.Text("star:N"), alt.Color("ink:N", scale=None), tooltip=tooltip
    )
    matrix = (rect + count + star).properties(width=alt.Step(step), height=alt.Step(step))
    title, subtitle = heatmap_title(ctx, summary, side)
    if len(shown) < summary.height:
        subtitle += ctx.w("coverage.heatmap.subset", shown=len(shown), total=summary.height)
    return alt.vconcat(_goal_strip(ctx, step), matrix, spacing=2).properties(title=alt.Title(title, subtitle=subtitle))


def goal_reach_chart(ctx: Context, cells: pl.DataFrame) -> alt.LayerChart:
    """For many cities: per goal, how many cities' KPIs measure it and how many list it as a priority."""
    n_cities = cells["city_id"].n_unique()
    frame = (
        cells.group_by("sdg_goal")
        .agg(
            (pl.col("n_indicators") > 0).sum().alias("n_kpi"),
            pl.col("is_priority").sum().alias("n_priority"),
            ((pl.col("n_indicators") == 0) & pl.col("is_priority")).sum().alias("n_priority_unmeasured"),
        )
        .sort("sdg_goal")
        .with_columns(
            pl.col("sdg_goal").cast(pl.String).alias("goal"),
            pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
        )
    )
    top_n = int(frame["n_kpi"].max())
    tops = [ctx.goal(g) for g in frame.filter(pl.col("n_kpi") == top_n)["sdg_goal"]]
    title = ctx.w(f"coverage.reach.title_{'many' if len(tops) > 1 else 'one'}",
                  goals=list_phrase(ctx, tops), top=top_n, n=n_cities)
    base = alt.Chart(frame).encode(alt.X("goal:N", sort=GOAL_ORDER, title=ctx.w("coverage.axis.goal")))
    tooltip = tooltips(
        ctx,
        ("goal_name:N", "goal"),
        ("n_kpi:Q", "cities_measuring"),
        ("n_priority:Q", "cities_priority"),
        ("n_priority_unmeasured:Q", "priority_unmeasured"),
    )
    bars = base.mark_bar().encode(
        alt.Y("n_kpi:Q", title=ctx.w("coverage.axis.cities"), axis=alt.Axis(tickMinStep=1, format="d")),
        alt.Color("goal:N", scale=goal_scale(ctx), legend=None),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color="#222222", thickness=2, size=26).encode(alt.Y("n_priority:Q"), tooltip=tooltip)
    return (bars + ticks).properties(width=alt.Step(30),
                                    title=alt.Title(title, subtitle=ctx.w("coverage.reach.subtitle")))


def kpis_per_goal_chart(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.FacetChart | alt.Chart:
    """KPIs per goal per city: full bar = distinct indicators, pale bar behind = KPI rows including
    repeats (再掲). Small multiples, one row per city (the MANY_CITIES with most goals when more)."""
    shown = top_cities(summary)
    name = city_labels(ctx, shown)
    drawn = cells.filter(pl.col("city_id").is_in(shown) & (pl.col("n_kpi_rows") > 0))
    frame = drawn.with_columns(
        pl.col("sdg_goal").cast(pl.String).alias("goal"),
        pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
        pl.col("city_id").replace_strict(name, return_dtype=pl.String).alias("city"),
        pl.Series("label", [str(n) if n == rows else ctx.w("coverage.per_goal.bar_label", n=n, rows=rows)
                            for n, rows in drawn.select("n_indicators", "n_kpi_rows").iter_rows()], dtype=pl.String),
    ).select("city", "goal", "goal_name", "n_indicators", "n_kpi_rows", "n_repeat_rows", "label")
    most = cells.filter(pl.col("city_id").is_in(shown)).sort(["n_indicators", "city_pos", "sdg_goal"], descending=[True, False, False])
    if most.height and most["n_indicators"][0] > 0:
        top = most.row(0, named=True)
        title = ctx.w(f"coverage.per_goal.chart_{'one' if top['n_indicators'] == 1 else 'other'}",
                      city=ctx.city(top["city_id"]), goal=ctx.goal(top["sdg_goal"]), n=top["n_indicators"])
    else:
        title = ctx.w("coverage.per_goal.chart_none")
    subtitle = ctx.w("coverage.per_goal.subtitle", side=side_phrase(ctx, side, start=True))
    if len(shown) < summary.height:
        subtitle += ctx.w("coverage.per_goal.subset", shown=len(shown), total=summary.height)
    if not frame.height:
        # Nothing to draw: a chart holding only the title that says so.
        return alt.Chart(pl.DataFrame({"x": [0]})).mark_text(size=14).encode(text=alt.value(EMPTY)).properties(
            width=200, height=40, title=alt.Title(title, subtitle=subtitle)
        )
    tooltip = tooltips(
        ctx,
        ("city:N", "city"),
        ("goal_name:N", "goal"),
        ("n_indicators:Q", "n_indicators_short"),
        ("n_kpi_rows:Q", "n_kpi_rows_short"),
        ("n_repeat_rows:Q", "n_repeat_rows"),
    )
    colour = alt.Color("goal:N", scale=goal_scale(ctx), legend=None)
    x = alt.X("goal:N", sort=GOAL_ORDER, scale=alt.Scale(domain=GOAL_ORDER), title=ctx.w("coverage.axis.goal"))
    y_scale = alt.Scale(domain=[0, int(frame["n_kpi_rows"].max() or 1) + 0.5], nice=False)
    rows_bar = alt.Chart().mark_bar(opacity=0.35, size=20).encode(
        x, alt.Y("n_kpi_rows:Q", scale=y_scale, title=ctx.w("coverage.axis.kpis"), axis=alt.Axis(tickMinStep=1, format="d")),
        colour, tooltip=tooltip,
    )
    ind_bar = alt.Chart().mark_bar(size=12).encode(x, alt.Y("n_indicators:Q", scale=y_scale), colour, tooltip=tooltip)
    label = alt.Chart().mark_text(dy=-7, fontSize=11).encode(x, alt.Y("n_kpi_rows:Q", scale=y_scale), alt.Text("label:N"))
    layer = alt.layer(rows_bar, ind_bar, label, data=frame).properties(width=alt.Step(30), height=90)
    return layer.facet(
        row=alt.Row("city:N", sort=[name[c] for c in shown], title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=13)),
        spacing=8,
    ).properties(title=alt.Title(title, subtitle=subtitle))
