"""The city profile's frames, read from the models for one city (``ctx.cities == [city]``): headline
counts, documents, priority targets, KPI rows per goal, partners and the parts lost in extraction.
Values are shown as printed (``value_printed``); a redacted value is shown as redacted, never as 0."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present.marks import sdg_colours, text_colour
from sdgcities.present.notebook import SIDE_ORDER, Context
from sdgcities.present.analyses.stakeholders import CATEGORIES, category_name
from sdgcities.present.analyses.stakeholders import overview as stakeholder_overview

MAIN_SIDES = ("economy", "society", "environment")
NO_GOAL_COLOUR = "#9E9E9E"


def city(ctx: Context) -> str:
    if len(ctx.cities) != 1:
        raise ValueError(f"a city profile needs exactly one city, got {ctx.cities}")
    return ctx.cities[0]


def params(ctx: Context, **extra: Any) -> dict[str, Any]:
    return {"city": city(ctx), **extra}


def side_rank(side: str | None) -> int:
    return SIDE_ORDER.index(side) if side in SIDE_ORDER else len(SIDE_ORDER)


def goal_colour(ctx: Context, goal: int | None) -> str:
    """The goal's official colour (sdg_goals table); grey for rows without a goal."""
    return NO_GOAL_COLOUR if goal is None else sdg_colours(ctx.goal_colours, [goal])[0]


def short(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(ctx: Context) -> dict[str, Any]:
    """The city's headline counts (one query; the partner counts from the stakeholder overview)."""
    row = ctx.con.sql(
        """
        -- Priority counts are of the priority list (targets cited only in the narrative are counted apart).
        with priority_list as (select * from priority_targets where basis <> 'narrative')
        select
          (select name_ja from cities where city_id = $city) as name_ja,
          (select name_en from cities where city_id = $city) as name_en,
          (select prefecture_ja from cities where city_id = $city) as prefecture_ja,
          (select prefecture_en from cities where city_id = $city) as prefecture_en,
          (select count(*) from documents where city_id = $city) as documents,
          (select count(*) from kpis where city_id = $city) as kpis,
          (select count(*) from kpis where city_id = $city and is_redacted) as kpis_redacted,
          (select count(*) from kpis where city_id = $city and indicator_ja is null) as kpis_name_redacted,
          (select count(*) from kpis k where city_id = $city
             and exists (select 1 from kpi_observations o where o.kpi_id = k.kpi_id and o.is_redacted)) as kpis_values_redacted,
          (select count(*) from kpis where city_id = $city and actual_value is not null) as kpis_with_actual,
          (select count(*) from kpis where city_id = $city and actual_value is null) as kpis_without_actual,
          (select count(*) from kpis where city_id = $city and status_text is not null) as kpis_text_status,
          (select count(*) from kpis where city_id = $city and is_repeat) as kpis_repeat,
          (select count(distinct indicator_key) from kpis where city_id = $city) as indicators,
          (select count(*) from kpis where city_id = $city
             and (published_achievement_pct is not null or published_achievement_text is not null)) as kpis_published_rate,
          (select count(*) from kpis where city_id = $city and baseline_value is not null and target_value is not null) as kpis_numeric_baseline_target,
          (select count(*) from priority_list where city_id = $city) as priority_rows,
          (select count(distinct sdg_target) from priority_list where city_id = $city) as priority_targets,
          (select count(distinct sdg_goal) from priority_list where city_id = $city) as priority_goals,
          (select list(distinct side order by side) from priority_list where city_id = $city and side is not null) as priority_sides,
          (select count(*) from priority_list where city_id = $city and side is null) as priority_rows_without_side,
          (select count(*) from priority_targets where city_id = $city and basis = 'narrative') as narrative_targets,
          (select count(*) from synergies where city_id = $city) as synergies,
          (select count(*) from synergies where city_id = $city and kpi_id is not null) as synergies_with_kpi
        """,
        params=params(ctx),
    ).pl().row(0, named=True)
    # The partner counts are the stakeholder analysis's own (one place counts partners).
    partners_seen = stakeholder_overview(ctx)
    row.update(partners=partners_seen["partners"], partners_redacted=partners_seen["redacted"],
               stakeholder_rows=partners_seen["rows"], stakeholder_rows_dated=partners_seen["dated_rows"])
    row["priority_sides"] = row["priority_sides"] or []
    # Sides that list no priority target: only meaningful when the city lists them by side at all.
    row["sides_without_priority"] = [s for s in MAIN_SIDES if s not in row["priority_sides"]] if row["priority_sides"] else []
    row["lost_parts"] = lost_parts(ctx).height
    row["city_id"] = city(ctx)
    return row


def check_lines(s: dict[str, Any]) -> list[str]:
    """Deterministic text lines of the headline counts (for the checked output)."""
    return [
        f"city={s['city_id']} documents={s['documents']}",
        f"kpis total={s['kpis']} redacted={s['kpis_redacted']} name_redacted={s['kpis_name_redacted']} "
        f"with_actual={s['kpis_with_actual']} text_status={s['kpis_text_status']} repeats={s['kpis_repeat']} "
        f"indicators={s['indicators']} published_rate={s['kpis_published_rate']}",
        f"priority targets={s['priority_targets']} rows={s['priority_rows']} goals={s['priority_goals']} "
        f"sides_without={','.join(s['sides_without_priority']) or '-'} rows_without_side={s['priority_rows_without_side']}",
        f"stakeholders partners={s['partners']} redacted={s['partners_redacted']} rows={s['stakeholder_rows']}",
        f"synergies={s['synergies']} with_kpi={s['synergies_with_kpi']} lost_parts={s['lost_parts']}",
    ]


def documents(ctx: Context) -> pl.DataFrame:
    """The city's documents with what each contributes (rows per view)."""
    return ctx.con.sql(
        """
        select d.doc_id, d.title_ja, d.title_en, d.doc_type, d.published_label, d.published_on,
               (select count(*) from kpis k where k.doc_id = d.doc_id) as kpis,
               (select count(*) from priority_targets p where p.doc_id = d.doc_id and p.basis <> 'narrative') as priority_targets,
               (select count(*) from stakeholders s where s.doc_id = d.doc_id and s.relation = 'partner') as stakeholders,
               (select count(*) from synergies y where y.doc_id = d.doc_id) as synergies
        from documents d
        where d.city_id = $city
        order by d.published_on desc, d.doc_id
        """,
        params=params(ctx),
    ).pl()


def priority_targets(ctx: Context) -> pl.DataFrame:
    """Priority targets per side and goal: one row per (side, goal) with the targets listed."""
    frame = ctx.con.sql(
        """
        select side, sdg_goal as goal,
               list(distinct sdg_target order by sdg_target) filter (where sdg_target is not null) as targets,
               count(distinct sdg_target) as n_targets,
               bool_or(sdg_target is null) as goal_level,
               any_value(doc_id order by doc_id) as doc_id,
               any_value(section order by doc_id) as section,
               list(distinct doc_id order by doc_id) as doc_ids,
               list(distinct section order by section) as sections
        from priority_targets
        where city_id = $city and basis <> 'narrative'
        group by side, sdg_goal
        """,
        params=params(ctx),
    ).pl()
    return goal_side_labels(ctx, frame)


def goal_side_labels(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    if frame.height == 0:
        return frame.with_columns(
            pl.lit(None, pl.String).alias("side_label"), pl.lit(None, pl.String).alias("goal_label"),
            pl.lit(None, pl.String).alias("goal_name"), pl.lit(None, pl.Int64).alias("side_rank"),
            pl.lit(None, pl.String).alias("text_colour"),
        )
    goals = frame["goal"].to_list()
    return frame.with_columns(
        pl.Series("side_label", [ctx.label("side", s) for s in frame["side"].to_list()], dtype=pl.String),
        pl.Series("side_rank", [side_rank(s) for s in frame["side"].to_list()], dtype=pl.Int64),
        pl.Series("goal_label", [f"{g}" if g is not None else ctx.w("profile.no_goal") for g in goals], dtype=pl.String),
        pl.Series("goal_name", [ctx.goal(g) if g is not None else ctx.w("profile.no_goal_name") for g in goals], dtype=pl.String),
        pl.Series("text_colour", [text_colour(goal_colour(ctx, g)) for g in goals], dtype=pl.String),
    ).sort(["side_rank", pl.col("goal").fill_null(99)])


def kpi_goal_counts(ctx: Context) -> pl.DataFrame:
    """KPI rows per side and goal (repeats left out; a KPI mapped to two goals counts under each;
    KPIs without an SDG target under goal NULL)."""
    frame = ctx.con.sql(
        """
        with k as (
            select kpi_id, doc_id, section, side, indicator_ja, sdg_targets
            from kpis where city_id = $city and not is_repeat
        ),
        pairs as (
            select k.kpi_id, k.doc_id, k.section, k.side, k.indicator_ja, t.sdg_goal as goal, t.sdg_target
            from k join kpi_sdg_targets t using (kpi_id)
            union all
            select kpi_id, doc_id, section, side, indicator_ja, null, null from k where len(sdg_targets) = 0
        )
        select side, goal, count(distinct kpi_id) as n_kpis,
               list(distinct coalesce(indicator_ja, $redacted) order by coalesce(indicator_ja, $redacted)) as indicators,
               list(distinct doc_id order by doc_id) as doc_ids,
               list(distinct section order by section) as sections
        from pairs
        group by side, goal
        """,
        params=params(ctx, redacted=ctx.w("profile.redacted_name")),
    ).pl()
    return goal_side_labels(ctx, frame)


def partners(ctx: Context) -> pl.DataFrame:
    """One row per partner of the city: name as printed (or redacted), category, themes, dates,
    documents."""
    frame = ctx.con.sql(
        """
        with s as (
            select *, coalesce(partner_key, stakeholder_id) as partner,
                   regexp_replace(role_ja, '\\s', '', 'g') as theme_key
            from stakeholders
            where city_id = $city and relation = 'partner'
        ),
        themes as (
            -- one printing per theme, whatever spaces the documents put in it
            select partner, string_agg(theme, ' / ' order by theme) as themes
            from (select partner, theme_key, min(role_ja) as theme from s where role_ja is not null group by partner, theme_key)
            group by partner
        )
        select s.partner,
               coalesce(first(s.name_ja order by s.doc_id, s.stakeholder_id) filter (where s.name_ja is not null), $redacted) as partner_name,
               first(s.category order by s.doc_id, s.stakeholder_id) as category,  -- as printed first, not any
               bool_or(s.is_redacted) as is_redacted,
               any_value(t.themes) as themes,
               string_agg(distinct s.event_on, ' / ' order by s.event_on) as dates,
               min(s.event_on) as first_agreed_on,
               list(distinct s.doc_id order by s.doc_id) as doc_ids,
               count(*) as mentions
        from s left join themes t using (partner)
        group by s.partner
        """,
        params=params(ctx, redacted=ctx.w("profile.redacted_name")),
    ).pl()
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    frame = frame.with_columns(
        pl.col("category").replace_strict(rank, default=len(rank)).alias("category_rank"),
        pl.col("category").replace_strict({c: category_name(ctx, c) for c in frame["category"].unique().to_list()}).alias("category_label"),
    )
    return frame.sort(["category_rank", "is_redacted", "first_agreed_on", "partner_name"], nulls_last=True)


def lost_parts(ctx: Context) -> pl.DataFrame:
    """Parts of the city's documents lost in the text extraction (the extraction_losses model):
    one row per declared loss, with the curated table it affected and how many of its rows."""
    return ctx.con.sql(
        """
        select doc_id, loss_kind as kind, lost_part, lost_part_until, rows_affected, table_name
        from extraction_losses
        where city_id = $city
        order by doc_id, case loss_kind when 'section' then 1 when 'category_heading' then 2 else 3 end, lost_part
        """,
        params=params(ctx),
    ).pl()
