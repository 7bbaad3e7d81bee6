"""The synergy analysis on the real database.

Expected values were checked by hand against data/curated/*/synergies.csv and kpis.csv (and the
printed rows they quote): Kumamoto prints all six directed links with one KPI each except 環境→社会,
measured by two (integrated:06 and :07); Hiratsuka prints all six with redacted KPIs; Kaga's three
documents print none. Kaga prints 4 indicators more than once, one of them (RE100 協議会の会員数) under
both 経済 (8.3) and 環境 (11.6).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest

from sdgcities.present import marks
from sdgcities.present import notebook as nb
from sdgcities.present.analyses import synergy as syn
from sdgcities.present.analyses.synergy import network as syn_network
from sdgcities.present.analyses.synergy import network_figures
from sdgcities.access.api import UnknownValueError

CITIES = ["hiratsuka", "kaga", "kumamoto"]
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "synergy.ipynb"


@pytest.fixture
def ctx(built_db):
    context = nb.setup(cities=None, lang="ja", database=built_db)
    yield context
    context.con.close()


def by_city(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["city_id"]: row for row in frame.iter_rows(named=True)}


# ------------------------------------------------------------------------------------ parameters


def test_pair_sides_and_unknown_pair():
    assert syn.pair_sides("economy-environment") == ("economy", "environment")
    assert syn.pair_sides("society-environment") == ("society", "environment")
    with pytest.raises(UnknownValueError, match="environment-economy") as info:
        syn.pair_sides("environment-economy")
    assert "economy-society" in str(info.value)


def test_unknown_or_injected_city_is_rejected_before_any_query(con):
    with pytest.raises(UnknownValueError, match="nagoya"):
        syn.link_kpis(con, ["nagoya"], "economy-environment")
    with pytest.raises(UnknownValueError, match="drop table"):
        syn.repeated_kpis(con, ["kaga'; drop table kpis; --"])
    assert con.sql("select count(*) from kpis").fetchall() == [(73,)]


# ------------------------------------------------------------------------------------ 1. links


def test_link_counts_economy_environment(con):
    counts = syn.link_counts(con, CITIES, "economy-environment")
    assert counts.height == 6  # every city, both directions, zeros included
    summary = by_city(syn.city_link_summary(counts))
    assert (summary["kumamoto"]["n_links"], summary["kumamoto"]["n_kpis"], summary["kumamoto"]["n_kpis_with_values"]) == (2, 2, 2)
    assert (summary["hiratsuka"]["n_links"], summary["hiratsuka"]["n_kpis_with_values"], summary["hiratsuka"]["n_kpis_redacted"]) == (2, 0, 2)
    assert (summary["kaga"]["n_links"], summary["kaga"]["n_kpis"], summary["kaga"]["n_documents"]) == (0, 0, 3)
    assert syn.format_link_counts(counts).splitlines()[1] == (
        "kaga: directions=0/2 links=0 links_with_kpi=0 kpis=0 kpis_with_values=0 kpis_redacted=0"
    )


def test_direction_measured_by_two_kpis(con):
    counts = syn.link_counts(con, ["kumamoto"], "society-environment")
    backward = counts.filter(~pl.col("is_forward")).row(0, named=True)
    assert (backward["from_side"], backward["to_side"], backward["n_links"], backward["n_kpis"]) == ("environment", "society", 1, 2)
    links = syn.link_kpis(con, ["kumamoto"], "society-environment")
    assert links.filter(~pl.col("is_forward"))["kpi_id"].to_list() == [
        "kumamoto_progress_2022:integrated:06",
        "kumamoto_progress_2022:integrated:07",
    ]


def test_link_kpis_values_as_printed(con):
    links = syn.link_kpis(con, ["kumamoto"], "economy-environment")
    forward = links.filter(pl.col("is_forward")).row(0, named=True)
    # 1	【経済→環境】温室効果ガス排出量	2015年度 4,316 千トン ... 2019年度 3,180 千トン	2021年 4,004 千トン	364%
    assert forward["indicator_ja"] == "温室効果ガス排出量"
    assert (forward["baseline_label"], forward["baseline_value"]) == ("2015年度", 4316.0)
    assert (forward["actual_label"], forward["actual_value"]) == ("2019年度", 3180.0)
    assert (forward["target_label"], forward["target_value"]) == ("2021年", 4004.0)
    assert syn.achievement_text(forward["published_achievement_pct"], forward["published_achievement_text"]) == "364%"
    assert links.filter(~pl.col("is_forward"))["indicator_ja"].to_list() == ["企業立地件数 (累計)"]


def test_link_table_never_shows_redacted_values_as_zero(ctx):
    table = syn.link_table(ctx, syn.link_kpis(ctx.con, ["hiratsuka"], "economy-environment"))
    assert table.height == 2
    baseline, target = ctx.w("synergy.column.baseline"), ctx.w("synergy.column.target_value")
    redacted = ctx.w("synergy.value.redacted")
    assert table[baseline].to_list() == [f"{redacted} (2018年度)", f"{redacted} (2020年度)"]
    assert table[target].to_list() == [f"{redacted} (2026年度)", f"{redacted} (2024年度)"]
    assert table[ctx.w("synergy.column.kpi_indicator")].to_list() == [ctx.w("synergy.value.name_redacted")] * 2
    assert not any("0 " in v or v == "0" for v in table[baseline].to_list() + table[target].to_list())


def test_achievement_and_value_text():
    assert syn.achievement_text(None, "達成") == "達成"
    assert syn.achievement_text(-10.0, None) == "-10%"
    assert syn.achievement_text(None, None) is None


def test_link_diagram_per_city_and_aggregate(ctx, monkeypatch):
    links = syn.link_kpis(ctx.con, ctx.cities, "economy-environment")
    counts = syn.link_counts(ctx.con, ctx.cities, "economy-environment")
    chart = syn.link_diagram(ctx, links, counts, "economy-environment")
    assert isinstance(chart, alt.VConcatChart) and len(chart.vconcat) == 3
    spec = chart.to_dict()
    pair = syn.pair_label(ctx, "economy", "environment")
    assert spec["title"] == ctx.w("synergy.diagram.headline", pair=pair, n_cities=3, n_any=2)
    assert spec["vconcat"][1]["title"]["text"] == ctx.w("synergy.diagram.title_none", city=ctx.city("kaga"), n_docs=3)
    # as many cities as the palette has colours: still one diagram per city
    eight = dataclasses.replace(ctx, cities=ctx.cities + ctx.cities[:1] * (marks.MANY_CITIES - 3))
    assert not marks.many_cities(eight.cities) and marks.MANY_CITIES == 8
    # many cities: one aggregate chart, cities counted per direction and status
    monkeypatch.setattr(marks, "MANY_CITIES", 2)
    aggregate = syn.link_diagram(ctx, links, counts, "economy-environment").to_dict()
    values = next(iter(aggregate["datasets"].values()))
    assert sum(v["n_cities"] for v in values) == 6
    not_recorded = ctx.w("synergy.status.not_recorded")
    forward, backward = syn.direction_label(ctx, "economy", "environment"), syn.direction_label(ctx, "environment", "economy")
    assert {(v["direction"], v["status"], v["n_cities"]) for v in values if v["status"] == not_recorded} == {
        (forward, not_recorded, 1), (backward, not_recorded, 1)}


# ------------------------------------------------------------------------------------ 2. implied links


def test_repeated_kpis(con):
    repeated = syn.repeated_kpis(con, CITIES)
    assert repeated.group_by("city_id").len().sort("city_id").rows() == [("kaga", 4), ("kumamoto", 11)]
    re100 = repeated.filter(pl.col("indicator_key") == "kaga.re100_council_members").row(0, named=True)
    assert re100["n_printings"] == 3 and re100["n_marked_repeat"] == 2
    assert sorted(re100["sdg_targets"]) == ["11.6", "7.2", "8.3"]
    assert re100["side_pairs"] == ["economy-environment"]
    assert re100["indicator_ja"] == "RE100 協議会の会員数"  # the first printing, not the 再掲 one with a stray ')'
    community = repeated.filter(pl.col("indicator_key") == "kumamoto.community_activity_participation").row(0, named=True)
    assert (community["n_printings"], community["n_marked_repeat"], community["side_pairs"]) == (4, 2, [])


def test_implied_side_links_only_kaga_re100(con):
    links = syn.implied_side_links(con, CITIES)
    assert links.select("city_id", "side_a", "side_b", "indicator_key").rows() == [
        ("kaga", "economy", "environment", "kaga.re100_council_members")
    ]
    assert links["kpis_a"].to_list() == [["kaga_plan_2026:s4_economy:01"]]
    assert links["kpis_b"].to_list() == [["kaga_plan_2026:s4_environment:02"]]


def test_goal_links(con):
    goals = syn.goal_links(con, CITIES)
    hiratsuka = goals.filter(pl.col("city_id") == "hiratsuka")
    # model_environment rows print 【7.2,12.2】【4.7,13.3】【12.2,12.5】【12.8,13.3】, model_society 【8.5,10.2】
    assert hiratsuka.select("goal_a", "goal_b").rows() == [(4, 13), (7, 12), (8, 10), (12, 13)]
    assert hiratsuka["within_row"].all()
    kaga = goals.filter(pl.col("city_id") == "kaga")
    assert kaga.select("goal_a", "goal_b").rows() == [(7, 8), (7, 11), (8, 11), (9, 17), (11, 13), (11, 17)]
    assert not kaga["within_row"].any()
    assert goals.filter(pl.col("city_id") == "kumamoto").height == 0
    counts = syn.implied_counts(CITIES, syn.repeated_kpis(con, CITIES), syn.implied_side_links(con, CITIES), goals, "economy-environment")
    assert syn.format_implied_counts(counts, "economy-environment").splitlines() == [
        "hiratsuka: repeated_indicators=0 (cross_side=0) side_pairs=0 economy-environment_kpis=0 goal_pairs=4 (within_row=4 across_printings=0)",
        "kaga: repeated_indicators=4 (cross_side=1) side_pairs=1 economy-environment_kpis=1 goal_pairs=6 (within_row=0 across_printings=6)",
        "kumamoto: repeated_indicators=11 (cross_side=0) side_pairs=0 economy-environment_kpis=0 goal_pairs=0 (within_row=0 across_printings=0)",
    ]
    other_pair = syn.implied_counts(CITIES, syn.repeated_kpis(con, CITIES), syn.implied_side_links(con, CITIES), goals, "economy-society")
    assert other_pair["n_pair_kpis"].to_list() == [0, 0, 0]


# ------------------------------------------------------------------------------------ 3./4. network


def test_network_metrics_by_row(con):
    network = syn.target_network(con, CITIES, by="row")
    metrics = by_city(syn.network_metrics(network, CITIES))
    h, k, m = metrics["hiratsuka"], metrics["kaga"], metrics["kumamoto"]
    assert (h["nodes"], h["edges"], h["components"], h["largest_component"], h["isolated"]) == (14, 5, 9, 3, 6)
    assert h["cross_goal_share"] == pytest.approx(0.8)  # only 12.2-12.5 stays within a goal
    assert h["density"] == pytest.approx(10 / (14 * 13))
    assert (k["nodes"], k["edges"], k["components"], k["largest_component"], k["density"], k["cross_goal_share"]) == (10, 0, 10, 1, 0.0, None)
    assert (m["nodes"], m["edges"], m["components"], m["largest_component"], m["cross_goal_share"]) == (23, 26, 8, 5, 0.0)
    assert m["density"] == pytest.approx(52 / (23 * 22))
    # community activity participation is printed three times with 【11.2,11.3,11.6,11.b】: one KPI, three rows
    edge = network.edges.filter((pl.col("city_id") == "kumamoto") & (pl.col("source") == "11.2") & (pl.col("target") == "11.3"))
    assert edge.select("weight", "n_rows").rows() == [(1, 3)]


def test_network_metrics_with_printings_merged(con):
    merged = by_city(syn.network_metrics(syn.target_network(con, CITIES, by="indicator"), CITIES))
    # RE100 members (7.2, 8.3, 11.6), GHG municipal (11.6, 13.3), pilots (9.5, 17.17), partners (11.6, 17.17)
    assert (merged["kaga"]["edges"], merged["kaga"]["components"], merged["kaga"]["largest_component"], merged["kaga"]["isolated"]) == (6, 5, 6, 4)
    assert merged["kaga"]["cross_goal_share"] == 1.0
    assert merged["kumamoto"]["edges"] == 26 and merged["hiratsuka"]["edges"] == 5
    with pytest.raises(UnknownValueError):
        syn.target_network(con, CITIES, by="kpi_id; drop table kpis")
    # The notebook takes the nodes and sources of the row network (they do not depend on `by`).
    alone = syn.target_network(con, CITIES, by="indicator")
    reused = syn.target_network(con, CITIES, by="indicator", nodes_of=syn.target_network(con, CITIES, by="row"))
    assert all(getattr(alone, part).equals(getattr(reused, part)) for part in ("nodes", "edges", "sources"))
    with pytest.raises(ValueError, match="nodes_of is the network of"):  # another selection's nodes: refused
        syn.target_network(con, CITIES[:1], by="indicator", nodes_of=syn.target_network(con, CITIES, by="row"))


def test_format_metrics_fixed_decimals(con):
    text = syn.format_metrics(syn.network_metrics(syn.target_network(con, CITIES), CITIES), "kpi_row")
    assert text.splitlines() == [
        "[kpi_row] hiratsuka: nodes=14 edges=5 density=0.055 components=9 largest=3 isolated=6 cross_goal_share=0.800",
        "[kpi_row] kaga: nodes=10 edges=0 density=0.000 components=10 largest=1 isolated=10 cross_goal_share=n/a",
        "[kpi_row] kumamoto: nodes=23 edges=26 density=0.103 components=8 largest=5 isolated=0 cross_goal_share=0.000",
    ]


def test_components_union_find():
    assert syn_network._components(["a", "b", "c", "d", "e"], [("a", "b"), ("b", "c"), ("d", "d")]) == [3, 1, 1]
    assert syn_network._components([], []) == []


def test_circular_layout_is_deterministic_and_ordered_by_goal(con):
    nodes = syn.target_network(con, ["hiratsuka"]).nodes
    layout = syn.circular_layout(nodes)
    assert layout.height == 14
    assert layout.equals(syn.circular_layout(nodes.reverse()))
    first = layout.row(0, named=True)  # the first target in goal order sits at the top
    assert first["target"] == "2.3" and first["x"] == pytest.approx(0.0, abs=1e-6) and first["y"] == pytest.approx(1.0)
    radii = [math.hypot(x, y) for x, y in layout.select("x", "y").rows()]
    assert all(r == pytest.approx(1.0) for r in radii)
    assert syn_network._target_key("12.b") > syn_network._target_key("12.10") > syn_network._target_key("12.2")


def test_network_and_metrics_charts(ctx, monkeypatch):
    network = syn.target_network(ctx.con, ctx.cities)
    merged = syn.target_network(ctx.con, ctx.cities, by="indicator")
    metrics = syn.network_metrics(network, ctx.cities)
    spec = syn.network_chart(ctx, network, metrics, merged).to_dict()
    # the headline city and its figures (26 edges from 10 KPI rows; the largest row cites 5 targets = 10 pairs)
    headline = ctx.w("synergy.network.headline", city=ctx.city("kumamoto"), edges=26, linking_rows=10, max_targets=5, top_row_pairs=10)
    assert spec["title"] == ctx.w("synergy.network.title", headline=headline, note="")
    merged_edges = ctx.w("synergy.network.panel_merged", n=6)
    assert [p["title"]["text"] for p in spec["concat"]] == [
        ctx.w("synergy.network.panel", city=ctx.city("hiratsuka"), nodes=14, edges=5, components=9, extra=""),
        ctx.w("synergy.network.panel_no_edge", city=ctx.city("kaga"), nodes=10, edges=0, components=10, extra=merged_edges),
        ctx.w("synergy.network.panel", city=ctx.city("kumamoto"), nodes=23, edges=26, components=8, extra=""),
    ]
    # the goal colours come from the sdg_goals reference table
    node_colours = [layer["encoding"]["color"]["scale"] for p in spec["concat"] for layer in p["layer"] if "color" in layer.get("encoding", {})]
    assert all(scale["range"] == [ctx.goal_colours[int(d.split(".")[0])] for d in scale["domain"]] for scale in node_colours)
    metric_spec = syn.metrics_chart(ctx, metrics).to_dict()
    assert metric_spec["title"] == ctx.w("synergy.metrics.title", city=ctx.city("kumamoto"), largest=5)
    rows = next(iter(metric_spec["datasets"].values()))
    kaga_share = [r for r in rows if r["city"] == ctx.city("kaga") and r["metric"] == ctx.w("synergy.metric.cross_goal_share")]
    assert kaga_share[0]["value"] is None and kaga_share[0]["label"] == ctx.w("synergy.metrics.no_edge")
    # no more cities than colours: each city its colour
    assert "color" in metric_spec["spec"]["layer"][0]["encoding"]
    monkeypatch.setattr(marks, "MANY_CITIES", 2)
    monkeypatch.setattr(network_figures, "TOP_NETWORKS", 1)
    top = syn.network_chart(ctx, network, metrics).to_dict()
    assert len(top["concat"]) == 1 and top["concat"][0]["title"]["text"].startswith(ctx.city("kumamoto"))
    histogram = syn.metrics_chart(ctx, metrics).to_dict()
    edges = ctx.w("synergy.metric.edges")
    assert sum(r["n_cities"] for r in next(iter(histogram["datasets"].values())) if r["metric"] == edges) == 3


def test_implied_chart_folds_the_cities_beyond_the_top_n(ctx):
    counts = syn.implied_counts(ctx.cities, syn.repeated_kpis(ctx.con, ctx.cities), syn.implied_side_links(ctx.con, ctx.cities),
                                syn.goal_links(ctx.con, ctx.cities), "economy-environment")
    few = syn.implied_chart(ctx, counts, "economy-environment").to_dict()
    assert few["title"] == ctx.w("synergy.implied.title", city=ctx.city("kaga"), total=7, note="")
    # many cities (made-up ids, a label is the id): the top marks.TOP_N by total, the rest in one bar
    ids = [f"city{i:02d}" for i in range(15)]
    many = pl.DataFrame({"city_id": ids, "n_side_pairs": list(range(15)), "n_goal_pairs": [1] * 15,
                         "n_goal_pairs_within_row": [1] * 15, "n_goal_pairs_across_printings": [0] * 15})
    spec = syn.implied_chart(dataclasses.replace(ctx, cities=ids), many, "economy-environment").to_dict()
    totals = next(rows for rows in spec["datasets"].values() if set(rows[0]) == {"city", "total"})
    assert [r["city"] for r in totals][:2] == ["city14", "city13"] and len(totals) == marks.TOP_N + 1
    assert totals[-1] == {"city": ctx.w("synergy.other_cities"), "total": sum(range(5)) + 5}
    assert spec["title"] == ctx.w("synergy.implied.title", city="city14", total=15,
                                  note=ctx.w("synergy.implied.note_top", n=marks.TOP_N))


def test_sources_of_names_documents_and_sections(con):
    sources = syn.sources_of(syn.goal_links(con, CITIES))
    assert sources["doc_id"].unique().sort().to_list() == ["hiratsuka_proposal_2022", "kaga_plan_2026"]
    assert "①「加賀市版 RE100」の推進" in sources["section"].to_list()


def test_english_labels(built_db):
    ctx = nb.setup(cities=["kumamoto", "kaga"], lang="en", database=built_db)
    try:
        table = syn.link_table(ctx, syn.link_kpis(ctx.con, ctx.cities, "society-environment"))
        assert table.columns[:2] == [ctx.w("synergy.column.city"), ctx.w("synergy.column.direction")]
        society, environment = ctx.label("side", "society"), ctx.label("side", "environment")
        assert table[ctx.w("synergy.column.direction")].to_list() == [
            f"{society}→{environment}", f"{environment}→{society}", f"{environment}→{society}"]
        assert table[ctx.w("synergy.column.published_achievement")].to_list() == ["-10%", "95%", "200%"]
        assert syn.names(ctx, ["kaga", "kumamoto", "kaga"], limit=2) == ctx.w(
            "synergy.names.more", shown=ctx.w("synergy.names.separator").join(["Kaga", "Kumamoto"]), rest=1)
        # no Japanese label in the English tables (indicator names as printed are data)
        assert not any(re.search("[\u3040-\u30ff\u4e00-\u9fff]", c.replace("再掲", "")) for c in table.columns)
    finally:
        ctx.con.close()


# ------------------------------------------------------------------------------------ notebook


def test_notebook_parameters_cell():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    first = notebook.cells[0]
    assert first.metadata.get("tags") == ["parameters"]
    assert 'pair: str = "economy-environment"' in first.source
    assert "cities: list[str] | None = None" in first.source and 'lang: str = "ja"' in first.source
    assert "database: str | None = None" in first.source
    setup = notebook.cells[1].source
    assert "syn.pair_sides(pair)" in setup and "nb.setup(" in setup and "database=database" in setup
    # words come from the catalogue, never from the notebook
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert not any(old in text for old in ("nb.say(", "nb.heading(", "ctx.t(", '"ja":'))
    checked = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) == 3 and all(c.outputs for c in checked)
