"""The coverage narrative: numbers from the data, words from the catalogue (coverage.yaml).

Each function returns text in the notebook's language, composed of catalogue entries; the
notebook shows it with nb.write (which makes the data's text inert in Markdown)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from sdgcities.present.notebook import Context

# Up to this many cities are named one by one in narrative text; beyond it, text summarises. (A
# wording choice, fewer than marks.MANY_CITIES: six names are what a sentence can carry.)
NAMED_CITIES = 6


def side_phrase(ctx: Context, side: str, *, start: bool = False) -> str:
    """'all sides' or 'the economy side' (for narrative and titles); start=True at a sentence start."""
    return ctx.w(f"coverage.side_phrase{'_start' if start else ''}.{side}")


def level_word(ctx: Context, level: str, *, plural: bool = True, start: bool = False) -> str:
    """The word for goals or targets: plural or one, lower case or at a sentence start."""
    group = ("level" if plural else "level_one") + ("_start" if start else "")
    return ctx.w(f"coverage.{group}.{level}")


def list_phrase(ctx: Context, items: Sequence[str]) -> str:
    """'a, b and c' (English) or 'a、b、c' (Japanese)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ctx.w("coverage.list.separator").join(items[:-1]) + ctx.w("coverage.list.last") + items[-1]


def city_counts(ctx: Context, pairs: Sequence[tuple[str, Any]], *, last: bool = True) -> str:
    """'Kaga 10, Kumamoto 8 and Hiratsuka 8' from (city id, number) pairs; last=False joins every
    pair with the plain separator."""
    parts = [ctx.w("coverage.count.item", city=ctx.city(c), n=n) for c, n in pairs]
    return list_phrase(ctx, parts) if last else ctx.w("coverage.list.separator").join(parts)


def cities_phrase(ctx: Context) -> str:
    if len(ctx.cities) <= NAMED_CITIES:
        return list_phrase(ctx, ctx.city_order())
    return ctx.w("coverage.n_cities", n=len(ctx.cities))


def count_phrase(ctx: Context, summary: pl.DataFrame, column: str) -> str:
    """'Kaga 10, Kumamoto 8 and Hiratsuka 8', or 'mean 9.3 (min 0, max 15)' for many cities.
    NULL values are left out and said so."""
    known = summary.drop_nulls(column)
    missing = summary.height - known.height
    if summary.height <= NAMED_CITIES:
        pairs = list(known.select("city_id", column).iter_rows())
        text = city_counts(ctx, pairs) if pairs else ctx.w("coverage.list.empty")
    elif known.height:
        text = ctx.w("coverage.count.mean", mean=known[column].mean(), low=known[column].min(), high=known[column].max())
    else:
        text = ctx.w("coverage.list.empty")
    if missing and summary.height > NAMED_CITIES:
        text += ctx.w("coverage.count.missing", n=missing)
    return text


def intro(ctx: Context, side: str, level: str) -> dict[str, Any]:
    """The fields of coverage.intro."""
    return {"cities": cities_phrase(ctx), "side": side_phrase(ctx, side), "level": level_word(ctx, level, plural=False)}


def data_notes(ctx: Context, summary: pl.DataFrame, side: str) -> str:
    """What the coverage leaves out or cannot show, per city, with computed counts (Markdown)."""
    where = side_phrase(ctx, side)
    lines = [ctx.w("coverage.notes.rows", side=where, total=int(summary["n_kpi_rows_side"].sum()),
                   mapped=int(summary["n_kpi_rows_mapped"].sum()))]
    if summary.height > NAMED_CITIES:
        lines.append(ctx.w("coverage.notes.many_no_target", total=summary.height,
                           n=summary.filter(pl.col("n_kpi_rows_no_target") > 0).height))
        lines.append(ctx.w("coverage.notes.many_redacted", total=summary.height,
                           n=summary.filter(pl.col("n_kpi_rows_redacted") > 0).height))
        return "\n".join(lines)
    for r in summary.iter_rows(named=True):
        city, n, same = ctx.city(r["city_id"]), r["n_kpi_rows_side"], r["n_kpi_rows_no_target_indicator_mapped"]
        if not n:
            lines.append(ctx.w("coverage.notes.city_no_rows", city=city, side=where))
            continue
        key = "coverage.notes.no_target_same" if same else "coverage.notes.no_target"
        parts = [ctx.w(key, n=n, no_target=r["n_kpi_rows_no_target"], same=same)]
        if r["n_kpi_rows_redacted"]:
            parts.append(ctx.w("coverage.notes.redacted", n=r["n_kpi_rows_redacted"], unnamed=r["n_indicators_unnamed"]))
        if not r["n_kpi_rows_with_actual"]:
            parts.append(ctx.w("coverage.notes.no_actual"))
        lines.append(ctx.w("coverage.notes.city", city=city, parts=ctx.w("coverage.notes.separator").join(parts)))
    return "\n".join(lines)


def sharing_sentence(ctx: Context, s: dict[str, Any], level: str) -> str:
    word = level_word(ctx, level)
    if s["n_active"] < 2:
        return ctx.w(f"coverage.sharing.too_few_{'one' if s['n_active'] == 1 else 'other'}", n=s["n_active"], level=word)
    text = ctx.w("coverage.sharing.counts", n_active=s["n_active"], n_items=s["n_items"], level=word,
                 n_all=s["n_all"], n_some=s["n_some"], n_unique=s["n_unique"])
    silent = len(s["unique_per_city"]) - s["n_active"]
    if silent > 0:
        text += ctx.w(f"coverage.sharing.silent_{'one' if silent == 1 else 'other'}", n=silent, level=word)
    return text


def unique_sentence(ctx: Context, s: dict[str, Any], level: str) -> str:
    per_city = list(s["unique_per_city"].items())
    if s["n_active"] < 2:
        return ""
    if len(per_city) <= NAMED_CITIES:
        return ctx.w("coverage.unique.named", level_start=level_word(ctx, level, start=True),
                     counts=city_counts(ctx, per_city))
    position = {c: i for i, c in enumerate(ctx.cities)}
    top = [cn for cn in sorted(per_city, key=lambda cn: (-cn[1], position.get(cn[0], 0)))[:3] if cn[1] > 0]
    if not top:
        return ctx.w("coverage.unique.none", level=level_word(ctx, level, plural=False))
    return ctx.w("coverage.unique.top", level=level_word(ctx, level), counts=city_counts(ctx, top))


def similarity_paragraph(ctx: Context, pairs: pl.DataFrame, level: str, n_cities: int) -> str:
    n_paired = len(set(pairs["city_a"]) | set(pairs["city_b"]))
    subset = ctx.w("coverage.similarity.subset", n_paired=n_paired, n_cities=n_cities, level=level_word(ctx, level)) \
        if n_paired < n_cities else ""
    key = "coverage.similarity.text_one" if pairs.height == 1 else "coverage.similarity.text"
    return ctx.w(key, level=level_word(ctx, level), n_pairs=pairs.height, n_paired=n_paired, subset=subset)


def unmeasured_notes(ctx: Context, unmeasured: pl.DataFrame, cities: Sequence[str], side: str) -> str:
    """Per city: priority targets/goals no KPI measures, and whether 0 is by construction (Markdown)."""
    if len(cities) > NAMED_CITIES:
        return ctx.w("coverage.unmeasured.many", listed=unmeasured.height, total=len(cities),
                     with_gap=unmeasured.filter(pl.col("n_unmeasured_targets") > 0).height,
                     derived=unmeasured.filter(pl.col("derived_from_kpi_table")).height)
    by_city = {r["city_id"]: r for r in unmeasured.iter_rows(named=True)}
    lines = []
    for city in cities:
        r = by_city.get(city)
        name = ctx.city(city)
        if r is None:
            lines.append(ctx.w("coverage.unmeasured.no_list", city=name, side=side_phrase(ctx, side)))
            continue
        targets = ", ".join(r["unmeasured_targets"])
        goals = list_phrase(ctx, [ctx.goal(g) for g in r["unmeasured_goals"]])
        text = ctx.w(
            "coverage.unmeasured.city", city=name, n_targets=r["n_priority_targets"], n_unmeasured=r["n_unmeasured_targets"],
            targets=ctx.w("coverage.unmeasured.list", items=targets) if targets else "",
            n_goals=r["n_priority_goals"], n_goals_unmeasured=r["n_unmeasured_goals"],
            goals=ctx.w("coverage.unmeasured.list", items=goals) if r["n_unmeasured_goals"] else "",
        )
        if r["derived_from_kpi_table"] and r["n_unmeasured_targets"]:
            text += ctx.w("coverage.unmeasured.derived_but_gap")
        elif r["derived_from_kpi_table"]:
            text += ctx.w("coverage.unmeasured.derived", n=r["n_entries"])
        elif r["n_entries_derived_from_kpi"]:
            text += ctx.w("coverage.unmeasured.partly_derived", n=r["n_entries"], derived=r["n_entries_derived_from_kpi"])
        lines.append(text)
    return "\n".join(lines)
