"""The validator checks meaning, not substrings: every mistake of issue 8's list is refused with its
file, row, column and value, and the previous database is kept."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import copy_inputs, sha256
from test_build import KUMAMOTO, build_and_refuse, edit_cell
from sdgcities.build import run as build
from sdgcities.build.inputs.curated import CuratedDataError, load_inputs
from sdgcities.build.inputs.printed import number_tokens, parse_date_label, target_tokens

KAGA_PLAN = Path("data/curated/kaga_plan_2026")
KAGA_PRESENTATION = Path("data/curated/kaga_presentation_2022")


@pytest.fixture(scope="module")
def built_template(tmp_path_factory):
    """A copy of the inputs with its database built once; each test below works on a copy of it."""
    root = copy_inputs(tmp_path_factory.mktemp("template") / "repo")
    build.build(root / "data" / "curated" / "sdgs.duckdb", quiet=True)
    return root


@pytest.fixture
def built(built_template, tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(built_template, root)
    monkeypatch.setenv("SDGCITIES_ROOT", str(root))
    monkeypatch.delenv("SDGCITIES_DB", raising=False)
    return root


def refused(root: Path) -> list:
    """Validate only (fast); return the problems."""
    with pytest.raises(CuratedDataError) as error:
        load_inputs()
    return error.value.problems


def named(problems, file: str, row: int | None, column: str | None, value=None) -> list:
    """The problems located at file/row/column (and value when given)."""
    return [p for p in problems if p.file.endswith(file) and p.row == row and p.column == column
            and (value is None or p.value == value)]


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# ---------------------------------------------------------------- the tokeniser itself


def test_number_tokens_are_whole_printed_numbers():
    quote = "1\t地域活動【11.2,11.3,11.6,11.b】\t2017年度 40.6 %\t2021年度\t29.5 %\t2030年度\t50 %\t-118%"
    assert number_tokens(quote) == ("1", "11.2", "11.3", "11.6", "40.6", "29.5", "50", "-118")
    assert number_tokens("2015年度 20,987 T J ▲587TJ △３ 千t-CO2 2019-2021") == ("20,987", "-587", "-3", "2019", "2021")
    assert target_tokens(quote) == {"11.2", "11.3", "11.6", "11.b", "40.6", "29.5"}
    assert parse_date_label("令和8年3月 策定") == (2026, 3) and parse_date_label("2021年度") is None


# ---------------------------------------------------------------- numbers: whole tokens, through the real build


@pytest.mark.parametrize("folder, table, row, column, printed, wrong", [
    # A baseline changed to a part of itself or of its year: Kaga plan row 1 prints 現在(2023年度): 29 団体.
    (KAGA_PLAN, "kpi_observations", 1, "value", "29", "2"),
    (KAGA_PLAN, "kpi_observations", 1, "value", "29", "9"),
    (KAGA_PLAN, "kpi_observations", 1, "value", "29", "202"),
    (KUMAMOTO, "kpi_observations", 1, "value", "40.6", "0.6"),  # a decimal changed to its tail
    (KUMAMOTO, "kpis", 1, "published_achievement", "-118", "-11"),  # a published rate changed
    (KUMAMOTO, "kpis", 1, "published_achievement", "-118", "118"),
])
def test_a_number_changed_to_a_part_of_a_printed_number(built, folder, table, row, column, printed, wrong):
    assert edit_cell(built, folder / f"{table}.csv", row, column, wrong) == printed
    message = build_and_refuse(built)
    assert f"{folder.name}/{table}.csv, row {row} (line {row + 1}), column '{column}', value '{wrong}': not " in message


# ---------------------------------------------------------------- names, targets, labels, order, direction, dates


def test_an_indicator_name_not_in_its_quote(built):
    assert edit_cell(built, KUMAMOTO / "kpis.csv", 3, "indicator_ja", "企業誘致件数") == "企業立地件数"
    assert named(refused(built), "kumamoto_progress_2022/kpis.csv", 3, "indicator_ja", "企業誘致件数")


def test_a_partner_name_not_in_its_quote(built):
    assert edit_cell(built, KUMAMOTO / "stakeholders.csv", 10, "name_ja", "熊本県立大学") == "熊本大学"
    assert named(refused(built), "kumamoto_progress_2022/stakeholders.csv", 10, "name_ja", "熊本県立大学")


def test_an_unknown_or_repeated_sdg_target_is_named(built):
    """The targets cell is split on semicolons (blanks and empty parts ignored): an id that is not one of the 169
    targets is named by itself, a target listed twice by the whole cell."""
    assert edit_cell(built, KAGA_PLAN / "kpis.csv", 1, "sdg_targets", " 8.3 ;; 8.30; 8.3") == "8.3"
    problems = refused(built)
    unknown = named(problems, "kaga_plan_2026/kpis.csv", 1, "sdg_targets", "8.30")
    assert unknown and "not an SDG target" in unknown[0].message
    twice = named(problems, "kaga_plan_2026/kpis.csv", 1, "sdg_targets", "8.3 ;; 8.30; 8.3")  # the cell, stripped
    assert twice and "lists a target twice" in twice[0].message


def test_an_sdg_target_not_printed_in_its_quote(built):
    assert edit_cell(built, KAGA_PLAN / "kpis.csv", 1, "sdg_targets", "16.2") == "8.3"
    assert named(refused(built), "kaga_plan_2026/kpis.csv", 1, "sdg_targets", "16.2")


def test_a_target_label_not_in_its_quote(built):
    assert edit_cell(built, KUMAMOTO / "kpi_observations.csv", 3, "label", "2029年度") == "2030年度"
    message = build_and_refuse(built)
    assert "kumamoto_progress_2022/kpi_observations.csv, row 3 (line 4), column 'label', value '2029年度': not printed" in message


def test_baseline_and_target_swapped(built):
    # overall:01: row 1 is the baseline 2017年度 40.6, row 3 the target 2030年度 50.
    edit_cell(built, KUMAMOTO / "kpi_observations.csv", 1, "kind", "target")
    edit_cell(built, KUMAMOTO / "kpi_observations.csv", 3, "kind", "baseline")
    problems = refused(built)
    swapped = named(problems, "kumamoto_progress_2022/kpi_observations.csv", 1, "label", "2017年度")
    assert swapped and "before the baseline year 2030" in swapped[0].message
    assert named(problems, "kumamoto_progress_2022/kpi_observations.csv", 1, "kind", "target")  # printed before its baseline


def test_a_flipped_direction(built):
    assert edit_cell(built, KUMAMOTO / "kpis.csv", 1, "direction", "decrease") == "increase"
    message = build_and_refuse(built)
    assert "kumamoto_progress_2022/kpis.csv, row 1 (line 2), column 'direction', value 'decrease': target 50 is not below the baseline 40.6" in message


def test_a_real_exception_must_be_declared_and_a_stale_declaration_is_refused(built):
    declared = built / KUMAMOTO / "declared_exceptions.yaml"
    declared.write_text(declared.read_text(encoding="utf-8").replace("overall:09", "overall:08"), encoding="utf-8")
    problems = refused(built)
    assert named(problems, "kumamoto_progress_2022/kpis.csv", 9, "direction", "decrease")  # overall:09 no longer declared
    assert named(problems, "kumamoto_progress_2022/declared_exceptions.yaml", 1, "row", "kumamoto_progress_2022:overall:08")


def test_an_agreement_date_its_label_does_not_print(built):
    assert edit_cell(built, KAGA_PLAN / "stakeholders.csv", 3, "event_on", "1066-01-01") == "2018-11-19"
    message = build_and_refuse(built)
    assert "kaga_plan_2026/stakeholders.csv, row 3 (line" in message and "column 'event_on', value '1066-01-01': does not agree with event_on_label '2018年11月19日', which prints 2018-11-19" in message


# ---------------------------------------------------------------- quotes that identify their place


def test_a_one_character_quote(built):
    edit_cell(built, KUMAMOTO / "stakeholders.csv", 4, "source_quote", "市")
    problems = named(refused(built), "kumamoto_progress_2022/stakeholders.csv", 4, "source_quote", "市")
    assert problems and "too short" in problems[0].message


def test_a_quote_of_the_bare_value(built):
    edit_cell(built, KAGA_PLAN / "kpi_observations.csv", 1, "source_quote", "29")
    # Six characters, long enough, but only the value (overall:09 baseline 2015年度 20,987 TJ).
    assert edit_cell(built, KUMAMOTO / "kpi_observations.csv", 25, "source_quote", "20,987") == "2015年度 20,987 T J"
    edit_cell(built, KUMAMOTO / "kpi_observations.csv", 25, "label", "")
    problems = refused(built)
    assert named(problems, "kaga_plan_2026/kpi_observations.csv", 1, "source_quote", "29")
    bare = named(problems, "kumamoto_progress_2022/kpi_observations.csv", 25, "source_quote", "20,987")
    assert bare and "only the row's own value" in bare[0].message


def test_a_short_quote_printed_several_times(built):
    # The partner's bare name is printed 8 times: as a quote it does not say which passage is meant.
    edit_cell(built, KUMAMOTO / "stakeholders.csv", 1, "source_quote", "熊本連携中枢都市圏")
    problems = named(refused(built), "kumamoto_progress_2022/stakeholders.csv", 1, "source_quote", "熊本連携中枢都市圏")
    assert problems and "times in data/raw/kumamoto_progress_2022.txt" in problems[0].message


# ---------------------------------------------------------------- lost rows


def test_a_header_only_stakeholders_file(built):
    path = built / KAGA_PLAN / "stakeholders.csv"
    curated = len(read_rows(path)) - 1  # the data rows the repository holds (85 before the conventions, 92 now)
    assert curated > 80
    write_rows(path, read_rows(path)[:1])
    message = build_and_refuse(built)
    assert f"kaga_plan_2026/stakeholders.csv, column 'rows', value '0': lost rows: 0 rows but {curated} recorded in data/curated/kaga_plan_2026/row_counts.yaml" in message
    assert "python -m sdgcities.build --record-counts kaga_plan_2026" in message


def test_the_last_rows_cut_off(built):
    path = built / KAGA_PRESENTATION / "stakeholders.csv"
    rows = read_rows(path)
    write_rows(path, rows[:-40])
    problems = refused(built)
    assert [str(p.value) for p in problems if p.file.endswith("kaga_presentation_2022/stakeholders.csv")] == ["13"]


def test_a_section_that_lost_rows_is_named(built):
    path = built / KUMAMOTO / "kpis.csv"
    rows = read_rows(path)
    kept = [rows[0]] + [r for r in rows[1:] if not r[0].endswith(":model_environment:01")]
    write_rows(path, kept)
    problems = refused(built)
    section = [p for p in problems if p.column == "section"]
    assert [p.value for p in section] == ["(3) 三側面ごとの取組の達成状況"] and "has 3 rows but 4 recorded" in section[0].message


def test_a_table_without_recorded_counts_names_the_command(built):
    (built / KUMAMOTO / "schedules.csv").write_text("schedule_id,doc_id\nx,kumamoto_progress_2022\n", encoding="utf-8")
    problems = refused(built)
    assert [p.file for p in problems] == ["data/curated/kumamoto_progress_2022/schedules.csv"]
    assert "python -m sdgcities.build --record-counts kumamoto_progress_2022" in problems[0].message
    assert build.main(["--record-counts", "kumamoto_progress_2022"]) == 0
    assert "schedules:\n  rows: 1" in (built / KUMAMOTO / "row_counts.yaml").read_text(encoding="utf-8")
    load_inputs()


# ---------------------------------------------------------------- implausible years


@pytest.mark.parametrize("label", ["-2023年度", "1899年度", "12345年度"])
def test_malformed_or_implausible_year_labels(built, label):
    edit_cell(built, KUMAMOTO / "kpi_observations.csv", 1, "label", label)
    assert named(refused(built), "kumamoto_progress_2022/kpi_observations.csv", 1, "label", label)


def test_an_actual_later_than_its_document(built):
    edit_cell(built, KUMAMOTO / "kpi_observations.csv", 2, "label", "2100年度")
    later = named(refused(built), "kumamoto_progress_2022/kpi_observations.csv", 2, "label", "2100年度")
    assert any("later than its document, published in 2022" in p.message for p in later)


# ---------------------------------------------------------------- ids, synergies, reference tables


def test_a_synergy_pointing_at_another_citys_kpi(built):
    edit_cell(built, KUMAMOTO / "synergies.csv", 1, "kpi_id", "kaga_plan_2026:s4_economy:01")
    problems = named(refused(built), "kumamoto_progress_2022/synergies.csv", 1, "kpi_id", "kaga_plan_2026:s4_economy:01")
    assert problems and "belongs to document kaga_plan_2026" in problems[0].message


@pytest.mark.parametrize("column", ["kpi_id", "indicator_key"])
def test_an_id_with_stray_whitespace(built, column):
    old = edit_cell(built, KUMAMOTO / "kpis.csv", 1, column, "x")
    edit_cell(built, KUMAMOTO / "kpis.csv", 1, column, old + " ")
    message = build_and_refuse(built)
    assert f"kumamoto_progress_2022/kpis.csv, row 1 (line 2), column '{column}', value '{old} ': an id has leading or trailing whitespace" in message


def test_a_reference_table_that_changed(built):
    targets = built / "data/curated/reference/sdg_targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8") + "12.z,12\n", encoding="utf-8")
    message = build_and_refuse(built)
    assert "data/curated/reference/sdg_targets.csv, column 'sha256'" in message and "checksums.sha256 line 4 records 9738a6a9" in message


# ---------------------------------------------------------------- manifests


def set_manifest(root: Path, key: str, value: str) -> None:
    path = root / "data/raw/kumamoto_progress_2022.yaml"
    lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("where", ["parent", "absolute"])
def test_a_manifest_naming_a_file_outside_data_raw(built, where):
    copy = built / "elsewhere" / "kumamoto_progress_2022.txt"
    copy.parent.mkdir()
    shutil.copy(built / "data/raw/kumamoto_progress_2022.txt", copy)
    value = "../../elsewhere/kumamoto_progress_2022.txt" if where == "parent" else str(copy)
    set_manifest(built, "file", value)
    message = build_and_refuse(built)
    shown = value if len(value) <= 80 else value[:77] + "..."  # long values are shortened in messages
    assert f"data/raw/kumamoto_progress_2022.yaml, column 'file', value '{shown}': file must be a plain file name inside data/raw/" in message


def test_a_raw_file_that_is_a_symlink(built):
    raw = built / "data/raw/kumamoto_progress_2022.txt"
    copy = built / "elsewhere.txt"
    shutil.copy(raw, copy)
    raw.unlink()
    raw.symlink_to(copy)
    message = build_and_refuse(built)
    assert "data/raw/kumamoto_progress_2022.yaml, column 'file', value 'kumamoto_progress_2022.txt': data/raw/kumamoto_progress_2022.txt is a symlink" in message


@pytest.mark.parametrize("published_on, expected", [("next spring", "not a real ISO date"), ("2022-10", "which prints 2022-09")])
def test_a_manifest_date_that_does_not_parse_or_disagrees(built, published_on, expected):
    set_manifest(built, "published_on", published_on)
    problems = named(refused(built), "data/raw/kumamoto_progress_2022.yaml", None, "published_on", published_on)
    assert problems and expected in problems[0].message


# ---------------------------------------------------------------- the fourth city carries its counts


def test_the_fourth_city_fixture_passes_every_rule(workspace):
    from fourth_city import add_fourth_city

    add_fourth_city(workspace)
    inputs = load_inputs()
    assert len(inputs.documents) == 6 and (workspace / "data/curated/kaku_plan_2024/row_counts.yaml").is_file()
