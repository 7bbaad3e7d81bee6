"""Coverage tables for display: column headers and coded values from the catalogue (coverage.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.coverage.data import top_cities
from sdgcities.present.analyses.coverage.labels import EMPTY, city_labels, join_list
from sdgcities.present.analyses.coverage.text import level_word
from sdgcities.present.notebook import Context

SHARE_CLASSES = ("all", "some", "unique", "single")


def _col(ctx: Context, key: str) -> str:
    return ctx.w(f"coverage.col.{key}")


def _city_column(ctx: Context, frame: pl.DataFrame, column: str = "city_id") -> pl.Expr:
    names = city_labels(ctx, frame[column].to_list())
    return pl.col(column).replace_strict(names, return_dtype=pl.String)


def summary_table(ctx: Context, summary: pl.DataFrame) -> pl.DataFrame:
    """Per-city counts (the marks.MANY_CITIES cities drawn in the charts when there are more)."""
    summary = summary.filter(pl.col("city_id").is_in(top_cities(summary)))
    return summary.select(
        _city_column(ctx, summary).alias(_col(ctx, "city")),
        pl.col("n_goals_kpi").alias(_col(ctx, "goals_kpi")),
        pl.col("n_targets_kpi").alias(_col(ctx, "targets_kpi")),
        pl.col("n_indicators_mapped").alias(_col(ctx, "indicators_mapped")),
        pl.col("n_kpi_rows_no_target").alias(_col(ctx, "rows_no_target")),
        pl.col("n_goals_priority").alias(_col(ctx, "priority_goals")),
        pl.col("n_targets_priority").alias(_col(ctx, "priority_targets")),
    )


def target_summary_table(ctx: Context, target_cells_frame: pl.DataFrame, cities: Sequence[str]) -> pl.DataFrame:
    """Compact target-level summary per city (for level=goal): targets by KPI / priority status.
    Pass the cities to show (e.g. top_cities(summary))."""
    agg = target_cells_frame.group_by("city_id").agg(
        pl.len().alias("n"),
        (pl.col("is_kpi") & pl.col("is_priority")).sum().alias("both"),
        (pl.col("is_kpi") & ~pl.col("is_priority")).sum().alias("kpi_only"),
        (~pl.col("is_kpi") & pl.col("is_priority")).sum().alias("priority_only"),
    )
    base = pl.DataFrame({"city_id": list(cities)}).join(agg, on="city_id", how="left").with_columns(
        pl.col("n", "both", "kpi_only", "priority_only").fill_null(0)
    )
    return base.select(
        _city_column(ctx, base).alias(_col(ctx, "city")),
        pl.col("n").alias(_col(ctx, "targets_cited")),
        pl.col("both").alias(_col(ctx, "both")),
        pl.col("kpi_only").alias(_col(ctx, "kpi_only")),
        pl.col("priority_only").alias(_col(ctx, "priority_only")),
    )


def jaccard_table(ctx: Context, pairs: pl.DataFrame) -> pl.DataFrame:
    name = city_labels(ctx, list(dict.fromkeys(pairs["city_a"].to_list() + pairs["city_b"].to_list())))
    return pairs.select(
        pl.col("city_a").replace_strict(name, return_dtype=pl.String).alias(_col(ctx, "city_a")),
        pl.col("city_b").replace_strict(name, return_dtype=pl.String).alias(_col(ctx, "city_b")),
        pl.col("n_a").alias("|A|"),
        pl.col("n_b").alias("|B|"),
        pl.col("n_inter").alias("|A∩B|"),
        pl.col("n_union").alias("|A∪B|"),
        pl.col("jaccard").round(3).alias(_col(ctx, "jaccard")),
    )


def _city_list(ctx: Context, cities: Any, limit: int = 5) -> str:
    cities = list(cities)
    text = ", ".join(ctx.city(c) for c in cities[:limit])
    if len(cities) > limit:
        text += ctx.w("coverage.more_cities", n=len(cities) - limit)
    return text


def sharing_table(ctx: Context, sharing: pl.DataFrame, level: str) -> pl.DataFrame:
    classes = {code: ctx.w(f"coverage.share.{code}") for code in SHARE_CLASSES}
    label = (lambda i: ctx.goal(int(i))) if level == "goal" else (lambda i: i)
    return sharing.select(
        pl.col("item").map_elements(label, return_dtype=pl.String).alias(level_word(ctx, level, plural=False, start=True)),
        pl.col("share").replace_strict(classes, return_dtype=pl.String).alias(_col(ctx, "class")),
        pl.col("n_cities").alias(_col(ctx, "n_cities")),
        pl.col("cities").map_elements(lambda cs: _city_list(ctx, cs), return_dtype=pl.String).alias(_col(ctx, "which")),
    )


def unmeasured_table(ctx: Context, unmeasured: pl.DataFrame) -> pl.DataFrame:
    """Per city with a priority list; with more than marks.MANY_CITIES, those with most unmeasured targets."""
    if unmeasured.height > marks.MANY_CITIES:
        unmeasured = (
            unmeasured.with_row_index("pos")
            .sort(["n_unmeasured_targets", "pos"], descending=[True, False])
            .head(marks.MANY_CITIES)
            .drop("pos")
        )
    yes_no = {True: ctx.w("coverage.yes"), False: ctx.w("coverage.no")}
    return unmeasured.select(
        _city_column(ctx, unmeasured).alias(_col(ctx, "city")),
        pl.col("n_priority_targets").alias(_col(ctx, "priority_targets")),
        pl.col("n_unmeasured_targets").alias(_col(ctx, "without_kpi")),
        pl.col("unmeasured_targets").map_elements(join_list, return_dtype=pl.String).alias(_col(ctx, "targets_without_kpi")),
        pl.col("n_priority_goals").alias(_col(ctx, "priority_goals")),
        pl.col("unmeasured_goals").map_elements(lambda gs: ", ".join(ctx.goal(g) for g in gs) if len(gs) else EMPTY,
                                                return_dtype=pl.String).alias(_col(ctx, "goals_without_kpi")),
        pl.col("derived_from_kpi_table").replace_strict(yes_no, return_dtype=pl.String).alias(_col(ctx, "from_kpi_table")),
    )
