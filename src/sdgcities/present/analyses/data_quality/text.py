"""The words of the data-quality appendix: labels and narrative pieces from the catalogue
(present/catalogues/<lang>/findings.yaml; rule names and statuses from rules.yaml), filled in with
the numbers the frames of data.py hold. The code passes numbers and printed labels, never sentences.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.data_quality import data
from sdgcities.present.notebook import Context


def classification_name(ctx: Context, rule: str) -> str:
    return ctx.w(f"findings.classification.name.{rule}")


def classification_meaning(ctx: Context, rule: str) -> str:
    return ctx.w(f"findings.classification.meaning.{rule}")


def finding_name(ctx: Context, code: str) -> str:
    return ctx.w(f"findings.code.name.{code}")


def finding_description(ctx: Context, code: str) -> str:
    return ctx.w(f"findings.code.description.{code}")


def finding_label(ctx: Context, code: str) -> str:
    """'Redacted KPI (value_redacted)': the name with its code."""
    return ctx.w("findings.code.with_code", name=finding_name(ctx, code), code=code)


def rule_name(ctx: Context, rule: str) -> str:
    return ctx.w(f"rules.name.{rule}")


def status_name(ctx: Context, rule: str, status: str | None) -> str | None:
    return None if status is None else ctx.label(f"rules.status.{rule}", status)


def fmt_number(value: float | None, decimals: int = 1) -> str:
    """A number for narrative text; None -> 'NULL' (never 0)."""
    if value is None:
        return "NULL"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"


def _printed(value: float | None) -> str:
    """A number as a table prints it: 1,030 / 29.5 / 1,317.1; None -> NULL."""
    if value is None:
        return "NULL"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def finding_explanation(ctx: Context, code: str, params: dict[str, Any]) -> str:
    """One finding in words, in the report's language, from its params (data_quality_findings.params)."""
    p = dict(params)
    for key in ("published", "progress", "ratio", "target", "baseline"):
        if key in p:
            p[key] = _printed(p[key])
    for key in list(p):
        if p[key] is None:
            p[key] = ctx.w("findings.explain.no_label")
    if code == "target_wrong_side_of_baseline":
        return ctx.w(f"findings.explain.{code}.{params['direction']}", **p)
    if code.startswith("indicator_"):
        listed = [
            ctx.w("findings.explain.printing_label", kpi_id=r["kpi_id"], label=r["label"] or ctx.w("findings.explain.no_label"))
            if code == "indicator_target_year_differs" else
            ctx.w("findings.explain.printing", kpi_id=r["kpi_id"], value=_printed(r["value"]),
                  label=r["label"] or ctx.w("findings.explain.no_label"))
            for r in params["printings"]
        ]
        p["printings"] = ctx.w("findings.explain.printing_separator").join(listed)
        return ctx.w(f"findings.explain.{code}", **p)
    if code.startswith("partner_"):
        for side in ("a", "b"):
            p[f"event_{side}"] = ctx.w(f"findings.event.{params.get(f'event_{side}') or 'none'}")
        p["event"] = p["event_a"]
        p["role"] = params.get("role_a") or params.get("role_b") or ctx.w("findings.explain.no_label")
        return ctx.w(f"findings.explain.{code}", **p)
    if code == "value_redacted":
        return ctx.w(f"findings.explain.{code}.{'name' if params['name_redacted'] else 'values'}", **p)
    if code == "stakeholder_redacted":
        return ctx.w(f"findings.explain.{code}.{'role' if params.get('role') else 'no_role'}", **p)
    if code == "year_label_differs_from_column":
        p["kind"] = ctx.label("kind", params["kind"])
        return ctx.w(f"findings.explain.{code}", **p)
    return ctx.w(f"findings.explain.{code}", **p)


# ---------------------------------------------------------------------------------------------
# What explains a published rate (achievement_audit.explanation: codes and numbers)


def _input_number(x: float | None) -> str:
    """A printed-style input: 1,030 / 29.5 / 0.125."""
    if x is None:
        return "NULL"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _figure(x: float) -> str:
    """A computed figure: one decimal, or two for small numbers (fractions)."""
    return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"


def _candidate(ctx: Context, c: dict[str, Any]) -> str:
    """One calculation that reproduces a published figure (a candidate of audit.explain_neither)."""
    method = c["method"]
    fields = {"rule": ctx.w(f"findings.audit.rule.{c['rule']}"), "actual_year": c["actual_year"],
              "actual": _input_number(c["actual"])}
    if method == "other_year":
        fields["latest_year"] = c["latest_year"]
    elif method == "other_target":
        fields.update(target_year=c["target_year"], target=_input_number(c["target"]))
        if c.get("printed_target") is not None:
            method = "other_target_instead"
            fields["printed_target"] = _input_number(c["printed_target"])
    elif method in ("rounded", "truncated", "rounded_one_decimal"):
        parts = []
        if c.get("baseline") is not None:
            parts.append(ctx.w("findings.audit.input.baseline", value=_input_number(c["baseline"])))
        parts.append(ctx.w("findings.audit.input.actual", year=c["actual_year"], value=_input_number(c["actual"])))
        if c.get("target") is not None:
            parts.append(ctx.w("findings.audit.input.target", value=_input_number(c["target"])))
        fields["inputs"] = ctx.w("findings.audit.input.separator").join(parts)
    elif method == "inverted":
        method = f"inverted.{c['form_direction']}"
    return ctx.w(f"findings.audit.method.{method}", **fields)


def audit_explanation(ctx: Context, explanation: str | dict | None, progress: float | None = None,
                      ratio: float | None = None) -> str | None:
    """The audit's explanation of a row in words: for 'neither', the simplest calculation that
    reproduces the published figure and the others that also fit; for 'status_only', the word."""
    if explanation is None:
        return None
    found = json.loads(explanation) if isinstance(explanation, str) else explanation
    if "word" in found:
        return ctx.w("findings.audit.word", word=found["word"])
    published = _input_number(found["published"])
    candidates = found.get("candidates") or []
    if not candidates:
        return ctx.w("findings.audit.none_found", progress=_printed(progress), ratio=_printed(ratio), published=published)
    best, *others = candidates
    text = ctx.w("findings.audit.reproduced", candidate=_candidate(ctx, best), figure=_figure(best["figure"]), published=published)
    if others:
        listed = ctx.w("findings.audit.also_separator").join(
            ctx.w("findings.audit.also_item", candidate=_candidate(ctx, c), figure=_figure(c["figure"])) for c in others)
        text += ctx.w("findings.audit.also", tolerance=_input_number(found["tolerance"]), others=listed)
    return text


def with_audit_explanations(ctx: Context, rates: pl.DataFrame) -> pl.DataFrame:
    """The rates frame with `explanation_text`, the audit's explanation in the report's language.

    Only rows with an explanation ('neither', 'status_only') are worded, each distinct one once per run
    (the rates table, the 'neither' table and the scatter word the same rows): at 1,741 cities 767 of
    9,963 published rates have one, and documents repeat them."""
    texts: list[str | None] = [None] * rates.height
    worded: dict[tuple, str | None] = ctx.memo.setdefault(("data_quality.audit_explanations", ctx.lang), {})
    has = rates.select(pl.int_range(pl.len()).alias("i"), "explanation", "progress_value", "ratio_value").filter(
        pl.col("explanation").is_not_null())
    for i, explanation, progress, ratio in has.iter_rows():
        key = (explanation, progress, ratio)
        if key not in worded:
            worded[key] = audit_explanation(ctx, explanation, progress, ratio)
        texts[i] = worded[key]
    return rates.with_columns(pl.Series("explanation_text", texts, dtype=pl.String))


# ---------------------------------------------------------------------------------------------
# Narrative pieces (every number computed)


def n_cities(ctx: Context, n: int) -> str:
    """'3市' / '3 cities' / '1 city'."""
    return ctx.w(f"findings.text.cities.{'one' if n == 1 else 'many'}", n=n)


def join_phrases(ctx: Context, items: Sequence[str]) -> str:
    """'a、b、c' in Japanese; 'a, b and c' in English."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ctx.w("findings.text.list_separator").join(items[:-1]) + ctx.w("findings.text.list_last") + items[-1]


def quoted_words(ctx: Context, words: Sequence[str]) -> str:
    """The words printed instead of a rate, each quoted as the language does."""
    if not words:
        return ctx.w("findings.text.no_words")
    return ctx.w("findings.word_separator").join(ctx.w("findings.word", word=w) for w in words)


def rate_city_phrase(ctx: Context, summary: dict[str, Any]) -> str:
    """The cities that publish a rate: named, or counted when there are more than a reader can take in
    (marks.MANY_CITIES; at 1,741 cities a list of 935 names)."""
    cities = summary["rate_cities"]
    if marks.many_cities(cities):
        return n_cities(ctx, len(cities))
    return join_phrases(ctx, [ctx.city(c) for c in cities])


def _missing_reason(row: dict[str, Any]) -> str:
    n = row["kpi_rows"]
    return "redacted" if row["redacted"] == n else "no_actual" if row["with_actual"] == 0 else "no_rate"


def missing_rate_phrases(ctx: Context, summary: dict[str, Any]) -> list[str]:
    """Per city without a published rate: its rows and why (all redacted, no actuals printed); with
    more such cities than marks.MANY_CITIES, how many cities have each reason."""
    rows = summary["no_rate_cities"]
    if marks.many_cities(rows):
        reasons = [_missing_reason(row) for row in rows]
        return [ctx.w(f"findings.text.missing_many.{reason}", n=reasons.count(reason))
                for reason in ("redacted", "no_actual", "no_rate") if reason in reasons]
    phrases = []
    for row in rows:
        why = ctx.w(f"findings.text.missing_why.{_missing_reason(row)}", n=row["kpi_rows"], with_actual=row["with_actual"])
        phrases.append(ctx.w("findings.text.missing_city", city=ctx.city(row["city_id"]), why=why))
    return phrases


def code_list(ctx: Context, totals: dict[str, int], *, include_zero: bool = False) -> str:
    """'KPIの黒塗り 18件、…' / 'Redacted KPI 18, …' in code order."""
    items = [ctx.w("findings.code.count_item", name=finding_name(ctx, code), n=n)
             for code, n in totals.items() if n or include_zero]
    return join_phrases(ctx, items)


def neither_sentences(ctx: Context, rates: pl.DataFrame, limit: int = 5) -> list[str]:
    """One sentence per 'neither' row (the first `limit`): the published figure beside both rules' values."""
    out = []
    for r in data.neither_rows(rates).head(limit).iter_rows(named=True):
        out.append(ctx.w(
            "findings.text.neither_row", city=ctx.city(r["city_id"]), indicator=r["kpi_label"], table_row=r["table_row"],
            published=fmt_number(r["published"]), progress=fmt_number(r["progress_value"]), ratio=fmt_number(r["ratio_value"]),
            baseline_label=r["baseline_label"], baseline=fmt_number(r["baseline_value"]),
            actual_label=r["actual_label"], actual=fmt_number(r["actual_value"]),
            target_label=r["target_label"], target=fmt_number(r["target_value"]),
        ))
    return out


# ---------------------------------------------------------------------------------------------
# Checked outputs (deterministic text for nbval: codes and numbers)


def classification_lines(counts: pl.DataFrame, repeats: dict[str, int] | None = None) -> str:
    totals = data.classification_totals(counts)
    lines = [f"{rule:<15}{n:>5}" for rule, n in totals.items()]
    lines.append(f"{'total':<15}{sum(totals.values()):>5}")
    if repeats is not None:
        lines.append(f"{'repeats left out':<17}{repeats['kpi_rows']:>3} (with a rate {repeats['rates']})")
    return "\n".join(lines)


def finding_lines(counts: pl.DataFrame) -> str:
    totals = data.code_totals(counts)
    lines = [f"{code:<32}{n:>5}" for code, n in totals.items()]
    lines.append(f"{'total':<32}{sum(totals.values()):>5}")
    return "\n".join(lines)


def neither_lines(rates: pl.DataFrame) -> str:
    """Per 'neither' row: the calculation that reproduces it (method, rule, actual year, figure), as codes."""
    rows = data.neither_rows(rates).sort("kpi_id")
    if rows.height == 0:
        return "(none)"
    lines = []
    for r in rows.iter_rows(named=True):
        found = json.loads(r["explanation"]) if r["explanation"] else {}
        best = (found.get("candidates") or [None])[0]
        what = "none found" if best is None else f"{best['method']} {best['rule']} {best['actual_year']}: {best['figure']:.1f}"
        lines.append(f"{r['kpi_id']}  {what} vs published {found.get('published', r['published']):g}")
    return "\n".join(lines)
