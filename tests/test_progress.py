"""Tests for sdgcities.build.models.progress: each rule on hand-computed cases, undefined cases, and
property tests that no input crashes a rule or yields an infinite/NaN value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdgcities.build.models.progress import (
    CAVEAT_CODES,
    GROWTH_INPUTS,
    PROBLEM_CODES,
    REASON_CODES,
    RULE_NAMES,
    STATUS_CODES,
    RuleResult,
    UnknownRuleError,
    evaluate,
    evaluate_all,
    raw_progress,
    raw_ratio,
)


def row(baseline, actual, target, *, by=2015, ay=2020, ty=2030, direction="increase"):
    return dict(baseline=baseline, baseline_year=by, actual=actual, actual_year=ay,
                target=target, target_year=ty, direction=direction)


def cagr(end, start, years):
    return (end / start) ** (1 / years) - 1


# Kumamoto, as printed: "2017年度 40.6 % | 2021年度 29.5 % | 2030年度 50 % | -118%"
KUMAMOTO_SHARE = row(40.6, 29.5, 50, by=2017, ay=2021, ty=2030, direction="increase")
# Kumamoto energy use: "2015年度 20,987 TJ | 2019年度 16,836 TJ | 2023年度 21,000 TJ | 達成"
KUMAMOTO_ENERGY = row(20987, 16836, 21000, by=2015, ay=2019, ty=2023, direction="decrease")


# --------------------------------------------------------------------------- Kumamoto rows


def test_kumamoto_share_progress_matches_published_minus_118():
    r = evaluate("progress", **KUMAMOTO_SHARE)
    # (29.5 - 40.6) / (50 - 40.6) x 100 = -11.1 / 9.4 x 100 = -118.085...
    assert r.value == pytest.approx(-118.0851063829787, abs=1e-9)
    assert round(r.value) == -118
    assert r.status == "regress"
    assert (r.reason_code, r.unusable, r.caveats) == (None, (), ())


def test_kumamoto_share_other_rules():
    results = evaluate_all(**KUMAMOTO_SHARE)
    assert results["ratio"].value == pytest.approx(59.0)  # 29.5 / 50 x 100
    assert results["ratio"].status == "regress"           # worse than the 40.6 baseline
    # CAGR_o = (29.5/40.6)^(1/4) - 1 = -0.076740; CAGR_r = (50/40.6)^(1/13) - 1 = 0.016149
    assert results["open_sdg"].value == pytest.approx(-4.752114, abs=1e-5)
    assert results["open_sdg"].status == "deterioration"
    assert results["un_cr"].value == pytest.approx(-4.752114, abs=1e-5)
    assert results["un_cr"].status == "deterioration"


def test_kumamoto_energy_cap_is_achieved():
    results = evaluate_all(**KUMAMOTO_ENERGY)
    progress = results["progress"]
    assert progress.value is None            # -31,930 % would be meaningless under a cap
    assert progress.status == "achieved"
    assert progress.reason_code == "cap_met"
    assert results["ratio"].value == pytest.approx(124.7327156, abs=1e-6)  # 21000 / 16836 x 100
    assert results["ratio"].status == "achieved"
    # Open SDG keeps R = -CAGR_o / |CAGR_r| = 0.053606 / 0.0000774079 = 692.5 and reports the target
    assert results["open_sdg"].value == pytest.approx(692.5087, rel=1e-6)
    assert results["open_sdg"].status == "target_achieved"
    assert results["un_cr"].value is None
    assert results["un_cr"].status == "achieved"
    assert results["un_cr"].reason_code == "cap_met"


def test_cap_exceeded_is_regress_not_achieved():
    r = evaluate_all(**row(100, 120, 110, direction="decrease"))
    assert r["progress"].value is None and r["progress"].status == "regress"
    assert r["ratio"].value == pytest.approx(110 / 120 * 100)
    assert r["ratio"].status == "regress"
    assert r["un_cr"].value is None and r["un_cr"].status == "deterioration"
    # Open SDG: R = -1 x CAGR(120/100, 5y) / |CAGR(110/100, 15y)|
    expected = -cagr(120, 100, 5) / abs(cagr(110, 100, 15))
    assert r["open_sdg"].value == pytest.approx(expected) and r["open_sdg"].value < 0
    assert r["open_sdg"].status == "deterioration"


# --------------------------------------------------------------------------- progress rule


@pytest.mark.parametrize(
    "baseline, actual, target, direction, expected, status",
    [
        (100, 90, 120, "increase", -50.0, "regress"),        # moved away
        (100, 150, 120, "increase", 250.0, "achieved"),      # overshoot
        (100, 120, 120, "increase", 100.0, "achieved"),      # exactly met
        (100, 100, 120, "increase", 0.0, "stagnation"),
        (0, 5, 10, "increase", 50.0, "on_track"),            # zero baseline is fine here
        (100, 80, 50, "decrease", 40.0, "on_track"),         # decrease KPI: falling is progress
        (100, 110, 50, "decrease", -20.0, "regress"),
        (100, 40, 50, "decrease", 120.0, "achieved"),        # below the decrease target
        (10, 12, 30, "increase", 10.0, "partial"),           # behind the 33.3 % time path
        (-10, -5, 0, "increase", 50.0, "on_track"),          # negative values are fine here
    ],
)
def test_progress_hand_computed(baseline, actual, target, direction, expected, status):
    r = evaluate("progress", **row(baseline, actual, target, direction=direction))
    assert r.value == pytest.approx(expected)
    assert r.status == status


def test_progress_on_track_uses_straight_line_path():
    # 5 of 15 years elapsed = 33.33 %; 34 % closed is on track, 33 % is behind
    assert evaluate("progress", **row(0, 34, 100)).status == "on_track"
    assert evaluate("progress", **row(0, 33, 100)).status == "partial"


def test_progress_without_years_still_gives_value():
    r = evaluate("progress", **row(100, 110, 120, by=None, ay=None, ty=None))
    assert r.value == pytest.approx(50.0)
    assert r.status == "partial"
    assert r.caveats == ("on_track_not_assessed",)
    assert r.unusable == (("baseline_year", "missing"), ("actual_year", "missing"), ("target_year", "missing"))


def test_progress_target_equal_to_baseline():
    r = evaluate("progress", **row(100, 105, 100))
    assert r.value is None
    assert r.status == "achieved"   # a "maintain" KPI held at or above its level
    assert r.reason_code == "target_eq_baseline"
    r = evaluate("progress", **row(100, 95, 100))
    assert r.value is None and r.status is None
    r = evaluate("progress", **row(100, 105, 100, direction=None))
    assert r.value is None and r.status is None
    assert r.caveats == ("direction_unknown",) and r.direction is None


def test_direction_inferred_when_missing():
    r = evaluate("progress", **row(100, 80, 50, direction=None))
    assert r.value == pytest.approx(40.0)
    assert r.caveats == ("direction_inferred",) and r.direction == "decrease"
    r = evaluate("ratio", **row(100, 80, 50, direction="sideways"))
    assert r.value == pytest.approx(62.5)
    assert r.caveats == ("direction_not_understood", "direction_inferred") and r.direction == "decrease"


# --------------------------------------------------------------------------- ratio rule


@pytest.mark.parametrize(
    "baseline, actual, target, direction, expected, status",
    [
        (100, 110, 120, "increase", 110 / 120 * 100, "partial"),
        (100, 150, 120, "increase", 125.0, "achieved"),
        (100, 90, 120, "increase", 75.0, "regress"),
        (100, 100, 120, "increase", 100 / 120 * 100, "stagnation"),
        (100, 80, 50, "decrease", 62.5, "partial"),          # target / actual
        (100, 40, 50, "decrease", 125.0, "achieved"),
        (0, 5, 10, "increase", 50.0, "partial"),
    ],
)
def test_ratio_hand_computed(baseline, actual, target, direction, expected, status):
    r = evaluate("ratio", **row(baseline, actual, target, direction=direction))
    assert r.value == pytest.approx(expected)
    assert r.status == status


def test_ratio_zero_divisors():
    r = evaluate("ratio", **row(5, 3, 0, direction="increase"))
    assert r.value is None and r.reason_code == "zero_divisor"
    r = evaluate("ratio", **row(10, 0, 0, direction="decrease"))      # zero accidents reached
    assert r.value is None and r.status == "achieved" and r.reason_code == "zero_divisor"
    r = evaluate("ratio", **row(10, 4, 0, direction="decrease"))
    assert r.value == 0.0 and r.status == "partial"
    assert r.caveats == ("decrease_target_zero",)


def test_ratio_negative_values_undefined():
    r = evaluate("ratio", **row(-10, -5, 0, direction="increase"))
    assert r.value is None and r.reason_code == "negative_values"


def test_ratio_ignores_years_and_target_equal_to_baseline():
    r = evaluate("ratio", **row(100, 105, 100, by=None, ay=None, ty=None))
    assert r.value == pytest.approx(105.0) and r.status == "achieved"


# --------------------------------------------------------------------------- growth-rate rules

# Baseline 100 in 2020, target 200 in 2030: CAGR_r = 2^(1/10) - 1 = 0.0717735.
# With the actual one year later, CR = (actual/100 - 1) / 0.0717735.
@pytest.mark.parametrize(
    "actual, cr, un_status, open_status",
    [
        (107, 0.9752908, "on_track", "substantial_progress"),
        (105, 0.6966363, "fair", "moderate_progress"),
        (104, 0.5573090, "fair", "limited_progress"),        # UN fair from 0.5, Open SDG moderate from 0.6
        (100.5, 0.0696636, "limited", "limited_progress"),
        (99.5, -0.0696636, "limited", "deterioration"),     # UN limited down to -0.1, Open SDG < 0
        (99, -0.1393273, "deterioration", "deterioration"),
        (250, 20.899089, "achieved", "target_achieved"),       # target met: status regardless of CR
    ],
)
def test_growth_rule_bands(actual, cr, un_status, open_status):
    kwargs = row(100, actual, 200, by=2020, ay=2021, ty=2030)
    un, osdg = evaluate("un_cr", **kwargs), evaluate("open_sdg", **kwargs)
    assert un.value == pytest.approx(cr, rel=1e-4)
    assert osdg.value == pytest.approx(cr, rel=1e-4)     # same for an increase KPI below target
    assert un.status == un_status
    assert osdg.status == open_status


def test_growth_rules_decrease_kpi():
    # 100 (2015) -> 80 (2020), target 50 (2030): CAGR_o = -0.0436475, CAGR_r = -0.0451584
    r = evaluate_all(**row(100, 80, 50, direction="decrease"))
    assert r["un_cr"].value == pytest.approx(0.9665423, abs=1e-6)
    assert r["un_cr"].status == "on_track"
    assert r["open_sdg"].value == pytest.approx(0.9665423, abs=1e-6)
    assert r["open_sdg"].status == "substantial_progress"
    # rising instead of falling: both negative
    r = evaluate_all(**row(100, 120, 50, direction="decrease"))
    expected = cagr(120, 100, 5) / cagr(50, 100, 15)
    assert r["un_cr"].value == pytest.approx(expected) and expected < -0.1
    assert r["un_cr"].status == "deterioration"
    assert r["open_sdg"].value == pytest.approx(expected)
    assert r["open_sdg"].status == "deterioration"


def test_growth_rules_overshoot():
    r = evaluate_all(**row(100, 150, 120))
    expected = cagr(150, 100, 5) / cagr(120, 100, 15)   # 6.9075
    assert r["un_cr"].value == pytest.approx(expected) and r["un_cr"].status == "achieved"
    assert r["open_sdg"].value == pytest.approx(expected) and r["open_sdg"].status == "target_achieved"


@pytest.mark.parametrize("rule", ["open_sdg", "un_cr"])
@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (row(0, 5, 10), ("nonpositive", ())),
        (row(10, -5, 20), ("nonpositive", ())),
        (row(100, 105, 100), ("target_eq_baseline", ())),
        (row(100, 110, 120, ay=2015), ("years", (("actual_year", "not_after_baseline"),))),
        (row(100, 110, 120, ay=2014), ("years", (("actual_year", "not_after_baseline"),))),
        (row(100, 110, 120, ty=2015), ("years", (("target_year", "not_after_baseline"),))),
        (row(100, 110, 120, ty=None), ("years", (("target_year", "missing"),))),
        (row(100, 110, 120, by=None), ("years", (("baseline_year", "missing"),))),
        (row(100, float("nan"), 120), ("no_actual", (("actual", "nan"),))),
        (row(100, 110, float("inf")), ("no_baseline_target", (("target", "infinite"),))),
        (row(None, 110, 120), ("no_baseline_target", (("baseline", "missing"),))),
    ],
)
def test_growth_rules_undefined(rule, kwargs, fragment):
    r = evaluate(rule, **kwargs)
    assert r.value is None
    assert (r.reason_code, r.unusable) == fragment


def test_zero_target_reached_is_achieved_even_without_growth_rate():
    kwargs = row(10, 0, 0, direction="decrease")
    assert evaluate("open_sdg", **kwargs).status == "target_achieved"
    assert evaluate("un_cr", **kwargs).status == "achieved"
    assert evaluate("un_cr", **kwargs).value is None


def test_progress_and_ratio_undefined_inputs():
    for rule in ("progress", "ratio"):
        r = evaluate(rule, **row(100, None, 120))
        assert r.value is None and r.status is None and r.unusable == (("actual", "missing"),)
        r = evaluate(rule, **row(100, 110, float("-inf")))
        assert r.value is None and r.unusable == (("target", "infinite"),)
        r = evaluate(rule, **row(100, "110", 120))
        assert r.value is None and r.unusable == (("actual", "not_a_number"),)


def test_overflow_gives_none_not_inf():
    r = evaluate("progress", **row(-1e308, 1e308, 1.0))
    assert r.value is None and r.reason_code == "overflow"
    r = evaluate("ratio", **row(1, 1e308, 1e-308))
    assert r.value is None and r.reason_code == "overflow"


def test_numpy_like_and_float_years_accepted():
    r = evaluate("un_cr", **row(100.0, 107.0, 200.0, by=2020.0, ay=2021.0, ty=2030.0))
    assert r.value == pytest.approx(0.9752908, rel=1e-6)
    r = evaluate("un_cr", **row(100.0, 107.0, 200.0, by=2020.5, ay=2021, ty=2030))
    assert r.value is None and r.unusable == (("baseline_year", "not_whole_year"),)


# --------------------------------------------------------------------------- API


def test_unknown_rule_error_names_value_and_lists_rules():
    with pytest.raises(UnknownRuleError) as info:
        evaluate("progres", **KUMAMOTO_SHARE)
    message = str(info.value)
    assert "'progres'" in message
    for name in RULE_NAMES:
        assert name in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownRuleError, match="None"):
        evaluate(None, **KUMAMOTO_SHARE)  # type: ignore[arg-type]


def test_evaluate_all_returns_every_rule():
    results = evaluate_all(**KUMAMOTO_SHARE)
    assert tuple(results) == RULE_NAMES
    assert all(isinstance(r, RuleResult) and r.rule == name for name, r in results.items())
    assert RULE_NAMES == ("progress", "ratio", "open_sdg", "un_cr")


def test_rule_result_is_frozen():
    r = evaluate("progress", **KUMAMOTO_SHARE)
    with pytest.raises(Exception):
        r.value = 1.0  # type: ignore[misc]


def test_every_code_has_a_label_in_each_catalogue():
    """Statuses, reasons and caveats are codes; each language's catalogue words every one of them,
    in the rules' own order (best status first)."""
    from sdgcities.present.words import Words, languages

    assert set(STATUS_CODES) == set(RULE_NAMES)
    for lang in languages():
        words = Words(lang)
        for rule, codes in STATUS_CODES.items():
            assert codes and all(code.isascii() and code == code.lower() for code in codes)
            assert list(words.labels(f"rules.status.{rule}")) == list(codes), (lang, rule)
            assert words(f"rules.name.{rule}") and words(f"rules.formula.{rule}")
        assert set(REASON_CODES) <= set(words.labels("rules.reason"))
        assert set(CAVEAT_CODES) == set(words.labels("rules.caveat"))
        assert set(PROBLEM_CODES) == set(words.labels("rules.problem"))
    assert Words("ja").label("rules.status.progress", "achieved") == "達成"


def test_raw_formulas():
    assert raw_progress(40.6, 29.5, 50) == pytest.approx(-118.0851063829787)
    assert raw_progress(1, 2, 1) is None
    assert raw_ratio(80, 50, "decrease") == pytest.approx(62.5)
    assert raw_ratio(80, 50, "increase") == pytest.approx(160.0)
    assert raw_ratio(5, 0, "increase") is None


# --------------------------------------------------------------------------- properties

awkward_numbers = st.one_of(
    st.none(),
    st.just(0.0), st.just(-0.0),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324, 1e-308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**400, max_value=10**400),
    st.floats(min_value=-1e6, max_value=1e6),
)
awkward_years = st.one_of(
    st.none(),
    st.integers(min_value=-10**30, max_value=10**30),
    st.integers(min_value=1990, max_value=2040),
    st.floats(allow_nan=True, allow_infinity=True),
)
directions = st.sampled_from([None, "increase", "decrease", "Increase", "sideways", ""])


@settings(max_examples=400, deadline=None)
@given(baseline=awkward_numbers, actual=awkward_numbers, target=awkward_numbers,
       baseline_year=awkward_years, actual_year=awkward_years, target_year=awkward_years,
       direction=directions)
def test_no_input_crashes_or_yields_non_finite(baseline, actual, target, baseline_year, actual_year,
                                               target_year, direction):
    results = evaluate_all(baseline=baseline, baseline_year=baseline_year, actual=actual,
                           actual_year=actual_year, target=target, target_year=target_year,
                           direction=direction)
    for rule, r in results.items():
        assert r.rule == rule
        if r.value is None:
            assert r.reason_code in REASON_CODES  # every missing value is explained, as a code
        else:
            assert isinstance(r.value, float) and math.isfinite(r.value)
            assert r.reason_code is None
        assert r.status is None or r.status in STATUS_CODES[rule]
        assert set(r.caveats) <= set(CAVEAT_CODES)
        assert all(name in GROWTH_INPUTS and problem in PROBLEM_CODES for name, problem in r.unusable)


@settings(max_examples=200, deadline=None)
@given(baseline=st.floats(min_value=1, max_value=1e6), target=st.floats(min_value=1, max_value=1e6),
       actual=st.floats(min_value=1, max_value=1e6))
def test_progress_sign_follows_direction(baseline, target, actual):
    """Moving towards the target never gives a negative progress value, for either direction."""
    if target == baseline:
        return
    direction = "increase" if target > baseline else "decrease"
    r = evaluate("progress", **row(baseline, actual, target, direction=direction))
    assert r.value is not None
    towards = (actual - baseline) * (target - baseline) > 0
    if towards:
        assert r.value > 0
    met = actual >= target if direction == "increase" else actual <= target
    assert (r.status == "achieved") == met


@pytest.mark.parametrize("kwargs, rule, code", [
    (dict(baseline=29, actual=None, target=50), "progress", "no_actual"),
    (dict(baseline=None, actual=3, target=None), "progress", "no_baseline_target"),
    (dict(baseline=20987, actual=16836, target=21000, direction="decrease"), "progress", "cap_met"),
    (dict(baseline=20987, actual=16836, target=21000, direction="decrease"), "un_cr", "cap_met"),
    (dict(baseline=5, actual=7, target=5, direction="increase"), "progress", "target_eq_baseline"),
    (dict(baseline=0, actual=3, target=10), "open_sdg", "nonpositive"),
    (dict(baseline=1, actual=-2, target=5), "ratio", "negative_values"),
    (dict(baseline=4, actual=2, target=0, direction="increase"), "ratio", "zero_divisor"),
    (dict(baseline=5, actual=6, target=5), "open_sdg", "target_eq_baseline"),
    (dict(baseline=5, actual=6, target=8, baseline_year=None), "un_cr", "years"),
])
def test_reason_codes(kwargs, rule, code):
    inputs = dict(baseline=None, baseline_year=2017, actual=None, actual_year=2021, target=None, target_year=2030,
                  direction=None) | kwargs
    result = evaluate(rule, **inputs)
    assert result.value is None and result.reason_code == code
