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


def kpi_label(ctx: Context, indicator: str | None, table_code: str, row_no: str | None, width: int = 26) -> str:
    """The indicator as printed (shortened) with its table and row, e.g. '温室効果ガス… [T1:03]'."""
    if indicator:
        name = indicator if len(indicator) <= width else indicator[: width - 1] + "…"
    else:
        name = ctx.w("achievement.redacted_kpi")
    return f"{name} [{table_code}:{row_no or '?'}]"


def group_order(ctx: Context, frame: pl.DataFrame, many: bool) -> list[str]:
    """Order of the 'group' labels (city then side) present in frame."""
    if frame.is_empty():
        return []
    present = set(frame["group"].to_list())
    side_rank = {s: i for i, s in enumerate(SIDE_ORDER)}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    keys = frame.select("city_id", "side", "group").unique()
    ordered = sorted(keys.iter_rows(named=True),
                     key=lambda r: (city_rank.get(r["city_id"], 10**9) if not many else 0, side_rank.get(r["side"], 99)))
    out: list[str] = []
    for row in ordered:
        if row["group"] in present and row["group"] not in out:
            out.append(row["group"])
    return out


def with_labels(ctx: Context, frame: pl.DataFrame, many: bool) -> pl.DataFrame:
    """Add city, side, group (city · side, or side alone with many cities) and KPI labels."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in ("city", "side_label", "group", "kpi"))
    cities = {c: ctx.city(c) for c in frame["city_id"].unique().to_list()}
    sides = {s: ctx.label("side", s) for s in frame["side"].unique().to_list()}
    kpi = [kpi_label(ctx, r["indicator_ja"], r["table_code"], r["row_no"])
           for r in frame.select("indicator_ja", "table_code", "row_no").iter_rows(named=True)]
    city_col = [cities[c] for c in frame["city_id"].to_list()]
    side_col = [sides[s] for s in frame["side"].to_list()]
    group = side_col if many else [ctx.w("achievement.city_side", city=c, side=s) for c, s in zip(city_col, side_col)]
    return frame.with_columns(
        pl.Series("city", city_col, dtype=pl.String),
        pl.Series("side_label", side_col, dtype=pl.String),
        pl.Series("group", group, dtype=pl.String),
        pl.Series("kpi", kpi, dtype=pl.String),
    )
