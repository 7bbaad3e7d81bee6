"""The model graph: every file under sql/staging, sql/intermediate and sql/marts is a model, and the build
order follows from what each model reads.

- A SQL model `<stage>/<name>.sql` creates the relation <name>: a view in staging/ (a rename and cast of a
  source table, which the file then holds once), a table in intermediate/, a view in marts/, or a table
  when the mart's file has the line `-- materialized: table`: a mart the reports
  query often and that is costly to recompute at every query). What it reads is every table name its query references (DuckDB's own parser, so CTE
  names, table functions and `extract(year from x)` are not mistaken for tables).
- A Python model `<stage>/<name>.py` declares `reads = (...)` (the relations it queries) and, when it
  creates more than the relation <name>, `writes = (...)`; its `run(con)` writes tables (the logic lives in
  sdgcities.build.models). The runner gives it a connection holding only the relations it declares, so a
  read it forgot to declare fails the build instead of depending on the order by chance.

The order is a topological sort; among models ready at the same time, the earlier stage (staging,
intermediate, marts) and then the name come first, so the same files always give the same order.
"""

from __future__ import annotations

import heapq
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

import duckdb

from sdgcities import paths

STAGES = ("staging", "intermediate", "marts")
# A mart stored as a table: the same relation, name and columns as its view would have.
MATERIALIZED = re.compile(r"^--\s*materialized:\s*(\w+)", re.MULTILINE)


class GraphError(Exception):
    """The models do not form a graph the build can run (an unknown reference, a cycle, a bad model file)."""


@dataclass(frozen=True)
class Model:
    path: Path
    stage: str
    reads: tuple[str, ...]  # relations it reads: source tables (src_*) and other models' relations
    writes: tuple[str, ...]  # relations it creates; the first is its own name
    run: Callable[[duckdb.DuckDBPyConnection], None] | None = None  # Python models only
    materialized: bool = False  # a SQL mart declared `-- materialized: table`

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def file(self) -> str:
        return f"{self.stage}/{self.path.name}"

    @property
    def is_python(self) -> bool:
        return self.path.suffix == ".py"

    @property
    def kind(self) -> str:
        # Staging only renames and casts a source table: as a view it adds no second copy to the file (a quarter
        # of it at 1,741 cities, and of the commit's time). Intermediate models are read by several others: tables.
        if self.is_python or self.materialized or self.stage == "intermediate":
            return "table"
        return "view"


def sql_reads(sql: str) -> tuple[str, ...]:
    """The relations a query reads (without its own CTE names)."""
    return tuple(sorted(duckdb.get_table_names(sql)))


def _load_python(path: Path) -> ModuleType:
    """Execute a model file as a module of its own (not cached in sys.modules, no bytecode beside it)."""
    module = ModuleType(f"sdgcities_model_{path.parent.name}_{path.stem}")
    module.__file__ = str(path)
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    except Exception as error:  # a broken model file is the curator's to fix: name it
        raise GraphError(f"{paths.relative(path)}: the model does not load: {type(error).__name__}: {error}") from error
    return module


def _names(value, path: Path, attribute: str) -> tuple[str, ...]:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v.isidentifier() for v in value):
        hint = " (one name needs a trailing comma: (\"stg_kpis\",))" if isinstance(value, str) else ""
        raise GraphError(f"{paths.relative(path)}: `{attribute}` must be a tuple of relation names{hint}, e.g. {attribute} = (\"stg_kpis\", \"stg_documents\")")
    return value


def read_model(path: Path, stage: str) -> Model:
    if path.suffix == ".sql":
        text = path.read_text(encoding="utf-8")
        try:
            reads = sql_reads(text)
        except duckdb.Error as error:
            raise GraphError(f"{paths.relative(path)}: the query does not parse: {str(error).splitlines()[0]}") from error
        declared = MATERIALIZED.findall(text)
        if declared and (declared != ["table"] or stage != "marts"):
            raise GraphError(f"{paths.relative(path)}: `-- materialized: {declared[0]}` is allowed once, as `-- materialized: table`, "
                             f"in sql/marts/ only (staging models are views and intermediate models tables)")
        return Model(path, stage, reads, (path.stem,), materialized=bool(declared))
    module = _load_python(path)
    reads = _names(getattr(module, "reads", None), path, "reads")
    writes = _names(getattr(module, "writes", (path.stem,)), path, "writes")
    if not writes or writes[0] != path.stem:
        raise GraphError(f"{paths.relative(path)}: `writes` must start with the model's own name {path.stem!r}")
    run = getattr(module, "run", None)
    if not callable(run):
        raise GraphError(f"{paths.relative(path)}: a Python model needs a function run(con) that writes {', '.join(writes)}")
    return Model(path, stage, reads, writes, run)


def models(sql_dir: Path | None = None) -> list[Model]:
    """Every model file, in stage and name order (not yet the build order)."""
    sql_dir = sql_dir or paths.sql_dir()
    found = []
    for stage in STAGES:
        for path in sorted((sql_dir / stage).glob("*")):
            if path.suffix in (".sql", ".py") and path.is_file() and not path.name.startswith(("_", ".")):
                found.append(read_model(path, stage))
    return found


def build_order(sources: set[str], sql_dir: Path | None = None) -> list[Model]:
    """The models in an order where each runs after every model it reads (see the module docstring).

    `sources` are the tables the build loads before any model (src_*). A reference to a relation no
    model creates, two models creating one relation, or a cycle raise GraphError naming the files."""
    found = models(sql_dir)
    creator: dict[str, Model] = {}
    for model in found:
        for relation in model.writes:
            if relation in creator or relation in sources:
                other = paths.relative(creator[relation].path) if relation in creator else "the source tables"
                raise GraphError(f"{paths.relative(model.path)}: creates {relation}, which {other} already creates")
            creator[relation] = model
    needs: dict[str, set[str]] = {}
    for model in found:
        needs[model.name] = set()
        for relation in model.reads:
            if relation in sources:
                continue
            if relation not in creator:
                raise GraphError(
                    f"{paths.relative(model.path)}: reads {relation}, which is neither a source table (src_*) nor a model "
                    f"under sql/{'/, sql/'.join(STAGES)}/")
            if creator[relation] is not model:
                needs[model.name].add(creator[relation].name)
    by_name = {model.name: model for model in found}
    rank = {stage: number for number, stage in enumerate(STAGES)}
    waiting = {name: set(deps) for name, deps in needs.items()}
    readers: dict[str, list[str]] = {name: [] for name in by_name}
    for name, deps in needs.items():
        for dep in deps:
            readers[dep].append(name)
    ready = [(rank[by_name[n].stage], n) for n, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[Model] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(by_name[name])
        for reader in readers[name]:
            waiting[reader].discard(name)
            if not waiting[reader]:
                heapq.heappush(ready, (rank[by_name[reader].stage], reader))
    if len(order) < len(found):
        raise GraphError("the models read each other in a cycle: " + _cycle(waiting, by_name))
    return order


def _cycle(waiting: dict[str, set[str]], by_name: dict[str, Model]) -> str:
    """One cycle among the models left waiting, as file -> file -> ... -> the first file."""
    start = min(name for name, deps in waiting.items() if deps)
    seen: list[str] = []
    name = start
    while name not in seen:
        seen.append(name)
        name = min(waiting[name])
    loop = seen[seen.index(name):] + [name]
    return " -> ".join(paths.relative(by_name[n].path) for n in loop)


def describe(order: list[Model], width: int = 110) -> str:
    """The graph as text, in build order: each model's file, whether it is a table or a view, what it reads
    (wrapped to `width` characters) and the other relations it creates."""
    column = max(len(model.file) for model in order)
    lines = []
    for model in order:
        head = f"{model.file:<{column}}  {model.kind:<5} <- "
        lines += textwrap.wrap(", ".join(sorted(model.reads)), width=max(width, len(head) + 20), break_long_words=False,
                               initial_indent=head, subsequent_indent=" " * len(head), break_on_hyphens=False)
        if len(model.writes) > 1:
            lines.append(" " * (len(head) - 3) + "-> " + ", ".join(model.writes[1:]))
    return "\n".join(lines)


def run_python(model: Model, con: duckdb.DuckDBPyConnection, exported: dict[str, object] | None = None) -> None:
    """Run a Python model on a separate connection holding exactly the relations it declares it reads, then
    copy what it wrote back (it must write exactly its declared relations).

    Each declared relation is exported to Arrow once and registered in the new connection under its own
    name (read in place, not copied into a table there); any other name does not exist there, so a read
    the model forgot to declare fails. `exported` (relation name -> Arrow table), when given, keeps the
    exports and the relations models write for the models that read them later in the same build; a
    relation, once created, never changes."""
    exported = {} if exported is None else exported
    sandbox = duckdb.connect()
    try:
        sandbox.execute("set threads to 1")
        for relation in model.reads:  # names checked by build_order: source tables or model relations
            if relation not in exported:
                exported[relation] = con.sql(f"select * from {relation}").to_arrow_table()
            sandbox.register(relation, exported[relation])
        try:
            model.run(sandbox)
        except duckdb.CatalogException as error:
            raise GraphError(f"{paths.relative(model.path)}: {str(error).splitlines()[0]} (a Python model sees only the relations "
                             f"it declares in `reads`: {', '.join(model.reads)})") from error
        written = {row[0] for row in sandbox.sql("select table_name from information_schema.tables").fetchall()} - set(model.reads)
        if written != set(model.writes):
            raise GraphError(f"{paths.relative(model.path)}: wrote {', '.join(sorted(written)) or 'nothing'}; it declares "
                             f"writes = {model.writes!r}")
        for relation in model.writes:
            exported[relation] = sandbox.sql(f"select * from {relation}").to_arrow_table()
            con.register("incoming", exported[relation])
            con.execute(f"create table {relation} as select * from incoming")
            con.unregister("incoming")
    finally:
        sandbox.close()
