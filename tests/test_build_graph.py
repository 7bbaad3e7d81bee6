"""The model graph (sql/ models ordered by what they read) and the fingerprint of what the build reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from sdgcities import paths
from sdgcities.build import dbfile, graph
from sdgcities.build import run as build

SOURCES = {f"src_{name}" for name in build.SOURCE_SCHEMAS}


def test_every_model_runs_after_every_model_it_reads():
    order = build.build_steps()
    created: set[str] = set(SOURCES)
    for model in order:
        missing = set(model.reads) - created
        assert not missing, f"{model.file} runs before {missing}"
        created |= set(model.writes)
    files = {m.path.relative_to(REPO / "sql").as_posix() for m in order}
    on_disk = {p.relative_to(REPO / "sql").as_posix() for stage in graph.STAGES for p in (REPO / "sql" / stage).glob("*.*")}
    assert files == on_disk  # every file is a model; nothing is listed by hand
    assert set(build.CONTRACT_VIEWS) <= {m.name for m in order if m.stage == "marts"}


def test_the_order_is_deterministic_stage_then_name():
    first, second = build.build_steps(), build.build_steps()
    assert [m.path for m in first] == [m.path for m in second]
    stages = [graph.STAGES.index(m.stage) for m in first]
    assert stages == sorted(stages)  # no model of the real graph needs a later stage
    staging = [m.name for m in first if m.stage == "staging"]
    assert staging == sorted(staging)  # staging models read only source tables: pure name order


def test_python_models_declare_reads_and_writes():
    by_name = {m.name: m for m in build.build_steps()}
    audit = by_name["int_achievement_audit"]
    assert audit.is_python and audit.kind == "table"
    assert "int_kpi_rule_results" in audit.reads
    assert audit.writes == ("int_achievement_audit", "int_published_rate_checks")
    assert by_name["published_rate_checks"].reads == ("int_published_rate_checks", "kpis")


def test_the_graph_printout_names_every_model(capsys):
    assert build.main(["--graph"]) == 0
    lines = capsys.readouterr().out.splitlines()
    models = [line.split()[0] for line in lines if not line.startswith(" ")]  # wrapped reads are indented
    assert models == [m.file for m in build.build_steps()]
    assert max(len(line) for line in lines) <= 110
    assert "-> int_published_rate_checks" in "\n".join(lines)


def _refused(root: Path) -> str:
    with pytest.raises(build.BuildError) as error:
        build.build(quiet=True)
    assert not (root / "data" / "curated" / "sdgs.duckdb").exists()
    return str(error.value)


def test_a_cycle_is_refused_naming_the_files(workspace):
    model = workspace / "sql" / "intermediate" / "int_kpi_headline_values.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("from stg_kpis", "from kpis", 1), encoding="utf-8")
    assert "from kpis" in model.read_text(encoding="utf-8")
    message = _refused(workspace)
    assert "cycle" in message
    assert "sql/intermediate/int_kpi_headline_values.sql" in message and "sql/marts/kpis.sql" in message


def test_an_unknown_reference_is_refused_naming_the_file(workspace):
    model = workspace / "sql" / "marts" / "kpi_ambition.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("from kpis", "from kpis_typo", 1), encoding="utf-8")
    message = _refused(workspace)
    assert "sql/marts/kpi_ambition.sql" in message and "kpis_typo" in message


def test_a_python_model_sees_only_what_it_declares(workspace):
    model = workspace / "sql" / "intermediate" / "int_kpi_rule_results.py"
    model.write_text(model.read_text(encoding="utf-8").replace(', "int_kpi_headline_values"', ","), encoding="utf-8")
    message = _refused(workspace)
    assert "sql/intermediate/int_kpi_rule_results.py" in message and "int_kpi_headline_values" in message


def test_a_mart_is_a_view_unless_it_declares_itself_a_table(workspace):
    by_name = {m.name: m for m in build.build_steps()}
    assert by_name["documents"].kind == "view" and by_name["kpi_rule_results"].kind == "table"
    assert "-- materialized: table" in by_name["kpi_rule_results"].path.read_text(encoding="utf-8")
    build.build(quiet=True)
    with dbfile.open_read_only(paths.database_path()) as con:
        kinds = dict(con.sql("select table_name, table_type from information_schema.tables").fetchall())
    assert kinds["documents"] == "VIEW" and kinds["kpi_rule_results"] == "BASE TABLE"
    # Staging renames and casts a source table: a view over it, so the file holds each source once. Intermediate
    # models (SQL and Python) are tables.
    for model in by_name.values():
        expected = {"staging": "VIEW", "intermediate": "BASE TABLE"}.get(model.stage)
        if expected:
            assert kinds[model.name] == expected, model.file
    assert kinds["src_kpis"] == "BASE TABLE"
    # Only marts choose; a staging model declaring it is refused, naming the file.
    model = workspace / "sql" / "staging" / "stg_kpis.sql"
    model.write_text("-- materialized: table\n" + model.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(build.BuildError) as error:
        build.build(quiet=True, force=True)
    assert "sql/staging/stg_kpis.sql" in str(error.value) and "materialized" in str(error.value)


def test_a_python_model_without_reads_is_refused(workspace):
    model = workspace / "sql" / "intermediate" / "int_kpi_rule_results.py"
    model.write_text(model.read_text(encoding="utf-8").replace("reads = ", "inputs = "), encoding="utf-8")
    message = _refused(workspace)
    assert "sql/intermediate/int_kpi_rule_results.py" in message and "reads" in message


# ---------------------------------------------------------------- what the up-to-date check hashes


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package that the fingerprint reads instead of the real one (so the test may edit it)."""
    copy = tmp_path / "sdgcities"
    shutil.copytree(paths.package_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "package_dir", lambda: copy)
    return copy


def test_the_fingerprint_covers_only_what_the_build_reads(workspace, package_copy):
    before = build.fingerprint(build.input_files())
    read = {paths.relative(p) for p in build.input_files()}
    assert not [p for p in build.input_files() if {"present", "publish", "access"} & set(p.relative_to(package_copy).parts[:1] if p.is_relative_to(package_copy) else ())]
    assert "sql/intermediate/int_kpi_rule_results.py" in read and "data/curated/data_dictionary.yaml" not in read

    for unread in (package_copy / "present" / "marks.py", package_copy / "publish" / "reports.py",
                   next((package_copy / "present" / "catalogues").rglob("*.yaml")),
                   workspace / "data" / "curated" / "data_dictionary.yaml"):
        unread.write_text(unread.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert build.fingerprint(build.input_files()) == before

    model = workspace / "sql" / "marts" / "kpi_ambition.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    after_sql = build.fingerprint(build.input_files())
    assert after_sql != before

    code = package_copy / "build" / "models" / "progress.py"
    code.write_text(code.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert build.fingerprint(build.input_files()) != after_sql


def test_the_readme_shows_the_current_graph():
    printed = graph.describe(build.build_steps())
    assert printed in (REPO / "README.md").read_text(encoding="utf-8"), (
        "README.md, 'The model graph': paste the output of `python -m sdgcities.build --graph`")
