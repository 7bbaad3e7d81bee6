"""Tests for sdgcities.build.models.audit: classification of published achievement rates and the search for
what a publisher computed when the figure matches neither rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdgcities.build.models.audit import CLASSIFICATIONS, classify_published, explain_neither
from sdgcities.build.models.progress import evaluate_all

KUMAMOTO = dict(baseline=40.6, baseline_year=2017, actual=29.5, actual_year=2021,
                target=50, target_year=2030, direction="increase")


def rule_values(**kwargs):
    return {name: r.value for name, r in evaluate_all(**kwargs).items()}


# --------------------------------------------------------------------------- classify_published


def test_kumamoto_minus_118_is_the_progress_rule():
    values = rule_values(**KUMAMOTO)
    assert values["progress"] == pytest.approx(-118.0851, abs=1e-4)
    assert values["ratio"] == pytest.approx(59.0)
    assert classify_published(-118, None, values) == "progress"


def test_ratio_match():
    values = rule_values(**KUMAMOTO)
    assert classify_published(59, None, values) == "ratio"
    assert classify_published(58.2, None, values) == "ratio"   # 0.8 off, inside ±1


def test_both_when_rules_coincide():
    # zero baseline: progress = (5 - 0)/(10 - 0) = 50 = ratio 5/10
    values = rule_values(baseline=0, baseline_year=2015, actual=5, actual_year=2020,
                         target=10, target_year=2030, direction="increase")
    assert values["progress"] == pytest.approx(50.0) and values["ratio"] == pytest.approx(50.0)
    assert classify_published(50, None, values) == "both"


def test_neither():
    values = rule_values(**KUMAMOTO)
    assert classify_published(75, None, values) == "neither"
    assert classify_published(75, None, {"progress": None, "ratio": None}) == "neither"
    assert classify_published(75, None, {}) == "neither"


def test_tolerance_boundary():
    values = {"progress": -118.0851, "ratio": 59.0}
    assert classify_published(-117.1, None, values) == "progress"    # 0.985 off
    assert classify_published(-117.0, None, values) == "neither"     # 1.085 off
    assert classify_published(-117.0, None, values, tolerance=1.1) == "progress"
    assert classify_published(60.0, None, values) == "ratio"         # exactly 1.0 off, inclusive
    assert classify_published(-118.0, None, values, tolerance=0.0) == "neither"


def test_status_only_words():
    values = rule_values(**KUMAMOTO)
    assert classify_published(None, "達成", values) == "status_only"
    assert classify_published(None, "未達成", values) == "status_only"
    assert classify_published(float("nan"), "概ね達成", values) == "status_only"


@pytest.mark.parametrize("text", [None, "", "   ", "－", "-", "―", "—", "N/A", "記載なし"])
def test_not_published(text):
    assert classify_published(None, text, {"progress": 10.0, "ratio": 20.0}) == "not_published"


def test_number_in_text_when_pct_missing():
    values = {"progress": -118.0851, "ratio": 59.0}
    assert classify_published(None, "-118%", values) == "progress"
    assert classify_published(None, "▲118％", values) == "progress"     # accounting minus, full-width %
    assert classify_published(None, "５９％", values) == "ratio"          # full-width digits
    assert classify_published(None, "達成（59%）", values) == "ratio"
    assert classify_published(None, "1,180%", {"progress": 1180.2, "ratio": None}) == "progress"


def test_pct_wins_over_text():
    values = {"progress": -118.0851, "ratio": 59.0}
    assert classify_published(59.0, "達成", values) == "ratio"


def test_classifications_constant():
    assert CLASSIFICATIONS == ("progress", "ratio", "both", "neither", "status_only", "not_published")


@settings(max_examples=200, deadline=None)
@given(pct=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
       text=st.one_of(st.none(), st.text(max_size=12)),
       progress=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
       ratio=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_classify_never_crashes(pct, text, progress, ratio):
    result = classify_published(pct, text, {"progress": progress, "ratio": ratio})
    assert result in CLASSIFICATIONS


# --------------------------------------------------------------------------- explain_neither


def explain(*args, **kwargs):
    """explain_neither's codes and numbers, written as the English report writes them (findings.yaml)."""
    from sdgcities.present.analyses.data_quality import audit_explanation
    from sdgcities.present.notebook import Context

    return audit_explanation(Context(None, [], "en"), explain_neither(*args, **kwargs))


def test_explain_neither_returns_codes_and_numbers():
    found = explain_neither(130, 1000, [(2020, 1030), (2021, 1010)], 1023, "increase")
    assert found["published"] == 130.0 and found["tolerance"] == 1.0
    best = found["candidates"][0]
    assert {k: best[k] for k in ("method", "rule", "actual_year", "actual", "latest_year")} == {
        "method": "other_year", "rule": "progress", "actual_year": 2020, "actual": 1030.0, "latest_year": 2021}
    assert best["figure"] == pytest.approx(30 / 23 * 100)
    rounded = explain_neither(-122, 40.6, [(2021, 29.5)], 50, "increase")["candidates"][0]
    assert (rounded["method"], rounded["baseline"], rounded["actual"], rounded["target"]) == ("rounded", 41.0, 30.0, 50.0)
    # Written in Japanese from the same codes.
    from sdgcities.present.analyses.data_quality import audit_explanation
    from sdgcities.present.notebook import Context

    assert audit_explanation(Context(None, [], "ja"), found).startswith("2021年ではなく2020年の実績1,030を用いた進捗率ルールで再現できる: 130.4")


def test_explains_another_years_actual():
    # baseline 1,000, target 1,023: the 2021 actual 1,010 gives 43.5 and ratio 98.7, but the
    # 2020 actual 1,030 gives (1030 - 1000) / 23 x 100 = 130.4, published as 130
    text = explain(130, 1000, [(2020, 1030), (2021, 1010)], 1023, "increase")
    assert text == ("reproduced by the progress rule with the 2020 actual 1,030 instead of the "
                    "2021 actual: 130.4 vs published 130")


def test_explains_another_years_actual_in_ratio():
    # 1,000 / 1,023 x 100 = 97.75 with the 2019 actual (the 2021 actual gives 98.73, 1.03 off)
    text = explain(97.7, 900, [(2019, 1000), (2020, 1030), (2021, 1010)], 1023, "increase")
    assert text.startswith("reproduced by the ratio rule with the 2019 actual 1,000 instead of the 2021 actual: 97.8")


def test_explains_a_different_target():
    # (29.5 - 40.6) / (35 - 40.6) x 100 = 198.2 with an interim 2025 target of 35
    text = explain(198, 40.6, [(2021, 29.5)], 50, "increase", other_targets=[(2025, 35.0)])
    assert text == ("reproduced by the progress rule with the 2021 actual 29.5 and the 2025 target 35 "
                    "instead of the target 50: 198.2 vs published 198")


def test_explains_rounded_inputs():
    # (30 - 41) / (50 - 41) x 100 = -122.2
    text = explain(-122, 40.6, [(2021, 29.5)], 50, "increase")
    assert text == ("reproduced by the progress rule with inputs rounded to whole numbers "
                    "(baseline 41, 2021 actual 30, target 50): -122.2 vs published -122")


def test_explains_truncated_inputs():
    # (29 - 40) / (50 - 40) x 100 = -110.0
    text = explain(-110, 40.6, [(2021, 29.5)], 50, "increase")
    assert "inputs truncated to whole numbers (baseline 40, 2021 actual 29, target 50): -110.0" in text


def test_explains_fraction_instead_of_percentage():
    # ratio 29.5 / 50 = 0.59 published without x 100
    text = explain(0.59, 40.6, [(2021, 29.5)], 50, "increase")
    assert text == ("reproduced by the ratio rule with the 2021 actual 29.5, given as a fraction "
                    "rather than a percentage: 0.59 vs published 0.59")
    # a small published number does not fit every value below 100
    assert explain(0.2, 40.6, [(2021, 29.5)], 50, "increase") is None


def test_explains_value_times_100():
    # ratio 59 multiplied by 100 again = 5,900
    text = explain(5900, 40.6, [(2021, 29.5)], 50, "increase")
    assert text == ("reproduced by the ratio rule with the 2021 actual 29.5, multiplied by 100 once more: "
                    "5,900.0 vs published 5,900")


def test_explains_ratio_for_the_wrong_direction():
    # decrease KPI 100 -> 80, target 50: the rule gives 50/80 = 62.5; 80/50 = 160 was published
    text = explain(160, 100, [(2020, 80)], 50, "decrease")
    assert text == ("reproduced by the ratio rule inverted (actual / target, the form for an increase KPI) "
                    "with the 2020 actual 80: 160.0 vs published 160")


def test_explains_sign_flip_and_remaining_gap():
    text = explain(118, 40.6, [(2021, 29.5)], 50, "increase")
    assert "progress rule with its sign flipped" in text and "118.1 vs published 118" in text
    text = explain(218, 40.6, [(2021, 29.5)], 50, "increase")
    assert "remaining gap (100 minus the progress rule)" in text and "218.1 vs published 218" in text


def test_simplest_explanation_first_and_alternatives_listed():
    # Tier 1 (the 2020 actual: 130.4, 0.4 off) beats tier 2 (the 2021 actual against an interim
    # target of 1,007.7: (1010 - 1000) / 7.6923 x 100 = 130.0, closer) because it is simpler.
    text = explain(130, 1000, [(2020, 1030), (2021, 1010)], 1023, "increase",
                           other_targets=[(2025, 1007.6923)])
    assert text.startswith("reproduced by the progress rule with the 2020 actual 1,030 instead of the "
                           "2021 actual: 130.4 vs published 130 (also within 1 point: ")
    assert "the 2021 actual 1,010 and the 2025 target 1,007.6923 instead of the target 1,023 (130.0)" in text


def test_equal_candidates_in_one_tier_are_all_named():
    # with a zero baseline progress and ratio coincide: both fit the 2020 actual, and at 50 the
    # remaining gap 100 - 50 fits too
    text = explain(50, 0, [(2020, 5), (2021, 7)], 10, "increase")
    assert text == ("reproduced by the progress rule with the 2020 actual 5 instead of the 2021 actual: "
                    "50.0 vs published 50 (also within 1 point: the ratio rule with the 2020 actual 5 "
                    "instead of the 2021 actual (50.0); the remaining gap (100 minus the progress rule) "
                    "with the 2020 actual 5 (50.0))")


def test_plain_match_is_reported_as_such():
    text = explain(-118, 40.6, [(2021, 29.5)], 50, "increase")
    assert text == "reproduced by the progress rule with the 2021 actual 29.5 as published: -118.1 vs published -118"


def test_nothing_fits_returns_none():
    assert explain(999, 100, [(2020, 80)], 50, "decrease") is None
    assert explain(None, 100, [(2020, 80)], 50, "decrease") is None
    assert explain(float("nan"), 100, [(2020, 80)], 50, "decrease") is None
    assert explain(50, 100, [], 50, "decrease") is None
    assert explain(50, None, [(2020, float("nan"))], None, None) is None


awkward = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 1.7e308, 5e-324, 2.5, -0.5, 100.0]),
    st.floats(min_value=-1e4, max_value=1e4),
)


@settings(max_examples=300, deadline=None)
@given(pct=st.one_of(st.none(), awkward),
       baseline=st.one_of(st.none(), awkward),
       target=st.one_of(st.none(), awkward),
       actuals=st.lists(st.tuples(st.integers(1990, 2040), awkward), max_size=4),
       others=st.lists(st.tuples(st.integers(1990, 2040), awkward), max_size=2),
       direction=st.sampled_from([None, "increase", "decrease"]))
def test_explain_never_crashes(pct, baseline, target, actuals, others, direction):
    found = explain_neither(pct, baseline, actuals, target, direction, others)
    assert found is None or (found["candidates"] and all(math.isfinite(c["figure"]) for c in found["candidates"]))
    text = explain(pct, baseline, actuals, target, direction, others)
    assert text is None or (text.startswith("reproduced by ") and "nan" not in text and "inf" not in text)
    if text is not None:
        assert pct is not None and math.isfinite(pct)
