"""Honest summaries of few values: say n, call a median of one or two values what it is, and say when
the compared rows cover different periods or document types. (Points instead of a box below three
values: present/marks.py, box_groups / small_group_points.)"""

from __future__ import annotations

import polars as pl

from sdgcities.present.marks import MIN_BOX, n_small_groups
from sdgcities.present.notebook import Context


def centre_text(ctx: Context, value: float, n: int, *, decimals: int = 1, unit: str = "") -> str:
    """The centre of n values with n stated: "median 12.3 (n=5)"; for n=2 "midpoint of 2 values",
    for n=1 "a single value", never a "median" of a distribution that is not there. unit is a
    catalogue key (e.g. achievement.unit.per_year) or ''."""
    words = {"value": f"{value:,.{decimals}f}", "unit": ctx.w(unit) if unit else "", "n": n}
    if n >= MIN_BOX:
        return ctx.w("achievement.centre.median", **words)
    return ctx.w("achievement.centre.two" if n == 2 else "achievement.centre.one", **words)


def small_n_note(ctx: Context, stats: pl.DataFrame) -> str:
    """Subtitle line naming how many groups are drawn as points (fewer than MIN_BOX values)."""
    n_small = n_small_groups(stats)
    return ctx.w("achievement.centre.points_note", n=n_small, min_box=MIN_BOX) if n_small else ""


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
            "doc_types": ctx.w("achievement.sep.types").join(ctx.label("doc_type", t) for t in types),
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
    parts = ctx.w("achievement.sep.list").join(
        ctx.w("achievement.periods.city", city=ctx.city(r["city_id"]), baseline=ctx.printed(r["baseline"]), target=ctx.printed(r["target"]),
              doc_types=r["doc_types"]) for r in per.iter_rows(named=True))
    what = "both" if differ_periods and differ_types else ("periods" if differ_periods else "doc_types")
    return ctx.w(f"achievement.periods.differ_{what}", parts=parts)
