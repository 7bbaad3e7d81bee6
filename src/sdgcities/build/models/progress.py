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
the target lies relative to the baseline, and the result says so in ``reason``.

A decrease KPI whose target lies *above* its baseline (or an increase KPI whose target lies below
it) has a target that is a cap (or a floor) the baseline already satisfied, e.g. Kumamoto's energy
use, 20,987 TJ in 2015 with a 2023 target of "at most 21,000 TJ". Such a target counts as achieved
while the actual stays on the right side of it; the gap formulas are not meaningful there and say so.

Undefined cases never raise and never give an infinite or NaN number: the value is None and
``reason`` explains why in plain English. Only an unknown rule name raises (UnknownRuleError).
"""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

RULE_NAMES = ("progress", "ratio", "open_sdg", "un_cr")

# Why a rule gives no value for a row (RuleResult.reason_code): a closed list. The labels of the
# codes live with the readers; the build stores the code beside the sentence.
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

STATUS_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "progress": {
        "achieved": {"ja": "達成", "en": "Achieved"},
        "on_track": {"ja": "順調（計画どおりの進み具合以上）", "en": "On track (at or ahead of the straight-line path)"},
        "partial": {"ja": "一部進捗（計画より遅れ）", "en": "Some progress (behind the straight-line path)"},
        "stagnation": {"ja": "横ばい", "en": "No change from baseline"},
        "regress": {"ja": "後退", "en": "Regress (moved away from the target)"},
    },
    "ratio": {
        "achieved": {"ja": "達成", "en": "Achieved"},
        "partial": {"ja": "未達（当初値より改善）", "en": "Not yet achieved (better than baseline)"},
        "stagnation": {"ja": "未達（当初値から横ばい）", "en": "Not yet achieved (no change from baseline)"},
        "regress": {"ja": "未達（当初値より後退）", "en": "Not yet achieved (worse than baseline)"},
    },
    "open_sdg": {
        "target_achieved": {"ja": "目標達成", "en": "Target achieved"},
        "substantial_progress": {"ja": "順調", "en": "On track"},
        "moderate_progress": {"ja": "進捗あり・加速が必要", "en": "Progress made but acceleration needed"},
        "limited_progress": {"ja": "限定的な進捗", "en": "Limited progress"},
        "deterioration": {"ja": "悪化", "en": "Deterioration"},
    },
    "un_cr": {
        "achieved": {"ja": "目標達成", "en": "Target met"},
        "on_track": {"ja": "順調（大きな進捗）", "en": "Substantial progress / on track"},
        "fair": {"ja": "一定の進捗・加速が必要", "en": "Fair progress but acceleration needed"},
        "limited": {"ja": "進捗が限定的または無し", "en": "Limited or no progress"},
        "deterioration": {"ja": "悪化", "en": "Deterioration"},
    },
}


class UnknownRuleError(ValueError):
    """Raised by evaluate() for a rule name that is not in RULE_NAMES."""

    def __init__(self, rule: Any):
        self.rule = rule
        super().__init__(f"unknown progress rule {rule!r}; valid rules are: {', '.join(RULE_NAMES)}")


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one KPI row.

    ``value`` is a percentage for ``progress`` and ``ratio`` and a growth-rate ratio (e.g. 0.83)
    for ``open_sdg`` and ``un_cr``; it is None when the rule is undefined for the inputs.
    ``status`` is one of the codes in STATUS_LABELS[rule] or None. ``reason`` says why value is
    None, or carries a caveat (e.g. an inferred direction) when it is not; ``reason_code`` says why
    value is None as one of REASON_CODES (None when value is set), so that no reader has to parse
    the sentence.
    """

    rule: str
    value: float | None
    status: str | None
    reason: str | None
    reason_code: str | None = None  # why value is None, one of REASON_CODES (None when value is set)


# ---------------------------------------------------------------------------------------------
# Input cleaning


def _clean_number(x: Any) -> tuple[float | None, str | None]:
    """(finite float, None) or (None, why it is unusable)."""
    if x is None:
        return None, "missing"
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, decimal.Decimal)):
        return None, f"not a number ({x!r})"
    try:
        value = float(x)
    except (OverflowError, ValueError, TypeError):
        return None, f"not a representable number ({x!r})"
    if math.isnan(value):
        return None, "NaN"
    if math.isinf(value):
        return None, "infinite"
    return value, None


def _clean_year(x: Any) -> tuple[int | None, str | None]:
    """(int year, None) or (None, why it is unusable). Whole floats such as 2021.0 are accepted."""
    if x is None:
        return None, "missing"
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None, f"not a year ({x!r})"
    if isinstance(x, numbers.Integral):
        return int(x), None
    try:
        value = float(x)
    except (OverflowError, ValueError, TypeError):
        return None, f"not a year ({x!r})"
    if not math.isfinite(value):
        return None, "NaN or infinite"
    if value != int(value):
        return None, f"not a whole year ({x!r})"
    return int(value), None


_DIRECTION_ALIASES = {
    "increase": "increase", "up": "increase", "higher": "increase", "positive": "increase",
    "decrease": "decrease", "down": "decrease", "lower": "decrease", "negative": "decrease",
}


@dataclass(frozen=True)
class _Inputs:
    baseline: float | None
    baseline_year: int | None
    actual: float | None
    actual_year: int | None
    target: float | None
    target_year: int | None
    direction: str | None            # "increase" | "decrease" | None after inference
    direction_note: str | None       # caveat when the direction was inferred or not understood
    problems: dict[str, str]         # input name -> why it is unusable


def _prepare(baseline, baseline_year, actual, actual_year, target, target_year, direction) -> _Inputs:
    problems: dict[str, str] = {}
    values = {}
    for name, raw in (("baseline", baseline), ("actual", actual), ("target", target)):
        values[name], why = _clean_number(raw)
        if why:
            problems[name] = why
    years = {}
    for name, raw in (("baseline_year", baseline_year), ("actual_year", actual_year), ("target_year", target_year)):
        years[name], why = _clean_year(raw)
        if why:
            problems[name] = why

    note = None
    resolved = None
    if isinstance(direction, str) and direction.strip().lower() in _DIRECTION_ALIASES:
        resolved = _DIRECTION_ALIASES[direction.strip().lower()]
    else:
        if direction is not None:
            note = f"direction {direction!r} not understood"
        b, t = values["baseline"], values["target"]
        if b is not None and t is not None and t != b:
            resolved = "increase" if t > b else "decrease"
            note = (note + "; " if note else "") + f"direction inferred as {resolved} from target vs baseline"
        elif note is None:
            note = "direction unknown"
    return _Inputs(values["baseline"], years["baseline_year"], values["actual"], years["actual_year"],
                   values["target"], years["target_year"], resolved, note, problems)


def _missing(inp: _Inputs, names: tuple[str, ...]) -> str | None:
    """A sentence naming every required input that is unusable, or None when all are fine."""
    bad = [f"{name.replace('_', ' ')} is {inp.problems[name]}" for name in names if name in inp.problems]
    return "; ".join(bad) if bad else None


def _missing_code(inp: _Inputs, names: tuple[str, ...]) -> str | None:
    """The reason code of the first unusable required input: actual, then baseline/target, then years."""
    bad = [name for name in names if name in inp.problems]
    if not bad:
        return None
    if "actual" in bad:
        return "no_actual"
    if "baseline" in bad or "target" in bad:
        return "no_baseline_target"
    return "years"


def _join(*parts: str | None) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text or None


def _finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _target_met(actual: float, target: float, direction: str | None) -> bool | None:
    """True/False when the direction is known; a decrease target is a cap (actual <= target)."""
    if direction == "increase":
        return actual >= target
    if direction == "decrease":
        return actual <= target
    return None


def _target_against_direction(baseline: float, target: float, direction: str | None) -> bool:
    """True when the target lies on the wrong side of the baseline for the stated direction,
    i.e. a cap (decrease KPI) or a floor (increase KPI) that the baseline already satisfied."""
    return (direction == "decrease" and target > baseline) or (direction == "increase" and target < baseline)


def _moved(baseline: float, actual: float, direction: str | None) -> str | None:
    """'better', 'same' or 'worse' than baseline for the direction (None when direction unknown)."""
    if actual == baseline:
        return "same"
    if direction == "increase":
        return "better" if actual > baseline else "worse"
    if direction == "decrease":
        return "better" if actual < baseline else "worse"
    return None


# ---------------------------------------------------------------------------------------------
# Raw formulas (also used by the audit module to try alternative inputs)


def raw_progress(baseline: float | None, actual: float | None, target: float | None) -> float | None:
    """(actual - baseline) / (target - baseline) x 100, or None when undefined or not finite."""
    try:
        b, a, t = float(baseline), float(actual), float(target)  # type: ignore[arg-type]
        if not all(math.isfinite(v) for v in (b, a, t)) or t == b:
            return None
        return _finite_or_none((a - b) / (t - b) * 100.0)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None


def raw_ratio(actual: float | None, target: float | None, direction: str | None) -> float | None:
    """actual / target x 100, or target / actual x 100 for a decrease KPI; None when undefined.

    Both numbers must be non-negative and the divisor positive: a ratio of negative quantities
    does not measure attainment.
    """
    try:
        a, t = float(actual), float(target)  # type: ignore[arg-type]
        if not (math.isfinite(a) and math.isfinite(t)) or a < 0 or t < 0:
            return None
        if direction == "decrease":
            return None if a == 0 else _finite_or_none(t / a * 100.0)
        return None if t == 0 else _finite_or_none(a / t * 100.0)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None


def _cagr(end: float, start: float, years: int) -> float | None:
    """Compound annual growth rate (end / start) ** (1 / years) - 1 for positive values."""
    try:
        if end <= 0 or start <= 0 or years <= 0:
            return None
        return _finite_or_none(math.expm1((math.log(end) - math.log(start)) / years))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


# ---------------------------------------------------------------------------------------------
# Rules


def _rule_progress(inp: _Inputs) -> RuleResult:
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
    missing = _missing(inp, ("baseline", "actual", "target"))
    if missing:
        return RuleResult("progress", None, None, missing, _missing_code(inp, ("baseline", "actual", "target")))
    b, a, t, d = inp.baseline, inp.actual, inp.target, inp.direction
    assert b is not None and a is not None and t is not None
    met = _target_met(a, t, d)

    if t == b:
        status = "achieved" if met else None
        return RuleResult("progress", None, status, _join(
            "target equals baseline, so the gap formula divides by zero", inp.direction_note), "target_eq_baseline")
    if _target_against_direction(b, t, d):
        kind = "cap" if d == "decrease" else "floor"
        status = "achieved" if met else "regress"
        return RuleResult("progress", None, status, _join(
            f"target {t:g} is a {kind} the baseline {b:g} already met ({d} KPI with the target on the "
            f"other side of the baseline), so the gap formula is not meaningful; status from the {kind}",
            inp.direction_note), "cap_met")

    value = raw_progress(b, a, t)
    if value is None:
        return RuleResult("progress", None, None, _join("the result overflowed", inp.direction_note), "overflow")
    notes = [inp.direction_note] if inp.direction_note else []
    if met is None:
        met = value >= 100.0
    if met:
        status = "achieved"
    elif value < 0:
        status = "regress"
    elif value == 0:
        status = "stagnation"
    else:
        share, why = _elapsed_share(inp)
        if share is None:
            status = "partial"
            notes.append(f"on_track not assessed: {why}")
        else:
            status = "on_track" if value >= share else "partial"
    return RuleResult("progress", value, status, _join(*notes))


def _elapsed_share(inp: _Inputs) -> tuple[float | None, str | None]:
    """Share (percent) of the baseline-to-target period that has elapsed at the actual year."""
    missing = _missing(inp, ("baseline_year", "actual_year", "target_year"))
    if missing:
        return None, missing
    by, ay, ty = inp.baseline_year, inp.actual_year, inp.target_year
    assert by is not None and ay is not None and ty is not None
    if ty <= by:
        return None, "target year is not after baseline year"
    if ay < by:
        return None, "actual year is before baseline year"
    try:
        return _finite_or_none((ay - by) / (ty - by) * 100.0), None
    except (OverflowError, ZeroDivisionError):
        return None, "years out of range"


def _rule_ratio(inp: _Inputs) -> RuleResult:
    """ratio: attainment as a share of the target.

    Formula: actual / target x 100 for an increase KPI; target / actual x 100 for a decrease KPI
    (our choice, so that 100 still means "target reached" and larger is still better: a decrease
    KPI at 80 against a target of 50 scores 62.5). With no direction and none inferable (target
    equal to baseline or baseline missing) the increase form is used and the reason says so.

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
    why the reason then carries a caveat.
    """
    missing = _missing(inp, ("actual", "target"))
    if missing:
        return RuleResult("ratio", None, None, missing, _missing_code(inp, ("actual", "target")))
    a, t, b = inp.actual, inp.target, inp.baseline
    assert a is not None and t is not None
    d = inp.direction
    notes = [inp.direction_note] if inp.direction_note else []
    if d is None:
        notes.append("increase form actual / target used")
    met = _target_met(a, t, d if d is not None else "increase")

    def status_for(is_met: bool) -> str:
        if is_met:
            return "achieved"
        moved = None if b is None else _moved(b, a, d if d is not None else "increase")
        return {"same": "stagnation", "worse": "regress"}.get(moved or "", "partial")

    if a < 0 or t < 0:
        return RuleResult("ratio", None, None, _join("a ratio of negative values does not measure attainment", *notes),
                          "negative_values")
    if d == "decrease" and a == 0:
        return RuleResult("ratio", None, status_for(bool(met)), _join(
            "actual is 0, so target / actual is undefined; status from comparing actual with target", *notes), "zero_divisor")
    if d != "decrease" and t == 0:
        return RuleResult("ratio", None, status_for(bool(met)), _join(
            "target is 0, so actual / target is undefined; status from comparing actual with target", *notes), "zero_divisor")
    value = raw_ratio(a, t, d if d is not None else "increase")
    if value is None:
        return RuleResult("ratio", None, None, _join("the result overflowed", *notes), "overflow")
    if d == "decrease" and t == 0:
        notes.append("a decrease target of 0 scores 0 until it is reached")
    return RuleResult("ratio", value, status_for(bool(met)), _join(*notes))


GROWTH_INPUTS = ("baseline", "actual", "target", "baseline_year", "actual_year", "target_year")


def _growth_inputs(inp: _Inputs, rule: str) -> tuple[RuleResult | None, tuple[float, float] | None]:
    """Shared checks for the two growth-rate rules; returns (early result, (CAGR_obs, CAGR_req))."""
    missing = _missing(inp, GROWTH_INPUTS)
    if missing:
        return RuleResult(rule, None, None, missing, _missing_code(inp, GROWTH_INPUTS)), None
    b, a, t = inp.baseline, inp.actual, inp.target
    by, ay, ty = inp.baseline_year, inp.actual_year, inp.target_year
    assert None not in (b, a, t, by, ay, ty)
    if ay <= by:  # type: ignore[operator]
        return RuleResult(rule, None, None, "actual year is not after baseline year, so no growth rate", "years"), None
    if ty <= by:  # type: ignore[operator]
        return RuleResult(rule, None, None, "target year is not after baseline year, so no required growth rate", "years"), None
    nonpositive = [name for name, v in (("baseline", b), ("actual", a), ("target", t)) if v <= 0]  # type: ignore[operator]
    if nonpositive:
        return None, None  # handled by the caller, which may still report a met target
    observed = _cagr(a, b, ay - by)  # type: ignore[arg-type, operator]
    required = _cagr(t, b, ty - by)  # type: ignore[arg-type, operator]
    if observed is None or required is None:
        return RuleResult(rule, None, None, "growth rate could not be computed (values out of range)", "overflow"), None
    return None, (observed, required)


def _rule_open_sdg(inp: _Inputs) -> RuleResult:
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
    direction gives value None with a reason. A met target is still reported as target_achieved.
    """
    early, rates = _growth_inputs(inp, "open_sdg")
    if early is not None:
        return early
    b, a, t, d = inp.baseline, inp.actual, inp.target, inp.direction
    assert b is not None and a is not None and t is not None
    met = _target_met(a, t, d)
    if rates is None:
        return RuleResult("open_sdg", None, "target_achieved" if met else None, _join(
            "zero or negative values have no compound growth rate (Open SDG would substitute 0.001 for a zero)",
            inp.direction_note), "nonpositive")
    observed, required = rates
    if required == 0:
        return RuleResult("open_sdg", None, "target_achieved" if met else None, _join(
            "target equals baseline, so the required growth rate is zero", inp.direction_note), "target_eq_baseline")
    if d is None:
        return RuleResult("open_sdg", None, None, _join("direction unknown and not inferable from target vs baseline",
                                                          inp.direction_note), "direction_unknown")
    sign = 1.0 if d == "increase" else -1.0
    value = _finite_or_none(sign * observed / abs(required))
    if value is None:
        return RuleResult("open_sdg", None, "target_achieved" if met else None, "the growth ratio overflowed", "overflow")
    if met:
        status = "target_achieved"
    elif value >= OPEN_SDG_HIGH:
        status = "substantial_progress"
    elif value >= OPEN_SDG_MED:
        status = "moderate_progress"
    elif value >= OPEN_SDG_LOW:
        status = "limited_progress"
    else:
        status = "deterioration"
    return RuleResult("open_sdg", value, status, inp.direction_note)


def _rule_un_cr(inp: _Inputs) -> RuleResult:
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
    met = _target_met(a, t, d)
    met_status = "achieved" if met else None
    if rates is None:
        return RuleResult("un_cr", None, met_status, _join(
            "zero or negative values have no compound growth rate", inp.direction_note), "nonpositive")
    observed, required = rates
    if required == 0:
        return RuleResult("un_cr", None, met_status, _join(
            "target equals baseline, so the required growth rate is zero", inp.direction_note), "target_eq_baseline")
    if _target_against_direction(b, t, d):
        kind = "cap" if d == "decrease" else "floor"
        return RuleResult("un_cr", None, "achieved" if met else "deterioration", _join(
            f"target {t:g} is a {kind} the baseline {b:g} already met, so the required growth points the "
            f"wrong way and CR is not meaningful; status from the {kind}", inp.direction_note), "cap_met")
    value = _finite_or_none(observed / required)
    if value is None:
        return RuleResult("un_cr", None, met_status, "the growth ratio overflowed", "overflow")
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
    return RuleResult("un_cr", value, status, inp.direction_note)


_RULES: dict[str, Callable[[_Inputs], RuleResult]] = {
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
    problem gives value None with a plain-English reason."""
    if not isinstance(rule, str) or rule not in _RULES:
        raise UnknownRuleError(rule)
    inp = _prepare(baseline, baseline_year, actual, actual_year, target, target_year, direction)
    try:
        result = _RULES[rule](inp)
    except (ArithmeticError, ValueError, TypeError) as exc:  # a last safety net; should not happen
        return RuleResult(rule, None, None, f"could not be computed ({exc})", "overflow")
    if result.value is not None and not math.isfinite(result.value):
        return RuleResult(rule, None, result.status, "the result was not a finite number", "overflow")
    return result


def evaluate_all(**kwargs: Any) -> dict[str, RuleResult]:
    """Apply every rule in RULE_NAMES to the same row; keyword arguments as for evaluate()."""
    return {name: evaluate(name, **kwargs) for name in RULE_NAMES}
