"""One city's plan on a page: its documents, priority goals and targets, KPIs with their values,
synergies, stakeholders, and what is missing or redacted.

Every function takes the notebook Context of a one-city run (``ctx.cities == [city]``) and returns
polars frames or Altair charts. Values are shown as printed (``value_printed``); a redacted value
is shown as redacted, never as 0, and a value that is not printed as "–".
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sdgcities.present.charts import SDG_COLOURS
from sdgcities.present.notebook import SIDE_ORDER, Context
from sdgcities.present.analyses import stakeholders as st

MAIN_SIDES = ("economy", "society", "environment")
NO_GOAL_COLOUR = "#9E9E9E"

# What the curators' notes say was lost when the PDF was turned into text. Each pattern reads one
# kind of note; the group names the lost part. (Patterns are constants, never user input.)
LOST_PATTERNS = (
    # "Section (3) ... is blank in the extracted text", "the per-side priority tables of 1.1 (3) are absent ..."
    ("section", r"((?:[Ss]ection|[Tt]he [^;:]*?tables? of) [^;:]*?) (?:is|are) (?:absent from|blank in) the extracted text", "{}"),
    # "Category ガバナンス: the page's own category heading is not in the extracted text"
    ("heading", r"[Cc]ategory ([^\s:(]+).*?: the page's (?:own )?category heading is not in the extracted text", "category heading {}"),
    # "... an HTML table ... printed between (3-2) and (5) without its heading"
    ("heading", r"table .*?printed (between \S+ and \S+) without its heading", "heading of the table printed {}"),
)
LOST_KIND_NAMES = {
    "section": {"ja": "節・表が欠落", "en": "section or table lost"},
    "heading": {"ja": "見出しが欠落", "en": "heading lost"},
}


def _city(ctx: Context) -> str:
    if len(ctx.cities) != 1:
        raise ValueError(f"a city profile needs exactly one city, got {ctx.cities}")
    return ctx.cities[0]


def _params(ctx: Context, **extra: Any) -> dict[str, Any]:
    return {"city": _city(ctx), **extra}


def side_label(ctx: Context, side: str | None, synergy_from: str | None = None, synergy_to: str | None = None) -> str:
    label = ctx.side(side)
    if synergy_from and synergy_to:
        label += f"（{ctx.side(synergy_from)}→{ctx.side(synergy_to)}）" if ctx.lang == "ja" else f" ({ctx.side(synergy_from)} → {ctx.side(synergy_to)})"
    return label


def _side_rank(side: str | None) -> int:
    return SIDE_ORDER.index(side) if side in SIDE_ORDER else len(SIDE_ORDER)


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the given background."""
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#222222" if luminance > 0.55 else "white"


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def summary(ctx: Context) -> dict[str, Any]:
    """The city's headline counts (one query)."""
    row = ctx.con.sql(
        """
        -- Priority counts are of the priority list (targets cited only in the narrative are counted
        -- apart); stakeholder counts are of partners (not data sources or the city's own bodies).
        with priority_list as (select * from priority_targets where basis <> 'narrative'),
        partners as (select * from stakeholders where relation = 'partner')
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
          (select count(distinct coalesce(partner_key, stakeholder_id)) from partners where city_id = $city) as partners,
          (select count(distinct coalesce(partner_key, stakeholder_id)) from partners where city_id = $city and is_redacted) as partners_redacted,
          (select count(*) from partners where city_id = $city) as stakeholder_rows,
          (select count(*) from partners where city_id = $city and event = 'agreement') as stakeholder_rows_dated,
          (select count(*) from synergies where city_id = $city) as synergies,
          (select count(*) from synergies where city_id = $city and kpi_id is not null) as synergies_with_kpi
        """,
        params=_params(ctx),
    ).pl().row(0, named=True)
    row["priority_sides"] = row["priority_sides"] or []
    # Sides that list no priority target: only meaningful when the city lists them by side at all.
    row["sides_without_priority"] = [s for s in MAIN_SIDES if s not in row["priority_sides"]] if row["priority_sides"] else []
    row["lost_parts"] = lost_parts(ctx).height
    row["city_id"] = _city(ctx)
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


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


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
        params=_params(ctx),
    ).pl()


DOC_TYPE_NAMES = {
    "plan": {"ja": "計画", "en": "plan"},
    "proposal": {"ja": "提案書", "en": "proposal"},
    "progress_evaluation": {"ja": "進捗評価シート", "en": "progress evaluation"},
    "presentation": {"ja": "講演資料", "en": "presentation"},
    "smart_city_plan": {"ja": "スマートシティ計画", "en": "smart-city plan"},
}


def documents_table(ctx: Context, docs: pl.DataFrame) -> pl.DataFrame:
    names = {k: v[ctx.lang] for k, v in DOC_TYPE_NAMES.items()}
    return docs.select(
        pl.col("title_ja" if ctx.lang == "ja" else "title_en").alias(ctx.t("文書", "Document")),
        pl.col("doc_type").replace_strict(names, default=pl.col("doc_type")).alias(ctx.t("種類", "Type")),
        pl.col("published_label").alias(ctx.t("発行", "Published")),
        pl.col("kpis").alias("KPI"),
        pl.col("priority_targets").alias(ctx.t("優先ターゲット", "Priority targets")),
        pl.col("stakeholders").alias(ctx.t("連携先（行）", "Stakeholder rows")),
        pl.col("synergies").alias(ctx.t("相乗効果", "Synergies")),
        pl.col("doc_id").alias("doc_id"),
    )


# ---------------------------------------------------------------------------------------------
# Priority goals and targets
# ---------------------------------------------------------------------------------------------


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
        params=_params(ctx),
    ).pl()
    return _goal_side_labels(ctx, frame)


def _goal_side_labels(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    if frame.height == 0:
        return frame.with_columns(
            pl.lit(None, pl.String).alias("side_label"), pl.lit(None, pl.String).alias("goal_label"),
            pl.lit(None, pl.String).alias("goal_name"), pl.lit(None, pl.Int64).alias("side_rank"),
            pl.lit(None, pl.String).alias("text_colour"),
        )
    goals = [g for g in frame["goal"].to_list()]
    return frame.with_columns(
        pl.Series("side_label", [ctx.side(s) for s in frame["side"].to_list()], dtype=pl.String),
        pl.Series("side_rank", [_side_rank(s) for s in frame["side"].to_list()], dtype=pl.Int64),
        pl.Series("goal_label", [f"{g}" if g is not None else ctx.t("SDGなし", "none") for g in goals], dtype=pl.String),
        pl.Series("goal_name", [ctx.goal(g) if g is not None else ctx.t("SDGターゲットの記載なし", "no SDG target printed") for g in goals], dtype=pl.String),
        pl.Series("text_colour", [_text_colour(SDG_COLOURS[g]) if g is not None else "white" for g in goals], dtype=pl.String),
    ).sort(["side_rank", pl.col("goal").fill_null(99)])


def _goal_tiles(ctx: Context, frame: pl.DataFrame, *, count_col: str, count_title: str, detail_col: str, detail_title: str, title: str, subtitle: str) -> alt.Chart:
    """Side x goal tiles filled with the goal's SDG colour and the count written in them."""
    goal_order = sorted({g for g in frame["goal"].to_list() if g is not None})
    x_domain = [str(g) for g in goal_order] + ([ctx.t("SDGなし", "none")] if frame["goal"].null_count() else [])
    colour_domain = x_domain
    colour_range = [SDG_COLOURS[g] for g in goal_order] + ([NO_GOAL_COLOUR] if frame["goal"].null_count() else [])
    side_order = frame.sort("side_rank")["side_label"].unique(maintain_order=True).to_list()
    base = alt.Chart(frame).encode(
        x=alt.X("goal_label:N", sort=x_domain, title=ctx.t("SDGゴール", "SDG goal"), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("side_label:N", sort=side_order, title=None),
    )
    tiles = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3).encode(
        color=alt.Color("goal_label:N", scale=alt.Scale(domain=colour_domain, range=colour_range), legend=None),
        tooltip=[
            alt.Tooltip("side_label:N", title=ctx.t("側面", "side")),
            alt.Tooltip("goal_name:N", title=ctx.t("ゴール", "goal")),
            alt.Tooltip(f"{count_col}:Q", title=count_title),
            alt.Tooltip(f"{detail_col}:N", title=detail_title),
        ],
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.Text(f"{count_col}:Q"),
        color=alt.Color("text_colour:N", scale=None),
    )
    return (tiles + text).properties(
        title=alt.TitleParams(title, subtitle=subtitle),
        width=alt.Step(40),
        height=alt.Step(40),
    )


def priority_chart(ctx: Context, frame: pl.DataFrame, s: dict[str, Any]) -> alt.Chart | None:
    """Tiles: sides x goals, the number of priority targets in each; None without priority targets."""
    if frame.height == 0:
        return None
    data = frame.with_columns(pl.col("targets").list.join(", ").alias("target_list"))
    per_goal = data.group_by("goal").agg(pl.col("targets").list.explode(keep_nulls=False, empty_as_null=False).unique().len().alias("n")).sort(["n", "goal"], descending=[True, False])
    top = per_goal.row(0, named=True)
    unique_top = top["n"] > 1 and (per_goal.height == 1 or per_goal["n"][1] < top["n"])
    shared = (
        data.filter(pl.col("side").is_not_null()).explode("targets").group_by("targets").agg(pl.col("side").n_unique().alias("sides"))
        .filter(pl.col("sides") > 1).sort("targets")["targets"].to_list()
    )
    name = ctx.city(_city(ctx))
    extra_ja = []
    extra_en = []
    if unique_top:
        extra_ja.append(f"最多はゴール{top['goal']}の{top['n']}件")
        extra_en.append(f"most under goal {top['goal']}: {top['n']}")
    if shared:
        extra_ja.append(f"複数の側面に挙がるもの: {', '.join(shared)}")
        extra_en.append(f"listed under several sides: {', '.join(shared)}")
    title = ctx.t(
        f"{name}の優先ターゲットは{s['priority_targets']}件、{s['priority_goals']}ゴールにわたる" + (f"（{'、'.join(extra_ja)}）" if extra_ja else ""),
        f"{name} lists {s['priority_targets']} priority targets across {s['priority_goals']} goals" + (f" ({'; '.join(extra_en)})" if extra_en else ""),
    )
    subtitle = ctx.t("数字は側面・ゴールごとの優先ターゲット数（色はSDG公式色）", "Numbers: priority targets per side and goal (official SDG colours)")
    return _goal_tiles(
        ctx, data, count_col="n_targets", count_title=ctx.t("ターゲット数", "targets"),
        detail_col="target_list", detail_title=ctx.t("ターゲット", "targets"), title=title, subtitle=subtitle,
    )


def priority_sentence(ctx: Context, s: dict[str, Any], frame: pl.DataFrame) -> dict[str, str]:
    """The priority-target paragraph: totals, per side, and sides that list none."""
    per_side = frame.group_by("side", "side_rank").agg(pl.col("n_targets").sum()).sort("side_rank")
    by_side_ja = "、".join(f"{ctx.side(side)} {n}件" for side, _, n in per_side.iter_rows())
    by_side_en = ", ".join(f"{ctx.side(side)} {n}" for side, _, n in per_side.iter_rows())
    ja = f"優先ターゲットは{s['priority_targets']}件（{s['priority_goals']}ゴール）。側面ごと: {by_side_ja}。"
    en = f"{s['priority_targets']} priority targets under {s['priority_goals']} goals. Per side: {by_side_en}."
    if s["priority_rows_without_side"]:
        ja += f"{s['priority_rows_without_side']}件は側面の記載がありません。"
        en += f" {s['priority_rows_without_side']} are listed without a side."
    if s["sides_without_priority"]:
        ja += f"優先ターゲットの記載がない側面: {'、'.join(ctx.side(x) for x in s['sides_without_priority'])}。"
        en += f" No priority target is listed for: {', '.join(ctx.side(x) for x in s['sides_without_priority'])}."
    lost = lost_parts(ctx).filter(pl.col("views").list.contains("priority_targets"))
    if lost.height:
        ja += f"注記によれば、優先ターゲットの節・表（{'; '.join(lost['lost'].to_list())}）はテキスト抽出で失われており、ここに示すのはKPI表などに記載されたターゲットです。"
        en += f" The curators note that the priority section or tables ({'; '.join(lost['lost'].to_list())}) were lost in the text extraction; the targets shown come from the KPI tables instead."
    return {"ja": ja, "en": en}


def priority_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("side_label").alias(ctx.t("側面", "Side")),
        pl.col("goal_name").alias(ctx.t("ゴール", "Goal")),
        pl.col("targets").list.join(", ").alias(ctx.t("ターゲット", "Targets")),
        pl.col("n_targets").alias(ctx.t("件数", "Count")),
    )


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------


def kpis(ctx: Context) -> pl.DataFrame:
    """The city's KPI rows with their baseline, latest actual and target as printed.

    ``*_shown`` columns hold "label value unit" as printed; a redacted cell says so and a cell that
    is not printed is NULL. Rows are in document order (doc_id, then printed order).
    """
    frame = ctx.con.sql(
        """
        with k as (
            select * from kpis where city_id = $city
        ),
        o as (
            select o.*, k.unit,
                   case when o.is_redacted then $redacted
                        when o.value_printed is not null then o.value_printed || coalesce(k.unit, '')
                        else o.value_text end as cell
            from kpi_observations o join k using (kpi_id)
        ),
        cells as (
            select kpi_id,
                   min(printed_order) as printed_order,
                   first(label order by printed_order) filter (where kind = 'baseline') as baseline_label_o,
                   first(cell order by printed_order) filter (where kind = 'baseline') as baseline_cell,
                   max_by(label, (year, printed_order)) filter (where kind = 'actual' and value is not null) as actual_label_o,
                   max_by(cell, (year, printed_order)) filter (where kind = 'actual' and value is not null) as actual_cell,
                   max_by(label, printed_order) filter (where kind = 'target') as target_label_o,
                   max_by(cell, printed_order) filter (where kind = 'target') as target_cell,
                   count(*) filter (where is_redacted) as redacted_cells,
                   count(*) as cells
            from o
            group by kpi_id
        )
        select k.kpi_id, k.doc_id, k.section, k.table_code, k.side, k.synergy_from, k.synergy_to,
               k.indicator_ja, k.indicator_key, k.unit, k.sdg_targets, k.is_repeat, k.direction, k.is_redacted,
               k.baseline_label, k.baseline_value, k.actual_label, k.actual_value, k.target_label, k.target_value,
               k.n_actual_values, k.status_text, k.published_achievement_pct, k.published_achievement_text,
               c.printed_order, c.baseline_cell, c.actual_cell, c.target_cell, coalesce(c.redacted_cells, 0) as redacted_cells,
               case when starts_with(c.baseline_cell, c.baseline_label_o) then c.baseline_cell
                    else nullif(concat_ws(' ', c.baseline_label_o, c.baseline_cell), '') end as baseline_shown,
               case when starts_with(c.actual_cell, c.actual_label_o) then c.actual_cell
                    else nullif(concat_ws(' ', c.actual_label_o, c.actual_cell), '') end as actual_shown,
               case when starts_with(c.target_cell, c.target_label_o) then c.target_cell
                    else nullif(concat_ws(' ', c.target_label_o, c.target_cell), '') end as target_shown
        from k left join cells c using (kpi_id)
        order by k.doc_id, c.printed_order, k.kpi_id
        """,
        params=_params(ctx, redacted=ctx.t("黒塗り", "redacted")),
    ).pl()
    return frame.with_columns(
        pl.Series("side_label", [side_label(ctx, *r) for r in frame.select("side", "synergy_from", "synergy_to").iter_rows()], dtype=pl.String),
        pl.Series("side_rank", [_side_rank(s) for s in frame["side"].to_list()], dtype=pl.Int64),
        pl.Series("achievement_shown", [_achievement_text(p, t) for p, t in frame.select("published_achievement_pct", "published_achievement_text").iter_rows()], dtype=pl.String),
    )


def _achievement_text(pct: float | None, text: str | None) -> str | None:
    """The published 達成度 as printed: "126%", "-9%", "達成"."""
    if pct is not None:
        return f"{int(pct)}%" if float(pct).is_integer() else f"{pct}%"
    return text


def _short(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kpi_table(ctx: Context, rows: pl.DataFrame) -> pl.DataFrame:
    """The KPI rows for display (one row per printed KPI row)."""
    redacted_name = ctx.t("（黒塗り）", "(redacted)")
    repeat_mark = ctx.t("（再掲）", " (repeat)")
    return rows.select(
        pl.col("side_label").alias(ctx.t("側面", "Side")),
        # table:row (e.g. overall:01) keeps the column narrow; the sections are named in the citation.
        pl.col("kpi_id").str.replace(r"^[^:]+:", "").alias(ctx.t("表:行", "Table:row")),
        (pl.col("indicator_ja").fill_null(redacted_name) + pl.when(pl.col("is_repeat")).then(pl.lit(repeat_mark)).otherwise(pl.lit(""))).alias(ctx.t("指標", "Indicator")),
        pl.col("sdg_targets").list.join(", ").replace("", None).alias(ctx.t("SDGターゲット", "SDG targets")),
        pl.col("baseline_shown").alias(ctx.t("基準値", "Baseline")),
        pl.col("actual_shown").alias(ctx.t("最新実績", "Latest actual")),
        pl.col("target_shown").alias(ctx.t("目標値", "Target")),
        pl.col("achievement_shown").alias(ctx.t("達成度（公表）", "Published 達成度")),
        pl.col("status_text").str.replace_all(";", " → ", literal=True).alias(ctx.t("状況（記載どおり）", "Status as printed")),
    )


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
        params=_params(ctx, redacted=ctx.t("（黒塗り）", "(redacted)")),
    ).pl()
    return _goal_side_labels(ctx, frame)


def kpi_chart(ctx: Context, counts: pl.DataFrame, s: dict[str, Any]) -> alt.Chart | None:
    """Tiles: sides x goals, the number of KPI rows in each."""
    if counts.height == 0:
        return None
    data = counts.with_columns(pl.col("indicators").list.eval(pl.element().str.slice(0, 30)).list.join(" / ").alias("indicator_list"))
    name = ctx.city(_city(ctx))
    rows_counted = s["kpis"] - s["kpis_repeat"]
    no_goal = int(data.filter(pl.col("goal").is_null())["n_kpis"].sum())
    goals = data["goal"].drop_nulls().n_unique()
    title = ctx.t(
        f"{name}のKPI（再掲を除く{rows_counted}行）は{goals}ゴールに対応" + (f"、{no_goal}行はSDGターゲットの記載なし" if no_goal else ""),
        f"{name}'s KPIs ({rows_counted} rows, repeats left out) map to {goals} goals" + (f"; {no_goal} rows print no SDG target" if no_goal else ""),
    )
    subtitle = ctx.t(
        "数字は側面・ゴールごとのKPI行数（複数ゴールに対応するKPIは各ゴールで数える）",
        "Numbers: KPI rows per side and goal (a KPI mapped to several goals counts under each)",
    )
    return _goal_tiles(
        ctx, data, count_col="n_kpis", count_title=ctx.t("KPI行数", "KPI rows"),
        detail_col="indicator_list", detail_title=ctx.t("指標", "indicators"), title=title, subtitle=subtitle,
    )


def achievement_chart(ctx: Context, rows: pl.DataFrame) -> alt.Chart | None:
    """The published 達成度 (%) of each non-repeat KPI row, with the 100% line; None when the
    city publishes no numeric rate."""
    data = rows.filter(pl.col("published_achievement_pct").is_not_null() & ~pl.col("is_repeat"))
    if data.height == 0:
        return None
    data = data.with_columns(
        pl.col("indicator_ja").fill_null(ctx.t("（黒塗り）", "(redacted)")).map_elements(lambda s: _short(s, 24), return_dtype=pl.String).alias("label"),
        pl.col("section").map_elements(lambda s: _short(s, 40), return_dtype=pl.String).alias("table_label"),
        (pl.col("published_achievement_pct") >= 100).alias("reached"),
    ).with_columns(
        pl.when(pl.col("reached")).then(pl.lit(ctx.t("100%以上", "100% or more"))).otherwise(pl.lit(ctx.t("100%未満", "below 100%"))).alias("reached_label"),
        # Labels must be unique within a panel: add the side when an indicator is printed twice.
        pl.when(pl.col("label").is_duplicated().over("table_label"))
        .then(pl.col("label") + pl.lit(" (") + pl.col("side_label") + pl.lit(")"))
        .otherwise(pl.col("label"))
        .alias("label"),
    )
    reached = int(data["reached"].sum())
    words = rows.filter(pl.col("published_achievement_text").is_not_null() & ~pl.col("is_repeat")).height
    name = ctx.city(_city(ctx))
    title = ctx.t(
        f"{name}: 公表達成度が100%以上のKPIは{data.height}行中{reached}行",
        f"{name}: {reached} of {data.height} KPI rows have a published 達成度 of 100% or more",
    )
    subtitle = ctx.t(
        f"公表された達成度（%）。再掲を除く。縦線は100%。ほかに{words}行は「達成」と文字で記載" if words else "公表された達成度（%）。再掲を除く。縦線は100%。",
        f"Published 達成度 (%), repeats left out; the line marks 100%." + (f" {words} more rows print the word 達成." if words else ""),
    )
    tables = data["table_label"].unique(maintain_order=True).to_list()
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=None, title=None),
            x=alt.X("published_achievement_pct:Q", title=ctx.t("達成度（%、公表値）", "published 達成度 (%)")),
            color=alt.Color(
                "reached_label:N",
                scale=alt.Scale(domain=[ctx.t("100%以上", "100% or more"), ctx.t("100%未満", "below 100%")], range=["#0072B2", "#E69F00"]),
                title=None,
            ),
            tooltip=[
                alt.Tooltip("indicator_ja:N", title=ctx.t("指標", "indicator")),
                alt.Tooltip("side_label:N", title=ctx.t("側面", "side")),
                alt.Tooltip("baseline_shown:N", title=ctx.t("基準値", "baseline")),
                alt.Tooltip("actual_shown:N", title=ctx.t("最新実績", "latest actual")),
                alt.Tooltip("target_shown:N", title=ctx.t("目標値", "target")),
                alt.Tooltip("achievement_shown:N", title=ctx.t("達成度（公表）", "published 達成度")),
            ],
        )
        .properties(width=440, height=alt.Step(18))
    )
    target = alt.Chart().mark_rule(color="#333333", strokeDash=[4, 3], strokeWidth=1.5).encode(x=alt.datum(100))
    plot = data.select(
        "label", "table_label", "published_achievement_pct", "reached_label", "indicator_ja", "side_label",
        "baseline_shown", "actual_shown", "target_shown", "achievement_shown",
    )
    return (
        alt.layer(bars, target, data=plot)
        .facet(
            row=alt.Row(
                "table_label:N", sort=tables, title=None,
                header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=12, labelFontWeight="bold"),
            ),
            spacing=8,
        )
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams(title, subtitle=subtitle))
    )


# ---------------------------------------------------------------------------------------------
# Synergies
# ---------------------------------------------------------------------------------------------


def synergies(ctx: Context, kpi_rows: pl.DataFrame) -> pl.DataFrame:
    """Directed links with the KPI that measures each (as printed)."""
    links = ctx.con.sql(
        "select synergy_id, doc_id, from_side, to_side, description_ja, kpi_id, note from synergies where city_id = $city order by synergy_id",
        params=_params(ctx),
    ).pl()
    kpi_cols = kpi_rows.select("kpi_id", "section", "indicator_ja", "is_redacted", "baseline_shown", "actual_shown", "target_shown", "achievement_shown")
    joined = links.join(kpi_cols, on="kpi_id", how="left")
    return joined.with_columns(
        pl.Series("link", [f"{ctx.side(a)} → {ctx.side(b)}" for a, b in joined.select("from_side", "to_side").iter_rows()], dtype=pl.String),
    )


def synergy_table(ctx: Context, links: pl.DataFrame) -> pl.DataFrame:
    redacted_name = ctx.t("（黒塗り）", "(redacted)")
    return links.select(
        pl.col("link").alias(ctx.t("方向", "Direction")),
        pl.col("description_ja").str.replace_all(r"\s+", " ").map_elements(lambda s: _short(s, 90), return_dtype=pl.String).alias(ctx.t("内容（抜粋）", "Description (excerpt)")),
        pl.when(pl.col("kpi_id").is_null()).then(pl.lit(None, pl.String)).otherwise(pl.col("indicator_ja").fill_null(redacted_name)).alias(ctx.t("KPI", "KPI")),
        pl.col("baseline_shown").alias(ctx.t("基準値", "Baseline")),
        pl.col("actual_shown").alias(ctx.t("最新実績", "Latest actual")),
        pl.col("target_shown").alias(ctx.t("目標値", "Target")),
        pl.col("achievement_shown").alias(ctx.t("達成度（公表）", "Published 達成度")),
    )


# ---------------------------------------------------------------------------------------------
# Stakeholders
# ---------------------------------------------------------------------------------------------


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
               any_value(s.category) as category,
               bool_or(s.is_redacted) as is_redacted,
               any_value(t.themes) as themes,
               string_agg(distinct s.event_on, ' / ' order by s.event_on) as dates,
               min(s.event_on) as first_agreed_on,
               list(distinct s.doc_id order by s.doc_id) as doc_ids,
               count(*) as mentions
        from s left join themes t using (partner)
        group by s.partner
        """,
        params=_params(ctx, redacted=ctx.t("（黒塗り）", "(redacted)")),
    ).pl()
    rank = {c: i for i, c in enumerate(st.CATEGORIES)}
    frame = frame.with_columns(
        pl.col("category").replace_strict(rank, default=len(rank)).alias("category_rank"),
        pl.col("category").replace_strict({c: st.category_name(ctx, c) for c in frame["category"].unique().to_list()}).alias("category_label"),
    )
    return frame.sort(["category_rank", "is_redacted", "first_agreed_on", "partner_name"], nulls_last=True)


def partner_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("category_label").alias(ctx.t("種類", "Kind")),
        pl.col("partner_name").alias(ctx.t("連携先", "Partner")),
        pl.col("themes").map_elements(lambda s: _short(s, 60), return_dtype=pl.String).alias(ctx.t("役割・テーマ", "Role / theme")),
        pl.col("dates").alias(ctx.t("協定等の日付", "Date(s)")),
        pl.col("doc_ids").list.join(", ").alias(ctx.t("文書", "Documents")),
    )


# ---------------------------------------------------------------------------------------------
# What is missing or redacted
# ---------------------------------------------------------------------------------------------


def lost_parts(ctx: Context) -> pl.DataFrame:
    """Parts of the documents lost in the text extraction, as the curators' notes record them:
    one row per (document, lost part) with the number of curated rows whose note says so."""
    selects = []
    for i, (kind, pattern, template) in enumerate(LOST_PATTERNS):
        prefix, suffix = template.split("{}")
        selects.append(
            f"""
            select doc_id, view, '{kind}' as kind,
                   $prefix{i} || trim(regexp_extract(note, $pattern{i}, 1)) || $suffix{i} as lost
            from notes where regexp_matches(note, $pattern{i})
            """
        )
    params = _params(ctx)
    for i, (_, pattern, template) in enumerate(LOST_PATTERNS):
        prefix, suffix = template.split("{}")
        params.update({f"pattern{i}": pattern, f"prefix{i}": prefix, f"suffix{i}": suffix})
    query = f"""
        with docs as (select doc_id from documents where city_id = $city),
        notes as (
            select doc_id, 'kpis' as view, note from kpis where city_id = $city and note is not null
            union all
            select doc_id, 'kpi_observations', note from kpi_observations where doc_id in (select doc_id from docs) and note is not null
            union all
            select doc_id, 'priority_targets', note from priority_targets where city_id = $city and note is not null
            union all
            select doc_id, 'stakeholders', note from stakeholders where city_id = $city and note is not null
            union all
            select doc_id, 'synergies', note from synergies where city_id = $city and note is not null
        ),
        found as ({' union all '.join(selects)})
        select doc_id, kind, regexp_replace(lost, '^[Tt]he ', '') as lost, count(*) as rows_noted,
               list(distinct view order by view) as views
        from found
        group by doc_id, kind, regexp_replace(lost, '^[Tt]he ', '')
        order by doc_id, kind desc, lost
    """
    return ctx.con.sql(query, params=params).pl()


def lost_table(ctx: Context, lost: pl.DataFrame) -> pl.DataFrame:
    kinds = {k: v[ctx.lang] for k, v in LOST_KIND_NAMES.items()}
    return lost.select(
        pl.col("doc_id").alias(ctx.t("文書", "Document")),
        pl.col("kind").replace_strict(kinds).alias(ctx.t("種類", "Kind")),
        pl.col("lost").alias(ctx.t("欠落部分（キュレーターの注記より）", "Lost part (from the curators' notes)")),
        pl.col("rows_noted").alias(ctx.t("注記のある行", "Rows noting it")),
        pl.col("views").list.join(", ").alias(ctx.t("テーブル", "Tables")),
    )


def gaps(ctx: Context, s: dict[str, Any]) -> pl.DataFrame:
    """What is missing or redacted, as computed counts out of their totals."""
    rows = [
        (ctx.t("KPI: 指標名が黒塗り", "KPIs: indicator name redacted"), s["kpis_name_redacted"], s["kpis"]),
        (ctx.t("KPI: 値が黒塗り（1つ以上）", "KPIs: a value redacted"), s["kpis_values_redacted"], s["kpis"]),
        (ctx.t("KPI: 実績値なし", "KPIs: no actual value"), s["kpis_without_actual"], s["kpis"]),
        (ctx.t("KPI: 数値でなく文字の状況のみ", "KPIs: text status instead of numbers"), s["kpis_text_status"], s["kpis"]),
        (ctx.t("KPI: 公表達成度なし", "KPIs: no published 達成度"), s["kpis"] - s["kpis_published_rate"], s["kpis"]),
        (ctx.t("優先ターゲット: 記載のない側面（経済・社会・環境）", "Priority targets: sides listing none (economy, society, environment)"), len(s["sides_without_priority"]), len(MAIN_SIDES))
        if s["priority_sides"]
        else (ctx.t("優先ターゲット: 側面の記載なし", "Priority targets: listed without a side"), s["priority_rows_without_side"], s["priority_rows"]),
        (ctx.t("連携先: 名称が黒塗り", "Stakeholders: partner name redacted"), s["partners_redacted"], s["partners"]),
        (ctx.t("相乗効果: KPIなし", "Synergies: no KPI"), s["synergies"] - s["synergies_with_kpi"], s["synergies"]),
        (ctx.t("抽出で失われた節・見出し（注記）", "Sections or headings lost in extraction (notes)"), s["lost_parts"], None),
    ]
    frame = pl.DataFrame(rows, schema={"item": pl.String, "count": pl.Int64, "total": pl.Int64}, orient="row")
    return frame.with_columns(
        pl.when(pl.col("total") > 0).then(pl.col("count") / pl.col("total")).otherwise(None).alias("share")
    )


def gaps_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("item").alias(ctx.t("項目", "Item")),
        pl.col("count").alias(ctx.t("件数", "Count")),
        pl.col("total").alias(ctx.t("対象", "Out of")),
        pl.col("share").map_elements(lambda v: f"{v * 100:.0f}%", return_dtype=pl.String).alias(ctx.t("割合", "Share")),
    )


def kpi_sentence(ctx: Context, s: dict[str, Any], rows: pl.DataFrame) -> dict[str, str]:
    """The KPI paragraph: what the city's KPI rows hold and lack, with computed counts."""
    name = ctx.city(_city(ctx))
    if s["kpis"] == 0:
        return {"ja": f"{name}の文書にはKPIの表がありません。", "en": f"{name}'s documents print no KPI table."}
    ja = [f"{name}のKPIは{s['kpis']}行（指標{s['indicators']}種、うち再掲{s['kpis_repeat']}行）。"]
    en = [f"{name} prints {s['kpis']} KPI rows ({s['indicators']} distinct indicators, {s['kpis_repeat']} repeats)."]
    if s["kpis_with_actual"]:
        ja.append(f"実績値があるのは{s['kpis_with_actual']}行、公表達成度があるのは{s['kpis_published_rate']}行です。")
        en.append(f"{s['kpis_with_actual']} rows have an actual value and {s['kpis_published_rate']} a published 達成度.")
    else:
        ja.append(f"実績値は1行もありません（{s['kpis']}行すべてが基準値と目標値のみ、または値なし）。進捗は評価できません。")
        en.append(f"None has an actual value (all {s['kpis']} rows print a baseline and a target at most), so progress cannot be assessed.")
    if s["kpis_name_redacted"]:
        ja.append(f"{s['kpis_name_redacted']}行は指標名が黒塗り、{s['kpis_values_redacted']}行は値が黒塗りで、年の記載とSDGターゲットだけが残っています。")
        en.append(f"{s['kpis_name_redacted']} rows have their indicator name redacted and {s['kpis_values_redacted']} their values; only year labels and SDG targets survive.")
    if s["kpis_text_status"]:
        example = rows.filter(pl.col("status_text").is_not_null())["status_text"][0].replace(";", " → ")
        ja.append(f"{s['kpis_text_status']}行は数値ではなく文字の状況で記載されています（例:「{example}」）。")
        en.append(f"{s['kpis_text_status']} rows print text statuses instead of numbers (e.g. 「{example}」).")
    return {"ja": "".join(ja), "en": " ".join(en)}
