"""The frames of the data-quality appendix, read from the build's models: codes and numbers only.

* The audit: achievement_audit (which rule reproduces each published 達成度: progress, ratio, both,
  neither, status_only, not_published) and published_rate_checks (each published rate against each
  rule, the same rows the achievement section counts).
* The findings: data_quality_findings (a code, what it concerns, the params that explain it, quotes).

Rows marked 再掲 (``is_repeat``: a reprint of another KPI row) are left out of every count, as in the
achievement section, so that the comparison report counts a published rate once; their number is
stated separately (``repeat_counts``). Every query is bound to the checked city list and counts in
DuckDB, so the cost stays linear in the number of cities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.build.models import audit
from sdgcities.build.models.quality import FINDING_CODES
from sdgcities.present.notebook import Context

TOLERANCE = 1.0  # points: the build's matching tolerance (audit.agreement's default), drawn as the band
CLASSIFICATIONS: tuple[str, ...] = audit.CLASSIFICATIONS
RATE_CLASSES = ("progress", "ratio", "both", "neither")  # the rows that publish a number
REPRODUCED = ("progress", "ratio", "both")
COMPARED_RULES = ("progress", "ratio")  # the rules the audit compares the published figure with
FINDING_ORDER: tuple[str, ...] = tuple(FINDING_CODES)
REDACTION_CODES = ("value_redacted", "stakeholder_redacted")
REDACTION_LIST_MAX = 10  # redaction findings above this many are summarised instead of listed


def _with_city_label(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"))


def _code_rank(code: str) -> int:
    return FINDING_ORDER.index(code) if code in FINDING_ORDER else len(FINDING_ORDER)


def ordered_codes(codes: Sequence[str]) -> list[str]:
    return sorted(set(codes), key=lambda c: (_code_rank(c), c))


# ---------------------------------------------------------------------------------------------
# The audit


def audit_sources(ctx: Context) -> pl.DataFrame:
    """(doc_id, section) of every KPI row the audit covers, for ctx.source()."""
    return ctx.con.sql(
        "select distinct doc_id, section from kpis where ($cities is null or list_contains($cities, city_id)) order by doc_id, section",
        params={"cities": ctx.cities_param},
    ).pl()


def _per_city(ctx: Context, view: str, column: str, where: str = "") -> pl.DataFrame:
    """Rows of a model per city and code (long; only the combinations that occur), counted in DuckDB.
    view, column and where are constants of this module."""
    frame = ctx.con.sql(
        f"""
        select city_id, {column}, count(*)::bigint as n
        from {view}
        where ($cities is null or list_contains($cities, city_id)) {where}
        group by city_id, {column}
        order by city_id, {column}
        """,
        params={"cities": ctx.cities_param},
    ).pl()
    return _with_city_label(ctx, frame)


def classification_counts(ctx: Context) -> pl.DataFrame:
    """KPI rows per city and classification, 再掲 reprints left out (long; only the combinations that occur)."""
    return _per_city(ctx, "achievement_audit", "rule", "and not is_repeat")


def classification_totals(counts: pl.DataFrame) -> dict[str, int]:
    """Rows per classification over all cities, every classification present (0 when none)."""
    totals = {rule: 0 for rule in CLASSIFICATIONS}
    for rule, n in counts.group_by("rule").agg(pl.col("n").sum()).iter_rows():
        totals[rule] = int(n)
    return totals


def repeat_counts(ctx: Context) -> dict[str, int]:
    """The 再掲 reprints left out of the counts: KPI rows, and those printing a rate as a number."""
    rows, rates = ctx.con.sql(
        """
        select coalesce(sum(repeat_rows), 0)::bigint,
               (select count(*) from published_rate_checks
                where rule = 'progress' and is_repeat and ($cities is null or list_contains($cities, city_id)))::bigint
        from city_kpi_summary where ($cities is null or list_contains($cities, city_id))
        """,
        params={"cities": ctx.cities_param},
    ).fetchall()[0]
    return {"kpi_rows": int(rows), "rates": int(rates)}


def city_disclosure(ctx: Context) -> pl.DataFrame:
    """Per city with KPI rows (model city_kpi_summary, reprints left out): KPI rows, rows with a published
    rate, a word or nothing, redacted rows, rows with an actual."""
    return ctx.con.sql(
        """
        select city_id, kpi_rows, published_rates as rates, reproduced_rates as reproduced,
               status_only_rows as status_only, not_published_rows as not_published, redacted_rows as redacted,
               rows_with_actual as with_actual
        from city_kpi_summary
        where ($cities is null or list_contains($cities, city_id)) and kpi_rows > 0
        order by city_id
        """,
        params={"cities": ctx.cities_param},
    ).pl()


# The published rates: the same published_rate_checks rows the achievement section counts, one per
# KPI row and compared rule, beside the audit's classification of the row.
_RATE_QUERY = """
    select a.city_id, a.doc_id, k.section, k.table_code, k.row_no, a.kpi_id, a.indicator_ja, k.is_repeat,
           a.direction, a.baseline_label, a.baseline_value, a.actual_label, a.actual_value, a.target_label, a.target_value,
           a.published_achievement_pct, a.published_achievement_text, a.published_pct as published,
           a.progress_value, a.progress_status, a.progress_reason_code as progress_reason, a.ratio_value, a.ratio_status, a.ratio_reason_code as ratio_reason,
           p.agreement as progress_agreement, r.agreement as ratio_agreement, a.rule, a.explanation::varchar as explanation
    from achievement_audit a join kpis k on k.kpi_id = a.kpi_id
    left join published_rate_checks p on p.kpi_id = a.kpi_id and p.rule = 'progress'
    left join published_rate_checks r on r.kpi_id = a.kpi_id and r.rule = 'ratio'
    where ($cities is null or list_contains($cities, a.city_id)) and list_contains($rules, a.rule) and not a.is_repeat
    order by a.city_id, a.kpi_id
"""


def _rows_of(ctx: Context, rules: Sequence[str]) -> pl.DataFrame:
    # One query per run for the rows that publish a rate or a word (the notebook reads both sets): the
    # conversion of the rows, not the filter, is what costs (~30 ms for 10,000 rows at 1,741 cities).
    key = ("data_quality.audit_rows", tuple(ctx.cities))
    if key not in ctx.memo:
        frame = ctx.con.sql(_RATE_QUERY, params={"cities": ctx.cities_param, "rules": [*RATE_CLASSES, "status_only"]}).pl()
        ctx.memo[key] = _with_city_label(ctx, frame).with_columns(
            (pl.col("table_code") + pl.lit(":") + pl.col("row_no")).alias("table_row"),
            pl.coalesce("indicator_ja", "kpi_id").alias("kpi_label"),
        )
    rows = ctx.memo[key]
    return rows.filter(pl.col("rule").is_in(list(rules)))


def published_rates(ctx: Context) -> pl.DataFrame:
    """The KPI rows that publish a rate as a number (progress, ratio, both, neither), with the rule values.

    ``published`` is the published figure (percent, achievement_audit.published_pct: also a number
    printed inside a text cell); progress_agreement and ratio_agreement come from published_rate_checks.
    """
    return _rows_of(ctx, RATE_CLASSES).with_columns(
        (pl.col("published") - pl.col("progress_value")).alias("progress_diff"),
        (pl.col("published") - pl.col("ratio_value")).alias("ratio_diff"),
    )


def status_only_rows(ctx: Context) -> pl.DataFrame:
    """KPI rows that print a word (達成 ...) instead of a rate."""
    return _rows_of(ctx, ("status_only",))


def neither_rows(rates: pl.DataFrame) -> pl.DataFrame:
    return rates.filter(pl.col("rule") == "neither")


def rate_checks(ctx: Context) -> dict[str, dict[str, int]]:
    """Per compared rule: published rates compared, and how many agree, differ or are not comparable
    (published_rate_checks, reprints left out: the figures the achievement section prints)."""
    out = {rule: {"published": 0, "agrees": 0, "differs": 0, "not_comparable": 0} for rule in COMPARED_RULES}
    for rule, agreement, n in ctx.con.sql(
        """
        select rule, agreement, count(*)::bigint from published_rate_checks
        where ($cities is null or list_contains($cities, city_id)) and not is_repeat and list_contains($rules, rule)
        group by rule, agreement
        """,
        params={"cities": ctx.cities_param, "rules": list(COMPARED_RULES)},
    ).fetchall():
        out[rule][agreement] = int(n)
        out[rule]["published"] += int(n)
    return out


def audit_summary(ctx: Context, counts: pl.DataFrame, rates: pl.DataFrame, words: pl.DataFrame,
                  repeats: dict[str, int] | None = None) -> dict[str, Any]:
    """The figures the narrative quotes. The number of published rates is the achievement section's
    (published_rate_checks); the classification totals must add up to it (tests/test_one_fact.py).
    repeats is repeat_counts(ctx) when the caller has it (read here otherwise)."""
    totals = classification_totals(counts)
    disclosure = city_disclosure(ctx)
    checks = rate_checks(ctx)
    words_achieved = words.filter((pl.col("progress_status") == "achieved") | (pl.col("ratio_status") == "achieved")).height
    return {
        "totals": totals,
        "kpi_rows": sum(totals.values()),
        "rates": checks["progress"]["published"],
        "reproduced": sum(totals[r] for r in REPRODUCED),
        "agrees": {rule: checks[rule]["agrees"] for rule in COMPARED_RULES},
        "rate_repeats": (repeat_counts(ctx) if repeats is None else repeats)["rates"],
        "rate_cities": [c for c in disclosure.filter(pl.col("rates") > 0)["city_id"].to_list()],
        "no_rate_cities": disclosure.filter(pl.col("rates") == 0).to_dicts(),
        "words": sorted(set(words["published_achievement_text"].drop_nulls().to_list())),
        "words_achieved": words_achieved,
        # Documents where some rates follow the progress rule only and others the ratio rule only.
        "mixed_docs": sorted(
            rates.group_by("doc_id").agg(pl.col("rule").unique().alias("rules"))
            .filter(pl.col("rules").list.contains("progress") & pl.col("rules").list.contains("ratio"))["doc_id"].to_list()
        ) if rates.height else [],
        "max_progress_gap": float(rates.filter(pl.col("rule") == "ratio")["progress_diff"].abs().max() or 0) if rates.height else None,
    }


def scatter_sample(rates: pl.DataFrame, max_rows: int) -> pl.DataFrame:
    """The rows the scatter draws: all of them up to `max_rows`, else a fixed sample (by a hash of
    kpi_id) holding up to a quarter 'neither' rows and the rest from the other rows."""
    if rates.height <= max_rows:
        return rates
    order = pl.col("kpi_id").hash(seed=7)
    neither = rates.filter(pl.col("rule") == "neither").sort(order).head(max_rows // 4)
    rest = rates.filter(pl.col("rule") != "neither").sort(order).head(max_rows - neither.height)
    return pl.concat([neither, rest]).sort(["city_id", "kpi_id"])


def fold_cities(ctx: Context, counts: pl.DataFrame, top: int, other: str, weight: str = "n",
                score: pl.Expr | None = None) -> tuple[pl.DataFrame, list[str]]:
    """Keep the `top` - 1 cities with the highest `score` (default: their total `weight`) and fold
    the others into one row labelled `other`.

    Returns the frame with a `row_label` column and the row order. With `top` or fewer cities
    nothing is folded and the order is that of the cities parameter.
    """
    present = set(counts["city_id"].to_list())
    if len(present) <= top:
        order = [ctx.city(c) for c in ctx.cities if c in present]
        return counts.with_columns(pl.col("city_label").alias("row_label")), order
    score = pl.col(weight).sum() if score is None else score
    totals = counts.group_by("city_id").agg(score.alias("total")).sort(["total", "city_id"], descending=[True, False])
    keep = totals["city_id"].head(top - 1).to_list()
    keys = [c for c in counts.columns if c not in ("city_id", "city_label", weight, "n") and c != "share"]
    folded = (
        counts.with_columns(
            pl.when(pl.col("city_id").is_in(keep)).then(pl.col("city_label")).otherwise(pl.lit(other)).alias("row_label")
        )
        .group_by(["row_label"] + keys)
        .agg(pl.col(weight).sum())
    )
    order = [ctx.city(c) for c in keep] + [other]
    # group_by's order is arbitrary: rows in the order of the chart (largest city first, the others last)
    rank = {label: i for i, label in enumerate(order)}
    return folded.sort(pl.col("row_label").replace_strict(rank, default=len(rank)), *keys), order


def n_folded(counts: pl.DataFrame, top: int) -> int:
    """How many cities fold into the 'other' row (0 when nothing is folded)."""
    n = counts["city_id"].n_unique()
    return 0 if n <= top else n - (top - 1)


def rates_first() -> pl.Expr:
    """Ranking of cities for folding: most published rates first, then most KPI rows."""
    return pl.col("n").filter(pl.col("rule").is_in(list(RATE_CLASSES))).sum() * 1_000_000_000 + pl.col("n").sum()


# ---------------------------------------------------------------------------------------------
# The findings


def findings(ctx: Context) -> pl.DataFrame:
    """Every finding of the cities, in code order, with the documents and sections it concerns.

    ``params`` is the JSON text of the finding's params (``finding_params`` decodes one). ``doc_ids``
    is the finding's document, or for a finding that spans documents the documents of its related ids
    (each id starts with its doc_id).
    """
    frame = ctx.con.sql(
        """
        select f.finding_id, f.code, f.city_id, f.doc_id, f.kpi_id, f.stakeholder_id,
               f.related_ids, f.params::varchar as params, f.quotes, k.section, k.table_code, k.row_no,
               case when f.doc_id is not null then [f.doc_id]
                    else list_sort(list_distinct(list_transform(f.related_ids, lambda r: split_part(r, ':', 1)))) end as doc_ids
        from data_quality_findings f left join kpis k on k.kpi_id = f.kpi_id
        where ($cities is null or list_contains($cities, f.city_id))
        """,  # no order by: sorted below, on finding_id last (unique), so one order whatever the query's
        params={"cities": ctx.cities_param},
    ).pl()
    rank = {c: i for i, c in enumerate(FINDING_ORDER)}
    return _with_city_label(ctx, frame).with_columns(
        pl.col("code").replace_strict(rank, default=len(rank), return_dtype=pl.Int64).alias("code_rank"),
    ).sort(["code_rank", "code", "city_id", "finding_id"])


def finding_params(params: str | None) -> dict[str, Any]:
    """The params of one finding (data_quality_findings.params, JSON) as a dict."""
    return json.loads(params) if params else {}


def finding_counts(ctx: Context) -> pl.DataFrame:
    """Findings per city and code (counted in DuckDB)."""
    return _per_city(ctx, "data_quality_findings", "code")


def code_totals(counts: pl.DataFrame) -> dict[str, int]:
    """Findings per code over all cities, every known code present (0 when none), in code order."""
    found = dict(counts.group_by("code").agg(pl.col("n").sum()).iter_rows())
    return {code: int(found.get(code, 0)) for code in ordered_codes(list(FINDING_ORDER) + list(found))}


def citation(frame: pl.DataFrame) -> pl.DataFrame:
    """A (doc_id, section) frame for ctx.source() from a findings frame (doc_ids list column)."""
    if frame.height == 0:
        return pl.DataFrame({"doc_id": [], "section": []}, schema={"doc_id": pl.String, "section": pl.String})
    return (
        frame.select(pl.col("doc_ids"), pl.col("section"))
        .explode("doc_ids")
        .rename({"doc_ids": "doc_id"})
        .drop_nulls("doc_id")
        .unique()
        .sort(["doc_id", "section"], nulls_last=True)
    )


def code_sections(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """One entry per code with findings, in code order: code, count, cities, whether to summarise."""
    out = []
    for code in ordered_codes(frame["code"].unique().to_list()):
        part = frame.filter(pl.col("code") == code)
        out.append({
            "code": code,
            "n": part.height,
            "cities": part["city_id"].unique(maintain_order=True).to_list(),
            "summarise": code in REDACTION_CODES and part.height > REDACTION_LIST_MAX,
        })
    return out


def redaction_counts(ctx: Context, code: str) -> pl.DataFrame:
    """Counts behind the redaction findings per city and document.

    value_redacted: KPI rows, how many have their name redacted, and value cells redacted of those printed.
    stakeholder_redacted: stakeholders, how many still print a role or theme.
    """
    if code == "value_redacted":
        sql = """
            with cells as (
                select kpi_id, count(*) filter (where is_redacted) as redacted, count(*) as cells
                from kpi_observations group by kpi_id
            )
            select f.city_id, k.doc_id, count(*)::bigint as findings,
                   count(*) filter (where k.indicator_ja is null)::bigint as names_redacted,
                   coalesce(sum(c.redacted), 0)::bigint as cells_redacted,
                   coalesce(sum(c.cells), 0)::bigint as cells
            from data_quality_findings f join kpis k on k.kpi_id = f.kpi_id left join cells c on c.kpi_id = f.kpi_id
            where f.code = 'value_redacted' and ($cities is null or list_contains($cities, f.city_id))
            group by f.city_id, k.doc_id order by f.city_id, k.doc_id
        """
    elif code == "stakeholder_redacted":
        sql = """
            select f.city_id, s.doc_id, count(*)::bigint as findings,
                   count(s.role_ja)::bigint as with_role
            from data_quality_findings f join stakeholders s on s.stakeholder_id = f.stakeholder_id
            where f.code = 'stakeholder_redacted' and ($cities is null or list_contains($cities, f.city_id))
            group by f.city_id, s.doc_id order by f.city_id, s.doc_id
        """
    else:
        raise ValueError(f"{code!r} is not a redaction code; valid: {', '.join(REDACTION_CODES)}")
    return ctx.con.sql(sql, params={"cities": ctx.cities_param}).pl()
