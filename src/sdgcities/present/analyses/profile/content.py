"""The city profile's content sections: the city's initiatives with their KPIs, the facts its
documents print about it, experts' comments and financing. Same Context as data.py."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile.data import params, short
from sdgcities.present.analyses.profile.tables import column


def content_summary(ctx: Context) -> dict[str, Any]:
    """Counts of the city's content rows (one query)."""
    return ctx.con.sql(
        """
        select
          (select count(*) from initiatives where city_id = $city) as initiatives,
          (select count(*) from initiatives where city_id = $city and level <> 'action') as initiatives_above_actions,
          (select count(*) from initiatives where city_id = $city and n_kpis > 0) as initiatives_with_kpis,
          (select count(*) from initiative_kpis where city_id = $city) as kpi_links,
          (select count(distinct kpi_id) from initiative_kpis where city_id = $city) as kpis_linked,
          (select count(*) from kpis where city_id = $city) as kpis,
          (select count(*) from initiatives where city_id = $city and owning_division is not null) as with_division,
          (select count(*) from initiatives where city_id = $city and goal_ja is not null) as with_goal,
          (select count(*) from city_facts where city_id = $city) as facts,
          (select count(*) from expert_comments where city_id = $city) as comments,
          (select count(*) from financing where city_id = $city) as financing,
          (select count(*) from financing where city_id = $city and is_redacted) as financing_redacted
        """,
        params=params(ctx),
    ).pl().row(0, named=True)


def content_check_lines(c: dict[str, Any]) -> list[str]:
    return [
        f"initiatives={c['initiatives']} above_actions={c['initiatives_above_actions']} with_kpis={c['initiatives_with_kpis']} "
        f"with_division={c['with_division']} with_goal={c['with_goal']}",
        f"kpi_links={c['kpi_links']} kpis_linked={c['kpis_linked']} of {c['kpis']}",
        f"facts={c['facts']} comments={c['comments']} financing={c['financing']} redacted={c['financing_redacted']}",
    ]


def initiatives(ctx: Context) -> pl.DataFrame:
    """The city's initiatives above the action level, in printed order, with their KPIs' names."""
    return ctx.con.sql(
        """
        select i.initiative_id, i.doc_id, i.section, i.level, i.side, i.number_label, i.name_ja, i.owning_division,
               i.goal_ja, i.n_kpis, i.n_children, i.parent_initiative_id,
               (select string_agg(coalesce(l.indicator_ja, $redacted), ' / ' order by l.printed_order)
                from initiative_kpis l where l.initiative_id = i.initiative_id) as kpi_names
        from initiatives i
        where i.city_id = $city and i.level <> 'action'
        order by i.doc_id, i.printed_order
        """,
        params=params(ctx, redacted=ctx.w("profile.redacted_name")),
    ).pl()


def _depth(frame: pl.DataFrame) -> list[int]:
    parents = dict(zip(frame["initiative_id"], frame["parent_initiative_id"]))
    depths = []
    for initiative in frame["initiative_id"]:
        depth, current = 0, parents.get(initiative)
        while current is not None and depth < 10:
            depth, current = depth + 1, parents.get(current)
        depths.append(depth)
    return depths


def initiatives_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Display table: name indented by depth, level, side, owning division, goal, linked KPIs."""
    names = ctx.words.labels("profile.level")
    shown = frame.with_columns(pl.Series("depth", _depth(frame), dtype=pl.Int64))
    return shown.select(
        pl.col("doc_id").alias(column(ctx, "document")),
        # Indented by depth with full-width spaces, so that the hierarchy reads in the table.
        (pl.lit("　").repeat_by(pl.col("depth")).list.join("") + pl.when(pl.col("number_label").is_null()).then(pl.lit("")).otherwise(pl.col("number_label") + pl.lit(" "))
         + pl.col("name_ja").fill_null(ctx.w("profile.redacted_name"))).alias(column(ctx, "initiative")),
        pl.col("level").replace_strict(names).alias(column(ctx, "level")),
        pl.col("side").map_elements(lambda s: ctx.label("side", s), return_dtype=pl.String).alias(column(ctx, "side")),
        pl.col("owning_division").alias(column(ctx, "owning_division")),
        pl.col("goal_ja").map_elements(lambda s: short(s.replace("\n", " "), 50), return_dtype=pl.String).alias(column(ctx, "goal_excerpt")),
        pl.col("n_kpis").alias("KPI"),
        pl.col("kpi_names").map_elements(lambda s: short(s, 70), return_dtype=pl.String).alias(column(ctx, "kpi_names")),
    )


def facts(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, fact_key, fact_ja, value_printed, unit, qualifier, date_label, source_ja, note "
        "from city_facts where city_id = $city order by fact_key, doc_id, fact_id",
        params=params(ctx),
    ).pl()


def facts_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Facts as printed: the number with its qualifier and unit, the date label, the document."""
    return frame.select(
        pl.col("fact_ja").alias(column(ctx, "fact")),
        (pl.col("qualifier").fill_null("").str.replace("^(を超える|程度|以上)$", "") + pl.col("value_printed").fill_null(ctx.w("profile.redacted_name"))
         + pl.col("unit").fill_null("") + pl.when(pl.col("qualifier").is_in(["を超える", "程度", "以上"])).then(pl.col("qualifier")).otherwise(pl.lit("")))
        .alias(column(ctx, "value")),
        pl.col("date_label").alias(column(ctx, "date")),
        pl.col("source_ja").alias(column(ctx, "source_printed")),
        pl.col("doc_id").alias(column(ctx, "document")),
    )


def comments(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, part, comment_ja from expert_comments where city_id = $city order by comment_id",
        params=params(ctx),
    ).pl()


def financing(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, kind, item_ja, period_label, value_printed, unit, is_redacted from financing where city_id = $city order by financing_id",
        params=params(ctx),
    ).pl()


def financing_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    kinds = ctx.words.labels("profile.financing_kind")
    return frame.select(
        pl.col("kind").replace_strict(kinds).alias(column(ctx, "kind")),
        pl.col("item_ja").fill_null(ctx.w("profile.redacted_name")).map_elements(lambda s: short(s, 50), return_dtype=pl.String).alias(column(ctx, "item")),
        pl.col("period_label").alias(column(ctx, "period")),
        pl.when(pl.col("is_redacted") & pl.col("value_printed").is_null()).then(pl.lit(ctx.w("profile.redacted_value")))
        .otherwise(pl.col("value_printed") + pl.col("unit").fill_null("")).alias(column(ctx, "amount")),
        pl.col("doc_id").alias(column(ctx, "document")),
    )
