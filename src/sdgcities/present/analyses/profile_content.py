"""The city profile's content sections: the city's initiatives with their KPIs, the facts its
documents print about it, experts' comments and financing. Companion of profile.py; same Context."""

from __future__ import annotations

from typing import Any

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile import _city, _params, _short

LEVEL_NAMES = {
    "strategy": {"ja": "戦略", "en": "strategy"},
    "policy": {"ja": "施策", "en": "policy"},
    "project": {"ja": "事業", "en": "project"},
    "programme": {"ja": "取組の章", "en": "programme"},
    "category": {"ja": "区分", "en": "category"},
    "initiative": {"ja": "取組", "en": "initiative"},
    "model_project": {"ja": "モデル事業", "en": "model project"},
    "side_group": {"ja": "側面ごとの取組", "en": "side group"},
    "integrated_project": {"ja": "統合的取組", "en": "integrated project"},
    "action": {"ja": "個別の取組", "en": "action"},
}


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
        params=_params(ctx),
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
        params=_params(ctx, redacted=ctx.t("（黒塗り）", "(redacted)")),
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
    names = {k: v[ctx.lang] for k, v in LEVEL_NAMES.items()}
    shown = frame.with_columns(pl.Series("depth", _depth(frame), dtype=pl.Int64))
    return shown.select(
        pl.col("doc_id").alias(ctx.t("文書", "Document")),
        # Indented by depth with full-width spaces, so that the hierarchy reads in the table.
        (pl.lit("　").repeat_by(pl.col("depth")).list.join("") + pl.when(pl.col("number_label").is_null()).then(pl.lit("")).otherwise(pl.col("number_label") + pl.lit(" "))
         + pl.col("name_ja").fill_null(ctx.t("（黒塗り）", "(redacted)"))).alias(ctx.t("取組（記載どおり）", "Initiative (as printed)")),
        pl.col("level").replace_strict(names).alias(ctx.t("種類", "Level")),
        pl.col("side").map_elements(lambda s: ctx.side(s), return_dtype=pl.String).alias(ctx.t("側面", "Side")),
        pl.col("owning_division").alias(ctx.t("所管", "Owning division")),
        pl.col("goal_ja").map_elements(lambda s: _short(s.replace("\n", " "), 50), return_dtype=pl.String).alias(ctx.t("目標（抜粋）", "Goal (excerpt)")),
        pl.col("n_kpis").alias("KPI"),
        pl.col("kpi_names").map_elements(lambda s: _short(s, 70), return_dtype=pl.String).alias(ctx.t("KPI（指標名）", "KPIs (indicators)")),
    )


def initiative_sentence(ctx: Context, c: dict[str, Any]) -> dict[str, str]:
    name = ctx.city(_city(ctx))
    if c["initiatives"] == 0:
        return {"ja": f"{name}の文書には取組の一覧がありません。", "en": f"{name}'s documents list no initiatives."}
    return {
        "ja": f"{name}の文書は取組を{c['initiatives']}件記載しています（個別の取組を除くと{c['initiatives_above_actions']}件）。"
        f"KPIが結び付く取組は{c['initiatives_with_kpis']}件で、KPI {c['kpis']}行のうち{c['kpis_linked']}行がいずれかの取組に属します。"
        f"所管課の記載は{c['with_division']}件、目標の記載は{c['with_goal']}件です。",
        "en": f"{name}'s documents list {c['initiatives']} initiatives ({c['initiatives_above_actions']} above the level of single actions). "
        f"{c['initiatives_with_kpis']} have KPIs; {c['kpis_linked']} of the {c['kpis']} KPI rows belong to an initiative. "
        f"{c['with_division']} print an owning division and {c['with_goal']} a goal.",
    }


def facts(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, fact_key, fact_ja, value_printed, unit, qualifier, date_label, source_ja, note "
        "from city_facts where city_id = $city order by fact_key, doc_id, fact_id",
        params=_params(ctx),
    ).pl()


def facts_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Facts as printed: the number with its qualifier and unit, the date label, the document."""
    return frame.select(
        pl.col("fact_ja").alias(ctx.t("項目（記載どおり）", "Fact (as printed)")),
        (pl.col("qualifier").fill_null("").str.replace("^(を超える|程度|以上)$", "") + pl.col("value_printed").fill_null(ctx.t("（黒塗り）", "(redacted)"))
         + pl.col("unit").fill_null("") + pl.when(pl.col("qualifier").is_in(["を超える", "程度", "以上"])).then(pl.col("qualifier")).otherwise(pl.lit("")))
        .alias(ctx.t("値", "Value")),
        pl.col("date_label").alias(ctx.t("時点", "Date")),
        pl.col("source_ja").alias(ctx.t("出典（記載）", "Source (as printed)")),
        pl.col("doc_id").alias(ctx.t("文書", "Document")),
    )


def comments(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, part, comment_ja from expert_comments where city_id = $city order by comment_id",
        params=_params(ctx),
    ).pl()


def financing(ctx: Context) -> pl.DataFrame:
    return ctx.con.sql(
        "select doc_id, section, kind, item_ja, period_label, value_printed, unit, is_redacted from financing where city_id = $city order by financing_id",
        params=_params(ctx),
    ).pl()


def financing_table(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    kinds = {"budget": ctx.t("事業費", "budget"), "expenditure": ctx.t("支出", "expenditure"), "funding_method": ctx.t("財源確保の手法", "funding method"),
             "support_measure": ctx.t("支援施策", "support measure"), "private_investment": ctx.t("民間投資等", "private investment")}
    return frame.select(
        pl.col("kind").replace_strict(kinds).alias(ctx.t("種類", "Kind")),
        pl.col("item_ja").fill_null(ctx.t("（黒塗り）", "(redacted)")).map_elements(lambda s: _short(s, 50), return_dtype=pl.String).alias(ctx.t("項目", "Item")),
        pl.col("period_label").alias(ctx.t("期間", "Period")),
        pl.when(pl.col("is_redacted") & pl.col("value_printed").is_null()).then(pl.lit(ctx.t("黒塗り", "redacted")))
        .otherwise(pl.col("value_printed") + pl.col("unit").fill_null("")).alias(ctx.t("金額", "Amount")),
        pl.col("doc_id").alias(ctx.t("文書", "Document")),
    )
