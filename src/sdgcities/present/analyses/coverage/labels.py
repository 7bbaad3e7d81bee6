"""Labels the coverage charts and tables share: unique city names, indicator lists, citations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from sdgcities.present.notebook import MAX_CITED_DOCUMENTS, Context

# At most this many indicator names in a tooltip.
MAX_NAMES = 8
EMPTY = "–"


def city_labels(ctx: Context, cities: Sequence[str]) -> dict[str, str]:
    """Display names of the cities, made unique: a name two cities share gets its city id appended,
    so chart axes never merge two cities."""
    names = {c: ctx.city(c) for c in cities}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {c: (f"{n} ({c})" if counts[n] > 1 else n) for c, n in names.items()}


def names_text(ctx: Context, names: Any, n_redacted: int) -> str:
    """Indicator names for a tooltip: the first MAX_NAMES, how many more, how many redacted."""
    names = [] if names is None else list(names)
    parts = names[:MAX_NAMES]
    if len(names) > len(parts):
        parts = parts + [ctx.w("coverage.names.more", n=len(names) - len(parts))]
    if n_redacted:
        parts = parts + [ctx.w("coverage.names.redacted", n=n_redacted)]
    return " / ".join(parts) if parts else EMPTY


def join_list(values: Any) -> str:
    values = [] if values is None else list(values)
    return ", ".join(str(v) for v in values) if values else EMPTY


def sources(ctx: Context, prov: pl.DataFrame, shown: Sequence[str], limit: int = MAX_CITED_DOCUMENTS) -> str:
    """The citation of a provenance frame; with more than `limit` documents, those of the shown
    cities (at most `limit`) and how many more there are."""
    docs = prov["doc_id"].unique().to_list()
    if len(docs) <= limit:
        return ctx.source(prov)
    shown_set = set(shown)
    kept = sorted(d for d in docs if ctx.documents.get(d, {}).get("city_id") in shown_set)[:limit]
    text = ctx.source(prov.filter(pl.col("doc_id").is_in(kept)))
    return text + ctx.w("coverage.more_documents", n=len(docs) - len(kept))


def tooltips(ctx: Context, *fields: tuple[str, str]) -> list[alt.Tooltip]:
    """Tooltips from (field with its type, tip key) pairs: ("city:N", "city") is titled coverage.tip.city."""
    return [alt.Tooltip(field, title=ctx.w(f"coverage.tip.{key}")) for field, key in fields]
