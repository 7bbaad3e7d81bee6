"""Charts of the recorded and implied links: one two-node diagram per city (both directions of a
pair as arrows captioned by their KPIs), an aggregate chart for many cities, and the implied links
per city. Labels come from the catalogue (synergy.yaml)."""

from __future__ import annotations

import altair as alt
import polars as pl

from sdgcities.present import marks
from sdgcities.present.analyses.synergy.data import city_link_summary, pair_sides
from sdgcities.present.analyses.synergy.tables import achievement_text, direction_label, number_text, pair_label
from sdgcities.present.notebook import Context

# The goal whose official colour stands for each side in the link diagrams (8 decent work and
# economic growth, 11 sustainable cities, 13 climate action), so that they never clash with the
# Okabe-Ito city colours.
SIDE_GOALS = {"economy": 8, "society": 11, "environment": 13}

_LINE = 17  # pixels per caption line
_WIDTH = 620
_X_DOMAIN = [-1.2, 11.2]


def side_colours(ctx: Context) -> dict[str, str]:
    """The colour of each side, from the sdg_goals reference table."""
    return dict(zip(SIDE_GOALS, marks.sdg_colours(ctx.goal_colours, list(SIDE_GOALS.values()))))


def _kpi_caption(ctx: Context, group: pl.DataFrame) -> str:
    """The text printed on an arrow: one line per KPI with its values and published achievement, or why
    there is none."""
    kpis = group.filter(pl.col("kpi_id").is_not_null())
    if kpis.height == 0:
        return ctx.w("synergy.value.no_kpi")
    lines = []
    for r in kpis.iter_rows(named=True):
        if r["is_redacted"] and not r["indicator_ja"]:
            years = " → ".join(x for x in (r["baseline_label"], r["target_label"]) if x)
            lines.append(ctx.w("synergy.caption.redacted", years=years))
            continue
        unit = f" {r['unit']}" if r["unit"] else ""
        values = [number_text(r[c]) for c in ("baseline_value", "actual_value") if number_text(r[c]) is not None]
        text = r["indicator_ja"]
        if values:
            text += f": {' → '.join(values)}{unit}"
        if number_text(r["target_value"]) is not None:
            text += ctx.w("synergy.caption.target", target=number_text(r["target_value"]))
        rate = achievement_text(r["published_achievement_pct"], r["published_achievement_text"])
        if rate:
            text += ctx.w("synergy.caption.achievement", rate=rate)
        lines.append(text)
    return "\n".join(lines)


def _diagram_frames(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, city_id: str, a: str, b: str):
    """Nodes, arrows and caption lines of one city's link diagram, laid out in pixels (y up).

    The forward arrow (a -> b) runs above the two nodes with its caption above it, the backward arrow
    below them with its caption below.
    """
    recorded, not_recorded = ctx.w("synergy.diagram.recorded"), ctx.w("synergy.diagram.not_recorded")
    arrows, lines = [], []
    for forward, (src, dst) in ((True, (a, b)), (False, (b, a))):
        count = counts.filter((pl.col("city_id") == city_id) & (pl.col("is_forward") == forward)).row(0, named=True)
        group = links.filter((pl.col("city_id") == city_id) & (pl.col("is_forward") == forward))
        present = count["n_links"] > 0
        caption = _kpi_caption(ctx, group) if present else not_recorded
        descriptions = " / ".join(dict.fromkeys(group["description_ja"].to_list())) if present else ""
        arrows.append(
            {
                "forward": forward,
                "x": 1.3 if forward else 8.7,
                "x2": 8.7 if forward else 1.3,
                "head_x": 8.7 if forward else 1.3,
                "shape": "triangle-right" if forward else "triangle-left",
                "present": recorded if present else not_recorded,
                "direction": direction_label(ctx, src, dst),
                "n_links": count["n_links"],
                "n_kpis": count["n_kpis"],
                "n_kpis_redacted": count["n_kpis_redacted"],
                "caption": caption.replace("\n", " / "),
                "description": (descriptions[:140] + "…") if len(descriptions) > 140 else descriptions,
            }
        )
        for i, text in enumerate([direction_label(ctx, src, dst)] + caption.split("\n")):
            lines.append({"forward": forward, "i": i, "text": text, "bold": i == 0,
                          "present": arrows[-1]["present"]})
    n_up = sum(1 for line in lines if line["forward"])
    n_down = len(lines) - n_up
    y_low = 10 + n_down * _LINE + 8
    y_mid = y_low + 30
    y_up = y_mid + 30
    height = y_up + 8 + n_up * _LINE + 6
    for arrow in arrows:
        arrow["y"] = y_up if arrow["forward"] else y_low
    for line in lines:
        if line["forward"]:  # stacked upwards from the arrow, the direction label on top
            line["y"] = y_up + 10 + (n_up - 1 - line["i"]) * _LINE + _LINE / 2
        else:  # stacked downwards from the arrow, the direction label first
            line["y"] = y_low - 10 - line["i"] * _LINE - _LINE / 2
    colours = side_colours(ctx)
    nodes = pl.DataFrame(
        {
            "x": [-1.1, 8.9], "x2": [1.1, 11.1], "xc": [0.0, 10.0],
            "y": [y_mid - 22, y_mid - 22], "y2": [y_mid + 22, y_mid + 22], "yc": [y_mid, y_mid],
            "side": [ctx.label("side", a), ctx.label("side", b)],
            "colour": [colours[a], colours[b]],
            "text_colour": [marks.text_colour(colours[a]), marks.text_colour(colours[b])],  # readable on the fill
        }
    )
    return nodes, pl.DataFrame(arrows), pl.DataFrame(lines), height


def _city_diagram(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, city_id: str, a: str, b: str) -> alt.LayerChart:
    nodes, arrows, lines, height = _diagram_frames(ctx, links, counts, city_id, a, b)
    n_dir = int((arrows["n_links"] > 0).sum())
    n_kpis = int(arrows["n_kpis"].sum())
    if n_dir == 0:
        n_docs = counts.filter(pl.col("city_id") == city_id)["n_documents"][0]
        title = ctx.w("synergy.diagram.title_none", city=ctx.city(city_id), n_docs=n_docs)
    else:
        title = ctx.w("synergy.diagram.title", city=ctx.city(city_id), n_directions=n_dir, n_kpis=n_kpis)
    xs = alt.Scale(domain=_X_DOMAIN)
    ys = alt.Scale(domain=[0, height])
    y = alt.Y("y:Q", scale=ys, axis=None)
    status_scale = alt.Scale(domain=[ctx.w("synergy.diagram.recorded"), ctx.w("synergy.diagram.not_recorded")],
                             range=["#333333", "#aaaaaa"])
    colour = alt.Color("present:N", scale=status_scale, legend=None)
    tooltip = [
        alt.Tooltip("direction:N", title=ctx.w("synergy.column.direction")),
        alt.Tooltip("n_links:Q", title=ctx.w("synergy.column.links")),
        alt.Tooltip("n_kpis:Q", title=ctx.w("synergy.column.kpis")),
        alt.Tooltip("n_kpis_redacted:Q", title=ctx.w("synergy.column.redacted_kpis")),
        alt.Tooltip("caption:N", title=ctx.w("synergy.column.kpi")),
        alt.Tooltip("description:N", title=ctx.w("synergy.column.excerpt")),
    ]
    base = alt.Chart(arrows)
    rules = base.mark_rule().encode(
        x=alt.X("x:Q", scale=xs, axis=None), x2="x2:Q", y=y, color=colour,
        strokeDash=alt.condition(alt.datum.n_links > 0, alt.value([1, 0]), alt.value([6, 4])),
        strokeWidth=alt.condition(alt.datum.n_links > 0, alt.value(3), alt.value(1.5)),
        tooltip=tooltip,
    )
    heads = base.mark_point(filled=True, size=200, opacity=1).encode(
        x=alt.X("head_x:Q", scale=xs, axis=None), y=y,
        shape=alt.Shape("shape:N", scale=None), color=colour, tooltip=tooltip,
    )

    def text_layer(bold: bool) -> alt.Chart:
        return (
            alt.Chart(lines)
            .transform_filter(alt.datum.bold if bold else ~alt.datum.bold)
            .mark_text(fontSize=12, limit=_WIDTH - 20, fontWeight="bold" if bold else "normal")
            .encode(x=alt.value(_WIDTH / 2), y=y, text="text:N", color=colour)
        )

    text = alt.layer(text_layer(True), text_layer(False))
    boxes = alt.Chart(nodes).mark_rect(cornerRadius=10).encode(
        x=alt.X("x:Q", scale=xs, axis=None), x2="x2:Q", y=y, y2="y2:Q",
        color=alt.Color("colour:N", scale=None), tooltip=[alt.Tooltip("side:N", title=ctx.w("synergy.column.side"))],
    )
    labels = alt.Chart(nodes).mark_text(fontSize=14, fontWeight="bold").encode(
        x=alt.X("xc:Q", scale=xs, axis=None), y=alt.Y("yc:Q", scale=ys, axis=None), text="side:N",
        color=alt.Color("text_colour:N", scale=None),
    )
    return alt.layer(rules, heads, boxes, labels, text).properties(
        width=_WIDTH, height=height, title=alt.TitleParams(title, fontSize=13)
    )


def link_diagram(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, pair: str):
    """One two-node diagram per city (both directions of the pair as arrows captioned by their KPIs).

    With more than marks.MANY_CITIES cities, one aggregate chart instead: per direction, how many
    cities record it, with a KPI that has values, with redacted KPIs only, or not at all.
    """
    a, b = pair_sides(pair)
    summary = city_link_summary(counts)
    n_any = int((summary["n_links"] > 0).sum())
    title = ctx.w("synergy.diagram.headline", pair=pair_label(ctx, a, b), n_cities=summary.height, n_any=n_any)
    if not marks.many_cities(ctx.cities):
        panels = [_city_diagram(ctx, links, counts, city, a, b) for city in ctx.cities]
        return alt.vconcat(*panels, spacing=18).properties(title=title)
    return _aggregate_link_chart(ctx, counts, a, b, title)


# The states of a direction in a city, best first (labels: synergy.status.<code>).
LINK_STATUSES = ("with_values", "without_values", "no_kpi", "not_recorded")


def _aggregate_link_chart(ctx: Context, counts: pl.DataFrame, a: str, b: str, title: str) -> alt.Chart:
    labels = {code: ctx.w(f"synergy.status.{code}") for code in LINK_STATUSES}
    status = (
        counts.with_columns(
            pl.when(pl.col("n_links") == 0).then(pl.lit("not_recorded"))
            .when(pl.col("n_kpis_with_values") > 0).then(pl.lit("with_values"))
            .when(pl.col("n_kpis") > 0).then(pl.lit("without_values"))
            .otherwise(pl.lit("no_kpi")).replace_strict(labels).alias("status"),
            pl.struct("from_side", "to_side").map_elements(lambda s: direction_label(ctx, s["from_side"], s["to_side"]), return_dtype=pl.String).alias("direction"),
        )
        .group_by("direction", "status")
        .agg(pl.len().alias("n_cities"))
        .sort("direction", "status")
    )
    order = list(labels.values())
    cities = ctx.w("synergy.column.n_cities")
    return (
        alt.Chart(status)
        .mark_bar()
        .encode(
            y=alt.Y("direction:N", title=None, sort=[direction_label(ctx, a, b), direction_label(ctx, b, a)]),
            x=alt.X("n_cities:Q", title=cities, stack="zero"),
            color=alt.Color("status:N", scale=alt.Scale(domain=order, range=["#0072B2", "#56B4E9", "#E69F00", "#cccccc"]), title=None, sort=order),
            order=alt.Order("status:N"),
            tooltip=[alt.Tooltip("direction:N", title=ctx.w("synergy.column.direction")),
                     alt.Tooltip("status:N", title=ctx.w("synergy.column.status")), alt.Tooltip("n_cities:Q", title=cities)],
        )
        .properties(width=460, height=120, title=title)
    )


# The kinds of implied link stacked in a city's bar (labels: synergy.implied.kind.<column>).
IMPLIED_KINDS = ("n_side_pairs", "n_goal_pairs_within_row", "n_goal_pairs_across_printings")


def implied_chart(ctx: Context, counts: pl.DataFrame, pair: str) -> alt.Chart:
    """Implied links per city by kind (stacked bars); with more than marks.MANY_CITIES cities, the
    marks.TOP_N cities with the most and the others folded into one bar."""
    a, _ = pair_sides(pair)
    kinds = {k: ctx.w(f"synergy.implied.kind.{k}") for k in IMPLIED_KINDS}
    data = counts.with_columns(total=pl.col("n_side_pairs") + pl.col("n_goal_pairs"))
    note = ""
    if marks.many_cities(ctx.cities):
        n_cities = data.height
        data = marks.fold_top_n(data.select("city_id", "total", *kinds), key="city_id", value="total", sum_columns=list(kinds))
        if data.height < n_cities:
            note = ctx.w("synergy.implied.note_top", n=marks.TOP_N)
    else:
        data = data.select("city_id", "total", *kinds)

    def city_label(city_id: str) -> str:
        return ctx.w("synergy.other_cities") if city_id == marks.OTHER_CITIES else ctx.city(city_id)

    long = data.unpivot(index=["city_id", "total"], on=list(kinds), variable_name="kind", value_name="n").with_columns(
        pl.col("kind").replace_strict(kinds),
        pl.col("city_id").map_elements(city_label, return_dtype=pl.String).alias("city"),
    )
    named = data.filter(pl.col("city_id") != marks.OTHER_CITIES)
    top = named.sort("total", descending=True).row(0, named=True) if named.height else None
    if top and top["total"] > 0:
        title = ctx.w("synergy.implied.title", city=ctx.city(top["city_id"]), total=top["total"], note=note)
    else:
        title = ctx.w("synergy.implied.title_none", note=note)
    city_order = [city_label(c) for c in data["city_id"].to_list()]
    totals = data.select(pl.col("city_id").map_elements(city_label, return_dtype=pl.String).alias("city"), "total")
    links_title = ctx.w("synergy.column.links")
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("city:N", title=None, sort=city_order),
            x=alt.X("n:Q", title=links_title, axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(kinds.values()), range=[side_colours(ctx)[a], "#0072B2", "#56B4E9"]), legend=alt.Legend(orient="bottom", columns=1)),
            tooltip=[alt.Tooltip("city:N", title=ctx.w("synergy.column.city")), alt.Tooltip("kind:N", title=ctx.w("synergy.column.kind")),
                     alt.Tooltip("n:Q", title=links_title)],
        )
    )
    text = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=12).encode(
        y=alt.Y("city:N", sort=city_order), x="total:Q", text="total:Q"
    )
    return alt.layer(bars, text).properties(width=460, height=alt.Step(28), title=title)
