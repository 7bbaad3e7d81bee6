"""The build: real data in, validated database out; bad input refused with its location; atomic swaps."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, sha256
from sdgcities.build import run as build
from sdgcities.build.inputs.curated import CuratedDataError
from sdgcities.build.inputs.parsing import strip_whitespace

KUMAMOTO = Path("data/curated/kumamoto_progress_2022")


def edit_cell(root: Path, relative: Path, row: int, column: str, value: str, encoding: str = "utf-8") -> str:
    """Set one cell (row counted from 1, header excluded); return the old value."""
    path = root / relative
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    old = rows[row][header.index(column)]
    rows[row][header.index(column)] = value
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return old


def build_and_refuse(root: Path) -> str:
    """Build over an existing database and return the error; assert the database did not change."""
    database = root / "data" / "curated" / "sdgs.duckdb"
    before = sha256(database)
    with pytest.raises((CuratedDataError, build.BuildError)) as error:
        build.build(quiet=True)
    assert sha256(database) == before
    assert not list(database.parent.glob("sdgs.duckdb.tmp-*"))
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.sql("select count(*) from kpis").fetchall()[0][0] > 0
    return str(error.value)


@pytest.fixture
def built_workspace(workspace):
    build.build(quiet=True)
    return workspace


# ---------------------------------------------------------------- the real database


def test_all_cities_and_documents_are_in_the_views(con):
    assert [r[0] for r in con.sql("select city_id from cities order by 1").fetchall()] == ["hiratsuka", "kaga", "kumamoto"]
    per_city = dict(con.sql("select city_id, count(*) from kpis group by 1").fetchall())
    assert set(per_city) == {"hiratsuka", "kaga", "kumamoto"}
    docs = dict(con.sql("select doc_id, city_id from documents").fetchall())
    assert docs == {
        "kaga_plan_2026": "kaga", "kaga_presentation_2022": "kaga", "kaga_smartcity_2021": "kaga",
        "kumamoto_progress_2022": "kumamoto", "hiratsuka_proposal_2022": "hiratsuka",
    }


def test_contract_views_have_the_required_columns(con):
    required = {
        "cities": ["city_id", "name_ja", "name_en", "prefecture_ja"],
        "documents": ["doc_id", "city_id", "title_ja", "doc_type", "raw_path", "sha256"],
        "kpis": ["kpi_id", "city_id", "doc_id", "section", "side", "synergy_from", "synergy_to", "indicator_ja", "indicator_key",
                 "unit", "sdg_targets", "is_repeat", "direction", "baseline_label", "baseline_year", "baseline_value", "actual_label",
                 "actual_year", "actual_value", "target_label", "target_year", "target_value", "status_text",
                 "published_achievement_pct", "is_redacted", "source_quote"],
        "kpi_observations": ["kpi_id", "kind", "label", "year", "value", "source_quote"],
        "priority_targets": ["city_id", "doc_id", "side", "sdg_goal", "sdg_target", "basis", "source_quote"],
        "stakeholders": ["city_id", "doc_id", "name_ja", "category", "relation", "role_ja", "theme", "event", "event_on",
                         "event_on_label", "is_redacted", "source_quote"],
        "synergies": ["city_id", "doc_id", "from_side", "to_side", "description_ja", "kpi_id"],
        "sdg_goals": ["goal", "name_ja", "name_en", "colour"],
        "sdg_targets": ["target", "goal"],
    }
    for view, columns in required.items():
        present = [r[0] for r in con.sql(f"describe {view}").fetchall()]
        assert [c for c in columns if c not in present] == [], view
    types = dict(con.sql("select column_name, column_type from (describe kpis)").fetchall())
    assert types["sdg_targets"] == "VARCHAR[]"
    assert {types[c] for c in ("baseline_value", "actual_value", "target_value", "published_achievement_pct")} == {"DOUBLE"}
    assert {types[c] for c in ("baseline_year", "actual_year", "target_year")} == {"INTEGER"}


def test_reference_data(con):
    assert con.sql("select count(*) from sdg_goals").fetchall()[0][0] == 17
    assert con.sql("select count(*) from sdg_targets").fetchall()[0][0] == 169
    assert con.sql("select colour from sdg_goals where goal = 13").fetchall()[0][0] == "#3F7E44"
    lettered = {r[0] for r in con.sql("select target from sdg_targets where target similar to '.*\\.[a-z]'").fetchall()}
    assert {"12.b", "7.a", "17.19"} - lettered == {"17.19"} and len(lettered) == 43


@pytest.mark.parametrize("view", ["kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies"])
def test_every_row_quotes_its_source_verbatim(con, view):
    raw = {doc: strip_whitespace((REPO / path).read_text(encoding="utf-8")) for doc, path in con.sql("select doc_id, raw_path from documents").fetchall()}
    rows = con.sql(f"select doc_id, source_quote from {view}").fetchall()
    assert rows, view
    missing = [quote[:40] for doc, quote in rows if strip_whitespace(quote) not in raw[doc]]
    assert missing == []


def test_every_number_of_a_kpi_row_is_printed_in_its_quote(con):
    rows = con.sql("""
        select o.kpi_id, o.value_printed, k.source_quote, o.source_quote
        from kpi_observations o join kpis k using (kpi_id) where o.value_printed is not null
    """).fetchall()
    assert len(rows) > 100
    for kpi_id, printed, row_quote, cell_quote in rows:
        assert strip_whitespace(printed) in strip_whitespace(row_quote), kpi_id
        assert strip_whitespace(printed) in strip_whitespace(cell_quote), kpi_id


def test_redacted_values_are_null_not_zero(con):
    redacted = con.sql("select count(*), count(value) from kpi_observations where is_redacted").fetchall()[0]
    assert redacted[0] > 0 and redacted[1] == 0
    hiratsuka = con.sql("select count(*), count(*) filter (where is_redacted), count(indicator_ja) filter (where is_redacted) from kpis where city_id = 'hiratsuka'").fetchall()[0]
    assert hiratsuka[1] > 0 and hiratsuka[2] == 0


def test_kumamoto_row_values_as_printed(con):
    # Overall table, row 1: 2017年度 40.6 % | 2021年度 29.5 % | 2030年度 50 % | -118%
    row = con.sql("""select baseline_year, baseline_value, actual_year, actual_value, target_year, target_value, published_achievement_pct
                     from kpis where kpi_id = 'kumamoto_progress_2022:overall:01'""").fetchall()[0]
    assert row == (2017, 40.6, 2021, 29.5, 2030, 50.0, -118.0)
    # Row 9 prints its actual as 2019年度 under the 2021 column: the cell's label wins.
    label, year, column = con.sql("""select label, year, column_label from kpi_observations
                                     where kpi_id = 'kumamoto_progress_2022:overall:09' and kind = 'actual'""").fetchall()[0]
    assert (label, year) == ("2019年度", 2019) and "2021" in column
    assert con.sql("select published_achievement_text from kpis where kpi_id = 'kumamoto_progress_2022:overall:09'").fetchall()[0][0] == "達成"


def test_checksums_recorded_match_the_raw_files(con):
    for path, recorded in con.sql("select raw_path, sha256 from documents").fetchall():
        assert sha256(REPO / path) == recorded


def test_the_build_is_deterministic(workspace, tmp_path):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build.build(first, quiet=True)
    build.build(second, quiet=True)
    digests = []
    for path in (first, second):
        with duckdb.connect(str(path), read_only=True) as con:
            views = [r[0] for r in con.sql("select table_name from information_schema.tables order by 1").fetchall()]
            # build_info names each build (build_id, built_at): the rest must match exactly.
            columns = {v: "* exclude (build_id, built_at)" if v == "build_info" else "*" for v in views}
            digests.append({v: con.sql(f"select md5(string_agg(t::varchar, '|' order by t::varchar)) from (select {columns[v]} from {v}) t").fetchall()[0][0] for v in views})
    assert digests[0] == digests[1]
    assert len(digests[0]) >= 9


# ---------------------------------------------------------------- bad input


def test_impossible_sdg_target(built_workspace):
    edit_cell(built_workspace, KUMAMOTO / "kpis.csv", 1, "sdg_targets", "11.2;11.99")
    message = build_and_refuse(built_workspace)
    assert "kumamoto_progress_2022/kpis.csv, row 1 (line 2), column 'sdg_targets', value '11.99'" in message


def test_non_numeric_value_in_a_numeric_column(built_workspace):
    edit_cell(built_workspace, KUMAMOTO / "kpi_observations.csv", 2, "value", "29.5%")
    message = build_and_refuse(built_workspace)
    assert "kpi_observations.csv, row 2" in message and "column 'value', value '29.5%'" in message


def test_unknown_city_id(built_workspace):
    manifest = built_workspace / "data/raw/kumamoto_progress_2022.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("city_id: kumamoto", "city_id: kumamotto"), encoding="utf-8")
    message = build_and_refuse(built_workspace)
    assert "kumamoto_progress_2022.yaml, column 'city_id', value 'kumamotto'" in message and "hiratsuka, kaga, kumamoto" in message


def test_duplicate_id(built_workspace):
    first = edit_cell(built_workspace, KUMAMOTO / "kpis.csv", 1, "kpi_id", "x")
    edit_cell(built_workspace, KUMAMOTO / "kpis.csv", 1, "kpi_id", first)
    second_id = edit_cell(built_workspace, KUMAMOTO / "kpis.csv", 2, "kpi_id", first)
    message = build_and_refuse(built_workspace)
    assert f"kpis.csv, row 2 (line 3), column 'kpi_id', value '{first}': duplicate id: already used at" in message
    assert second_id != first


def test_quote_not_found_in_the_source(built_workspace):
    old = edit_cell(built_workspace, KUMAMOTO / "kpis.csv", 3, "source_quote", "企業立地件数【9.1,9.4】 2017年度 141 件 捏造")
    message = build_and_refuse(built_workspace)
    assert "kpis.csv, row 3 (line 4), column 'source_quote'" in message and "not found verbatim" in message
    assert old


def test_changed_raw_file(built_workspace):
    raw = built_workspace / "data/raw/kumamoto_progress_2022.txt"
    raw.write_text(raw.read_text(encoding="utf-8").replace("-118%", "-117%", 1), encoding="utf-8")
    message = build_and_refuse(built_workspace)
    assert "data/raw/kumamoto_progress_2022.txt" in message and "was changed" in message


def test_csv_saved_as_shift_jis(built_workspace):
    path = built_workspace / KUMAMOTO / "stakeholders.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("shift_jis", errors="replace"))
    message = build_and_refuse(built_workspace)
    assert "kumamoto_progress_2022/stakeholders.csv" in message and "not valid UTF-8" in message and "Shift_JIS" in message
    assert re.search(r"row \d+ \(line \d+\)", message) and "value '" in message


def test_a_missing_raw_document_manifest_is_named(built_workspace):
    (built_workspace / "data/raw/hiratsuka_proposal_2022.yaml").unlink()
    message = build_and_refuse(built_workspace)
    assert "data/curated/hiratsuka_proposal_2022" in message and "no raw document manifest" in message


# ---------------------------------------------------------------- kills


@pytest.mark.parametrize("stage", ["inputs_loaded", "source_tables_written", "models_run", "before_swap"])
def test_a_build_killed_half_way_leaves_the_previous_database(built_workspace, stage):
    database = built_workspace / "data/curated/sdgs.duckdb"
    before = sha256(database)
    env = dict(os.environ, SDGCITIES_ROOT=str(built_workspace), SDGCITIES_PAUSE_AT=stage)
    process = subprocess.Popen([sys.executable, "-m", "sdgcities.build", "--force"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == f"paused at {stage}"
        # The half-built database exists next to the good one; then the build dies without cleaning up.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert sha256(database) == before
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.sql("select count(*) from kpis").fetchall()[0][0] > 0
    # The next build clears what the killed one left and succeeds.
    build.build(quiet=True)
    assert not list(database.parent.glob("sdgs.duckdb.tmp-*"))


# ---------------------------------------------------------------- a fourth city is data only


def test_a_fourth_city_is_data_only(workspace):
    from fourth_city import add_fourth_city
    from sdgcities.access import api

    city = add_fourth_city(workspace)
    counts = build.build(quiet=True)
    assert counts["cities"] == 4 and counts["documents"] == 6
    with api.connect(workspace / "data/curated/sdgs.duckdb") as con:
        assert city in api.valid_cities(con)
        row = con.sql("select baseline_value, target_value, direction from kpis where kpi_id = 'kaku_plan_2024:s4:03'").fetchall()[0]
        assert row == (1250.0, 1000.0, "decrease")
        assert api.stakeholders(con, cities=[city]).height == 2
        assert api.synergies(con, cities=[city])["kpi_id"].to_list() == ["kaku_plan_2024:s4:03"]
