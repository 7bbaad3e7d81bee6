"""The city's KPI rows with their values as printed, and the synergies they measure."""

from __future__ import annotations

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.profile.data import params, side_rank


def side_label(ctx: Context, side: str | None, synergy_from: str | None = None, synergy_to: str | None = None) -> str:
    """The side, with the direction of the synergy an integrated KPI measures."""
    label = ctx.label("side", side)
    if synergy_from and synergy_to:
        return ctx.w("profile.side_with_synergy", side=label, origin=ctx.label("side", synergy_from), destination=ctx.label("side", synergy_to))
    return label


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
        params=params(ctx, redacted=ctx.w("profile.redacted_value")),
    ).pl()
    return frame.with_columns(
        pl.Series("side_label", [side_label(ctx, *r) for r in frame.select("side", "synergy_from", "synergy_to").iter_rows()], dtype=pl.String),
        pl.Series("side_rank", [side_rank(s) for s in frame["side"].to_list()], dtype=pl.Int64),
        pl.Series("achievement_shown", [achievement_text(p, t) for p, t in frame.select("published_achievement_pct", "published_achievement_text").iter_rows()], dtype=pl.String),
    )


def achievement_text(pct: float | None, text: str | None) -> str | None:
    """The published 達成度 as printed: "126%", "-9%", "達成"."""
    if pct is not None:
        return f"{int(pct)}%" if float(pct).is_integer() else f"{pct}%"
    return text


def synergies(ctx: Context, kpi_rows: pl.DataFrame) -> pl.DataFrame:
    """Directed links with the KPI that measures each (as printed)."""
    links = ctx.con.sql(
        "select synergy_id, doc_id, from_side, to_side, description_ja, kpi_id, note from synergies where city_id = $city order by synergy_id",
        params=params(ctx),
    ).pl()
    kpi_cols = kpi_rows.select("kpi_id", "section", "indicator_ja", "is_redacted", "baseline_shown", "actual_shown", "target_shown", "achievement_shown")
    joined = links.join(kpi_cols, on="kpi_id", how="left")
    return joined.with_columns(
        pl.Series("link", [ctx.w("profile.link", origin=ctx.label("side", a), destination=ctx.label("side", b)) for a, b in joined.select("from_side", "to_side").iter_rows()], dtype=pl.String),
    )
