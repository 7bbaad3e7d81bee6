"""Stakeholders: who the cities work with, when agreements were signed, on which themes, and which
partners more than one document names.

The unit of counting is the *partner*: one outside organisation (``partner_key``) per city, however many
documents or rows name it. Only rows with relation = 'partner' count here: cited data sources and the
city's own bodies are kept in the stakeholders view but are not partners (CURATION_GUIDE.md). A redacted stakeholder has its own key (``redacted_NN``), so each
redacted row counts as one partner and is shown as redacted, never dropped. Every query is bound to
the checked city list and aggregates in DuckDB, so the cost stays linear in the number of cities.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from sdgcities.present.notebook import Context

CATEGORIES = ("company", "university", "financial", "npo", "council", "government", "overseas", "other")
CATEGORY_NAMES = {
    "company": {"ja": "企業", "en": "Companies"},
    "university": {"ja": "大学・高専", "en": "Universities"},
    "financial": {"ja": "金融機関", "en": "Financial institutions"},
    "npo": {"ja": "NPO・法人", "en": "NPOs and foundations"},
    "council": {"ja": "協議会・団体", "en": "Councils and associations"},
    "government": {"ja": "行政機関", "en": "Government"},
    "overseas": {"ja": "海外", "en": "Overseas"},
    "other": {"ja": "その他", "en": "Other"},
}
# Colour-blind-safe (Okabe-Ito, the pale yellow replaced by olive; grey for "other").
CATEGORY_COLOURS = {
    "company": "#0072B2",
    "university": "#E69F00",
    "financial": "#009E73",
    "npo": "#CC79A7",
    "council": "#56B4E9",
    "government": "#D55E00",
    "overseas": "#999933",
    "other": "#8C8C8C",
}
PRECISION_NAMES = {
    "day": {"ja": "年月日", "en": "day"},
    "month": {"ja": "年月（月初に配置）", "en": "month (placed at the 1st)"},
    "year": {"ja": "年のみ（7月1日に配置）", "en": "year only (placed at 1 July)"},
}
# Generic verbs left out of the theme-word count: they say that something is done, not what.
THEME_STOPWORDS = ("推進", "活用", "実現", "連携", "促進", "向上", "構築", "創出")
# Japanese words: runs of two or more kanji, runs of katakana, or Latin words (AI, MaaS, SDGs).
THEME_WORD_PATTERN = r"\p{Han}{2,}|[\p{Katakana}ー]{2,}|[A-Za-z][A-Za-z0-9]+"
MANY_CITIES = 12  # above this, charts aggregate or show the top cities only


def category_name(ctx: Context, category: str | None) -> str:
    return CATEGORY_NAMES.get(category, {"ja": str(category), "en": str(category)})[ctx.lang]


def category_scale(ctx: Context, categories: Sequence[str] | None = None) -> alt.Scale:
    """Category label -> fixed colour, in the fixed category order."""
    present = list(categories) if categories is not None else list(CATEGORIES)
    ordered = [c for c in CATEGORIES if c in present] + sorted(c for c in present if c not in CATEGORIES)
    return alt.Scale(
        domain=[category_name(ctx, c) for c in ordered],
        range=[CATEGORY_COLOURS.get(c, "#8C8C8C") for c in ordered],
    )


def _label_columns(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Add city_label / category_label columns in the notebook's language."""
    columns = []
    if "city_id" in frame.columns:
        columns.append(pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"))
    if "category" in frame.columns:
        names = {c: category_name(ctx, c) for c in frame["category"].unique().to_list()}
        columns.append(pl.col("category").replace_strict(names, default=pl.col("category")).alias("category_label"))
    return frame.with_columns(columns) if columns else frame


# ---------------------------------------------------------------------------------------------
# Categories per city
# ---------------------------------------------------------------------------------------------


def category_counts(ctx: Context) -> pl.DataFrame:
    """Partners per city and category: named, redacted, total, and the rows (mentions) behind them.

    One row per (city, category). Documents are listed in doc_ids for the citation.
    """
    frame = ctx.con.sql(
        """
        select city_id, category,
               count(distinct coalesce(partner_key, stakeholder_id)) filter (where not is_redacted) as named,
               count(distinct coalesce(partner_key, stakeholder_id)) filter (where is_redacted) as redacted,
               count(distinct coalesce(partner_key, stakeholder_id)) as partners,
               count(*) as mentions,
               list(distinct doc_id order by doc_id) as doc_ids
        from (select * from stakeholders where relation = 'partner') as stakeholders
        where list_contains($cities, city_id)
        group by city_id, category
        order by city_id, category
        """,
        params={"cities": ctx.cities},
    ).pl()
    return _label_columns(ctx, frame)


def city_totals(ctx: Context) -> pl.DataFrame:
    """Per city: partners, redacted partners, mentions (rows) and documents naming stakeholders."""
    return ctx.con.sql(
        """
        select city_id,
               count(distinct coalesce(partner_key, stakeholder_id)) as partners,
               count(distinct coalesce(partner_key, stakeholder_id)) filter (where is_redacted) as redacted,
               count(*) as mentions,
               count(distinct doc_id) as documents
        from (select * from stakeholders where relation = 'partner') as stakeholders
        where list_contains($cities, city_id)
        group by city_id
        order by partners desc, city_id
        """,
        params={"cities": ctx.cities},
    ).pl()


def citation_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A (doc_id) frame for ctx.source() from a frame holding a doc_ids list column."""
    if "doc_ids" in frame.columns:
        return frame.select(pl.col("doc_ids").explode().alias("doc_id")).drop_nulls().unique()
    return frame.select("doc_id").unique()


def source(ctx: Context, frame: pl.DataFrame) -> str:
    """ctx.source() of the documents behind a frame with a doc_id or doc_ids column."""
    return ctx.source(citation_frame(frame))


def _top_cities(ctx: Context, counts: pl.DataFrame, top: int) -> tuple[pl.DataFrame, list[str], str | None]:
    """Keep the `top` cities with most partners; fold the others into one "other cities" row.
    Returns the rows (with row_label), the bar order and the label of the folded row (or None)."""
    totals = counts.group_by("city_id").agg(pl.col("partners").sum().alias("total")).sort(["total", "city_id"], descending=[True, False])
    if totals.height <= top:
        order = [c for c in ctx.cities if c in set(totals["city_id"])]
        return counts.with_columns(pl.col("city_label").alias("row_label")), [ctx.city(c) for c in order], None
    keep = totals["city_id"].head(top - 1).to_list()
    labels = {c: ctx.city(c) for c in keep}
    rest = totals.height - len(keep)
    other_label = ctx.t(f"その他 {rest:,}市", f"{rest:,} other cities")
    folded = counts.with_columns(pl.col("city_id").replace_strict(labels, default=other_label).alias("row_label"))
    folded = folded.group_by(["row_label", "category", "category_label"]).agg(
        pl.col("named").sum(), pl.col("redacted").sum(), pl.col("partners").sum(), pl.col("mentions").sum()
    )
    return folded, [labels[c] for c in keep] + [other_label], other_label


REDACTED_COLOUR = "#3A3A3A"


def category_chart(ctx: Context, counts: pl.DataFrame, *, top: int = MANY_CITIES) -> alt.LayerChart:
    """Stacked 100% bars per city: named partners by category (category colours), then the
    redacted partners as one dark segment (their printed category is in the tooltip and the
    table); partner counts written in the segments.

    With more than `top` cities, the top-1 cities by partner count are shown and the rest folded
    into one "other cities" bar.
    """
    data, order, other_label = _top_cities(ctx, counts, top)
    redacted_label = ctx.t("黒塗り（名称不明）", "redacted (name unknown)")
    cat_rank = {c: i for i, c in enumerate(CATEGORIES)}
    named = data.filter(pl.col("named") > 0).select(
        "row_label", "category", "category_label", pl.col("named").alias("n"),
        pl.col("category_label").alias("segment"),
        pl.col("category").replace_strict(cat_rank, default=len(CATEGORIES)).alias("stack_order"),
        pl.col("category_label").alias("redacted_detail"),
    )
    redacted = (
        data.filter(pl.col("redacted") > 0)
        .sort("category")
        .group_by("row_label", maintain_order=True)
        .agg(
            pl.col("redacted").sum().alias("n"),
            pl.format("{} {}", pl.col("category_label"), pl.col("redacted")).str.join(", ").alias("redacted_detail"),
        )
        .with_columns(
            pl.lit("redacted").alias("category"), pl.lit(redacted_label).alias("category_label"),
            pl.lit(redacted_label).alias("segment"), pl.lit(len(CATEGORIES) + 1).alias("stack_order"),
        )
        .select(named.columns)
    )
    long = pl.concat([named.with_columns(pl.col("stack_order").cast(pl.Int64)), redacted.with_columns(pl.col("stack_order").cast(pl.Int64))])
    totals = long.group_by("row_label").agg(pl.col("n").sum().alias("total"))
    width = 520
    long = long.join(totals, on="row_label").with_columns((pl.col("n") / pl.col("total")).alias("share"))
    # Write a count only where it fits in its segment (about 7 px per character at 11 px bold).
    long = long.with_columns(
        (pl.col("share") * width >= pl.col("n").map_elements(lambda n: len(f"{n:,}"), return_dtype=pl.Int64) * 7 + 6).alias("label_fits")
    )
    axis_labels = {r["row_label"]: f"{r['row_label']} (n={r['total']:,})" for r in totals.iter_rows(named=True)}
    long = long.with_columns(pl.col("row_label").replace_strict(axis_labels).alias("bar_label")).sort(["bar_label", "stack_order"])
    bar_order = [axis_labels[o] for o in order if o in axis_labels]

    leader = totals.filter(pl.col("row_label") != (other_label or "")).sort(["total", "row_label"], descending=[True, False]).row(0, named=True)
    leader_named = long.filter((pl.col("row_label") == leader["row_label"]) & (pl.col("category") != "redacted"))
    leader_top = leader_named.sort(["n", "stack_order"], descending=[True, False]).row(0, named=True) if leader_named.height else None
    leader_redacted = int(long.filter((pl.col("row_label") == leader["row_label"]) & (pl.col("category") == "redacted"))["n"].sum())
    if leader_top is None:
        top_ja, top_en = "名称はすべて黒塗り", "all names redacted"
    elif leader_redacted:
        top_ja = f"名称のわかる中で最多は{leader_top['category_label']}の{leader_top['n']:,}件"
        top_en = f"the largest named group {leader_top['category_label'].lower()} ({leader_top['n']:,})"
    else:
        top_ja = f"最多は{leader_top['category_label']}の{leader_top['n']:,}件"
        top_en = f"the largest group {leader_top['category_label'].lower()} ({leader_top['n']:,})"
    red_ja = f"（うち黒塗り{leader_redacted:,}件）" if leader_redacted else ""
    red_en = f" ({leader_redacted:,} redacted)" if leader_redacted else ""
    if totals.height == 1:
        title = ctx.t(
            f"{leader['row_label']}の連携先は{leader['total']:,}件{red_ja}、{top_ja}",
            f"{leader['row_label']} names {leader['total']:,} partners{red_en}, {top_en}",
        )
    else:
        title = ctx.t(
            f"{leader['row_label']}の連携先が最多: {leader['total']:,}件{red_ja}、{top_ja}",
            f"{leader['row_label']} names the most partners: {leader['total']:,}{red_en}, {top_en}",
        )
    subtitle = ctx.t(
        "都市ごとの連携先の種類の構成比。数字は連携先数。名称が黒塗りの連携先は黒い区分にまとめて示す。",
        "Share of partners by kind per city; numbers are partner counts. Redacted partners form the dark segment.",
    )
    categories = [c for c in long["category"].unique().to_list() if c != "redacted"]
    scale = category_scale(ctx, categories)
    domain = list(scale.domain) + ([redacted_label] if redacted.height else [])
    colours = list(scale.range) + ([REDACTED_COLOUR] if redacted.height else [])
    y = alt.Y("bar_label:N", sort=bar_order, title=None)
    bars = (
        alt.Chart(long)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=y,
            x=alt.X("share:Q", stack="zero", axis=alt.Axis(format="%", title=ctx.t("構成比", "share"))),
            order=alt.Order("stack_order:Q"),
            color=alt.Color("segment:N", scale=alt.Scale(domain=domain, range=colours), title=ctx.t("種類", "kind")),
            tooltip=[
                alt.Tooltip("row_label:N", title=ctx.t("都市", "city")),
                alt.Tooltip("segment:N", title=ctx.t("種類", "kind")),
                alt.Tooltip("n:Q", title=ctx.t("連携先数", "partners"), format=","),
                alt.Tooltip("share:Q", title=ctx.t("構成比", "share"), format=".1%"),
                alt.Tooltip("redacted_detail:N", title=ctx.t("記載上の種類", "kind as printed")),
            ],
        )
    )
    # The count in the middle of its segment (where it fits).
    text = (
        alt.Chart(long)
        .transform_window(cum="sum(share)", groupby=["bar_label"], sort=[alt.SortField("stack_order")])
        .transform_calculate(mid="datum.cum - datum.share / 2")
        .transform_filter(alt.datum.label_fits)
        .mark_text(fontSize=11, fontWeight="bold", color="white")
        .encode(y=y, x=alt.X("mid:Q"), text=alt.Text("n:Q", format=","))
    )
    return (bars + text).properties(title=alt.TitleParams(title, subtitle=subtitle), width=width, height=alt.Step(34))


def category_table(ctx: Context, counts: pl.DataFrame, *, top: int = MANY_CITIES) -> pl.DataFrame:
    """Cities x categories with "partners (redacted)" cells and a total column, for display.
    With more than `top` cities, the `top` cities with most partners."""
    present = [c for c in CATEGORIES if c in set(counts["category"])] + sorted(set(counts["category"]) - set(CATEGORIES))
    redacted_word = ctx.t("黒塗り", "redacted")
    cells = counts.with_columns(
        pl.when(pl.col("redacted") > 0)
        .then(pl.format("{} ({} " + redacted_word + ")", pl.col("partners"), pl.col("redacted")))
        .otherwise(pl.col("partners").cast(pl.String))
        .alias("cell")
    )
    wide = cells.pivot(on="category", index="city_id", values="cell")
    totals = city_totals(ctx)
    wide = wide.join(totals.select("city_id", "partners", "redacted", "mentions"), on="city_id", how="left")
    if wide.height > top:
        wide = wide.sort(["partners", "city_id"], descending=[True, False]).head(top)
    else:
        order = {c: i for i, c in enumerate(ctx.cities)}
        wide = wide.sort(pl.col("city_id").replace_strict(order, default=len(order)))
    city_col = ctx.t("都市", "City")
    out = wide.select(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias(city_col),
        *[pl.col(c).fill_null("–").alias(category_name(ctx, c)) for c in present],
        pl.col("partners").alias(ctx.t("連携先 計", "Partners")),
        pl.col("redacted").alias(ctx.t("うち黒塗り", "of which redacted")),
        pl.col("mentions").alias(ctx.t("記載行数", "Rows (mentions)")),
    )
    return out


def category_lines(counts: pl.DataFrame, *, top: int = MANY_CITIES) -> list[str]:
    """Deterministic text lines for the checked output: per city and category the partners,
    redacted partners and rows; with more than `top` cities, totals per category instead."""
    if counts["city_id"].n_unique() > top:
        counts = counts.group_by("category").agg(
            pl.lit("all_cities").alias("city_id"), pl.col("partners").sum(), pl.col("redacted").sum(), pl.col("mentions").sum()
        )
    lines = []
    for r in counts.sort(["city_id", "category"]).iter_rows(named=True):
        lines.append(f"{r['city_id']} {r['category']}: partners={r['partners']} redacted={r['redacted']} rows={r['mentions']}")
    return lines


def overview(ctx: Context) -> dict[str, int]:
    """Totals over the selected cities: partner rows, partners, redacted, documents, cities, rows
    dated as agreements, and the rows kept apart (cited data sources, the cities' own bodies)."""
    row = ctx.con.sql(
        """
        select count(*) filter (where relation = 'partner') as rows_,
               count(distinct (city_id, coalesce(partner_key, stakeholder_id))) filter (where relation = 'partner') as partners,
               count(distinct (city_id, coalesce(partner_key, stakeholder_id))) filter (where relation = 'partner' and is_redacted) as redacted,
               count(distinct doc_id) filter (where relation = 'partner') as documents,
               count(distinct city_id) filter (where relation = 'partner') as cities,
               count(*) filter (where relation = 'partner' and event = 'agreement') as dated_rows,
               count(*) filter (where relation = 'data_source') as data_source_rows,
               count(*) filter (where relation = 'internal') as internal_rows
        from stakeholders where list_contains($cities, city_id)
        """,
        params={"cities": ctx.cities},
    ).fetchall()[0]
    return dict(zip(("rows", "partners", "redacted", "documents", "cities", "dated_rows", "data_source_rows", "internal_rows"), row))


# ---------------------------------------------------------------------------------------------
# Agreement timeline
# ---------------------------------------------------------------------------------------------


def agreements(ctx: Context) -> pl.DataFrame:
    """Dated agreements (event = 'agreement'; foundings, selections, declarations ... are not
    agreements): one row per (city, partner, date), merged across the documents printing it.

    A date printed less precisely in one document (2018-11) and more precisely in another
    (2018-11-19) is the same agreement; it is kept once at the more precise date. Dates that
    disagree (2019-05 vs 2019-07) stay two agreements. ``precision`` is year, month or day and
    ``plot_date`` places a month at its 1st and a year at 1 July.
    """
    frame = ctx.con.sql(
        """
        with dated as (
            select city_id, doc_id, coalesce(partner_key, stakeholder_id) as partner, name_ja, category,
                   role_ja, event_on as agreed_on, event_on_label as agreed_on_label, is_redacted, stakeholder_id
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and event = 'agreement'
        ),
        canonical as (
            select d.*,
                   (select max_by(f.agreed_on, length(f.agreed_on)) from dated f
                    where f.city_id = d.city_id and f.partner = d.partner and starts_with(f.agreed_on, d.agreed_on)) as agreement_date
            from dated d
        )
        select city_id, partner, agreement_date as agreed_on,
               case length(agreement_date) when 4 then 'year' when 7 then 'month' else 'day' end as precision,
               case length(agreement_date) when 4 then agreement_date || '-07-01'
                    when 7 then agreement_date || '-01' else agreement_date end as plot_date,
               any_value(category order by doc_id, stakeholder_id) as category,
               coalesce(first(name_ja order by doc_id, stakeholder_id) filter (where name_ja is not null), $redacted) as partner_name,
               coalesce(first(role_ja order by doc_id, stakeholder_id) filter (where role_ja is not null), '–') as theme,
               string_agg(distinct agreed_on_label, ' / ' order by agreed_on_label) as date_printed,
               list(distinct doc_id order by doc_id) as doc_ids,
               bool_or(is_redacted) as is_redacted,
               count(*) as mentions
        from canonical
        group by city_id, partner, agreement_date
        order by city_id, plot_date, category, partner
        """,
        params={"cities": ctx.cities, "redacted": ctx.t("（黒塗り）", "(redacted)")},
    ).pl()
    frame = _label_columns(ctx, frame)
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, pl.Int64).alias("stack"), pl.lit(None, pl.Int64).alias("year"))
    return frame.with_columns(
        pl.col("doc_ids").list.join(", ").alias("documents"),
        pl.col("precision").replace_strict({k: v[ctx.lang] for k, v in PRECISION_NAMES.items()}).alias("precision_label"),
        pl.col("plot_date").str.slice(0, 4).cast(pl.Int64).alias("year"),
        # Position of the dot in its month's column: stacked upwards, by category then partner.
        (pl.int_range(pl.len()).over(["city_id", pl.col("plot_date").str.slice(0, 7)]) + 1).alias("stack"),
    )


def agreement_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Per city: dated agreements, the rows behind them, partners, first and last year, and counts
    by precision."""
    if frame.height == 0:
        return pl.DataFrame(schema={"city_id": pl.String, "agreements": pl.Int64, "rows": pl.Int64, "partners": pl.Int64, "first_year": pl.Int64, "last_year": pl.Int64, "by_year": pl.Int64, "by_month": pl.Int64, "by_day": pl.Int64})
    return (
        frame.group_by("city_id")
        .agg(
            pl.len().cast(pl.Int64).alias("agreements"),
            pl.col("mentions").sum().cast(pl.Int64).alias("rows"),
            pl.col("partner").n_unique().cast(pl.Int64).alias("partners"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            (pl.col("precision") == "year").sum().cast(pl.Int64).alias("by_year"),
            (pl.col("precision") == "month").sum().cast(pl.Int64).alias("by_month"),
            (pl.col("precision") == "day").sum().cast(pl.Int64).alias("by_day"),
        )
        .sort(["agreements", "city_id"], descending=[True, False])
    )


def timeline_chart(ctx: Context, frame: pl.DataFrame, *, top: int = MANY_CITIES) -> alt.Chart | alt.VConcatChart | None:
    """Dated agreements on a time axis, one panel per city, dots stacked per month, coloured by
    category, shaped by date precision. With more than `top` cities the dots are replaced by
    yearly stacked bars over all cities. None when no agreement is dated."""
    if frame.height == 0:
        return None
    summary = agreement_summary(frame)
    cat_scale = category_scale(ctx, frame["category"].unique().to_list())
    colour = alt.Color("category_label:N", scale=cat_scale, title=ctx.t("種類", "kind"))
    if len(ctx.cities) > top:
        yearly = frame.group_by(["year", "category", "category_label"]).agg(pl.len().alias("n"), pl.col("city_id").n_unique().alias("cities"))
        first, last = int(frame["year"].min()), int(frame["year"].max())
        peak = yearly.group_by("year").agg(pl.col("n").sum()).sort(["n", "year"], descending=[True, False]).row(0, named=True)
        title = ctx.t(
            f"{summary['city_id'].n_unique():,}都市の日付つき協定 {frame.height:,}件（{first}〜{last}年、最多は{peak['year']}年の{peak['n']:,}件）",
            f"{frame.height:,} dated agreements in {summary['city_id'].n_unique():,} cities, {first}–{last} (peak {peak['year']}: {peak['n']:,})",
        )
        return (
            alt.Chart(yearly)
            .mark_bar()
            .encode(
                # Every year of the span on the axis, so that gaps in time stay visible.
                x=alt.X(
                    "year:O",
                    title=ctx.t("年", "year"),
                    scale=alt.Scale(domain=list(range(first, last + 1))),
                    axis=alt.Axis(labelExpr="datum.value % 5 == 0 ? datum.value : ''", labelAngle=0),
                ),
                y=alt.Y("sum(n):Q", title=ctx.t("協定数", "agreements")),
                color=colour,
                tooltip=[
                    alt.Tooltip("year:O", title=ctx.t("年", "year")),
                    alt.Tooltip("category_label:N", title=ctx.t("種類", "kind")),
                    alt.Tooltip("n:Q", title=ctx.t("協定数", "agreements"), format=","),
                    alt.Tooltip("cities:Q", title=ctx.t("都市数", "cities"), format=","),
                ],
            )
            .properties(title=title, width=620, height=260)
        )
    shapes = alt.Scale(
        domain=[PRECISION_NAMES[p][ctx.lang] for p in ("month", "day", "year")],
        range=["circle", "diamond", "triangle-up"],
    )
    panels = []
    for row in summary.iter_rows(named=True):
        city_id = row["city_id"]
        data = frame.filter(pl.col("city_id") == city_id).drop("doc_ids")
        height = max(50, int(data["stack"].max()) * 13 + 14)
        first, last = row["first_year"], row["last_year"]
        per_year = data.group_by("year").agg(pl.len().alias("n")).sort(["n", "year"], descending=[True, False])
        busiest = per_year.row(0, named=True)
        unique_peak = busiest["n"] > 1 and (per_year.height == 1 or per_year["n"][1] < busiest["n"])
        span = f"{first}〜{last}年" if first != last else f"{first}年"
        title = ctx.t(
            f"{ctx.city(city_id)}: 日付つき協定 {row['agreements']:,}件（{span}"
            + (f"、最多は{busiest['year']}年の{busiest['n']:,}件）" if unique_peak else "）"),
            f"{ctx.city(city_id)}: {row['agreements']:,} dated agreements, {first}–{last}"
            + (f" (most in {busiest['year']}: {busiest['n']:,})" if unique_peak else ""),
        )
        panels.append(
            alt.Chart(data)
            .mark_point(filled=True, size=70, opacity=0.9, stroke="white", strokeWidth=0.5)
            .encode(
                x=alt.X(
                    "plot_date:T",
                    title=None,
                    axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": max(1, (last - first) // 10)}, grid=True),
                    scale=alt.Scale(padding=12),
                ),
                y=alt.Y("stack:Q", axis=None, scale=alt.Scale(domain=[0, int(data["stack"].max()) + 0.5])),
                color=colour,
                shape=alt.Shape("precision_label:N", scale=shapes, title=ctx.t("日付の精度", "date precision")),
                tooltip=[
                    alt.Tooltip("partner_name:N", title=ctx.t("連携先", "partner")),
                    alt.Tooltip("theme:N", title=ctx.t("テーマ", "theme")),
                    alt.Tooltip("date_printed:N", title=ctx.t("日付（記載どおり）", "date as printed")),
                    alt.Tooltip("precision_label:N", title=ctx.t("日付の精度", "precision")),
                    alt.Tooltip("category_label:N", title=ctx.t("種類", "kind")),
                    alt.Tooltip("documents:N", title=ctx.t("文書", "documents")),
                ],
            )
            .properties(title=title, width=760, height=height)
        )
    if len(panels) == 1:
        return panels[0]
    first, last = int(frame["year"].min()), int(frame["year"].max())
    title = ctx.t(
        f"日付つき協定 {frame.height:,}件（{summary.height}都市、{first}〜{last}年）: 都市ごとに時間軸を調整",
        f"{frame.height:,} dated agreements in {summary.height} cities, {first}–{last} (each city on its own time axis)",
    )
    return alt.vconcat(*panels, spacing=24, title=alt.TitleParams(title, fontSize=17)).resolve_scale(x="independent")


def agreement_lines(summary: pl.DataFrame, *, top: int = MANY_CITIES) -> list[str]:
    """Deterministic text lines for the checked output, one per city with dated agreements; with
    more than `top` such cities, the totals and the `top` cities with most agreements."""
    if summary.height > top:
        total = (
            f"all {summary.height} cities: agreements={int(summary['agreements'].sum())} rows={int(summary['rows'].sum())} "
            f"years={int(summary['first_year'].min())}-{int(summary['last_year'].max())}"
        )
        return [total] + agreement_lines(summary.sort(["agreements", "city_id"], descending=[True, False]).head(top), top=top)
    return [
        f"{r['city_id']}: agreements={r['agreements']} rows={r['rows']} partners={r['partners']} "
        f"years={r['first_year']}-{r['last_year']} precision year={r['by_year']} month={r['by_month']} day={r['by_day']}"
        for r in summary.sort("city_id").iter_rows(named=True)
    ]


def agreement_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """The dated agreements for display, in time order."""
    columns = [pl.col("city_label").alias(ctx.t("都市", "City"))] if frame["city_id"].n_unique() > 1 else []
    return frame.sort(["city_id", "plot_date", "category", "partner"]).select(
        *columns,
        pl.col("agreed_on").alias(ctx.t("日付", "Date")),
        pl.col("date_printed").alias(ctx.t("日付（記載どおり）", "Date as printed")),
        pl.col("partner_name").alias(ctx.t("連携先", "Partner")),
        pl.col("category_label").alias(ctx.t("種類", "Kind")),
        pl.col("theme").alias(ctx.t("テーマ", "Theme")),
        pl.col("documents").alias(ctx.t("文書", "Documents")),
    )


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------


def theme_words(ctx: Context, *, top: int = 15) -> pl.DataFrame:
    """The most frequent theme words of role_ja, counted once per partner, split by category.

    A word is a run of two or more kanji, a katakana run or a Latin word (whitespace removed
    first); THEME_STOPWORDS are left out. Returns word, category, partners (with that word in that
    category) and total (over categories), for the `top` words by total.
    """
    frame = ctx.con.sql(
        """
        with themes as (
            select distinct city_id, coalesce(partner_key, stakeholder_id) as partner, category,
                   regexp_replace(role_ja, '\\s', '', 'g') as theme, doc_id
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and role_ja is not null
        ),
        words as (
            select distinct city_id, partner, category, unnest(regexp_extract_all(theme, $word_pattern)) as word
            from themes
        ),
        counted as (
            select word, category, count(distinct (city_id, partner)) as partners
            from words
            where not list_contains($stopwords, word)
            group by word, category
        ),
        ranked as (
            select word, sum(partners)::bigint as total from counted group by word
            order by total desc, word limit $top
        )
        select c.word, c.category, c.partners, r.total
        from counted c join ranked r using (word)
        order by r.total desc, c.word, c.category
        """,
        params={"cities": ctx.cities, "stopwords": list(THEME_STOPWORDS), "top": top, "word_pattern": THEME_WORD_PATTERN},
    ).pl()
    return _label_columns(ctx, frame)


def theme_sources(ctx: Context) -> pl.DataFrame:
    """The documents whose role_ja texts the theme analysis reads (for the citation)."""
    return ctx.con.sql(
        "select distinct doc_id from (select * from stakeholders where relation = 'partner') as stakeholders where list_contains($cities, city_id) and role_ja is not null order by doc_id",
        params={"cities": ctx.cities},
    ).pl()


def theme_chart(ctx: Context, words: pl.DataFrame) -> alt.Chart:
    """Horizontal bars of the top theme words, stacked by category."""
    order = words.select("word", "total").unique().sort(["total", "word"], descending=[True, False])["word"].to_list()
    lead = words.sort(["total", "word"], descending=[True, False]).row(0, named=True)
    title = ctx.t(
        f"連携テーマで最も多い語は「{lead['word']}」（{lead['total']:,}連携先）",
        f"The most frequent theme word is 「{lead['word']}」 ({lead['total']:,} partners)",
    )
    subtitle = ctx.t(
        f"役割・テーマの記載に現れる語（漢字2字以上・カタカナ・英字）を連携先ごとに1回数えた上位{len(order)}語。除外: {'・'.join(THEME_STOPWORDS)}",
        f"Words of the printed roles/themes (2+ kanji, katakana or Latin runs), counted once per partner; top {len(order)}. Left out: {', '.join(THEME_STOPWORDS)}",
    )
    return (
        alt.Chart(words)
        .mark_bar()
        .encode(
            y=alt.Y("word:N", sort=order, title=None),
            x=alt.X("sum(partners):Q", title=ctx.t("連携先数", "partners")),
            color=alt.Color("category_label:N", scale=category_scale(ctx, words["category"].unique().to_list()), title=ctx.t("種類", "kind")),
            order=alt.Order("category:N"),
            tooltip=[
                alt.Tooltip("word:N", title=ctx.t("語", "word")),
                alt.Tooltip("category_label:N", title=ctx.t("種類", "kind")),
                alt.Tooltip("partners:Q", title=ctx.t("連携先数", "partners")),
                alt.Tooltip("total:Q", title=ctx.t("合計", "total")),
            ],
        )
        .properties(title=alt.TitleParams(title, subtitle=subtitle), width=460, height=alt.Step(20))
    )


def themes_by_category(ctx: Context, *, per_category: int = 5) -> pl.DataFrame:
    """Per category: partners, partners with a printed theme, and the most frequent theme words."""
    frame = ctx.con.sql(
        """
        with partners as (
            select city_id, coalesce(partner_key, stakeholder_id) as partner, category,
                   bool_or(role_ja is not null) as has_theme
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id)
            group by all
        ),
        words as (
            select distinct city_id, coalesce(partner_key, stakeholder_id) as partner, category,
                   unnest(regexp_extract_all(regexp_replace(role_ja, '\\s', '', 'g'), $word_pattern)) as word
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and role_ja is not null
        ),
        counted as (
            select category, word, count(distinct (city_id, partner)) as n,
                   row_number() over (partition by category order by count(distinct (city_id, partner)) desc, word) as rank
            from words
            where not list_contains($stopwords, word)
            group by category, word
        )
        select p.category, count(*) as partners, count(*) filter (where p.has_theme) as with_theme,
               (select string_agg(c.word || ' (' || c.n || ')', '、' order by c.rank)
                from counted c where c.category = p.category and c.rank <= $per_category) as top_words
        from partners p
        group by p.category
        """,
        params={"cities": ctx.cities, "stopwords": list(THEME_STOPWORDS), "per_category": per_category, "word_pattern": THEME_WORD_PATTERN},
    ).pl()
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    frame = frame.sort(pl.col("category").replace_strict(rank, default=len(rank)))
    return frame.select(
        pl.col("category").replace_strict({c: category_name(ctx, c) for c in frame["category"]}).alias(ctx.t("種類", "Kind")),
        pl.col("partners").alias(ctx.t("連携先数", "Partners")),
        pl.col("with_theme").alias(ctx.t("テーマ記載あり", "With a theme")),
        pl.col("top_words").fill_null("–").alias(ctx.t(f"頻出語（上位{per_category}、連携先数）", f"Top words (up to {per_category}, partners)")),
    )


# ---------------------------------------------------------------------------------------------
# Partners named in more than one document
# ---------------------------------------------------------------------------------------------


def shared_partners(ctx: Context) -> pl.DataFrame:
    """Named partners that more than one document of the same city lists, with their dates and
    themes per document and whether these differ.

    date_status: "differs" when two documents both print dates and one prints a date that no date
    of the other matches (a less precise date matching a more precise one, 2018-11 vs 2018-11-19,
    counts as matching); "one" when only one document prints a date; "same"; "none".
    theme_status: the same for the set of normalised themes (the `theme` codes; the printed wording
    varies between documents and is shown, not compared). Dates are those of any dated event.
    """
    frame = ctx.con.sql(
        """
        with s as (
            select city_id, doc_id, partner_key, name_ja, category, event_on as agreed_on, theme, role_ja, stakeholder_id
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and not is_redacted and partner_key is not null
        ),
        multi as (
            select city_id, partner_key from s group by city_id, partner_key having count(distinct doc_id) > 1
        ),
        per_doc as (
            select city_id, partner_key, doc_id,
                   list(distinct agreed_on order by agreed_on) filter (where agreed_on is not null) as dates,
                   list(distinct theme order by theme) filter (where theme is not null) as themes,
                   string_agg(distinct role_ja, '; ' order by role_ja) as themes_printed
            from s join multi using (city_id, partner_key)
            group by city_id, partner_key, doc_id
        ),
        dated as (
            select distinct s.city_id, s.partner_key, s.doc_id, s.agreed_on
            from s join multi using (city_id, partner_key) where s.agreed_on is not null
        ),
        unmatched_dates as (
            select distinct a.city_id, a.partner_key
            from dated a
            join (select distinct city_id, partner_key, doc_id from dated) o
              on o.city_id = a.city_id and o.partner_key = a.partner_key and o.doc_id <> a.doc_id
            where not exists (
                select 1 from dated b
                where b.city_id = a.city_id and b.partner_key = a.partner_key and b.doc_id = o.doc_id
                  and (starts_with(b.agreed_on, a.agreed_on) or starts_with(a.agreed_on, b.agreed_on))
            )
        ),
        summary as (
            select city_id, partner_key,
                   count(*) as documents,
                   count(*) filter (where len(coalesce(dates, [])) > 0) as dated_documents,
                   count(*) filter (where len(coalesce(themes, [])) > 0) as themed_documents,
                   count(distinct themes) filter (where len(coalesce(themes, [])) > 0) as theme_sets,
                   list(doc_id order by doc_id) as doc_ids,
                   string_agg(doc_id || ': ' || coalesce(array_to_string(dates, ', '), '–'), ' | ' order by doc_id) as dates_by_document,
                   string_agg(doc_id || ': ' || coalesce(themes_printed, '–'), ' | ' order by doc_id) as themes_by_document
            from per_doc
            group by city_id, partner_key
        )
        select m.city_id, m.partner_key,
               (select first(name_ja order by doc_id, stakeholder_id) from s
                where s.city_id = m.city_id and s.partner_key = m.partner_key) as partner_name,
               (select any_value(category) from s where s.city_id = m.city_id and s.partner_key = m.partner_key) as category,
               m.documents, m.doc_ids, m.dates_by_document, m.themes_by_document,
               case when m.dated_documents = 0 then 'none'
                    when m.dated_documents = 1 then 'one'
                    when u.partner_key is not null then 'differs'
                    else 'same' end as date_status,
               case when m.themed_documents = 0 then 'none'
                    when m.themed_documents = 1 then 'one'
                    when m.theme_sets > 1 then 'differs'
                    else 'same' end as theme_status
        from summary m
        left join unmatched_dates u using (city_id, partner_key)
        order by m.city_id, (date_status = 'differs') desc, (theme_status = 'differs') desc, m.partner_key
        """,
        params={"cities": ctx.cities},
    ).pl()
    return _label_columns(ctx, frame)


STATUS_NAMES = {
    "same": {"ja": "一致", "en": "same"},
    "differs": {"ja": "相違", "en": "differs"},
    "one": {"ja": "1文書のみ記載", "en": "in one document only"},
    "none": {"ja": "記載なし", "en": "not printed"},
}


def shared_lines(frame: pl.DataFrame, *, top: int = MANY_CITIES) -> list[str]:
    """Deterministic text lines for the checked output, one per city with shared partners; with
    more than `top` such cities, the totals and the first `top` cities."""
    lines = []
    cities = sorted(frame["city_id"].unique().to_list())
    if len(cities) > top:
        c = shared_summary(frame)
        lines.append(
            f"all {len(cities)} cities: shared={c['partners']} date_differs={c['date_differs']} "
            f"theme_differs={c['theme_differs']} either_differs={c['either_differs']}"
        )
        cities = cities[:top]
    for city in cities:
        c = shared_summary(frame.filter(pl.col("city_id") == city))
        lines.append(
            f"{city}: shared={c['partners']} date_differs={c['date_differs']} theme_differs={c['theme_differs']} "
            f"either_differs={c['either_differs']}"
        )
    return lines


def shared_summary(frame: pl.DataFrame) -> dict[str, int]:
    """Counts of the shared-partner frame: partners, and how many differ in date, theme, either."""
    date_differs = frame["date_status"] == "differs"
    theme_differs = frame["theme_status"] == "differs"
    return {
        "partners": frame.height,
        "date_differs": int(date_differs.sum()),
        "theme_differs": int(theme_differs.sum()),
        "either_differs": int((date_differs | theme_differs).sum()),
        "both_dated": int(frame["date_status"].is_in(["same", "differs"]).sum()),
    }


def shared_table(ctx: Context, frame: pl.DataFrame, *, top: int = MANY_CITIES) -> pl.DataFrame:
    """The shared-partner frame for display, in the notebook's language; with more than `top`
    cities, only the partners whose date or theme differs."""
    status = {k: v[ctx.lang] for k, v in STATUS_NAMES.items()}
    if len(ctx.cities) > top:
        frame = frame.filter((pl.col("date_status") == "differs") | (pl.col("theme_status") == "differs"))
    columns = []
    if len(ctx.cities) > 1:
        columns.append(pl.col("city_label").alias(ctx.t("都市", "City")))
    columns += [
        pl.col("partner_name").alias(ctx.t("連携先", "Partner")),
        pl.col("category_label").alias(ctx.t("種類", "Kind")),
        pl.col("documents").alias(ctx.t("文書数", "Documents")),
        pl.col("dates_by_document").alias(ctx.t("文書ごとの日付", "Dates by document")),
        pl.col("date_status").replace_strict(status).alias(ctx.t("日付", "Date")),
        pl.col("themes_by_document").alias(ctx.t("文書ごとのテーマ", "Themes by document")),
        pl.col("theme_status").replace_strict(status).alias(ctx.t("テーマ", "Theme")),
    ]
    return frame.select(columns)


def differing_examples(frame: pl.DataFrame, limit: int = 3) -> list[dict]:
    """The first partners whose dates differ (for the narrative)."""
    return frame.filter(pl.col("date_status") == "differs").head(limit).to_dicts()
