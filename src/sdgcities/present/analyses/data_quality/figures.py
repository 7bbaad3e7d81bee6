"""The charts of the data-quality appendix: classifications per city, published rates against the
recomputed ones, findings per code. Titles are computed from the frames and written from the
catalogue (findings.yaml)."""

from __future__ import annotations

import altair as alt
import polars as pl

from sdgcities.present import charts, marks
from sdgcities.present.analyses.data_quality import data
from sdgcities.present.analyses.data_quality.tables import col, other_cities
from sdgcities.present.analyses.data_quality.text import (
    classification_name, finding_label, finding_name, rule_name, with_audit_explanations,
)
from sdgcities.present.notebook import Context

MAX_SCATTER_ROWS = 400  # published rates drawn in the scatter (two points each); above it a fixed sample
MAX_POINT_LABELS = 10  # 'neither' points labelled with their table:row up to this many
# The columns a scatter point carries into the spec: those its encodings and tooltip read (the spec
# holds every point's row, twice in a report output: at 1,741 cities the sample's 800 points).
POINT_COLUMNS = ("kpi_label", "city_label", "table_row", "published", "computed", "diff", "rule_label", "explanation_short", "size")
LABEL_COLUMNS = ("computed", "published", "table_row")

# Okabe-Ito colours; grey for rows without a published rate.
CLASSIFICATION_COLOURS: dict[str, str] = {
    "progress": "#0072B2",
    "ratio": "#E69F00",
    "both": "#009E73",
    "neither": "#D55E00",
    "status_only": "#CC79A7",
    "not_published": "#BBBBBB",
}


def classification_chart(ctx: Context, counts: pl.DataFrame, *, top: int = marks.MANY_CITIES) -> alt.Chart:
    """Stacked bars: KPI rows per city by classification (colours per classification).

    With more than `top` cities, the `top` - 1 cities publishing the most rates keep a bar, the
    others share one, and the bars show shares (each bar 100 %, its row count in the label) so
    that the pooled bar does not flatten the others.
    """
    folded, order = data.fold_cities(ctx, counts, top, other_cities(ctx, counts, top), score=data.rates_first())
    shares = len(order) < len(set(counts["city_id"].to_list()))
    found = set(counts["rule"].to_list())
    present = [r for r in data.CLASSIFICATIONS if r in found]
    labels = [classification_name(ctx, r) for r in present]
    rank = {r: i for i, r in enumerate(data.CLASSIFICATIONS)}
    frame = folded.with_columns(
        pl.col("rule").replace_strict(rank, default=len(rank)).alias("stack_order"),
        pl.col("rule").replace_strict({r: classification_name(ctx, r) for r in present}, default=pl.col("rule")).alias("rule_label"),
    ).select("row_label", "rule", "rule_label", "stack_order", "n")
    row_totals = frame.group_by("row_label").agg(pl.col("n").sum().alias("row_total"))
    frame = frame.join(row_totals, on="row_label").with_columns((pl.col("n") / pl.col("row_total")).alias("share"))
    totals = data.classification_totals(counts)
    n_rates = sum(totals[r] for r in data.RATE_CLASSES)
    n_rows = sum(totals.values())
    if n_rates:
        title = ctx.w("findings.chart.classification_title", reproduced=sum(totals[r] for r in data.REPRODUCED), rates=n_rates)
    else:
        title = ctx.w("findings.chart.classification_title_none")
    subtitle = ctx.w("findings.chart.classification_subtitle", rows=n_rows)
    if shares:
        labels_n = {r["row_label"]: f"{r['row_label']} (n={r['row_total']:,})" for r in row_totals.iter_rows(named=True)}
        frame = frame.with_columns(pl.col("row_label").replace_strict(labels_n).alias("row_label"))
        order = [labels_n[o] for o in order if o in labels_n]
        subtitle = ctx.w("findings.chart.classification_subtitle_shares", n_cities=len(order) - 1, rows=n_rows)
        x = alt.X("sum(share):Q", stack="zero", axis=alt.Axis(format="%", title=col(ctx, "share_of_city")))
    else:
        x = alt.X("sum(n):Q", stack="zero", title=col(ctx, "kpi_rows"))
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle=subtitle))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=alt.Y("row_label:N", sort=order, title=None),
            x=x,
            color=alt.Color(
                "rule_label:N",
                scale=alt.Scale(domain=labels, range=[CLASSIFICATION_COLOURS[r] for r in present]),
                legend=alt.Legend(title=col(ctx, "classification"), orient="bottom", columns=3),
            ),
            order=alt.Order("stack_order:Q"),
            tooltip=[
                alt.Tooltip("row_label:N", title=col(ctx, "city")),
                alt.Tooltip("rule_label:N", title=col(ctx, "classification")),
                alt.Tooltip("n:Q", title=col(ctx, "kpi_rows"), format=","),
                alt.Tooltip("share:Q", title=col(ctx, "share_of_city"), format=".0%"),
            ],
        )
        .properties(width=520, height=max(90, 34 * len(order)))
    )


def _symlog_ticks(low: float, high: float) -> list[float]:
    ticks = [-1000, -500, -100, -10, 0, 10, 100, 500, 1000, 5000, 10000]
    return [t for t in ticks if low <= t <= high]


def rates_scatter(ctx: Context, rates: pl.DataFrame, *, max_rows: int = MAX_SCATTER_ROWS) -> alt.HConcatChart:
    """Published rate (y) against the progress rule (left) and the ratio rule (right), y = x and ±1 band.

    Points are coloured by the row's classification; 'neither' rows are drawn as larger diamonds
    (and labelled when few). Both axes use a symmetric-log scale so that -500 % and 1,100 % fit
    beside the many values near 100 %. Above `max_rows` rates a fixed sample is drawn
    (data.scatter_sample); the titles count every row.
    """
    sample = with_audit_explanations(ctx, data.scatter_sample(rates, max_rows))
    long = []
    for rule in data.COMPARED_RULES:
        long.append(sample.select(
            "kpi_id", "kpi_label", "table_row", "city_label", "published", "rule", "explanation_text",
            pl.col(f"{rule}_value").alias("computed"),
            pl.col(f"{rule}_status").alias("status"),
            pl.lit(rule).alias("panel"),
        ).filter(pl.col("computed").is_not_null() & pl.col("published").is_not_null()))
    points = pl.concat(long).with_columns(
        (pl.col("published") - pl.col("computed")).alias("diff"),
        pl.col("rule").replace_strict({r: classification_name(ctx, r) for r in data.RATE_CLASSES}, default=pl.col("rule")).alias("rule_label"),
        pl.col("explanation_text").fill_null("").str.slice(0, 160).alias("explanation_short"),
        pl.when(pl.col("rule") == "neither").then(pl.lit(150)).otherwise(pl.lit(60)).alias("size"),
    )
    values = points.select(pl.min_horizontal("published", "computed").min().alias("lo"),
                           pl.max_horizontal("published", "computed").max().alias("hi")).row(0)
    lo, hi = (min(values[0], 0.0), max(values[1], 100.0)) if points.height else (0.0, 100.0)
    span = hi - lo
    lo, hi = lo - 0.05 * span, hi + 0.05 * span
    scale = alt.Scale(type="symlog", constant=10, domain=[lo, hi], nice=False)
    ticks = _symlog_ticks(lo, hi)
    # The identity line and the ±1 band, sampled densely (the band's edges curve on a symlog scale).
    steps = 400
    grid = pl.DataFrame({"x": [lo + (hi - lo) * i / steps for i in range(steps + 1)]}).with_columns(
        (pl.col("x") - data.TOLERANCE).alias("y_lo"), (pl.col("x") + data.TOLERANCE).alias("y_hi")
    )
    found = set(points["rule"].to_list())
    present = [r for r in data.RATE_CLASSES if r in found] or list(data.RATE_CLASSES)
    domain = [classification_name(ctx, r) for r in present]
    colour = alt.Color(
        "rule_label:N",
        scale=alt.Scale(domain=domain, range=[CLASSIFICATION_COLOURS[r] for r in present]),
        legend=alt.Legend(title=col(ctx, "reproduced_by"), orient="bottom", columns=2),
    )
    panels = []
    for rule in data.COMPARED_RULES:
        subset = points.filter(pl.col("panel") == rule)
        compared = rates.filter(pl.col(f"{rule}_agreement").is_in(["agrees", "differs"]))
        within = compared.filter(pl.col(f"{rule}_agreement") == "agrees").height
        panel_title = ctx.w("findings.chart.panel_title", rule=rule_name(ctx, rule), within=within, compared=compared.height)
        x = alt.X("computed:Q", scale=scale, axis=alt.Axis(values=ticks, title=ctx.w("findings.column.recomputed_by", rule=rule_name(ctx, rule))))
        y = alt.Y("published:Q", scale=scale, axis=alt.Axis(values=ticks, title=col(ctx, "published_rate")))
        band = alt.Chart(grid).mark_area(color="#999999", opacity=0.5).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("y_lo:Q", scale=scale), y2="y_hi:Q"
        )
        line = alt.Chart(grid).mark_line(color="#777777", strokeDash=[4, 3], strokeWidth=1).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("x:Q", scale=scale)
        )
        dots = alt.Chart(subset.select(POINT_COLUMNS)).mark_point(filled=True, opacity=0.85, stroke="black", strokeWidth=0.4).encode(
            x=x, y=y, color=colour,
            size=alt.Size("size:Q", legend=None, scale=None),
            shape=alt.Shape("rule_label:N", legend=None, scale=alt.Scale(
                domain=domain, range=["diamond" if r == "neither" else "circle" for r in present])),
            tooltip=[
                alt.Tooltip("kpi_label:N", title=col(ctx, "indicator")),
                alt.Tooltip("city_label:N", title=col(ctx, "city")),
                alt.Tooltip("table_row:N", title=col(ctx, "table_row")),
                alt.Tooltip("published:Q", title=col(ctx, "published"), format=",.1f"),
                alt.Tooltip("computed:Q", title=col(ctx, "recomputed"), format=",.1f"),
                alt.Tooltip("diff:Q", title=col(ctx, "difference"), format=",.1f"),
                alt.Tooltip("rule_label:N", title=col(ctx, "reproduced_by")),
                alt.Tooltip("explanation_short:N", title=col(ctx, "explanation")),
            ],
        )
        labelled = subset.filter(pl.col("rule") == "neither")
        if labelled.height > MAX_POINT_LABELS:
            labelled = labelled.head(0)
        labels = alt.Chart(labelled.select(LABEL_COLUMNS)).mark_text(
            align="left", dx=9, dy=-8, fontSize=11, color=CLASSIFICATION_COLOURS["neither"]
        ).encode(x=x, y=y, text="table_row:N")
        panels.append(alt.layer(band, line, dots, labels, title=alt.Title(panel_title, fontSize=13)).properties(width=300, height=300))
    reproduced = rates.filter(pl.col("rule").is_in(list(data.REPRODUCED))).height
    title = ctx.w("findings.chart.scatter_title", reproduced=reproduced, rates=rates.height)
    subtitle: str | list[str] = ctx.w("findings.chart.scatter_subtitle")
    if sample.height < rates.height:
        subtitle = [subtitle, ctx.w("findings.chart.scatter_sample", shown=sample.height, rates=rates.height,
                                    neither=sample.filter(pl.col("rule") == "neither").height)]
    return alt.hconcat(*panels, spacing=30, title=alt.Title(title, subtitle=subtitle)).resolve_scale(color="shared", shape="shared")


def finding_chart(ctx: Context, counts: pl.DataFrame, *, max_series: int = marks.MANY_CITIES) -> alt.Chart:
    """Horizontal bars per finding code, stacked by city (city colours).

    With more than `max_series` cities (the distinguishable city colours), the `max_series` - 1
    cities with most findings keep their colour and the others are folded into one grey 'other' series.
    """
    totals = data.code_totals(counts)
    present = [c for c in totals if totals[c] > 0]
    palette_size = min(max_series, len(charts.CITY_PALETTE))
    with_counts = set(counts["city_id"].to_list())  # once, not once per city
    present_cities = [c for c in ctx.cities if c in with_counts]
    if len(present_cities) <= palette_size:
        city_order = [ctx.city(c) for c in present_cities]
        frame = counts.with_columns(pl.col("city_label").alias("series"))
        colour_scale = charts.city_colour_scale(city_order) if city_order else alt.Scale()
    else:
        by_city = counts.group_by("city_id").agg(pl.col("n").sum().alias("total")).sort(["total", "city_id"], descending=[True, False])
        keep = by_city["city_id"].head(palette_size - 1).to_list()
        other = ctx.w("findings.other_cities", n=by_city.height - len(keep))
        frame = counts.with_columns(
            pl.when(pl.col("city_id").is_in(keep)).then(pl.col("city_label")).otherwise(pl.lit(other)).alias("series")
        ).group_by(["series", "code"]).agg(pl.col("n").sum())
        city_order = [ctx.city(c) for c in keep] + [other]
        # group_by's order is arbitrary: rows by city (largest first, the others last), then code
        frame = frame.sort(pl.col("series").replace_strict({s: i for i, s in enumerate(city_order)}, default=len(city_order)), "code")
        colour_scale = alt.Scale(domain=city_order, range=charts.CITY_PALETTE[: len(keep)] + ["#999999"])
    frame = frame.with_columns(
        pl.col("code").replace_strict({c: finding_label(ctx, c) for c in frame["code"].unique().to_list()}, default=pl.col("code")).alias("code_label"),
    )
    city_rank = {label: i for i, label in enumerate(city_order)}
    frame = frame.with_columns(pl.col("series").replace_strict(city_rank, default=len(city_rank)).alias("stack_order"))
    code_order = [finding_label(ctx, c) for c in present]
    if present:
        biggest = max(present, key=lambda c: (totals[c], -data.FINDING_ORDER.index(c) if c in data.FINDING_ORDER else 0))
        title = ctx.w("findings.chart.findings_title", n=sum(totals.values()), name=finding_name(ctx, biggest), biggest=totals[biggest])
    else:
        title = ctx.w("findings.chart.findings_title_none")
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle=ctx.w("findings.chart.findings_subtitle")))
        .mark_bar(stroke="white", strokeWidth=0.8)
        .encode(
            y=alt.Y("code_label:N", sort=code_order, title=None, axis=alt.Axis(labelLimit=520)),
            x=alt.X("sum(n):Q", stack="zero", title=col(ctx, "findings")),
            color=alt.Color("series:N", scale=colour_scale, legend=alt.Legend(title=col(ctx, "city"), orient="bottom", columns=4)),
            order=alt.Order("stack_order:Q"),
            tooltip=[
                alt.Tooltip("code_label:N", title=col(ctx, "code")),
                alt.Tooltip("series:N", title=col(ctx, "city")),
                alt.Tooltip("sum(n):Q", title=col(ctx, "findings"), format=","),
            ],
        )
        .properties(width=420, height=max(80, 30 * len(code_order)))
    )
