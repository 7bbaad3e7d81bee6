"""The read-only API under misuse (issue 13 cases 5, 7, 9) and its completeness (issue 10 item 7):
no file access through api.connect(), contract views that a temporary view cannot shadow, read-write
connections of the project's database refused with what to do, parameters type-checked, city names
accepted, the audit and findings accessors."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from sdgcities.access import api
from sdgcities.build import run as build
from sdgcities.present import notebook as nb

ACCESSORS = {
    "cities": lambda c, **k: api.cities(c, **k),
    "sdg_goals": lambda c, **k: api.sdg_goals(c, **k),
    "documents": lambda c, **k: api.documents(c, **k),
    "kpis": lambda c, **k: api.kpis(c, **k),
    "kpi_observations": lambda c, **k: api.kpi_observations(c, **k),
    "kpi_sdg_targets": lambda c, **k: api.kpi_sdg_targets(c, **k),
    "priority_targets": lambda c, **k: api.priority_targets(c, **k),
    "stakeholders": lambda c, **k: api.stakeholders(c, **k),
    "synergies": lambda c, **k: api.synergies(c, **k),
    "achievement_audit": lambda c, **k: api.achievement_audit(c, **k),
    "data_quality_findings": lambda c, **k: api.data_quality_findings(c, **k),
}


# ---------------------------------------------------------------- case 9: files and shadowing


def test_copy_to_and_read_text_are_refused(con, tmp_path):
    target = tmp_path / "leak.csv"
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"copy (select * from kpis) to '{target}'")
    assert not target.exists()
    with pytest.raises(duckdb.PermissionException):
        con.sql("select * from read_text('/etc/hostname')").fetchall()
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"attach '{tmp_path / 'other.duckdb'}' as other")
    # The setting cannot be switched back on.
    with pytest.raises(duckdb.Error, match="locked"):
        con.execute("set enable_external_access = true")


def test_a_temporary_view_does_not_shadow_the_contract_views(built_db):
    with api.connect(built_db) as con:
        real = api.kpis(con).height
        real_cities = api.valid_cities(con)
        con.execute("create temporary view kpis as select * from sdgs.main.kpis limit 1")
        con.execute("create temporary view cities as select 'evil' as city_id, 'x' as name_ja, 'x' as name_en")
        # A plain query sees the temporary view (DuckDB's rule) ...
        assert con.sql("select count(*) from kpis").fetchall()[0][0] == 1
        # ... the API's own queries do not.
        assert api.kpis(con).height == real == 73
        assert api.valid_cities(con) == real_cities == ["hiratsuka", "kaga", "kumamoto"]
        assert api.kpis(con, cities="kaga").height == 25


# ---------------------------------------------------------------- case 5: read-write connections


def test_a_read_write_connection_of_the_project_database_is_refused(built_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SDGCITIES_DB", str(built_db))
    with pytest.raises(api.DatabaseAccessError, match="cp .*my_copy.duckdb") as error:
        api.connect(read_only=False)
    assert "api.connect()" in str(error.value)
    # A copy may be opened read-write through the API.
    copy = tmp_path / "mine.duckdb"
    copy.write_bytes(built_db.read_bytes())
    with api.connect(copy, read_only=False) as mine:
        mine.execute("create table notes as select 1 as x")
        assert mine.sql("select count(*) from notes").fetchall()[0][0] == 1


def test_a_writer_elsewhere_gives_a_message_naming_it(workspace):
    build.build(quiet=True)
    database = workspace / "data/curated/sdgs.duckdb"
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); c.execute('create table mine as select 1 as x'); print('ready', flush=True); time.sleep(120)", str(database)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        with pytest.raises(api.DatabaseAccessError) as error:
            api.connect(database)
        message = str(error.value)
        assert f"PID {writer.pid}" in message and "close" in message.lower() and "copy" in message
    finally:
        writer.kill()
        writer.wait()


# ---------------------------------------------------------------- case 7: parameter types


@pytest.mark.parametrize("name", sorted(ACCESSORS))
def test_every_accessor_refuses_an_unknown_frame(con, name):
    with pytest.raises(api.UnknownValueError, match="'bogus'.*polars, pandas"):
        ACCESSORS[name](con, frame="bogus")
    assert type(ACCESSORS[name](con, frame="pandas")).__name__ == "DataFrame"


@pytest.mark.parametrize("call, error, words", [
    (lambda c: api.kpis(c, goals=7.0), api.ParameterTypeError, ["goals", "float", "7.0"]),
    (lambda c: api.kpis(c, goals=[7, 13.5]), api.ParameterTypeError, ["goals", "float", "13.5"]),
    (lambda c: api.kpis(c, cities={"kaga": 1}), api.ParameterTypeError, ["cities", "dict"]),
    (lambda c: api.kpis(c, cities=[["kaga"]]), api.ParameterTypeError, ["cities", "list"]),
    (lambda c: api.kpis(c, cities=3.5), api.ParameterTypeError, ["cities", "float"]),
    (lambda c: api.kpis(c, cities=[3]), api.ParameterTypeError, ["cities", "int"]),
    (lambda c: api.kpis(c, cities=["kaga"] * 20_000), ValueError, ["20,000", "10,000"]),
    (lambda c: api.kpis(c, goals=list(range(1, 30_000))), ValueError, ["29,999"]),
    (lambda c: api.synergies(c, sides={"economy": 1}), api.ParameterTypeError, ["sides", "dict"]),
    (lambda c: api.kpis(c, goals=True), api.ParameterTypeError, ["goals", "bool"]),
])
def test_wrong_parameter_types_are_named(con, call, error, words):
    with pytest.raises(error) as raised:
        call(con)
    for word in words:
        assert word in str(raised.value)


def test_numpy_integers_and_arrays_are_accepted(con):
    by_int = api.kpis(con, goals=[7, 13])
    assert api.kpis(con, goals=np.int64(7)).height == api.kpis(con, goals=[7]).height > 0
    assert api.kpis(con, goals=np.array([7, 13])).equals(by_int)
    assert api.kpis(con, goals=[np.int32(7), 13]).equals(by_int)
    assert api.kpis(con, cities=pl.Series(["kaga", "kumamoto"])).height == 55


# ---------------------------------------------------------------- issue 10 item 7: names and accessors


@pytest.mark.parametrize("given", ["kaga", "Kaga", "KAGA", "加賀市", " kaga "])
def test_a_city_may_be_named_by_id_japanese_or_english_name(con, given):
    assert api.check_cities(con, [given]) == ["kaga"]
    assert api.kpis(con, cities=given).height == 25


def test_an_unknown_city_name_lists_the_valid_ones(con):
    with pytest.raises(api.UnknownValueError) as error:
        api.kpis(con, cities=["加賀"])
    assert "'加賀'" in str(error.value) and "hiratsuka, kaga, kumamoto" in str(error.value)


def test_achievement_audit_and_findings_accessors(con):
    audit = api.achievement_audit(con)
    assert audit.height == con.sql("select count(*) from achievement_audit").fetchall()[0][0] == 73
    kaga = api.achievement_audit(con, cities="加賀市")
    assert set(kaga["city_id"]) == {"kaga"} and kaga.height == 25
    regressed = con.sql("select count(*) from achievement_audit where city_id = 'kumamoto' and progress_status = 'regress'").fetchall()[0][0]
    assert api.achievement_audit(con, cities="Kumamoto").filter(pl.col("progress_status") == "regress").height == regressed > 0
    findings = api.data_quality_findings(con, cities=["kumamoto"])
    expected = con.sql("select count(*) from data_quality_findings where city_id = 'kumamoto'").fetchall()[0][0]
    assert findings.height == expected > 0 and set(findings["city_id"]) == {"kumamoto"}
    assert api.data_quality_findings(con).height == con.sql("select count(*) from data_quality_findings").fetchall()[0][0] == 88
    assert api.data_quality_findings(con)["finding_id"].is_sorted()


# ---------------------------------------------------------------- case 3: duplicate cities


def test_duplicate_cities_are_counted_once_with_a_note(built_db):
    with pytest.warns(nb.DuplicateParameterWarning, match="more than once"):
        ctx = nb.setup(cities=["kaga", "kaga", "kumamoto"], database=built_db)
    assert ctx.cities == ["kaga", "kumamoto"]
    assert api.kpis(ctx.con, cities=ctx.cities).height == 55
    # Names and ids of the same city are the same city.
    with pytest.warns(nb.DuplicateParameterWarning):
        assert nb.setup(cities=["kaga", "加賀市", "Kaga"], database=built_db).cities == ["kaga"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nb.setup(cities=["kumamoto", "kaga"], database=built_db).cities == ["kumamoto", "kaga"]


def test_duplicate_cities_do_not_change_the_coverage_numbers(built_db):
    from sdgcities.present.analyses import coverage

    given = ["kaga", "kaga", "kumamoto"]
    with pytest.warns(nb.DuplicateParameterWarning):
        ctx = nb.setup(cities=given, database=built_db)
    # Before: the analyses got the list as given, compared Kaga with itself and found nothing unique to it.
    raw_pairs = coverage.jaccard(ctx.con, given, "all", "target")
    assert ("kaga", "kaga", 0.0) in raw_pairs.select("city_a", "city_b", "jaccard").rows()
    assert coverage.sharing_summary(coverage.item_sharing(ctx.con, given, "all", "target"), given)["unique_per_city"]["kaga"] == 0
    # After: setup hands every notebook the cities once each.
    pairs = coverage.jaccard(ctx.con, ctx.cities, "all", "target")
    assert pairs.select("city_a", "city_b", "n_inter", "n_union").rows() == [("kaga", "kumamoto", 3, 33)]
    assert pairs["jaccard"].to_list() == [pytest.approx(3 / 33)]
    summary = coverage.sharing_summary(coverage.item_sharing(ctx.con, ctx.cities, "all", "target"), ctx.cities)
    assert summary["unique_per_city"] == {"kaga": 10, "kumamoto": 20}
    assert coverage.city_summary(ctx.con, ctx.cities, "all").height == 2


def test_notebook_parameters_of_the_wrong_type_are_named(built_db):
    with pytest.raises(api.UnknownValueError, match="lang"):
        nb.setup(cities=None, lang=["ja"], database=built_db)
    with pytest.raises(api.ParameterTypeError, match="dict"):
        nb.setup(cities={"kaga": True}, database=built_db)
