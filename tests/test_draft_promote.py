"""--compare and --promote: a draft is compared with curated rows; a reviewed draft of the fictional fourth
city is promoted into a copy of the repository, builds, and shows up through the API and a notebook; a
draft the build refuses leaves data/curated and data/raw as they were."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from fourth_city import FIXTURE
from sdgcities.build.draft import draft_document
from sdgcities.build.draft.__main__ import main
from sdgcities.build.draft.compare import compare, differences
from sdgcities.build.draft.promote import PromoteError, promote
from sdgcities.build.inputs.curated import CuratedDataError

REPO = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and "sdgs.duckdb" not in p.name}


def test_compare_finds_every_changed_cell(tmp_path):
    doc = "kumamoto_progress_2022"
    folder, _ = draft_document(REPO / "data/raw" / f"{doc}.txt", doc, "kumamoto", tmp_path / "staging")
    curated = tmp_path / "curated" / doc
    shutil.copytree(REPO / "data/curated" / doc, curated)
    assert compare(folder, curated)["kpi_cells"].missed == []
    # Change one value and one published rate in the curated copy: compare names exactly those.
    rows = list(csv.DictReader((curated / "kpi_observations.csv").open(encoding="utf-8")))
    rows[4]["value"] = "9,999"
    kpis = list(csv.DictReader((curated / "kpis.csv").open(encoding="utf-8")))
    kpis[2]["published_achievement"] = "77"
    for name, data in (("kpi_observations", rows), ("kpis", kpis)):
        with (curated / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(data[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(data)
    scores = compare(folder, curated)
    assert sorted(key for _, key in scores["kpi_cells"].missed) == sorted([("rate", "", "77"), (rows[4]["kind"], rows[4]["label"], "9,999")])
    assert len(scores["kpi_cells"].extra) == 2
    lines = differences(folder, curated)
    assert any("published_achievement" in line and "'77'" in line for line in lines)
    assert main(["--compare", str(folder), str(curated)]) == 0


@pytest.fixture
def fourth_city_draft(workspace, tmp_path):
    cities = workspace / "data/curated/reference/cities.csv"
    cities.write_text(cities.read_text(encoding="utf-8") + (FIXTURE / "cities_row.csv").read_text(encoding="utf-8"), encoding="utf-8")
    folder, draft = draft_document(FIXTURE / "raw" / "kaku_plan_2024.txt", "kaku_plan_2024", "kaku")
    assert folder == workspace / "data/staging/kaku_plan_2024"
    return folder


def _review_manifest(folder: Path) -> None:
    """What the person reviewing the draft does to the manifest: fill in what the tool could not know."""
    path = folder / "kaku_plan_2024.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = yaml.safe_load((FIXTURE / "raw" / "kaku_plan_2024.yaml").read_text(encoding="utf-8"))
    for key, value in manifest.items():
        if value == "TO REVIEW":
            manifest[key] = known[key]
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_promoting_the_fourth_city_builds_and_reaches_the_api(workspace, fourth_city_draft, tmp_path, monkeypatch):
    from sdgcities.access import api

    with pytest.raises(PromoteError, match="publisher"):
        promote(fourth_city_draft)
    assert not (workspace / "data/curated/kaku_plan_2024").exists()
    _review_manifest(fourth_city_draft)
    assert main(["--promote", str(fourth_city_draft)]) == 0
    curated = workspace / "data/curated/kaku_plan_2024"
    header = next(csv.reader((curated / "kpis.csv").open(encoding="utf-8")))
    assert "review" not in header and "source_page" not in header
    assert (workspace / "data/raw/kaku_plan_2024.txt").read_bytes() == (FIXTURE / "raw/kaku_plan_2024.txt").read_bytes()
    with api.connect(workspace / "data/curated/sdgs.duckdb") as con:
        assert "kaku" in api.valid_cities(con)
        kpis = api.kpis(con, cities=["kaku"])
        assert sorted(kpis["indicator_ja"].to_list()) == sorted(["市内の創業件数", "特定健診の受診率", "市域の温室効果ガス排出量", "公共施設の再生可能エネルギー導入量"])
        ghg = kpis.filter(kpis["indicator_ja"] == "市域の温室効果ガス排出量")
        assert (ghg["baseline_value"][0], ghg["target_value"][0]) == (1250.0, 1000.0)
        assert sorted(api.stakeholders(con, cities=["kaku"])["name_ja"].to_list()) == ["架空信用金庫", "架空大学"]
        assert api.synergies(con, cities=["kaku"]).height == 1
        assert api.priority_targets(con, cities=["kaku"]).height == 4

    # The city's profile notebook runs on it.
    from test_notebooks import output_text, run

    text = output_text(run("city_profile", tmp_path, {"city": "kaku"}, monkeypatch, workspace / "data/curated/sdgs.duckdb"))
    assert "架空市" in text

    # A second promotion refuses to overwrite without --force.
    assert main(["--promote", str(fourth_city_draft)]) == 1


def test_a_promotion_the_build_refuses_is_rolled_back(workspace, fourth_city_draft):
    _review_manifest(fourth_city_draft)
    promote(fourth_city_draft)
    before = {part: _tree(workspace / "data" / part) for part in ("curated", "raw")}
    # A reviewer's slip: a quote that is not in the document.
    path = fourth_city_draft / "kpis.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["source_quote"] = "この文は文書にない"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CuratedDataError, match="source_quote"):
        promote(fourth_city_draft, force=True)
    assert {part: _tree(workspace / "data" / part) for part in ("curated", "raw")} == before


def _add_page_column(path: Path, pages: list[str]) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows = [rows[0] + ["source_page"]] + [row + [pages[i % len(pages)]] for i, row in enumerate(rows[1:])]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_source_page_is_an_optional_validated_column(workspace):
    from sdgcities.build import run as build

    synergies = workspace / "data/curated/kumamoto_progress_2022/synergies.csv"
    _add_page_column(synergies, ["3", ""])
    assert build.build(quiet=True)["synergies"] > 0
    _add_page_column(workspace / "data/curated/kumamoto_progress_2022/kpis.csv", ["0"])
    with pytest.raises(CuratedDataError) as error:
        build.build(quiet=True)
    assert "kpis.csv, row 1" in str(error.value) and "source_page" in str(error.value) and "'0'" in str(error.value)


def test_a_promoted_pdf_keeps_its_pages_and_both_checksums(workspace, tmp_path):
    from draft_variants import pdf_sheet
    from sdgcities.access import api

    cities = workspace / "data/curated/reference/cities.csv"
    cities.write_text(cities.read_text(encoding="utf-8") + "pdfcity,架空PDF市,Pdf City,架空県,Kaku Prefecture\n", encoding="utf-8")
    first, second, pdf = pdf_sheet(tmp_path, [2021, 2022])
    folder, _ = draft_document(pdf, "pdfcity_progress_2023", "pdfcity")
    path = folder / "pdfcity_progress_2023.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest.update({key: "reviewed" for key, value in manifest.items() if value == "TO REVIEW"})
    manifest["published_on"] = "2023-09"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    promote(folder)
    raw = workspace / "data/raw"
    promoted = yaml.safe_load((raw / "pdfcity_progress_2023.yaml").read_text(encoding="utf-8"))
    assert promoted["sha256"] == hashlib.sha256((raw / "pdfcity_progress_2023.txt").read_bytes()).hexdigest()
    assert promoted["source_pdf_sha256"] == hashlib.sha256((raw / "pdfcity_progress_2023.pdf").read_bytes()).hexdigest() == hashlib.sha256(pdf.read_bytes()).hexdigest()
    with (workspace / "data/curated/pdfcity_progress_2023/kpis.csv").open(encoding="utf-8") as handle:
        assert [row["source_page"] for row in csv.DictReader(handle)] == ["1"] * len(first) + ["2"] * len(second)
    with api.connect(workspace / "data/curated/sdgs.duckdb") as con:
        assert api.kpis(con, cities=["pdfcity"]).height == len(first) + len(second)
