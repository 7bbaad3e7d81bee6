"""Printed checks of the coverage notebook (cells marked NBVAL_CHECK_OUTPUT): deterministic plain
text of codes and numbers, cities sorted by id, at most marks.MANY_CITIES city lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present.marks import MANY_CITIES


def _capped(rows: list[str], total: int) -> list[str]:
    """At most MANY_CITIES per-city lines in a printed check, then how many were left out."""
    if total <= MANY_CITIES:
        return rows
    return rows[:MANY_CITIES] + [f"  ... and {total - MANY_CITIES} more cities"]


def format_goal_counts(summary: pl.DataFrame, side: str) -> str:
    lines = [f"goals covered by KPIs (side={side}):"]
    if summary.height > MANY_CITIES:
        lines.append(
            f"  {summary.height} cities: mean {summary['n_goals_kpi'].mean():.3f} goals, "
            f"min {summary['n_goals_kpi'].min()}, max {summary['n_goals_kpi'].max()}"
        )
    rows = [
        f"  {r['city_id']}: {r['n_goals_kpi']} goals, {r['n_targets_kpi']} targets, "
        f"{r['n_indicators_mapped']} indicators; priority {r['n_goals_priority']} goals / {r['n_targets_priority']} targets"
        for r in summary.sort("city_id").head(MANY_CITIES).iter_rows(named=True)
    ]
    return "\n".join(lines + _capped(rows, summary.height))


def format_sharing(summaries: dict[str, dict[str, Any]], side: str) -> str:
    lines = [f"shared and unique (side={side}; sets = KPI targets + priority list):"]
    for level, s in summaries.items():
        counts = sorted(s["unique_per_city"].items())
        if len(counts) > MANY_CITIES:
            ranked = [cn for cn in sorted(counts, key=lambda cn: (-cn[1], cn[0]))[:MANY_CITIES] if cn[1] > 0]
            per_city = "most: " + (", ".join(f"{c} {n}" for c, n in ranked) or "none")
        else:
            per_city = ", ".join(f"{c} {n}" for c, n in counts)
        if s["n_active"] < 2:
            lines.append(f"  {level}: {s['n_items']} cited by {s['n_active']} cities; no comparison (fewer than 2 cities cite any)")
            continue
        lines.append(
            f"  {level}: {s['n_items']} cited by {s['n_active']} cities; common to all {s['n_all']}, "
            f"shared by some {s['n_some']}, unique to one {s['n_unique']} ({per_city})"
        )
    return "\n".join(lines)


def format_jaccard(pairs: pl.DataFrame, level: str) -> str:
    lines = [f"jaccard ({level} level):"]
    if not pairs.height:
        return "\n".join(lines + ["  no pair (fewer than 2 cities)"])
    rows = []
    for r in pairs.iter_rows(named=True):
        a, b = sorted((r["city_a"], r["city_b"]))
        value = "n/a" if r["jaccard"] is None else f"{r['jaccard']:.3f}"
        rows.append(f"  {a}-{b}: {value} ({r['n_inter']}/{r['n_union']})")
    return "\n".join(lines + sorted(rows))


def format_unmeasured(unmeasured: pl.DataFrame, cities: Sequence[str], side: str) -> str:
    lines = [f"priority targets without a KPI (side={side}):"]
    by_city = {r["city_id"]: r for r in unmeasured.iter_rows(named=True)}
    if len(cities) > MANY_CITIES:
        lines.append(
            f"  {len(cities)} cities: {unmeasured.height} with a priority list, "
            f"{unmeasured.filter(pl.col('n_unmeasured_targets') > 0).height} with unmeasured priority targets, "
            f"{int(unmeasured['n_unmeasured_targets'].sum() or 0)} unmeasured in all"
        )
    for city in sorted(cities)[:MANY_CITIES]:
        r = by_city.get(city)
        if r is None:
            lines.append(f"  {city}: no priority list on this side")
            continue
        derived = " [list taken from KPI table]" if r["derived_from_kpi_table"] else ""
        targets = ", ".join(r["unmeasured_targets"]) or "-"
        goals = ", ".join(str(g) for g in r["unmeasured_goals"]) or "-"
        lines.append(
            f"  {city}: {r['n_unmeasured_targets']} of {r['n_priority_targets']} targets ({targets}); "
            f"goals {r['n_unmeasured_goals']} of {r['n_priority_goals']} ({goals}){derived}"
        )
    if len(cities) > MANY_CITIES:
        lines.append(f"  ... and {len(cities) - MANY_CITIES} more cities")
    return "\n".join(lines)
