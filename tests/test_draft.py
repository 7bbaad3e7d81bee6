"""The draft tool on documents it has never seen: progress sheets generated here (numbers, years, row
counts and names changed), printed with tabs, spaces, HTML cells or wrapped rows; a plan with redactions;
a PDF printed by Chromium. Every drafted cell is checked against what was generated."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from draft_variants import header_cells, pdf_sheet, progress_rows, progress_sheet, row_cells
from sdgcities.build.draft import draft_document, draft_text
from sdgcities.build.draft.text import squash


def _check_progress(draft, rows, actual_years):
    kpis = draft.tables["kpis"]
    assert draft.form == "progress"
    assert len(kpis) == len(rows)
    raw = squash(draft.document.raw)
    for kpi, row in zip(kpis, rows):
        assert kpi["row_no"] == str(row.no)
        assert kpi["indicator_ja"] == row.name
        assert kpi["sdg_targets"].split(";") == row.targets
        assert kpi["published_achievement"] == row.rate.rstrip("%")
        assert kpi["unit"] == squash(row.cells[0].unit)
        assert squash(kpi["source_quote"]) in raw
        observations = [o for o in draft.tables["kpi_observations"] if o["kpi_id"] == kpi["kpi_id"]]
        drafted = [(o["kind"], o["label"], o["value"]) for o in observations]
        assert drafted == [(c.kind, c.label, c.value) for c in row.cells]
        assert [o["column_label"] for o in observations] == header_cells(actual_years, 2030)[2:-1]
        for observation in observations:
            assert squash(observation["source_quote"]) in raw
            assert observation["value"] in observation["source_quote"]


@pytest.mark.parametrize("style", ["tabs", "spaces", "html", "split", "noblank"])
@pytest.mark.parametrize("seed, count, years", [(1, 7, [2019, 2020, 2021]), (2, 13, [2022]), (3, 3, [2020, 2022])])
def test_progress_sheet_variants(style, seed, count, years):
    rows = progress_rows(seed, count, years)
    draft = draft_text(progress_sheet(rows, years, style), "test_progress", "testcity")
    _check_progress(draft, rows, years)
    assert {p["sdg_target"] for p in draft.tables["priority_targets"]} == {t for row in rows for t in row.targets}


def test_a_row_with_a_missing_cell_is_flagged_not_shifted():
    years = [2020, 2021]
    rows = progress_rows(5, 4, years)
    text = progress_sheet(rows, years, "tabs")
    missing = rows[1].cells[2].printed()
    text = text.replace("\t" + missing + "\t", "\t")
    draft = draft_text(text, "test_progress", "testcity")
    kpi = draft.tables["kpis"][1]
    assert "value cells for" in kpi["review"]
    labels = [o["label"] for o in draft.tables["kpi_observations"] if o["kpi_id"] == kpi["kpi_id"]]
    assert labels == [c.label for c in rows[1].cells if c.printed() != missing]
    # The rows around it are untouched.
    assert [o["value"] for o in draft.tables["kpi_observations"] if o["kpi_id"] == draft.tables["kpis"][2]["kpi_id"]] == [c.value for c in rows[2].cells]


PLAN = """架空町 SDGs未来都市計画

(4) 2030年のあるべき姿の実現に向けた優先的なゴール、ターゲット

(経済)

ゴール、ターゲット番号\t\tKPI\t
 9 産業と技術革新の基盤をつくろう\t9.2\t指標：町内の新規雇用者数\t
\t\t現在（2024年度）： 321 人\t2030年度： 450 人
\t12.3\t\t

(社会)

ゴール、ターゲット番号\t\tKPI\t
 4 質の高い教育をみんなに\t4.7\t指標： [REDACTED]\t
 5.5\t\t現在（2023年度）： [REDACTED]\t2030年度： [REDACTED]

(経済→社会)

KPI (社会面における相乗効果等)\t
指標：地域食堂の開催回数\t
現在 (2023年) : 18 回\t2029年 : 40 回

- ・町内事業者の協力で地域食堂を開き、高齢者の見守りにつなげる。
"""


def _as_html(text: str) -> str:
    """Every tab-separated line as an HTML table row (the way some extractions print tables)."""
    out = []
    for line in text.split("\n"):
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in line.split("\t")) + "</tr>" if "\t" in line else line)
    return "\n".join(out)


@pytest.mark.parametrize("style", ["tabs", "spaces", "html"])
def test_plan_kpis_redactions_priority_targets_and_synergies(style):
    text = {"tabs": PLAN, "spaces": PLAN.replace("\t", "   "), "html": _as_html(PLAN)}[style]
    draft = draft_text(text, "test_plan", "testcity")
    assert draft.form == "plan"
    kpis = draft.tables["kpis"]
    assert [k["indicator_ja"] for k in kpis] == ["町内の新規雇用者数", "", "地域食堂の開催回数"]
    assert [k["sdg_targets"] for k in kpis] == ["9.2", "4.7;5.5", ""]
    assert [k["is_redacted"] for k in kpis] == ["false", "true", "false"]
    assert (kpis[2]["side"], kpis[2]["synergy_from"], kpis[2]["synergy_to"]) == ("integrated", "economy", "society")
    observations = [(o["kpi_id"].rsplit(":", 2)[1], o["kind"], o["label"], o["value"], o["is_redacted"]) for o in draft.tables["kpi_observations"]]
    codes = [k["table_code"] for k in kpis]
    assert observations == [
        (codes[0], "baseline", "2024年度", "321", "false"), (codes[0], "target", "2030年度", "450", "false"),
        (codes[1], "baseline", "2023年度", "", "true"), (codes[1], "target", "2030年度", "", "true"),
        (codes[2], "baseline", "2023年", "18", "false"), (codes[2], "target", "2029年", "40", "false"),
    ]
    assert [(p["side"], p["sdg_target"]) for p in draft.tables["priority_targets"]] == [
        ("economy", "9.2"), ("economy", "12.3"), ("society", "4.7"), ("society", "5.5")]
    synergy = draft.tables["synergies"]
    assert [(s["from_side"], s["to_side"], s["kpi_id"]) for s in synergy] == [("economy", "society", kpis[2]["kpi_id"])]
    assert synergy[0]["description_ja"].startswith("町内事業者の協力で")


def test_unknown_form_still_yields_partners_and_dated_agreements():
    text = ("市の取組紹介\n\n2021年 7月\t架空テック株式会社\t「見守りセンサーの実証」\n本市は架空大学と連携して調査を行った。\n"
            "この取組はゴール 11 ターゲット 2 に資する。関連するターゲット: 3.6, 9.9 (9.9 は存在しない)\n")
    draft = draft_text(text, "test_other", "testcity")
    assert draft.form == "other"
    partners = {(s["name_ja"], s["category"], s["event_on"]) for s in draft.tables["stakeholders"]}
    assert partners == {("架空テック株式会社", "company", "2021-07"), ("架空大学", "university", "")}
    assert all(s["review"].startswith("low confidence") for s in draft.tables["stakeholders"])
    assert [(p["sdg_goal"], p["sdg_target"]) for p in draft.tables["priority_targets"]] == [("11", "11.2"), ("3", "3.6")]
    assert all(p["review"].startswith("low confidence") for p in draft.tables["priority_targets"])


def test_the_cli_writes_the_five_tables_and_a_manifest(tmp_path):
    from sdgcities.build.draft.__main__ import main
    from sdgcities.build.inputs.tables import DOC_TABLES

    years = [2021]
    rows = progress_rows(11, 5, years)
    source = tmp_path / "new_city_progress.txt"
    source.write_text(progress_sheet(rows, years, "tabs"), encoding="utf-8")
    assert main([str(source), "--city", "newcity", "--out", str(tmp_path / "staging")]) == 0
    folder = tmp_path / "staging" / "new_city_progress"
    for table, spec in DOC_TABLES.items():
        with (folder / f"{table}.csv").open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == list(spec) + ["source_page", "review"]
    manifest = yaml.safe_load((folder / "new_city_progress.yaml").read_text(encoding="utf-8"))
    assert manifest["doc_type"] == "progress_evaluation" and manifest["city_id"] == "newcity"
    assert manifest["publisher"] == "TO REVIEW" and "publisher" in manifest["drafted"]["to_review"]
    import hashlib
    assert manifest["sha256"] == hashlib.sha256((folder / "new_city_progress.txt").read_bytes()).hexdigest()


def test_drafting_never_writes_into_curated(tmp_path):
    from sdgcities import paths

    source = tmp_path / "x.txt"
    source.write_text("本文\n", encoding="utf-8")
    with pytest.raises(ValueError, match="refusing"):
        draft_document(source, out=paths.curated_dir())


# ---------------------------------------------------------------- a PDF made here


def test_a_pdf_progress_sheet_is_drafted_with_pages(tmp_path):
    years = [2021, 2022]
    first, second, pdf = pdf_sheet(tmp_path, years)

    folder, draft = draft_document(pdf, "pdf_city_progress_2023", "pdfcity", tmp_path / "staging")
    text = (folder / "pdf_city_progress_2023.txt").read_text(encoding="utf-8")
    assert text.count("\f") == 1
    assert [k["source_page"] for k in draft.tables["kpis"]] == [1] * len(first) + [2] * len(second)
    assert all(o["source_page"] in (1, 2) for o in draft.tables["kpi_observations"])
    rows = first + second
    for kpi, row in zip(draft.tables["kpis"], rows):
        assert kpi["indicator_ja"] == row.name and kpi["sdg_targets"].split(";") == row.targets
        assert kpi["published_achievement"] == row.rate.rstrip("%")
        drafted = [(o["kind"], o["label"], o["value"]) for o in draft.tables["kpi_observations"] if o["kpi_id"] == kpi["kpi_id"]]
        assert drafted == [(c.kind, c.label, c.value) for c in row.cells]
    assert len(draft.tables["kpis"]) == len(rows)
    manifest = yaml.safe_load((folder / "pdf_city_progress_2023.yaml").read_text(encoding="utf-8"))
    import hashlib
    assert manifest["drafted"]["source_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert manifest["sha256"] == hashlib.sha256((folder / "pdf_city_progress_2023.txt").read_bytes()).hexdigest()
    with (folder / "kpis.csv").open(encoding="utf-8") as handle:
        assert [r["source_page"] for r in csv.DictReader(handle)] == ["1"] * len(first) + ["2"] * len(second)


def test_side_marked_and_synergy_tables():
    years = [2020, 2021]
    rows = progress_rows(31, 5, years)
    header = "取組名\t取組内容\t指標名\t当初値\t2020年実績\t2021年実績\t2021年目標値\t達成度(%)"
    initiative = {0: "【経済】 ①-1 市場の整備", 2: "【社会】 ②-1 見守りの推進", 3: "【環境】 ③-1 森林の保全"}
    body = []
    for index, row in enumerate(rows):
        cells = [c.printed() for c in row.cells] + [row.rate]
        first = initiative.get(index, "")
        body.append("\t".join([first, "【取組内容】 ・説明" if first else "", row.name] + cells))
    directions = ["経済→環境", "社会→経済"]
    synergy_rows = progress_rows(32, 2, years)
    synergy = ["No\t指標名\t当初値\t2020年実績\t2021年実績\t2021年目標値\t達成度 (%)"] + [
        "\t".join([str(r.no), f"【{d}】{r.name}"] + [c.printed() for c in r.cells] + [r.rate]) for r, d in zip(synergy_rows, directions)]
    text = "(3) 三側面ごとの取組の達成状況\n\n" + "\n".join([header] + body) + "\n\n(4) 三側面をつなぐ統合的取組の達成状況\n\n" + "\n".join(synergy) + "\n"
    draft = draft_text(text, "test_sides", "testcity")
    kpis = draft.tables["kpis"]
    assert [k["indicator_ja"] for k in kpis] == [r.name for r in rows] + [r.name for r in synergy_rows]
    assert [k["side"] for k in kpis] == ["economy", "economy", "society", "environment", "environment", "integrated", "integrated"]
    assert [(k["synergy_from"], k["synergy_to"]) for k in kpis[5:]] == [("economy", "environment"), ("society", "economy")]
    for kpi, row in zip(kpis, rows + synergy_rows):
        observed = [(o["kind"], o["label"], o["value"]) for o in draft.tables["kpi_observations"] if o["kpi_id"] == kpi["kpi_id"]]
        assert observed == [(c.kind, c.label, c.value) for c in row.cells]
        assert kpi["published_achievement"] == row.rate.rstrip("%")


def test_a_second_printing_with_other_numbers_is_flagged_and_an_identical_one_marked_repeat():
    years = [2021]
    rows = progress_rows(41, 3, years)
    again = progress_rows(41, 3, years)  # the same rows...
    again[1].cells[-1].value = "1"  # ...but one printed with another target
    for row in again:
        row.no += 3
    draft = draft_text(progress_sheet(rows + again, years, "tabs"), "test_repeat", "testcity")
    kpis = draft.tables["kpis"]
    assert [k["is_repeat"] for k in kpis] == ["false"] * 3 + ["true", "false", "true"]
    assert f"other numbers in {kpis[1]['kpi_id']}" in kpis[4]["review"]
    assert f"other numbers in {kpis[4]['kpi_id']}" in kpis[1]["review"]
