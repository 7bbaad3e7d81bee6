"""The stakeholder frames, read from the models: codes and numbers, labels added for the charts.

The unit of counting is the *partner*: one outside organisation (``partner_key``) per city, however many
documents or rows name it. Only rows with relation = 'partner' count here: cited data sources and the
city's own bodies are kept in the stakeholders view but are not partners (CURATION_GUIDE.md). A
redacted stakeholder has its own key (``redacted_NN``), so each redacted row counts as one partner and
is shown as redacted, never dropped. Every query is bound to the checked city list and aggregates in
DuckDB, so the cost stays linear in the number of cities.
"""

from __future__ import annotations

import contextlib

import polars as pl

from sdgcities.access import api
from sdgcities.present.notebook import Context

CATEGORIES = ("company", "university", "financial", "npo", "council", "government", "overseas", "other")
# Generic verbs left out of the theme-word count: they say that something is done, not what.
THEME_STOPWORDS = ("推進", "活用", "実現", "連携", "促進", "向上", "構築", "創出")
# Japanese words: runs of two or more kanji, runs of katakana, or Latin words (AI, MaaS, SDGs).
THEME_WORD_PATTERN = r"\p{Han}{2,}|[\p{Katakana}ー]{2,}|[A-Za-z][A-Za-z0-9]+"


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
    return label_columns(ctx, frame)


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
# Agreements
# ---------------------------------------------------------------------------------------------

PRECISIONS = {4: "year", 7: "month"}  # length of the ISO date -> precision; anything longer is a day


def agreements(ctx: Context) -> pl.DataFrame:
    """Dated agreements, one row per (city, partner, date) merged across the documents printing it:
    the API's agreements (a date printed less precisely in one document is the same agreement as
    the more precise date of another), with what the timeline needs: ``precision`` (year, month or
    day), ``plot_date`` (a month at its 1st, a year at 1 July), the first printed theme, the dates
    as printed, and the dot's ``stack`` position in its month."""
    # ctx.cities are checked ids already: filter here rather than have the API look them up again as
    # names (a name several cities share, as in a test database of copies, would be ambiguous).
    merged = api.agreements(ctx.con).filter(pl.col("city_id").is_in(ctx.cities))
    rows = ctx.con.sql(
        "select stakeholder_id, doc_id, role_ja from stakeholders where list_contains($cities, city_id) and event = 'agreement'",
        params={"cities": ctx.cities},
    ).pl()
    # The theme shown is the first printed role, in document order (the API lists them alphabetically).
    first_role = (
        merged.select("city_id", "partner_key", "agreed_on", pl.col("stakeholder_ids").alias("stakeholder_id"))
        .explode("stakeholder_id")
        .join(rows, on="stakeholder_id", how="left")
        .drop_nulls("role_ja")
        .sort("doc_id", "stakeholder_id")
        .group_by("city_id", "partner_key", "agreed_on")
        .agg(pl.col("role_ja").first().alias("role_printed"))
    )
    frame = (
        merged.join(first_role, on=["city_id", "partner_key", "agreed_on"], how="left")
        .select(
            "city_id", pl.col("partner_key").alias("partner"), "agreed_on",
            pl.col("agreed_on").str.len_chars().replace_strict(PRECISIONS, default="day").alias("precision"),
            pl.when(pl.col("agreed_on").str.len_chars() == 4).then(pl.col("agreed_on") + "-07-01")
            .when(pl.col("agreed_on").str.len_chars() == 7).then(pl.col("agreed_on") + "-01")
            .otherwise(pl.col("agreed_on")).alias("plot_date"),
            "category",
            pl.col("name_ja").fill_null(ctx.w("stakeholders.redacted_name")).alias("partner_name"),
            pl.col("role_printed").fill_null("–").alias("theme"),  # the printed role, not the API's theme code
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


THEME_WORDS_RELATION = "_stakeholders_theme_words"  # registered on the run's connection while a query reads it


@contextlib.contextmanager
def _theme_words(ctx: Context):
    """The theme words of the selected cities' partners, distinct (city_id, partner, category, word),
    as a relation name for one query. The words are extracted once per run and kept in ctx.memo: two
    sections count them, and the regular expression over every role (39,000 rows at 1,741 cities) is
    most of their cost."""
    key = ("stakeholders.theme_words", tuple(ctx.cities))
    if key not in ctx.memo:
        ctx.memo[key] = ctx.con.sql(
            """
            select distinct city_id, coalesce(partner_key, stakeholder_id) as partner, category,
                   unnest(regexp_extract_all(regexp_replace(role_ja, '\\s', '', 'g'), $word_pattern)) as word
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and role_ja is not null
            """,
            params={"cities": ctx.cities, "word_pattern": THEME_WORD_PATTERN},
        ).to_arrow_table()
    ctx.con.register(THEME_WORDS_RELATION, ctx.memo[key])
    try:
        yield THEME_WORDS_RELATION
    finally:
        ctx.con.unregister(THEME_WORDS_RELATION)


def theme_words(ctx: Context, *, top: int = 15) -> pl.DataFrame:
    """The most frequent theme words of role_ja, counted once per partner, split by category.

    A word is a run of two or more kanji, a katakana run or a Latin word (whitespace removed
    first); THEME_STOPWORDS are left out. Returns word, category, partners (with that word in that
    category) and total (over categories), for the `top` words by total.
    """
    with _theme_words(ctx) as words:
        frame = ctx.con.sql(
            f"""
        with words as (
            select * from {words}
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
            params={"stopwords": list(THEME_STOPWORDS), "top": top},
        ).pl()
    return label_columns(ctx, frame)


def theme_sources(ctx: Context) -> pl.DataFrame:
    """The documents whose role_ja texts the theme analysis reads (for the citation)."""
    return ctx.con.sql(
        "select distinct doc_id from (select * from stakeholders where relation = 'partner') as stakeholders where list_contains($cities, city_id) and role_ja is not null order by doc_id",
        params={"cities": ctx.cities},
    ).pl()


def category_themes(ctx: Context, *, per_category: int = 5) -> pl.DataFrame:
    """Per category (in category order): partners, partners with a printed theme, and the most
    frequent theme words as "word (partners)" joined with 、."""
    with _theme_words(ctx) as words:
        frame = ctx.con.sql(
            f"""
        with partners as (
            select city_id, coalesce(partner_key, stakeholder_id) as partner, category,
                   bool_or(role_ja is not null) as has_theme
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id)
            group by all
        ),
        words as (
            select * from {words}
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
            params={"cities": ctx.cities, "stopwords": list(THEME_STOPWORDS), "per_category": per_category},
        ).pl()
    return frame.sort(pl.col("category").map_elements(category_rank, return_dtype=pl.Int64))
