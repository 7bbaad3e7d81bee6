"""Audit of published achievement rates (達成度) against the progress rules.

``classify_published`` says which rule a published figure follows (the Cabinet Office gap rule,
the plain actual-over-target ratio, both, neither), or that only a word such as 達成 was published,
or nothing at all. ``explain_neither`` searches for what the publisher must have computed when the
figure matches neither rule: another year's actual, another target, rounded or truncated inputs,
a fraction instead of a percentage, or a formula for the wrong direction. It returns codes and
numbers; the reports write the sentence from their catalogues (findings.yaml, `audit`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Iterable, Sequence

from sdgcities.build.models.progress import raw_progress, raw_ratio

CLASSIFICATIONS = ("progress", "ratio", "both", "neither", "status_only", "not_published")

# Characters that print a minus sign in Japanese documents; ▲ and △ are the accounting minus.
_MINUS_SIGNS = "-−－‐‒–—▲△"
_NUMBER_IN_TEXT = re.compile(r"(?P<sign>[" + re.escape(_MINUS_SIGNS) + r"+]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
# Cells that mean "nothing published": dashes, slashes, N/A and the like.
_PLACEHOLDER = re.compile(r"^[\s" + re.escape(_MINUS_SIGNS) + r"―ー/／*＊・.。…]*$|^(n/?a|none|null|nan|未公表|記載なし|不明)$",
                          re.IGNORECASE)
_EPS = 1e-9


def _finite(x) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _number_from_text(text: str) -> float | None:
    """The first number printed in ``text`` (full-width digits, ▲ minus and commas understood)."""
    normalised = unicodedata.normalize("NFKC", text)
    match = _NUMBER_IN_TEXT.search(normalised)
    if not match:
        return None
    value = _finite(match.group("num").replace(",", ""))
    if value is None:
        return None
    return -value if match.group("sign") and match.group("sign") != "+" else value


def published_number(published_pct: float | None, published_text: str | None) -> tuple[float | None, bool]:
    """The published figure (percent) and whether a word (達成 ...) was printed instead of a number.

    ``published_pct`` is the printed number; when it is missing, a number inside ``published_text``
    (e.g. "▲118%") is used. A placeholder such as "－" counts as nothing published.
    """
    pct = _finite(published_pct) if published_pct is not None else None
    if pct is None and published_text is not None:
        text = str(published_text).strip()
        if text and not _PLACEHOLDER.match(text):
            pct = _number_from_text(text)
            if pct is None:
                return None, True
    return pct, False


def agreement(score: float | None, published: float | None, tolerance: float = 1.0) -> str | None:
    """'agrees' when ``score`` is within ``tolerance`` points of the published figure (inclusive),
    'differs' when it is not, 'not_comparable' when the rule gives no value; None when nothing
    numeric is published. The one comparison of a published rate with a recomputed value."""
    if published is None:
        return None
    value = _finite(score) if score is not None else None
    if value is None:
        return "not_comparable"
    tol = abs(_finite(tolerance) or 0.0) + _EPS
    return "agrees" if abs(value - published) <= tol else "differs"


def classify_published(published_pct: float | None, published_text: str | None,
                       rule_values: dict[str, float | None], tolerance: float = 1.0) -> str:
    """Classify a published achievement rate against the computed rule values.

    ``published_pct`` is the published number (percent), ``published_text`` the published cell
    when it is a word (達成, 未達成, －). ``rule_values`` maps rule names to computed values; the
    ``progress`` and ``ratio`` entries are used. A figure matches a rule when it is within
    ``tolerance`` points of it (inclusive; published figures are usually rounded to whole numbers).

    Returns one of:
      progress       matches the gap rule only
      ratio          matches the actual / target rule only
      both           matches both (they coincide, e.g. with a zero baseline)
      neither        a number that matches neither (or neither could be computed)
      status_only    a word such as 達成 was published instead of a number
      not_published  nothing, or only a placeholder such as "－"
    When ``published_pct`` is missing but the text carries a number (e.g. "▲118%"), that number
    is used.
    """
    pct, word = published_number(published_pct, published_text)
    if word:
        return "status_only"
    if pct is None:
        return "not_published"
    matches = {name for name in ("progress", "ratio")
               if agreement((rule_values or {}).get(name), pct, tolerance) == "agrees"}
    if matches == {"progress", "ratio"}:
        return "both"
    if matches:
        return matches.pop()
    return "neither"


# ---------------------------------------------------------------------------------------------
# explain_neither


def _round_half_up(x: float, digits: int = 0) -> float | None:
    """Round half away from zero, as printed tables do; None when the number is out of range."""
    factor = 10 ** digits
    try:
        value = math.floor(abs(x) * factor + 0.5) / factor * (1 if x >= 0 else -1)
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _truncate(x: float) -> float | None:
    try:
        value = float(math.trunc(x))
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _infer_direction(direction: str | None, baseline: float | None, target: float | None) -> str | None:
    if direction in ("increase", "decrease"):
        return direction
    if baseline is not None and target is not None and target != baseline:
        return "increase" if target > baseline else "decrease"
    return None


def explain_neither(published_pct: float | None, baseline: float | None, actuals: Sequence[tuple[int, float]],
                    target: float | None, direction: str | None,
                    other_targets: Iterable[tuple[int, float]] = (), *, tolerance: float = 1.0) -> dict | None:
    """Search for the calculation a publisher must have used for a figure that matches no rule.

    The latest year in ``actuals`` is taken as the actual the publisher should have used. The
    candidates are tried in order of simplicity and the simplest one within ``tolerance`` points
    (default ±1) of ``published_pct`` is reported, closest first within the same tier; up to three
    other candidates that also fit are listed after it.

      0. the progress or ratio rule with the latest actual (a plain match): method as_published
      1. another year's actual in either rule: other_year
      2. a different target (``other_targets``: interim or revised targets) with any actual: other_target
      3. inputs rounded to whole numbers (half up), truncated to whole numbers, or rounded to one
         decimal before applying either rule (latest actual): rounded, truncated, rounded_one_decimal
      4. the result as a fraction instead of a percentage (value / 100) or multiplied by 100 twice
         (value x 100), compared on the published figure's own scale (latest actual): fraction, times_100
      5. a formula for the wrong direction: the ratio inverted, the progress value with its sign
         flipped, or the remaining gap 100 - progress (any actual): inverted, sign_flipped, remaining_gap

    Returns codes and numbers, no sentence (the reports write it from their catalogues):
    ``{"published": 130.0, "tolerance": 1.0, "candidates": [{"method": "other_year", "rule": "progress",
    "figure": 130.4, "actual_year": 2020, "actual": 1030.0, "latest_year": 2021}, ...]}``, the
    simplest candidate first; or None when nothing fits (or the inputs are missing).
    """
    published = _finite(published_pct) if published_pct is not None else None
    if published is None:
        return None
    clean_actuals: list[tuple[int, float]] = []
    for item in actuals or ():
        try:
            year, value = item
        except (TypeError, ValueError):
            continue
        value = _finite(value)
        if value is not None and year is not None:
            clean_actuals.append((year, value))
    if not clean_actuals:
        return None
    b = _finite(baseline) if baseline is not None else None
    t = _finite(target) if target is not None else None
    d = _infer_direction(direction, b, t)
    ratio_dir = d or "increase"
    tol = abs(_finite(tolerance) or 0.0) + _EPS

    clean_actuals.sort(key=lambda pair: pair[0])
    latest_year, latest = clean_actuals[-1]
    others = [pair for pair in reversed(clean_actuals[:-1])]

    # Each candidate: (tier, what was computed (method, rule and inputs), figure shown, difference from published).
    candidates: list[tuple[int, dict, float, float]] = []

    def consider(tier: int, what: dict, figure: float | None) -> None:
        if figure is None or not math.isfinite(figure):
            return
        diff = abs(figure - published)
        if diff <= tol:
            candidates.append((tier, what, figure, diff))

    def on(method: str, rule: str, year: int, value: float, **more) -> dict:
        return {"method": method, "rule": rule, "actual_year": year, "actual": value, **more}

    # Tier 0: the two rules as they stand.
    consider(0, on("as_published", "progress", latest_year, latest), raw_progress(b, latest, t))
    consider(0, on("as_published", "ratio", latest_year, latest), raw_ratio(latest, t, ratio_dir))

    # Tier 1: another year's actual.
    for year, value in others:
        consider(1, on("other_year", "progress", year, value, latest_year=latest_year), raw_progress(b, value, t))
        consider(1, on("other_year", "ratio", year, value, latest_year=latest_year), raw_ratio(value, t, ratio_dir))

    # Tier 2: a different target, with the latest actual first, then the others.
    for item in other_targets or ():
        try:
            t_year, t_value = item
        except (TypeError, ValueError):
            continue
        t_value = _finite(t_value)
        if t_value is None or (t is not None and t_value == t):
            continue
        t_dir = _infer_direction(direction, b, t_value) or ratio_dir
        for year, value in [(latest_year, latest)] + others:
            more = {"target_year": t_year, "target": t_value, "printed_target": t}
            consider(2, on("other_target", "progress", year, value, **more), raw_progress(b, value, t_value))
            consider(2, on("other_target", "ratio", year, value, **more), raw_ratio(value, t_value, t_dir))

    # Tier 3: rounded or truncated inputs (latest actual).
    transforms = (("rounded", _round_half_up), ("truncated", _truncate), ("rounded_one_decimal", lambda x: _round_half_up(x, 1)))
    for method, f in transforms:
        rb = f(b) if b is not None else None
        ra = f(latest)
        rt = f(t) if t is not None else None
        if ra is None or (b is not None and rb is None) or (t is not None and rt is None):
            continue  # out of range
        if (rb, ra, rt) == (b, latest, t):
            continue
        consider(3, on(method, "progress", latest_year, ra, baseline=rb, target=rt), raw_progress(rb, ra, rt))
        consider(3, on(method, "ratio", latest_year, ra, baseline=rb, target=rt), raw_ratio(ra, rt, ratio_dir))

    # Tier 4: wrong scale (latest actual). A fraction is compared on the percentage scale, so a
    # published 1.18 fits a computed 118.4 but a published 0.5 does not fit every value below 100.
    for name, value in (("progress", raw_progress(b, latest, t)), ("ratio", raw_ratio(latest, t, ratio_dir))):
        if value is None:
            continue
        if math.isfinite(value) and abs(published * 100.0 - value) <= tol:
            candidates.append((4, on("fraction", name, latest_year, latest), value / 100.0, abs(published * 100.0 - value)))
        consider(4, on("times_100", name, latest_year, latest), value * 100.0)

    # Tier 5: a formula for the wrong direction (any actual).
    other_dir = "increase" if ratio_dir == "decrease" else "decrease"
    for year, value in [(latest_year, latest)] + others:
        consider(5, on("inverted", "ratio", year, value, form_direction=other_dir), raw_ratio(value, t, other_dir))
        p = raw_progress(b, value, t)
        if p is not None and p != 0:
            consider(5, on("sign_flipped", "progress", year, value), -p)
        if p is not None:
            consider(5, on("remaining_gap", "progress", year, value), 100.0 - p)

    if not candidates:
        return None
    unique: dict[tuple, tuple[int, dict, float, float]] = {}
    for cand in sorted(candidates, key=lambda c: (c[0], c[3])):
        unique.setdefault(tuple(sorted(cand[1].items(), key=lambda kv: kv[0])), cand)
    ranked = list(unique.values())[:4]
    return {"published": published, "tolerance": abs(_finite(tolerance) or 0.0),
            "candidates": [{**what, "figure": figure} for _, what, figure, _ in ranked]}
