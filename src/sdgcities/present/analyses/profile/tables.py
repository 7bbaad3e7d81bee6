"""The city profile's display tables, headed in the notebook's language."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile.data import MAIN_SIDES, short


def column(ctx: Context, name: str) -> str:
    return ctx.w(f"profile.column.{name}")


def documents_table(ctx: Context, docs: pl.DataFrame) -> pl.DataFrame:
    names = ctx.words.labels("doc_type")
    return docs.select(
        pl.col("title_ja" if ctx.lang == "ja" else "title_en").alias(column(ctx, "document")),
        pl.col("doc_type").replace_strict(names, default=pl.col("doc_type")).alias(column(ctx, "type")),
        pl.col("published_label").alias(column(ctx, "published")),
        pl.col("kpis").alias("KPI"),
        pl.col("priority_targets").alias(column(ctx, "priority_targets")),
        pl.col("stakeholders").alias(column(ctx, "stakeholder_rows")),
        pl.col("synergies").alias(column(ctx, "synergies")),
        pl.col("doc_id").alias("doc_id"),
    )


def priority_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("side_label").alias(column(ctx, "side")),
        pl.col("goal_name").alias(column(ctx, "goal")),
        pl.col("targets").list.join(", ").alias(column(ctx, "targets")),
        pl.col("n_targets").alias(column(ctx, "count")),
    )


def kpi_table(ctx: Context, rows: pl.DataFrame) -> pl.DataFrame:
    """The KPI rows for display (one row per printed KPI row)."""
    return rows.select(
        pl.col("side_label").alias(column(ctx, "side")),
        # table:row (e.g. overall:01) keeps the column narrow; the sections are named in the citation.
        pl.col("kpi_id").str.replace(r"^[^:]+:", "").alias(column(ctx, "table_row")),
        (pl.col("indicator_ja").fill_null(ctx.w("profile.redacted_name"))
         + pl.when(pl.col("is_repeat")).then(pl.lit(ctx.w("profile.repeat_mark"))).otherwise(pl.lit(""))).alias(column(ctx, "indicator")),
        pl.col("sdg_targets").list.join(", ").replace("", None).alias(column(ctx, "sdg_targets")),
        pl.col("baseline_shown").alias(column(ctx, "baseline")),
        pl.col("actual_shown").alias(column(ctx, "actual")),
        pl.col("target_shown").alias(column(ctx, "target")),
        pl.col("achievement_shown").alias(column(ctx, "published_rate")),
        pl.col("status_text").str.replace_all(";", " → ", literal=True).alias(column(ctx, "status_printed")),
    )


def synergy_table(ctx: Context, links: pl.DataFrame) -> pl.DataFrame:
    return links.select(
        pl.col("link").alias(column(ctx, "direction")),
        pl.col("description_ja").str.replace_all(r"\s+", " ").map_elements(lambda s: short(s, 90), return_dtype=pl.String).alias(column(ctx, "description")),
        pl.when(pl.col("kpi_id").is_null()).then(pl.lit(None, pl.String)).otherwise(pl.col("indicator_ja").fill_null(ctx.w("profile.redacted_name"))).alias("KPI"),
        pl.col("baseline_shown").alias(column(ctx, "baseline")),
        pl.col("actual_shown").alias(column(ctx, "actual")),
        pl.col("target_shown").alias(column(ctx, "target")),
        pl.col("achievement_shown").alias(column(ctx, "published_rate")),
    )


def partner_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("category_label").alias(column(ctx, "kind")),
        pl.col("partner_name").alias(column(ctx, "partner")),
        pl.col("themes").map_elements(lambda s: short(s, 60), return_dtype=pl.String).alias(column(ctx, "role_theme")),
        pl.col("dates").alias(column(ctx, "dates")),
        pl.col("doc_ids").list.join(", ").alias(column(ctx, "documents")),
    )


def lost_text(ctx: Context, kind: str, part: str | None, until: str | None) -> str:
    """A lost part in words: a section as the document numbers it, a category's heading, the heading of
    the table printed between two headings."""
    if kind == "section":
        return part or ""
    return ctx.w(f"profile.lost.{kind}", part=part, until=until)


def lost_texts(ctx: Context, lost: pl.DataFrame) -> list[str]:
    return [lost_text(ctx, *r) for r in lost.select("kind", "lost_part", "lost_part_until").iter_rows()]


def lost_table(ctx: Context, lost: pl.DataFrame) -> pl.DataFrame:
    kinds = ctx.words.labels("profile.loss_kind")
    return lost.select(
        pl.col("doc_id").alias(column(ctx, "document")),
        pl.col("kind").replace_strict(kinds).alias(column(ctx, "kind")),
        pl.Series(column(ctx, "lost_part"), lost_texts(ctx, lost), dtype=pl.String),
        pl.col("rows_affected").alias(column(ctx, "rows_noting")),
        pl.col("table_name").alias(column(ctx, "tables")),
    )


def gaps(s: dict[str, Any]) -> pl.DataFrame:
    """What is missing or redacted, as computed counts out of their totals (item codes; their
    labels are profile.gap.<item>)."""
    if s["priority_sides"]:
        sides = ("priority_sides_without", len(s["sides_without_priority"]), len(MAIN_SIDES))
    else:
        sides = ("priority_without_side", s["priority_rows_without_side"], s["priority_rows"])
    rows = [
        ("kpi_name_redacted", s["kpis_name_redacted"], s["kpis"]),
        ("kpi_value_redacted", s["kpis_values_redacted"], s["kpis"]),
        ("kpi_no_actual", s["kpis_without_actual"], s["kpis"]),
        ("kpi_text_status", s["kpis_text_status"], s["kpis"]),
        ("kpi_no_published_rate", s["kpis"] - s["kpis_published_rate"], s["kpis"]),
        sides,
        ("partner_name_redacted", s["partners_redacted"], s["partners"]),
        ("synergy_no_kpi", s["synergies"] - s["synergies_with_kpi"], s["synergies"]),
        ("lost_in_extraction", s["lost_parts"], None),
    ]
    frame = pl.DataFrame(rows, schema={"item": pl.String, "count": pl.Int64, "total": pl.Int64}, orient="row")
    return frame.with_columns(pl.when(pl.col("total") > 0).then(pl.col("count") / pl.col("total")).otherwise(None).alias("share"))


def gaps_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("item").replace_strict(ctx.words.labels("profile.gap")).alias(column(ctx, "item")),
        pl.col("count").alias(column(ctx, "count")),
        pl.col("total").alias(column(ctx, "out_of")),
        pl.col("share").map_elements(lambda v: f"{v * 100:.0f}%", return_dtype=pl.String).alias(column(ctx, "share")),
    )
