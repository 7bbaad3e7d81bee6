"""The city profile's narrative: numbers from the frames, words from the catalogue (profile.yaml).
Optional sentences are separate keys chosen here; a paragraph is its sentences joined the way the
language joins them (no space in Japanese)."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present import notebook as nb
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile.data import city, lost_parts
from sdgcities.present.analyses.profile.tables import lost_texts


def _paragraph(ctx: Context, sentences: list[str]) -> None:
    nb.write(ctx, "profile.paragraph", text=ctx.w("profile.sentence_join").join(s for s in sentences if s))


def _sides(ctx: Context, sides: list[str | None]) -> str:
    return ctx.w("profile.list_separator").join(ctx.label("side", s) for s in sides)


def write_city(ctx: Context, s: dict[str, Any]) -> None:
    """The city's heading and what the profile holds."""
    name = ctx.city(city(ctx))
    nb.title(ctx, "profile.heading.city", level=2, city=name, prefecture=s["prefecture_ja" if ctx.lang == "ja" else "prefecture_en"])
    nb.write(ctx, "profile.city_summary", city=name, documents=s["documents"], kpis=s["kpis"], priority_targets=s["priority_targets"],
             partners=s["partners"], synergies=s["synergies"])


def priority_sentences(ctx: Context, s: dict[str, Any], frame: pl.DataFrame) -> list[str]:
    """The priority-target paragraph: totals, per side, sides that list none, and the sections the
    extraction lost."""
    per_side = frame.group_by("side", "side_rank").agg(pl.col("n_targets").sum()).sort("side_rank")
    by_side = ctx.w("profile.list_separator").join(ctx.w("profile.priority.side_count", side=ctx.label("side", side), n=n) for side, _, n in per_side.iter_rows())
    sentences = [ctx.w("profile.priority.summary", targets=s["priority_targets"], goals=s["priority_goals"], by_side=by_side)]
    if s["priority_rows_without_side"]:
        sentences.append(ctx.w("profile.priority.without_side", n=s["priority_rows_without_side"]))
    if s["sides_without_priority"]:
        sentences.append(ctx.w("profile.priority.sides_without", sides=_sides(ctx, s["sides_without_priority"])))
    lost = lost_parts(ctx).filter(pl.col("table_name") == "priority_targets")
    if lost.height:
        sentences.append(ctx.w("profile.priority.lost", parts="; ".join(lost_texts(ctx, lost))))
    return sentences


def write_priority(ctx: Context, s: dict[str, Any], frame: pl.DataFrame) -> None:
    if frame.height == 0:
        nb.write(ctx, "profile.priority.none", city=ctx.city(city(ctx)))
    else:
        _paragraph(ctx, priority_sentences(ctx, s, frame))


def kpi_sentences(ctx: Context, s: dict[str, Any], rows: pl.DataFrame) -> list[str]:
    """The KPI paragraph: what the city's KPI rows hold and lack, with computed counts."""
    name = ctx.city(city(ctx))
    if s["kpis"] == 0:
        return [ctx.w("profile.kpis.none", city=name)]
    sentences = [ctx.w("profile.kpis.rows", city=name, kpis=s["kpis"], indicators=s["indicators"], repeats=s["kpis_repeat"])]
    if s["kpis_with_actual"]:
        sentences.append(ctx.w("profile.kpis.with_actual", with_actual=s["kpis_with_actual"], published=s["kpis_published_rate"]))
    else:
        sentences.append(ctx.w("profile.kpis.no_actual", kpis=s["kpis"]))
    if s["kpis_name_redacted"]:
        sentences.append(ctx.w("profile.kpis.redacted", name_redacted=s["kpis_name_redacted"], values_redacted=s["kpis_values_redacted"]))
    if s["kpis_text_status"]:
        example = rows.filter(pl.col("status_text").is_not_null())["status_text"][0].replace(";", " → ")
        sentences.append(ctx.w("profile.kpis.text_status", n=s["kpis_text_status"], example=example))
    return sentences


def write_kpis(ctx: Context, s: dict[str, Any], rows: pl.DataFrame) -> None:
    _paragraph(ctx, kpi_sentences(ctx, s, rows))


def write_no_achievement(ctx: Context, s: dict[str, Any]) -> None:
    nb.write(ctx, "profile.kpis.no_published_rate", city=ctx.city(city(ctx)), kpis=s["kpis"], published=s["kpis_published_rate"])


def write_initiatives(ctx: Context, c: dict[str, Any]) -> None:
    name = ctx.city(city(ctx))
    if c["initiatives"] == 0:
        nb.write(ctx, "profile.initiatives.none", city=name)
    else:
        nb.write(ctx, "profile.initiatives.summary", city=name, **c)


def write_facts(ctx: Context, facts: pl.DataFrame) -> None:
    if facts.height == 0:
        nb.write(ctx, "profile.facts.none", city=ctx.city(city(ctx)))
    else:
        nb.write(ctx, "profile.facts.as_printed")


def write_synergies(ctx: Context, s: dict[str, Any], links: pl.DataFrame) -> None:
    if links.height == 0:
        nb.write(ctx, "profile.synergies.none", city=ctx.city(city(ctx)), documents=s["documents"])
        return
    redacted = links.filter(pl.col("is_redacted").fill_null(False)).height
    # The ending closes the sentence (with the redacted KPIs in brackets, or a full stop): no join.
    ending = ctx.w("profile.synergies.redacted", n=redacted) if redacted else ctx.w("profile.synergies.end")
    summary = ctx.w("profile.synergies.summary", n=links.height, directions=links["link"].n_unique(), with_kpi=s["synergies_with_kpi"])
    nb.write(ctx, "profile.paragraph", text=summary + ending)


def write_partners(ctx: Context, s: dict[str, Any], partners: pl.DataFrame) -> None:
    if partners.height == 0:
        nb.write(ctx, "profile.partners.none", city=ctx.city(city(ctx)))
        return
    _paragraph(ctx, [
        ctx.w("profile.partners.summary", partners=s["partners"], rows=s["stakeholder_rows"]),
        ctx.w("profile.partners.redacted", n=s["partners_redacted"]) if s["partners_redacted"] else ctx.w("profile.partners.none_redacted"),
        ctx.w("profile.partners.dated", n=s["stakeholder_rows_dated"]),
    ])


def write_gaps(ctx: Context, s: dict[str, Any], lost: pl.DataFrame) -> None:
    nb.write(ctx, "profile.gaps.summary", kpis=s["kpis"], name_redacted=s["kpis_name_redacted"], values_redacted=s["kpis_values_redacted"],
             without_actual=s["kpis_without_actual"], partners=s["partners"], partners_redacted=s["partners_redacted"], lost=lost.height)
