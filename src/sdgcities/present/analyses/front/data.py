"""The figures of the front matter, read from the build's models (never recomputed here): the
comparability of the documents (city_comparability), the per-city KPI counts (city_kpi_summary) and the
per-city tiers and reproduced published rates of each rule (city_rule_summary, from kpi_rule_results and
published_rate_checks), summed over the selected cities. Every frame holds codes and numbers; text.py
turns them into catalogue keys."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present.notebook import Context

REPORTS = ("comparison", "city")
RULE = "progress"  # the rule of the summary: the documents' own 達成度 (the achievement section's default)
TIERS = ("achieved", "progressing", "stalled", "worse")


def _ordered(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in the order of the cities parameter (then as the model orders them)."""
    order = {city: position for position, city in enumerate(ctx.cities)}
    return (frame.with_row_index("_model_order")
            .with_columns(pl.col("city_id").replace_strict(order, return_dtype=pl.Int64).alias("_city_order"))
            .sort("_city_order", "_model_order").drop("_city_order", "_model_order"))


def comparability(ctx: Context) -> pl.DataFrame:
    """One row per document of the selected cities (model city_comparability)."""
    # the model's order, said here: a plain select gives the rows in the order they are stored
    frame = ctx.con.sql("select * from city_comparability where ($cities is null or list_contains($cities, city_id)) "
                        "order by city_id, published_on, doc_id", params={"cities": ctx.cities_param}).pl()
    return _ordered(ctx, frame)


def kpi_summary(ctx: Context) -> dict[str, int]:
    """The per-city KPI counts of city_kpi_summary, summed over the selected cities."""
    row = ctx.con.sql(
        "select coalesce(sum(kpi_rows), 0), coalesce(sum(repeat_rows), 0), coalesce(sum(redacted_rows), 0), "
        "coalesce(sum(rows_with_actual), 0), coalesce(sum(published_rates), 0), coalesce(sum(reproduced_rates), 0) "
        "from city_kpi_summary where ($cities is null or list_contains($cities, city_id))", params={"cities": ctx.cities_param}).fetchall()[0]
    names = ("kpi_rows", "repeat_rows", "redacted_rows", "rows_with_actual", "published_rates", "reproduced_rates")
    return {name: int(value) for name, value in zip(names, row)}


def rule_tiers(ctx: Context, rule: str = RULE) -> dict[str, int]:
    """KPI rows (reprints left out) per common tier under one rule (model city_rule_summary); `evaluated`
    is the rows with a tier."""
    relation = ctx.con.sql(
        "select coalesce(sum(achieved), 0) as achieved, coalesce(sum(progressing), 0) as progressing, "
        "coalesce(sum(stalled), 0) as stalled, coalesce(sum(worse), 0) as worse from city_rule_summary "
        "where ($cities is null or list_contains($cities, city_id)) and rule = $rule", params={"cities": ctx.cities_param, "rule": rule})
    (row,) = relation.fetchall()
    counts = {tier: int(n) for tier, n in zip(relation.columns, row)}
    if tuple(counts) != TIERS:  # the query names the tiers TIERS lists, in its order: one changed without the other
        raise RuntimeError(f"rule_tiers: the query gives the tiers {tuple(counts)}, TIERS lists {TIERS}")
    return counts | {"evaluated": sum(counts.values())}


def rule_flips(ctx: Context) -> dict[str, int]:
    """KPI rows (reprints left out) that at least two rules judge, and those whose tier changes with the
    rule (kpi_rule_results.flips; counted per city in city_kpi_summary)."""
    judged, flips = ctx.con.sql(
        "select coalesce(sum(rows_with_two_statuses), 0), coalesce(sum(rows_changing_tier), 0) "
        "from city_kpi_summary where ($cities is null or list_contains($cities, city_id))",
        params={"cities": ctx.cities_param}).fetchall()[0]
    return {"judged": int(judged or 0), "flips": int(flips or 0)}


def progress_agreements(ctx: Context) -> int:
    """Published rates (reprints left out) the progress rule reproduces within ±1 point
    (published_rate_checks.agreement; counted per city in city_rule_summary)."""
    (n,) = ctx.con.sql(
        "select coalesce(sum(agreeing_rates), 0) from city_rule_summary where ($cities is null or list_contains($cities, city_id)) "
        "and rule = 'progress'", params={"cities": ctx.cities_param}).fetchall()[0]
    return int(n)


def facts(ctx: Context) -> dict[str, Any]:
    """Everything the summary states, read once: the comparability rows and the model counts."""
    return {
        "documents": comparability(ctx),
        "kpis": kpi_summary(ctx),
        "tiers": rule_tiers(ctx),
        "flips": rule_flips(ctx),
        "agree_progress": progress_agreements(ctx),
    }
