"""What the cities share: each city's set of goals or targets (KPIs + priority list), how many
cities cite each item, and the pairwise Jaccard similarity of the sets. Code-only polars frames."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.coverage.data import BASE, ITEMS, params, sql
from sdgcities.present.notebook import LEVELS, check_choice


def city_items(con, cities: Sequence[str], side: str = "all", level: str = "goal") -> pl.DataFrame:
    """The set of each city at a level: one row per (city, goal or target) cited by its KPIs or priorities."""
    check_choice("level", level, LEVELS)
    query = BASE + ITEMS[level] + """
select i.city_id, s.city_pos::integer as city_pos, i.item, i.sdg_goal, i.item_rank::integer as item_rank
from items i join sel s using (city_id)
order by s.city_pos, i.item_rank
"""
    return sql(con, query, params(cities, side))


def item_sharing(con, cities: Sequence[str], side: str = "all", level: str = "goal") -> pl.DataFrame:
    """One row per goal/target cited by any of the cities: how many cities cite it, which, and its class.

    share: "all" (every city that cites anything at this level and side), "some" (more than one, not
    all), "unique" (exactly one city), or "single" when fewer than two cities cite anything (no
    comparison possible).
    """
    check_choice("level", level, LEVELS)
    query = BASE + ITEMS[level] + """,
active as (select count(distinct city_id) as n_active from items)
select i.item, i.sdg_goal, i.item_rank::integer as item_rank, count(*)::integer as n_cities,
       list(i.city_id order by s.city_pos) as cities, any_value(a.n_active)::integer as n_active
from items i join sel s using (city_id) cross join active a
group by i.item, i.sdg_goal, i.item_rank
order by i.item_rank
"""
    frame = sql(con, query, params(cities, side))
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


def jaccard(con, cities: Sequence[str], side: str = "all", level: str = "goal", *,
            limit: int = marks.MANY_CITIES) -> pl.DataFrame:
    """Jaccard similarity |A∩B| / |A∪B| of every pair of cities' sets at the level (a before b in the
    order given). NULL when both sets are empty.

    With more than `limit` cities, only the `limit` cities with the largest sets are paired (ties by
    the order given), so the cost stays linear in the number of cities.
    """
    check_choice("level", level, LEVELS)
    parameters = params(cities, side)
    if len(parameters["cities"]) > limit:
        sizes = sql(con, BASE + ITEMS[level] + """
select s.city_id, s.city_pos, count(i.item) as n from sel s left join items i using (city_id)
group by all order by n desc, s.city_pos limit $limit
""", parameters | {"limit": limit})
        kept = set(sizes["city_id"])
        parameters["cities"] = [c for c in parameters["cities"] if c in kept]
    query = BASE + ITEMS[level] + """,
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
    return sql(con, query, parameters)
