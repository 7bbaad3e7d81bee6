"""Display tables of the synergy analysis, and the value texts they share with the charts; every
label comes from the catalogue (synergy.yaml, codes.yaml `side`)."""

from __future__ import annotations

import math

import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.synergy.network import _target_key
from sdgcities.present.notebook import Context

# The metrics of the target networks shown in tables and charts, in this order (labels:
# synergy.metric.<key>).
METRICS = ("nodes", "edges", "density", "components", "largest_component", "cross_goal_share")


def number_text(value: float | None) -> str | None:
    """A printed number with thousands separators (whole numbers without decimals); None if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def value_text(ctx: Context, value: float | None, label: str | None, unit: str | None, redacted: bool) -> str:
    """A KPI value with its printed year label: "141 件 (2017年度)"; redacted -> "黒塗り (2018年度)".

    A missing value is never shown as 0.
    """
    number = number_text(value)
    if number is None:
        if label is None:
            return "–"
        text = ctx.w("synergy.value.redacted") if redacted else ctx.w("synergy.value.not_printed")
    else:
        text = f"{number} {unit}" if unit else number
    return f"{text} ({label})" if label else text


def achievement_text(pct: float | None, text: str | None) -> str | None:
    """The published 達成度 as printed: a rate ("364%") or a word ("達成")."""
    number = number_text(pct)
    if number is not None:
        return f"{number}%"
    return text


def direction_label(ctx: Context, from_side: str, to_side: str) -> str:
    return ctx.w("synergy.direction", from_side=ctx.label("side", from_side), to_side=ctx.label("side", to_side))


def pair_label(ctx: Context, side_a: str, side_b: str) -> str:
    return ctx.w("synergy.pair", a=ctx.label("side", side_a), b=ctx.label("side", side_b))


def indicator_label(ctx: Context, indicator: str | None, redacted: bool | None) -> str:
    if indicator:
        return indicator
    return ctx.w("synergy.value.name_redacted") if redacted else "–"


def _column(ctx: Context, key: str) -> str:
    return ctx.w(f"synergy.column.{key}")


def _empty(ctx: Context) -> pl.DataFrame:
    return pl.DataFrame({_column(ctx, "city"): []}, schema={_column(ctx, "city"): pl.String})


def link_table(ctx: Context, links: pl.DataFrame) -> pl.DataFrame:
    """The links and their KPIs as a display table in the notebook's language (with many cities, the cities
    with the most rows first: a report prints the first rows of a long table)."""
    keys = ("city", "direction", "synergy", "kpi_indicator", "baseline", "actual", "target_value", "published_achievement", "redacted")
    columns = [_column(ctx, k) for k in keys] + ["kpi_id"]
    no_kpi = ctx.w("synergy.value.no_kpi")
    rows = []
    for r in marks.most_first(links, ctx.cities, marks.rows_per_city()).iter_rows(named=True):
        has_kpi = r["kpi_id"] is not None
        redacted = bool(r["is_redacted"])
        values = [
            ctx.city(r["city_id"]),
            direction_label(ctx, r["from_side"], r["to_side"]),
            r["description_ja"],
            indicator_label(ctx, r["indicator_ja"], redacted) if has_kpi else no_kpi,
            value_text(ctx, r["baseline_value"], r["baseline_label"], r["unit"], redacted) if has_kpi else "–",
            value_text(ctx, r["actual_value"], r["actual_label"], r["unit"], redacted) if has_kpi else "–",
            value_text(ctx, r["target_value"], r["target_label"], r["unit"], redacted) if has_kpi else "–",
            achievement_text(r["published_achievement_pct"], r["published_achievement_text"]) or "–",
            ctx.w("synergy.value.yes" if redacted else "synergy.value.no") if has_kpi else "–",
            r["kpi_id"] or "–",
        ]
        rows.append(dict(zip(columns, values)))
    return pl.DataFrame(rows, schema={c: pl.String for c in columns})


def repeated_table(ctx: Context, repeated: pl.DataFrame) -> pl.DataFrame:
    """Indicators printed more than once, the sides they are printed under and the links that implies."""
    rows = []
    for r in repeated.iter_rows(named=True):
        sides = [ctx.label("side", s) for s in r["sides"]]  # a KPI without a side has the code `none`
        pairs = [" – ".join(ctx.label("side", s) for s in p.split("-")) for p in r["side_pairs"]]
        values = {
            "city": ctx.city(r["city_id"]),
            "indicator": indicator_label(ctx, r["indicator_ja"], r["is_redacted"]),
            "printings": r["n_printings"],
            "marked_repeat": r["n_marked_repeat"],
            "printed_under": " / ".join(sides),
            "sdg_targets": ", ".join(sorted(r["sdg_targets"], key=_target_key)) or "–",
            "implied_side_link": ", ".join(pairs) or "–",
        }
        rows.append({_column(ctx, k): v for k, v in values.items()})
    return pl.DataFrame(rows) if rows else _empty(ctx)


def goal_links_table(ctx: Context, goals: pl.DataFrame) -> pl.DataFrame:
    """Goal pairs linked through one KPI, and how (one row, or across printings); with many cities the
    pairs linked by the most KPIs first."""
    if goals.is_empty():
        return _empty(ctx)
    goals = marks.most_first(goals, ctx.cities, "n_kpis")
    # Column expressions, one catalogue call per distinct city and goal (20,000 goal pairs at 1,741 cities).
    goal_names = {g: ctx.goal(g) for g in set(goals["goal_a"].to_list()) | set(goals["goal_b"].to_list())}
    indicator = pl.element()
    values = {
        "city": pl.col("city_id").replace_strict({c: ctx.city(c) for c in goals["city_id"].unique().to_list()},
                                                 return_dtype=pl.String),
        "goal_a": pl.col("goal_a").replace_strict(goal_names, return_dtype=pl.String),
        "goal_b": pl.col("goal_b").replace_strict(goal_names, return_dtype=pl.String),
        "kpis": pl.col("n_kpis").cast(pl.Int64),
        "how": pl.when(pl.col("within_row")).then(pl.lit(ctx.w("synergy.value.one_row")))
        .otherwise(pl.lit(ctx.w("synergy.value.across_printings"))),
        # an indicator whose name is redacted is listed by its key in brackets
        "indicators": pl.col("indicators").list.eval(
            pl.when(indicator.str.starts_with("[")).then(pl.lit(ctx.w("synergy.value.name_redacted_short")))
            .otherwise(indicator)).list.join(" / "),
    }
    return goals.select(expr.alias(_column(ctx, k)) for k, expr in values.items())


def metric_labels(ctx: Context) -> dict[str, str]:
    return {k: ctx.w(f"synergy.metric.{k}") for k in METRICS}


def metrics_table(ctx: Context, metrics: pl.DataFrame, *, extra: pl.DataFrame | None = None) -> pl.DataFrame:
    """The metrics per city as a display table; `extra` (indicator-level metrics) adds two columns. With
    many cities the largest networks (most edges) come first."""
    labels = metric_labels(ctx)
    out = metrics.select(
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias(_column(ctx, "city")),
        pl.col("goals").alias(_column(ctx, "goals")),
        *[pl.col(k).alias(v) for k, v in labels.items()],
        pl.col("isolated").alias(_column(ctx, "isolated")),
    ).with_columns(
        pl.col(labels["density"]).round(3),
        pl.col(labels["cross_goal_share"]).round(3),
    )
    if extra is not None:
        ex = extra.select(
            pl.col("edges").alias(_column(ctx, "edges_merged")),
            pl.col("components").alias(_column(ctx, "components_merged")),
        )
        out = pl.concat([out, ex], how="horizontal")
    return marks.most_first(out, ctx.cities, labels["edges"])
