"""Goal coverage, the data: which SDG goals and targets each city's KPIs measure, which it lists as
priorities, and which priorities no KPI measures. Code-only polars frames read from the models.

Definitions used throughout (the notebook states them too):

* A KPI *covers* a target when the target is printed with the KPI row (view ``kpi_sdg_targets``);
  it covers a goal when it covers one of the goal's targets. KPI rows printed without any SDG target
  cover nothing (they are counted and reported, not dropped silently).
* KPI counts are **distinct indicators** (``indicator_key``): an indicator printed again in another
  table (再掲) counts once per goal. KPI rows including those repeats are counted separately.
* Priority goals and targets come from the view ``priority_targets``.
* ``side`` keeps KPI rows and priority entries of that side only. Tables printed without a side
  (side NULL) and the integrated tables count only with ``side="all"``.
* A city's set of goals (or targets) for the comparisons is the union of what its KPIs cover and
  what its priority list names.
* Targets are in SDG order everywhere: ``sdg_targets.target_rank``, ranked once by the build.

Data functions take a connection and an explicit city list and return polars frames; the whole
computation is done by DuckDB with bound parameters, and every query is linear in the number of
cities. The per-city counts are the model city_sdg_coverage (one row per city and side scope; KPI
rows as printed, 再掲 included), not the city_kpi_summary counts (every side, reprints left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present import marks
from sdgcities.present.notebook import LEVELS, SIDE_CHOICES, check_choice


def check_parameters(side: str, level: str) -> tuple[str, str]:
    """The notebook's own parameters, checked (UnknownValueError names a bad value and the valid ones)."""
    return check_choice("side", side, SIDE_CHOICES), check_choice("level", level, LEVELS)


# Selected cities in parameter order; KPI-target rows and priority entries of those cities on the side.
BASE = """
with sel as (
    select unnest($cities) as city_id, unnest(range(1, len($cities) + 1)) as city_pos
),
trank as (
    select target, goal, target_rank from sdg_targets
),
kt as (
    select t.city_id, t.doc_id, t.kpi_id, t.indicator_key, t.is_repeat, t.sdg_goal, t.sdg_target,
           k.indicator_ja, k.is_redacted, k.section
    from kpi_sdg_targets t
    join kpis k on k.kpi_id = t.kpi_id
    where t.city_id in (select city_id from sel) and ($side = 'all' or t.side = $side)
),
pt as (
    -- The priority list only: targets cited only in the narrative (basis narrative) are shown apart.
    select city_id, doc_id, side, sdg_goal, sdg_target, section, note, basis
    from priority_targets
    where city_id in (select city_id from sel) and ($side = 'all' or side = $side) and basis <> 'narrative'
)
"""

# The item a city "has" at each level (whitelisted: level is checked before it selects a snippet).
ITEMS = {
    "goal": """,
items as (
    select distinct city_id, sdg_goal::varchar as item, sdg_goal, sdg_goal * 1000 as item_rank
    from (select city_id, sdg_goal from kt union all select city_id, sdg_goal from pt)
)
""",
    "target": """,
items as (
    select distinct x.city_id, x.sdg_target as item, x.sdg_goal, r.target_rank as item_rank
    from (select city_id, sdg_goal, sdg_target from kt
          union all select city_id, sdg_goal, sdg_target from pt where sdg_target is not null) x
    join trank r on r.target = x.sdg_target
)
""",
}


def params(cities: Sequence[str], side: str) -> dict[str, Any]:
    check_choice("side", side, SIDE_CHOICES)
    cities = list(cities)
    if not cities:
        raise ValueError("cities is empty")
    return {"cities": cities, "side": side}


def sql(con, query: str, parameters: dict[str, Any]) -> pl.DataFrame:
    return con.sql(query, params=parameters).pl()


def goal_cells(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per (city, goal) for all 17 goals: KPIs covering it and whether it is a priority goal.

    Columns: city_id, city_pos, sdg_goal, n_indicators (distinct indicator_key), n_kpi_rows (KPI rows
    incl. 再掲 repeats), n_repeat_rows, indicator_names (one name per indicator, NULL names of redacted
    indicators left out), n_redacted_indicators, kpi_targets, is_priority, priority_targets.
    """
    query = BASE + """,
ind as (
    select city_id, sdg_goal, indicator_key,
           first(indicator_ja order by is_repeat, kpi_id) as name,
           count(distinct kpi_id) as n_rows,
           count(distinct kpi_id) filter (where is_repeat) as n_repeat_rows
    from kt group by all
),
kg as (
    select city_id, sdg_goal,
           count(*)::integer as n_indicators,
           sum(n_rows)::integer as n_kpi_rows,
           sum(n_repeat_rows)::integer as n_repeat_rows,
           list(name order by name) filter (where name is not null) as indicator_names,
           (count(*) filter (where name is null))::integer as n_redacted_indicators
    from ind group by all
),
ktg as (
    select d.city_id, d.sdg_goal, list(d.sdg_target order by r.target_rank) as kpi_targets
    from (select distinct city_id, sdg_goal, sdg_target from kt) d join trank r on r.target = d.sdg_target
    group by all
),
pg as (
    select d.city_id, d.sdg_goal,
           list(d.sdg_target order by r.target_rank) filter (where d.sdg_target is not null) as priority_targets
    from (select distinct city_id, sdg_goal, sdg_target from pt) d left join trank r on r.target = d.sdg_target
    group by all
)
select s.city_id, s.city_pos::integer as city_pos, g.goal as sdg_goal,
       coalesce(kg.n_indicators, 0) as n_indicators,
       coalesce(kg.n_kpi_rows, 0) as n_kpi_rows,
       coalesce(kg.n_repeat_rows, 0) as n_repeat_rows,
       coalesce(kg.indicator_names, []) as indicator_names,
       coalesce(kg.n_redacted_indicators, 0) as n_redacted_indicators,
       coalesce(ktg.kpi_targets, []) as kpi_targets,
       pg.city_id is not null as is_priority,
       coalesce(pg.priority_targets, []) as priority_targets
from sel s
cross join sdg_goals g
left join kg on kg.city_id = s.city_id and kg.sdg_goal = g.goal
left join ktg on ktg.city_id = s.city_id and ktg.sdg_goal = g.goal
left join pg on pg.city_id = s.city_id and pg.sdg_goal = g.goal
order by s.city_pos, g.goal
"""
    return sql(con, query, params(cities, side))


def city_summary(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per city (in the order given): goals/targets covered by KPIs, priority goals/targets,
    priorities no KPI measures, and KPI rows that print no SDG target: the model city_sdg_coverage
    for the side. A city the database does not hold has zeros.

    n_priority_*_unmeasured is NULL (not 0) for a city that lists no priority on the side.
    """
    frame = sql(con, """
with sel as (
    select unnest($cities) as city_id, unnest(range(1, len($cities) + 1)) as city_pos
)
select s.city_id, c.* exclude (city_id, side_scope)
from sel s
left join city_sdg_coverage c on c.city_id = s.city_id and c.side_scope = $side
order by s.city_pos
""", params(cities, side))
    counts = [c for c in frame.columns if c.startswith("n_") and not c.endswith("_unmeasured")]
    return frame.with_columns(pl.col(counts).fill_null(0))


def unmeasured_priorities(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per city with a priority list on the side: its priority targets, those no KPI of the
    city (on the same side) covers (in SDG order), the priority goals no KPI covers, and whether the
    list was taken from a KPI table (basis kpi_table: then 0 unmeasured is true by construction)."""
    query = BASE + """,
p as (
    select pt.city_id, pt.sdg_goal, pt.sdg_target,
           -- taken from a KPI table: its "measured" status is true by construction
           bool_or(pt.basis = 'kpi_table') as derived,
           min(r.target_rank) as target_rank
    from pt left join trank r on r.target = pt.sdg_target
    group by all
),
pm as (
    select p.*,
           exists (select 1 from kt where kt.city_id = p.city_id and kt.sdg_target = p.sdg_target) as target_measured,
           exists (select 1 from kt where kt.city_id = p.city_id and kt.sdg_goal = p.sdg_goal) as goal_measured
    from p
)
select s.city_id,
       count(distinct pm.sdg_target)::integer as n_priority_targets,
       (count(distinct pm.sdg_target) filter (where not pm.target_measured))::integer as n_unmeasured_targets,
       -- one row per (city, goal, target) in p: the list holds each target once, in SDG order
       coalesce(list(pm.sdg_target order by pm.target_rank)
                filter (where pm.sdg_target is not null and not pm.target_measured), []) as unmeasured_targets,
       count(distinct pm.sdg_goal)::integer as n_priority_goals,
       (count(distinct pm.sdg_goal) filter (where not pm.goal_measured))::integer as n_unmeasured_goals,
       coalesce(list(distinct pm.sdg_goal order by pm.sdg_goal) filter (where not pm.goal_measured), []) as unmeasured_goals,
       (count(*) filter (where pm.derived))::integer as n_entries_derived_from_kpi,
       count(*)::integer as n_entries,
       bool_and(pm.derived) as derived_from_kpi_table
from sel s
join pm on pm.city_id = s.city_id
group by s.city_id, s.city_pos
order by s.city_pos
"""
    return sql(con, query, params(cities, side))


def target_cells(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per (city, target) that the city's KPIs cover or its priority list names (sparse).

    Columns: city_id, city_pos, sdg_target, sdg_goal, target_rank, n_indicators, n_kpi_rows,
    indicator_names, n_redacted_indicators, is_kpi, is_priority.
    """
    query = BASE + """,
ind as (
    select city_id, sdg_target, indicator_key,
           first(indicator_ja order by is_repeat, kpi_id) as name,
           count(distinct kpi_id) as n_rows
    from kt group by all
),
kti as (
    select city_id, sdg_target,
           count(*)::integer as n_indicators, sum(n_rows)::integer as n_kpi_rows,
           list(name order by name) filter (where name is not null) as indicator_names,
           (count(*) filter (where name is null))::integer as n_redacted_indicators
    from ind group by all
),
pti as (select distinct city_id, sdg_target from pt where sdg_target is not null),
cells as (
    select coalesce(kti.city_id, pti.city_id) as city_id, coalesce(kti.sdg_target, pti.sdg_target) as sdg_target,
           coalesce(kti.n_indicators, 0) as n_indicators, coalesce(kti.n_kpi_rows, 0) as n_kpi_rows,
           coalesce(kti.indicator_names, []) as indicator_names,
           coalesce(kti.n_redacted_indicators, 0) as n_redacted_indicators,
           kti.city_id is not null as is_kpi, pti.city_id is not null as is_priority
    from kti full outer join pti on pti.city_id = kti.city_id and pti.sdg_target = kti.sdg_target
)
select c.city_id, s.city_pos::integer as city_pos, c.sdg_target, r.goal as sdg_goal, r.target_rank::integer as target_rank,
       c.n_indicators, c.n_kpi_rows, c.indicator_names, c.n_redacted_indicators, c.is_kpi, c.is_priority
from cells c join sel s using (city_id) join trank r on r.target = c.sdg_target
order by s.city_pos, r.target_rank
"""
    return sql(con, query, params(cities, side))


def provenance(con, cities: Sequence[str], side: str = "all", parts: Sequence[str] = ("kpis", "priorities")) -> pl.DataFrame:
    """The documents and sections (doc_id, section) the coverage figures draw on, for citations."""
    for part in parts:
        check_choice("part", part, ("kpis", "priorities"))
    selects = []
    if "kpis" in parts:
        selects.append("select doc_id, section from kt")
    if "priorities" in parts:
        selects.append("select doc_id, section from pt")
    query = BASE + "select distinct doc_id, section from (" + " union all ".join(selects) + ") order by all"
    return sql(con, query, params(cities, side))


def top_cities(summary: pl.DataFrame, limit: int = marks.MANY_CITIES) -> list[str]:
    """The cities to draw when there are too many: most goals covered by KPIs, then most priority
    goals; ties keep the order given."""
    if summary.height <= limit:
        return summary["city_id"].to_list()
    ranked = summary.with_row_index("pos").sort(
        ["n_goals_kpi", "n_goals_priority", "pos"], descending=[True, True, False]
    )
    kept = set(ranked.head(limit)["city_id"])
    return [c for c in summary["city_id"] if c in kept]
