"""Comparison of how the cities' KPIs attach to their initiatives: KPIs per initiative and side
(the coverage notebook's last section)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from sdgcities.present.notebook import SIDE_ORDER, Context

SIDE_KEYS = (*SIDE_ORDER, "none")


def kpis_per_initiative(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per (city, side of the initiative): initiatives above the action level, those with
    at least one KPI, KPI links, distinct KPIs linked, and the most KPIs one initiative has.
    `side` keeps the initiatives of that side only ("all" keeps every side, "none" = no side)."""
    frame = con.sql(
        """
        with i as (
            select city_id, coalesce(side, 'none') as side_key, initiative_id, n_kpis
            from initiatives
            where list_contains($cities, city_id) and level <> 'action'
        ),
        linked as (
            select l.city_id, coalesce(l.initiative_side, 'none') as side_key, count(distinct l.kpi_id) as n_kpis_linked
            from initiative_kpis l
            where list_contains($cities, l.city_id)
            group by all
        )
        select i.city_id, i.side_key,
               count(*)::integer as n_initiatives,
               count(*) filter (where n_kpis > 0)::integer as n_with_kpis,
               sum(n_kpis)::integer as n_kpi_links,
               coalesce(any_value(linked.n_kpis_linked), 0)::integer as n_kpis_linked,
               max(n_kpis)::integer as max_kpis
        from i left join linked using (city_id, side_key)
        group by i.city_id, i.side_key
        """,
        params={"cities": list(cities)},
    ).pl()
    if side != "all":
        frame = frame.filter(pl.col("side_key") == side)
    order = {c: n for n, c in enumerate(cities)}
    return frame.with_columns(
        pl.col("city_id").replace_strict(order, return_dtype=pl.Int64).alias("_city"),
        pl.col("side_key").replace_strict({s: n for n, s in enumerate(SIDE_KEYS)}, return_dtype=pl.Int64).alias("_side"),
    ).sort("_city", "_side").drop("_city", "_side")


def unlinked_kpis(con, cities: Sequence[str]) -> pl.DataFrame:
    """Per city: KPI rows, and how many belong to no initiative (e.g. a plan-wide vision table)."""
    return con.sql(
        """
        select k.city_id, count(*)::integer as n_kpis,
               count(*) filter (where k.kpi_id not in (select kpi_id from initiative_kpis))::integer as n_unlinked
        from kpis k
        where list_contains($cities, k.city_id)
        group by k.city_id
        order by list_position($cities, k.city_id)
        """,
        params={"cities": list(cities)},
    ).pl()


def initiative_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    def col(key: str) -> str:
        return ctx.w(f"coverage.initiatives.col.{key}")

    return frame.select(
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias(col("city")),
        # side_key "none" is the codes.side label of a missing side
        pl.col("side_key").map_elements(lambda s: ctx.label("side", s), return_dtype=pl.String).alias(col("side")),
        pl.col("n_initiatives").alias(col("initiatives")),
        pl.col("n_with_kpis").alias(col("with_kpis")),
        pl.col("n_kpi_links").alias(col("links")),
        pl.col("n_kpis_linked").alias(col("distinct_kpis")),
        pl.col("max_kpis").alias(col("max_kpis")),
    )


def format_initiative_counts(frame: pl.DataFrame, unlinked: pl.DataFrame) -> str:
    lines = [
        f"{r['city_id']} {r['side_key']}: initiatives={r['n_initiatives']} with_kpis={r['n_with_kpis']} links={r['n_kpi_links']} "
        f"kpis={r['n_kpis_linked']} max={r['max_kpis']}"
        for r in frame.iter_rows(named=True)
    ]
    lines += [f"{r['city_id']} unlinked_kpis={r['n_unlinked']} of {r['n_kpis']}" for r in unlinked.iter_rows(named=True)]
    return "\n".join(lines) if lines else "no initiatives"
