"""Read-only access to the curated database for notebooks and researchers.

    from sdgcities import api
    con = api.connect()                                  # read-only
    api.kpis(con, cities=["kaga"], sides=["environment"])  # a polars DataFrame
    api.kpis(con, goals=[7, 13], frame="pandas")

Every filter is validated first (an unknown city, side or goal raises UnknownValueError naming the
value and listing the valid ones) and bound as a query parameter, never formatted into SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import duckdb

from . import paths

SIDES = ("economy", "society", "environment", "integrated")
GOALS = tuple(range(1, 18))
FRAMES = ("polars", "pandas")


class UnknownValueError(ValueError):
    """A parameter value that is not one of the valid ones."""

    def __init__(self, parameter: str, value: Any, valid: Sequence[Any]):
        self.parameter, self.value, self.valid = parameter, value, tuple(valid)
        super().__init__(f"unknown {parameter} {value!r}; valid {parameter} values: {', '.join(map(str, valid))}")


class DatabaseMissingError(FileNotFoundError):
    pass


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the database read-only (many readers may share it; a rebuild swaps the file atomically)."""
    path = Path(path) if path else paths.database_path()
    if not path.is_file():
        raise DatabaseMissingError(f"{path} does not exist: build it with `make data`")
    return duckdb.connect(str(path), read_only=True)


def _as_list(name: str, values: Iterable[Any] | Any | None) -> list[Any] | None:
    if values is None:
        return None
    if isinstance(values, (str, int)):
        values = [values]
    values = list(values)
    if not values:
        raise ValueError(f"{name} is an empty list: pass None for no filter")
    return values


def valid_cities(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.sql("select city_id from cities order by city_id").fetchall()]


def check_cities(con: duckdb.DuckDBPyConnection, cities: Iterable[str] | str | None) -> list[str] | None:
    """Return the cities as a list, or raise UnknownValueError for one the database does not hold."""
    cities = _as_list("cities", cities)
    if cities is None:
        return None
    known = valid_cities(con)
    for city in cities:
        if city not in known:
            raise UnknownValueError("city", city, known)
    return cities


def check_sides(sides: Iterable[str] | str | None) -> list[str] | None:
    sides = _as_list("sides", sides)
    for side in sides or []:
        if side not in SIDES:
            raise UnknownValueError("side", side, SIDES)
    return sides


def check_goals(goals: Iterable[int] | int | None) -> list[int] | None:
    goals = _as_list("goals", goals)
    checked = []
    for goal in goals or []:
        if isinstance(goal, bool) or not isinstance(goal, int) or goal not in GOALS:
            raise UnknownValueError("goal", goal, GOALS)
        checked.append(goal)
    return checked or None


def _frame(relation: duckdb.DuckDBPyRelation, frame: str):
    if frame == "polars":
        return relation.pl()
    if frame == "pandas":
        return relation.df()
    raise UnknownValueError("frame", frame, FRAMES)


def _select(con, view: str, *, cities=None, sides=None, goals=None, side_column: str | None = "side", goal_sql: str | None = None, order: str, frame: str = "polars"):
    """Query a contract view with validated, bound filters. `view`, `side_column`, `goal_sql` and
    `order` come from this module, never from a caller."""
    if frame not in FRAMES:
        raise UnknownValueError("frame", frame, FRAMES)
    cities, sides, goals = check_cities(con, cities), check_sides(sides), check_goals(goals)
    clauses, params = [], {}
    if cities is not None:
        clauses.append("list_contains($cities, city_id)")
        params["cities"] = cities
    if sides is not None:
        if side_column is None:
            raise ValueError(f"{view} has no side to filter by")
        clauses.append(f"list_contains($sides, {side_column})")
        params["sides"] = sides
    if goals is not None:
        if goal_sql is None:
            raise ValueError(f"{view} has no goal to filter by")
        clauses.append(goal_sql)
        params["goals"] = goals
    where = f"where {' and '.join(clauses)}" if clauses else ""
    return _frame(con.sql(f"select * from {view} {where} order by {order}", params=params or None), frame)


def cities(con, *, frame: Literal["polars", "pandas"] = "polars"):
    return _frame(con.sql("select * from cities order by city_id"), frame)


def documents(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "documents", cities=cities, side_column=None, order="doc_id", frame=frame)


def sdg_goals(con, *, frame: Literal["polars", "pandas"] = "polars"):
    return _frame(con.sql("select * from sdg_goals order by goal"), frame)


def kpis(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """KPI rows; `goals` keeps a KPI mapped to at least one target of those goals."""
    goal_sql = "list_has_any($goals, list_transform(sdg_targets, lambda t: split_part(t, '.', 1)::integer))"
    return _select(con, "kpis", cities=cities, sides=sides, goals=goals, goal_sql=goal_sql, order="kpi_id", frame=frame)


def kpi_observations(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    view = "(select o.*, d.city_id from kpi_observations o join documents d using (doc_id))"
    return _select(con, view, cities=cities, side_column=None, order="kpi_id, printed_order", frame=frame)


def kpi_sdg_targets(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "kpi_sdg_targets", cities=cities, sides=sides, goals=goals, goal_sql="list_contains($goals, sdg_goal)", order="kpi_id, sdg_goal, sdg_target", frame=frame)


def priority_targets(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "priority_targets", cities=cities, sides=sides, goals=goals, goal_sql="list_contains($goals, sdg_goal)", order="doc_id, printed_order", frame=frame)


def stakeholders(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "stakeholders", cities=cities, side_column=None, order="stakeholder_id", frame=frame)


# One row per agreement: the stakeholder rows with event = 'agreement' of a partner, merged across
# documents when they name the same partner on the same date at the precision both print (2018-11
# and 2018-11-19 are one agreement, dated 2018-11-19); different dates stay different agreements.
_AGREEMENTS_SQL = """(
    with dated as (
        select * from stakeholders where event = 'agreement' and relation = 'partner'
    ),
    canonical as (
        select d.*,
               (select max_by(f.event_on, length(f.event_on)) from dated f
                where f.city_id = d.city_id and f.partner_key = d.partner_key and starts_with(f.event_on, d.event_on)) as agreed_on
        from dated d
    )
    select city_id, partner_key, agreed_on,
           first(name_ja order by doc_id, stakeholder_id) filter (where name_ja is not null) as name_ja,
           first(category order by doc_id, stakeholder_id) as category,
           first(theme order by doc_id, stakeholder_id) filter (where theme is not null) as theme,
           list(distinct role_ja order by role_ja) filter (where role_ja is not null) as roles_ja,
           list(distinct event_on_label order by event_on_label) as labels,
           list(distinct doc_id order by doc_id) as doc_ids,
           list(stakeholder_id order by stakeholder_id) as stakeholder_ids,
           bool_or(is_redacted) as is_redacted
    from canonical
    group by city_id, partner_key, agreed_on
)"""


def agreements(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Agreements with partners, each once however many documents print it: the documents and
    stakeholder rows that print it are listed in doc_ids and stakeholder_ids. Foundings,
    selections, adoptions, declarations ... (the other events of the stakeholders view) are not
    agreements and are left out."""
    return _select(con, _AGREEMENTS_SQL, cities=cities, side_column=None, order="city_id, agreed_on, partner_key", frame=frame)


def synergies(con, cities=None, sides=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Directed links; `sides` keeps a link whose origin or destination is one of them."""
    if sides is not None:
        check_sides(sides)
    result = _select(con, "synergies", cities=cities, side_column=None, order="synergy_id", frame="polars")
    if sides is not None:
        wanted = _as_list("sides", sides)
        import polars as pl

        result = result.filter(pl.col("from_side").is_in(wanted) | pl.col("to_side").is_in(wanted))
    return result.to_pandas() if frame == "pandas" else result
