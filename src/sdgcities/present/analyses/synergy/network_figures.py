"""Charts of the SDG-target networks: node-link diagrams per city and their structure metrics side by
side. Labels come from the catalogue (synergy.yaml)."""

from __future__ import annotations

import altair as alt
import polars as pl

from sdgcities.present import charts, marks
from sdgcities.present.analyses.synergy.network import Network, circular_layout, row_links
from sdgcities.present.analyses.synergy.tables import METRICS, metric_labels
from sdgcities.present.analyses.synergy.text import links_headline
from sdgcities.present.notebook import Context

# With many cities, the network diagrams show this many cities (those with the most edges): a
# node-link panel needs room, so fewer of them than a table's marks.TOP_N rows.
TOP_NETWORKS = 6


def _network_panel(ctx: Context, city: str, nodes: pl.DataFrame, edges: pl.DataFrame, metrics: dict,
                   goal_domain: list[str], goals: list[int], kinds: list[str]) -> alt.LayerChart:
    scale = alt.Scale(domain=[-1.45, 1.45])
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    n_merged = edges.filter(pl.col("kind") == kinds[1]).height if len(kinds) > 1 else 0
    extra = ctx.w("synergy.network.panel_merged", n=n_merged) if n_merged else ""
    key = "synergy.network.panel" if metrics["edges"] else "synergy.network.panel_no_edge"
    title = ctx.w(key, city=ctx.city(city), nodes=metrics["nodes"], edges=metrics["edges"],
                  components=metrics["components"], extra=extra)
    target, edge = ctx.w("synergy.column.sdg_target"), ctx.w("synergy.column.edge")
    edge_layer = (
        alt.Chart(edges)
        .mark_rule(color="#555555", opacity=0.6)
        .encode(
            x=x, y=y, x2="x2:Q", y2="y2:Q",
            strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(domain=[1, 4], range=[1.2, 5], clamp=True), legend=None),
            strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [5, 3]][: len(kinds)]),
                                      title=edge, legend=alt.Legend(orient="bottom", symbolStrokeWidth=2, labelLimit=360)),
            tooltip=[alt.Tooltip("source:N", title=target), alt.Tooltip("target:N", title=target),
                     alt.Tooltip("kind:N", title=edge),
                     alt.Tooltip("weight:Q", title=ctx.w("synergy.column.shared_kpis")),
                     alt.Tooltip("n_rows:Q", title=ctx.w("synergy.column.kpi_rows"))],
        )
    )
    node_layer = (
        alt.Chart(nodes)
        .mark_circle(opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=x, y=y,
            color=alt.Color("goal_label:N", scale=marks.sdg_colour_scale(ctx.goal_colours, goal_domain, goals),
                            title=ctx.w("synergy.column.sdg_goal"), legend=alt.Legend(orient="bottom", columns=3, labelLimit=320)),
            size=alt.Size("n_kpis:Q", scale=alt.Scale(domain=[1, 5], range=[120, 420], clamp=True), legend=None),
            tooltip=[alt.Tooltip("target:N", title=target), alt.Tooltip("goal_label:N", title=ctx.w("synergy.column.goal")),
                     alt.Tooltip("n_kpis:Q", title=ctx.w("synergy.column.kpis")),
                     alt.Tooltip("degree:Q", title=ctx.w("synergy.column.linked_targets"))],
        )
    )
    label_layer = alt.Chart(nodes).mark_text(fontSize=10, color="#333333").encode(
        x=alt.X("label_x:Q", scale=scale, axis=None), y=alt.Y("label_y:Q", scale=scale, axis=None), text="target:N"
    )
    return alt.layer(edge_layer, node_layer, label_layer).properties(width=260, height=260, title=alt.TitleParams(title, fontSize=12))


def network_chart(ctx: Context, network: Network, metrics: pl.DataFrame, merged: Network | None = None):
    """Node-link diagrams of the target networks, one panel per city (the TOP_NETWORKS cities with the
    most edges when there are more than marks.MANY_CITIES).

    With `merged` (the by="indicator" network), the edges that appear only when the printings of one
    indicator are merged are drawn dashed.
    """
    chosen = list(ctx.cities)
    note = ""
    if marks.many_cities(chosen):
        top = metrics.sort(["edges", "nodes", "city_id"], descending=[True, True, False]).head(TOP_NETWORKS)
        chosen = top["city_id"].to_list()
        note = ctx.w("synergy.network.note_top", n=TOP_NETWORKS)
    kinds = [ctx.w("synergy.network.kind_row")]
    all_edges = network.edges.filter(pl.col("city_id").is_in(chosen)).with_columns(kind=pl.lit(kinds[0]))
    if merged is not None:
        kinds.append(ctx.w("synergy.network.kind_merged"))
        only_merged = (
            merged.edges.filter(pl.col("city_id").is_in(chosen))
            .join(network.edges.select("city_id", "source", "target"), on=["city_id", "source", "target"], how="anti")
            .with_columns(kind=pl.lit(kinds[1]))
        )
        all_edges = pl.concat([all_edges, only_merged])
    layout = circular_layout(network.nodes.filter(pl.col("city_id").is_in(chosen)))
    degree = pl.concat([
        all_edges.select("city_id", pl.col("source").alias("t")),
        all_edges.select("city_id", pl.col("target").alias("t")),
    ]).group_by("city_id", "t").agg(pl.len().cast(pl.Int64).alias("degree"))
    nodes = (
        network.nodes.filter(pl.col("city_id").is_in(chosen))
        .join(layout, on=["city_id", "target"])
        .join(degree, left_on=["city_id", "target"], right_on=["city_id", "t"], how="left")
        .with_columns(pl.col("degree").fill_null(0),
                      pl.col("goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_label"))
    )
    pos = layout.select("city_id", "target", "x", "y")
    edges = (
        all_edges
        .join(pos, left_on=["city_id", "source"], right_on=["city_id", "target"])
        .join(pos.rename({"x": "x2", "y": "y2"}), on=["city_id", "target"])
    )
    goals = sorted(nodes["goal"].unique().to_list()) or [1]
    goal_domain = [ctx.goal(g) for g in goals]
    by_city = {r["city_id"]: r for r in metrics.iter_rows(named=True)}
    panels = [
        _network_panel(ctx, city, nodes.filter(pl.col("city_id") == city), edges.filter(pl.col("city_id") == city),
                       by_city[city], goal_domain, goals, kinds)
        for city in chosen
    ]
    headline = links_headline(ctx, row_links(ctx.con, ctx.cities, metrics))
    if headline:
        title = ctx.w("synergy.network.title", headline=headline, note=note)
    else:
        title = ctx.w("synergy.network.title_none", note=note)
    return alt.concat(*panels, columns=3, spacing=16).properties(title=title)


def metrics_chart(ctx: Context, metrics: pl.DataFrame):
    """The structure metrics side by side: one small bar chart per metric (cities as bars); with more
    than marks.MANY_CITIES cities, one histogram per metric instead."""
    keys = list(METRICS)
    labels = metric_labels(ctx)
    long = metrics.unpivot(index="city_id", on=keys, variable_name="metric", value_name="value").with_columns(
        pl.col("metric").replace_strict(labels),
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias("city"),
    )
    largest = metrics.sort(["largest_component", "city_id"], descending=[True, False]).row(0, named=True)
    title = ctx.w("synergy.metrics.title", city=ctx.city(largest["city_id"]), largest=largest["largest_component"])
    metric = ctx.w("synergy.column.metric")
    if not marks.many_cities(ctx.cities):  # as many cities as colours: each city its colour
        order = ctx.city_order()
        long = long.with_columns(
            pl.col("value").fill_null(0).alias("x"),
            pl.when(pl.col("value").is_null()).then(pl.lit(ctx.w("synergy.metrics.no_edge")))
            .when(pl.col("value") == pl.col("value").round(0)).then(pl.col("value").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("value").round(3).cast(pl.String)).alias("label"),
        )
        base = alt.Chart(long).encode(
            y=alt.Y("city:N", title=None, sort=order),
            x=alt.X("x:Q", title=None),
            tooltip=[alt.Tooltip("city:N", title=ctx.w("synergy.column.city")), alt.Tooltip("metric:N", title=metric),
                     alt.Tooltip("label:N", title=ctx.w("synergy.column.value"))],
        )
        bars = base.mark_bar().encode(color=alt.Color("city:N", scale=charts.city_colour_scale(order), legend=None))
        text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="label:N")
        return (
            alt.layer(bars, text, data=long)
            .properties(width=150, height=alt.Step(24))
            .facet(facet=alt.Facet("metric:N", title=None, sort=[labels[k] for k in keys], header=alt.Header(labelFontSize=12)), columns=3)
            .resolve_scale(x="independent")
            .properties(title=title)
        )
    # Many cities: pre-binned histograms (10 equal bins per metric), never one bar per city.
    binned = []
    for key in keys:
        values = metrics[key].drop_nulls()
        if values.len() == 0:
            continue
        lo, hi = float(values.min()), float(values.max())
        width = (hi - lo) / 10 or 1.0
        counts = values.map_elements(lambda v: min(int((v - lo) / width), 9), return_dtype=pl.Int64).value_counts()
        counts = counts.sort(counts.columns[0])  # value_counts' order is arbitrary: bins from low to high
        for b, n in counts.iter_rows():
            binned.append({"metric": labels[key], "start": lo + b * width, "end": lo + (b + 1) * width, "n_cities": n})
    cities = ctx.w("synergy.column.n_cities")
    return (
        alt.Chart(pl.DataFrame(binned))
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title=None), x2="end:Q",
            y=alt.Y("n_cities:Q", title=cities, scale=alt.Scale(zero=True)), y2=alt.datum(0),
            tooltip=[alt.Tooltip("metric:N", title=metric),
                     alt.Tooltip("start:Q", format=",.3~f", title=ctx.w("synergy.metrics.bin_from")),
                     alt.Tooltip("end:Q", format=",.3~f", title=ctx.w("synergy.metrics.bin_to")),
                     alt.Tooltip("n_cities:Q", title=cities)],
        )
        .properties(width=180, height=120)
        .facet(facet=alt.Facet("metric:N", title=None, sort=[labels[k] for k in keys]), columns=3)
        .resolve_scale(x="independent", y="independent")
        .properties(title=title)
    )
