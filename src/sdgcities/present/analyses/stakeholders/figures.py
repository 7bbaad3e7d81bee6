"""The stakeholder charts: kinds of partners per city, agreements over time, theme words."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from sdgcities.present.marks import TOP_N, fold_top_n, many_cities
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.stakeholders.data import CATEGORIES, THEME_STOPWORDS, agreement_summary, category_name

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
REDACTED_COLOUR = "#3A3A3A"
CHART_WIDTH = 520


def category_scale(ctx: Context, categories: Sequence[str] | None = None) -> alt.Scale:
    """Category label -> fixed colour, in the fixed category order."""
    present = list(categories) if categories is not None else list(CATEGORIES)
    ordered = [c for c in CATEGORIES if c in present] + sorted(c for c in present if c not in CATEGORIES)
    return alt.Scale(
        domain=[category_name(ctx, c) for c in ordered],
        range=[CATEGORY_COLOURS.get(c, "#8C8C8C") for c in ordered],
    )


def _field(ctx: Context, name: str) -> str:
    return ctx.w(f"stakeholders.field.{name}")


def folds_cities(n_cities: int) -> bool:
    """True when the category chart folds cities into "other cities" (marks.fold_top_n folds only
    beyond TOP_N + 1 rows); the category table then lists the TOP_N cities."""
    return n_cities > TOP_N + 1


def _top_cities(ctx: Context, counts: pl.DataFrame) -> tuple[pl.DataFrame, list[str], str | None]:
    """Keep the TOP_N cities with most partners and fold the others into one "other cities" row
    (marks.fold_top_n). Returns the rows (with row_label), the bar order and the label of the
    folded row (or None)."""
    totals = counts.group_by("city_id").agg(pl.col("partners").sum().alias("total"))
    if not folds_cities(totals.height):
        with_totals = set(totals["city_id"].to_list())  # once, not once per city
        order = [c for c in ctx.cities if c in with_totals]
        return counts.with_columns(pl.col("city_label").alias("row_label")), [ctx.city(c) for c in order], None
    keep = fold_top_n(totals, key="city_id", value="total", n=TOP_N)["city_id"].head(TOP_N).to_list()
    labels = {c: ctx.city(c) for c in keep}
    other_label = ctx.w("stakeholders.other_cities", n=totals.height - len(keep))
    folded = counts.with_columns(pl.col("city_id").replace_strict(labels, default=other_label).alias("row_label"))
    folded = folded.group_by(["row_label", "category", "category_label"]).agg(
        pl.col("named").sum(), pl.col("redacted").sum(), pl.col("partners").sum(), pl.col("mentions").sum()
    )
    return folded, [labels[c] for c in keep] + [other_label], other_label


def _category_title(ctx: Context, long: pl.DataFrame, totals: pl.DataFrame, other_label: str | None) -> str:
    """The title names the city with most partners, its redacted ones and its largest named kind."""
    leader = totals.filter(pl.col("row_label") != (other_label or "")).sort(["total", "row_label"], descending=[True, False]).row(0, named=True)
    mine = long.filter(pl.col("row_label") == leader["row_label"])
    named = mine.filter(pl.col("category") != "redacted")
    top = named.sort(["n", "stack_order"], descending=[True, False]).row(0, named=True) if named.height else None
    redacted = int(mine.filter(pl.col("category") == "redacted")["n"].sum())
    if top is None:
        largest = ctx.w("stakeholders.chart.all_redacted")
    else:
        key = "stakeholders.chart.largest_named" if redacted else "stakeholders.chart.largest"
        largest = ctx.w(key, category=top["category_label"].lower(), n=top["n"])
    redacted_part = ctx.w("stakeholders.chart.of_which_redacted", n=redacted) if redacted else ""
    key = "stakeholders.chart.one_city_title" if totals.height == 1 else "stakeholders.chart.leader_title"
    return ctx.w(key, city=leader["row_label"], total=leader["total"], redacted=redacted_part, largest=largest)


def category_chart(ctx: Context, counts: pl.DataFrame) -> alt.LayerChart:
    """Stacked 100% bars per city: named partners by category (category colours), then the
    redacted partners as one dark segment (their printed category is in the tooltip and the
    table); partner counts written in the segments. With many cities, the TOP_N cities by partner
    count and one "other cities" bar."""
    data, order, other_label = _top_cities(ctx, counts)
    redacted_label = ctx.w("stakeholders.redacted_segment")
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
    long = long.join(totals, on="row_label").with_columns((pl.col("n") / pl.col("total")).alias("share"))
    # Write a count only where it fits in its segment (about 7 px per character at 11 px bold).
    long = long.with_columns(
        (pl.col("share") * CHART_WIDTH >= pl.col("n").map_elements(lambda n: len(f"{n:,}"), return_dtype=pl.Int64) * 7 + 6).alias("label_fits")
    )
    axis_labels = {r["row_label"]: f"{r['row_label']} (n={r['total']:,})" for r in totals.iter_rows(named=True)}
    long = long.with_columns(pl.col("row_label").replace_strict(axis_labels).alias("bar_label")).sort(["bar_label", "stack_order"])
    bar_order = [axis_labels[o] for o in order if o in axis_labels]
    title = _category_title(ctx, long, totals, other_label)
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
            x=alt.X("share:Q", stack="zero", axis=alt.Axis(format="%", title=_field(ctx, "share"))),
            order=alt.Order("stack_order:Q"),
            color=alt.Color("segment:N", scale=alt.Scale(domain=domain, range=colours), title=_field(ctx, "kind")),
            tooltip=[
                alt.Tooltip("row_label:N", title=_field(ctx, "city")),
                alt.Tooltip("segment:N", title=_field(ctx, "kind")),
                alt.Tooltip("n:Q", title=_field(ctx, "partners"), format=","),
                alt.Tooltip("share:Q", title=_field(ctx, "share"), format=".1%"),
                alt.Tooltip("redacted_detail:N", title=_field(ctx, "kind_as_printed")),
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
    subtitle = ctx.w("stakeholders.chart.category_subtitle")
    return (bars + text).properties(title=alt.TitleParams(title, subtitle=subtitle), width=CHART_WIDTH, height=alt.Step(34))


def _yearly_chart(ctx: Context, frame: pl.DataFrame, summary: pl.DataFrame, colour: alt.Color) -> alt.Chart:
    """Many cities: yearly stacked bars of the agreements over all cities."""
    yearly = (frame.group_by(["year", "category", "category_label"])  # group_by order is arbitrary: sort
              .agg(pl.len().alias("n"), pl.col("city_id").n_unique().alias("cities")).sort("year", "category"))
    first, last = int(frame["year"].min()), int(frame["year"].max())
    peak = yearly.group_by("year").agg(pl.col("n").sum()).sort(["n", "year"], descending=[True, False]).row(0, named=True)
    title = ctx.w("stakeholders.chart.yearly_title", n=frame.height, cities=summary["city_id"].n_unique(), first=first,
                  last=last, peak_year=peak["year"], peak_n=peak["n"])
    return (
        alt.Chart(yearly)
        .mark_bar()
        .encode(
            # Every year of the span on the axis, so that gaps in time stay visible.
            x=alt.X(
                "year:O",
                title=_field(ctx, "year"),
                scale=alt.Scale(domain=list(range(first, last + 1))),
                axis=alt.Axis(labelExpr="datum.value % 5 == 0 ? datum.value : ''", labelAngle=0),
            ),
            y=alt.Y("sum(n):Q", title=_field(ctx, "agreements")),
            color=colour,
            tooltip=[
                alt.Tooltip("year:O", title=_field(ctx, "year")),
                alt.Tooltip("category_label:N", title=_field(ctx, "kind")),
                alt.Tooltip("n:Q", title=_field(ctx, "agreements"), format=","),
                alt.Tooltip("cities:Q", title=_field(ctx, "cities"), format=","),
            ],
        )
        .properties(title=title, width=620, height=260)
    )


def _panel_title(ctx: Context, city_id: str, row: dict, data: pl.DataFrame) -> str:
    first, last = row["first_year"], row["last_year"]
    per_year = data.group_by("year").agg(pl.len().alias("n")).sort(["n", "year"], descending=[True, False])
    busiest = per_year.row(0, named=True)
    unique_peak = busiest["n"] > 1 and (per_year.height == 1 or per_year["n"][1] < busiest["n"])
    span = ctx.w("stakeholders.chart.span", first=first, last=last) if first != last else ctx.w("stakeholders.chart.one_year", year=first)
    key = "stakeholders.chart.panel_title_peak" if unique_peak else "stakeholders.chart.panel_title"
    return ctx.w(key, city=ctx.city(city_id), n=row["agreements"], span=span, peak_year=busiest["year"], peak_n=busiest["n"])


def timeline_chart(ctx: Context, frame: pl.DataFrame) -> alt.Chart | alt.VConcatChart | None:
    """Dated agreements on a time axis, one panel per city, dots stacked per month, coloured by
    category, shaped by date precision. With many cities the dots are replaced by yearly stacked
    bars over all cities. None when no agreement is dated."""
    if frame.height == 0:
        return None
    summary = agreement_summary(frame)
    colour = alt.Color("category_label:N", scale=category_scale(ctx, frame["category"].unique().to_list()), title=_field(ctx, "kind"))
    if many_cities(ctx.cities):
        return _yearly_chart(ctx, frame, summary, colour)
    precision = ctx.words.labels("stakeholders.precision")
    shapes = alt.Scale(domain=[precision[p] for p in ("month", "day", "year")], range=["circle", "diamond", "triangle-up"])
    panels = []
    for row in summary.iter_rows(named=True):
        city_id = row["city_id"]
        data = frame.filter(pl.col("city_id") == city_id).drop("doc_ids")
        height = max(50, int(data["stack"].max()) * 13 + 14)
        first, last = row["first_year"], row["last_year"]
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
                shape=alt.Shape("precision_label:N", scale=shapes, title=_field(ctx, "date_precision")),
                tooltip=[
                    alt.Tooltip("partner_name:N", title=_field(ctx, "partner")),
                    alt.Tooltip("theme:N", title=_field(ctx, "theme")),
                    alt.Tooltip("date_printed:N", title=_field(ctx, "date_printed")),
                    alt.Tooltip("precision_label:N", title=_field(ctx, "precision")),
                    alt.Tooltip("category_label:N", title=_field(ctx, "kind")),
                    alt.Tooltip("documents:N", title=_field(ctx, "documents")),
                ],
            )
            .properties(title=_panel_title(ctx, city_id, row, data), width=760, height=height)
        )
    if len(panels) == 1:
        return panels[0]
    title = ctx.w("stakeholders.chart.panels_title", n=frame.height, cities=summary.height,
                  first=int(frame["year"].min()), last=int(frame["year"].max()))
    return alt.vconcat(*panels, spacing=24, title=alt.TitleParams(title, fontSize=17)).resolve_scale(x="independent")


def theme_chart(ctx: Context, words: pl.DataFrame) -> alt.Chart:
    """Horizontal bars of the top theme words, stacked by category."""
    order = words.select("word", "total").unique().sort(["total", "word"], descending=[True, False])["word"].to_list()
    lead = words.sort(["total", "word"], descending=[True, False]).row(0, named=True)
    title = ctx.w("stakeholders.chart.theme_title", word=lead["word"], n=lead["total"])
    subtitle = ctx.w("stakeholders.chart.theme_subtitle", top=len(order),
                     stopwords=ctx.w("stakeholders.word_separator").join(ctx.printed(w) for w in THEME_STOPWORDS))
    return (
        alt.Chart(words)
        .mark_bar()
        .encode(
            y=alt.Y("word:N", sort=order, title=None),
            x=alt.X("sum(partners):Q", title=_field(ctx, "partners")),
            color=alt.Color("category_label:N", scale=category_scale(ctx, words["category"].unique().to_list()), title=_field(ctx, "kind")),
            order=alt.Order("category:N"),
            tooltip=[
                alt.Tooltip("word:N", title=_field(ctx, "word")),
                alt.Tooltip("category_label:N", title=_field(ctx, "kind")),
                alt.Tooltip("partners:Q", title=_field(ctx, "partners")),
                alt.Tooltip("total:Q", title=_field(ctx, "total")),
            ],
        )
        .properties(title=alt.TitleParams(title, subtitle=subtitle), width=460, height=alt.Step(20))
    )
