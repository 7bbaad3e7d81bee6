"""Targets a document cites only in its running text (priority_targets.basis = 'narrative').

They are not part of the priority list, so the coverage counts leave them out; this module shows
them apart, with whether the priority list names them on another side and whether a KPI of the
city measures them.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from sdgcities.present.notebook import SIDE_CHOICES, check_choice


def narrative_targets(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per narrative-only target: city_id, doc_id, side, sdg_goal, sdg_target,
    in_priority_list (the city's priority list names it on some side) and kpi_measured (a KPI of
    the city is mapped to it)."""
    check_choice("side", side, SIDE_CHOICES)
    cities = list(cities)
    if not cities:
        raise ValueError("cities is empty")
    return con.sql(
        """
        select n.city_id, n.doc_id, n.side, n.sdg_goal, n.sdg_target,
               exists (select 1 from priority_targets p
                       where p.city_id = n.city_id and p.sdg_target = n.sdg_target and p.basis <> 'narrative') as in_priority_list,
               exists (select 1 from kpi_sdg_targets k where k.city_id = n.city_id and k.sdg_target = n.sdg_target) as kpi_measured
        from priority_targets n
        where n.basis = 'narrative' and list_contains($cities, n.city_id) and ($side = 'all' or n.side = $side)
        order by n.city_id, n.doc_id, n.printed_order
        """,
        params={"cities": cities, "side": side},
    ).pl()


def narrative_lines(frame: pl.DataFrame) -> list[str]:
    """Deterministic text lines for the checked output, one per city."""
    if frame.height == 0:
        return ["narrative-only targets: none"]
    lines = ["narrative-only targets (not in the priority counts):"]
    for (city,), rows in frame.group_by(["city_id"], maintain_order=True):
        items = ", ".join(
            f"{r['sdg_target']} ({r['side'] or '-'}{'; listed on another side' if r['in_priority_list'] else ''}"
            f"{'; has a KPI' if r['kpi_measured'] else ''})"
            for r in rows.iter_rows(named=True)
        )
        lines.append(f"  {city}: {rows.height}: {items}")
    return lines
