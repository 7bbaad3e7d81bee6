"""The synergy data: the directed links between two sides of a plan (経済⇄環境 ...), the KPIs behind
each direction, and the links implied by repeated KPIs and by KPIs mapped to several goals.

Every query binds its parameters (cities, sides) and aggregates in DuckDB; the frames hold codes and
numbers only (labels come from the catalogue where they are shown).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from sdgcities.access.api import UnknownValueError
from sdgcities.present.notebook import PAIRS, check_choice


def pair_sides(pair: str) -> tuple[str, str]:
    """The two sides of a pair parameter ("economy-environment" -> ("economy", "environment"))."""
    check_choice("pair", pair, PAIRS)
    first, second = pair.split("-")
    return first, second


def check_cities(con, cities: Sequence[str]) -> list[str]:
    """The city ids, each checked against the database before any query uses it."""
    return checked_filter(con, cities)[0]


def checked_filter(con, cities: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """check_cities, and the value of the queries' $only: NULL when the cities are every city of the
    database, which the queries read as no filter (`$only is null or list_contains($only, city_id)`;
    see notebook.Context.cities_param: a list of 1,741 ids costs about 4 ms a query)."""
    if isinstance(cities, str) or not cities:
        raise ValueError("cities must be a non-empty list of city ids")
    known = {row[0] for row in con.sql("select city_id from cities").fetchall()}
    for city in cities:
        if city not in known:
            raise UnknownValueError("city", city, sorted(known))
    cities = list(cities)
    return cities, (None if set(cities) == known else cities)


# ---------------------------------------------------------------------------------------------
# 1. Directed links and the KPIs behind them
# ---------------------------------------------------------------------------------------------

_LINKS_SQL = """
with links as (
    select * from synergies
    where ($only is null or list_contains($only, city_id))
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
    cities, only = checked_filter(con, cities)
    return con.sql(_LINKS_SQL, params={"only": only, "a": a, "b": b}).pl()


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
    where ($only is null or list_contains($only, city_id))
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
    cities, only = checked_filter(con, cities)
    return con.sql(_COUNTS_SQL, params={"cities": cities, "only": only, "a": a, "b": b}).pl()


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


def lines_by_city(frame: pl.DataFrame, line: Callable[[dict], str]) -> str:
    """One check line per city, sorted by city id (the outputs nbval compares strictly)."""
    return "\n".join(line(r) for r in frame.sort("city_id").iter_rows(named=True))


def format_link_counts(counts: pl.DataFrame) -> str:
    """Deterministic text of the link counts per city (sorted by city id) for the checked output."""
    return lines_by_city(city_link_summary(counts), lambda r: (
        f"{r['city_id']}: directions={r['n_directions']}/2 links={r['n_links']} "
        f"links_with_kpi={r['n_links_with_kpi']} kpis={r['n_kpis']} "
        f"kpis_with_values={r['n_kpis_with_values']} kpis_redacted={r['n_kpis_redacted']}"
    ))


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
    where ($only is null or list_contains($only, city_id))
)
"""


def repeated_kpis(con, cities: Sequence[str]) -> pl.DataFrame:
    """Indicators printed more than once (再掲 or the same indicator in another table), one row each,
    with the sides and SDG targets of their printings and the side pairs that the repetition links."""
    cities, only = checked_filter(con, cities)
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
        from (select city_id, indicator_key, unnest(sdg_targets) as t from kpis where ($only is null or list_contains($only, city_id)))
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
               list(distinct {{'doc_id': doc_id, 'section': section}} order by {{'doc_id': doc_id, 'section': section}}) as sources
        from kpis
        where ($only is null or list_contains($only, city_id))
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
    return con.sql(q, params={"only": only}).pl()


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
    cities, only = checked_filter(con, cities)
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
    return con.sql(q, params={"only": only}).pl()


def goal_links(con, cities: Sequence[str]) -> pl.DataFrame:
    """Goal pairs linked through one KPI: an indicator whose printed targets belong to two goals.

    `within_row` is true when a single KPI row cites both goals; false when only different printings
    of the same indicator (再掲) together do. `n_kpis` counts distinct indicators.
    """
    cities, only = checked_filter(con, cities)
    q = """
    with t as (
        select distinct s.city_id, s.doc_id, s.kpi_id, s.indicator_key, s.sdg_goal, k.section
        from kpi_sdg_targets s join kpis k using (kpi_id)
        where ($only is null or list_contains($only, s.city_id))
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
        from kpis where ($only is null or list_contains($only, city_id))
        group by all
    )
    select p.city_id, p.goal_a, p.goal_b,
           count(distinct p.indicator_key)::integer as n_kpis,
           count(distinct p.indicator_key) filter (where p.within_row)::integer as n_kpis_within_row,
           bool_or(p.within_row) as within_row,
           list(distinct coalesce(n.indicator_ja, '[' || p.indicator_key || ']')
                order by coalesce(n.indicator_ja, '[' || p.indicator_key || ']')) as indicators,
           -- list_distinct keeps no order: sorted by document, then section
           list_sort(list_distinct(flatten(list(p.sources)))) as sources
    from pairs p
    left join names n using (city_id, indicator_key)
    group by p.city_id, p.goal_a, p.goal_b
    order by p.city_id, p.goal_a, p.goal_b
    """
    return con.sql(q, params={"only": only}).pl()


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
    return lines_by_city(counts, lambda r: (
        f"{r['city_id']}: repeated_indicators={r['n_repeated']} (cross_side={r['n_repeated_cross_side']}) "
        f"side_pairs={r['n_side_pairs']} {pair}_kpis={r['n_pair_kpis']} "
        f"goal_pairs={r['n_goal_pairs']} (within_row={r['n_goal_pairs_within_row']} "
        f"across_printings={r['n_goal_pairs_across_printings']})"
    ))
