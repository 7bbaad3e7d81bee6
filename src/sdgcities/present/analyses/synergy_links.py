"""Where the edges of the SDG-target networks come from (section 3/4 of the synergy notebook).

An edge joins two targets printed on one KPI row, so a row citing k targets alone makes k(k-1)/2
edges: a network "density" mostly counts how many targets single rows print. These helpers say
what the edges count instead (rows citing two or more targets, the largest row and its pairs).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from sdgcities.present.notebook import Context, pct


ROW_LINKS_QUERY = """
with per_row as (
    select city_id, kpi_id, count(distinct sdg_target) as n_targets
    from kpi_sdg_targets where list_contains($cities, city_id)
    group by city_id, kpi_id
),
final as (
    select city_id,
           count(*) filter (where n_targets >= 2)::bigint as linking_rows,
           max(n_targets)::bigint as max_targets_per_row
    from per_row group by city_id
)
select * from final order by city_id
"""


def row_links(con, cities: Sequence[str], metrics: pl.DataFrame) -> pl.DataFrame:
    """Where the edges come from, per city: KPI rows citing two or more targets (each such row links all
    its targets pairwise), the most targets one row cites and the pairs that row alone makes
    (k(k-1)/2), next to the city's edges. What a density figure of these networks really counts."""
    frame = con.sql(ROW_LINKS_QUERY, params={"cities": list(cities)}).pl()
    return (
        metrics.select("city_id", "edges")
        .join(frame, on="city_id", how="left")
        .with_columns(pl.col("linking_rows", "max_targets_per_row").fill_null(0))
        .with_columns((pl.col("max_targets_per_row") * (pl.col("max_targets_per_row") - 1) // 2).alias("top_row_pairs"))
    )


def links_headline(ctx: Context, links: pl.DataFrame) -> str | None:
    """The city with the most edges and what makes them (None when no city has an edge)."""
    with_edges = links.filter(pl.col("edges") > 0).sort(["edges", "city_id"], descending=[True, False])
    if with_edges.is_empty():
        return None
    r = with_edges.row(0, named=True)
    return ctx.t(
        f"組が最も多いのは{ctx.city(r['city_id'])}: {r['edges']}組、2つ以上のターゲットを引用するKPI行 {r['linking_rows']} 行から"
        f"（最多の1行は {r['max_targets_per_row']} ターゲット＝{r['top_row_pairs']}組）",
        f"most pairs in {ctx.city(r['city_id'])}: {r['edges']}, from {r['linking_rows']} KPI row(s) citing 2+ targets "
        f"(the largest row cites {r['max_targets_per_row']} targets = {r['top_row_pairs']} pairs)",
    )


def structure_text(ctx: Context, metrics: pl.DataFrame) -> dict[str, str]:
    """The narrative of section 4 (network structures compared), in both languages."""
    from sdgcities.present.analyses.synergy import names  # synergy imports this module: import at call time

    with_edges = metrics.filter(pl.col("edges") > 0)
    if with_edges.is_empty():
        return {"ja": "どの都市にも、同じKPI行でつながるターゲットがない。", "en": "In no city do two targets share a KPI row."}
    links = row_links(ctx.con, ctx.cities, metrics)
    top = links.filter(pl.col("edges") > 0).sort(["edges", "city_id"], descending=[True, False]).row(0, named=True)
    largest = metrics.sort(["largest_component", "city_id"], descending=[True, False]).row(0, named=True)
    cross = with_edges.sort(["cross_goal_share", "city_id"], descending=[True, False]).row(0, named=True)
    within_only = with_edges.filter(pl.col("cross_goal_share") == 0)["city_id"].to_list()
    out = {}
    for lang in ("ja", "en"):
        t = (lambda ja, en: ja) if lang == "ja" else (lambda ja, en: en)  # noqa: E731
        city = ctx.city
        text = t(
            f"辺をもつ都市は{len(ctx.cities)}都市のうち{with_edges.height}都市。辺は同じKPI行に並ぶターゲットの組なので、"
            f"その数はKPI行がいくつのターゲットを挙げるかでほぼ決まる。組が最も多いのは{city(top['city_id'])}（{top['edges']}組、"
            f"2つ以上のターゲットを挙げるKPI行 {top['linking_rows']} 行から。最多の1行は {top['max_targets_per_row']} ターゲットで"
            f"{top['top_row_pairs']}組）。最大の連結成分は{city(largest['city_id'])}の{largest['largest_component']}ターゲット。",
            f"{with_edges.height} of {len(ctx.cities)} cities have edges. An edge is a pair of targets printed on one KPI row, so "
            f"their number mostly reflects how many targets single rows print. {city(top['city_id'])} has the most pairs "
            f"({top['edges']}, from {top['linking_rows']} KPI rows citing two or more targets; the largest row cites "
            f"{top['max_targets_per_row']} targets, {top['top_row_pairs']} pairs). The largest component is "
            f"{city(largest['city_id'])}'s, {largest['largest_component']} targets. ",
        )
        if cross["cross_goal_share"] > 0:
            text += t(f"目標をまたぐ辺の割合が最も高いのは{city(cross['city_id'])}（{pct(cross['cross_goal_share'], 1)}）。",
                      f"{city(cross['city_id'])} has the highest share of edges across goals ({pct(cross['cross_goal_share'], 1)}). ")
        else:
            text += t("目標をまたぐ辺はどの都市にもない。", "No city has an edge across goals. ")
        if within_only:
            text += t(f"辺がすべて同じ目標の中で閉じている都市: {names(ctx, within_only)}。",
                      f"Cities whose edges all stay within one goal: {names(ctx, within_only)}.")
        out[lang] = text.strip()
    return out
