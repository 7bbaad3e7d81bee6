"""Honest summaries of few values: say n, call a median of one or two values what it is, and say when
the compared rows cover different periods or document types. (Points instead of a box below three
values: present/marks.py, box_groups / small_group_points.)"""

from __future__ import annotations

import polars as pl

from sdgcities.present.marks import MIN_BOX, many_cities, n_small_groups
from sdgcities.present.notebook import Context


PERIODS_LISTED = 3  # with many cities, the periods note names this many of the most common periods


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


def periods(ctx: Context, rows: pl.DataFrame) -> pl.DataFrame:
    """Per city: the baseline and target periods of the rows (labels as printed, 年度 kept) and the types
    of the documents they come from. rows needs city_id, doc_id, baseline_year/label, target_year/label."""
    docs = ctx.con.sql("select doc_id, doc_type from documents").pl()
    rows = rows.filter(pl.col("baseline_year").is_not_null() & pl.col("target_year").is_not_null())
    rows = rows.join(docs, on="doc_id", how="left")
    # Column expressions over the rows grouped by city, not one filter per city (1,741 cities in the
    # scale test). A span is the first label of the earliest year (the smallest when several
    # share it), the last of the latest, one label when all years are equal.
    def span(kind: str) -> pl.Expr:
        year, label = pl.col(f"{kind}_year"), pl.col(f"{kind}_label")
        first, last = label.filter(year == year.min()).min(), label.filter(year == year.max()).max()
        return pl.when(year.min() == year.max()).then(first).otherwise(pl.concat_str([first, pl.lit("–"), last])).alias(kind)
    labels = {t: ctx.label("doc_type", t) for t in rows["doc_type"].unique().to_list()}
    per_city = {r["city_id"]: r for r in rows.group_by("city_id").agg(
        span("baseline"), span("target"), pl.col("doc_type").unique().sort()).iter_rows(named=True)}
    out = [{"city_id": city, "baseline": per_city[city]["baseline"], "target": per_city[city]["target"],
            "doc_types": ctx.w("achievement.sep.types").join(labels[t] for t in per_city[city]["doc_type"])}
           for city in ctx.cities if city in per_city]
    schema = {"city_id": pl.String, "baseline": pl.String, "target": pl.String, "doc_types": pl.String}
    return pl.DataFrame(out, schema=schema)


def periods_note(ctx: Context, rows: pl.DataFrame) -> str:
    """A warning line when the cities' rows cover different periods or come from different document types
    ("" when they agree or only one city has rows)."""
    # The ambition section words the same rows' periods three times (its two charts and its text): made once
    # per run and rows (a line per city, 1,741 at 1,741 cities). The periods follow from the KPI rows.
    key = ("achievement.periods_note", ctx.lang, tuple(ctx.cities), tuple(rows["kpi_id"].to_list())) if "kpi_id" in rows.columns else None
    if key is not None and key in ctx.memo:
        return ctx.memo[key]
    note = _periods_note(ctx, rows)
    if key is not None:
        ctx.memo[key] = note
    return note


def _periods_note(ctx: Context, rows: pl.DataFrame) -> str:
    per = periods(ctx, rows)
    if per.height < 2:
        return ""
    n_periods = per.select("baseline", "target").unique().height
    n_types = per["doc_types"].n_unique()
    differ_periods, differ_types = n_periods > 1, n_types > 1
    if not (differ_periods or differ_types):
        return ""
    if many_cities(per["city_id"].to_list()):
        # A line per city would be unreadable (and at 1,741 cities ~140 KiB in each chart's subtitle):
        # the counts, and the most common periods with how many cities have each.
        common = (per.group_by("baseline", "target", "doc_types").len("count")
                  .sort(["count", "baseline", "target", "doc_types"], descending=[True, False, False, False]).head(PERIODS_LISTED))
        parts = ctx.w("achievement.sep.list").join(
            ctx.w("achievement.periods.item_many", baseline=ctx.printed(r["baseline"]), target=ctx.printed(r["target"]),
                  doc_types=r["doc_types"], count=r["count"]) for r in common.iter_rows(named=True))
        return ctx.w("achievement.periods.many", n_cities=per.height, n_periods=n_periods, n_types=n_types, parts=parts)
    parts = ctx.w("achievement.sep.list").join(
        ctx.w("achievement.periods.city", city=ctx.city(r["city_id"]), baseline=ctx.printed(r["baseline"]), target=ctx.printed(r["target"]),
              doc_types=r["doc_types"]) for r in per.iter_rows(named=True))
    what = "both" if differ_periods and differ_types else ("periods" if differ_periods else "doc_types")
    return ctx.w(f"achievement.periods.differ_{what}", parts=parts)
