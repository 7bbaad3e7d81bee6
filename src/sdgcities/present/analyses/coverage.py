"""Goal coverage: which SDG goals and targets each city's KPIs measure, which it lists as priorities,
what the cities share, and which priorities no KPI measures.

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

Data functions take a connection and an explicit city list and return polars frames; the whole
computation is done by DuckDB with bound parameters, and every query is linear in the number of
cities (the pairwise similarity is computed among at most ``MAX_CITIES`` cities). Chart functions
take the notebook Context for labels and language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from sdgcities.present import charts
from sdgcities.present.notebook import LEVELS, SIDE_CHOICES, Context, check_choice

# Beyond this many cities charts show the top cities (and aggregates) instead of one row per city.
MAX_CITIES = 12
# At most this many targets in the target matrix (the most widely cited ones).
MAX_TARGETS = 60
# At most this many indicator names in a tooltip.
MAX_NAMES = 8


EMPTY_FILL = "#f2f2f2"
STAR = "★"


def check_parameters(side: str, level: str) -> tuple[str, str]:
    """The notebook's own parameters, checked (UnknownValueError names a bad value and the valid ones)."""
    return check_choice("side", side, SIDE_CHOICES), check_choice("level", level, LEVELS)


# ---------------------------------------------------------------------------------------------
# SQL
# ---------------------------------------------------------------------------------------------

# Selected cities in parameter order; KPI-target rows and priority entries of those cities on the side.
_BASE = """
with sel as (
    select unnest($cities) as city_id, unnest(range(1, len($cities) + 1)) as city_pos
),
trank as (
    select target, goal,
           row_number() over (order by goal, try_cast(split_part(target, '.', 2) as integer) nulls last, target)
               as target_rank
    from sdg_targets
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
),
ks as (
    select city_id, kpi_id, indicator_key, len(sdg_targets) = 0 as no_target, is_redacted,
           n_actual_values > 0 as has_actual
    from kpis
    where city_id in (select city_id from sel) and ($side = 'all' or side = $side)
)
"""

# The item a city "has" at each level (whitelisted: level is checked before it selects a snippet).
_ITEMS = {
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


def _params(cities: Sequence[str], side: str) -> dict[str, Any]:
    check_choice("side", side, SIDE_CHOICES)
    cities = list(cities)
    if not cities:
        raise ValueError("cities is empty")
    return {"cities": cities, "side": side}


def _sql(con, query: str, params: dict[str, Any]) -> pl.DataFrame:
    return con.sql(query, params=params).pl()


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def goal_cells(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per (city, goal) for all 17 goals: KPIs covering it and whether it is a priority goal.

    Columns: city_id, city_pos, sdg_goal, n_indicators (distinct indicator_key), n_kpi_rows (KPI rows
    incl. 再掲 repeats), n_repeat_rows, indicator_names (one name per indicator, NULL names of redacted
    indicators left out), n_redacted_indicators, kpi_targets, is_priority, priority_targets.
    """
    query = _BASE + """,
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
    return _sql(con, query, _params(cities, side))


def city_summary(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per city (in the order given): goals/targets covered by KPIs, priority goals/targets,
    priorities no KPI measures, and KPI rows that print no SDG target.

    n_priority_*_unmeasured is NULL (not 0) for a city that lists no priority on the side.
    """
    query = _BASE + """,
pm as (
    select p.city_id, p.sdg_goal, p.sdg_target,
           case when p.sdg_target is null
                then exists (select 1 from kt where kt.city_id = p.city_id and kt.sdg_goal = p.sdg_goal)
                else exists (select 1 from kt where kt.city_id = p.city_id and kt.sdg_target = p.sdg_target)
           end as is_measured
    from (select distinct city_id, sdg_goal, sdg_target from pt) p
),
pgm as (
    select city_id, sdg_goal, bool_or(is_measured) as goal_measured from (
        select city_id, sdg_goal,
               exists (select 1 from kt where kt.city_id = pm.city_id and kt.sdg_goal = pm.sdg_goal) as is_measured
        from pm) group by all
)
select s.city_id,
       (select count(distinct sdg_goal) from kt where kt.city_id = s.city_id)::integer as n_goals_kpi,
       (select count(distinct sdg_target) from kt where kt.city_id = s.city_id)::integer as n_targets_kpi,
       (select count(distinct indicator_key) from kt where kt.city_id = s.city_id)::integer as n_indicators_mapped,
       (select count(distinct kpi_id) from kt where kt.city_id = s.city_id)::integer as n_kpi_rows_mapped,
       (select count(*) from ks where ks.city_id = s.city_id)::integer as n_kpi_rows_side,
       (select count(*) from ks where ks.city_id = s.city_id and ks.no_target)::integer as n_kpi_rows_no_target,
       (select count(*) from ks where ks.city_id = s.city_id and ks.no_target and ks.indicator_key in
            (select indicator_key from kt where kt.city_id = s.city_id))::integer as n_kpi_rows_no_target_indicator_mapped,
       (select count(*) from ks where ks.city_id = s.city_id and ks.is_redacted)::integer as n_kpi_rows_redacted,
       (select count(*) from ks where ks.city_id = s.city_id and ks.has_actual)::integer as n_kpi_rows_with_actual,
       (select count(distinct indicator_key) from kt where kt.city_id = s.city_id and kt.indicator_ja is null)::integer
           as n_indicators_unnamed,
       (select count(distinct sdg_goal) from pt where pt.city_id = s.city_id)::integer as n_goals_priority,
       (select count(distinct sdg_target) from pt where pt.city_id = s.city_id)::integer as n_targets_priority,
       case when exists (select 1 from pt where pt.city_id = s.city_id) then
           (select count(*) from pgm where pgm.city_id = s.city_id and not goal_measured)::integer
       end as n_priority_goals_unmeasured,
       case when exists (select 1 from pt where pt.city_id = s.city_id and pt.sdg_target is not null) then
           (select count(*) from pm where pm.city_id = s.city_id and pm.sdg_target is not null and not is_measured)::integer
       end as n_priority_targets_unmeasured
from sel s
order by s.city_pos
"""
    return _sql(con, query, _params(cities, side))


def unmeasured_priorities(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per city with a priority list on the side: its priority targets, those no KPI of the
    city (on the same side) covers, the priority goals no KPI covers, and whether the list was taken
    from a KPI table (basis kpi_table: then 0 unmeasured is true by construction)."""
    query = _BASE + """,
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
       coalesce(list(distinct pm.sdg_target order by pm.sdg_target)
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
    frame = _sql(con, query, _params(cities, side))
    # Targets in SDG order (12.2 before 12.10), not text order.
    order = _target_order(con)
    return frame.with_columns(
        pl.col("unmeasured_targets").map_elements(lambda ts: sorted(ts, key=lambda t: order.get(t, 10**6)),
                                                   return_dtype=pl.List(pl.String))
    )


def target_cells(con, cities: Sequence[str], side: str = "all") -> pl.DataFrame:
    """One row per (city, target) that the city's KPIs cover or its priority list names (sparse).

    Columns: city_id, city_pos, sdg_target, sdg_goal, target_rank, n_indicators, n_kpi_rows,
    indicator_names, n_redacted_indicators, is_kpi, is_priority.
    """
    query = _BASE + """,
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
    return _sql(con, query, _params(cities, side))


def city_items(con, cities: Sequence[str], side: str = "all", level: str = "goal") -> pl.DataFrame:
    """The set of each city at a level: one row per (city, goal or target) cited by its KPIs or priorities."""
    check_choice("level", level, LEVELS)
    query = _BASE + _ITEMS[level] + """
select i.city_id, s.city_pos::integer as city_pos, i.item, i.sdg_goal, i.item_rank::integer as item_rank
from items i join sel s using (city_id)
order by s.city_pos, i.item_rank
"""
    return _sql(con, query, _params(cities, side))


def item_sharing(con, cities: Sequence[str], side: str = "all", level: str = "goal") -> pl.DataFrame:
    """One row per goal/target cited by any of the cities: how many cities cite it, which, and its class.

    share: "all" (every city that cites anything at this level and side), "some" (more than one, not
    all), "unique" (exactly one city), or "single" when fewer than two cities cite anything (no
    comparison possible).
    """
    check_choice("level", level, LEVELS)
    query = _BASE + _ITEMS[level] + """,
active as (select count(distinct city_id) as n_active from items)
select i.item, i.sdg_goal, i.item_rank::integer as item_rank, count(*)::integer as n_cities,
       list(i.city_id order by s.city_pos) as cities, any_value(a.n_active)::integer as n_active
from items i join sel s using (city_id) cross join active a
group by i.item, i.sdg_goal, i.item_rank
order by i.item_rank
"""
    frame = _sql(con, query, _params(cities, side))
    return frame.with_columns(
        pl.when(pl.col("n_active") < 2).then(pl.lit("single"))
        .when(pl.col("n_cities") == pl.col("n_active")).then(pl.lit("all"))
        .when(pl.col("n_cities") == 1).then(pl.lit("unique"))
        .otherwise(pl.lit("some")).alias("share")
    )


def sharing_summary(sharing: pl.DataFrame, cities: Sequence[str]) -> dict[str, Any]:
    """Counts from item_sharing: n_items, n_all, n_some, n_unique, n_active cities, unique per city."""
    counts = {k: sharing.filter(pl.col("share") == k).height for k in ("all", "some", "unique", "single")}
    unique = sharing.filter(pl.col("share") == "unique").with_columns(pl.col("cities").list.first().alias("city_id"))
    per_city = {c: 0 for c in cities}
    for city_id, n in unique.group_by("city_id").len().iter_rows():
        per_city[city_id] = n
    return {
        "n_items": sharing.height,
        "n_active": int(sharing["n_active"].max()) if sharing.height else 0,
        "n_all": counts["all"],
        "n_some": counts["some"],
        "n_unique": counts["unique"],
        "n_single": counts["single"],
        "unique_per_city": per_city,
    }


def jaccard(con, cities: Sequence[str], side: str = "all", level: str = "goal", *, limit: int = MAX_CITIES) -> pl.DataFrame:
    """Jaccard similarity |A∩B| / |A∪B| of every pair of cities' sets at the level (a before b in the
    order given). NULL when both sets are empty.

    With more than `limit` cities, only the `limit` cities with the largest sets are paired (ties by
    the order given), so the cost stays linear in the number of cities.
    """
    check_choice("level", level, LEVELS)
    params = _params(cities, side)
    if len(params["cities"]) > limit:
        sizes = _sql(con, _BASE + _ITEMS[level] + """
select s.city_id, s.city_pos, count(i.item) as n from sel s left join items i using (city_id)
group by all order by n desc, s.city_pos limit $limit
""", params | {"limit": limit})
        kept = set(sizes["city_id"])
        params["cities"] = [c for c in params["cities"] if c in kept]
    query = _BASE + _ITEMS[level] + """,
sizes as (
    select s.city_id, s.city_pos, count(i.item) as n from sel s left join items i using (city_id) group by all
),
inter as (
    select a.city_id as city_a, b.city_id as city_b, count(*) as n_inter
    from items a join items b on a.item = b.item and a.city_id <> b.city_id
    group by all
)
select a.city_id as city_a, b.city_id as city_b, a.n::integer as n_a, b.n::integer as n_b,
       coalesce(i.n_inter, 0)::integer as n_inter,
       (a.n + b.n - coalesce(i.n_inter, 0))::integer as n_union,
       case when a.n + b.n - coalesce(i.n_inter, 0) > 0
            then coalesce(i.n_inter, 0) / (a.n + b.n - coalesce(i.n_inter, 0)) end::double as jaccard
from sizes a join sizes b on a.city_pos < b.city_pos
left join inter i on i.city_a = a.city_id and i.city_b = b.city_id
order by a.city_pos, b.city_pos
"""
    return _sql(con, query, params)


def provenance(con, cities: Sequence[str], side: str = "all", parts: Sequence[str] = ("kpis", "priorities")) -> pl.DataFrame:
    """The documents and sections (doc_id, section) the coverage figures draw on, for citations."""
    for part in parts:
        check_choice("part", part, ("kpis", "priorities"))
    selects = []
    if "kpis" in parts:
        selects.append("select doc_id, section from kt")
    if "priorities" in parts:
        selects.append("select doc_id, section from pt")
    query = _BASE + "select distinct doc_id, section from (" + " union all ".join(selects) + ") order by all"
    return _sql(con, query, _params(cities, side))


def _target_order(con) -> dict[str, int]:
    rows = con.sql(
        "select target, row_number() over (order by goal, try_cast(split_part(target, '.', 2) as integer) nulls last, target) "
        "from sdg_targets"
    ).fetchall()
    return {target: rank for target, rank in rows}


def sources(ctx: Context, prov: pl.DataFrame, shown: Sequence[str], limit: int = MAX_CITIES) -> str:
    """The citation of a provenance frame; with more than `limit` documents, those of the shown
    cities (at most `limit`) and how many more there are."""
    docs = prov["doc_id"].unique().to_list()
    if len(docs) <= limit:
        return ctx.source(prov)
    shown_set = set(shown)
    kept = sorted(d for d in docs if ctx.documents.get(d, {}).get("city_id") in shown_set)[:limit]
    text = ctx.source(prov.filter(pl.col("doc_id").is_in(kept)))
    return text + ctx.t(f" ほか{len(docs) - len(kept)}文書", f" and {len(docs) - len(kept)} more documents")


def top_cities(summary: pl.DataFrame, limit: int = MAX_CITIES) -> list[str]:
    """The cities to draw when there are too many: most goals covered by KPIs, then most priority
    goals; ties keep the order given."""
    if summary.height <= limit:
        return summary["city_id"].to_list()
    ranked = summary.with_row_index("pos").sort(
        ["n_goals_kpi", "n_goals_priority", "pos"], descending=[True, True, False]
    )
    kept = set(ranked.head(limit)["city_id"])
    return [c for c in summary["city_id"] if c in kept]


# ---------------------------------------------------------------------------------------------
# Labels and text helpers
# ---------------------------------------------------------------------------------------------


def city_labels(ctx: Context, cities: Sequence[str]) -> dict[str, str]:
    """Display names of the cities, made unique: a name two cities share (府中市 is in Tokyo and in
    Hiroshima) gets its city id appended, so chart axes never merge two cities."""
    names = {c: ctx.city(c) for c in cities}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {c: (f"{n} ({c})" if counts[n] > 1 else n) for c, n in names.items()}


def _text_colour(hex_colour: str, alpha: float = 1.0) -> str:
    """Black or white, whichever reads better on hex_colour drawn with alpha over white."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    mixed = [alpha * c + (1 - alpha) for c in rgb]

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(mixed[0]) + 0.7152 * linear(mixed[1]) + 0.0722 * linear(mixed[2])
    # Contrast with black vs white.
    return "#111111" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _names_text(ctx: Context, names: Any, n_redacted: int) -> str:
    names = [] if names is None else list(names)
    shown = names[:MAX_NAMES]
    parts = shown
    if len(names) > len(shown):
        parts = shown + [ctx.t(f"ほか{len(names) - len(shown)}件", f"and {len(names) - len(shown)} more")]
    if n_redacted:
        parts = parts + [ctx.t(f"名称黒塗り {n_redacted}件", f"{n_redacted} with redacted name")]
    return " / ".join(parts) if parts else "–"


def _join_list(values: Any) -> str:
    values = [] if values is None else list(values)
    return ", ".join(str(v) for v in values) if values else "–"


def level_word(ctx: Context, level: str, *, plural: bool = True) -> str:
    if level == "goal":
        return ctx.t("ゴール", "goals" if plural else "goal")
    return ctx.t("ターゲット", "targets" if plural else "target")


def side_phrase(ctx: Context, side: str) -> str:
    """'all sides' or the side's name (for narrative and titles)."""
    if side == "all":
        return ctx.t("全側面", "all sides")
    return ctx.t(f"{ctx.side(side)}面", f"the {ctx.side(side).lower()} side")


def list_phrase(ctx: Context, items: list[str]) -> str:
    if ctx.lang == "ja":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def _goal_strip(ctx: Context, step: int, orient: str = "x") -> alt.Chart:
    """A row (or column) of the 17 goal colours with their numbers: the matrix header."""
    frame = pl.DataFrame(
        {
            "goal": [str(g) for g in range(1, 18)],
            "name": [ctx.goal(g) for g in range(1, 18)],
            "fill": [charts.SDG_COLOURS[g] for g in range(1, 18)],
        }
    )
    order = [str(g) for g in range(1, 18)]
    position = alt.X("goal:N", sort=order, axis=None, title=None)
    base = alt.Chart(frame)
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        position, alt.Color("fill:N", scale=None), tooltip=[alt.Tooltip("name:N", title=ctx.t("ゴール", "Goal"))]
    )
    text = base.mark_text(color="white", fontWeight="bold", fontSize=13).encode(position, text="goal:N")
    return (rect + text).properties(width=alt.Step(step), height=step * 0.8)


def heatmap_title(ctx: Context, summary: pl.DataFrame, side: str) -> tuple[str, str]:
    """(title, subtitle) stating how many goals each city's KPIs cover."""
    n = summary.height
    if n <= 4:
        parts = [f"{ctx.city(c)} {g}" for c, g in summary.select("city_id", "n_goals_kpi").iter_rows()]
        title = ctx.t(
            f"KPIが測るSDGゴールの数: {'、'.join(parts)}（全17ゴール中）",
            f"Goals measured by KPIs: {', '.join(parts)} (of 17)",
        )
    else:
        mean = summary["n_goals_kpi"].mean()
        best = summary.sort(["n_goals_kpi"], descending=True).row(0, named=True)
        title = ctx.t(
            f"{n}都市のKPIが測るゴールは平均{mean:.1f}（最多: {ctx.city(best['city_id'])} {best['n_goals_kpi']}）",
            f"KPIs of {n} cities measure {mean:.1f} goals on average (most: {ctx.city(best['city_id'])}, {best['n_goals_kpi']})",
        )
    subtitle = ctx.t(
        f"{side_phrase(ctx, side)}。数字 = そのゴールのターゲットに紐づくKPI（指標、再掲は1つと数える）の数、色が濃いほど多い。{STAR} = 優先ゴール（枠のみ = KPIなし）",
        f"{side_phrase(ctx, side).capitalize()}. Number = KPIs (distinct indicators; repeats 再掲 count once) mapped to a target of the goal; "
        f"darker = more. {STAR} = priority goal (outline only: no KPI)",
    )
    return title, subtitle


def goal_heatmap(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.VConcatChart:
    """City × goal matrix: each covered cell in its goal's colour (opacity by number of KPIs), the
    count as text, a star on priority goals; a goal-coloured header. With more than MAX_CITIES
    cities, the MAX_CITIES with most goals covered."""
    shown = top_cities(summary)
    cells = cells.filter(pl.col("city_id").is_in(shown))
    max_n = max(int(cells["n_indicators"].max() or 0), 1)
    label = city_labels(ctx, shown)
    rows = []
    for r in cells.iter_rows(named=True):
        goal = r["sdg_goal"]
        n = r["n_indicators"]
        colour = charts.SDG_COLOURS[goal]
        alpha = 0.35 + 0.65 * (n / max_n) if n else 1.0
        fill = colour if n else EMPTY_FILL
        rows.append(
            {
                "city": label[r["city_id"]],
                "goal": str(goal),
                "goal_name": ctx.goal(goal),
                "fill": fill,
                "stroke": colour if (r["is_priority"] and not n) else "white",
                "alpha": alpha,
                "ink": _text_colour(colour, alpha) if n else "#444444",
                "count": str(n) if n else "",
                "star": STAR if r["is_priority"] else "",
                "n_indicators": n,
                "n_kpi_rows": r["n_kpi_rows"],
                "names": _names_text(ctx, r["indicator_names"], r["n_redacted_indicators"]) if n else "–",
                "kpi_targets": _join_list(r["kpi_targets"]),
                "priority": (ctx.t("優先: ", "priority: ") + _join_list(r["priority_targets"])) if r["is_priority"]
                else ctx.t("優先ゴールでない", "not a priority goal"),
            }
        )
    frame = pl.DataFrame(rows)
    city_order = [label[c] for c in shown]
    goal_order = [str(g) for g in range(1, 18)]
    step = 36
    x = alt.X("goal:N", sort=goal_order, axis=None, title=None)
    y = alt.Y("city:N", sort=city_order, title=None, axis=alt.Axis(labelFontSize=13, ticks=False, domain=False))
    tooltip = [
        alt.Tooltip("city:N", title=ctx.t("都市", "City")),
        alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "Goal")),
        alt.Tooltip("n_indicators:Q", title=ctx.t("KPI（指標）数", "KPIs (indicators)")),
        alt.Tooltip("n_kpi_rows:Q", title=ctx.t("KPI行数（再掲含む）", "KPI rows (incl. repeats)")),
        alt.Tooltip("names:N", title=ctx.t("指標", "Indicators")),
        alt.Tooltip("kpi_targets:N", title=ctx.t("KPIのターゲット", "Targets of the KPIs")),
        alt.Tooltip("priority:N", title=ctx.t("優先ゴール", "Priority")),
    ]
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
        subtitle += ctx.t(
            f"（全{summary.height}都市のうちKPIが測るゴールの多い{len(shown)}都市）",
            f" (the {len(shown)} of {summary.height} cities whose KPIs measure most goals)",
        )
    return alt.vconcat(_goal_strip(ctx, step), matrix, spacing=2).properties(
        title=alt.Title(title, subtitle=subtitle)
    )


def goal_reach_chart(ctx: Context, cells: pl.DataFrame) -> alt.LayerChart:
    """For many cities: per goal, how many cities' KPIs measure it and how many list it as a priority."""
    n_cities = cells["city_id"].n_unique()
    agg = (
        cells.group_by("sdg_goal")
        .agg(
            (pl.col("n_indicators") > 0).sum().alias("n_kpi"),
            pl.col("is_priority").sum().alias("n_priority"),
            ((pl.col("n_indicators") == 0) & pl.col("is_priority")).sum().alias("n_priority_unmeasured"),
        )
        .sort("sdg_goal")
    )
    frame = agg.with_columns(
        pl.col("sdg_goal").cast(pl.String).alias("goal"),
        pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
    )
    goal_order = [str(g) for g in range(1, 18)]
    top_n = int(frame["n_kpi"].max())
    tops = [ctx.goal(g) for g in frame.filter(pl.col("n_kpi") == top_n)["sdg_goal"]]
    title = ctx.t(
        f"最も多くの都市のKPIが測るゴール: {list_phrase(ctx, tops)}（{n_cities}都市中{top_n}都市）",
        f"Goal{'s' if len(tops) > 1 else ''} most cities measure: {list_phrase(ctx, tops)} ({top_n} of {n_cities} cities)",
    )
    base = alt.Chart(frame).encode(alt.X("goal:N", sort=goal_order, title=ctx.t("SDGゴール", "SDG goal")))
    tooltip = [
        alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "Goal")),
        alt.Tooltip("n_kpi:Q", title=ctx.t("KPIで測る都市数", "Cities measuring it")),
        alt.Tooltip("n_priority:Q", title=ctx.t("優先ゴールとする都市数", "Cities with it as priority")),
        alt.Tooltip("n_priority_unmeasured:Q", title=ctx.t("優先だがKPIなし", "Priority without KPI")),
    ]
    bars = base.mark_bar().encode(
        alt.Y("n_kpi:Q", title=ctx.t("都市数", "Cities"), axis=alt.Axis(tickMinStep=1, format="d")),
        alt.Color("goal:N", scale=charts.goal_colour_scale(goal_order), legend=None),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color="#222222", thickness=2, size=26).encode(alt.Y("n_priority:Q"), tooltip=tooltip)
    return (bars + ticks).properties(
        width=alt.Step(30),
        title=alt.Title(title, subtitle=ctx.t("棒 = KPIで測る都市数、横線 = 優先ゴールとする都市数",
                                              "Bar = cities whose KPIs measure the goal; tick = cities listing it as a priority")),
    )


def target_matrix_chart(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.HConcatChart:
    """City × target matrix for every target any of the (shown) cities cites: filled in the goal's
    colour where a KPI measures it, outlined where it is only a priority; a star on priorities."""
    shown = top_cities(summary)
    cells = cells.filter(pl.col("city_id").is_in(shown))
    targets = cells.group_by("sdg_target", "sdg_goal", "target_rank").agg(pl.col("city_id").n_unique().alias("n_cities"))
    note = ""
    if targets.height > MAX_TARGETS:
        targets = targets.sort(["n_cities", "target_rank"], descending=[True, False]).head(MAX_TARGETS)
        note = ctx.t(f"（最も多くの都市が挙げる{MAX_TARGETS}ターゲット）", f" (the {MAX_TARGETS} targets most cities cite)")
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
        colour = charts.SDG_COLOURS[r["sdg_goal"]]
        is_kpi, is_priority = bool(r["is_kpi"]), bool(r["is_priority"])
        if is_kpi and is_priority:
            status = ctx.t("KPIあり・優先", "KPI and priority")
        elif is_kpi:
            status = ctx.t("KPIあり", "KPI only")
        elif is_priority:
            status = ctx.t("優先だがKPIなし", "priority without KPI")
        else:
            status = ctx.t("なし", "none")
        rows.append(
            {
                "city": label[r["city_id"]],
                "target": r["sdg_target"],
                "goal": str(r["sdg_goal"]),
                "goal_name": ctx.goal(r["sdg_goal"]),
                "fill": colour if is_kpi else ("white" if is_priority else EMPTY_FILL),
                "stroke": colour if is_priority and not is_kpi else "white",
                "ink": _text_colour(colour) if is_kpi else "#333333",
                "star": STAR if is_priority else "",
                "status": status,
                "n_indicators": r["n_indicators"] or 0,
                "names": _names_text(ctx, r["indicator_names"], r["n_redacted_indicators"] or 0) if is_kpi else "–",
            }
        )
    frame = pl.DataFrame(rows)
    city_order = [label[c] for c in shown]
    step_y = 17
    y = alt.Y("target:N", sort=target_order, title=None)
    tooltip = [
        alt.Tooltip("city:N", title=ctx.t("都市", "City")),
        alt.Tooltip("target:N", title=ctx.t("ターゲット", "Target")),
        alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "Goal")),
        alt.Tooltip("status:N", title=ctx.t("状態", "Status")),
        alt.Tooltip("n_indicators:Q", title=ctx.t("KPI（指標）数", "KPIs (indicators)")),
        alt.Tooltip("names:N", title=ctx.t("指標", "Indicators")),
    ]
    base = alt.Chart(frame).encode(
        alt.X("city:N", sort=city_order, title=None, axis=alt.Axis(orient="top", labelFontSize=12, ticks=False, domain=False)),
        alt.Y("target:N", sort=target_order, axis=None),
    )
    rect = base.mark_rect(strokeWidth=1.5).encode(
        alt.Color("fill:N", scale=None), alt.Stroke("stroke:N", scale=None), tooltip=tooltip
    )
    star = base.mark_text(fontSize=11).encode(alt.Text("star:N"), alt.Color("ink:N", scale=None), tooltip=tooltip)
    matrix = (rect + star).properties(width=alt.Step(74), height=alt.Step(step_y))
    strip_frame = targets.with_columns(pl.col("sdg_goal").cast(pl.String).alias("goal"))
    strip_frame = strip_frame.with_columns(
        pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
        pl.col("sdg_goal").map_elements(lambda g: charts.SDG_COLOURS[g], return_dtype=pl.String).alias("fill"),
    )
    strip = alt.Chart(strip_frame).mark_rect(stroke="white", strokeWidth=0.5).encode(
        alt.Y("sdg_target:N", sort=target_order, title=None, axis=alt.Axis(labelFontSize=11, ticks=False, domain=False)),
        alt.Color("fill:N", scale=None),
        tooltip=[alt.Tooltip("sdg_target:N", title=ctx.t("ターゲット", "Target")),
                 alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "Goal"))],
    ).properties(width=10, height=alt.Step(step_y))
    n_targets = len(target_order)
    shared = targets.filter(pl.col("n_cities") > 1).height
    if len(shown) == 1:
        measured = cells.filter(pl.col("is_kpi")).height
        title = ctx.t(
            f"{ctx.city(shown[0])}が挙げる{n_targets}ターゲットのうち、KPIが測るのは{measured}",
            f"{ctx.city(shown[0])} cites {n_targets} targets; KPIs measure {measured} of them",
        )
    else:
        title = ctx.t(
            f"{len(shown)}都市が挙げる{n_targets}ターゲットのうち、2都市以上に共通するのは{shared}",
            f"{shared} of the {n_targets} targets the {len(shown)} cities cite are cited by more than one city",
        )
    subtitle = ctx.t(
        f"{side_phrase(ctx, side)}。塗り = KPIが測る（ゴールの色）、枠のみ = 優先だがKPIなし、{STAR} = 優先ターゲット{note}",
        f"{side_phrase(ctx, side).capitalize()}. Filled = measured by a KPI (goal colour); outline only = priority without KPI; "
        f"{STAR} = priority target{note}",
    )
    return alt.hconcat(strip, matrix, spacing=2).properties(title=alt.Title(title, subtitle=subtitle))


def jaccard_chart(ctx: Context, pairs: pl.DataFrame, items: pl.DataFrame, level: str) -> alt.LayerChart:
    """Symmetric matrix of the pairwise Jaccard similarities, with the set size on the diagonal."""
    cities = list(dict.fromkeys(pairs["city_a"].to_list() + pairs["city_b"].to_list()))
    # Parameter order; a city may be in a pair yet cite nothing on this side (Kumamoto's side tables print no targets).
    order = [c for c in ctx.cities if c in cities]
    sizes = dict(items.group_by("city_id").len().iter_rows())
    name = city_labels(ctx, order)
    rows = []
    for r in pairs.iter_rows(named=True):
        for a, b in ((r["city_a"], r["city_b"]), (r["city_b"], r["city_a"])):
            rows.append(
                {
                    "a": name[a],
                    "b": name[b],
                    "jaccard": r["jaccard"],
                    "label": "–" if r["jaccard"] is None else f"{r['jaccard']:.3f}",
                    "detail": f"{r['n_inter']} / {r['n_union']}",
                    "diagonal": False,
                }
            )
    for c in order:
        rows.append({"a": name[c], "b": name[c], "jaccard": None,
                     "label": f"n={sizes.get(c, 0)}", "detail": str(sizes.get(c, 0)), "diagonal": True})
    frame = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String, "jaccard": pl.Float64, "label": pl.String,
                                       "detail": pl.String, "diagonal": pl.Boolean})
    labels = [name[c] for c in order]
    best = pairs.drop_nulls("jaccard").sort(["jaccard"], descending=True)
    if best.height and best["jaccard"][0] == 0:
        title = ctx.t(f"共通する{level_word(ctx, level)}を持つ都市の組はない",
                      f"No pair of cities shares any {level_word(ctx, level, plural=False)}")
    elif best.height:
        top = best.row(0, named=True)
        title = ctx.t(
            f"{level_word(ctx, level)}の重なりが最も大きいのは{ctx.city(top['city_a'])}と{ctx.city(top['city_b'])}（ジャッカード係数 {top['jaccard']:.3f}）",
            f"{ctx.city(top['city_a'])} and {ctx.city(top['city_b'])} overlap most in {level_word(ctx, level)} (Jaccard {top['jaccard']:.3f})",
        )
    else:
        title = ctx.t("比較できる都市の組がない", "No pair of cities to compare")
    size = 92 if len(labels) <= 6 else 56
    base = alt.Chart(frame).encode(
        alt.X("b:N", sort=labels, title=None, axis=alt.Axis(orient="top", ticks=False, domain=False)),
        alt.Y("a:N", sort=labels, title=None, axis=alt.Axis(ticks=False, domain=False)),
    )
    tooltip = [
        alt.Tooltip("a:N", title=ctx.t("都市", "City")),
        alt.Tooltip("b:N", title=ctx.t("都市", "City")),
        alt.Tooltip("label:N", title=ctx.t("ジャッカード係数", "Jaccard")),
        alt.Tooltip("detail:N", title=ctx.t("共通 / 和集合", "shared / union")),
    ]
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        alt.Color(
            "jaccard:Q",
            scale=alt.Scale(scheme="blues", domain=[0, 1]),
            title=ctx.t("ジャッカード係数", "Jaccard"),
            legend=alt.Legend(gradientLength=max(size * 0.6 * len(labels), 90)),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=13).encode(
        alt.Text("label:N"),
        color=alt.condition("datum.jaccard > 0.55", alt.value("white"), alt.value("#222222")),
        tooltip=tooltip,
    )
    return (rect + text).properties(
        width=alt.Step(size),
        height=alt.Step(size * 0.6),
        title=alt.Title(
            title,
            subtitle=ctx.t(
                f"共通する{level_word(ctx, level)}の数 ÷ どちらかが挙げる{level_word(ctx, level)}の数（KPIまたは優先リスト）。対角 = 各都市の数",
                f"{level_word(ctx, level).capitalize()} both cite ÷ {level_word(ctx, level)} either cites (KPIs or priority list). Diagonal: each city's count",
            ),
        ),
    )


def kpis_per_goal_chart(ctx: Context, cells: pl.DataFrame, summary: pl.DataFrame, side: str = "all") -> alt.FacetChart | alt.LayerChart:
    """KPIs per goal per city: full bar = distinct indicators, pale bar behind = KPI rows including
    repeats (再掲). Small multiples, one row per city (the MAX_CITIES with most goals when more)."""
    shown = top_cities(summary)
    name = city_labels(ctx, shown)
    goal_order = [str(g) for g in range(1, 18)]
    frame = (
        cells.filter(pl.col("city_id").is_in(shown) & (pl.col("n_kpi_rows") > 0))
        .with_columns(
            pl.col("sdg_goal").cast(pl.String).alias("goal"),
            pl.col("sdg_goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_name"),
            pl.col("city_id").replace_strict(name, return_dtype=pl.String).alias("city"),
            pl.when(pl.col("n_kpi_rows") == pl.col("n_indicators"))
            .then(pl.col("n_indicators").cast(pl.String))
            .otherwise(pl.format(ctx.t("{}（{}行）", "{} ({} rows)"), "n_indicators", "n_kpi_rows"))
            .alias("label"),
        )
        .select("city", "goal", "goal_name", "n_indicators", "n_kpi_rows", "n_repeat_rows", "label")
    )
    most = cells.filter(pl.col("city_id").is_in(shown)).sort(["n_indicators", "city_pos", "sdg_goal"], descending=[True, False, False])
    if most.height and most["n_indicators"][0] > 0:
        top = most.row(0, named=True)
        title = ctx.t(
            f"1つのゴールに最も多くのKPIを置くのは{ctx.city(top['city_id'])}の{ctx.goal(top['sdg_goal'])}（{top['n_indicators']}指標）",
            f"Most KPIs on one goal: {ctx.city(top['city_id'])}, {ctx.goal(top['sdg_goal'])} "
            f"({top['n_indicators']} indicator{'s' if top['n_indicators'] != 1 else ''})",
        )
    else:
        title = ctx.t("この側面ではSDGターゲットに紐づくKPIがない", "No KPI mapped to an SDG target on this side")
    subtitle = ctx.t(
        f"{side_phrase(ctx, side)}。濃い棒 = 指標の数（再掲は1つ）、薄い棒 = KPI行の数（再掲を含む）",
        f"{side_phrase(ctx, side).capitalize()}. Solid bar = distinct indicators (a repeat counts once); pale bar = KPI rows incl. repeats (再掲)",
    )
    if len(shown) < summary.height:
        subtitle += ctx.t(f"（全{summary.height}都市のうち{len(shown)}都市）", f" ({len(shown)} of {summary.height} cities)")
    tooltip = [
        alt.Tooltip("city:N", title=ctx.t("都市", "City")),
        alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "Goal")),
        alt.Tooltip("n_indicators:Q", title=ctx.t("指標の数", "Indicators")),
        alt.Tooltip("n_kpi_rows:Q", title=ctx.t("KPI行（再掲含む）", "KPI rows (incl. repeats)")),
        alt.Tooltip("n_repeat_rows:Q", title=ctx.t("うち再掲", "of which repeats")),
    ]
    colour = alt.Color("goal:N", scale=charts.goal_colour_scale(goal_order), legend=None)
    x = alt.X("goal:N", sort=goal_order, scale=alt.Scale(domain=goal_order), title=ctx.t("SDGゴール", "SDG goal"))
    max_rows = int(frame["n_kpi_rows"].max() or 1) if frame.height else 1
    y_scale = alt.Scale(domain=[0, max_rows + 0.5], nice=False)
    rows_bar = alt.Chart().mark_bar(opacity=0.35, size=20).encode(
        x, alt.Y("n_kpi_rows:Q", scale=y_scale, title=ctx.t("KPIの数", "KPIs"), axis=alt.Axis(tickMinStep=1, format="d")),
        colour, tooltip=tooltip,
    )
    ind_bar = alt.Chart().mark_bar(size=12).encode(x, alt.Y("n_indicators:Q", scale=y_scale), colour, tooltip=tooltip)
    label = alt.Chart().mark_text(dy=-7, fontSize=11).encode(x, alt.Y("n_kpi_rows:Q", scale=y_scale), alt.Text("label:N"))
    layer = alt.layer(rows_bar, ind_bar, label, data=frame).properties(width=alt.Step(30), height=90)
    if not frame.height:
        # Nothing to draw: a chart holding only the title that says so.
        return alt.Chart(pl.DataFrame({"x": [0]})).mark_text(size=14).encode(text=alt.value("–")).properties(
            width=200, height=40, title=alt.Title(title, subtitle=subtitle)
        )
    city_order = [name[c] for c in shown]
    return layer.facet(
        row=alt.Row("city:N", sort=city_order, title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=13)),
        spacing=8,
    ).properties(title=alt.Title(title, subtitle=subtitle))


# ---------------------------------------------------------------------------------------------
# Tables for display (labels in the notebook's language)
# ---------------------------------------------------------------------------------------------


def summary_table(ctx: Context, summary: pl.DataFrame) -> pl.DataFrame:
    """Per-city counts (the MAX_CITIES cities drawn in the charts when there are more)."""
    summary = summary.filter(pl.col("city_id").is_in(top_cities(summary)))
    return summary.select(
        pl.col("city_id").replace_strict(city_labels(ctx, summary["city_id"].to_list()), return_dtype=pl.String).alias(ctx.t("都市", "City")),
        pl.col("n_goals_kpi").alias(ctx.t("KPIが測るゴール", "Goals measured by KPIs")),
        pl.col("n_targets_kpi").alias(ctx.t("KPIが測るターゲット", "Targets measured by KPIs")),
        pl.col("n_indicators_mapped").alias(ctx.t("ターゲット付きKPI（指標）", "KPIs with a target (indicators)")),
        pl.col("n_kpi_rows_no_target").alias(ctx.t("ターゲットのないKPI行", "KPI rows without target")),
        pl.col("n_goals_priority").alias(ctx.t("優先ゴール", "Priority goals")),
        pl.col("n_targets_priority").alias(ctx.t("優先ターゲット", "Priority targets")),
    )


def target_summary_table(ctx: Context, target_cells_frame: pl.DataFrame, cities: Sequence[str]) -> pl.DataFrame:
    """Compact target-level summary per city (for level=goal): targets by KPI / priority status.
    Pass the cities to show (e.g. top_cities(summary))."""
    agg = target_cells_frame.group_by("city_id").agg(
        pl.len().alias("n"),
        (pl.col("is_kpi") & pl.col("is_priority")).sum().alias("both"),
        (pl.col("is_kpi") & ~pl.col("is_priority")).sum().alias("kpi_only"),
        (~pl.col("is_kpi") & pl.col("is_priority")).sum().alias("priority_only"),
    )
    base = pl.DataFrame({"city_id": list(cities)}).join(agg, on="city_id", how="left").with_columns(
        pl.col("n", "both", "kpi_only", "priority_only").fill_null(0)
    )
    return base.select(
        pl.col("city_id").replace_strict(city_labels(ctx, base["city_id"].to_list()), return_dtype=pl.String).alias(ctx.t("都市", "City")),
        pl.col("n").alias(ctx.t("挙げるターゲット", "Targets cited")),
        pl.col("both").alias(ctx.t("KPIあり・優先", "KPI and priority")),
        pl.col("kpi_only").alias(ctx.t("KPIのみ", "KPI only")),
        pl.col("priority_only").alias(ctx.t("優先だがKPIなし", "Priority without KPI")),
    )


def jaccard_table(ctx: Context, pairs: pl.DataFrame) -> pl.DataFrame:
    name = city_labels(ctx, list(dict.fromkeys(pairs["city_a"].to_list() + pairs["city_b"].to_list())))
    return pairs.select(
        pl.col("city_a").replace_strict(name, return_dtype=pl.String).alias(ctx.t("都市A", "City A")),
        pl.col("city_b").replace_strict(name, return_dtype=pl.String).alias(ctx.t("都市B", "City B")),
        pl.col("n_a").alias("|A|"),
        pl.col("n_b").alias("|B|"),
        pl.col("n_inter").alias("|A∩B|"),
        pl.col("n_union").alias("|A∪B|"),
        pl.col("jaccard").round(3).alias(ctx.t("ジャッカード係数", "Jaccard")),
    )


def sharing_table(ctx: Context, sharing: pl.DataFrame, level: str) -> pl.DataFrame:
    names = {"all": ctx.t("全都市に共通", "common to all"), "some": ctx.t("一部の都市が共有", "shared by some"),
             "unique": ctx.t("1都市のみ", "one city only"), "single": ctx.t("比較不可（1都市）", "no comparison (one city)")}
    label = (lambda i: ctx.goal(int(i))) if level == "goal" else (lambda i: i)
    return sharing.select(
        pl.col("item").map_elements(label, return_dtype=pl.String).alias(level_word(ctx, level, plural=False).capitalize()),
        pl.col("share").replace_strict(names, return_dtype=pl.String).alias(ctx.t("区分", "Class")),
        pl.col("n_cities").alias(ctx.t("都市数", "Cities")),
        pl.col("cities").map_elements(lambda cs: _city_list(ctx, cs), return_dtype=pl.String).alias(ctx.t("都市", "Which")),
    )


def _city_list(ctx: Context, cities: Any, limit: int = 5) -> str:
    cities = list(cities)
    text = ", ".join(ctx.city(c) for c in cities[:limit])
    if len(cities) > limit:
        text += ctx.t(f" ほか{len(cities) - limit}都市", f" and {len(cities) - limit} more")
    return text


def unmeasured_table(ctx: Context, unmeasured: pl.DataFrame) -> pl.DataFrame:
    """Per city with a priority list; with more than MAX_CITIES, those with most unmeasured targets."""
    if unmeasured.height > MAX_CITIES:
        unmeasured = (
            unmeasured.with_row_index("pos")
            .sort(["n_unmeasured_targets", "pos"], descending=[True, False])
            .head(MAX_CITIES)
            .drop("pos")
        )
    return unmeasured.select(
        pl.col("city_id").replace_strict(city_labels(ctx, unmeasured["city_id"].to_list()), return_dtype=pl.String).alias(ctx.t("都市", "City")),
        pl.col("n_priority_targets").alias(ctx.t("優先ターゲット", "Priority targets")),
        pl.col("n_unmeasured_targets").alias(ctx.t("KPIなし", "Without KPI")),
        pl.col("unmeasured_targets").map_elements(_join_list, return_dtype=pl.String).alias(ctx.t("KPIのないターゲット", "Targets without KPI")),
        pl.col("n_priority_goals").alias(ctx.t("優先ゴール", "Priority goals")),
        pl.col("unmeasured_goals").map_elements(lambda gs: ", ".join(ctx.goal(g) for g in gs) if len(gs) else "–",
                                                return_dtype=pl.String).alias(ctx.t("KPIのないゴール", "Goals without KPI")),
        pl.col("derived_from_kpi_table").replace_strict({True: ctx.t("はい", "yes"), False: ctx.t("いいえ", "no")},
                                                        return_dtype=pl.String)
        .alias(ctx.t("KPI表から作成", "Taken from KPI table")),
    )


# ---------------------------------------------------------------------------------------------
# Printed checks (deterministic plain text, cities sorted by id)
# ---------------------------------------------------------------------------------------------


def _capped(rows: list[str], total: int) -> list[str]:
    """At most MAX_CITIES per-city lines in a printed check, then how many were left out."""
    if total <= MAX_CITIES:
        return rows
    return rows[:MAX_CITIES] + [f"  ... and {total - MAX_CITIES} more cities"]


def format_goal_counts(summary: pl.DataFrame, side: str) -> str:
    lines = [f"goals covered by KPIs (side={side}):"]
    if summary.height > MAX_CITIES:
        lines.append(
            f"  {summary.height} cities: mean {summary['n_goals_kpi'].mean():.3f} goals, "
            f"min {summary['n_goals_kpi'].min()}, max {summary['n_goals_kpi'].max()}"
        )
    rows = []
    for r in summary.sort("city_id").head(MAX_CITIES).iter_rows(named=True):
        rows.append(
            f"  {r['city_id']}: {r['n_goals_kpi']} goals, {r['n_targets_kpi']} targets, "
            f"{r['n_indicators_mapped']} indicators; priority {r['n_goals_priority']} goals / {r['n_targets_priority']} targets"
        )
    return "\n".join(lines + _capped(rows, summary.height))


def format_sharing(summaries: dict[str, dict[str, Any]], side: str) -> str:
    lines = [f"shared and unique (side={side}; sets = KPI targets + priority list):"]
    for level, s in summaries.items():
        counts = sorted(s["unique_per_city"].items())
        if len(counts) > MAX_CITIES:
            ranked = [cn for cn in sorted(counts, key=lambda cn: (-cn[1], cn[0]))[:MAX_CITIES] if cn[1] > 0]
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
    if len(cities) > MAX_CITIES:
        lines.append(
            f"  {len(cities)} cities: {unmeasured.height} with a priority list, "
            f"{unmeasured.filter(pl.col('n_unmeasured_targets') > 0).height} with unmeasured priority targets, "
            f"{int(unmeasured['n_unmeasured_targets'].sum() or 0)} unmeasured in all"
        )
    for city in sorted(cities)[:MAX_CITIES]:
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
    if len(cities) > MAX_CITIES:
        lines.append(f"  ... and {len(cities) - MAX_CITIES} more cities")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Narrative pieces (in the notebook's language; every number computed)
# ---------------------------------------------------------------------------------------------

# Up to this many cities are named one by one in narrative text; beyond it, text summarises.
NAMED_CITIES = 6


def cities_phrase(ctx: Context) -> str:
    if len(ctx.cities) <= NAMED_CITIES:
        return list_phrase(ctx, ctx.city_order())
    return ctx.t(f"{len(ctx.cities)}都市", f"{len(ctx.cities)} cities")


def count_phrase(ctx: Context, summary: pl.DataFrame, column: str) -> str:
    """'Kaga 10, Kumamoto 8 and Hiratsuka 8', or 'mean 9.3 (min 0, max 15)' for many cities.
    NULL values are left out and said so."""
    known = summary.drop_nulls(column)
    missing = summary.height - known.height
    if summary.height <= NAMED_CITIES:
        parts = [f"{ctx.city(c)} {v}" for c, v in known.select("city_id", column).iter_rows()]
        text = ctx.t("、".join(parts), list_phrase(ctx, parts)) if parts else "–"
    elif known.height:
        text = ctx.t(
            f"平均{known[column].mean():.1f}（最小{known[column].min()}、最大{known[column].max()}）",
            f"mean {known[column].mean():.1f} (min {known[column].min()}, max {known[column].max()})",
        )
    else:
        text = "–"
    if missing and summary.height > NAMED_CITIES:
        text += ctx.t(f"、{missing}都市は該当なし", f"; {missing} cities have none")
    return text


def data_notes(ctx: Context, summary: pl.DataFrame, side: str) -> str:
    """What the coverage leaves out or cannot show, per city, with computed counts (Markdown)."""
    total = int(summary["n_kpi_rows_side"].sum())
    mapped = int(summary["n_kpi_rows_mapped"].sum())
    lines = [
        ctx.t(
            f"{side_phrase(ctx, side)}のKPI行は{total}行、そのうちSDGターゲットが記載され、カバー状況に数えるのは{mapped}行です。"
            f"カバー状況はKPIに記載されたターゲットだけを使い、基準値・実績値・目標値は使いません。",
            f"There are {total} KPI rows on {side_phrase(ctx, side)}; {mapped} of them print SDG targets and count "
            f"towards coverage. Coverage uses only the targets printed with each KPI, not its baseline, actual or target values.",
        )
    ]
    if summary.height <= NAMED_CITIES:
        for r in summary.iter_rows(named=True):
            n = r["n_kpi_rows_side"]
            same = r["n_kpi_rows_no_target_indicator_mapped"]
            if not n:
                lines.append(f"- {ctx.city(r['city_id'])}: " + ctx.t(f"{side_phrase(ctx, side)}のKPI行はない",
                                                                      f"no KPI row on {side_phrase(ctx, side)}"))
                continue
            parts = [
                ctx.t(f"KPI {n}行のうちターゲットの記載なし{r['n_kpi_rows_no_target']}行（カバー状況に含まれない"
                      + (f"。うち{same}行は同じ指標が別の表でターゲット付きで載っている" if same else "") + "）",
                      f"{r['n_kpi_rows_no_target']} of {n} KPI rows print no SDG target (not in the coverage"
                      + (f"; {same} of them are indicators printed with targets in another table" if same else "") + ")")
            ]
            if r["n_kpi_rows_redacted"]:
                parts.append(ctx.t(
                    f"{r['n_kpi_rows_redacted']}行は指標名・数値が黒塗り（ターゲット番号は残るので数える。名称不明の指標{r['n_indicators_unnamed']}件は各行を別の指標として数える）",
                    f"{r['n_kpi_rows_redacted']} rows are redacted (names and values; their target numbers survive and are counted; "
                    f"the {r['n_indicators_unnamed']} unnamed indicators are counted one per row)",
                ))
            if n and not r["n_kpi_rows_with_actual"]:
                parts.append(ctx.t("実績値を記載する行はない（カバー状況には影響しない）",
                                   "no row prints an actual value (this does not affect coverage)"))
            lines.append(f"- {ctx.city(r['city_id'])}: " + ctx.t("、", "; ").join(parts))
    else:
        no_target = summary.filter(pl.col("n_kpi_rows_no_target") > 0).height
        redacted = summary.filter(pl.col("n_kpi_rows_redacted") > 0).height
        lines.append(ctx.t(
            f"- ターゲットの記載がないKPI行を持つ都市: {no_target} / {summary.height}（その行はカバー状況に含まれない）",
            f"- Cities with KPI rows that print no SDG target: {no_target} of {summary.height} (those rows are not in the coverage)",
        ))
        lines.append(ctx.t(
            f"- 黒塗りのKPI行を持つ都市: {redacted} / {summary.height}（ターゲット番号が残る行は数える）",
            f"- Cities with redacted KPI rows: {redacted} of {summary.height} (rows whose target numbers survive are counted)",
        ))
    return "\n".join(lines)


def sharing_sentence(ctx: Context, s: dict[str, Any], level: str) -> str:
    word = level_word(ctx, level)
    if s["n_active"] < 2:
        return ctx.t(
            f"この条件で{word}を挙げる都市は{s['n_active']}都市だけなので、都市間の比較はできません。",
            f"Only {s['n_active']} cit{'y' if s['n_active'] == 1 else 'ies'} cite{'s' if s['n_active'] == 1 else ''} any {word} here, "
            "so there is nothing to compare.",
        )
    silent = len(s["unique_per_city"]) - s["n_active"]
    text = ctx.t(
        f"{s['n_active']}都市が挙げる{word}は計{s['n_items']}。{s['n_active']}都市すべてに共通するのは{s['n_all']}、"
        f"一部の都市が共有するのは{s['n_some']}、1都市だけが挙げるのは{s['n_unique']}です。",
        f"The {s['n_active']} cities cite {s['n_items']} {word} in all: {s['n_all']} common to all {s['n_active']}, "
        f"{s['n_some']} shared by some, {s['n_unique']} cited by one city only.",
    )
    if silent > 0:
        text += ctx.t(f"（ほかの{silent}都市はこの条件で{word}を挙げていない）",
                      f" ({silent} other cit{'y' if silent == 1 else 'ies'} cite no {word} here.)")
    return text


def unique_sentence(ctx: Context, s: dict[str, Any], level: str) -> str:
    per_city = [(c, n) for c, n in s["unique_per_city"].items()]
    if s["n_active"] < 2:
        return ""
    if len(per_city) <= NAMED_CITIES:
        parts = [f"{ctx.city(c)} {n}" for c, n in per_city]
        return ctx.t(f"1都市だけが挙げる{level_word(ctx, level)}の数: {'、'.join(parts)}。",
                     f"{level_word(ctx, level).capitalize()} only one city cites: {list_phrase(ctx, parts)}.")
    position = {c: i for i, c in enumerate(ctx.cities)}
    top = [cn for cn in sorted(per_city, key=lambda cn: (-cn[1], position.get(cn[0], 0)))[:3] if cn[1] > 0]
    if not top:
        return ctx.t(f"1都市だけが挙げる{level_word(ctx, level)}はない。", f"No {level_word(ctx, level, plural=False)} is cited by one city only.")
    parts = [f"{ctx.city(c)} {n}" for c, n in top]
    return ctx.t(f"1都市だけが挙げる{level_word(ctx, level)}が多い都市: {'、'.join(parts)}。",
                 f"Cities with the most {level_word(ctx, level)} of their own: {list_phrase(ctx, parts)}.")


def unmeasured_notes(ctx: Context, unmeasured: pl.DataFrame, cities: Sequence[str], side: str) -> str:
    """Per city: priority targets/goals no KPI measures, and whether 0 is by construction (Markdown)."""
    by_city = {r["city_id"]: r for r in unmeasured.iter_rows(named=True)}
    lines = []
    if len(cities) <= NAMED_CITIES:
        for city in cities:
            r = by_city.get(city)
            name = ctx.city(city)
            if r is None:
                lines.append(ctx.t(f"- {name}: {side_phrase(ctx, side)}に優先ゴール・ターゲットの記載がない。",
                                   f"- {name}: lists no priority goal or target on {side_phrase(ctx, side)}."))
                continue
            targets = ", ".join(r["unmeasured_targets"])
            goals = list_phrase(ctx, [ctx.goal(g) for g in r["unmeasured_goals"]])
            text = ctx.t(
                f"- {name}: 優先ターゲット{r['n_priority_targets']}のうちKPIがないのは{r['n_unmeasured_targets']}"
                + (f"（{targets}）" if targets else "")
                + f"、優先ゴール{r['n_priority_goals']}のうちKPIがないのは{r['n_unmeasured_goals']}"
                + (f"（{goals}）" if r["n_unmeasured_goals"] else "") + "。",
                f"- {name}: {r['n_unmeasured_targets']} of {r['n_priority_targets']} priority targets have no KPI"
                + (f" ({targets})" if targets else "")
                + f"; {r['n_unmeasured_goals']} of {r['n_priority_goals']} priority goals have none"
                + (f" ({goals})" if r["n_unmeasured_goals"] else "") + ".",
            )
            if r["derived_from_kpi_table"] and r["n_unmeasured_targets"]:
                text += ctx.t(
                    f" この優先リストはKPI表のターゲット欄から作成されたもの（priority_targets.basis）なのに、KPIのないターゲットがある。要確認。",
                    " This priority list was taken from the target column of a KPI table (priority_targets.basis), yet some "
                    "targets have no KPI: check the curation.",
                )
            elif r["derived_from_kpi_table"]:
                text += ctx.t(
                    f" ただしこの優先リスト（{r['n_entries']}件すべて）はKPI表のターゲット欄から作成されたもの"
                    "（priority_targets.basis）なので、KPIのない優先ターゲットが0なのは構造上当然で、測定の網羅性を示すものではない。",
                    f" But this priority list (all {r['n_entries']} entries) was taken from the target column of a KPI table "
                    "(priority_targets.basis), so 0 unmeasured is true by construction, not evidence of complete measurement.",
                )
            elif r["n_entries_derived_from_kpi"]:
                text += ctx.t(
                    f" （{r['n_entries']}件中{r['n_entries_derived_from_kpi']}件はKPI表から作成）",
                    f" ({r['n_entries_derived_from_kpi']} of {r['n_entries']} entries were taken from a KPI table)",
                )
            lines.append(text)
    else:
        listed = unmeasured.height
        with_gap = unmeasured.filter(pl.col("n_unmeasured_targets") > 0).height
        derived = unmeasured.filter(pl.col("derived_from_kpi_table")).height
        lines.append(ctx.t(
            f"- 優先リストがある都市 {listed} / {len(cities)}; KPIのない優先ターゲットがある都市 {with_gap}; "
            f"優先リストがKPI表から作成された都市 {derived}（その0件は構造上）",
            f"- Cities with a priority list: {listed} of {len(cities)}; with priority targets no KPI measures: {with_gap}; "
            f"whose list was taken from a KPI table: {derived} (their 0 is by construction)",
        ))
    return "\n".join(lines)
