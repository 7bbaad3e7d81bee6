"""Coverage charts that compare the cities: the city × target matrix and the pairwise Jaccard
similarity matrix. Words from the catalogue (coverage.yaml), goal colours from sdg_goals."""

from __future__ import annotations

import altair as alt
import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.coverage.data import top_cities
from sdgcities.present.analyses.coverage.figures import EMPTY_FILL, STAR
from sdgcities.present.analyses.coverage.labels import EMPTY, city_labels, names_text, tooltips
from sdgcities.present.analyses.coverage.text import level_word, side_phrase
from sdgcities.present.notebook import Context

# At most this many targets in the target matrix (the most widely cited ones).
MAX_TARGETS = 60


def _status(is_kpi: bool, is_priority: bool) -> str:
    """The code of a city-target cell (its label is coverage.status.<code>)."""
    if is_kpi:
        return "both" if is_priority else "kpi"
    return "priority" if is_priority else "none"


def target_matrix_chart(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.HConcatChart:
    """City × target matrix for every target any of the (shown) cities cites: filled in the goal's
    colour where a KPI measures it, outlined where it is only a priority; a star on priorities."""
    shown = top_cities(summary)
    cells = cells.filter(pl.col("city_id").is_in(shown))
    targets = cells.group_by("sdg_target", "sdg_goal", "target_rank").agg(pl.col("city_id").n_unique().alias("n_cities"))
    note = ""
    if targets.height > MAX_TARGETS:
        targets = targets.sort(["n_cities", "target_rank"], descending=[True, False]).head(MAX_TARGETS)
        note = ctx.w("coverage.matrix.top_targets", n=MAX_TARGETS)
    targets = targets.sort("target_rank")
    target_order = targets["sdg_target"].to_list()
    grid = (
        pl.DataFrame({"city_id": shown})
        .join(targets.select("sdg_target", "sdg_goal", "target_rank"), how="cross")
        .join(cells.drop("sdg_goal", "target_rank", "city_pos"), on=["city_id", "sdg_target"], how="left")
    )
    label = city_labels(ctx, shown)
    rows = []
    for r in grid.iter_rows(named=True):
        colour = ctx.goal_colours[r["sdg_goal"]]
        is_kpi, is_priority = bool(r["is_kpi"]), bool(r["is_priority"])
        rows.append({
            "city": label[r["city_id"]],
            "target": r["sdg_target"],
            "goal": str(r["sdg_goal"]),
            "goal_name": ctx.goal(r["sdg_goal"]),
            "fill": colour if is_kpi else ("white" if is_priority else EMPTY_FILL),
            "stroke": colour if is_priority and not is_kpi else "white",
            "ink": marks.text_colour(colour) if is_kpi else "#333333",
            "star": STAR if is_priority else "",
            "status": ctx.w(f"coverage.status.{_status(is_kpi, is_priority)}"),
            "n_indicators": r["n_indicators"] or 0,
            "names": names_text(ctx, r["indicator_names"], r["n_redacted_indicators"] or 0) if is_kpi else EMPTY,
        })
    frame = pl.DataFrame(rows)
    step_y = 17
    tooltip = tooltips(
        ctx,
        ("city:N", "city"),
        ("target:N", "target"),
        ("goal_name:N", "goal"),
        ("status:N", "status"),
        ("n_indicators:Q", "n_indicators"),
        ("names:N", "names"),
    )
    base = alt.Chart(frame).encode(
        alt.X("city:N", sort=[label[c] for c in shown], title=None,
              axis=alt.Axis(orient="top", labelFontSize=12, ticks=False, domain=False)),
        alt.Y("target:N", sort=target_order, axis=None),
    )
    rect = base.mark_rect(strokeWidth=1.5).encode(
        alt.Color("fill:N", scale=None), alt.Stroke("stroke:N", scale=None), tooltip=tooltip
    )
    star = base.mark_text(fontSize=11).encode(alt.Text("star:N"), alt.Color("ink:N", scale=None), tooltip=tooltip)
    matrix = (rect + star).properties(width=alt.Step(74), height=alt.Step(step_y))
    strip_frame = targets.with_columns(
        pl.col("sdg_goal").cast(pl.String).alias("goal"),
        pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
        pl.Series("fill", marks.sdg_colours(ctx.goal_colours, targets["sdg_goal"].to_list()), dtype=pl.String),
    )
    strip = alt.Chart(strip_frame).mark_rect(stroke="white", strokeWidth=0.5).encode(
        alt.Y("sdg_target:N", sort=target_order, title=None, axis=alt.Axis(labelFontSize=11, ticks=False, domain=False)),
        alt.Color("fill:N", scale=None),
        tooltip=tooltips(ctx, ("sdg_target:N", "target"), ("goal_name:N", "goal")),
    ).properties(width=10, height=alt.Step(step_y))
    if len(shown) == 1:
        title = ctx.w("coverage.matrix.title_one_city", city=ctx.city(shown[0]), n=len(target_order),
                      measured=cells.filter(pl.col("is_kpi")).height)
    else:
        title = ctx.w("coverage.matrix.title", n=len(target_order), n_cities=len(shown),
                      shared=targets.filter(pl.col("n_cities") > 1).height)
    subtitle = ctx.w("coverage.matrix.subtitle", side=side_phrase(ctx, side, start=True), note=note)
    return alt.hconcat(strip, matrix, spacing=2).properties(title=alt.Title(title, subtitle=subtitle))


def jaccard_chart(ctx: Context, pairs: pl.DataFrame, items: pl.DataFrame, level: str) -> alt.LayerChart:
    """Symmetric matrix of the pairwise Jaccard similarities, with the set size on the diagonal."""
    cities = set(pairs["city_a"].to_list() + pairs["city_b"].to_list())
    # Parameter order; a city may be in a pair yet cite nothing on this side (Kumamoto's side tables print no targets).
    order = [c for c in ctx.cities if c in cities]
    sizes = dict(items.group_by("city_id").len().iter_rows())
    name = city_labels(ctx, order)
    rows = []
    for r in pairs.iter_rows(named=True):
        for a, b in ((r["city_a"], r["city_b"]), (r["city_b"], r["city_a"])):
            rows.append({"a": name[a], "b": name[b], "jaccard": r["jaccard"],
                         "label": EMPTY if r["jaccard"] is None else f"{r['jaccard']:.3f}",
                         "detail": f"{r['n_inter']} / {r['n_union']}", "diagonal": False})
    for c in order:
        rows.append({"a": name[c], "b": name[c], "jaccard": None,
                     "label": f"n={sizes.get(c, 0)}", "detail": str(sizes.get(c, 0)), "diagonal": True})
    frame = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String, "jaccard": pl.Float64, "label": pl.String,
                                       "detail": pl.String, "diagonal": pl.Boolean})
    labels = [name[c] for c in order]
    best = pairs.drop_nulls("jaccard").sort(["jaccard"], descending=True)
    if best.height and best["jaccard"][0] == 0:
        title = ctx.w("coverage.jaccard.title_nothing_shared", level=level_word(ctx, level, plural=False))
    elif best.height:
        top = best.row(0, named=True)
        title = ctx.w("coverage.jaccard.title_top", a=ctx.city(top["city_a"]), b=ctx.city(top["city_b"]),
                      level=level_word(ctx, level), value=top["jaccard"])
    else:
        title = ctx.w("coverage.jaccard.title_no_pair")
    size = 92 if len(labels) <= 6 else 56
    base = alt.Chart(frame).encode(
        alt.X("b:N", sort=labels, title=None, axis=alt.Axis(orient="top", ticks=False, domain=False)),
        alt.Y("a:N", sort=labels, title=None, axis=alt.Axis(ticks=False, domain=False)),
    )
    tooltip = tooltips(
        ctx,
        ("a:N", "city"),
        ("b:N", "city"),
        ("label:N", "jaccard"),
        ("detail:N", "shared_union"),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        alt.Color("jaccard:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title=ctx.w("coverage.tip.jaccard"),
                  legend=alt.Legend(gradientLength=max(size * 0.6 * len(labels), 90))),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=13).encode(
        alt.Text("label:N"),
        color=alt.condition("datum.jaccard > 0.55", alt.value("white"), alt.value("#222222")),
        tooltip=tooltip,
    )
    subtitle = ctx.w("coverage.jaccard.subtitle", level=level_word(ctx, level), level_start=level_word(ctx, level, start=True))
    return (rect + text).properties(width=alt.Step(size), height=alt.Step(size * 0.6), title=alt.Title(title, subtitle=subtitle))
