"""The inputs of the progress rules, cleaned, and the raw formulas the rules (and the audit's search
for what a publisher computed) apply to them.

A KPI row's values and years may be missing, NaN, infinite, not numbers or not whole years; each
unusable input is named with a problem code, never a sentence, so that every reader can word it in
its own language. The direction is resolved here too: given, or inferred from where the target
lies relative to the baseline (and then flagged), or unknown.
"""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass
from typing import Any

# Why an input is unusable (RuleResult.unusable: (input, problem) pairs).
PROBLEM_CODES = ("missing", "not_a_number", "nan", "infinite", "not_whole_year", "not_after_baseline")

# Caveats a rule attaches to its result, whether or not it gives a value (RuleResult.caveats).
CAVEAT_CODES = (
    "direction_inferred",        # no direction given: inferred from target vs baseline
    "direction_not_understood",  # the direction given is not one the rules know
    "direction_unknown",         # no direction, and none inferable (target equals baseline or missing)
    "increase_form_assumed",     # ratio with no direction: the increase form actual / target was used
    "on_track_not_assessed",     # progress: the years do not allow the straight-line check
    "decrease_target_zero",      # ratio: a decrease target of 0 scores 0 until it is reached
)


def clean_number(x: Any) -> tuple[float | None, str | None]:
    """(finite float, None) or (None, problem code)."""
    if x is None:
        return None, "missing"
    if type(x) is float:  # the usual case, without the slower checks against the numeric ABCs below
        if math.isnan(x):
            return None, "nan"
        if math.isinf(x):
            return None, "infinite"
        return x, None
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, decimal.Decimal)):
        return None, "not_a_number"
    try:
        value = float(x)
    except (OverflowError, ValueError, TypeError):
        return None, "not_a_number"
    if math.isnan(value):
        return None, "nan"
    if math.isinf(value):
        return None, "infinite"
    return value, None


def clean_year(x: Any) -> tuple[int | None, str | None]:
    """(int year, None) or (None, problem code). Whole floats such as 2021.0 are accepted."""
    if type(x) is int or (isinstance(x, numbers.Integral) and not isinstance(x, bool)):
        return int(x), None
    value, why = clean_number(x)
    if why:
        return None, why
    if value != int(value):
        return None, "not_whole_year"
    return int(value), None


DIRECTION_ALIASES = {
    "increase": "increase", "up": "increase", "higher": "increase", "positive": "increase",
    "decrease": "decrease", "down": "decrease", "lower": "decrease", "negative": "decrease",
}


@dataclass(frozen=True)
class Inputs:
    baseline: float | None
    baseline_year: int | None
    actual: float | None
    actual_year: int | None
    target: float | None
    target_year: int | None
    direction: str | None            # "increase" | "decrease" | None after inference
    direction_caveats: tuple[str, ...]  # direction_inferred / direction_not_understood / direction_unknown
    problems: dict[str, str]         # input name -> problem code

    def unusable(self, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """The (input, problem) pairs of the required inputs that are unusable, in the order asked."""
        if not self.problems:  # the usual case, asked four times per row
            return ()
        return tuple((name, self.problems[name]) for name in names if name in self.problems)


# The inputs in the order their problems are listed (Inputs.problems).
INPUT_NAMES = ("baseline", "actual", "target", "baseline_year", "actual_year", "target_year")


def prepare(baseline, baseline_year, actual, actual_year, target, target_year, direction) -> Inputs:
    cleaned = (clean_number(baseline), clean_number(actual), clean_number(target),
               clean_year(baseline_year), clean_year(actual_year), clean_year(target_year))
    (b, _), (a, _), (t, _), (by, _), (ay, _), (ty, _) = cleaned
    # An input is unusable exactly when its cleaned value is None (then it has a problem code).
    problems = {name: why for name, (_, why) in zip(INPUT_NAMES, cleaned) if why} if None in (b, a, t, by, ay, ty) else {}

    caveats: list[str] = []
    resolved = None
    if isinstance(direction, str) and direction.strip().lower() in DIRECTION_ALIASES:
        resolved = DIRECTION_ALIASES[direction.strip().lower()]
    else:
        if direction is not None:
            caveats.append("direction_not_understood")
        if b is not None and t is not None and t != b:
            resolved = "increase" if t > b else "decrease"
            caveats.append("direction_inferred")
        elif not caveats:
            caveats.append("direction_unknown")
    return Inputs(b, by, a, ay, t, ty, resolved, tuple(caveats), problems)


def missing_code(unusable: tuple[tuple[str, str], ...]) -> str | None:
    """The reason code of unusable required inputs: actual first, then baseline/target, then years."""
    bad = {name for name, _ in unusable}
    if not bad:
        return None
    if "actual" in bad:
        return "no_actual"
    if "baseline" in bad or "target" in bad:
        return "no_baseline_target"
    return "years"


def finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def target_met(actual: float, target: float, direction: str | None) -> bool | None:
    """True/False when the direction is known; a decrease target is a cap (actual <= target)."""
    if direction == "increase":
        return actual >= target
    if direction == "decrease":
        return actual <= target
    return None


def target_against_direction(baseline: float, target: float, direction: str | None) -> bool:
    """True when the target lies on the wrong side of the baseline for the stated direction,
    i.e. a cap (decrease KPI) or a floor (increase KPI) that the baseline already satisfied."""
    return (direction == "decrease" and target > baseline) or (direction == "increase" and target < baseline)


def moved(baseline: float, actual: float, direction: str | None) -> str | None:
    """'better', 'same' or 'worse' than baseline for the direction (None when direction unknown)."""
    if actual == baseline:
        return "same"
    if direction == "increase":
        return "better" if actual > baseline else "worse"
    if direction == "decrease":
        return "better" if actual < baseline else "worse"
    return None


def elapsed_share(inp: Inputs) -> tuple[float | None, tuple[tuple[str, str], ...]]:
    """Share (percent) of the baseline-to-target period elapsed at the actual year, or None and the
    years that do not allow it."""
    unusable = inp.unusable(("baseline_year", "actual_year", "target_year"))
    if unusable:
        return None, unusable
    by, ay, ty = inp.baseline_year, inp.actual_year, inp.target_year
    assert by is not None and ay is not None and ty is not None
    if ty <= by:
        return None, (("target_year", "not_after_baseline"),)
    if ay < by:
        return None, (("actual_year", "not_after_baseline"),)
    try:
        return finite_or_none((ay - by) / (ty - by) * 100.0), ()
    except (OverflowError, ZeroDivisionError):
        return None, (("target_year", "infinite"),)


# ---------------------------------------------------------------------------------------------
# Raw formulas (also used by the audit module to try alternative inputs)


def raw_progress(baseline: float | None, actual: float | None, target: float | None) -> float | None:
    """(actual - baseline) / (target - baseline) x 100, or None when undefined or not finite."""
    try:
        b, a, t = float(baseline), float(actual), float(target)  # type: ignore[arg-type]
        if not all(math.isfinite(v) for v in (b, a, t)) or t == b:
            return None
        return finite_or_none((a - b) / (t - b) * 100.0)
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
            return None if a == 0 else finite_or_none(t / a * 100.0)
        return None if t == 0 else finite_or_none(a / t * 100.0)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None


def cagr(end: float, start: float, years: int) -> float | None:
    """Compound annual growth rate (end / start) ** (1 / years) - 1 for positive values."""
    try:
        if end <= 0 or start <= 0 or years <= 0:
            return None
        return finite_or_none(math.expm1((math.log(end) - math.log(start)) / years))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
