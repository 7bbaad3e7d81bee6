"""Display tables (headers in the notebook's language) and the checked printed lines (codes and
numbers only, compared strictly by the notebook's NBVAL_CHECK_OUTPUT cells)."""

from __future__ import annotations

import polars as pl

from sdgcities.build.models.progress import RULE_NAMES
from sdgcities.present.analyses.achievement.chart_parts import col
from sdgcities.present.analyses.achievement.data import (
    AGREEMENT_TOLERANCE, AMBITION_STATUSES, DISCLOSURE_FIELDS, NOT_EVALUABLE, REASON_ORDER, ambition_summary,
    city_summary, flip_counts, run_flip_summary, many_cities, published_counts, status_codes)
from sdgcities.present.analyses.achievement.scales import fmt_number
from sdgcities.present import marks
from sdgcities.present.marks import TOP_N
from sdgcities.present.notebook import Context


def qualification_table(ctx: Context, qual: pl.DataFrame) -> pl.DataFrame:
    """The qualification frame with headers in ctx.lang, for display (pooled per reason with many cities)."""
    if many_cities(ctx):
        order = {code: i for i, code in enumerate(REASON_ORDER)}
        pooled = qual.group_by("reason_code", "reason").agg(
            pl.col("city_id").n_unique().alias("n_cities"), pl.col("n").sum(), pl.col("n_with_status").sum(),
        ).with_columns(pl.col("reason_code").replace_strict(order, default=99).alias("_r")).sort("_r")
        return pooled.select(
            pl.col("reason").alias(col(ctx, "situation")),
            pl.col("n_cities").alias(col(ctx, "n_cities")),
            pl.col("n").alias(col(ctx, "kpi_rows")),
            pl.col("n_with_status").alias(col(ctx, "with_status")),
        )
    return qual.select(
        pl.col("city").alias(col(ctx, "city")),
        pl.col("reason").alias(col(ctx, "situation")),
        pl.col("n").alias(col(ctx, "kpi_rows")),
        pl.col("n_with_status").alias(col(ctx, "with_status")),
    )


def top_cities_table(ctx: Context, evaluated: pl.DataFrame, n: int = TOP_N) -> pl.DataFrame:
    """With many cities: the cities with the highest and lowest median score (ties by city id)."""
    summary = city_summary(ctx, evaluated).filter(pl.col("n_evaluated") > 0)
    top = summary.sort(["median_score", "city_id"], descending=[True, False]).head(n)
    bottom = summary.sort(["median_score", "city_id"]).head(n)
    return pl.concat([
        top.with_columns(pl.lit(col(ctx, "top")).alias("rank")),
        bottom.with_columns(pl.lit(col(ctx, "bottom")).alias("rank")),
    ]).select(
        pl.col("rank").alias(col(ctx, "rank")),
        pl.col("city").alias(col(ctx, "city")),
        pl.col("n_evaluated").alias(col(ctx, "rows_evaluated")),
        pl.col("median_score").round(1).alias(col(ctx, "median")),
    )


def _values(ctx: Context, *kinds: str) -> list[pl.Expr]:
    """The printed year labels and values of the KPI rows, with their headers."""
    out = []
    for kind in kinds:
        out += [pl.col(f"{kind}_label").alias(col(ctx, f"{kind}_year")), pl.col(f"{kind}_value").alias(col(ctx, kind))]
    return out


def status_table(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """The KPI rows behind each status band (rows with a status), best band first; with many cities the
    highest values of a band first (a report prints the first rows of a long table)."""
    rank = {c: i for i, c in enumerate(status_codes(rule))}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    rows = evaluated.filter(pl.col("status").is_not_null()).with_columns(
        pl.col("status").replace_strict(rank, default=99).alias("_s"),
        pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c"),
    ).sort("_s", "_c", "kpi_id")
    rows = marks.most_first(rows, ctx.cities, -pl.col("_s"), "score")
    return rows.select(
        pl.col("status_label").alias(col(ctx, "status")),
        pl.col("city").alias(col(ctx, "city")),
        pl.col("side_label").alias(col(ctx, "side")),
        pl.col("indicator_ja").alias(col(ctx, "indicator_printed")),
        *_values(ctx, "baseline", "actual", "target"),
        pl.col("unit").alias(col(ctx, "unit")),
        pl.col("score").round(1).alias(col(ctx, "value")),
        pl.col("kpi_id").alias("KPI"),
    )


def published_table(ctx: Context, comparison: pl.DataFrame) -> pl.DataFrame:
    """Rows whose published rate differs from (or cannot be compared with) the recomputed value; with
    many cities the largest differences first."""
    rows = comparison.filter(pl.col("agreement") != "agrees").sort("kpi_id")
    rows = marks.most_first(rows, ctx.cities, (pl.col("published_pct") - pl.col("score")).abs())
    return rows.select(
        pl.col("city").alias(col(ctx, "city")),
        pl.col("indicator_ja").alias(col(ctx, "indicator")),
        pl.col("baseline_value").alias(col(ctx, "baseline")),
        pl.col("actual_value").alias(col(ctx, "actual")),
        pl.col("target_value").alias(col(ctx, "target")),
        pl.col("published_pct").alias(col(ctx, "published")),
        pl.col("score").round(1).alias(col(ctx, "recomputed")),
        pl.col("agreement").replace_strict(ctx.words.labels("achievement.agreement")).alias(col(ctx, "result")),
        pl.col("kpi_id").alias("KPI"),
    )


def flip_table(ctx: Context, matrix: pl.DataFrame) -> pl.DataFrame:
    """The flipping KPI rows with their status label (and value) under each rule; with many cities the
    rows the rules put in the most different tiers first (the values are on each rule's own scale)."""
    flipping = matrix.filter(pl.col("flips"))
    city, indicator = col(ctx, "city"), col(ctx, "indicator")
    if flipping.is_empty():
        return pl.DataFrame({city: [], indicator: []}, schema={city: pl.String, indicator: pl.String})
    wide = flipping.with_columns(
        pl.concat_str([pl.col("status_label"), pl.lit(" ("), pl.col("score").round(1).cast(pl.String).fill_null("–"),
                       pl.lit(")")]).alias("cell")
    ).pivot(on="rule", index=["kpi_id", "city", "indicator_ja", "n_tiers"], values="cell").sort("kpi_id")
    wide = marks.most_first(wide, ctx.cities, "n_tiers")
    return wide.select(
        pl.col("city").alias(city),
        pl.col("indicator_ja").alias(indicator),
        *[pl.col(r).alias(ctx.label("rules.name", r)) for r in RULE_NAMES if r in wide.columns],
        pl.col("kpi_id").alias("KPI"),
    )


# ---------------------------------------------------------------------------------------------
# Checked printed results (codes and numbers)


def evaluated_lines(ctx: Context, evaluated: pl.DataFrame, rule: str) -> list[str]:
    """Per city (sorted by id): rows, rows with a value, rows with a status, median score (1 decimal)."""
    out = [f"rule: {rule}"]
    for r in city_summary(ctx, evaluated).sort("city_id").iter_rows(named=True):
        out.append(f"{r['city_id']}: {r['n_evaluated']} of {r['n_rows']} KPI rows evaluated, "
                   f"{r['n_status']} with a status, median {fmt_number(r['median_score'])}")
    return out


def qualification_lines(qual: pl.DataFrame) -> list[str]:
    return [f"{r['city_id']}: {r['reason_code']} {r['n']} (with status {r['n_with_status']})"
            for r in qual.sort("city_id", "reason_code").iter_rows(named=True)]


def status_lines(ctx: Context, evaluated: pl.DataFrame, rule: str) -> list[str]:
    """Counts per status band, per city (sorted) and in total, in the rule's band order."""
    codes = [*status_codes(rule), NOT_EVALUABLE]
    lookup = {(c, s): int(n) for c, s, n in evaluated.group_by("city_id", "status_code").len().iter_rows()}
    out = [f"{city}: " + ", ".join(f"{code} {lookup.get((city, code), 0)}" for code in codes) for city in sorted(ctx.cities)]
    total = {s: int(n) for s, n in evaluated.group_by("status_code").len().iter_rows()}
    out.append("all: " + ", ".join(f"{code} {total.get(code, 0)}" for code in codes))
    return out


def published_lines(comparison: pl.DataFrame, texts: pl.DataFrame, rule: str) -> list[str]:
    c = published_counts(comparison)
    out = [f"rule: {rule}",
           f"published numeric rates: {c['published']}",
           f"comparable: {c['agrees'] + c['differs']}",
           f"agree within +/-{AGREEMENT_TOLERANCE:g} point: {c['agrees']}",
           f"differ: {c['differs']}",
           f"not comparable: {c['not_comparable']}"]
    for r in texts.sort("kpi_id").iter_rows(named=True):
        out.append(f"published as text {r['kpi_id']}: {r['published_achievement_text']} -> {r['status'] or 'no status'}")
    return out


def flip_lines(ctx: Context, matrix: pl.DataFrame, max_listed: int = 2 * TOP_N) -> list[str]:
    out = [f"{r['city_id']}: {r['n_rows']} KPI rows, {r['n_comparable']} with a status under 2+ rules, {r['n_flips']} flip"
           for r in flip_counts(ctx, matrix).sort("city_id").iter_rows(named=True)]
    flipping = run_flip_summary(ctx, matrix).filter(pl.col("flips")).sort("kpi_id")
    out.append(f"all: {flipping.height} KPI rows flip")
    for r in flipping.head(max_listed).iter_rows(named=True):
        out.append("  " + r["kpi_id"] + ": " + " | ".join(f"{rule}={r[rule] or '-'}" for rule in RULE_NAMES))
    if flipping.height > max_listed:
        out.append(f"  ... and {flipping.height - max_listed} more")
    return out


def ambition_lines(ctx: Context, amb: pl.DataFrame) -> list[str]:
    lookup = {(c, s): int(n) for c, s, n in amb.group_by("city_id", "ambition_status").len().iter_rows()}
    out = []
    for r in ambition_summary(ctx, amb).sort("city_id").iter_rows(named=True):
        excluded = ", ".join(f"{s} {lookup[(r['city_id'], s)]}" for s in AMBITION_STATUSES
                             if s != "ok" and (r["city_id"], s) in lookup)
        out.append(f"{r['city_id']}: {r['n']} KPI rows, median {fmt_number(r['median_pct'], 2)} % per year"
                   + (f" (excluded: {excluded})" if excluded else ""))
    return out


def disclosure_lines(disc: pl.DataFrame) -> list[str]:
    return [f"{r['city_id']}: {r['n_rows']} KPI rows; " + ", ".join(f"{f} {fmt_number(r[f'share_{f}'], 3)}" for f in DISCLOSURE_FIELDS)
            for r in disc.sort("city_id").iter_rows(named=True)]
