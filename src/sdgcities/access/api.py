"""Read-only access to the curated database for notebooks and researchers.

    from sdgcities.access import api
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

from sdgcities.build import dbfile
from sdgcities import paths

SIDES = ("economy", "society", "environment", "integrated")
GOALS = tuple(range(1, 18))
FRAMES = ("polars", "pandas")
MAX_VALUES = 10_000  # longer filter lists are refused (a mistake, not a query)
SHOWN_VALID = 40  # an error lists at most this many valid values


class UnknownValueError(ValueError):
    """A parameter value that is not one of the valid ones."""

    def __init__(self, parameter: str, value: Any, valid: Sequence[Any]):
        self.parameter, self.value, self.valid = parameter, value, tuple(valid)
        listed = ", ".join(map(str, self.valid[:SHOWN_VALID])) + (f" and {len(self.valid) - SHOWN_VALID} more" if len(self.valid) > SHOWN_VALID else "")
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        super().__init__(f"unknown {parameter} {shown}; valid {parameter} values: {listed}")


class ParameterTypeError(TypeError):
    """A parameter of the wrong type (a float goal, a dict of cities ...)."""


class DatabaseMissingError(FileNotFoundError):
    pass


class DatabaseAccessError(RuntimeError):
    """The project's database cannot be opened as asked; the message says what to do instead."""


def connect(path: Path | str | None = None, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database read-only, with no access to other files (no COPY TO, read_text, ATTACH).

    Many readers may share it and a rebuild swaps the file atomically under them. A read-write
    connection of the project's database is refused (a rebuild would discard its writes, and while
    it is open nobody else can read): copy the file and write to the copy. Another path may be
    opened read-write (read_only=False), without the file restrictions.
    """
    path = Path(path) if path else paths.database_path()
    if not path.is_file():
        raise DatabaseMissingError(f"{path} does not exist: build it with `make data`")
    if not read_only:
        if path.resolve() == paths.database_path().resolve():
            raise DatabaseAccessError(
                f"{paths.relative(path)} is rebuilt by `make data` and is read-only for its readers: writes to it would be "
                f"lost at the next rebuild and would lock out every other reader. Copy it (cp {paths.relative(path)} "
                "my_copy.duckdb) and open the copy read-write with duckdb.connect('my_copy.duckdb'), or read it with api.connect()."
            )
        return duckdb.connect(str(path))
    try:
        return dbfile.open_read_only(path)
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            from sdgcities.build.dbfile import _pid_in

            holder = f"PID {_pid_in(text)}" if _pid_in(text) else "another process"
            raise DatabaseAccessError(
                f"{path} is held open read-write by {holder}, so it cannot be read until that connection is closed. "
                "Close it (con.close(), or stop that kernel/process); to keep tables of your own, copy the database and "
                "write to the copy. sdgcities.access.api.connect() only ever reads."
            ) from error
        if "WAL" in text:
            raise DatabaseAccessError(
                f"{path} has a stale {path.name}.wal (left by a read-write connection that was killed): run `make data`, "
                f"which sets it aside with the database it belongs to and rebuilds. ({text.splitlines()[0]})"
            ) from error
        raise


def marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The relations researchers read (the marts of the model graph), by name: every relation of the
    database but the build's own (src_*, stg_*, int_* and build_info). Most are views; the ones the
    reports query most are stored as tables, with the same names and columns."""
    rows = con.sql(
        "select table_name from information_schema.tables where table_schema = 'main' and table_catalog = current_database() "
        "and not regexp_matches(table_name, '^(src|stg|int)_') and table_name <> 'build_info' order by 1").fetchall()
    return [row[0] for row in rows]


def build_id(con: duckdb.DuckDBPyConnection) -> str:
    """The id of the build this connection reads (one per `make data`; see build_info)."""
    return con.sql(f"select build_id from {_qualified(con, 'build_info')}").fetchall()[0][0]


def _qualified(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """`name` (from this module's whitelists) qualified with the database file's catalog, so that a
    temporary view of the same name cannot shadow the contract view in the API's own queries."""
    rows = con.sql("select database_name from duckdb_databases() where not internal and path is not null order by database_oid limit 1").fetchall()
    if not rows:
        return name
    catalog = rows[0][0].replace('"', '""')
    return f'"{catalog}".main.{name}'


def _as_list(name: str, values: Iterable[Any] | Any | None, *, item: str) -> list[Any] | None:
    """None, one value or a list/tuple/set of values, as a list without repeats (order kept)."""
    if values is None:
        return None
    if isinstance(values, (str, int)) or _is_integer(values):
        values = [values]
    elif isinstance(values, (dict, bytes)) or not isinstance(values, (list, tuple, set, frozenset)) and not _is_array(values):
        raise ParameterTypeError(f"{name} must be one {item} or a list of them, not {type(values).__name__} {_short(values)}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} is an empty list: pass None for no filter")
    if len(values) > MAX_VALUES:
        raise ValueError(f"{name} holds {len(values):,} values, more than the {MAX_VALUES:,} accepted: pass None for no filter")
    return list(dict.fromkeys(_hashable(name, v, item) for v in values))


def _is_integer(value: Any) -> bool:
    import numbers

    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_array(value: Any) -> bool:
    """A numpy array or a pandas/polars Series: accepted as a list."""
    return type(value).__name__ in ("ndarray", "Series") and hasattr(value, "__iter__")


def _hashable(name: str, value: Any, item: str) -> Any:
    if isinstance(value, (list, dict, set, tuple, bytes)) or value is None:
        raise ParameterTypeError(f"{name}: each value must be a {item}, not {type(value).__name__} {_short(value)}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def valid_cities(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.sql(f"select city_id from {_qualified(con, 'cities')} order by city_id").fetchall()]


def city_lookup(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every accepted way to name a city -> the city ids it names: the id, the Japanese name and the
    English name (ids and English names in any case; Japanese compared after NFKC folding)."""
    import unicodedata

    lookup: dict[str, list[str]] = {}
    for city_id, name_ja, name_en in con.sql(f"select city_id, name_ja, name_en from {_qualified(con, 'cities')} order by city_id").fetchall():
        for key in {city_id, name_ja, name_en} - {None}:
            folded = unicodedata.normalize("NFKC", key).strip().casefold()
            ids = lookup.setdefault(folded, [])
            if city_id not in ids:
                ids.append(city_id)
    return lookup


def check_cities(con: duckdb.DuckDBPyConnection, cities: Iterable[str] | str | None) -> list[str] | None:
    """The cities as a list of ids without repeats, or UnknownValueError for one the database does
    not hold. A city may be named by its id, Japanese name or English name (`kaga`, `加賀市`, `Kaga`)."""
    import unicodedata

    cities = _as_list("cities", cities, item="city id or name")
    if cities is None:
        return None
    lookup, known = city_lookup(con), valid_cities(con)
    ids = []
    for city in cities:
        if not isinstance(city, str):
            raise ParameterTypeError(f"cities: each value must be a city id or name (text), not {type(city).__name__} {_short(city)}")
        found = lookup.get(unicodedata.normalize("NFKC", city).strip().casefold(), [])
        if not found:
            raise UnknownValueError("city", city, known)
        if len(found) > 1:
            raise UnknownValueError("city", city, found)  # a name two cities share: the ids tell them apart
        ids.append(found[0])
    return list(dict.fromkeys(ids))


def check_sides(sides: Iterable[str] | str | None) -> list[str] | None:
    sides = _as_list("sides", sides, item="side")
    for side in sides or []:
        if side not in SIDES:
            raise UnknownValueError("side", side, SIDES)
    return sides


def check_goals(goals: Iterable[int] | int | None) -> list[int] | None:
    goals = _as_list("goals", goals, item="goal number (1-17)")
    checked = []
    for goal in goals or []:
        if not _is_integer(goal):
            raise ParameterTypeError(f"goals must be whole numbers 1-17, not {type(goal).__name__} {_short(goal)}")
        if int(goal) not in GOALS:
            raise UnknownValueError("goal", goal, GOALS)
        checked.append(int(goal))
    return list(dict.fromkeys(checked)) or None


def check_frame(frame: Any) -> str:
    if not isinstance(frame, str) or frame not in FRAMES:
        raise UnknownValueError("frame", frame, FRAMES)
    return frame


def _frame(relation: duckdb.DuckDBPyRelation, frame: str):
    if check_frame(frame) == "polars":
        return relation.pl()
    return relation.df()


def _select(con, view: str, *, cities=None, sides=None, goals=None, side_column: str | None = "side", goal_sql: str | None = None, order: str, frame: str = "polars"):
    """Query a contract view with validated, bound filters. `view`, `side_column`, `goal_sql` and
    `order` come from this module, never from a caller; `view` is a contract view name (qualified
    here) or a subquery that qualifies its own names."""
    check_frame(frame)
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
    source = _qualified(con, view) if view.isidentifier() else view
    return _frame(con.sql(f"select * from {source} {where} order by {order}", params=params or None), frame)


def cities(con, *, frame: Literal["polars", "pandas"] = "polars"):
    check_frame(frame)
    return _frame(con.sql(f"select * from {_qualified(con, 'cities')} order by city_id"), frame)


def documents(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "documents", cities=cities, side_column=None, order="doc_id", frame=frame)


def sdg_goals(con, *, frame: Literal["polars", "pandas"] = "polars"):
    check_frame(frame)
    return _frame(con.sql(f"select * from {_qualified(con, 'sdg_goals')} order by goal"), frame)


def kpis(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """KPI rows; `goals` keeps a KPI mapped to at least one target of those goals."""
    goal_sql = "list_has_any($goals, list_transform(sdg_targets, lambda t: split_part(t, '.', 1)::integer))"
    return _select(con, "kpis", cities=cities, sides=sides, goals=goals, goal_sql=goal_sql, order="kpi_id", frame=frame)


def kpi_observations(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    view = f"(select o.*, d.city_id from {_qualified(con, 'kpi_observations')} o join {_qualified(con, 'documents')} d using (doc_id))"
    return _select(con, view, cities=cities, side_column=None, order="kpi_id, printed_order", frame=frame)


def kpi_sdg_targets(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "kpi_sdg_targets", cities=cities, sides=sides, goals=goals, goal_sql="list_contains($goals, sdg_goal)", order="kpi_id, sdg_goal, sdg_target", frame=frame)


def priority_targets(con, cities=None, sides=None, goals=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "priority_targets", cities=cities, sides=sides, goals=goals, goal_sql="list_contains($goals, sdg_goal)", order="doc_id, printed_order", frame=frame)


def stakeholders(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    return _select(con, "stakeholders", cities=cities, side_column=None, order="stakeholder_id", frame=frame)


def agreements(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Agreements with partners, each once however many documents print it: the documents and
    stakeholder rows that print it are listed in doc_ids and stakeholder_ids. Foundings,
    selections, adoptions, declarations ... (the other events of the stakeholders view) are not
    agreements and are left out. The build merges them (mart agreements): a partner's 2018-11 in one
    document and 2018-11-19 in another are one agreement, dated 2018-11-19; first_role_ja is the role
    as the first document (in document order) prints it."""
    return _select(con, "agreements", cities=cities, side_column=None, order="city_id, agreed_on, partner_key", frame=frame)


def synergies(con, cities=None, sides=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Directed links; `sides` keeps a link whose origin or destination is one of them."""
    check_frame(frame)
    wanted = check_sides(sides)
    result = _select(con, "synergies", cities=cities, side_column=None, order="synergy_id", frame="polars")
    if wanted is not None:
        import polars as pl

        result = result.filter(pl.col("from_side").is_in(wanted) | pl.col("to_side").is_in(wanted))
    return result.to_pandas() if frame == "pandas" else result


def achievement_audit(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Per KPI row: the published 達成度 against four recomputed progress rules, their status bands
    (progress_status 'regress' and the others) and which rule reproduces the published figure."""
    return _select(con, "achievement_audit", cities=cities, side_column=None, order="kpi_id", frame=frame)


def data_quality_findings(con, cities=None, *, frame: Literal["polars", "pandas"] = "polars"):
    """Inconsistencies found in the documents (one row each, with the quotes that show them)."""
    return _select(con, "data_quality_findings", cities=cities, side_column=None, order="finding_id", frame=frame)


# The content views' accessors live in api_content (this module's size); researchers reach them here
# too. Looked up on first use, so that either module can be imported first.
_CONTENT_ACCESSORS = ("city_facts", "expert_comments", "financing", "initiative_kpis", "initiatives", "kpis_per_initiative")


def __getattr__(name: str) -> Any:
    if name in _CONTENT_ACCESSORS:
        from sdgcities.access import api_content

        return getattr(api_content, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
