"""The check lines of the stakeholder notebook's NBVAL_CHECK_OUTPUT cells: codes and numbers only,
one line per city; with more than MANY_CITIES cities, totals and the TOP_N cities."""

from __future__ import annotations

import polars as pl

from sdgcities.present.marks import MANY_CITIES, TOP_N
from sdgcities.present.analyses.stakeholders.shared import shared_summary


def category_lines(counts: pl.DataFrame) -> list[str]:
    """Per city and category the partners, redacted partners and rows; with many cities, totals
    per category instead."""
    if counts["city_id"].n_unique() > MANY_CITIES:
        counts = counts.group_by("category").agg(
            pl.lit("all_cities").alias("city_id"), pl.col("partners").sum(), pl.col("redacted").sum(), pl.col("mentions").sum()
        )
    return [
        f"{r['city_id']} {r['category']}: partners={r['partners']} redacted={r['redacted']} rows={r['mentions']}"
        for r in counts.sort(["city_id", "category"]).iter_rows(named=True)
    ]


def agreement_lines(summary: pl.DataFrame) -> list[str]:
    """One line per city with dated agreements; with many such cities, the totals and the TOP_N
    cities with most agreements."""
    if summary.height > MANY_CITIES:
        total = (
            f"all {summary.height} cities: agreements={int(summary['agreements'].sum())} rows={int(summary['rows'].sum())} "
            f"years={int(summary['first_year'].min())}-{int(summary['last_year'].max())}"
        )
        return [total] + _agreement_city_lines(summary.sort(["agreements", "city_id"], descending=[True, False]).head(TOP_N))
    return _agreement_city_lines(summary)


def _agreement_city_lines(summary: pl.DataFrame) -> list[str]:
    return [
        f"{r['city_id']}: agreements={r['agreements']} rows={r['rows']} partners={r['partners']} "
        f"years={r['first_year']}-{r['last_year']} precision year={r['by_year']} month={r['by_month']} day={r['by_day']}"
        for r in summary.sort("city_id").iter_rows(named=True)
    ]


def shared_lines(frame: pl.DataFrame) -> list[str]:
    """One line per city with shared partners; with many such cities, the totals and the first
    TOP_N cities."""
    lines = []
    cities = sorted(frame["city_id"].unique().to_list())
    if len(cities) > MANY_CITIES:
        c = shared_summary(frame)
        lines.append(
            f"all {len(cities)} cities: shared={c['partners']} date_differs={c['date_differs']} "
            f"theme_differs={c['theme_differs']} either_differs={c['either_differs']}"
        )
        cities = cities[:TOP_N]
    for city in cities:
        c = shared_summary(frame.filter(pl.col("city_id") == city))
        lines.append(
            f"{city}: shared={c['partners']} date_differs={c['date_differs']} theme_differs={c['theme_differs']} "
            f"either_differs={c['either_differs']}"
        )
    return lines
