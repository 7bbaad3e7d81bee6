"""Narrative of the synergy analysis: the figures a sentence states, and the catalogue key that says
them (synergy.yaml). Nothing here holds a word of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present.analyses.synergy.network import row_links
from sdgcities.present.notebook import Context


def names(ctx: Context, city_ids: Sequence[str], limit: int = 8) -> str:
    """City names for narrative text, at most `limit` of them ("A、B ほか3都市" / "A, B and 3 more")."""
    shown = [ctx.city(c) for c in list(city_ids)[:limit]]
    rest = len(city_ids) - len(shown)
    if not shown:
        return ctx.w("synergy.names.none")
    listed = ctx.w("synergy.names.separator").join(shown)
    return ctx.w("synergy.names.more", shown=listed, rest=rest) if rest > 0 else listed


def _top_row(links: pl.DataFrame) -> dict[str, Any] | None:
    """The city with the most edges (ties by city id), or None when no city has an edge."""
    with_edges = links.filter(pl.col("edges") > 0).sort(["edges", "city_id"], descending=[True, False])
    return None if with_edges.is_empty() else with_edges.row(0, named=True)


def links_headline(ctx: Context, links: pl.DataFrame) -> str | None:
    """The city with the most edges and what makes them (None when no city has an edge)."""
    r = _top_row(links)
    if r is None:
        return None
    return ctx.w("synergy.network.headline", city=ctx.city(r["city_id"]), edges=r["edges"], linking_rows=r["linking_rows"],
                 max_targets=r["max_targets_per_row"], top_row_pairs=r["top_row_pairs"])


def structure_sentences(ctx: Context, metrics: pl.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """The narrative of section 4 (network structures compared): (catalogue key, figures) per
    paragraph, for nb.write."""
    with_edges = metrics.filter(pl.col("edges") > 0)
    if with_edges.is_empty():
        return [("synergy.structure.no_edges", {})]
    top = _top_row(row_links(ctx.con, ctx.cities, metrics))
    largest = metrics.sort(["largest_component", "city_id"], descending=[True, False]).row(0, named=True)
    cross = with_edges.sort(["cross_goal_share", "city_id"], descending=[True, False]).row(0, named=True)
    within_only = with_edges.filter(pl.col("cross_goal_share") == 0)["city_id"].to_list()
    out: list[tuple[str, dict[str, Any]]] = [(
        "synergy.structure.summary",
        {"n_with_edges": with_edges.height, "n_cities": len(ctx.cities), "city": ctx.city(top["city_id"]),
         "edges": top["edges"], "linking_rows": top["linking_rows"], "max_targets": top["max_targets_per_row"],
         "top_row_pairs": top["top_row_pairs"], "largest_city": ctx.city(largest["city_id"]),
         "largest": largest["largest_component"]},
    )]
    if cross["cross_goal_share"] > 0:
        out.append(("synergy.structure.cross", {"city": ctx.city(cross["city_id"]), "share": cross["cross_goal_share"]}))
    else:
        out.append(("synergy.structure.no_cross", {}))
    if within_only:
        out.append(("synergy.structure.within_only", {"names": names(ctx, within_only)}))
    return out
