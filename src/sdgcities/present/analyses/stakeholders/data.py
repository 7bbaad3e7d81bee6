"""The stakeholder frames, read from the build's models: codes and numbers, labels added for the charts.

The unit of counting is the *partner*: one outside organisation (``partner_key``) per city, however many
documents or rows name it. Only rows with relation = 'partner' count here: cited data sources and the
city's own bodies are kept in the stakeholders view but are not partners (CURATION_GUIDE.md). A
redacted stakeholder has its own key (``redacted_NN``), so each redacted row counts as one partner and
is shown as redacted, never dropped. The counts are the build's, per city (city_stakeholder_summary,
city_partner_categories, city_theme_words, agreements); a query here only sums them over the checked
city list, so a report never recounts the stakeholder rows.
"""

from __future__ import annotations

import polars as pl

from sdgcities.access import api
from sdgcities.present.notebook import Context

CATEGORIES = ("company", "university", "financial", "npo", "council", "government", "overseas", "other")
# Generic verbs left out of the theme-word count: they say that something is done, not what. (The words
# themselves are the build's: model city_theme_words.)
THEME_STOPWORDS = ("推進", "活用", "実現", "連携", "促進", "向上", "構築", "創出")


def category_name(ctx: Context, category: str | None) -> str:
    """The label of a category code (codes.yaml `category`); an unknown code is shown as it is."""
    key = f"codes.category.{category}"
    return ctx.w(key) if ctx.words.has(key) else str(category)


def category_rank(category: str | None) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def label_columns(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Add city_label / category_label columns in the notebook's language."""
    columns = []
    if "city_id" in frame.columns:
        columns.append(pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"))
    if "category" in frame.columns:
        names = {c: category_name(ctx, c) for c in frame["category"].unique().to_list()}
        columns.append(pl.col("category").replace_strict(names, default=pl.col("category")).alias("category_label"))
    return frame.with_columns(columns) if columns else frame


def citation_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A (doc_id) frame for ctx.source() from a frame holding a doc_ids list column."""
    if "doc_ids" in frame.columns:
        return frame.select(pl.col("doc_ids").explode().alias("doc_id")).drop_nulls().unique()
    return frame.select("doc_id").unique()


def source(ctx: Context, frame: pl.DataFrame) -> str:
    """ctx.source() of the documents behind a frame with a doc_id or doc_ids column."""
    return ctx.source(citation_frame(frame))


# ---------------------------------------------------------------------------------------------
# Categories per city
# ---------------------------------------------------------------------------------------------


def category_counts(ctx: Context) -> pl.DataFrame:
    """Partners per city and category: named, redacted, total, and the rows (mentions) behind them.

    One row per (city, category) (model city_partner_categories). Documents are listed in doc_ids for
    the citation.
    """
    frame = ctx.con.sql(
        """
        select city_id, category, named_partners as named, redacted_partners as redacted, partners,
               partner_rows as mentions, doc_ids
        from city_partner_categories
        where ($cities is null or list_contains($cities, city_id))
        order by city_id, category
        """,
        params={"cities": ctx.cities_param},
    ).pl()
    return label_columns(ctx, frame)


def city_totals(ctx: Context) -> pl.DataFrame:
    """Per city with partners: partners, redacted partners, mentions (rows) and documents naming them
    (model city_stakeholder_summary)."""
    return ctx.con.sql(
        """
        select city_id, partners, redacted_partners as redacted, partner_rows as mentions, partner_documents as documents
        from city_stakeholder_summary
        where ($cities is null or list_contains($cities, city_id)) and partner_rows > 0
        order by partners desc, city_id
        """,
        params={"cities": ctx.cities_param},
    ).pl()


def overview(ctx: Context) -> dict[str, int]:
    """Totals over the selected cities: partner rows, partners, redacted, documents, cities, rows
    dated as agreements, and the rows kept apart (cited data sources, the cities' own bodies): the
    per-city counts of city_stakeholder_summary summed (a partner and a document belong to one city)."""
    row = ctx.con.sql(
        """
        select coalesce(sum(partner_rows), 0), coalesce(sum(partners), 0), coalesce(sum(redacted_partners), 0),
               coalesce(sum(partner_documents), 0), count(*) filter (where partner_rows > 0),
               coalesce(sum(agreement_rows), 0), coalesce(sum(data_source_rows), 0), coalesce(sum(internal_rows), 0)
        from city_stakeholder_summary where ($cities is null or list_contains($cities, city_id))
        """,
        params={"cities": ctx.cities_param},
    ).fetchall()[0]
    names = ("rows", "partners", "redacted", "documents", "cities", "dated_rows", "data_source_rows", "internal_rows")
    return {name: int(value) for name, value in zip(names, row)}


# ---------------------------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------------------------

PRECISIONS = {4: "year", 7: "month"}  # length of the ISO date -> precision; anything longer is a day


def agreements(ctx: Context) -> pl.DataFrame:
    """Dated agreements, one row per (city, partner, date) merged across the documents printing it:
    the API's agreements (model agreements: a date printed less precisely in one document is the same
    agreement as the more precise date of another), with what the timeline needs: ``precision`` (year,
    month or day), ``plot_date`` (a month at its 1st, a year at 1 July), the first printed theme
    (first_role_ja), the dates as printed, and the dot's ``stack`` position in its month."""
    # ctx.cities are checked ids already: filter here rather than have the API look them up again as
    # names (a name several cities share, as in a test database of copies, would be ambiguous).
    merged = api.agreements(ctx.con).filter(pl.col("city_id").is_in(ctx.cities))
    frame = (
        merged.select(
            "city_id", pl.col("partner_key").alias("partner"), "agreed_on",
            pl.col("agreed_on").str.len_chars().replace_strict(PRECISIONS, default="day").alias("precision"),
            pl.when(pl.col("agreed_on").str.len_chars() == 4).then(pl.col("agreed_on") + "-07-01")
            .when(pl.col("agreed_on").str.len_chars() == 7).then(pl.col("agreed_on") + "-01")
            .otherwise(pl.col("agreed_on")).alias("plot_date"),
            "category",
            pl.col("name_ja").fill_null(ctx.w("stakeholders.redacted_name")).alias("partner_name"),
            pl.col("first_role_ja").fill_null("–").alias("theme"),  # the printed role, not the API's theme code
            pl.col("labels").list.join(" / ").alias("date_printed"),
            "doc_ids", "is_redacted",
            pl.col("stakeholder_ids").list.len().cast(pl.Int64).alias("mentions"),
        )
        .sort("city_id", "plot_date", "category", "partner")
    )
    frame = label_columns(ctx, frame)
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, pl.Int64).alias("stack"), pl.lit(None, pl.Int64).alias("year"))
    return frame.with_columns(
        pl.col("doc_ids").list.join(", ").alias("documents"),
        pl.col("precision").replace_strict(ctx.words.labels("stakeholders.precision")).alias("precision_label"),
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


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------


def theme_words(ctx: Context, *, top: int = 15) -> pl.DataFrame:
    """The most frequent theme words of role_ja, counted once per partner, split by category.

    The words are the build's (model city_theme_words: a run of two or more kanji, a katakana run
    or a Latin word, whitespace removed first), summed over the selected cities; THEME_STOPWORDS
    are left out. Returns word, category, partners (with that word in that category) and total
    (over categories), for the `top` words by total.
    """
    frame = ctx.con.sql(
        """
        with counted as (
            select word, category, sum(partners)::bigint as partners
            from city_theme_words
            where ($cities is null or list_contains($cities, city_id)) and not list_contains($stopwords, word)
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
        params={"cities": ctx.cities_param, "stopwords": list(THEME_STOPWORDS), "top": top},
    ).pl()
    return label_columns(ctx, frame)


def theme_sources(ctx: Context) -> pl.DataFrame:
    """The documents whose role_ja texts the theme analysis reads (for the citation)."""
    return ctx.con.sql(
        "select distinct unnest(role_doc_ids) as doc_id from city_partner_categories where ($cities is null or list_contains($cities, city_id)) order by doc_id",
        params={"cities": ctx.cities_param},
    ).pl()


def category_themes(ctx: Context, *, per_category: int = 5) -> pl.DataFrame:
    """Per category (in category order): partners, partners with a printed theme, and the most
    frequent theme words as "word (partners)" joined with 、 (models city_partner_categories and
    city_theme_words, summed over the selected cities)."""
    frame = ctx.con.sql(
        """
        with partners as (
            select category, sum(partners)::bigint as partners, sum(partners_with_role)::bigint as with_theme
            from city_partner_categories
            where ($cities is null or list_contains($cities, city_id))
            group by category
        ),
        counted as (
            select category, word, sum(partners)::bigint as n,
                   row_number() over (partition by category order by sum(partners) desc, word) as rank
            from city_theme_words
            where ($cities is null or list_contains($cities, city_id)) and not list_contains($stopwords, word)
            group by category, word
        )
        select p.category, p.partners, p.with_theme,
               (select string_agg(c.word || ' (' || c.n || ')', '、' order by c.rank)
                from counted c where c.category = p.category and c.rank <= $per_category) as top_words
        from partners p
        """,
        params={"cities": ctx.cities_param, "stopwords": list(THEME_STOPWORDS), "per_category": per_category},
    ).pl()
    return frame.sort(pl.col("category").map_elements(category_rank, return_dtype=pl.Int64))
