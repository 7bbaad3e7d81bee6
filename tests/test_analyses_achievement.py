"""Tests for sdgcities.present.analyses.achievement on the real database.

The expected figures were checked by hand against data/curated/*/kpis.csv and the raw documents:
Kumamoto's progress sheet prints baselines, actuals, targets and 達成度 for 30 KPI rows (4 of them
reprints), Kaga's plan baselines and 2030 targets only (14 rows, 5 reprints) plus 11 smart-city rows
printed mostly as words, and Hiratsuka's proposal 18 fully redacted rows.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import nbformat
import polars as pl
import pytest

from sdgcities.access import api
from sdgcities.build.models import progress
from sdgcities.present import marks
from sdgcities.present import notebook as nb
from sdgcities.present.words import Words
from sdgcities.present.analyses import achievement as ach
from sdgcities.build.models.progress import RULE_NAMES

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "achievement.ipynb"


def make_ctx(con, cities=None, lang="en") -> nb.Context:
    """A notebook Context on the test connection (what nb.setup builds, without opening another file)."""
    name = "name_ja" if lang == "ja" else "name_en"
    city_frame = api.cities(con)
    goals = api.sdg_goals(con)
    documents = {row["doc_id"]: row for row in api.documents(con).iter_rows(named=True)}
    return nb.Context(
        con,
        list(cities) if cities else api.valid_cities(con),
        lang,
        dict(zip(city_frame["city_id"], city_frame[name])),
        dict(zip(goals["goal"], goals[name])),
        dict(zip(goals["goal"], goals["colour"])),
        documents,
    )


@pytest.fixture
def ctx(con):
    return make_ctx(con)


@pytest.fixture
def progress_rows(ctx):
    return ach.evaluate_rows(ctx, "progress")


# --------------------------------------------------------------------------- rows and reasons


def test_kpi_rows_leave_out_reprints(ctx):
    rows = ach.kpi_rows(ctx)
    counts = dict(rows.group_by("city_id").len().iter_rows())
    # kaga: 14 plan rows - 5 reprints + 11 smart-city rows; kumamoto: 30 - 4 (overall:04, :07,
    # model_economy:01, :02); hiratsuka: 18, none marked 再掲.
    assert counts == {"hiratsuka": 18, "kaga": 20, "kumamoto": 26}
    assert ach.kpi_rows(ctx, include_repeats=True).height == 73
    assert "kumamoto_progress_2022:overall:04" not in rows["kpi_id"].to_list()


def test_kpi_rows_bind_city_values(con):
    # A hostile "city" is a bound value, not SQL: it matches nothing and the table survives.
    ctx = make_ctx(con, cities=["kaga'; drop table kpis; --"])
    assert ach.kpi_rows(ctx).height == 0
    assert con.sql("select count(*) from kpis").fetchall() == [(73,)]


def test_progress_per_city_counts_and_median(ctx, progress_rows):
    summary = {r["city_id"]: r for r in ach.city_summary(ctx, progress_rows).iter_rows(named=True)}
    assert (summary["kumamoto"]["n_rows"], summary["kumamoto"]["n_evaluated"], summary["kumamoto"]["n_status"]) == (26, 24, 26)
    # Sorted values: 12th and 13th are 66.92 (overall:10 / initiatives:06) and 94.64 (integrated:06).
    assert summary["kumamoto"]["median_score"] == pytest.approx((66.9216 + 94.6429) / 2, abs=1e-3)
    assert summary["kaga"]["n_evaluated"] == 0 and summary["kaga"]["median_score"] is None
    assert summary["hiratsuka"]["n_evaluated"] == 0 and summary["hiratsuka"]["n_status"] == 0


def test_qualification_reasons(ctx, progress_rows):
    qual = {(r["city_id"], r["reason_code"]): (r["n"], r["n_with_status"])
            for r in ach.qualification(ctx, progress_rows).iter_rows(named=True)}
    assert qual == {
        ("hiratsuka", "redacted"): (18, 0),
        ("kaga", "no_actual"): (10, 0),     # 9 plan rows + the security staff row (0 -> 3 people)
        ("kaga", "text_only"): (10, 0),     # 未構築 / 未策定 ... cells of the smart-city plan
        ("kumamoto", "cap_met"): (2, 2),    # energy use: 20,987 TJ with caps of 21,000 / 22,000 TJ
        ("kumamoto", "evaluated"): (24, 24),
    }


def test_growth_rules_reasons_and_scale(ctx):
    rows = ach.evaluate_rows(ctx, "open_sdg")
    qual = {(r["city_id"], r["reason_code"]): (r["n"], r["n_with_status"])
            for r in ach.qualification(ctx, rows).iter_rows(named=True)}
    # Four Kumamoto rows have a baseline of 0 (initiatives:02, :09, integrated:07, overall:06); two of
    # them already met the target, so they keep a status.
    assert qual[("kumamoto", "nonpositive")] == (4, 2)
    assert qual[("kumamoto", "evaluated")] == (22, 22)
    row = rows.filter(pl.col("kpi_id") == "kumamoto_progress_2022:overall:01").row(0, named=True)
    # (29.5/40.6)^(1/4) - 1 over (50/40.6)^(1/13) - 1 = -4.752114, shown x 100
    assert row["value"] == pytest.approx(-4.752114, abs=1e-5)
    assert row["score"] == pytest.approx(-475.2114, abs=1e-3)


@pytest.mark.parametrize("kpi_id, rule, expected", [
    ("kumamoto_progress_2022:overall:01", "progress", "evaluated"),
    ("hiratsuka_proposal_2022:init1_industry:01", "progress", "redacted"),
    ("kaga_smartcity_2021:security_asset:01", "ratio", "text_only"),
    ("kaga_plan_2026:i1_re100:01", "progress", "no_actual"),
    ("kumamoto_progress_2022:initiatives:04", "progress", "cap_met"),
    ("kumamoto_progress_2022:initiatives:04", "un_cr", "cap_met"),
    ("kumamoto_progress_2022:initiatives:02", "open_sdg", "nonpositive"),
])
def test_reason_codes_come_from_the_build(ctx, con, kpi_id, rule, expected):
    """The reason code is a column of kpi_rule_results (the database holds codes, no sentence)."""
    built = con.sql("select reason_code from kpi_rule_results where kpi_id = $k and rule = $r",
                    params={"k": kpi_id, "r": rule}).fetchall()
    assert built == [(expected,)]
    rows = ach.evaluate_rows(ctx, rule, include_repeats=True)
    assert rows.filter(pl.col("kpi_id") == kpi_id)["reason_code"].to_list() == [expected]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_reason_code_has_labels(con, lang):
    codes = {r[0] for r in con.sql("select distinct reason_code from kpi_rule_results").fetchall()}
    labels = Words(lang).labels("rules.reason")
    assert codes <= set(labels) and set(progress.REASON_CODES) <= set(labels)
    assert set(ach.REASON_ORDER) == set(labels)  # every reason has its place in the tables


# --------------------------------------------------------------------------- status bands


def test_status_counts_progress(ctx, progress_rows):
    lines = ach.status_lines(ctx, progress_rows, "progress")
    # achieved: initiatives 03/04/07/08/09, integrated 01/02/03/07, model_environment 01, overall 02/03/09;
    # on track: overall:10 (66.9 >= 4/6 of the period elapsed); regress: initiatives:05, integrated:05,
    # model_society:01, overall:01, overall:08.
    assert lines == [
        "hiratsuka: achieved 0, on_track 0, partial 0, stagnation 0, regress 0, not_evaluable 18",
        "kaga: achieved 0, on_track 0, partial 0, stagnation 0, regress 0, not_evaluable 20",
        "kumamoto: achieved 13, on_track 1, partial 7, stagnation 0, regress 5, not_evaluable 0",
        "all: achieved 13, on_track 1, partial 7, stagnation 0, regress 5, not_evaluable 38",
    ]


def test_status_table_lists_the_kpis_of_each_band(ctx, progress_rows):
    table = ach.status_table(ctx, progress_rows, "progress")
    assert table.height == 26
    status = ctx.label("achievement.col", "status")  # the header, in the report's language
    assert table[status].to_list()[0] == ach.status_label(ctx, "progress", "achieved")  # best band first
    regress = table.filter(pl.col(status) == ach.status_label(ctx, "progress", "regress"))["KPI"].to_list()
    assert sorted(regress) == [
        "kumamoto_progress_2022:initiatives:05", "kumamoto_progress_2022:integrated:05",
        "kumamoto_progress_2022:model_society:01", "kumamoto_progress_2022:overall:01",
        "kumamoto_progress_2022:overall:08",
    ]


# --------------------------------------------------------------------------- published vs recomputed


def test_published_agreement_progress(ctx, progress_rows):
    comparison = ach.published_comparison(ctx, progress_rows, "progress")
    counts = ach.published_counts(comparison)
    assert counts == {"agrees": 21, "differs": 3, "not_comparable": 0, "published": 24}
    differ = comparison.filter(pl.col("agreement") == "differs")["kpi_id"].sort().to_list()
    # integrated:03 (314% = 44/14) and integrated:04 (88% = 49.6/56.5) use actual/target;
    # overall:06 prints 20% where (3 - 0)/(10 - 0) = 30%.
    assert differ == ["kumamoto_progress_2022:integrated:03", "kumamoto_progress_2022:integrated:04",
                      "kumamoto_progress_2022:overall:06"]


def test_published_agreement_ratio_and_with_reprints(ctx):
    ratio = ach.published_comparison(ctx, ach.evaluate_rows(ctx, "ratio"), "ratio")
    agrees = ratio.filter(pl.col("agreement") == "agrees")["kpi_id"].sort().to_list()
    # 44/14 = 314.3 and 49.6/56.5 = 87.8 match; so do rows where baseline 0 makes both rules equal.
    assert "kumamoto_progress_2022:integrated:03" in agrees
    assert "kumamoto_progress_2022:integrated:04" in agrees
    assert "kumamoto_progress_2022:initiatives:01" not in agrees  # 65/77 = 84.4 vs published 18
    with_repeats = ach.evaluate_rows(ctx, "progress", include_repeats=True)
    assert ach.published_counts(ach.published_comparison(ctx, with_repeats, "progress")) == {
        "agrees": 25, "differs": 3, "not_comparable": 0, "published": 28}


def test_published_words(ctx, progress_rows):
    texts = ach.published_text_rows(ctx, progress_rows)
    assert sorted(zip(texts["kpi_id"], texts["published_achievement_text"], texts["status"])) == [
        ("kumamoto_progress_2022:initiatives:04", "達成", "achieved"),
        ("kumamoto_progress_2022:overall:09", "達成", "achieved"),
    ]
    paragraph = ach.published_text(ctx, ach.published_comparison(ctx, progress_rows, "progress"), texts, "progress")
    assert paragraph.key == "achievement.published.summary_one"  # one city publishes rates
    assert {k: paragraph.params[k] for k in ("names", "n", "agrees", "differs", "not_comparable")} == {
        "names": "Kumamoto", "n": 24, "agrees": 21, "differs": 3, "not_comparable": ""}
    # the words: 達成 twice, and the rule's top status (its label from the catalogue) for both
    assert paragraph.params["words"] == ctx.w("achievement.published.words", n=2, words=ctx.w(
        "achievement.published.word", word="達成", n=2, top=ctx.label("rules.status.progress", "achieved"), n_top=2))


# --------------------------------------------------------------------------- method sensitivity


def test_rule_matrix_flips(ctx):
    matrix = ach.rule_matrix(ctx)
    assert matrix.height == 64 * len(RULE_NAMES)
    summary = ach.flip_summary(matrix)
    flips = summary.filter(pl.col("flips"))["kpi_id"].to_list()
    # initiatives:01: progress 18.4% (partial) but R = 0.196 (limited); overall:05 likewise (R = 0.228);
    # integrated:04: R = 0.518 is "limited" for Open SDG (< 0.6) and "fair" for the UN (>= 0.5).
    assert flips == ["kumamoto_progress_2022:initiatives:01", "kumamoto_progress_2022:integrated:04",
                     "kumamoto_progress_2022:overall:05"]
    counts = {r["city_id"]: (r["n_rows"], r["n_comparable"], r["n_flips"])
              for r in ach.flip_counts(ctx, matrix).iter_rows(named=True)}
    assert counts == {"hiratsuka": (18, 0, 0), "kaga": (20, 0, 0), "kumamoto": (26, 26, 3)}
    row = summary.filter(pl.col("kpi_id") == "kumamoto_progress_2022:integrated:04").row(0, named=True)
    assert (row["progress"], row["ratio"], row["open_sdg"], row["un_cr"]) == ("partial", "partial", "limited_progress", "fair")


# --------------------------------------------------------------------------- ambition and disclosure


def test_ambition_kaga_by_hand(ctx):
    amb = ach.ambition(ctx).filter(pl.col("city_id") == "kaga")
    values = dict(zip(amb["kpi_id"], amb["ambition_pct"]))
    assert values["kaga_plan_2026:s4_economy:01"] == pytest.approx(21 / 29 / 7 * 100)          # 29 -> 50 members
    assert values["kaga_plan_2026:s4_environment:03"] == pytest.approx(11573 / 23399 / 8 * 100)  # decrease, positive
    assert values["kaga_plan_2026:s4_society:02"] == pytest.approx(-4 / 13 / 5 * 100)        # increase KPI, lower target
    assert values["kaga_plan_2026:i1_re100:03"] == pytest.approx(17796 / 426 / 7 * 100)       # 426 -> 18,222 kW
    status = dict(amb.group_by("ambition_status").len().iter_rows())
    assert status == {"ok": 9, "no_values": 10, "years": 1}
    summary = {r["city_id"]: (r["n"], r["median_pct"]) for r in ach.ambition_summary(ctx, ach.ambition(ctx)).iter_rows(named=True)}
    assert summary["kaga"][0] == 9
    assert summary["kaga"][1] == pytest.approx(15 / 55 / 5 * 100)  # the median row: partners 55 -> 70
    assert summary["hiratsuka"] == (0, None)


def test_ambition_kumamoto_matches_plain_formula(ctx, con):
    rows = con.sql("""select direction, baseline_value, baseline_year, target_value, target_year from kpis
                      where city_id = 'kumamoto' and not is_repeat""").fetchall()
    expected = [
        (1 if d == "increase" else -1) * (t - b) / abs(b) / (ty - by) * 100
        for d, b, by, t, ty in rows if b not in (None, 0) and t is not None and ty > by
    ]
    amb = ach.ambition(ctx).filter(pl.col("city_id") == "kumamoto")
    assert len(expected) == 22
    assert sorted(amb["ambition_pct"].drop_nulls().to_list()) == pytest.approx(sorted(expected))
    assert dict(amb.group_by("ambition_status").len().iter_rows()) == {"ok": 22, "zero_baseline": 4}
    assert ach.ambition_lines(ctx, ach.ambition(ctx))[2] == (
        f"kumamoto: 22 KPI rows, median {statistics.median(expected):.2f} % per year (excluded: zero_baseline 4)")


def test_ambition_by_goal(ctx):
    by_goal = ach.ambition_by_goal(ctx)
    kaga = {r["sdg_goal"]: r for r in by_goal.filter(pl.col("city_id") == "kaga").iter_rows(named=True)}
    assert kaga[12]["n_kpis"] == 1 and kaga[12]["median_ambition_pct"] == pytest.approx(17796 / 426 / 7 * 100)
    assert kaga[10]["median_ambition_pct"] == pytest.approx(-4 / 13 / 5 * 100)
    assert by_goal.filter(pl.col("city_id") == "hiratsuka").is_empty()
    sources = ach.ambition_goal_sources(ctx)
    assert set(sources["doc_id"]) == {"kaga_plan_2026", "kumamoto_progress_2022"}


def test_disclosure_shares(ctx):
    assert ach.disclosure_lines(ach.disclosure(ctx)) == [
        "hiratsuka: 18 KPI rows; name 0.000, baseline 0.000, target 0.000, actual 0.000",
        "kaga: 20 KPI rows; name 1.000, baseline 0.500, target 0.500, actual 0.000",
        "kumamoto: 26 KPI rows; name 1.000, baseline 1.000, target 1.000, actual 1.000",
    ]


def test_availability_says_who_has_no_actuals(ctx):
    avail = {r["city_id"]: r for r in ach.availability(ctx).iter_rows(named=True)}
    assert (avail["hiratsuka"]["n_actual"], avail["hiratsuka"]["n_redacted"]) == (0, 18)
    assert (avail["kaga"]["n_actual"], avail["kaga"]["n_text_only"], avail["kaga"]["n_baseline_target"]) == (0, 10, 10)
    paragraph = ach.availability_text(ctx, ach.availability(ctx))
    assert paragraph.key == "achievement.availability.cities"
    assert paragraph.params["cities"] == " ".join([  # in the order of the cities; Kumamoto has actuals: not named
        ctx.w("achievement.availability.all_redacted", city="Hiratsuka", n_rows=18),
        ctx.w("achievement.availability.no_actuals", city="Kaga", n_rows=20, n_baseline_target=10,
              text_only=ctx.w("achievement.availability.text_only", n=10), redacted=""),
    ])


# --------------------------------------------------------------------------- printed lines and charts


def test_evaluated_lines(ctx, progress_rows):
    assert ach.evaluated_lines(ctx, progress_rows, "progress") == [
        "rule: progress",
        "hiratsuka: 0 of 18 KPI rows evaluated, 0 with a status, median n/a",
        "kaga: 0 of 20 KPI rows evaluated, 0 with a status, median n/a",
        "kumamoto: 24 of 26 KPI rows evaluated, 26 with a status, median 80.8",
    ]


def test_display_range_keeps_reference_lines_and_clips_extremes(progress_rows):
    scores = progress_rows["score"].drop_nulls().to_list()
    low, high, step = ach.display_range(scores)
    assert low <= 0 and high >= 100
    assert (low, high, step) == (-125.0, 375.0, 25.0)
    assert min(scores) < low and max(scores) > high  # -516.5 and 1,100 drawn at the edge


def _layer_data(spec: dict) -> list[list[dict]]:
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec.get("layer", []):
        name = layer.get("data", {}).get("name")
        if name:
            out.append(datasets[name])
    return out


def test_distribution_chart_has_one_point_per_evaluated_row(ctx, progress_rows):
    spec = ach.distribution_chart(ctx, progress_rows, "progress").to_dict()
    # one English name per rule, from the catalogue (rules.name), and the median with its n
    assert spec["title"]["text"] == f"{Words('en')('rules.name.progress')}: Kumamoto median 80.8 (n=24)"
    point_layers = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "circle"]
    assert len(point_layers) == 1
    points = spec["datasets"][point_layers[0]["data"]["name"]]
    assert len(points) == 24
    assert {p["kpi_id"] for p in points} == set(progress_rows.filter(pl.col("score").is_not_null())["kpi_id"])
    tooltip_fields = {t["field"] for t in point_layers[0]["encoding"]["tooltip"]}
    assert {"indicator_ja", "score", "status_label", "baseline_value", "actual_value", "target_value"} <= tooltip_fields
    assert "Hiratsuka" in " ".join(spec["title"]["subtitle"])  # named as having no values


def test_charts_build_in_both_languages(con):
    for lang in ("ja", "en"):
        ctx = make_ctx(con, lang=lang)
        for rule in RULE_NAMES:
            rows = ach.evaluate_rows(ctx, rule)
            for chart in (ach.distribution_chart(ctx, rows, rule), ach.histogram_chart(ctx, rows, rule),
                          ach.status_chart(ctx, rows, rule),
                          ach.published_chart(ctx, ach.published_comparison(ctx, rows, rule), rule)):
                json.dumps(chart.to_dict())
        ach.matrix_chart(ctx, ach.rule_matrix(ctx)).to_dict()
        ach.ambition_chart(ctx, ach.ambition(ctx)).to_dict()
        ach.ambition_goal_chart(ctx, ach.ambition_by_goal(ctx)).to_dict()
        ach.disclosure_chart(ctx, ach.disclosure(ctx)).to_dict()


def test_many_cities_mode_pools_and_draws_no_points(ctx, progress_rows, monkeypatch):
    monkeypatch.setattr(marks, "MANY_CITIES", 1)  # three cities are "many" now
    assert ach.many_cities(ctx)
    rows = ach.evaluate_rows(ctx, "progress")
    assert set(rows["group"]) == {"Society", "Environment", "Integrated", "No side", "Economy"}
    spec = ach.distribution_chart(ctx, rows, "progress").to_dict()
    assert not [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "circle"]
    counts = ach.status_counts(ctx, rows, "progress")
    assert "city_id" not in counts.columns
    assert int(counts.filter(pl.col("status_code") == "achieved")["n"].sum()) == 13
    hist, *_ = ach.histogram_frame(ctx, rows, "progress")
    assert int(hist["n"].sum()) == 24
    ach.disclosure_chart(ctx, ach.disclosure(ctx)).to_dict()
    ach.ambition_goal_chart(ctx, ach.ambition_by_goal(ctx)).to_dict()


def test_text_for_cities_without_values(con):
    ctx = make_ctx(con, cities=["kaga", "hiratsuka"], lang="ja")
    rows = ach.evaluate_rows(ctx, "progress")
    matrix = ach.rule_matrix(ctx)
    assert ach.flip_text(ctx, matrix) == ("achievement.flips.none_assessable", {"n": 38})
    assert ach.published_text(ctx, ach.published_comparison(ctx, rows, "progress"), ach.published_text_rows(ctx, rows),
                              "progress").key == "achievement.published.none"
    spec = ach.status_chart(ctx, rows, "progress").to_dict()
    assert spec["title"]["text"] == ctx.w("achievement.status.title_none", rule=ctx.label("rules.name", "progress"), n=38)
    assert "38" in spec["title"]["text"] and ctx.lang == "ja"


# --------------------------------------------------------------------------- the notebook


def test_notebook_checks_rule_before_any_query():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    params = notebook.cells[0]
    assert params.metadata.get("tags") == ["parameters"]
    assert 'rule: str = "progress"' in params.source and "cities: list[str] | None = None" in params.source
    setup = notebook.cells[1].source
    assert setup.index('nb.check_choice("rule", rule, RULE_NAMES)') < setup.index("nb.setup(")
    with pytest.raises(api.UnknownValueError, match="unknown rule 'bogus'.*progress, ratio, open_sdg, un_cr"):
        nb.check_choice("rule", "bogus", RULE_NAMES)


def test_kpi_labels_name_the_indicator_as_printed_with_its_table_and_row(ctx, progress_rows):
    """Each KPI's label is its indicator as printed (at most 26 characters, cut with '…'), or the
    catalogue's word for a redacted indicator, then [table:row]; computed here row by row."""
    redacted = ctx.w("achievement.redacted_kpi")
    rows = progress_rows.select("indicator_ja", "table_code", "row_no", "kpi").rows()
    assert len(rows) > 50
    for indicator, table_code, row_no, label in rows:
        name = redacted if not indicator else (indicator if len(indicator) <= 26 else indicator[:25] + "…")
        assert label == f"{name} [{table_code}:{row_no or '?'}]"
    assert any(len(i or "") > 26 for i, *_ in rows) and any(not i for i, *_ in rows)  # both cases occur
