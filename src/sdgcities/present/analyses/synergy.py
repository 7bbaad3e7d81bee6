"""Synergy analysis: the directed links between two sides of a plan (経済⇄環境 ...), the KPIs behind
each direction, the links implied by repeated KPIs and multi-goal KPIs, and the network of SDG
targets linked through shared KPIs.

Every query binds its parameters (cities, sides) and aggregates in DuckDB; the network structure
(components) is computed in Python in time linear in the number of nodes and edges. Functions take a
connection plus an explicit city list and return polars frames; the chart and table builders take the
notebook Context for labels in the chosen language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import polars as pl

from sdgcities.present import charts
from sdgcities.access.api import UnknownValueError
from sdgcities.present.notebook import PAIRS, Context, check_choice
from sdgcities.present.analyses.synergy_links import links_headline, row_links, structure_text  # noqa: F401 (used by the notebook)

SIDES3 = ("economy", "society", "environment")

# Colours of the three sides in the link diagrams. Taken from the SDG palette of a goal that stands
# for each side (8 decent work and economic growth, 11 sustainable cities, 13 climate action) so that
# they never clash with the Okabe-Ito city colours.
SIDE_COLOURS = {"economy": charts.SDG_COLOURS[8], "society": charts.SDG_COLOURS[11], "environment": charts.SDG_COLOURS[13]}

# With more cities than this, charts aggregate or show the top N instead of one panel per city.
MANY_CITIES = 12
TOP_NETWORKS = 6

REDACTED = {"ja": "黒塗り", "en": "redacted"}


def pair_sides(pair: str) -> tuple[str, str]:
    """The two sides of a pair parameter ("economy-environment" -> ("economy", "environment"))."""
    check_choice("pair", pair, PAIRS)
    first, second = pair.split("-")
    return first, second


def _check(con, cities: Sequence[str]) -> list[str]:
    if isinstance(cities, str) or not cities:
        raise ValueError("cities must be a non-empty list of city ids")
    known = {row[0] for row in con.sql("select city_id from cities").fetchall()}
    for city in cities:
        if city not in known:
            raise UnknownValueError("city", city, sorted(known))
    return list(cities)


# ---------------------------------------------------------------------------------------------
# 1. Directed links and the KPIs behind them
# ---------------------------------------------------------------------------------------------

_LINKS_SQL = """
with links as (
    select * from synergies
    where list_contains($cities, city_id)
      and ((from_side = $a and to_side = $b) or (from_side = $b and to_side = $a))
),
named as (
    -- KPIs a synergy record names itself
    select synergy_id, kpi_id from links where kpi_id is not null
),
by_direction as (
    -- synergy KPIs of the same document and direction that no synergy record names
    -- (e.g. the second KPI of a direction measured by two)
    select l.synergy_id, k.kpi_id
    from links l
    join kpis k on k.doc_id = l.doc_id and k.synergy_from = l.from_side and k.synergy_to = l.to_side
    where k.kpi_id not in (select kpi_id from synergies where kpi_id is not null)
),
behind as (select * from named union select * from by_direction)
select
    l.city_id, l.doc_id, l.synergy_id, l.from_side, l.to_side,
    (l.from_side = $a) as is_forward,
    l.description_ja,
    k.kpi_id, k.section, k.indicator_ja, k.indicator_key, k.unit, k.direction,
    k.baseline_label, k.baseline_value, k.actual_label, k.actual_value,
    k.target_label, k.target_value, k.n_actual_values,
    k.published_achievement_pct, k.published_achievement_text, k.status_text,
    k.is_redacted
from links l
left join behind b using (synergy_id)
left join kpis k on k.kpi_id = b.kpi_id
order by l.city_id, is_forward desc, l.synergy_id, k.kpi_id
"""


def link_kpis(con, cities: Sequence[str], pair: str) -> pl.DataFrame:
    """One row per (directed link of the pair, KPI behind it); a link without KPI has NULL KPI columns."""
    a, b = pair_sides(pair)
    cities = _check(con, cities)
    return con.sql(_LINKS_SQL, params={"cities": cities, "a": a, "b": b}).pl()


_COUNTS_SQL = """
with chosen as (
    select c.city_id, c.n_documents, o.ord
    from cities c, unnest($cities) with ordinality as o(city_id, ord)
    where c.city_id = o.city_id
),
directions as (
    select * from (values ($a, $b, true), ($b, $a, false)) as d(from_side, to_side, is_forward)
),
links as (
    select * from synergies
    where list_contains($cities, city_id)
      and ((from_side = $a and to_side = $b) or (from_side = $b and to_side = $a))
),
behind as (
    select synergy_id, kpi_id from links where kpi_id is not null
    union
    select l.synergy_id, k.kpi_id
    from links l
    join kpis k on k.doc_id = l.doc_id and k.synergy_from = l.from_side and k.synergy_to = l.to_side
    where k.kpi_id not in (select kpi_id from synergies where kpi_id is not null)
),
per_link as (
    select l.city_id, l.from_side, l.to_side, l.synergy_id,
           count(b.kpi_id) as n_kpis,
           count(b.kpi_id) filter (where k.is_redacted) as n_redacted,
           count(b.kpi_id) filter (where not k.is_redacted
               and (k.baseline_value is not null or k.actual_value is not null or k.target_value is not null)) as n_with_values
    from links l
    left join behind b using (synergy_id)
    left join kpis k on k.kpi_id = b.kpi_id
    group by all
)
select ch.city_id, ch.n_documents, d.from_side, d.to_side, d.is_forward,
       count(p.synergy_id)::integer as n_links,
       count(p.synergy_id) filter (where p.n_kpis > 0)::integer as n_links_with_kpi,
       coalesce(sum(p.n_kpis), 0)::integer as n_kpis,
       coalesce(sum(p.n_with_values), 0)::integer as n_kpis_with_values,
       coalesce(sum(p.n_redacted), 0)::integer as n_kpis_redacted
from chosen ch
cross join directions d
left join per_link p on p.city_id = ch.city_id and p.from_side = d.from_side and p.to_side = d.to_side
group by all
order by min(ch.ord), d.is_forward desc
"""


def link_counts(con, cities: Sequence[str], pair: str) -> pl.DataFrame:
    """Per city and direction of the pair: links, links with a KPI, KPIs, KPIs with values, redacted KPIs.

    Every chosen city appears, with zeros where it records no link (in the order of `cities`).
    """
    a, b = pair_sides(pair)
    cities = _check(con, cities)
    return con.sql(_COUNTS_SQL, params={"cities": cities, "a": a, "b": b}).pl()


def city_link_summary(counts: pl.DataFrame) -> pl.DataFrame:
    """link_counts summed over both directions: one row per city (in the same order)."""
    return (
        counts.group_by("city_id", maintain_order=True)
        .agg(
            pl.col("n_documents").first(),
            pl.col("n_links").sum(),
            pl.col("n_links_with_kpi").sum(),
            pl.col("n_kpis").sum(),
            pl.col("n_kpis_with_values").sum(),
            pl.col("n_kpis_redacted").sum(),
            (pl.col("n_links") > 0).sum().alias("n_directions"),
        )
    )


def format_link_counts(counts: pl.DataFrame) -> str:
    """Deterministic text of the link counts per city (sorted by city id) for the checked output."""
    lines = []
    for row in city_link_summary(counts).sort("city_id").iter_rows(named=True):
        lines.append(
            f"{row['city_id']}: directions={row['n_directions']}/2 links={row['n_links']} "
            f"links_with_kpi={row['n_links_with_kpi']} kpis={row['n_kpis']} "
            f"kpis_with_values={row['n_kpis_with_values']} kpis_redacted={row['n_kpis_redacted']}"
        )
    return "\n".join(lines)


def _number(value: float | None) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def value_text(ctx: Context, value: float | None, label: str | None, unit: str | None, redacted: bool) -> str:
    """A KPI value with its printed year label: "141 件 (2017年度)"; redacted -> "黒塗り (2018年度)".

    A missing value is never shown as 0.
    """
    number = _number(value)
    if number is None:
        if label is None:
            return "–"
        text = REDACTED[ctx.lang] if redacted else ctx.t("記載なし", "not printed")
    else:
        text = f"{number} {unit}" if unit else number
    return f"{text} ({label})" if label else text


def achievement_text(pct: float | None, text: str | None) -> str | None:
    """The published 達成度 as printed: a rate ("364%") or a word ("達成")."""
    number = _number(pct)
    if number is not None:
        return f"{number}%"
    return text


def direction_label(ctx: Context, from_side: str, to_side: str) -> str:
    return f"{ctx.side(from_side)}→{ctx.side(to_side)}"


def indicator_label(ctx: Context, indicator: str | None, redacted: bool | None) -> str:
    if indicator:
        return indicator
    return ctx.t("（指標名黒塗り）", "(indicator name redacted)") if redacted else "–"


def link_table(ctx: Context, links: pl.DataFrame) -> pl.DataFrame:
    """The links and their KPIs as a display table in the notebook's language."""
    rows = []
    for r in links.iter_rows(named=True):
        has_kpi = r["kpi_id"] is not None
        redacted = bool(r["is_redacted"])
        rows.append(
            {
                ctx.t("都市", "City"): ctx.city(r["city_id"]),
                ctx.t("方向", "Direction"): direction_label(ctx, r["from_side"], r["to_side"]),
                ctx.t("相乗効果（記載どおり）", "Synergy (as printed)"): r["description_ja"],
                ctx.t("KPI 指標", "KPI indicator"): indicator_label(ctx, r["indicator_ja"], redacted) if has_kpi else ctx.t("KPIなし", "no KPI"),
                ctx.t("基準値", "Baseline"): value_text(ctx, r["baseline_value"], r["baseline_label"], r["unit"], redacted) if has_kpi else "–",
                ctx.t("実績値（最新）", "Actual (latest)"): value_text(ctx, r["actual_value"], r["actual_label"], r["unit"], redacted) if has_kpi else "–",
                ctx.t("目標値", "Target"): value_text(ctx, r["target_value"], r["target_label"], r["unit"], redacted) if has_kpi else "–",
                ctx.t("達成度（公表）", "Published achievement"): achievement_text(r["published_achievement_pct"], r["published_achievement_text"]) or "–",
                ctx.t("黒塗り", "Redacted"): (ctx.t("あり", "yes") if redacted else ctx.t("なし", "no")) if has_kpi else "–",
                "kpi_id": r["kpi_id"] or "–",
            }
        )
    columns = [
        ctx.t("都市", "City"), ctx.t("方向", "Direction"), ctx.t("相乗効果（記載どおり）", "Synergy (as printed)"),
        ctx.t("KPI 指標", "KPI indicator"), ctx.t("基準値", "Baseline"), ctx.t("実績値（最新）", "Actual (latest)"),
        ctx.t("目標値", "Target"), ctx.t("達成度（公表）", "Published achievement"), ctx.t("黒塗り", "Redacted"), "kpi_id",
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in columns})


def _kpi_caption(ctx: Context, group: pl.DataFrame) -> str:
    """The text printed on an arrow: one line per KPI with its values and published achievement, or why
    there is none."""
    kpis = group.filter(pl.col("kpi_id").is_not_null())
    if kpis.height == 0:
        return ctx.t("KPIなし", "no KPI")
    lines = []
    for r in kpis.iter_rows(named=True):
        if r["is_redacted"] and not r["indicator_ja"]:
            years = " → ".join(x for x in (r["baseline_label"], r["target_label"]) if x)
            lines.append(ctx.t(f"KPI（指標名・値は黒塗り; {years}）", f"KPI (name and values redacted; {years})"))
            continue
        unit = f" {r['unit']}" if r["unit"] else ""
        values = []
        if _number(r["baseline_value"]) is not None:
            values.append(f"{_number(r['baseline_value'])}")
        if _number(r["actual_value"]) is not None:
            values.append(f"{_number(r['actual_value'])}")
        text = r["indicator_ja"]
        if values:
            text += f": {' → '.join(values)}{unit}"
        if _number(r["target_value"]) is not None:
            text += ctx.t(f"（目標 {_number(r['target_value'])}）", f" (target {_number(r['target_value'])})")
        rate = achievement_text(r["published_achievement_pct"], r["published_achievement_text"])
        if rate:
            text += ctx.t(f" 達成度 {rate}", f", achievement {rate}")
        lines.append(text)
    return "\n".join(lines)


_LINE = 17  # pixels per caption line
_WIDTH = 620
_X_DOMAIN = [-1.2, 11.2]


def _diagram_frames(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, city_id: str, a: str, b: str):
    """Nodes, arrows and caption lines of one city's link diagram, laid out in pixels (y up).

    The forward arrow (a -> b) runs above the two nodes with its caption above it, the backward arrow
    below them with its caption below.
    """
    arrows, lines = [], []
    for forward, (src, dst) in ((True, (a, b)), (False, (b, a))):
        count = counts.filter((pl.col("city_id") == city_id) & (pl.col("is_forward") == forward)).row(0, named=True)
        group = links.filter((pl.col("city_id") == city_id) & (pl.col("is_forward") == forward))
        present = count["n_links"] > 0
        caption = _kpi_caption(ctx, group) if present else ctx.t("記載なし", "not recorded")
        descriptions = " / ".join(dict.fromkeys(group["description_ja"].to_list())) if present else ""
        arrows.append(
            {
                "forward": forward,
                "x": 1.3 if forward else 8.7,
                "x2": 8.7 if forward else 1.3,
                "head_x": 8.7 if forward else 1.3,
                "shape": "triangle-right" if forward else "triangle-left",
                "present": ctx.t("記載あり", "recorded") if present else ctx.t("記載なし", "not recorded"),
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
    nodes = pl.DataFrame(
        {
            "x": [-1.1, 8.9], "x2": [1.1, 11.1], "xc": [0.0, 10.0],
            "y": [y_mid - 22, y_mid - 22], "y2": [y_mid + 22, y_mid + 22], "yc": [y_mid, y_mid],
            "side": [ctx.side(a), ctx.side(b)],
            "colour": [SIDE_COLOURS[a], SIDE_COLOURS[b]],
        }
    )
    return nodes, pl.DataFrame(arrows), pl.DataFrame(lines), height


def _city_diagram(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, city_id: str, a: str, b: str) -> alt.LayerChart:
    nodes, arrows, lines, height = _diagram_frames(ctx, links, counts, city_id, a, b)
    n_dir = int((arrows["n_links"] > 0).sum())
    n_kpis = int(arrows["n_kpis"].sum())
    if n_dir == 0:
        n_docs = counts.filter(pl.col("city_id") == city_id)["n_documents"][0]
        title = ctx.t(
            f"{ctx.city(city_id)}: {n_docs}文書のいずれにも相乗効果の記載なし",
            f"{ctx.city(city_id)}: none of its {n_docs} document(s) records a synergy",
        )
    else:
        title = ctx.t(
            f"{ctx.city(city_id)}: 2方向のうち{n_dir}方向を記載, KPI {n_kpis}件",
            f"{ctx.city(city_id)}: {n_dir} of 2 directions recorded, {n_kpis} KPI(s)",
        )
    xs = alt.Scale(domain=_X_DOMAIN)
    ys = alt.Scale(domain=[0, height])
    y = alt.Y("y:Q", scale=ys, axis=None)
    status_scale = alt.Scale(domain=[ctx.t("記載あり", "recorded"), ctx.t("記載なし", "not recorded")], range=["#333333", "#aaaaaa"])
    colour = alt.Color("present:N", scale=status_scale, legend=None)
    tooltip = [
        alt.Tooltip("direction:N", title=ctx.t("方向", "Direction")),
        alt.Tooltip("n_links:Q", title=ctx.t("リンク数", "Links")),
        alt.Tooltip("n_kpis:Q", title=ctx.t("KPI数", "KPIs")),
        alt.Tooltip("n_kpis_redacted:Q", title=ctx.t("黒塗りKPI", "Redacted KPIs")),
        alt.Tooltip("caption:N", title="KPI"),
        alt.Tooltip("description:N", title=ctx.t("記載（抜粋）", "Text (excerpt)")),
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
        color=alt.Color("colour:N", scale=None), tooltip=[alt.Tooltip("side:N", title=ctx.t("側面", "Side"))],
    )
    labels = alt.Chart(nodes).mark_text(fontSize=14, fontWeight="bold", color="white").encode(
        x=alt.X("xc:Q", scale=xs, axis=None), y=alt.Y("yc:Q", scale=ys, axis=None), text="side:N"
    )
    return alt.layer(rules, heads, boxes, labels, text).properties(
        width=_WIDTH, height=height, title=alt.TitleParams(title, fontSize=13)
    )


def link_diagram(ctx: Context, links: pl.DataFrame, counts: pl.DataFrame, pair: str):
    """One two-node diagram per city (both directions of the pair as arrows captioned by their KPIs).

    With more than MANY_CITIES cities, one aggregate chart instead: per direction, how many cities
    record it, with a KPI that has values, with redacted KPIs only, or not at all.
    """
    a, b = pair_sides(pair)
    summary = city_link_summary(counts)
    n_any = int((summary["n_links"] > 0).sum())
    title = ctx.t(
        f"{ctx.side(a)}⇄{ctx.side(b)}: {summary.height}都市のうち{n_any}都市が有向リンクを記載",
        f"{ctx.side(a)}⇄{ctx.side(b)}: {n_any} of {summary.height} cities record directed links",
    )
    if len(ctx.cities) <= MANY_CITIES:
        panels = [_city_diagram(ctx, links, counts, city, a, b) for city in ctx.cities]
        return alt.vconcat(*panels, spacing=18).properties(title=title)
    return _aggregate_link_chart(ctx, counts, a, b, title)


def _aggregate_link_chart(ctx: Context, counts: pl.DataFrame, a: str, b: str, title: str) -> alt.Chart:
    status = (
        counts.with_columns(
            pl.when(pl.col("n_links") == 0).then(pl.lit(ctx.t("記載なし", "not recorded")))
            .when(pl.col("n_kpis_with_values") > 0).then(pl.lit(ctx.t("KPIあり（値あり）", "KPI with values")))
            .when(pl.col("n_kpis") > 0).then(pl.lit(ctx.t("KPIあり（値なし・黒塗り）", "KPI without values / redacted")))
            .otherwise(pl.lit(ctx.t("KPIなし", "no KPI"))).alias("status"),
            pl.struct("from_side", "to_side").map_elements(lambda s: direction_label(ctx, s["from_side"], s["to_side"]), return_dtype=pl.String).alias("direction"),
        )
        .group_by("direction", "status")
        .agg(pl.len().alias("n_cities"))
        .sort("direction", "status")
    )
    order = [ctx.t("KPIあり（値あり）", "KPI with values"), ctx.t("KPIあり（値なし・黒塗り）", "KPI without values / redacted"), ctx.t("KPIなし", "no KPI"), ctx.t("記載なし", "not recorded")]
    return (
        alt.Chart(status)
        .mark_bar()
        .encode(
            y=alt.Y("direction:N", title=None, sort=[direction_label(ctx, a, b), direction_label(ctx, b, a)]),
            x=alt.X("n_cities:Q", title=ctx.t("都市数", "Cities"), stack="zero"),
            color=alt.Color("status:N", scale=alt.Scale(domain=order, range=["#0072B2", "#56B4E9", "#E69F00", "#cccccc"]), title=None, sort=order),
            order=alt.Order("status:N"),
            tooltip=[alt.Tooltip("direction:N", title=ctx.t("方向", "Direction")), alt.Tooltip("status:N", title=ctx.t("状態", "Status")), alt.Tooltip("n_cities:Q", title=ctx.t("都市数", "Cities"))],
        )
        .properties(width=460, height=120, title=title)
    )


# ---------------------------------------------------------------------------------------------
# 2. Links implied by repeated KPIs (再掲) and by KPIs mapped to several goals
# ---------------------------------------------------------------------------------------------

# The sides a printing speaks for: its table's side, or for a synergy KPI of an integrated table the
# two sides it links.
_PRINTED_SIDES_SQL = """
printed as (
    select city_id, doc_id, section, kpi_id, indicator_key, indicator_ja, is_redacted, is_repeat,
           unnest(case when side in ('economy', 'society', 'environment') then [side]
                       when side = 'integrated' and synergy_from is not null then [synergy_from, synergy_to]
                       else []::varchar[] end) as printed_side
    from kpis
    where list_contains($cities, city_id)
)
"""


def repeated_kpis(con, cities: Sequence[str]) -> pl.DataFrame:
    """Indicators printed more than once (再掲 or the same indicator in another table), one row each,
    with the sides and SDG targets of their printings and the side pairs that the repetition links."""
    cities = _check(con, cities)
    q = f"""
    with {_PRINTED_SIDES_SQL},
    pairs as (
        select p.city_id, p.indicator_key,
               list(distinct p.printed_side || '-' || q.printed_side order by p.printed_side || '-' || q.printed_side) as side_pairs
        from printed p join printed q
          on p.city_id = q.city_id and p.indicator_key = q.indicator_key
         and p.kpi_id <> q.kpi_id and p.printed_side < q.printed_side
        group by all
    ),
    targets as (
        select city_id, indicator_key, list(distinct t order by t) as sdg_targets
        from (select city_id, indicator_key, unnest(sdg_targets) as t from kpis where list_contains($cities, city_id))
        group by all
    ),
    groups as (
        select city_id, indicator_key,
               first(indicator_ja order by is_repeat, kpi_id) filter (where indicator_ja is not null) as indicator_ja,
               bool_or(is_redacted) as is_redacted,
               count(*)::integer as n_printings,
               count(*) filter (where is_repeat)::integer as n_marked_repeat,
               list(kpi_id order by kpi_id) as kpi_ids,
               list(coalesce(side, 'none') order by kpi_id) as sides,
               list(distinct {{'doc_id': doc_id, 'section': section}}) as sources
        from kpis
        where list_contains($cities, city_id)
        group by all
        having count(*) > 1
    )
    select g.city_id, g.indicator_key, g.indicator_ja, g.is_redacted, g.n_printings, g.n_marked_repeat,
           g.kpi_ids, g.sides, coalesce(t.sdg_targets, []::varchar[]) as sdg_targets,
           coalesce(p.side_pairs, []::varchar[]) as side_pairs, g.sources
    from groups g
    left join targets t using (city_id, indicator_key)
    left join pairs p using (city_id, indicator_key)
    order by g.city_id, g.indicator_key
    """
    return con.sql(q, params={"cities": cities}).pl()


def sources_of(*frames: pl.DataFrame) -> pl.DataFrame:
    """The (doc_id, section) pairs behind frames that carry a `sources` list (for ctx.source)."""
    parts = [f.select(pl.col("sources").explode()).unnest("sources") for f in frames if f.height]
    if not parts:
        return pl.DataFrame(schema={"doc_id": pl.String, "section": pl.String})
    return pl.concat(parts).drop_nulls("doc_id").unique().sort("doc_id", "section")


def implied_side_links(con, cities: Sequence[str]) -> pl.DataFrame:
    """Side pairs linked because one indicator is printed under both sides (in different printings).

    One row per (city, side pair, indicator), with the KPI rows involved.
    """
    cities = _check(con, cities)
    q = f"""
    with {_PRINTED_SIDES_SQL}
    select p.city_id, p.printed_side as side_a, q.printed_side as side_b, p.indicator_key,
           coalesce(first(p.indicator_ja order by p.is_repeat, p.kpi_id) filter (where p.indicator_ja is not null),
                    first(q.indicator_ja order by q.is_repeat, q.kpi_id) filter (where q.indicator_ja is not null)) as indicator_ja,
           list(distinct p.kpi_id order by p.kpi_id) as kpis_a,
           list(distinct q.kpi_id order by q.kpi_id) as kpis_b,
           min(p.doc_id) as doc_id, min(p.section) as section
    from printed p join printed q
      on p.city_id = q.city_id and p.indicator_key = q.indicator_key
     and p.kpi_id <> q.kpi_id and p.printed_side < q.printed_side
    group by p.city_id, p.printed_side, q.printed_side, p.indicator_key
    order by p.city_id, side_a, side_b, p.indicator_key
    """
    return con.sql(q, params={"cities": cities}).pl()


def goal_links(con, cities: Sequence[str]) -> pl.DataFrame:
    """Goal pairs linked through one KPI: an indicator whose printed targets belong to two goals.

    `within_row` is true when a single KPI row cites both goals; false when only different printings
    of the same indicator (再掲) together do. `n_kpis` counts distinct indicators.
    """
    cities = _check(con, cities)
    q = """
    with t as (
        select distinct s.city_id, s.doc_id, s.kpi_id, s.indicator_key, s.sdg_goal, k.section
        from kpi_sdg_targets s join kpis k using (kpi_id)
        where list_contains($cities, s.city_id)
    ),
    pairs as (
        select x.city_id, x.indicator_key, x.sdg_goal as goal_a, y.sdg_goal as goal_b,
               bool_or(x.kpi_id = y.kpi_id) as within_row,
               list(distinct {'doc_id': x.doc_id, 'section': x.section})
                   || list(distinct {'doc_id': y.doc_id, 'section': y.section}) as sources
        from t x join t y
          on x.city_id = y.city_id and x.indicator_key = y.indicator_key and x.sdg_goal < y.sdg_goal
        group by all
    ),
    names as (
        select city_id, indicator_key,
               first(indicator_ja order by is_repeat, kpi_id) filter (where indicator_ja is not null) as indicator_ja
        from kpis where list_contains($cities, city_id)
        group by all
    )
    select p.city_id, p.goal_a, p.goal_b,
           count(distinct p.indicator_key)::integer as n_kpis,
           count(distinct p.indicator_key) filter (where p.within_row)::integer as n_kpis_within_row,
           bool_or(p.within_row) as within_row,
           list(distinct coalesce(n.indicator_ja, '[' || p.indicator_key || ']')
                order by coalesce(n.indicator_ja, '[' || p.indicator_key || ']')) as indicators,
           list_distinct(flatten(list(p.sources))) as sources
    from pairs p
    left join names n using (city_id, indicator_key)
    group by p.city_id, p.goal_a, p.goal_b
    order by p.city_id, p.goal_a, p.goal_b
    """
    return con.sql(q, params={"cities": cities}).pl()


def implied_counts(cities: Sequence[str], repeated: pl.DataFrame, side_links: pl.DataFrame, goals: pl.DataFrame, pair: str) -> pl.DataFrame:
    """Per city (in the order given): repeated indicators, implied side pairs (all, and the pair's),
    implied goal pairs (all, within one KPI row, only across printings)."""
    a, b = pair_sides(pair)
    lo, hi = sorted((a, b))
    base = pl.DataFrame({"city_id": list(cities), "order": list(range(len(cities)))})
    rep = repeated.group_by("city_id").agg(
        pl.len().cast(pl.Int64).alias("n_repeated"),
        (pl.col("side_pairs").list.len() > 0).sum().cast(pl.Int64).alias("n_repeated_cross_side"),
    )
    side = side_links.group_by("city_id").agg(
        pl.struct("side_a", "side_b").n_unique().cast(pl.Int64).alias("n_side_pairs"),
        ((pl.col("side_a") == lo) & (pl.col("side_b") == hi)).sum().cast(pl.Int64).alias("n_pair_kpis"),
    )
    goal = goals.group_by("city_id").agg(
        pl.len().cast(pl.Int64).alias("n_goal_pairs"),
        pl.col("within_row").sum().cast(pl.Int64).alias("n_goal_pairs_within_row"),
        (~pl.col("within_row")).sum().cast(pl.Int64).alias("n_goal_pairs_across_printings"),
    )
    out = base.join(rep, on="city_id", how="left").join(side, on="city_id", how="left").join(goal, on="city_id", how="left")
    return out.with_columns(pl.exclude("city_id", "order").fill_null(0)).sort("order").drop("order")


def format_implied_counts(counts: pl.DataFrame, pair: str) -> str:
    lines = []
    for r in counts.sort("city_id").iter_rows(named=True):
        lines.append(
            f"{r['city_id']}: repeated_indicators={r['n_repeated']} (cross_side={r['n_repeated_cross_side']}) "
            f"side_pairs={r['n_side_pairs']} {pair}_kpis={r['n_pair_kpis']} "
            f"goal_pairs={r['n_goal_pairs']} (within_row={r['n_goal_pairs_within_row']} "
            f"across_printings={r['n_goal_pairs_across_printings']})"
        )
    return "\n".join(lines)


def repeated_table(ctx: Context, repeated: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for r in repeated.iter_rows(named=True):
        sides = [ctx.side(None if s == "none" else s) for s in r["sides"]]
        pairs = [" – ".join(ctx.side(s) for s in p.split("-")) for p in r["side_pairs"]]
        rows.append(
            {
                ctx.t("都市", "City"): ctx.city(r["city_id"]),
                ctx.t("指標", "Indicator"): indicator_label(ctx, r["indicator_ja"], r["is_redacted"]),
                ctx.t("掲載回数", "Printings"): r["n_printings"],
                ctx.t("うち再掲表示", "Marked 再掲"): r["n_marked_repeat"],
                ctx.t("掲載された側面", "Printed under"): " / ".join(sides),
                ctx.t("SDGターゲット", "SDG targets"): ", ".join(sorted(r["sdg_targets"], key=_target_key)) or "–",
                ctx.t("示唆される側面間リンク", "Implied side link"): ", ".join(pairs) or "–",
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame({ctx.t("都市", "City"): []}, schema={ctx.t("都市", "City"): pl.String})


def goal_links_table(ctx: Context, goals: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for r in goals.iter_rows(named=True):
        rows.append(
            {
                ctx.t("都市", "City"): ctx.city(r["city_id"]),
                ctx.t("目標A", "Goal A"): ctx.goal(r["goal_a"]),
                ctx.t("目標B", "Goal B"): ctx.goal(r["goal_b"]),
                ctx.t("KPI数", "KPIs"): r["n_kpis"],
                ctx.t("つながり方", "How"): ctx.t("1つのKPI行", "one KPI row") if r["within_row"] else ctx.t("再掲をまたぐ", "across printings (再掲)"),
                ctx.t("指標", "Indicators"): " / ".join(
                    i if not i.startswith("[") else ctx.t("（指標名黒塗り）", "(name redacted)") for i in r["indicators"]
                ),
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame({ctx.t("都市", "City"): []}, schema={ctx.t("都市", "City"): pl.String})


def implied_chart(ctx: Context, counts: pl.DataFrame, pair: str) -> alt.Chart:
    """Implied links per city by kind (stacked bars); the top MANY_CITIES cities when there are more."""
    a, b = pair_sides(pair)
    kinds = {
        "n_side_pairs": ctx.t("側面間（再掲）", "Between sides (repeated KPI)"),
        "n_goal_pairs_within_row": ctx.t("目標間（1つのKPI行）", "Between goals (one KPI row)"),
        "n_goal_pairs_across_printings": ctx.t("目標間（再掲をまたぐ）", "Between goals (across printings)"),
    }
    data = counts.with_columns(total=pl.col("n_side_pairs") + pl.col("n_goal_pairs"))
    note = ""
    if data.height > MANY_CITIES:
        data = data.sort(["total", "city_id"], descending=[True, False]).head(MANY_CITIES)
        note = ctx.t(f"（上位{MANY_CITIES}都市）", f" (top {MANY_CITIES} cities)")
    long = data.unpivot(index=["city_id", "total"], on=list(kinds), variable_name="kind", value_name="n").with_columns(
        pl.col("kind").replace_strict(kinds),
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias("city"),
    )
    top = data.sort("total", descending=True).row(0, named=True) if data.height else None
    if top and top["total"] > 0:
        title = ctx.t(
            f"示唆されるリンクは{ctx.city(top['city_id'])}が最多（{top['total']}本）{note}",
            f"{ctx.city(top['city_id'])} has the most implied links ({top['total']}){note}",
        )
    else:
        title = ctx.t(f"示唆されるリンクなし{note}", f"No implied links{note}")
    city_order = [ctx.city(c) for c in data["city_id"].to_list()]
    totals = data.select(pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias("city"), "total")
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("city:N", title=None, sort=city_order),
            x=alt.X("n:Q", title=ctx.t("リンク数", "Links"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(kinds.values()), range=[SIDE_COLOURS[a], "#0072B2", "#56B4E9"]), legend=alt.Legend(orient="bottom", columns=1)),
            tooltip=[alt.Tooltip("city:N", title=ctx.t("都市", "City")), alt.Tooltip("kind:N", title=ctx.t("種類", "Kind")), alt.Tooltip("n:Q", title=ctx.t("リンク数", "Links"))],
        )
    )
    text = alt.Chart(totals).mark_text(align="left", dx=4, fontSize=12).encode(
        y=alt.Y("city:N", sort=city_order), x="total:Q", text="total:Q"
    )
    return alt.layer(bars, text).properties(width=460, height=alt.Step(28), title=title)


# ---------------------------------------------------------------------------------------------
# 3. Network of SDG targets linked through shared KPIs
# ---------------------------------------------------------------------------------------------

LINK_BY = ("row", "indicator")


@dataclass
class Network:
    """Nodes (city, target, goal, n_kpis), weighted edges and the documents/sections behind them."""

    nodes: pl.DataFrame
    edges: pl.DataFrame
    sources: pl.DataFrame
    by: str


def target_network(con, cities: Sequence[str], by: str = "row") -> Network:
    """The network of SDG targets per city.

    Nodes: every target a KPI row of the city cites. Edges: two targets are linked when one KPI row
    cites both (by="row") or, by="indicator", when the printings of one indicator together cite both.
    Edge weight: the number of distinct indicators (a 再掲 printing is the same KPI) linking them;
    n_rows: the number of KPI rows.
    """
    check_choice("by", by, LINK_BY)
    cities = _check(con, cities)
    group = "kpi_id" if by == "row" else "indicator_key"  # chosen from LINK_BY, never from user text
    nodes = con.sql(
        """
        select city_id, sdg_target as target, sdg_goal as goal,
               count(distinct indicator_key)::integer as n_kpis, count(distinct kpi_id)::integer as n_rows
        from kpi_sdg_targets where list_contains($cities, city_id)
        group by all order by city_id, goal, target
        """,
        params={"cities": cities},
    ).pl()
    edges = con.sql(
        f"""
        with t as (select distinct city_id, kpi_id, indicator_key, sdg_goal, sdg_target
                   from kpi_sdg_targets where list_contains($cities, city_id))
        select x.city_id, x.sdg_target as source, y.sdg_target as target,
               x.sdg_goal as source_goal, y.sdg_goal as target_goal,
               count(distinct x.indicator_key)::integer as weight,
               count(distinct x.kpi_id)::integer as n_rows
        from t x join t y
          on x.city_id = y.city_id and x.{group} = y.{group} and x.sdg_target < y.sdg_target
        group by all order by x.city_id, source, target
        """,
        params={"cities": cities},
    ).pl()
    sources = con.sql(
        """
        select distinct k.doc_id, k.section
        from kpis k where list_contains($cities, k.city_id) and len(k.sdg_targets) > 0
        order by all
        """,
        params={"cities": cities},
    ).pl()
    return Network(nodes, edges, sources, by)


def _target_key(target: str) -> tuple[int, int, str]:
    goal, _, part = target.partition(".")
    return (int(goal), 0, f"{int(part):03d}") if part.isdigit() else (int(goal), 1, part)


def _components(nodes: list[str], edges: list[tuple[str, str]]) -> list[int]:
    """Sizes of the connected components (union-find), largest first."""
    parent = {n: n for n in nodes}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for u, v in edges:
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[ru] = rv
    sizes: dict[str, int] = {}
    for n in nodes:
        root = find(n)
        sizes[root] = sizes.get(root, 0) + 1
    return sorted(sizes.values(), reverse=True)


def network_metrics(network: Network, cities: Sequence[str]) -> pl.DataFrame:
    """Structure of each city's target network (in the order of `cities`).

    nodes, edges, density = 2E / (N(N-1)), components (isolated targets count as one each),
    largest component (nodes), isolated targets, cross-goal edge share (NULL when there is no edge).
    """
    node_lists: dict[str, list[str]] = {c: [] for c in cities}
    for city, target in network.nodes.select("city_id", "target").iter_rows():
        node_lists[city].append(target)
    edge_lists: dict[str, list[tuple[str, str, bool]]] = {c: [] for c in cities}
    for city, s, t, sg, tg in network.edges.select("city_id", "source", "target", "source_goal", "target_goal").iter_rows():
        edge_lists[city].append((s, t, sg != tg))
    rows = []
    for city in cities:
        nodes, edges = node_lists[city], edge_lists[city]
        n, e = len(nodes), len(edges)
        sizes = _components(nodes, [(s, t) for s, t, _ in edges])
        cross = sum(1 for *_, c in edges if c)
        rows.append(
            {
                "city_id": city,
                "nodes": n,
                "edges": e,
                "density": (2 * e / (n * (n - 1))) if n > 1 else None,
                "components": len(sizes),
                "largest_component": sizes[0] if sizes else 0,
                "isolated": sum(1 for s in sizes if s == 1),
                "cross_goal_edges": cross,
                "cross_goal_share": (cross / e) if e else None,
                "goals": len({t.split(".")[0] for t in nodes}),
            }
        )
    schema = {"city_id": pl.String, "nodes": pl.Int64, "edges": pl.Int64, "density": pl.Float64, "components": pl.Int64,
              "largest_component": pl.Int64, "isolated": pl.Int64, "cross_goal_edges": pl.Int64, "cross_goal_share": pl.Float64, "goals": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def _fmt(value: float | None, decimals: int) -> str:
    return "n/a" if value is None else f"{value:.{decimals}f}"


def format_metrics(metrics: pl.DataFrame, label: str = "") -> str:
    prefix = f"[{label}] " if label else ""
    lines = []
    for r in metrics.sort("city_id").iter_rows(named=True):
        lines.append(
            f"{prefix}{r['city_id']}: nodes={r['nodes']} edges={r['edges']} density={_fmt(r['density'], 3)} "
            f"components={r['components']} largest={r['largest_component']} isolated={r['isolated']} "
            f"cross_goal_share={_fmt(r['cross_goal_share'], 3)}"
        )
    return "\n".join(lines)


METRIC_LABELS = {
    "nodes": ("ノード数（ターゲット）", "Nodes (targets)"),
    "edges": ("辺の数", "Edges"),
    # Edges only join targets printed on one KPI row, so the density mostly counts how many targets single
    # rows print; the label says so.
    "density": ("密度（同じKPI行に並ぶターゲットの組の割合）", "Density (share of target pairs printed on one KPI row)"),
    "components": ("連結成分数", "Components"),
    "largest_component": ("最大成分のノード数", "Largest component"),
    "cross_goal_share": ("目標をまたぐ辺の割合", "Cross-goal edge share"),
}


def metrics_table(ctx: Context, metrics: pl.DataFrame, *, extra: pl.DataFrame | None = None) -> pl.DataFrame:
    """The metrics per city as a display table; `extra` (indicator-level metrics) adds two columns."""
    out = metrics.select(
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias(ctx.t("都市", "City")),
        pl.col("goals").alias(ctx.t("目標数", "Goals")),
        *[pl.col(k).alias(ctx.t(*v)) for k, v in METRIC_LABELS.items()],
        pl.col("isolated").alias(ctx.t("孤立ターゲット", "Isolated targets")),
    ).with_columns(
        pl.col(ctx.t(*METRIC_LABELS["density"])).round(3),
        pl.col(ctx.t("目標をまたぐ辺の割合", "Cross-goal edge share")).round(3),
    )
    if extra is not None:
        ex = extra.select(
            pl.col("edges").alias(ctx.t("辺の数（再掲をまとめた場合）", "Edges (printings merged)")),
            pl.col("components").alias(ctx.t("連結成分数（再掲をまとめた場合）", "Components (printings merged)")),
        )
        out = pl.concat([out, ex], how="horizontal")
    return out


def circular_layout(nodes: pl.DataFrame) -> pl.DataFrame:
    """A deterministic circular layout per city: targets ordered by goal then target number, clockwise
    from the top, with one empty slot between goals so that each goal forms an arc."""
    rows = []
    for city in nodes["city_id"].unique(maintain_order=True).to_list():
        targets = sorted(nodes.filter(pl.col("city_id") == city)["target"].to_list(), key=_target_key)
        goals = [_target_key(t)[0] for t in targets]
        n_goals = len(set(goals))
        slots = len(targets) + (n_goals if n_goals > 1 else 0)
        slot, previous = 0, None
        for target, goal in zip(targets, goals):
            if previous is not None and goal != previous and n_goals > 1:
                slot += 1
            angle = math.pi / 2 - 2 * math.pi * slot / max(slots, 1)
            x, y = math.cos(angle), math.sin(angle)
            if len(targets) == 1:
                x, y = 0.0, 0.0
            rows.append({"city_id": city, "target": target, "x": round(x, 6), "y": round(y, 6),
                         "label_x": round(1.2 * x, 6), "label_y": round(1.2 * y, 6)})
            slot += 1
            previous = goal
    schema = {"city_id": pl.String, "target": pl.String, "x": pl.Float64, "y": pl.Float64, "label_x": pl.Float64, "label_y": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _network_panel(ctx: Context, city: str, nodes: pl.DataFrame, edges: pl.DataFrame, metrics: dict,
                   goal_domain: list[str], kinds: list[str]) -> alt.LayerChart:
    scale = alt.Scale(domain=[-1.45, 1.45])
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    n_merged = edges.filter(pl.col("kind") == kinds[1]).height if len(kinds) > 1 else 0
    extra = ctx.t(f"（再掲統合で+{n_merged}本）", f" (+{n_merged} if merged)") if n_merged else ""
    if metrics["edges"]:
        title = ctx.t(
            f"{ctx.city(city)}: {metrics['nodes']}ターゲット, 辺{metrics['edges']}本, 成分{metrics['components']}{extra}",
            f"{ctx.city(city)}: {metrics['nodes']} targets, {metrics['edges']} edges, {metrics['components']} comp.{extra}",
        )
    else:
        title = ctx.t(
            f"{ctx.city(city)}: {metrics['nodes']}ターゲット, 辺なし{extra}",
            f"{ctx.city(city)}: {metrics['nodes']} targets, no edge{extra}",
        )
    edge_layer = (
        alt.Chart(edges)
        .mark_rule(color="#555555", opacity=0.6)
        .encode(
            x=x, y=y, x2="x2:Q", y2="y2:Q",
            strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(domain=[1, 4], range=[1.2, 5], clamp=True), legend=None),
            strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [5, 3]][: len(kinds)]),
                                      title=ctx.t("辺", "Edge"), legend=alt.Legend(orient="bottom", symbolStrokeWidth=2, labelLimit=360)),
            tooltip=[alt.Tooltip("source:N", title=ctx.t("ターゲット", "Target")), alt.Tooltip("target:N", title=ctx.t("ターゲット", "Target")),
                     alt.Tooltip("kind:N", title=ctx.t("辺", "Edge")),
                     alt.Tooltip("weight:Q", title=ctx.t("共有KPI数", "Shared KPIs")), alt.Tooltip("n_rows:Q", title=ctx.t("KPI行数", "KPI rows"))],
        )
    )
    node_layer = (
        alt.Chart(nodes)
        .mark_circle(opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=x, y=y,
            color=alt.Color("goal_label:N", scale=charts.goal_colour_scale(goal_domain), title=ctx.t("SDG目標", "SDG goal"),
                            legend=alt.Legend(orient="bottom", columns=3, labelLimit=320)),
            size=alt.Size("n_kpis:Q", scale=alt.Scale(domain=[1, 5], range=[120, 420], clamp=True), legend=None),
            tooltip=[alt.Tooltip("target:N", title=ctx.t("ターゲット", "Target")), alt.Tooltip("goal_label:N", title=ctx.t("目標", "Goal")),
                     alt.Tooltip("n_kpis:Q", title=ctx.t("KPI数", "KPIs")), alt.Tooltip("degree:Q", title=ctx.t("つながるターゲット数", "Linked targets"))],
        )
    )
    label_layer = alt.Chart(nodes).mark_text(fontSize=10, color="#333333").encode(
        x=alt.X("label_x:Q", scale=scale, axis=None), y=alt.Y("label_y:Q", scale=scale, axis=None), text="target:N"
    )
    return alt.layer(edge_layer, node_layer, label_layer).properties(width=260, height=260, title=alt.TitleParams(title, fontSize=12))


def network_chart(ctx: Context, network: Network, metrics: pl.DataFrame, merged: Network | None = None):
    """Node-link diagrams of the target networks, one panel per city (the TOP_NETWORKS cities with the
    most edges when there are more than MANY_CITIES).

    With `merged` (the by="indicator" network), the edges that appear only when the printings of one
    indicator are merged are drawn dashed.
    """
    chosen = list(ctx.cities)
    note = ""
    if len(chosen) > MANY_CITIES:
        top = metrics.sort(["edges", "nodes", "city_id"], descending=[True, True, False]).head(TOP_NETWORKS)
        chosen = top["city_id"].to_list()
        note = ctx.t(f"（辺の多い上位{TOP_NETWORKS}都市）", f" (top {TOP_NETWORKS} cities by edges)")
    kinds = [ctx.t("同じKPI行が両方を引用", "one KPI row cites both")]
    all_edges = network.edges.filter(pl.col("city_id").is_in(chosen)).with_columns(kind=pl.lit(kinds[0]))
    if merged is not None:
        kinds.append(ctx.t("再掲をまとめると生じる辺", "only when printings of a KPI are merged"))
        only_merged = (
            merged.edges.filter(pl.col("city_id").is_in(chosen))
            .join(network.edges.select("city_id", "source", "target"), on=["city_id", "source", "target"], how="anti")
            .with_columns(kind=pl.lit(kinds[1]))
        )
        all_edges = pl.concat([all_edges, only_merged])
    layout = circular_layout(network.nodes.filter(pl.col("city_id").is_in(chosen)))
    degree = pl.concat([
        all_edges.select("city_id", pl.col("source").alias("t")),
        all_edges.select("city_id", pl.col("target").alias("t")),
    ]).group_by("city_id", "t").agg(pl.len().cast(pl.Int64).alias("degree"))
    nodes = (
        network.nodes.filter(pl.col("city_id").is_in(chosen))
        .join(layout, on=["city_id", "target"])
        .join(degree, left_on=["city_id", "target"], right_on=["city_id", "t"], how="left")
        .with_columns(pl.col("degree").fill_null(0),
                      pl.col("goal").map_elements(lambda g: ctx.goal(g), return_dtype=pl.String).alias("goal_label"))
    )
    pos = layout.select("city_id", "target", "x", "y")
    edges = (
        all_edges
        .join(pos, left_on=["city_id", "source"], right_on=["city_id", "target"])
        .join(pos.rename({"x": "x2", "y": "y2"}), on=["city_id", "target"])
    )
    goal_domain = [ctx.goal(g) for g in sorted(nodes["goal"].unique().to_list())] or [ctx.goal(1)]
    by_city = {r["city_id"]: r for r in metrics.iter_rows(named=True)}
    panels = [
        _network_panel(ctx, city, nodes.filter(pl.col("city_id") == city), edges.filter(pl.col("city_id") == city),
                       by_city[city], goal_domain, kinds)
        for city in chosen
    ]
    headline = links_headline(ctx, row_links(ctx.con, ctx.cities, metrics))
    if headline:
        title = ctx.t(f"同じKPI行に並ぶSDGターゲットの組: {headline}{note}", f"SDG targets printed on one KPI row: {headline}{note}")
    else:
        title = ctx.t(f"同じKPI行でつながるSDGターゲットはない{note}", f"No two SDG targets share a KPI row{note}")
    return alt.concat(*panels, columns=3, spacing=16).properties(title=title)


def metrics_chart(ctx: Context, metrics: pl.DataFrame):
    """The structure metrics side by side: one small bar chart per metric (cities as bars); with more
    than MANY_CITIES cities, one histogram per metric instead."""
    keys = list(METRIC_LABELS)
    labels = {k: ctx.t(*v) for k, v in METRIC_LABELS.items()}
    long = metrics.unpivot(index="city_id", on=keys, variable_name="metric", value_name="value").with_columns(
        pl.col("metric").replace_strict(labels),
        pl.col("city_id").map_elements(ctx.city, return_dtype=pl.String).alias("city"),
    )
    largest = metrics.sort(["largest_component", "city_id"], descending=[True, False]).row(0, named=True)
    title = ctx.t(
        f"ネットワーク構造の比較: 最大の連結成分は{ctx.city(largest['city_id'])}の{largest['largest_component']}ターゲット",
        f"Network structure compared: the largest component is {ctx.city(largest['city_id'])}'s, {largest['largest_component']} targets",
    )
    if len(ctx.cities) <= MANY_CITIES:
        order = ctx.city_order()
        long = long.with_columns(
            pl.col("value").fill_null(0).alias("x"),
            pl.when(pl.col("value").is_null()).then(pl.lit(ctx.t("該当なし（辺なし）", "n/a (no edge)")))
            .when(pl.col("value") == pl.col("value").round(0)).then(pl.col("value").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("value").round(3).cast(pl.String)).alias("label"),
        )
        base = alt.Chart(long).encode(
            y=alt.Y("city:N", title=None, sort=order),
            x=alt.X("x:Q", title=None),
            tooltip=[alt.Tooltip("city:N", title=ctx.t("都市", "City")), alt.Tooltip("metric:N", title=ctx.t("指標", "Metric")),
                     alt.Tooltip("label:N", title=ctx.t("値", "Value"))],
        )
        if len(order) <= len(charts.CITY_PALETTE):
            bars = base.mark_bar().encode(color=alt.Color("city:N", scale=charts.city_colour_scale(order), legend=None))
        else:  # more cities than distinguishable colours: the city is on the axis anyway
            bars = base.mark_bar(color="#4C78A8")
        text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="label:N")
        return (
            alt.layer(bars, text, data=long)
            .properties(width=150, height=alt.Step(24))
            .facet(facet=alt.Facet("metric:N", title=None, sort=[labels[k] for k in keys], header=alt.Header(labelFontSize=12)), columns=3)
            .resolve_scale(x="independent")
            .properties(title=title)
        )
    # Many cities: pre-binned histograms (10 equal bins per metric), never one bar per city.
    binned = []
    for key in keys:
        values = metrics[key].drop_nulls()
        if values.len() == 0:
            continue
        lo, hi = float(values.min()), float(values.max())
        width = (hi - lo) / 10 or 1.0
        counts = values.map_elements(lambda v: min(int((v - lo) / width), 9), return_dtype=pl.Int64).value_counts()
        for b, n in counts.iter_rows():
            binned.append({"metric": labels[key], "start": lo + b * width, "end": lo + (b + 1) * width, "n_cities": n})
    return (
        alt.Chart(pl.DataFrame(binned))
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title=None), x2="end:Q",
            y=alt.Y("n_cities:Q", title=ctx.t("都市数", "Cities"), scale=alt.Scale(zero=True)), y2=alt.datum(0),
            tooltip=[alt.Tooltip("metric:N", title=ctx.t("指標", "Metric")), alt.Tooltip("start:Q", format=",.3~f", title=ctx.t("階級の下限", "From")),
                     alt.Tooltip("end:Q", format=",.3~f", title=ctx.t("階級の上限", "To")), alt.Tooltip("n_cities:Q", title=ctx.t("都市数", "Cities"))],
        )
        .properties(width=180, height=120)
        .facet(facet=alt.Facet("metric:N", title=None, sort=[labels[k] for k in keys]), columns=3)
        .resolve_scale(x="independent", y="independent")
        .properties(title=title)
    )


# ---------------------------------------------------------------------------------------------
# Narrative helpers
# ---------------------------------------------------------------------------------------------


def names(ctx: Context, city_ids: Sequence[str], limit: int = 8) -> str:
    """City names for narrative text, at most `limit` of them ("A、B ほか3都市" / "A, B and 3 more")."""
    shown = [ctx.city(c) for c in list(city_ids)[:limit]]
    rest = len(city_ids) - len(shown)
    if not shown:
        return ctx.t("なし", "none")
    if rest > 0:
        return ctx.t("、".join(shown) + f" ほか{rest}都市", ", ".join(shown) + f" and {rest} more")
    return ctx.t("、".join(shown), ", ".join(shown))
