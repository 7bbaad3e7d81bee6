"""Display labels of the achievement frames, from the catalogues: status labels, the KPI label of a
row, and the chart group of a row (city · side, or the side alone with many cities)."""

from __future__ import annotations

import polars as pl

from sdgcities.present.notebook import SIDE_ORDER, Context

NOT_EVALUABLE = "not_evaluable"


def status_label(ctx: Context, rule: str, status: str | None) -> str:
    """The rule's label for a status code; 'not evaluable' for None."""
    if status is None or status == NOT_EVALUABLE:
        return ctx.w("rules.not_evaluable")
    return ctx.label(f"rules.status.{rule}", status)


def group_order(ctx: Context, frame: pl.DataFrame, many: bool) -> list[str]:
    """Order of the 'group' labels (city then side) present in frame."""
    if frame.is_empty():
        return []
    present = set(frame["group"].to_list())
    side_rank = {s: i for i, s in enumerate(SIDE_ORDER)}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    # With many cities the city does not order the groups (side labels alone): its (side, group) keys only,
    # not one per city and side (5,000 at 1,741 cities).
    keys = frame.select("side", "group").unique().with_columns(pl.lit(None, pl.String).alias("city_id")) if many \
        else frame.select("city_id", "side", "group").unique()
    ordered = sorted(keys.iter_rows(named=True),
                     # the group label breaks ties: unique() gives the keys in an arbitrary order
                     key=lambda r: (city_rank.get(r["city_id"], 10**9) if not many else 0, side_rank.get(r["side"], 99), r["group"]))
    out: list[str] = []
    for row in ordered:
        if row["group"] in present and row["group"] not in out:
            out.append(row["group"])
    return out


def with_labels(ctx: Context, frame: pl.DataFrame, many: bool) -> pl.DataFrame:
    """Add city, side, group (city · side, or side alone with many cities) and KPI labels."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in ("city", "side_label", "group", "kpi"))
    # Column expressions and one catalogue call per distinct city and side, not per row (87,000 rows of
    # the rule matrix at 1,741 cities). A KPI reads as its indicator as printed, shortened to `width`
    # characters, with its table and row: '温室効果ガス… [T1:03]'.
    cities = {c: ctx.city(c) for c in frame["city_id"].unique().to_list()}
    sides = {s: ctx.label("side", s) for s in frame["side"].unique().to_list()}
    width = 26
    indicator = pl.col("indicator_ja")
    name = (pl.when(indicator.is_null() | (indicator == "")).then(pl.lit(ctx.w("achievement.redacted_kpi")))
            .when(indicator.str.len_chars() <= width).then(indicator)
            .otherwise(indicator.str.slice(0, width - 1) + "…"))
    row_no = pl.when(pl.col("row_no").is_null() | (pl.col("row_no") == "")).then(pl.lit("?")).otherwise(pl.col("row_no"))
    kpi = pl.concat_str([name, pl.lit(" ["), pl.col("table_code").fill_null("None"), pl.lit(":"), row_no, pl.lit("]")])
    side_label = pl.col("side").replace_strict({s: t for s, t in sides.items() if s is not None}, default=None)
    if None in sides:
        side_label = pl.when(pl.col("side").is_null()).then(pl.lit(sides[None])).otherwise(side_label)
    out = frame.select(
        pl.col("city_id").replace_strict(cities, return_dtype=pl.String).alias("city"),
        side_label.cast(pl.String).alias("side_label"),
        kpi.cast(pl.String).alias("kpi"),
    )
    if many:
        out = out.with_columns(pl.col("side_label").alias("group"))
    else:
        pairs = out.select("city", "side_label").unique().rows()
        groups = pl.DataFrame([(c, s, ctx.w("achievement.city_side", city=c, side=s)) for c, s in pairs],
                              schema={"city": pl.String, "side_label": pl.String, "group": pl.String}, orient="row")
        out = out.join(groups, on=["city", "side_label"], how="left", nulls_equal=True, maintain_order="left")
    return frame.with_columns(out["city"], out["side_label"], out["group"], out["kpi"])
