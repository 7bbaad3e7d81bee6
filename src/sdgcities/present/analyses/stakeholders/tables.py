"""The stakeholder display tables, headed in the notebook's language."""

from __future__ import annotations

import polars as pl

from sdgcities.present.marks import TOP_N, many_cities
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.stakeholders.data import CATEGORIES, category_name, category_themes, city_totals
from sdgcities.present.analyses.stakeholders.figures import folds_cities


def _column(ctx: Context, name: str, **params) -> str:
    return ctx.w(f"stakeholders.column.{name}", **params)


def category_table(ctx: Context, counts: pl.DataFrame) -> pl.DataFrame:
    """Cities x categories with "partners (redacted)" cells and a total column, for display.
    When the chart folds cities, the TOP_N cities with most partners."""
    found = set(counts["category"].to_list())
    present = [c for c in CATEGORIES if c in found] + sorted(found - set(CATEGORIES))
    cells = counts.with_columns(
        pl.when(pl.col("redacted") > 0)
        .then(pl.format(ctx.w("stakeholders.cell_with_redacted"), pl.col("partners"), pl.col("redacted")))
        .otherwise(pl.col("partners").cast(pl.String))
        .alias("cell")
    )
    wide = cells.pivot(on="category", index="city_id", values="cell")
    wide = wide.join(city_totals(ctx).select("city_id", "partners", "redacted", "mentions"), on="city_id", how="left")
    if folds_cities(wide.height):
        wide = wide.sort(["partners", "city_id"], descending=[True, False]).head(TOP_N)
    else:
        order = {c: i for i, c in enumerate(ctx.cities)}
        wide = wide.sort(pl.col("city_id").replace_strict(order, default=len(order)))
    return wide.select(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias(_column(ctx, "city")),
        *[pl.col(c).fill_null("–").alias(category_name(ctx, c)) for c in present],
        pl.col("partners").alias(_column(ctx, "partners_total")),
        pl.col("redacted").alias(_column(ctx, "of_which_redacted")),
        pl.col("mentions").alias(_column(ctx, "mentions")),
    )


def agreement_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """The dated agreements for display, in time order."""
    columns = [pl.col("city_label").alias(_column(ctx, "city"))] if frame["city_id"].n_unique() > 1 else []
    return frame.sort(["city_id", "plot_date", "category", "partner"]).select(
        *columns,
        pl.col("agreed_on").alias(_column(ctx, "date")),
        pl.col("date_printed").alias(_column(ctx, "date_printed")),
        pl.col("partner_name").alias(_column(ctx, "partner")),
        pl.col("category_label").alias(_column(ctx, "kind")),
        pl.col("theme").alias(_column(ctx, "theme")),
        pl.col("documents").alias(_column(ctx, "documents")),
    )


def themes_by_category(ctx: Context, *, per_category: int = 5) -> pl.DataFrame:
    """Per category: partners, partners with a printed theme, and the most frequent theme words."""
    frame = category_themes(ctx, per_category=per_category)
    return frame.select(
        pl.col("category").map_elements(lambda c: category_name(ctx, c), return_dtype=pl.String).alias(_column(ctx, "kind")),
        pl.col("partners").alias(_column(ctx, "partners")),
        pl.col("with_theme").alias(_column(ctx, "with_theme")),
        pl.col("top_words").fill_null("–").alias(_column(ctx, "top_words", n=per_category)),
    )


def shared_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """The shared-partner frame for display; with many cities, only the partners whose date or
    theme differs."""
    status = ctx.words.labels("stakeholders.status")
    if many_cities(ctx.cities):
        frame = frame.filter((pl.col("date_status") == "differs") | (pl.col("theme_status") == "differs"))
    columns = [pl.col("city_label").alias(_column(ctx, "city"))] if len(ctx.cities) > 1 else []
    columns += [
        pl.col("partner_name").alias(_column(ctx, "partner")),
        pl.col("category_label").alias(_column(ctx, "kind")),
        pl.col("documents").alias(_column(ctx, "document_count")),
        pl.col("dates_by_document").alias(_column(ctx, "dates_by_document")),
        pl.col("date_status").replace_strict(status).alias(_column(ctx, "date")),
        pl.col("themes_by_document").alias(_column(ctx, "themes_by_document")),
        pl.col("theme_status").replace_strict(status).alias(_column(ctx, "theme")),
    ]
    return frame.select(columns)
