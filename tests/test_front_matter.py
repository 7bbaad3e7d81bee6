"""The front matter of the reports (notebooks/front_matter.ipynb, present/analyses/front): its summary
states the database's numbers, its comparability table has one row per document, its warnings appear
exactly when the documents differ, its methods name the four rules, it renders in both languages, and
it comes first in the reports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import papermill
import polars as pl
import pytest

from conftest import REPO
from sdgcities.present.analyses import front
from sdgcities.present.words import Words, catalogue, fields


@pytest.fixture(scope="module")
def contexts(built_db):
    """A Context per language and report (all cities; Kaga alone; Kumamoto alone)."""
    made = {}
    for lang in ("ja", "en"):
        made[lang] = front.setup(cities=None, city=None, lang=lang, database=built_db, report="comparison")
        made[f"kaga-{lang}"] = front.setup(cities=None, city="kaga", lang=lang, database=built_db, report="city")
    made["kumamoto"] = front.setup(cities=["kumamoto"], city=None, lang="en", database=built_db, report="city")
    yield made
    for ctx in made.values():
        ctx.con.close()


def one(con, sql: str, **params):
    return con.sql(sql, params=params).fetchall()[0][0]


def by_key(sentences) -> dict[str, front.Sentence]:
    return {s.key.rsplit(".", 1)[1]: s for s in sentences}


def test_the_summary_states_the_numbers_of_the_database(contexts, con):
    ctx = contexts["en"]
    found = by_key(front.summary(ctx, front.facts(ctx), "comparison"))
    # Each figure queried here from the base views, not from the models the front matter reads.
    assert found["scope"].params == {
        "n_cities": one(con, "select count(*) from cities"),
        "n_documents": one(con, "select count(*) from documents"),
        "n_kpi_documents": one(con, "select count(distinct doc_id) from kpis"),
        "kpi_rows": one(con, "select count(*) from kpis where not is_repeat"),
        "repeat_rows": one(con, "select count(*) from kpis where is_repeat"),
    }
    assert found["scope"].params["kpi_rows"] == 64 and found["scope"].params["repeat_rows"] == 9
    assert found["period"].params == {
        "start": one(con, "select label from kpi_observations where kind = 'baseline' and year is not null order by year, kpi_id, printed_order limit 1"),
        "end": one(con, "select label from kpi_observations where kind = 'target' and year is not null order by year desc, kpi_id, printed_order limit 1"),
    }
    status = dict(con.sql("select progress_status, count(*) from achievement_audit where not is_repeat group by all").fetchall())
    assert found["tiers"].params == {
        "achieved": status.get("achieved", 0),
        "progressing": status.get("on_track", 0) + status.get("partial", 0),
        "stalled": status.get("stagnation", 0),
        "worse": status.get("regress", 0),
        "evaluated": sum(v for k, v in status.items() if k is not None),
    }
    assert found["flips"].params == {
        "judged": one(con, "select count(*) from (select kpi_id from kpi_rule_results where not is_repeat and status is not null "
                           "group by kpi_id having count(*) >= 2)"),
        "flips": one(con, "select count(*) from (select kpi_id from kpi_rule_results where not is_repeat "
                          "group by kpi_id having count(distinct tier) >= 2)"),
    }
    assert found["published"].params == {
        "rates": one(con, "select count(*) from achievement_audit where not is_repeat and published_pct is not null"),
        "reproduced": one(con, "select count(*) from achievement_audit where not is_repeat and rule in ('progress', 'ratio', 'both')"),
        "agree_progress": one(con, "select count(*) from achievement_audit where not is_repeat and rule in ('progress', 'both')"),
    }
    redacted = one(con, "select count(*) from kpis where not is_repeat and is_redacted")
    assert found["redacted"].params["redacted_rows"] == redacted == 18
    assert found["actuals_some"].params["rows_with_actual"] == one(
        con, "select count(*) from kpis where not is_repeat and actual_value is not null")
    # Every sentence names the section where it is developed, and the text holds its numbers.
    for sentence in found.values():
        assert sentence.section, sentence.key
        text = sentence.text(ctx)
        assert ctx.w(f"front.section.{sentence.section}") in text
        for value in sentence.params.values():
            if isinstance(value, int):
                assert f"{value:,}" in text, (sentence.key, value)


def test_the_city_summary_reads_one_city(contexts, con):
    ctx = contexts["kaga-en"]
    found = by_key(front.summary(ctx, front.facts(ctx), "city"))
    assert found["scope_city"].params["kpi_rows"] == one(con, "select count(*) from kpis where city_id = 'kaga' and not is_repeat")
    assert found["scope_city"].params["n_documents"] == one(con, "select count(*) from documents where city_id = 'kaga'")
    assert "actuals_none" in found and "tiers_none" in found and "published_none" in found and "redacted_none" in found
    assert "flips" not in found  # the city report has no section on the rules' sensitivity
    assert {s.section for s in found.values()} <= {"comparability", "profile_kpis", "profile_missing"}


def test_the_comparability_table_has_one_row_per_document_with_its_kpi_counts(contexts, con):
    ctx = contexts["en"]
    documents = front.comparability(ctx)
    expected = dict(con.sql("select d.doc_id, count(k.kpi_id) filter (where not k.is_repeat) from documents d "
                            "left join kpis k on k.doc_id = d.doc_id group by d.doc_id").fetchall())
    assert sorted(documents["doc_id"].to_list()) == sorted(expected)
    assert dict(zip(documents["doc_id"], documents["kpi_rows"])) == expected
    # Per city, the documents' counts add up to the per-city model's.
    per_city = documents.group_by("city_id").agg(pl.col("kpi_rows", "repeat_rows", "redacted_rows", "rows_with_actual").sum())
    summary = con.sql("select city_id, kpi_rows, repeat_rows, redacted_rows, rows_with_actual from city_kpi_summary").pl()
    assert per_city.sort("city_id").rows() == summary.sort("city_id").rows()
    table = front.comparability_table(ctx, documents)
    words = Words("en")
    assert table.height == len(expected)
    assert table.columns[:3] == [words("front.table.city"), words("front.table.document"), words("front.table.doc_type")]
    rows = dict(zip(documents["doc_id"], table.iter_rows(named=True)))
    hiratsuka = rows["hiratsuka_proposal_2022"]
    assert hiratsuka[words("front.table.kpi_rows")] == 18 and hiratsuka[words("front.table.redacted_share")] == "100%"
    assert hiratsuka[words("front.table.period")] == "2018年度 → 2026年度"  # fiscal-year labels kept as printed
    assert rows["kumamoto_progress_2022"][words("front.table.has_actual_values")] == words("front.table.yes")
    # A document without KPI rows has no share of redacted rows (shown '–'), not 0%.
    assert rows["kaga_presentation_2022"][words("front.table.redacted_share")] is None
    assert rows["kaga_presentation_2022"][words("front.table.period")] == words("front.table.no_period")


def test_warnings_on_the_real_documents(contexts):
    found = {w.code: w.doc_ids for w in front.warnings(front.comparability(contexts["en"]))}
    assert set(found) == {"doc_types", "published_years", "periods", "fully_redacted", "actuals", "no_kpis"}
    assert found["fully_redacted"] == ("hiratsuka_proposal_2022",)
    assert found["actuals"] == ("kumamoto_progress_2022",)
    assert found["no_kpis"] == ("kaga_presentation_2022",)
    assert found["published_years"] == ("kaga_smartcity_2021", "kaga_plan_2026")
    # Kumamoto alone: one document, with actual values, nothing redacted: nothing to warn about.
    alone = front.comparability(contexts["kumamoto"])
    assert front.warnings(alone) == []
    assert [s.key for s in front.warning_sentences(contexts["kumamoto"], alone)] == ["front.warning.none"]
    # Every warning renders in both languages.
    for lang in ("ja", "en"):
        ctx = contexts[lang]
        texts = [s.text(ctx) for s in front.warning_sentences(ctx, front.comparability(ctx))]
        assert len(texts) == 6 and all(texts)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_with_many_cities_each_kind_of_warning_is_one_sentence_in_counts(contexts, monkeypatch, lang):
    """Above marks.MANY_CITIES the warnings are counted, not listed city by city or document by document,
    and the redacted documents are one table; the counts are made here from the comparability rows."""
    from sdgcities.present import marks

    ctx = contexts[lang]
    documents = front.comparability(ctx)
    assert front.redacted_documents_table(ctx, documents) is None  # 3 cities: the sentences as they were
    monkeypatch.setattr(marks, "MANY_CITIES", 2)
    pooled = {s.key.rsplit(".", 1)[1]: s for s in front.warning_sentences(ctx, documents)}
    assert list(pooled) == ["doc_types_many", "published_years", "periods_many", "redacted_many", "actuals_many", "no_kpis_many"]
    with_kpis = documents.filter(pl.col("kpi_rows") > 0)
    redacted = with_kpis.filter(pl.col("redacted_rows") > 0)
    assert pooled["doc_types_many"].params | {"items": None} == {
        "documents": documents.height, "n": documents["doc_type"].n_unique(), "items": None}
    assert pooled["periods_many"].params["n"] == with_kpis.select("period_start_label", "period_end_label").unique().height
    assert pooled["redacted_many"].params == {
        "documents": redacted.height, "fully": redacted.filter(pl.col("redacted_rows") == pl.col("kpi_rows")).height,
        "redacted_rows": redacted["redacted_rows"].sum(), "kpi_rows": redacted["kpi_rows"].sum()}
    assert pooled["actuals_many"].params == {
        "documents": with_kpis.height, "with_actual": with_kpis["has_actual_values"].sum(),
        "without_actual": with_kpis.height - with_kpis["has_actual_values"].sum()}
    assert pooled["no_kpis_many"].params == {"n": documents.height - with_kpis.height}
    assert all(sentence.text(ctx) for sentence in pooled.values())
    # The summary counts the cities with and without actual values instead of naming them.
    summary = {s.key.rsplit(".", 1)[1]: s for s in front.summary(ctx, front.facts(ctx), "comparison")}
    with_actual = set(with_kpis.filter(pl.col("has_actual_values"))["city_id"])
    assert summary["actuals_some_many"].params | {"rows_with_actual": None} == {
        "with_actual": len(with_actual), "without_actual": len(set(with_kpis["city_id"]) - with_actual),
        "n_cities": with_kpis["city_id"].n_unique(), "rows_with_actual": None}
    assert summary["actuals_some_many"].text(ctx)
    table = front.redacted_documents_table(ctx, documents)
    words = Words(lang)
    assert table[words("front.table.redacted_rows")].to_list() == redacted["redacted_rows"].to_list()
    assert table[words("front.table.city")].to_list() == [ctx.city(c) for c in redacted["city_id"].to_list()]


def alike(n: int = 2) -> pl.DataFrame:
    """Documents that can be compared as they are: one kind, one year, one period, values, no redaction."""
    return pl.DataFrame({
        "city_id": [f"city{i}" for i in range(n)], "doc_id": [f"doc{i}" for i in range(n)],
        "doc_type": ["progress_evaluation"] * n, "published_label": ["2022年9月"] * n, "published_on": ["2022-09"] * n,
        "published_year": [2022] * n, "period_start_label": ["2018年度"] * n, "period_start_year": [2018] * n,
        "period_end_label": ["2030年度"] * n, "period_end_year": [2030] * n, "kpi_rows": [10] * n, "repeat_rows": [0] * n,
        "redacted_rows": [0] * n, "redacted_share": [0.0] * n, "rows_with_actual": [10] * n, "has_actual_values": [True] * n,
    })


@pytest.mark.parametrize("change, code", [
    ({"doc_type": "plan"}, "doc_types"),
    ({"published_year": 2026, "published_on": "2026-03"}, "published_years"),
    ({"period_start_label": "2023年度", "period_start_year": 2023}, "periods"),
    ({"period_end_label": "2025年", "period_end_year": 2025}, "periods"),
    ({"redacted_rows": 10, "redacted_share": 1.0}, "fully_redacted"),
    ({"redacted_rows": 3, "redacted_share": 0.3}, "partly_redacted"),
    ({"rows_with_actual": 0, "has_actual_values": False}, "actuals"),
    ({"kpi_rows": 0, "redacted_share": None, "rows_with_actual": 0, "has_actual_values": False,
      "period_start_label": None, "period_start_year": None, "period_end_label": None, "period_end_year": None}, "no_kpis"),
])
def test_a_warning_appears_exactly_when_the_documents_differ(change, code):
    assert front.warnings(alike()) == []
    frame = alike()
    changed = frame.with_columns(*[pl.when(pl.col("doc_id") == "doc1").then(pl.lit(v)).otherwise(pl.col(k)).alias(k)
                                   for k, v in change.items()])
    assert [w.code for w in front.warnings(changed)] == [code]


def test_the_methods_name_the_four_rules_with_their_formulas(contexts):
    for lang in ("ja", "en"):
        ctx, words = contexts[lang], Words(lang)
        table = front.rules_table(ctx)
        assert table.height == 4
        names, formulas, sources = (table[c].to_list() for c in table.columns)
        assert names == [words(f"rules.name.{r}") for r in ("progress", "ratio", "open_sdg", "un_cr")]
        assert formulas == [words(f"rules.formula.{r}") for r in ("progress", "ratio", "open_sdg", "un_cr")]
        assert all(sources)
    keys = front.methods_keys()
    assert set(keys) == {"counting", "rules", "audit", "curation"}
    assert len(keys["curation"]) == 4  # verbatim quotes, redacted is NULL, fiscal years, reprints


def test_the_citation_is_the_dataset_version_of_the_database(contexts, built_db):
    from sdgcities.publish.version import dataset_version

    cited = front.citation(contexts["en"])
    version = dataset_version(built_db, fresh=True)
    assert cited["version"] == version.short
    assert version.inputs_sha256 in cited["citation"]


def test_a_city_report_needs_one_city(built_db):
    from sdgcities.access.api import UnknownValueError

    with pytest.raises(UnknownValueError, match="report"):
        front.setup(cities=None, city=None, lang="en", database=built_db, report="summary")
    with pytest.raises(UnknownValueError, match="one city"):
        front.setup(cities=["kaga", "kumamoto"], city=None, lang="en", database=built_db, report="city")


def execute(tmp_path: Path, name: str, **parameters) -> Path:
    output = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / "front_matter.ipynb"), str(output), parameters=parameters,
                               kernel_name="python3", cwd=str(REPO / "notebooks"), progress_bar=False)
    return output


def markdown_and_html(path: Path) -> str:
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html", "text/plain"):
                value = output.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
            if output.get("text"):
                parts.append(output["text"])
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(built_db, tmp_path_factory):
    """The notebook run as each report runs it: comparison in Japanese, a city report in English."""
    import os

    folder = tmp_path_factory.mktemp("front")
    previous = os.environ.get("SDGCITIES_DB")
    os.environ["SDGCITIES_DB"] = str(built_db)
    os.environ.setdefault("SDGCITIES_CHART_MODE", "report")
    try:
        return {
            "comparison-ja": execute(folder, "comparison-ja", lang="ja", report="comparison"),
            "city-en": execute(folder, "city-en", lang="en", report="city", city="hiratsuka"),
        }
    finally:
        if previous is None:
            os.environ.pop("SDGCITIES_DB", None)
        else:
            os.environ["SDGCITIES_DB"] = previous


def test_the_notebook_renders_in_both_languages(executed, built_db):
    from sdgcities.publish.version import dataset_version

    version = dataset_version(built_db, fresh=True).short
    ja, en = Words("ja"), Words("en")
    text = markdown_and_html(executed["comparison-ja"])
    for key in ("front.title.comparison", "front.heading.summary", "front.heading.comparability", "front.heading.warnings",
                "front.heading.methods", "front.heading.cite", "front.table.kpi_rows", "rules.name.un_cr"):
        assert ja(key) in text, key
    assert version in text and "加賀市" in text and "平塚市" in text and "熊本市" in text
    text = markdown_and_html(executed["city-en"])
    for key in ("front.title.city", "front.heading.summary", "front.heading.comparability", "front.heading.methods",
                "front.heading.cite", "rules.name.progress"):
        assert en(key) in text, key
    assert version in text and "Hiratsuka" in text and "Kumamoto" not in text and "Kaga" not in text
    # No Japanese sentence of the catalogue in the English run (Japanese there is data: titles and labels as printed).
    fixed = [v for k, v in catalogue("ja").items() if k.startswith("front.") and not fields(v) and len(v) > 4]
    assert [v for v in fixed if v in text] == []


def test_the_front_matter_comes_first_in_every_report():
    from sdgcities.publish import reports

    config = reports.load_config(REPO / "notebooks" / "reports.yaml", {"kaga": {"name_ja": "加賀市", "name_en": "Kaga"}})
    for report in config:  # stems are <lang>/<report>
        assert report.jobs[0].notebook.stem == "front_matter", report.stem
        assert report.jobs[0].parameters["report"] == ("comparison" if report.stem.endswith("/comparison") else "city")
    kaga = [r for r in config if r.stem.endswith("/kaga")]
    assert [r.stem for r in kaga] == ["ja/kaga", "en/kaga"]
    assert {r.jobs[0].parameters["city"] for r in kaga} == {"kaga"}


@pytest.fixture(scope="module")
def rendered(executed, built_db, tmp_path_factory):
    """A comparison report of the front matter and the next notebook of the suite (the first of the
    analyses), rendered to HTML and PDF as the suite renders it."""
    import os

    from sdgcities.publish import render, reports

    folder = tmp_path_factory.mktemp("front-report")
    config = reports.load_config(REPO / "notebooks" / "reports.yaml", {})
    comparison = config[0]
    second = comparison.jobs[1]
    previous = os.environ.get("SDGCITIES_DB")
    os.environ["SDGCITIES_DB"] = str(built_db)
    try:
        following = folder / "second.ipynb"
        papermill.execute_notebook(str(second.notebook), str(following), parameters=second.parameters,
                                   kernel_name="python3", cwd=str(REPO / "notebooks"), progress_bar=False)
        out_html, out_pdf = folder / "comparison.html", folder / "comparison.pdf"
        render.render_report([executed["comparison-ja"], following], title=comparison.title, out_html=out_html,
                             out_pdf=out_pdf, lang="ja")
    finally:
        if previous is None:
            os.environ.pop("SDGCITIES_DB", None)
        else:
            os.environ["SDGCITIES_DB"] = previous
    return {"html": out_html, "pdf": out_pdf}


def test_summary_table_and_version_open_the_rendered_report(rendered, built_db):
    from sdgcities.publish.version import dataset_version

    words = Words("ja")
    version = dataset_version(built_db, fresh=True).short
    page = rendered["html"].read_text(encoding="utf-8")
    body = page[page.index("</nav>", page.index('id="toc"')):]  # after the title page and the table of contents
    headings = [m.start() for m in re.finditer(r"<h1[ >]", body)]
    first, second = headings[0], headings[1]  # the front matter's title, then the first analysis's
    assert words("front.title.comparison") in body[first:body.index("</h1>", first)]

    def element(text: str) -> int:  # where an element (heading, table header) holding exactly this text starts
        return re.search(rf">\s*{re.escape(text)}\s*<", body).start()

    order = [element(words("front.heading.summary")), element(words("front.table.kpi_rows")),
             element(words("front.heading.warnings")), element(words("front.heading.methods")), body.index(version)]
    assert first < order[0] and order == sorted(order) and order[-1] < second
    # In the PDF: the summary and the comparability table on the first pages (after the contents page).
    first_pages = subprocess.run(["pdftotext", "-f", "1", "-l", "4", str(rendered["pdf"]), "-"], capture_output=True,
                                 text=True, check=True).stdout.replace("\n", "")
    for needle in (words("front.heading.summary"), words("front.heading.comparability"), words("front.table.kpi_rows"), version):
        assert needle in first_pages, needle
