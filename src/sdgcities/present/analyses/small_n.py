"""Honest summaries of few values: say n, call a median of one or two values what it is, draw points
instead of a box below three values, and say when the compared rows cover different periods or
document types.

Used by the chart titles of :mod:`sdgcities.present.analyses.achievement` (and any analysis that summarises
groups of KPI rows). Every function takes the notebook Context (``ctx``) for the language.
"""

from __future__ import annotations

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile import DOC_TYPE_NAMES

MIN_BOX = 3  # fewer values per group: no box (quartiles of one or two values mean nothing), points


def centre_text(ctx: Context, value: float, n: int, *, decimals: int = 1, unit_ja: str = "",
                unit_en: str = "") -> str:
    """The centre of n values with n stated: "median 12.3 (n=5)"; for n=2 "midpoint of 2 values",
    for n=1 "single value", never a "median" of a distribution that is not there."""
    v = f"{value:,.{decimals}f}"
    if n >= MIN_BOX:
        return ctx.t(f"中央値 {v}{unit_ja}（n={n}）", f"median {v}{unit_en} (n={n})")
    if n == 2:
        return ctx.t(f"2値の中間 {v}{unit_ja}（n=2）", f"midpoint of 2 values {v}{unit_en} (n=2)")
    return ctx.t(f"1値のみ {v}{unit_ja}（n=1）", f"a single value {v}{unit_en} (n=1)")


def box_groups(stats: pl.DataFrame) -> pl.DataFrame:
    """The groups of a box-statistics frame (column ``n``) with enough values for a box."""
    return stats.filter(pl.col("n") >= MIN_BOX)


def small_group_points(stats: pl.DataFrame, by: str) -> pl.DataFrame:
    """The values of the groups too small for a box, one row per value (``value``, ``value_shown``,
    ``n``): with one or two values, the minimum and the maximum are the values."""
    small = stats.filter(pl.col("n") < MIN_BOX)
    low = small.select(by, "n", pl.col("low").alias("value"), pl.col("low_shown").alias("value_shown"))
    high = small.filter(pl.col("n") == 2).select(by, "n", pl.col("high").alias("value"),
                                                  pl.col("high_shown").alias("value_shown"))
    return pl.concat([low, high])


def small_n_note(ctx: Context, stats: pl.DataFrame) -> str:
    """Subtitle line naming how many groups are drawn as points (fewer than MIN_BOX values)."""
    n_small = stats.filter(pl.col("n") < MIN_BOX).height
    if n_small == 0:
        return ""
    return ctx.t(f"{MIN_BOX} 値未満の {n_small} グループは箱ではなく点で表示",
                 f"{n_small} group(s) with fewer than {MIN_BOX} values drawn as points, not boxes")


def _span(labels: list[tuple[int, str]]) -> str:
    """"2020年度–2025年度" from (year, label as printed) pairs; one label when all years are equal."""
    ordered = sorted(labels)
    first, last = ordered[0][1], ordered[-1][1]
    return first if ordered[0][0] == ordered[-1][0] else f"{first}–{last}"


def periods(ctx: Context, rows: pl.DataFrame) -> pl.DataFrame:
    """Per city: the baseline and target periods of the rows (labels as printed, 年度 kept) and the types
    of the documents they come from. rows needs city_id, doc_id, baseline_year/label, target_year/label."""
    docs = ctx.con.sql("select doc_id, doc_type from documents").pl()
    rows = rows.filter(pl.col("baseline_year").is_not_null() & pl.col("target_year").is_not_null())
    rows = rows.join(docs, on="doc_id", how="left")
    out = []
    for city in [c for c in ctx.cities if c in set(rows["city_id"].to_list())]:
        part = rows.filter(pl.col("city_id") == city)
        types = sorted(set(part["doc_type"].to_list()))
        out.append({
            "city_id": city,
            "baseline": _span(list(zip(part["baseline_year"].to_list(), part["baseline_label"].to_list()))),
            "target": _span(list(zip(part["target_year"].to_list(), part["target_label"].to_list()))),
            "doc_types": ctx.t("・", ", ").join(DOC_TYPE_NAMES.get(t, {}).get(ctx.lang, t) for t in types),
        })
    schema = {"city_id": pl.String, "baseline": pl.String, "target": pl.String, "doc_types": pl.String}
    return pl.DataFrame(out, schema=schema)


def periods_note(ctx: Context, rows: pl.DataFrame) -> str:
    """A warning line when the cities' rows cover different periods or come from different document types
    ("" when they agree or only one city has rows)."""
    per = periods(ctx, rows)
    if per.height < 2:
        return ""
    differ_periods = per.select("baseline", "target").unique().height > 1
    differ_types = per["doc_types"].n_unique() > 1
    if not (differ_periods or differ_types):
        return ""
    parts = ctx.t("、", "; ").join(
        ctx.t(f"{ctx.city(r['city_id'])} {r['baseline']}→{r['target']}（{r['doc_types']}）",
              f"{ctx.city(r['city_id'])} {r['baseline']} → {r['target']} ({r['doc_types']})")
        for r in per.iter_rows(named=True))
    what = ctx.t("期間" if not differ_types else ("期間と文書の種類" if differ_periods else "文書の種類"),
                 "periods" if not differ_types else ("periods and document types" if differ_periods else "document types"))
    return ctx.t(f"注意: 都市ごとに{what}が異なる（当初→目標）: {parts}",
                 f"Caution, the {what} differ (baseline → target): {parts}")
