"""The narrative of the achievement notebook: each function turns the frames into the numbers a
paragraph states and picks its catalogue key (achievement.*); ``write`` shows it. Every number is
computed; every word is in the catalogues."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import polars as pl

from sdgcities.present import notebook as nb
from sdgcities.present.analyses.achievement import small_n
from sdgcities.present.analyses.achievement.data import (
    AGREEMENT_TOLERANCE, DISCLOSURE_FIELDS, GROWTH_RULES, NOT_EVALUABLE, ambition_summary, city_summary, run_flip_summary,
    many_cities, published_counts, status_codes)
from sdgcities.present.analyses.achievement.labels import status_label
from sdgcities.present.analyses.achievement.scales import fmt_number
from sdgcities.present.marks import TOP_N
from sdgcities.present.notebook import Context


class Paragraph(NamedTuple):
    """A catalogue key and the values its template states."""

    key: str
    params: dict[str, Any]

    def text(self, ctx: Context) -> str:
        return ctx.w(self.key, **self.params)


def write(ctx: Context, paragraph: Paragraph) -> None:
    """Show a paragraph in the notebook (Markdown, values made inert by nb.write)."""
    nb.write(ctx, paragraph.key, **paragraph.params)


def _join(ctx: Context, items: Sequence[str], sep: str = "list") -> str:
    return ctx.w(f"achievement.sep.{sep}").join(items)


def _more(ctx: Context, key: str, more: int) -> str:
    return ctx.w(key, n=more) if more else ""


def _names(ctx: Context, names: Sequence[str]) -> str:
    shown = list(names)[:TOP_N]
    return _join(ctx, shown, "names") + _more(ctx, "achievement.more_cities", len(names) - len(shown))


def intro_text(ctx: Context, rows: pl.DataFrame, all_rows: pl.DataFrame, rule: str) -> Paragraph:
    """What the notebook compares: cities, KPI rows (reprints left out) and the rule."""
    key = "achievement.intro.growth" if rule in GROWTH_RULES else "achievement.intro.plain"
    return Paragraph(key, dict(n_cities=len(ctx.cities), n_rows=rows.height, n_repeat=all_rows.height - rows.height,
                               rule=ctx.label("rules.name", rule), formula=ctx.label("rules.formula", rule)))


def qualification_text(ctx: Context, qual: pl.DataFrame, evaluated: pl.DataFrame) -> Paragraph:
    """How many KPI rows per city have a value under the rule, and why the others do not."""
    summary = city_summary(ctx, evaluated)
    others = qual.filter(pl.col("reason_code") != "evaluated")
    if many_cities(ctx):
        pooled = others.group_by("reason_code", "reason").agg(pl.col("n").sum()).sort(
            "n", "reason_code", descending=[True, False])
        reasons = _join(ctx, [ctx.w("achievement.qualification.reason_rows", reason=r, n=n)
                              for _, r, n in pooled.iter_rows()])
        return Paragraph("achievement.qualification.many", dict(
            with_values=summary.filter(pl.col("n_evaluated") > 0).height, n_cities=len(ctx.cities),
            n_evaluated=int(summary["n_evaluated"].sum()), n_rows=int(summary["n_rows"].sum()),
            reasons=reasons or ctx.w("achievement.none")))
    lines = []
    for r in summary.iter_rows(named=True):
        mine = others.filter(pl.col("city_id") == r["city_id"])
        why = _join(ctx, [ctx.w("achievement.qualification.why_status" if s else "achievement.qualification.why",
                                reason=reason, n=n, n_status=s)
                          for reason, n, s in mine.select("reason", "n", "n_with_status").iter_rows()])
        key = "achievement.qualification.city_others" if why else "achievement.qualification.city"
        lines.append(ctx.w(key, city=r["city"], n_rows=r["n_rows"], n_evaluated=r["n_evaluated"], why=why))
    return Paragraph("achievement.lines", dict(lines="\n".join(lines)))


def status_text(ctx: Context, evaluated: pl.DataFrame, rule: str) -> Paragraph:
    """Counts per status band, per city (pooled with many cities)."""
    codes = [*status_codes(rule), NOT_EVALUABLE]

    def bands(frame: pl.DataFrame) -> str:
        counts = {s: int(n) for s, n in frame.group_by("status_code").len().iter_rows()}
        return _join(ctx, [ctx.w("achievement.status.band", label=status_label(ctx, rule, c), n=counts[c])
                           for c in codes if counts.get(c)])

    if many_cities(ctx) or evaluated.is_empty():
        return Paragraph("achievement.status.all_cities", dict(n_cities=len(ctx.cities), bands=bands(evaluated)))
    lines = [ctx.w("achievement.status.city", city=ctx.city(city),
                   bands=bands(evaluated.filter(pl.col("city_id") == city)) or ctx.w("achievement.status.no_rows"))
             for city in ctx.cities]
    return Paragraph("achievement.lines", dict(lines="\n".join(lines)))


def published_text(ctx: Context, comparison: pl.DataFrame, texts: pl.DataFrame, rule: str) -> Paragraph:
    """How many published 達成度 numbers the rule reproduces, which differ, and the ones printed as words."""
    c = published_counts(comparison)
    if c["published"] == 0:
        return Paragraph("achievement.published.none", {})
    cities_with = comparison["city"].unique().sort().to_list()
    differ = comparison.filter(pl.col("agreement") == "differs").sort("kpi_id")
    shown = differ.head(TOP_N)
    differing = ""
    if shown.height:
        items = _join(ctx, [ctx.w("achievement.published.differing_row", indicator=r["indicator_ja"],
                                  published=r["published_pct"], score=r["score"]) for r in shown.iter_rows(named=True)])
        differing = ctx.w("achievement.published.differing", rows=items,
                          more=_more(ctx, "achievement.more_rows", differ.height - shown.height))
    words = ""
    if texts.height:
        top = status_codes(rule)[0]
        by_word = texts.group_by("published_achievement_text").agg(
            pl.len().alias("n"), (pl.col("status") == top).fill_null(False).sum().alias("n_top"),
        ).sort("published_achievement_text")
        items = _join(ctx, [ctx.w("achievement.published.word", word=w, n=n, top=status_label(ctx, rule, top), n_top=t)
                            for w, n, t in by_word.iter_rows()])
        words = ctx.w("achievement.published.words", n=texts.height, words=items)
    not_comparable = ctx.w("achievement.published.not_comparable", n=c["not_comparable"]) if c["not_comparable"] else ""
    key = "achievement.published.summary_one" if len(cities_with) == 1 else "achievement.published.summary_many"
    return Paragraph(key, dict(names=_names(ctx, cities_with), n=c["published"], agrees=c["agrees"], differs=c["differs"],
                               rule=ctx.label("rules.name", rule), tolerance=AGREEMENT_TOLERANCE,
                               not_comparable=not_comparable, differing=differing, words=words))


def flip_text(ctx: Context, matrix: pl.DataFrame) -> Paragraph:
    """How many KPI rows change status tier between the four rules, and which."""
    summary = run_flip_summary(ctx, matrix)
    assessable = summary.filter(pl.col("n_rules_with_status") >= 2)
    if assessable.is_empty():
        return Paragraph("achievement.flips.none_assessable", dict(n=summary.height))
    flips = summary.filter(pl.col("flips")).sort("kpi_id")
    shown = flips.head(TOP_N)
    listed = ""
    if flips.height:
        listed = ctx.w("achievement.flips.listed", rows=_join(ctx, [
            ctx.w("achievement.flips.row", indicator=r["indicator_ja"], row=r["kpi_id"].split(":", 1)[-1])
            for r in shown.iter_rows(named=True)]), more=_more(ctx, "achievement.more_rows", flips.height - shown.height))
    return Paragraph("achievement.flips.summary", dict(n_assessable=assessable.height, n_flips=flips.height, listed=listed))


def availability_text(ctx: Context, avail: pl.DataFrame) -> Paragraph:
    """Say plainly which cities publish no actual values, with computed counts."""
    none = avail.filter((pl.col("n_actual") == 0) & (pl.col("n_rows") > 0))
    if none.is_empty():
        return Paragraph("achievement.availability.every_city", {})
    if many_cities(ctx):
        return Paragraph("achievement.availability.many", dict(
            n=none.height, n_cities=len(ctx.cities), n_rows=int(none["n_rows"].sum()), n_redacted=int(none["n_redacted"].sum())))
    parts = []
    for r in none.iter_rows(named=True):
        if r["n_redacted"] == r["n_rows"]:
            parts.append(ctx.w("achievement.availability.all_redacted", city=r["city"], n_rows=r["n_rows"]))
            continue
        text_only = ctx.w("achievement.availability.text_only", n=r["n_text_only"]) if r["n_text_only"] else ""
        redacted = ctx.w("achievement.availability.redacted", n=r["n_redacted"]) if r["n_redacted"] else ""
        parts.append(ctx.w("achievement.availability.no_actuals", city=r["city"], n_rows=r["n_rows"],
                           n_baseline_target=r["n_baseline_target"], text_only=text_only, redacted=redacted))
    return Paragraph("achievement.availability.cities", dict(cities=" ".join(parts)))


def ambition_text(ctx: Context, amb: pl.DataFrame) -> Paragraph:
    """Median required change per year per city, and why rows are left out."""
    summary = ambition_summary(ctx, amb)
    if many_cities(ctx):
        with_values = summary.filter(pl.col("n") > 0)
        medians = ctx.w("achievement.ambition.medians_many", n_rows=int(with_values["n"].sum()),
                        n_cities=with_values.height, median=fmt_number(amb["ambition_pct"].median()))
    else:
        medians = ctx.w("achievement.ambition.medians", parts=_join(ctx, [
            ctx.w("achievement.ambition.city_median", city=r["city"], median=fmt_number(r["median_pct"]), n=r["n"])
            if r["n"] else ctx.w("achievement.ambition.city_no_row", city=r["city"]) for r in summary.iter_rows(named=True)]))
    excluded = amb.filter(pl.col("ambition_pct").is_null()).group_by("ambition_status").len().sort("ambition_status")
    left_out = ""
    if excluded.height:
        left_out = ctx.w("achievement.ambition.left_out", rows=_join(ctx, [
            ctx.w("achievement.ambition.left_out_row", reason=ctx.label("achievement.ambition_reason", s), n=n)
            for s, n in excluded.iter_rows()]))
    against = amb.filter(pl.col("ambition_pct") < 0).height
    negative = ctx.w("achievement.ambition.negative", n=against) if against else ""
    periods = small_n.periods_note(ctx, amb.filter(pl.col("ambition_pct").is_not_null()))
    return Paragraph("achievement.ambition.summary", dict(medians=medians, left_out=left_out, negative=negative,
                                                          periods=f" {periods}" if periods else ""))


def disclosure_text(ctx: Context, disc: pl.DataFrame) -> Paragraph:
    """Disclosure shares per city in words (pooled with many cities)."""
    if many_cities(ctx):
        full = disc.filter(pl.col("n_rows") > 0)
        items = _join(ctx, [ctx.w("achievement.disclosure.mean_item", item=ctx.label("achievement.disclosure_item", f),
                                  share=nb_pct(full[f"share_{f}"].mean())) for f in DISCLOSURE_FIELDS])
        return Paragraph("achievement.disclosure.many", dict(n_cities=full.height, items=items))
    lines = []
    for r in disc.iter_rows(named=True):
        if r["n_rows"] == 0:
            lines.append(ctx.w("achievement.disclosure.city_no_rows", city=r["city"]))
            continue
        items = _join(ctx, [ctx.w("achievement.disclosure.city_item", item=ctx.label("achievement.disclosure_item", f),
                                  n=r[f"n_{f}"], share=nb_pct(r[f"share_{f}"])) for f in DISCLOSURE_FIELDS])
        lines.append(ctx.w("achievement.disclosure.city", city=r["city"], n_rows=r["n_rows"], items=items))
    return Paragraph("achievement.lines", dict(lines="\n".join(lines)))


def nb_pct(value: float | None) -> str:
    """A share as a percentage with one decimal ('n/a' for None)."""
    return "n/a" if value is None else f"{value * 100:.1f}%"
