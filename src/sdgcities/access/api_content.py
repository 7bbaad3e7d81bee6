"""Read-only access to the content views: initiatives (and their KPIs), expert comments, city facts
and financing. Same conventions as api.py (validated filters, bound parameters, polars or pandas).

    from sdgcities.access import api
    con = api.connect()
    api.initiatives(con, cities=["kaga"], levels=["project"])   # also importable from api_content
    api.kpis_per_initiative(con, frame="pandas")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sdgcities.access.api import UnknownValueError, _as_list, _frame, _qualified, _select, check_cities, check_frame, check_sides
from sdgcities.build.inputs.curated_content import FINANCING_KINDS, INITIATIVE_LEVELS

Frame = Literal["polars", "pandas"]


def _check_choice(name: str, values: Iterable[str] | str | None, valid: tuple[str, ...]) -> list[str] | None:
    values = _as_list(name, values, item=name.rstrip("s"))
    for value in values or []:
        if value not in valid:
            raise UnknownValueError(name.rstrip("s"), value, valid)
    return values


def initiatives(con, cities=None, sides=None, levels=None, *, frame: Frame = "polars"):
    """Initiatives in printed order; `levels` keeps those of the given levels (strategy, project, ...)."""
    check_frame(frame)
    levels = _check_choice("levels", levels, INITIATIVE_LEVELS)
    if levels is None:
        return _select(con, "initiatives", cities=cities, sides=sides, order="doc_id, printed_order", frame=frame)
    result = _select(con, "initiatives", cities=cities, sides=sides, order="doc_id, printed_order", frame="polars")
    result = result.filter(result["level"].is_in(levels))
    return result.to_pandas() if frame == "pandas" else result


def initiative_kpis(con, cities=None, *, frame: Frame = "polars"):
    """Which KPI belongs to which initiative, with the basis of each link."""
    return _select(con, "initiative_kpis", cities=cities, side_column="initiative_side", order="doc_id, printed_order", frame=frame)


def expert_comments(con, cities=None, *, frame: Frame = "polars"):
    return _select(con, "expert_comments", cities=cities, side_column=None, order="comment_id", frame=frame)


def city_facts(con, cities=None, fact_keys=None, *, frame: Frame = "polars"):
    """Facts about each city as printed; `fact_keys` keeps e.g. ["population", "area"]."""
    check_frame(frame)
    keys = _as_list("fact_keys", fact_keys, item="fact key")
    result = _select(con, "city_facts", cities=cities, side_column=None, order="fact_id", frame="polars")
    if keys is not None:
        all_keys = sorted(r[0] for r in con.sql(f"select distinct fact_key from {_qualified(con, 'city_facts')}").fetchall())
        for key in keys:
            if key not in all_keys:
                raise UnknownValueError("fact_key", key, all_keys)
        result = result.filter(result["fact_key"].is_in(keys))
    return result.to_pandas() if frame == "pandas" else result


def financing(con, cities=None, kinds=None, *, frame: Frame = "polars"):
    check_frame(frame)
    kinds = _check_choice("kinds", kinds, FINANCING_KINDS)
    result = _select(con, "financing", cities=cities, side_column=None, order="financing_id", frame="polars")
    if kinds is not None:
        result = result.filter(result["kind"].is_in(kinds))
    return result.to_pandas() if frame == "pandas" else result


def kpis_per_initiative(con, cities=None, sides=None, *, frame: Frame = "polars"):
    """One row per (city, document, initiative level, side): initiatives, those with at least one
    KPI, and KPI links. Initiatives of any level are counted; a KPI linked to two initiatives counts twice."""
    check_frame(frame)
    cities, sides = check_cities(con, cities), check_sides(sides)
    clauses, params = [], {}
    if cities is not None:
        clauses.append("list_contains($cities, city_id)")
        params["cities"] = cities
    if sides is not None:
        clauses.append("list_contains($sides, side)")
        params["sides"] = sides
    where = f"where {' and '.join(clauses)}" if clauses else ""
    sql = f"""
        select city_id, doc_id, level, coalesce(side, 'none') as side,
               count(*)::integer as n_initiatives,
               count(*) filter (where n_kpis > 0)::integer as n_with_kpis,
               sum(n_kpis)::integer as n_kpi_links
        from {_qualified(con, "initiatives")} {where}
        group by all
        order by city_id, doc_id, level, side
    """
    return _frame(con.sql(sql, params=params or None), frame)
