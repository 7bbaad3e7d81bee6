"""Display tables of the front matter: the comparability of the documents and the four progress rules.
Column headings and cell words come from the catalogue (front.table.*, rules.*)."""

from __future__ import annotations

import polars as pl

from sdgcities.present import marks
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.front.text import RULES, document_name, period_label

COLUMNS = ("city", "document", "doc_type", "published", "period", "kpi_rows", "repeat_rows", "redacted_share",
           "has_actual_values")


def comparability_table(ctx: Context, documents: pl.DataFrame) -> pl.DataFrame:
    """One row per document (model city_comparability): city, title, kind, publication date and period as
    printed, KPI rows (reprints counted once), the reprints, the share redacted and whether actual values
    are printed. A document without KPI rows has no share ('–'), not 0%. With many cities the documents
    with the most KPI rows come first (a report prints the first rows of a long table)."""
    rows = []
    # The words of a kind, a share and yes/no made once each (1,743 rows at 1,741 cities, few distinct values).
    kinds = {kind: ctx.label("doc_type", kind) for kind in documents["doc_type"].unique().to_list()}
    shares = {share: ctx.w("front.table.share", share=share) for share in documents["redacted_share"].drop_nulls().unique().to_list()}
    yes_no = {True: ctx.w("front.table.yes"), False: ctx.w("front.table.no")}
    read = ("city_id", "doc_id", "doc_type", "published_label", "period_start_label", "period_end_label", "kpi_rows",
            "repeat_rows", "redacted_share", "has_actual_values")
    for row in marks.most_first(documents.select(read), ctx.cities, "kpi_rows").iter_rows(named=True):
        share = row["redacted_share"]
        rows.append({
            "city": ctx.city(row["city_id"]),
            "document": document_name(ctx, row["doc_id"]),
            "doc_type": kinds[row["doc_type"]],
            "published": row["published_label"],
            "period": period_label(ctx, row["period_start_label"], row["period_end_label"]),
            "kpi_rows": row["kpi_rows"],
            "repeat_rows": row["repeat_rows"],
            "redacted_share": None if share is None else shares[share],
            "has_actual_values": yes_no[bool(row["has_actual_values"])],
        })
    schema = {name: (pl.Int64 if name in ("kpi_rows", "repeat_rows") else pl.String) for name in COLUMNS}
    table = pl.DataFrame(rows, schema=schema)
    return table.rename({name: ctx.w(f"front.table.{name}") for name in COLUMNS})


def redacted_documents_table(ctx: Context, documents: pl.DataFrame) -> pl.DataFrame | None:
    """With many cities, the documents that redact KPI rows (their warnings are pooled in one sentence):
    city, document, KPI rows, redacted rows and share, the most redacted first. None otherwise, or when
    no document redacts anything."""
    if not marks.many_cities(ctx.cities):
        return None
    redacted = (documents.filter((pl.col("kpi_rows") > 0) & pl.col("redacted_rows").is_not_null() & (pl.col("redacted_rows") != 0))
                .sort(["redacted_share", "redacted_rows"], descending=True, maintain_order=True))
    if redacted.is_empty():
        return None
    shares = {share: ctx.w("front.table.share", share=share) for share in redacted["redacted_share"].unique().to_list()}
    table = pl.DataFrame({
        "city": [ctx.city(c) for c in redacted["city_id"].to_list()],
        "document": [document_name(ctx, d) for d in redacted["doc_id"].to_list()],
        "kpi_rows": redacted["kpi_rows"],
        "redacted_rows": redacted["redacted_rows"],
        "redacted_share": [shares[s] for s in redacted["redacted_share"].to_list()],
    })
    return table.rename({name: ctx.w(f"front.table.{name}") for name in table.columns})


def rules_table(ctx: Context) -> pl.DataFrame:
    """The four progress rules: name, formula (catalogue rules.yaml) and source."""
    return pl.DataFrame({
        ctx.w("front.methods.rule_column"): [ctx.w(f"rules.name.{rule}") for rule in RULES],
        ctx.w("front.methods.formula_column"): [ctx.w(f"rules.formula.{rule}") for rule in RULES],
        ctx.w("front.methods.source_column"): [ctx.w(f"front.methods.rule_source.{rule}") for rule in RULES],
    })
