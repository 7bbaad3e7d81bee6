"""The stakeholder narrative: numbers from the frames, words from the catalogue (stakeholders.yaml).
Each function writes one paragraph; optional sentences are separate keys chosen here."""

from __future__ import annotations

import polars as pl

from sdgcities.present import notebook as nb
from sdgcities.present.marks import TOP_N, many_cities
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.stakeholders.figures import folds_cities
from sdgcities.present.analyses.stakeholders.shared import differing_examples, shared_summary


def _paragraph(ctx: Context, sentences: list[str]) -> None:
    """Sentences from the catalogue joined the way the language joins them (no space in Japanese)."""
    nb.write(ctx, "stakeholders.paragraph", text=ctx.w("stakeholders.sentence_join").join(s for s in sentences if s))


def write_overview(ctx: Context, overview: dict[str, int]) -> None:
    nb.write(ctx, "stakeholders.overview.partners", **overview)
    nb.write(ctx, "stakeholders.overview.kept_apart", **overview)


def write_categories(ctx: Context, counts: pl.DataFrame) -> None:
    """Said only when the chart folds cities: which cities get their own bar."""
    if folds_cities(counts["city_id"].n_unique()):
        nb.write(ctx, "stakeholders.categories.many_cities", cities=len(ctx.cities), top=TOP_N)


def write_agreements(ctx: Context, dated: pl.DataFrame, summary: pl.DataFrame) -> None:
    if dated.height == 0:
        nb.write(ctx, "stakeholders.agreements.none")
        return
    lead = summary.row(0, named=True)
    nb.write(
        ctx, "stakeholders.agreements.summary", n=dated.height, cities=summary.height,
        first=int(dated["year"].min()), last=int(dated["year"].max()), lead_city=ctx.city(lead["city_id"]),
        lead_n=lead["agreements"], lead_rows=lead["rows"], by_month=int(summary["by_month"].sum()),
        by_year=int(summary["by_year"].sum()), by_day=int(summary["by_day"].sum()),
    )


def write_themes(ctx: Context, words: pl.DataFrame) -> None:
    if words.height == 0:
        nb.write(ctx, "stakeholders.themes.none")
        return
    lead = words.row(0, named=True)
    nb.write(ctx, "stakeholders.themes.summary", word=lead["word"], n=lead["total"])


def write_shared(ctx: Context, shared: pl.DataFrame, overview: dict[str, int]) -> None:
    if shared.height == 0:
        nb.write(ctx, "stakeholders.shared.none")
        return
    c = shared_summary(shared)
    examples = ctx.w("stakeholders.shared.example_separator").join(
        ctx.w("stakeholders.shared.example", partner=e["partner_name"], dates=e["dates_by_document"]) for e in differing_examples(shared)
    )
    _paragraph(ctx, [
        ctx.w("stakeholders.shared.summary", **c),
        ctx.w("stakeholders.shared.examples", examples=examples) if examples else "",
        ctx.w("stakeholders.shared.redacted_left_out", redacted=overview["redacted"]),
        ctx.w("stakeholders.shared.table_differing_only") if many_cities(ctx.cities) else "",
    ])
