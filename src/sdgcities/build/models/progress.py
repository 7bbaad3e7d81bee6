"""Progress rules for KPIs with a baseline, an actual value and a target.

SDGs Future Cities publish each KPI as a baseline (当初値, with its fiscal year), yearly actuals
(実績), a target (目標値, with its year) and often an achievement rate (達成度, %). This module
computes four different progress measures for the same row so that reports can compare them and
audit the published figure:

``progress``  gap closed so far, (actual - baseline) / (target - baseline) x 100, the rule of the
              Cabinet Office progress evaluation sheets (進捗評価シート).
``ratio``     actual / target x 100 (target / actual x 100 for a decrease KPI).
``open_sdg``  the Open SDG platform's progress measure: observed over required compound annual
              growth rate, with Statistics Canada's thresholds.
``un_cr``     the UN SDG Progress Chart's CR = CAGR_actual / CAGR_required, with the UN Statistics
              Division's thresholds.

Every rule is direction-aware. A KPI's direction is ``"increase"`` (higher is better),
``"decrease"`` (lower is better) or None. When it is None the direction is inferred from where
the target lies relative to the baseline, and the result carries the caveat ``direction_inferred``.

A decrease KPI whose target lies *above* its baseline (or an increase KPI whose target lies below
it) has a target that is a cap (or a floor) the baseline already satisfied, e.g. Kumamoto's energy
use, 20,987 TJ in 2015 with a 2023 target of "at most 21,000 TJ". Such a target counts as achieved
while the actual stays on the right side of it; the gap formulas are not meaningful there.

Undefined cases never raise and never give an infinite or NaN number: the value is None and the
result says why with codes (``reason_code``, the unusable inputs and the caveats), which the reports
word from their catalogues (present/catalogues/<lang>/rules.yaml). Only an unknown rule name raises
(UnknownRuleError). Cleaning the inputs and the raw formulas: :mod:`sdgcities.build.models.rule_inputs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from sdgcities.build.models.rule_inputs import (  # noqa: F401  (raw formulas re-exported for the audit)
    CAVEAT_CODES,
    INPUT_NAMES,
    PROBLEM_CODES,
    Inputs,
    cagr,
    elapsed_share,
    finite_or_none,
    missing_code,
    moved,
    prepare,
    raw_progress,
    raw_ratio,
    target_against_direction,
    target_met,
)

RULE_NAMES = ("progress", "ratio", "open_sdg", "un_cr")

# Why a rule gives no value for a row (RuleResult.reason_code): a closed list, labelled in the
# catalogues (rules.reason.<code>).
REASON_CODES = (
    "no_actual",           # the actual is missing or unusable
    "no_baseline_target",  # the baseline or the target is missing or unusable
    "years",               # a year is missing, unusable or out of order
    "cap_met",             # the target is a cap (floor) the baseline already met: status only
    "target_eq_baseline",  # the target equals the baseline (no gap, no required growth)
    "nonpositive",         # a zero or negative value: no compound growth rate
    "negative_values",     # a ratio of negative values does not measure attainment
    "zero_divisor",        # the ratio divides by a zero actual or target: status only
    "direction_unknown",   # no direction given and none inferable from target vs baseline
    "overflow",            # the result is not a finite number
)

# Thresholds, named after their sources so that the docstrings and the code cannot drift apart.
# Open SDG / sdg-build (SeriesProgress.get_progress_thresholds, method 2 = quantitative target).
OPEN_SDG_HIGH = 0.95
OPEN_SDG_MED = 0.6
OPEN_SDG_LOW = 0.0
# UN Statistics Division, SDG Progress Chart technical note (trend with a numerical target).
UN_CR_ON_TRACK = 0.95
UN_CR_FAIR = 0.5
UN_CR_LIMITED = -0.1

# Each rule's status codes, best to worst (labels: rules.status.<rule>.<code> in the catalogues).
STATUS_CODES: dict[str, tuple[str, ...]] = {
    "progress": ("achieved", "on_track", "partial", "stagnation", "regress"),
    "ratio": ("achieved", "partial", "stagnation", "regress"),
    "open_sdg": ("target_achieved", "substantial_progress", "moderate_progress", "limited_progress", "deterioration"),
    "un_cr": ("achieved", "on_track", "fair", "limited", "deterioration"),
}


class UnknownRuleError(ValueError):
    """Raised by evaluate() for a rule name that is not in RULE_NAMES."""

    def __init__(self, rule: Any):
        self.rule = rule
        super().__init__(f"unknown progress rule {rule!r}; valid rules are: {', '.join(RULE_NAMES)}")


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one KPI row, in codes and numbers (no sentence).

    ``value`` is a percentage for ``progress`` and ``ratio`` and a growth-rate ratio (e.g. 0.83)
    for ``open_sdg`` and ``un_cr``; it is None when the rule is undefined for the inputs.
    ``status`` is one of STATUS_CODES[rule] or None. ``reason_code`` says why value is None (one of
    REASON_CODES; None when value is set); ``unusable`` names the required inputs that are unusable
    and why ((input, problem code) pairs, rule_inputs.PROBLEM_CODES); ``caveats`` are codes that
    qualify the result whether or not there is a value (rule_inputs.CAVEAT_CODES).
    ``direction`` is the direction the rule used (given or inferred).
    """

    rule: str
    value: float | None
    status: str | None
    reason_code: str | None = None
    unusable: tuple[tuple[str, str], ...] = ()
    caveats: tuple[str, ...] = ()
    direction: str | None = None


def _result(rule: str, inp: Inputs, value: float | None, status: str | None, reason_code: str | None = None,
            *, unusable: tuple[tuple[str, str], ...] = (), caveats: tuple[str, ...] = ()) -> RuleResult:
    """A result carrying the direction's caveats first, then the rule's own."""
    # The same object RuleResult(...) makes, its fields set in one step: the frozen dataclass's __init__ sets
    # each of the seven through object.__setattr__ (an eighth of evaluate_all's time; four results per KPI row).
    result = _new_result(RuleResult)
    result.__dict__.update(rule=rule, value=value, status=status, reason_code=reason_code, unusable=unusable,
                           caveats=inp.direction_caveats + caveats if caveats else inp.direction_caveats, direction=inp.direction)
    return result


_new_result = object.__new__


# ---------------------------------------------------------------------------------------------
# Rules


def _rule_progress(inp: Inputs) -> RuleResult:
    """progress: share of the baseline-to-target gap closed so far.

    Formula: (actual - baseline) / (target - baseline) x 100 (percent).

    Source: the achievement rate (達成度) of the Cabinet Office's SDGs Future City progress
    evaluation sheets (SDGs未来都市等進捗評価シート, 内閣府地方創生推進事務局; evaluation committee
    page https://www.chisou.go.jp/tiiki/kankyo/kaigi/suisinhyouka.html). Checked on Kumamoto:
    2017 40.6 %, 2021 29.5 %, target 2030 50 % gives (29.5 - 40.6) / (50 - 40.6) x 100 = -118.1,
    published as -118 %. The formula is sign-symmetric, so a decrease KPI (target below baseline)
    needs no special case: a fall towards the target gives a positive percentage.

    Status bands (ours; the sheets publish only the number):
      achieved    the target is met (actual >= target, or <= for a decrease KPI), i.e. >= 100
      on_track    0 < value < 100 and value >= the straight-line share of time elapsed,
                  (actual_year - baseline_year) / (target_year - baseline_year) x 100
      partial     0 < value < 100 but behind that path, or the years are not usable
      stagnation  value == 0 (actual equals baseline)
      regress     value < 0 (moved away from the target)

    Undefined: a missing/NaN/infinite baseline, actual or target; target equal to baseline
    (division by zero; status still 'achieved' when the direction is known and the actual meets
    the target, e.g. a "maintain" KPI); a cap or floor already met at baseline (value None,
    status 'achieved' while the actual stays within it, otherwise 'regress'). Years are not
    needed for the value, only for on_track.
    """
    unusable = inp.unusable(("baseline", "actual", "target"))
    if unusable:
        return _result("progress", inp, None, None, missing_code(unusable), unusable=unusable)
    b, a, t, d = inp.baseline, inp.actual, inp.target, inp.direction
    assert b is not None and a is not None and t is not None
    met = target_met(a, t, d)

    if t == b:
        return _result("progress", inp, None, "achieved" if met else None, "target_eq_baseline")
    if target_against_direction(b, t, d):
        # A cap (decrease KPI) or floor (increase KPI) met at baseline: the status comes from it.
        return _result("progress", inp, None, "achieved" if met else "regress", "cap_met")

    value = raw_progress(b, a, t)
    if value is None:
        return _result("progress", inp, None, None, "overflow")
    caveats: tuple[str, ...] = ()
    if met is None:
        met = value >= 100.0
    if met:
        status = "achieved"
    elif value < 0:
        status = "regress"
    elif value == 0:
        status = "stagnation"
    else:
        share, unusable = elapsed_share(inp)
        if share is None:
            status = "partial"
            caveats = ("on_track_not_assessed",)
        else:
            status = "on_track" if value >= share else "partial"
        return _result("progress", inp, value, status, unusable=unusable, caveats=caveats)
    return _result("progress", inp, value, status)


def _rule_ratio(inp: Inputs) -> RuleResult:
    """ratio: attainment as a share of the target.

    Formula: actual / target x 100 for an increase KPI; target / actual x 100 for a decrease KPI
    (our choice, so that 100 still means "target reached" and larger is still better: a decrease
    KPI at 80 against a target of 50 scores 62.5). With no direction and none inferable (target
    equal to baseline or baseline missing) the increase form is used (caveat increase_form_assumed).

    Source: the common attainment-rate convention 達成率 = 実績値 / 目標値 x 100, which some
    publishers use for 達成度 instead of the Cabinet Office gap formula; it ignores the baseline.

    Status bands:
      achieved    the target is met (value >= 100, checked on the raw values)
      partial     not met, actual better than baseline (or baseline unknown)
      stagnation  not met, actual equal to baseline
      regress     not met, actual worse than baseline

    Undefined: missing/NaN/infinite actual or target; a negative actual or target; a zero divisor
    (target 0 for an increase KPI, actual 0 for a decrease KPI, which still counts as achieved
    when the target is 0 or more). A decrease target of 0 gives 0 until it is reached, which is
    why the result then carries the caveat decrease_target_zero.
    """
    unusable = inp.unusable(("actual", "target"))
    if unusable:
        return _result("ratio", inp, None, None, missing_code(unusable), unusable=unusable)
    a, t, b = inp.actual, inp.target, inp.baseline
    assert a is not None and t is not None
    d = inp.direction
    caveats: tuple[str, ...] = ("increase_form_assumed",) if d is None else ()
    met = target_met(a, t, d if d is not None else "increase")

    def status_for(is_met: bool) -> str:
        if is_met:
            return "achieved"
        change = None if b is None else moved(b, a, d if d is not None else "increase")
        return {"same": "stagnation", "worse": "regress"}.get(change or "", "partial")

    if a < 0 or t < 0:
        return _result("ratio", inp, None, None, "negative_values", caveats=caveats)
    if (d == "decrease" and a == 0) or (d != "decrease" and t == 0):
        # The divisor is 0: no ratio, but comparing the actual with the target still gives a status.
        return _result("ratio", inp, None, status_for(bool(met)), "zero_divisor", caveats=caveats)
    value = raw_ratio(a, t, d if d is not None else "increase")
    if value is None:
        return _result("ratio", inp, None, None, "overflow", caveats=caveats)
    if d == "decrease" and t == 0:
        caveats += ("decrease_target_zero",)
    return _result("ratio", inp, value, status_for(bool(met)), caveats=caveats)


GROWTH_INPUTS = INPUT_NAMES  # the growth rules need every input


def _growth_inputs(inp: Inputs, rule: str) -> tuple[RuleResult | None, tuple[float, float] | None]:
    """Shared checks for the two growth-rate rules; returns (early result, (CAGR_obs, CAGR_req))."""
    unusable = inp.unusable(GROWTH_INPUTS)
    if unusable:
        return _result(rule, inp, None, None, missing_code(unusable), unusable=unusable), None
    b, a, t = inp.baseline, inp.actual, inp.target
    by, ay, ty = inp.baseline_year, inp.actual_year, inp.target_year
    assert None not in (b, a, t, by, ay, ty)
    if ay <= by:  # type: ignore[operator]
        return _result(rule, inp, None, None, "years", unusable=(("actual_year", "not_after_baseline"),)), None
    if ty <= by:  # type: ignore[operator]
        return _result(rule, inp, None, None, "years", unusable=(("target_year", "not_after_baseline"),)), None
    if any(v <= 0 for v in (b, a, t)):  # type: ignore[operator]
        return None, None  # handled by the caller, which may still report a met target
    observed = cagr(a, b, ay - by)  # type: ignore[arg-type, operator]
    required = cagr(t, b, ty - by)  # type: ignore[arg-type, operator]
    if observed is None or required is None:
        return _result(rule, inp, None, None, "overflow"), None
    return None, (observed, required)


def _rule_open_sdg(inp: Inputs) -> RuleResult:
    """open_sdg: Open SDG's progress measure for an indicator with a quantitative target.

    Formula (sdg-build ``SeriesProgress.methodology_2``):
      CAGR_o = (actual / baseline) ** (1 / (actual_year - baseline_year)) - 1
      CAGR_r = (target / baseline) ** (1 / (target_year - baseline_year)) - 1
      R      = d x CAGR_o / |CAGR_r|,  d = +1 for increase, -1 for decrease
    Taking |CAGR_r| keeps the sign meaningful when the target lies on the other side of the
    baseline from the desired direction (a cap already met).

    Status (``get_progress_status``; thresholds high 0.95, med 0.6, low 0):
      target_achieved       the actual meets the target (checked first, whatever R is)
      substantial_progress  R >= 0.95   ("On track" in the Open SDG documentation)
      moderate_progress     0.6 <= R < 0.95   ("Progress made but acceleration needed")
      limited_progress      0 <= R < 0.6
      deterioration         R < 0

    Sources: open-sdg/sdg-build, sdg/ProgressMeasure.py (get_progress_thresholds,
    methodology_2, get_progress_status); open-sdg/open-sdg docs/progress-methodology.md
    (https://open-sdg.readthedocs.io/en/latest/progress-methodology/), developed by Statistics
    Canada.

    Deliberate differences: Open SDG replaces a zero baseline or target by 0.001, flips the
    direction for all-negative series, defaults the target year to 2030 and the direction to
    negative; here a zero or negative value, a missing year or an unknown (and not inferable)
    direction gives value None with a reason code. A met target is still reported as target_achieved.
    """
    early, rates = _growth_inputs(inp, "open_sdg")
    if early is not None:
        return early
    b, a, t, d = inp.baseline, inp.actual, inp.target, inp.direction
    assert b is not None and a is not None and t is not None
    met_status = "target_achieved" if target_met(a, t, d) else None
    if rates is None:  # zero or negative values (Open SDG would substitute 0.001 for a zero)
        return _result("open_sdg", inp, None, met_status, "nonpositive")
    observed, required = rates
    if required == 0:
        return _result("open_sdg", inp, None, met_status, "target_eq_baseline")
    if d is None:
        return _result("open_sdg", inp, None, None, "direction_unknown")
    sign = 1.0 if d == "increase" else -1.0
    value = finite_or_none(sign * observed / abs(required))
    if value is None:
        return _result("open_sdg", inp, None, met_status, "overflow")
    if met_status:
        status = met_status
    elif value >= OPEN_SDG_HIGH:
        status = "substantial_progress"
    elif value >= OPEN_SDG_MED:
        status = "moderate_progress"
    elif value >= OPEN_SDG_LOW:
        status = "limited_progress"
    else:
        status = "deterioration"
    return _result("open_sdg", inp, value, status)


def _rule_un_cr(inp: Inputs) -> RuleResult:
    """un_cr: the UN SDG Progress Chart trend measure for an indicator with a numerical target.

    Formula: CR = CAGR_a / CAGR_r with
      CAGR_a = (actual / baseline) ** (1 / (actual_year - baseline_year)) - 1   (actual growth)
      CAGR_r = (target / baseline) ** (1 / (target_year - baseline_year)) - 1   (required growth)
    No direction factor is needed: for a decrease KPI both rates are negative and CR is positive
    when the value falls.

    Status (UN Statistics Division thresholds):
      achieved       the target is met (checked first; "target met" in the chart)
      on_track       CR >= 0.95          ("substantial progress / on track")
      fair           0.5 <= CR < 0.95    ("fair progress but acceleration needed")
      limited        -0.1 <= CR < 0.5    ("limited or no progress")
      deterioration  CR < -0.1

    Sources: UN Statistics Division, "Sustainable Development Goals Progress Chart 2022 -
    Technical Note", https://unstats.un.org/sdgs/report/2022/Progress_Chart_Technical_Note_2022.pdf
    (section "Measuring the trend for indicators with an explicit numerical target"); the same
    thresholds are applied in UNDP's SDG Push diagnostic code (UNDP-Data, getStatus: CR >= 0.95,
    >= 0.5, >= -0.1), which links that note. The 2023 and later notes assess progress by
    extrapolating the trend to 2030 instead; this rule keeps the CR form asked for here.

    Undefined: missing/NaN/infinite values or years, actual year not after baseline year, target
    year not after baseline year, zero or negative values, target equal to baseline (CAGR_r = 0),
    or a cap/floor already met at baseline (CR's sign would be misleading; status 'achieved' while
    the actual stays within it, otherwise 'deterioration').
    """
    early, rates = _growth_inputs(inp, "un_cr")
    if early is not None:
        return early
    b, a, t, d = inp.baseline, inp.actual, inp.target, inp.direction
    assert b is not None and a is not None and t is not None
    met = target_met(a, t, d)
    met_status = "achieved" if met else None
    if rates is None:
        return _result("un_cr", inp, None, met_status, "nonpositive")
    observed, required = rates
    if required == 0:
        return _result("un_cr", inp, None, met_status, "target_eq_baseline")
    if target_against_direction(b, t, d):
        # The required growth points the wrong way, so CR's sign would mislead; status from the cap.
        return _result("un_cr", inp, None, "achieved" if met else "deterioration", "cap_met")
    value = finite_or_none(observed / required)
    if value is None:
        return _result("un_cr", inp, None, met_status, "overflow")
    if met:
        status = "achieved"
    elif value >= UN_CR_ON_TRACK:
        status = "on_track"
    elif value >= UN_CR_FAIR:
        status = "fair"
    elif value >= UN_CR_LIMITED:
        status = "limited"
    else:
        status = "deterioration"
    return _result("un_cr", inp, value, status)


_RULES: dict[str, Callable[[Inputs], RuleResult]] = {
    "progress": _rule_progress,
    "ratio": _rule_ratio,
    "open_sdg": _rule_open_sdg,
    "un_cr": _rule_un_cr,
}


def evaluate(rule: str, *, baseline: float | None, baseline_year: int | None, actual: float | None,
             actual_year: int | None, target: float | None, target_year: int | None,
             direction: str | None) -> RuleResult:
    """Apply one rule to one KPI row. See each rule's docstring (``_rule_<name>``) for its formula,
    status bands and source. Raises UnknownRuleError for a rule name not in RULE_NAMES; every other
    problem gives value None with a reason code."""
    if not isinstance(rule, str) or rule not in _RULES:
        raise UnknownRuleError(rule)
    return _apply(rule, prepare(baseline, baseline_year, actual, actual_year, target, target_year, direction))


def _apply(rule: str, inp: Inputs) -> RuleResult:
    """One rule on prepared inputs, with the safety net of evaluate()."""
    try:
        result = _RULES[rule](inp)
    except (ArithmeticError, ValueError, TypeError):  # a last safety net; should not happen
        return _result(rule, inp, None, None, "overflow")
    if result.value is not None and not math.isfinite(result.value):
        return _result(rule, inp, None, result.status, "overflow")
    return result


def evaluate_all(*, baseline: float | None, baseline_year: int | None, actual: float | None, actual_year: int | None,
                 target: float | None, target_year: int | None, direction: str | None) -> dict[str, RuleResult]:
    """Apply every rule in RULE_NAMES to the same row; keyword arguments as for evaluate(). The inputs
    are prepared once for the four rules."""
    inp = prepare(baseline, baseline_year, actual, actual_year, target, target_year, direction)
    return {name: _apply(name, inp) for name in RULE_NAMES}
