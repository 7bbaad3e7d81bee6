"""Issue 4: the audit of published rates and the data-quality findings, on the real documents."""

from __future__ import annotations

import pytest

# Kumamoto's progress sheet, typed from data/raw/kumamoto_progress_2022.txt: for every row that prints
# a numeric 達成度, (baseline, latest actual, target, published). The expected rule is worked out here
# from these printed numbers alone, independently of the package.
PRINTED = {
    "overall:01": (40.6, 29.5, 50, -118), "overall:02": (1002, 1109, 1084, 130), "overall:03": (141, 208, 194, 126),
    "overall:04": (40.6, 29.5, 50.0, -118), "overall:05": (62.3, 65.0, 82.0, 14), "overall:06": (0, 3, 10, 20),
    "overall:07": (40.6, 29.5, 50.0, -118), "overall:08": (60.6, 58.9, 80.0, -9), "overall:10": (277, 627, 800, 67),
    "initiatives:01": (62.3, 65.0, 77.0, 18), "initiatives:02": (0, 3, 5, 60), "initiatives:03": (1317.1, 1416, 1400, 119),
    "initiatives:05": (52015, 35993, 55117, -517), "initiatives:06": (277, 627, 800, 67), "initiatives:07": (1002, 1109, 1037, 306),
    "initiatives:08": (2354, 2660, 2616, 117), "initiatives:09": (0, 593, 500, 119),
    "integrated:01": (4316, 3180, 4004, 364), "integrated:02": (141, 208, 174, 203), "integrated:03": (11, 44, 14, 314),
    "integrated:04": (42.9, 49.6, 56.5, 88), "integrated:05": (60.6, 58.9, 77.0, -10), "integrated:06": (40, 93, 96, 95),
    "integrated:07": (0, 4, 2, 200), "model_economy:01": (2354, 2660, 2616, 117), "model_economy:02": (0, 593, 500, 119),
    "model_environment:01": (1317, 1416, 1400, 119), "model_society:01": (40.6, 29.5, 50.0, -118),
}
DECREASE = {"integrated:01"}  # greenhouse-gas emissions: less is better, so the ratio is target / actual


def hand_rule(key: str) -> str:
    baseline, actual, target, published = PRINTED[key]
    gap = (actual - baseline) / (target - baseline) * 100
    ratio = (target / actual if key in DECREASE else actual / target) * 100
    by_gap, by_ratio = abs(gap - published) <= 1, abs(ratio - published) <= 1
    return {(True, True): "both", (True, False): "progress", (False, True): "ratio", (False, False): "neither"}[(by_gap, by_ratio)]


def test_every_published_rate_is_classified_as_computed_by_hand(con):
    audit = dict(con.sql("select kpi_id, rule from achievement_audit where city_id = 'kumamoto'").fetchall())
    for key in PRINTED:
        assert audit[f"kumamoto_progress_2022:{key}"] == hand_rule(key), key
    # The two rows that print 達成 instead of a number, and nothing published outside Kumamoto.
    assert audit["kumamoto_progress_2022:overall:09"] == audit["kumamoto_progress_2022:initiatives:04"] == "status_only"
    assert len(audit) == len(PRINTED) + 2
    others = con.sql("select distinct rule from achievement_audit where city_id <> 'kumamoto'").fetchall()
    assert others == [("not_published",)]


def test_classification_counts(con):
    counts = dict(con.sql("select rule, count(*) from achievement_audit group by 1").fetchall())
    hand = {}
    for key in PRINTED:
        hand[hand_rule(key)] = hand.get(hand_rule(key), 0) + 1
    assert {k: counts[k] for k in hand} == hand == {"progress": 21, "both": 4, "ratio": 2, "neither": 1}
    assert counts["status_only"] == 2 and counts["not_published"] == 43


def test_the_unreproduced_rate_is_explained_by_the_previous_years_actual(con):
    explanation = con.sql("select explanation from achievement_audit where rule = 'neither'").fetchall()[0][0]
    # Published 20%: (2 - 0) / (10 - 0); the 2019 and 2020 actuals (2) are printed in the initiatives table.
    import json

    best = json.loads(explanation)["candidates"][0]
    assert (best["method"], best["rule"], best["actual_year"], best["actual"], best["figure"]) == ("other_year", "progress", 2020, 2.0, 20.0)
    words = {json.loads(w)["word"] for (w,) in con.sql("select explanation from achievement_audit where rule = 'status_only'").fetchall()}
    assert words == {"達成"}


def test_rule_values_beside_the_published_rate(con):
    row = con.sql("""select progress_value, ratio_value, un_cr_value, open_sdg_value from achievement_audit
                     where kpi_id = 'kumamoto_progress_2022:overall:01'""").fetchall()[0]
    assert row[0] == pytest.approx((29.5 - 40.6) / (50 - 40.6) * 100)
    assert row[1] == pytest.approx(29.5 / 50 * 100)
    # Growth-rate rules: CAGR 2017->2021 observed over CAGR 2017->2030 required.
    observed = (29.5 / 40.6) ** (1 / 4) - 1
    required = (50 / 40.6) ** (1 / 13) - 1
    assert row[2] == pytest.approx(observed / required)


def findings(con, code, lang="en"):
    """(kpi_id, stakeholder_id, related_ids, the finding in words, quotes, params): the database holds
    the code and its params; the sentence is the catalogue's, filled in as the report does."""
    import json

    from sdgcities.present.analyses.data_quality import finding_explanation
    from sdgcities.present.notebook import Context

    ctx = Context(con, [], lang)
    rows = con.sql("select kpi_id, stakeholder_id, related_ids, params::varchar, quotes from data_quality_findings "
                   "where code = $c order by finding_id", params={"c": code}).fetchall()
    return [(k, s, r, finding_explanation(ctx, code, json.loads(p)), q, json.loads(p)) for k, s, r, p, q in rows]


def test_published_rate_unreproduced(con):
    rows = findings(con, "published_rate_unreproduced")
    assert [r[0] for r in rows] == ["kumamoto_progress_2022:overall:06"]
    assert "20%" in rows[0][3] and "放課後学習教室の開催箇所" in rows[0][4][0]
    assert rows[0][5] == {"indicator": "放課後学習教室の開催箇所", "published": 20.0, "progress": 30.0, "ratio": 30.0}
    assert "公表された達成度20%" in findings(con, "published_rate_unreproduced", "ja")[0][3]


def test_target_wrong_side_of_baseline(con):
    rows = {r[0]: r for r in findings(con, "target_wrong_side_of_baseline")}
    # Kaga: a cumulative count of hires, 13 now (2025年8月), 9 by 2030. Kumamoto: energy use 20,987 TJ, "reduction" targets 22,000 and 21,000.
    assert set(rows) == {"kaga_plan_2026:s4_society:02", "kumamoto_progress_2022:initiatives:04", "kumamoto_progress_2022:overall:09"}
    assert "target 9" in rows["kaga_plan_2026:s4_society:02"][3] and "baseline 13" in rows["kaga_plan_2026:s4_society:02"][3]
    params = rows["kaga_plan_2026:s4_society:02"][5]
    assert (params["direction"], params["target"], params["baseline"]) == ("increase", 9.0, 13.0)


def test_indicator_printed_differently_in_different_tables(con):
    baseline = findings(con, "indicator_baseline_differs")
    assert len(baseline) == 1 and "1,317.1" in baseline[0][3] and "1,317 (" in baseline[0][3]
    targets = {tuple(r[2]) for r in findings(con, "indicator_target_differs")}
    assert ("kumamoto_progress_2022:initiatives:01", "kumamoto_progress_2022:overall:05") in targets  # 77 (2021) vs 82 (2023)
    years = findings(con, "indicator_target_year_differs")
    participation = [r for r in years if "kumamoto_progress_2022:model_society:01" in r[2]]
    assert len(participation) == 1 and "2021年度" in participation[0][3] and "2030年度" in participation[0][3]


def test_partner_printed_with_different_dates_themes_or_events(con):
    dates = findings(con, "partner_date_differs")
    assert len(dates) == 1 and "トラジェクトリー" in dates[0][3] and "2019年5月" in dates[0][3] and "2019年 7月" in dates[0][3]
    # Themes are compared by their normalised code: the Covenant (署名 in one document, its aims in the
    # other) and ANA (アバターの活用 / アバターを活用) are no longer false conflicts.
    assert findings(con, "partner_theme_differs") == []
    # SmartValue 2018-03: an agreement (ブロックチェーンの活用) in the plan, a declaration
    # (ブロックチェーン都市宣言) in the presentation; the same theme code, a different kind of event.
    events = findings(con, "partner_event_differs")
    assert len(events) == 1 and "smartvalue" in events[0][3]
    assert "ブロックチェーンの活用" in events[0][3] and "ブロックチェーン都市宣言" in events[0][3]
    assert sorted(events[0][2]) == ["kaga_plan_2026:26", "kaga_presentation_2022:04"]


def test_partner_conflicts_compare_theme_codes_not_wording():
    from sdgcities.build.models.quality import _partner_conflicts

    def mention(doc, on, theme, role, event="agreement"):
        return {"doc_id": doc, "event": event, "event_on": on, "theme": theme, "role_ja": role}

    same_code = [mention("a", "2019-05", "smart_city", "アバターの活用"), mention("b", "2019-05", "smart_city", "アバターを活用")]
    assert _partner_conflicts(same_code) == []
    other_code = [mention("a", "2019-05", "smart_city", "x"), mention("b", "2019-05", "mobility", "x")]
    assert [c[0] for c in _partner_conflicts(other_code)] == ["theme"]
    moved = [mention("a", "2019-05", "mobility", "x"), mention("b", "2019-07", "mobility", "y")]
    assert [c[0] for c in _partner_conflicts(moved)] == ["date"]
    declared = [mention("a", "2018-03", "digital_government", "x"), mention("b", "2018-03", "digital_government", "y", "declaration")]
    assert [c[0] for c in _partner_conflicts(declared)] == ["event"]
    undated = [mention("a", None, "smart_city", "x", None), mention("b", "2019-08", "smart_city", "y", "founding")]
    assert _partner_conflicts(undated) == []


def test_redactions(con):
    kpis = findings(con, "value_redacted")
    redacted = con.sql("select count(*) from kpis where is_redacted").fetchall()[0][0]
    assert len(kpis) == redacted == 18
    assert all(r[0].startswith("hiratsuka_proposal_2022:") for r in kpis)
    people = findings(con, "stakeholder_redacted")
    assert len(people) == con.sql("select count(*) from stakeholders where is_redacted").fetchall()[0][0] == 16


def test_year_label_differs_from_column(con):
    rows = findings(con, "year_label_differs_from_column")
    row9 = [r for r in rows if r[0] == "kumamoto_progress_2022:overall:09" and "2019年度" in r[3] and "2021" in r[3]]
    assert len(row9) == 1
    assert "2019年度 16,836 T J" in row9[0][4][0]


def test_every_finding_code_is_described_and_found(con):
    from sdgcities.build.models.quality import FINDING_CODES

    found = {r[0] for r in con.sql("select distinct code from data_quality_findings").fetchall()}
    # Every code but the theme conflict is found in the real documents (no theme conflict remains
    # once themes are compared by code; test_partner_conflicts_compare_theme_codes_not_wording).
    assert found == set(FINDING_CODES) - {"partner_theme_differs"}
    assert con.sql("select count(*) from data_quality_findings where params is null or len(quotes) = 0").fetchall()[0][0] == 0
    # No sentence in the database: every finding is a code and its params, written in each language
    # from the catalogue (findings.yaml), the printed labels and numbers the same in both.
    assert "explanation" not in {r[0] for r in con.sql("describe data_quality_findings").fetchall()}
    for code in found:
        for lang in ("ja", "en"):
            assert all(text for _, _, _, text, _, _ in findings(con, code, lang))
