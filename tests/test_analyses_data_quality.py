"""The data-quality analysis (audit of published 達成度 and the findings) on the real database.

Figures checked by hand against data/raw/kumamoto_progress_2022.txt, e.g. row 3 of the integrated
table prints 2017年度 11 件 … 2021年度 44 件, target 2021年 14 件 and 314%: the ratio 44 / 14 = 314.3 %
reproduces it while the gap rule gives (44 - 11) / (14 - 11) = 1,100 %; row 6 of the overall table
prints 2018年度 0, 2021年度 3, target 2023年度 10 and 20%, while both rules give 30.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import polars as pl
import pytest

from sdgcities.access import api
from sdgcities.build.models import audit
from sdgcities.publish import nbstore
from sdgcities.present.analyses import data_quality as dq
from sdgcities.present.notebook import Context
from sdgcities.build.models.quality import FINDING_CODES

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "data_quality.ipynb"


def make_ctx(con, cities=None, lang="ja") -> Context:
    """A notebook Context on the test connection (what nb.setup builds, without fonts)."""
    checked = api.check_cities(con, cities) if cities else api.valid_cities(con)
    names = api.cities(con)
    column = "name_ja" if lang == "ja" else "name_en"
    documents = {row["doc_id"]: row for row in api.documents(con).iter_rows(named=True)}
    return Context(con, list(checked), lang, dict(zip(names["city_id"], names[column])), documents=documents)


def test_the_package_modules_are_small():
    package = Path(dq.__file__).parent
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in package.glob("*.py")}
    assert set(sizes) == {"__init__.py", "data.py", "figures.py", "tables.py", "text.py"}
    assert max(sizes.values()) <= 400


# ---------------------------------------------------------------------------------------------
# The audit


def test_classification_counts_per_city(con):
    counts = dq.classification_counts(make_ctx(con))
    got = {(r["city_id"], r["rule"]): r["n"] for r in counts.iter_rows(named=True)}
    # 再掲 reprints are left out, as in the achievement section: 5 of Kaga's 25 printed rows and 4 of
    # Kumamoto's 30 (3 progress, 1 both) are reprints.
    assert got == {
        ("hiratsuka", "not_published"): 18,
        ("kaga", "not_published"): 20,
        ("kumamoto", "progress"): 18,
        ("kumamoto", "ratio"): 2,
        ("kumamoto", "both"): 3,
        ("kumamoto", "neither"): 1,
        ("kumamoto", "status_only"): 2,
    }
    assert dq.classification_totals(counts) == {
        "progress": 18, "ratio": 2, "both": 3, "neither": 1, "status_only": 2, "not_published": 38,
    }
    assert dq.repeat_counts(make_ctx(con)) == {"kpi_rows": 9, "rates": 4}


def test_classification_lines_are_the_checked_output(con):
    ctx = make_ctx(con)
    assert dq.classification_lines(dq.classification_counts(ctx), dq.repeat_counts(ctx)).splitlines() == [
        "progress          18",
        "ratio              2",
        "both               3",
        "neither            1",
        "status_only        2",
        "not_published     38",
        "total             64",
        "repeats left out   9 (with a rate 4)",
    ]


def test_classification_table_has_a_row_per_city_and_a_total(con):
    ctx = make_ctx(con, lang="en")
    table = dq.classification_table(ctx, dq.classification_counts(ctx))
    assert table["city"].to_list() == ["Hiratsuka", "Kaga", "Kumamoto", "total"]
    assert table["total"].to_list() == [18, 20, 26, 64]
    assert table[dq.classification_name(ctx, "neither")].to_list() == [0, 0, 1, 1]


def test_classification_table_folds_cities_beyond_top(con):
    ctx = make_ctx(con, lang="en")
    table = dq.classification_table(ctx, dq.classification_counts(ctx), top=2)
    # Kumamoto has the most rows (26); Kaga (20) and Hiratsuka (18) fold into one row.
    assert table["city"].to_list() == ["Kumamoto", "2 other cities", "total"]
    assert table[dq.classification_name(ctx, "not_published")].to_list() == [0, 38, 38]


def test_published_rates_values_match_the_source(con):
    rates = dq.published_rates(make_ctx(con))
    assert rates.height == 24
    assert set(rates["city_id"]) == {"kumamoto"}
    assert int(rates["is_repeat"].sum()) == 0  # reprints left out
    row = rates.filter(pl.col("kpi_id") == "kumamoto_progress_2022:integrated:03").row(0, named=True)
    assert row["published"] == 314.0
    assert row["rule"] == "ratio"
    assert row["progress_value"] == pytest.approx(1100.0)
    assert row["ratio_value"] == pytest.approx(44 / 14 * 100)
    assert row["progress_diff"] == pytest.approx(314 - 1100.0)
    row = rates.filter(pl.col("kpi_id") == "kumamoto_progress_2022:overall:01").row(0, named=True)
    assert row["published"] == -118.0 and row["rule"] == "progress"
    assert row["progress_value"] == pytest.approx((29.5 - 40.6) / (50 - 40.6) * 100)


def test_neither_row_and_its_explanation(con):
    rates = dq.published_rates(make_ctx(con))
    neither = dq.neither_rows(rates)
    assert neither["kpi_id"].to_list() == ["kumamoto_progress_2022:overall:06"]
    row = neither.row(0, named=True)
    assert (row["published"], row["progress_value"], row["ratio_value"]) == (20.0, pytest.approx(30.0), pytest.approx(30.0))
    assert dq.neither_lines(rates) == "kumamoto_progress_2022:overall:06  other_year progress 2020: 20.0 vs published 20"
    explanation = dq.neither_table(make_ctx(con, lang="en"), rates)["explanation"][0]
    assert explanation.startswith("reproduced by the progress rule with the 2020 actual 2 instead of the 2021 actual: 20.0 vs published 20")
    table = dq.neither_table(make_ctx(con, lang="en"), rates)
    assert table.row(0, named=True)["baseline"] == "2018年度 0"
    assert table.row(0, named=True)["target"] == "2023年度 10"


def test_rates_table_flags_neither(con):
    ctx = make_ctx(con)
    table = dq.rates_table(ctx, dq.published_rates(ctx))
    flagged = table.filter(pl.col(ctx.w("findings.column.reproduced_by")).str.starts_with("⚠"))
    assert flagged[ctx.w("findings.column.table_row")].to_list() == ["overall:6"]
    assert table.height == 24


def test_status_only_rows_print_a_word_and_are_achieved(con):
    ctx = make_ctx(con)
    words = dq.status_only_rows(ctx)
    assert words["kpi_id"].to_list() == ["kumamoto_progress_2022:initiatives:04", "kumamoto_progress_2022:overall:09"]
    assert set(words["published_achievement_text"]) == {"達成"}
    counts = dq.classification_counts(ctx)
    summary = dq.audit_summary(ctx, counts, dq.published_rates(ctx), words)
    assert summary["words_achieved"] == 2
    assert summary["rates"] == 24 and summary["reproduced"] == 23 and summary["rate_repeats"] == 4
    assert summary["max_progress_gap"] == pytest.approx(786.0)
    assert summary["mixed_docs"] == ["kumamoto_progress_2022"]


def test_cities_without_rates_say_why(con):
    ctx = make_ctx(con)
    disclosure = dq.city_disclosure(ctx)
    by_city = {r["city_id"]: r for r in disclosure.iter_rows(named=True)}
    assert (by_city["hiratsuka"]["redacted"], by_city["hiratsuka"]["kpi_rows"]) == (18, 18)
    assert (by_city["kaga"]["with_actual"], by_city["kaga"]["kpi_rows"]) == (0, 20)
    summary = dq.audit_summary(ctx, dq.classification_counts(ctx), dq.published_rates(ctx), dq.status_only_rows(ctx))
    assert dq.missing_rate_phrases(ctx, summary) == [
        "平塚市（全18行で指標名または数値が黒塗り）",
        "加賀市（20行のいずれにも実績値の記載がない）",
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_with_many_cities_the_cities_without_rates_are_counted_per_reason(con, monkeypatch, lang):
    """Above marks.MANY_CITIES the cities without a published rate are counted per reason, and those with one
    are counted, not named; the reasons are made here from each city's rows."""
    from sdgcities.present import marks

    ctx = make_ctx(con, lang=lang)
    summary = dq.audit_summary(ctx, dq.classification_counts(ctx), dq.published_rates(ctx), dq.status_only_rows(ctx))
    named = dq.missing_rate_phrases(ctx, summary)
    monkeypatch.setattr(marks, "MANY_CITIES", 1)
    reasons = {"redacted": 0, "no_actual": 0, "no_rate": 0}
    for row in dq.city_disclosure(ctx).iter_rows(named=True):
        if row["city_id"] in summary["rate_cities"]:
            continue
        reason = ("redacted" if row["redacted"] == row["kpi_rows"] else "no_actual" if row["with_actual"] == 0 else "no_rate")
        reasons[reason] += 1
    assert reasons == {"redacted": 1, "no_actual": 1, "no_rate": 0}  # Hiratsuka all redacted, Kaga without actuals
    counted = dq.missing_rate_phrases(ctx, summary)
    assert counted == [ctx.w(f"findings.text.missing_many.{reason}", n=n) for reason, n in reasons.items() if n]
    assert counted != named and not any(ctx.city(c) in " ".join(counted) for c in ("hiratsuka", "kaga"))
    # one city publishes rates (Kumamoto): more than MANY_CITIES = 0 are counted, not named
    assert summary["rate_cities"] == ["kumamoto"]
    assert dq.rate_city_phrase(ctx, summary) == ctx.city("kumamoto")
    monkeypatch.setattr(marks, "MANY_CITIES", 0)
    assert ctx.city("kumamoto") not in dq.rate_city_phrase(ctx, summary)


def test_a_city_without_rates_gives_empty_frames(con):
    ctx = make_ctx(con, cities=["kaga"], lang="en")
    assert dq.published_rates(ctx).height == 0
    assert dq.neither_lines(dq.published_rates(ctx)) == "(none)"
    chart = dq.classification_chart(ctx, dq.classification_counts(ctx)).to_dict()
    assert chart["title"]["text"] == ctx.w("findings.chart.classification_title_none")


def test_classification_chart_title_is_computed(con):
    ctx = make_ctx(con, lang="en")
    spec = dq.classification_chart(ctx, dq.classification_counts(ctx)).to_dict()
    assert spec["title"]["text"] == ctx.w("findings.chart.classification_title", reproduced=23, rates=24)
    assert spec["encoding"]["color"]["scale"]["range"][0] == dq.CLASSIFICATION_COLOURS["progress"]


def test_scatter_has_two_panels_with_band_and_labelled_neither(con):
    ctx = make_ctx(con, lang="en")
    spec = dq.rates_scatter(ctx, dq.published_rates(ctx)).to_dict()
    panels = spec["hconcat"]
    assert [p["title"]["text"] for p in panels] == [
        ctx.w("findings.chart.panel_title", rule=ctx.w("rules.name.progress"), within=21, compared=24),
        ctx.w("findings.chart.panel_title", rule=ctx.w("rules.name.ratio"), within=5, compared=24),
    ]
    datasets = spec["datasets"]
    label_layer = panels[0]["layer"][3]
    assert [row["table_row"] for row in datasets[label_layer["data"]["name"]]] == ["overall:6"]
    band = datasets[panels[0]["layer"][0]["data"]["name"]]
    assert all(row["y_hi"] - row["y_lo"] == pytest.approx(2 * dq.TOLERANCE) for row in band)
    tooltips = {t["field"] for t in panels[0]["layer"][2]["encoding"]["tooltip"]}
    assert {"published", "computed", "diff", "explanation_short"} <= tooltips


def test_scatter_samples_many_rates_but_counts_all(con):
    ctx = make_ctx(con, lang="en")
    rates = dq.published_rates(ctx)
    sample = dq.scatter_sample(rates, max_rows=8)
    assert sample.height == 8
    assert "kumamoto_progress_2022:overall:06" in sample["kpi_id"].to_list()  # 'neither' rows are kept first
    assert dq.scatter_sample(rates, max_rows=8).equals(sample)  # a fixed sample
    spec = dq.rates_scatter(ctx, rates, max_rows=8).to_dict()
    rows = spec["datasets"][spec["hconcat"][0]["layer"][2]["data"]["name"]]
    assert len(rows) == 8
    assert spec["hconcat"][0]["title"]["text"] == ctx.w("findings.chart.panel_title", rule=ctx.w("rules.name.progress"), within=21, compared=24)
    assert spec["title"]["subtitle"][1] == ctx.w("findings.chart.scatter_sample", shown=8, rates=24, neither=1)


# ---------------------------------------------------------------------------------------------
# The rules and labels


def test_rule_table_names_every_rule_and_what_is_compared(con):
    ctx = make_ctx(con, lang="en")
    table = dq.rule_table(ctx)
    assert table["rule"].to_list() == ["progress", "ratio", "open_sdg", "un_cr"]
    assert table["formula"].to_list() == [ctx.w(f"rules.formula.{r}") for r in table["rule"]]
    assert table[ctx.w("findings.column.compared")].to_list() == [ctx.w("findings.compared.yes")] * 2 + [ctx.w("findings.compared.no")] * 2


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_code_and_classification_has_its_words(con, lang):
    ctx = make_ctx(con, lang=lang)
    for code in FINDING_CODES:
        assert dq.finding_name(ctx, code) and dq.finding_description(ctx, code)
    for rule in audit.CLASSIFICATIONS:
        assert dq.classification_name(ctx, rule) and dq.classification_meaning(ctx, rule)
    # Every finding of the database has its explanation in the language (all params present).
    found = dq.findings(ctx)
    for row in found.iter_rows(named=True):
        assert dq.finding_explanation(ctx, row["code"], dq.finding_params(row["params"]))


# ---------------------------------------------------------------------------------------------
# The findings


def test_finding_counts_per_code(con):
    counts = dq.finding_counts(make_ctx(con))
    assert dq.code_totals(counts) == {
        "published_rate_unreproduced": 1,
        "target_wrong_side_of_baseline": 3,
        "indicator_baseline_differs": 1,
        "indicator_target_differs": 6,
        "indicator_target_year_differs": 8,
        "partner_date_differs": 1,
        # Themes are compared by code: no theme conflict is left; SmartValue 2018-03 is an agreement in
        # the plan and a declaration in the presentation (one event conflict).
        "partner_theme_differs": 0,
        "partner_event_differs": 1,
        "value_redacted": 18,
        "stakeholder_redacted": 16,
        "year_label_differs_from_column": 33,
    }
    assert dq.finding_lines(counts).splitlines()[-1] == "total                              88"


def test_findings_filter_by_city_and_cite_their_documents(con):
    found = dq.findings(make_ctx(con, cities=["kaga"]))
    assert found.height == 13
    assert set(found["city_id"]) == {"kaga"}
    partner = found.filter(pl.col("code") == "partner_date_differs").row(0, named=True)
    assert partner["doc_id"] is None
    assert partner["doc_ids"] == ["kaga_plan_2026", "kaga_presentation_2022"]
    cited = dq.citation(found)
    assert set(cited["doc_id"]) == {"kaga_plan_2026", "kaga_presentation_2022", "kaga_smartcity_2021"}


def test_code_sections_summarise_long_redaction_lists(con):
    sections = {s["code"]: s for s in dq.code_sections(dq.findings(make_ctx(con)))}
    assert sections["value_redacted"]["summarise"] and sections["stakeholder_redacted"]["summarise"]
    assert not sections["year_label_differs_from_column"]["summarise"]
    assert list(sections) == [c for c in FINDING_CODES if c != "partner_theme_differs"]  # no theme conflict is left


def test_redaction_summaries(con):
    ctx = make_ctx(con, lang="en")
    values = dq.redaction_counts(ctx, "value_redacted").row(0, named=True)
    assert values == {"city_id": "hiratsuka", "doc_id": "hiratsuka_proposal_2022", "findings": 18,
                      "names_redacted": 18, "cells_redacted": 36, "cells": 36}
    assert dq.redaction_summary(ctx, "value_redacted").row(0) == ("Hiratsuka", "hiratsuka_proposal_2022", 18, 18, 36, 36)
    people = dq.redaction_counts(ctx, "stakeholder_redacted").row(0, named=True)
    assert (people["findings"], people["with_role"]) == (16, 5)
    with pytest.raises(ValueError, match="not a redaction code"):
        dq.redaction_summary(ctx, "partner_date_differs")


def test_finding_table_concerns_and_quotes(con):
    ctx = make_ctx(con, lang="en")
    table = dq.finding_table(ctx, dq.findings(ctx), "target_wrong_side_of_baseline")
    assert table["concerns"].to_list() == ["s4_society:2", "initiatives:4", "overall:9"]
    assert table["No."].to_list() == ["035", "036", "037"]
    assert "合同面接会やテレワークによる障がい者雇用累計件数" in table["quotes"][0][0]
    # The explanation is the catalogue's sentence in the report's language, its numbers from params.
    assert table["explanation"][0] == ctx.w("findings.explain.target_wrong_side_of_baseline.increase",
                                            indicator="合同面接会やテレワークによる障がい者雇用累計件数", target="9",
                                            target_label="2030年", baseline="13", baseline_label="2025年8月")
    ja = dq.finding_table(make_ctx(con), dq.findings(make_ctx(con)), "target_wrong_side_of_baseline")
    assert "目標値9（2030年）が当初値13（2025年8月）を下回る" in ja[ja.columns[3]][0]


def test_finding_chart_folds_cities_beyond_the_palette(con):
    ctx = make_ctx(con, lang="en")
    counts = dq.finding_counts(ctx)
    spec = dq.finding_chart(ctx, counts).to_dict()
    assert spec["title"]["text"] == ctx.w("findings.chart.findings_title", n=88, biggest=33,
                                          name=dq.finding_name(ctx, "year_label_differs_from_column"))
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Hiratsuka", "Kaga", "Kumamoto"]
    folded = dq.finding_chart(ctx, counts, max_series=2).to_dict()
    assert folded["encoding"]["color"]["scale"]["domain"] == ["Kumamoto", "2 other cities"]


# ---------------------------------------------------------------------------------------------
# Tables with quotes


def test_shorten():
    assert dq.shorten("a\tb\n c") == "a b c"
    long = "あ" * 300
    assert dq.shorten(long) == "あ" * 119 + "…"
    assert len(dq.shorten(long)) == dq.QUOTE_CHARS


def test_quote_table_keeps_full_quote_in_details():
    long = "<b>" + "x" * 200
    frame = pl.DataFrame({"city": ["Kaga", "Kaga"], "quotes": [[long, long], ["short"]]})
    data, meta = dq.quote_table_bundle(frame, source="doc [d]", quote_column="quotes")
    html_text = data["text/html"]
    assert html_text.count("<details") == 1  # duplicates shown once; a short quote needs no details
    assert "&lt;b&gt;" + "x" * 200 in html_text and "<b>" not in html_text
    assert "「short」" in html_text
    assert meta["sdgcities"] == {"kind": "table", "source": "doc [d]"}
    assert data["text/plain"].endswith("doc [d]")
    with pytest.raises(ValueError):
        dq.quote_table_bundle(frame, source=" ", quote_column="quotes")


# ---------------------------------------------------------------------------------------------
# The notebook


def test_notebook_is_clean_and_parameterised():
    assert nbstore.problems(NOTEBOOK) == []
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    first, second = notebook.cells[0], notebook.cells[1]
    assert first.metadata.get("tags") == ["parameters"]
    assert "cities: list[str] | None = None" in first.source and 'lang: str = "ja"' in first.source
    assert "database: str | None = None" in first.source
    assert "nb.setup(cities=cities, lang=lang, database=database)" in second.source
    # Words come from the catalogue: no sentence pairs in the notebook.
    assert not any(s in c.source for c in notebook.cells for s in ("nb.say", "nb.heading", "ctx.t("))
    checked = [c for c in notebook.cells if nbstore.is_checked(c)]
    assert len(checked) == 3
    stored = "".join(o.get("text", "") for c in checked for o in c.outputs)
    assert "not_published     38" in stored and "total                              88" in stored
