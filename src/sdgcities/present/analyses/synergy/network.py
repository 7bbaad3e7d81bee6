"""The network of SDG targets linked through shared KPIs: nodes, edges, their structure per city
(components by union-find, linear in nodes and edges), a circular layout, and where the edges come
from.

An edge joins two targets printed on one KPI row, so a row citing k targets alone makes k(k-1)/2
edges: a network "density" mostly counts how many targets single rows print. row_links says what
the edges count instead (rows citing two or more targets, the largest row and its pairs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from sdgcities.present.analyses.synergy.data import checked_filter, lines_by_city
from sdgcities.present.notebook import check_choice

LINK_BY = ("row", "indicator")


@dataclass
class Network:
    """Nodes (city, target, goal, n_kpis), weighted edges and the documents/sections behind them."""

    nodes: pl.DataFrame
    edges: pl.DataFrame
    sources: pl.DataFrame
    by: str
    cities: tuple[str, ...] = ()  # the cities it was read for (nodes_of must be of the same cities)


def target_network(con, cities: Sequence[str], by: str = "row", *, nodes_of: Network | None = None) -> Network:
    """The network of SDG targets per city.

    Nodes: every target a KPI row of the city cites. Edges: two targets are linked when one KPI row
    cites both (by="row") or, by="indicator", when the printings of one indicator together cite both.
    Edge weight: the number of distinct indicators (a 再掲 printing is the same KPI) linking them;
    n_rows: the number of KPI rows. nodes_of: a network of the same cities whose nodes and sources (the
    same for every `by`) are taken instead of read again.
    """
    check_choice("by", by, LINK_BY)
    cities, only = checked_filter(con, cities)
    if nodes_of is not None and nodes_of.cities != tuple(cities or ()):
        raise ValueError(f"nodes_of is the network of {list(nodes_of.cities)}, not of {cities}: its nodes would belong to other cities")
    group = "kpi_id" if by == "row" else "indicator_key"  # chosen from LINK_BY, never from user text
    nodes = nodes_of.nodes if nodes_of is not None else con.sql(
        """
        select city_id, sdg_target as target, sdg_goal as goal,
               count(distinct indicator_key)::integer as n_kpis, count(distinct kpi_id)::integer as n_rows
        from kpi_sdg_targets where ($only is null or list_contains($only, city_id))
        group by all order by city_id, goal, target
        """,
        params={"only": only},
    ).pl()
    edges = con.sql(
        f"""
        with t as (select distinct city_id, kpi_id, indicator_key, sdg_goal, sdg_target
                   from kpi_sdg_targets where ($only is null or list_contains($only, city_id)))
        select x.city_id, x.sdg_target as source, y.sdg_target as target,
               x.sdg_goal as source_goal, y.sdg_goal as target_goal,
               count(distinct x.indicator_key)::integer as weight,
               count(distinct x.kpi_id)::integer as n_rows
        from t x join t y
          on x.city_id = y.city_id and x.{group} = y.{group} and x.sdg_target < y.sdg_target
        group by all order by x.city_id, source, target
        """,
        params={"only": only},
    ).pl()
    sources = nodes_of.sources if nodes_of is not None else con.sql(
        """
        select distinct k.doc_id, k.section
        from kpis k where ($only is null or list_contains($only, k.city_id)) and len(k.sdg_targets) > 0
        order by all
        """,
        params={"only": only},
    ).pl()
    return Network(nodes, edges, sources, by, tuple(cities or ()))


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
    return lines_by_city(metrics, lambda r: (
        f"{prefix}{r['city_id']}: nodes={r['nodes']} edges={r['edges']} density={_fmt(r['density'], 3)} "
        f"components={r['components']} largest={r['largest_component']} isolated={r['isolated']} "
        f"cross_goal_share={_fmt(r['cross_goal_share'], 3)}"
    ))


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


def row_links(con, cities: Sequence[str], metrics: pl.DataFrame) -> pl.DataFrame:
    """Where the edges come from, per city (model city_target_links): KPI rows citing two or more
    targets (each such row links all its targets pairwise), the most targets one row cites and the
    pairs that row alone makes (k(k-1)/2), next to the city's edges. What a density figure of these
    networks really counts."""
    frame = con.sql(
        "select city_id, linking_rows, max_targets_per_row, top_row_pairs from city_target_links "
        "where ($only is null or list_contains($only, city_id))",
        params={"only": list(cities)},
    ).pl()
    return (
        metrics.select("city_id", "edges")
        .join(frame, on="city_id", how="left")
        .with_columns(pl.col("linking_rows", "max_targets_per_row", "top_row_pairs").fill_null(0))
    )
