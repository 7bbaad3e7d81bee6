"""Tests for sdgcities.present.analyses.coverage against the real database.

Expected values were checked by hand against the raw documents and curated tables:

* Kumamoto (data/raw/kumamoto_progress_2022.txt lines 40-49): the section (4) overall table prints
  【】 target lists on its 10 rows (rows 4 and 7 are 【再掲】 of row 1, 【11.2,11.3,11.6,11.b】): 23
  distinct targets in goals 2, 3, 4, 6, 7, 9, 11, 15. Its other tables print no targets (20 rows). The
  23 priority targets were taken from the same lists (priority_targets.note, README of the document).
* Kaga (kaga_plan_2026): KPI targets 7.2, 11.6, 12.2 / 9.5 / 4.4, 17.17 / 17.17 (initiatives ①-④, no side),
  8.3 (economy), 5.b, 10.2, 11.6 (society), 7.2, 11.6, 13.3 (environment) = 10 targets in 10 goals.
  Priority tables (section (4)): economy 8.3, 9.5, 12.b, 17.17; society 5.b, 10.2, 11.6, 17.17;
  environment 7.2, 11.6, 13.3, 14.1, 15.3, 17.17 (raw lines 157-158, 208-210: 12.b, 14.1 and 15.3 print
  no KPI). The 11 security rows of kaga_smartcity_2021 print no target.
* Hiratsuka: redacted KPI rows with targets 8.2, 8.3, 2.3 / 3.4 / 7.3, 7.3 (initiatives) and model
  project tables society 8.5+10.2, 8.6 and environment 7.2+12.2, 4.7+13.3, 12.2+12.5, 12.8+13.3; the 6
  synergy rows print none. Priority targets = the model tables' target column (9 distinct).

Sets compared (KPI targets + priority list): Kaga 13 targets / 12 goals, Kumamoto 23 / 8, Hiratsuka 14 / 8.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from sdgcities.access.api import UnknownValueError
from sdgcities.present import marks
from sdgcities.present.analyses import coverage
from sdgcities.present.notebook import MAX_CITED_DOCUMENTS

CITIES = ["kaga", "kumamoto", "hiratsuka"]


def by_city(frame: pl.DataFrame, column: str) -> dict:
    return dict(zip(frame["city_id"], frame[column]))


def pair_values(pairs: pl.DataFrame) -> dict[frozenset, tuple[int, int, float]]:
    return {frozenset((r["city_a"], r["city_b"])): (r["n_inter"], r["n_union"], r["jaccard"]) for r in pairs.iter_rows(named=True)}


# --------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("side, level, bad", [("river", "goal", "river"), ("all", "city", "city"), ("All", "goal", "All")])
def test_bad_parameters_name_the_value_and_the_valid_ones(side, level, bad):
    with pytest.raises(UnknownValueError) as error:
        coverage.check_parameters(side, level)
    message = str(error.value)
    assert repr(bad) in message
    assert ("economy" in message) if bad != "city" else ("goal, target" in message)


def test_injection_attempt_is_only_an_unknown_city(con):
    summary = coverage.city_summary(con, ["kaga'; drop table kpis; --"], "all")
    assert summary.height == 1 and summary["n_goals_kpi"][0] == 0
    assert con.sql("select count(*) from kpis").fetchall()[0][0] == 73


# --------------------------------------------------------------------------------- goal counts


def test_goal_and_target_counts_per_city(con):
    summary = coverage.city_summary(con, CITIES, "all")
    assert summary["city_id"].to_list() == CITIES  # order given is kept
    assert by_city(summary, "n_goals_kpi") == {"kaga": 10, "kumamoto": 8, "hiratsuka": 8}
    assert by_city(summary, "n_targets_kpi") == {"kaga": 10, "kumamoto": 23, "hiratsuka": 14}
    assert by_city(summary, "n_goals_priority") == {"kaga": 11, "kumamoto": 8, "hiratsuka": 6}
    assert by_city(summary, "n_targets_priority") == {"kaga": 11, "kumamoto": 23, "hiratsuka": 9}
    assert by_city(summary, "n_kpi_rows_no_target") == {"kaga": 11, "kumamoto": 20, "hiratsuka": 6}
    # Kumamoto's untargeted rows include 8 printings of indicators that the overall table maps.
    assert by_city(summary, "n_kpi_rows_no_target_indicator_mapped")["kumamoto"] == 8
    assert by_city(summary, "n_kpi_rows_redacted") == {"kaga": 0, "kumamoto": 0, "hiratsuka": 18}
    assert by_city(summary, "n_kpi_rows_with_actual")["kaga"] == 0


def test_goal_cells_count_indicators_and_repeats(con):
    cells = coverage.goal_cells(con, CITIES, "all")
    assert cells.height == 3 * 17
    cell = {(r["city_id"], r["sdg_goal"]): r for r in cells.iter_rows(named=True)}
    # Kumamoto goal 11: one indicator printed three times (rows 1, 4 and 7; 4 and 7 are 【再掲】).
    k11 = cell[("kumamoto", 11)]
    assert (k11["n_indicators"], k11["n_kpi_rows"], k11["n_repeat_rows"]) == (1, 3, 2)
    assert k11["kpi_targets"] == ["11.2", "11.3", "11.6", "11.b"]
    # Targets in SDG order (numbers before letters), not text order.
    assert cell[("kumamoto", 4)]["kpi_targets"] == ["4.2", "4.4", "4.5", "4.7", "4.a"]
    # Kaga goal 17: two indicators (17.17), both printed as repeats (再掲) in the initiative tables.
    k17 = cell[("kaga", 17)]
    assert (k17["n_indicators"], k17["n_kpi_rows"], k17["n_repeat_rows"]) == (2, 2, 2)
    # Kaga goal 14 is a priority goal (14.1) without any KPI; goal 1 is neither.
    assert cell[("kaga", 14)]["is_priority"] and cell[("kaga", 14)]["n_indicators"] == 0
    assert not cell[("kaga", 1)]["is_priority"] and cell[("kaga", 1)]["n_indicators"] == 0
    # Hiratsuka goal 8: 4 redacted indicators (8.2, 8.3, 8.5+10.2, 8.6): counted, names unknown.
    h8 = cell[("hiratsuka", 8)]
    assert (h8["n_indicators"], h8["n_redacted_indicators"], list(h8["indicator_names"])) == (4, 4, [])
    assert h8["kpi_targets"] == ["8.2", "8.3", "8.5", "8.6"] and h8["priority_targets"] == ["8.5", "8.6"]


def test_goal_counts_printed_check(con):
    text = coverage.format_goal_counts(coverage.city_summary(con, CITIES, "all"), "all")
    assert text.splitlines() == [
        "goals covered by KPIs (side=all):",
        "  hiratsuka: 8 goals, 14 targets, 12 indicators; priority 6 goals / 9 targets",
        "  kaga: 10 goals, 10 targets, 9 indicators; priority 11 goals / 11 targets",
        "  kumamoto: 8 goals, 23 targets, 8 indicators; priority 8 goals / 23 targets",
    ]


def test_targets_are_ranked_once_in_sdg_order(con):
    rank = dict(con.sql("select target, target_rank from sdg_targets").fetchall())
    assert sorted(rank.values()) == list(range(1, 170))
    # numbers by number (17.9 before 17.10), then the lettered targets (12.8, 12.a, 12.b, 12.c, then goal 13)
    assert rank["17.9"] < rank["17.10"] < rank["17.19"]
    assert rank["12.8"] < rank["12.a"] < rank["12.b"] < rank["12.c"] < rank["13.1"]


def test_city_summary_is_the_model_of_the_build(con):
    """The per-city counts are read from city_sdg_coverage (one row per city and side scope), not
    recomputed by the analysis."""
    for side in ("all", "economy", "society", "environment"):
        model = con.sql("select * exclude (side_scope) from city_sdg_coverage where side_scope = $side order by city_id",
                        params={"side": side}).pl()
        assert coverage.city_summary(con, sorted(CITIES), side).equals(model)


# --------------------------------------------------------------------------------- sides


def test_side_keeps_only_tables_of_that_side(con):
    society = coverage.target_cells(con, CITIES, "society")
    kaga = society.filter(pl.col("city_id") == "kaga")
    # Society KPIs 5.b, 10.2, 11.6 and the society priority list (adds 17.17, no KPI on this side).
    assert kaga.filter(pl.col("is_kpi"))["sdg_target"].to_list() == ["5.b", "10.2", "11.6"]
    assert kaga.filter(pl.col("is_priority"))["sdg_target"].to_list() == ["5.b", "10.2", "11.6", "17.17"]
    # Kumamoto's side tables print no targets and its priority list has no side: nothing on a side.
    assert society.filter(pl.col("city_id") == "kumamoto").height == 0


def test_economy_side(con):
    summary = coverage.city_summary(con, CITIES, "economy")
    assert by_city(summary, "n_goals_kpi") == {"kaga": 1, "kumamoto": 0, "hiratsuka": 0}
    assert by_city(summary, "n_kpi_rows_side") == {"kaga": 1, "kumamoto": 2, "hiratsuka": 0}
    # No priority list on the economy side: unmeasured is NULL, not 0.
    assert by_city(summary, "n_priority_targets_unmeasured") == {"kaga": 3, "kumamoto": None, "hiratsuka": None}
    unmeasured = coverage.unmeasured_priorities(con, CITIES, "economy")
    assert unmeasured["city_id"].to_list() == ["kaga"]
    assert unmeasured["unmeasured_targets"].to_list() == [["9.5", "12.b", "17.17"]]


def test_environment_side_counts_17_17_as_unmeasured(con):
    # 17.17 is measured only by Kaga's initiative KPIs, which have no side.
    unmeasured = coverage.unmeasured_priorities(con, CITIES, "environment")
    kaga = unmeasured.filter(pl.col("city_id") == "kaga").row(0, named=True)
    assert kaga["unmeasured_targets"] == ["14.1", "15.3", "17.17"]
    assert kaga["unmeasured_goals"] == [14, 15, 17]
    summary = coverage.city_summary(con, CITIES, "environment")
    assert by_city(summary, "n_goals_kpi") == {"kaga": 3, "kumamoto": 0, "hiratsuka": 4}
    assert by_city(summary, "n_targets_kpi") == {"kaga": 3, "kumamoto": 0, "hiratsuka": 6}


# --------------------------------------------------------------------------------- sharing, Jaccard


def test_shared_and_unique_goals(con):
    sharing = coverage.item_sharing(con, CITIES, "all", "goal")
    share = dict(zip(sharing["item"], sharing["share"]))
    assert sorted(int(g) for g, s in share.items() if s == "all") == [4, 7]
    assert sorted(int(g) for g, s in share.items() if s == "unique") == [5, 6, 14, 17]
    assert "1" not in share and "16" not in share
    s = coverage.sharing_summary(sharing, CITIES)
    assert (s["n_items"], s["n_all"], s["n_some"], s["n_unique"]) == (15, 2, 9, 4)
    assert s["unique_per_city"] == {"kaga": 3, "kumamoto": 1, "hiratsuka": 0}


def test_shared_and_unique_targets(con):
    sharing = coverage.item_sharing(con, CITIES, "all", "target")
    s = coverage.sharing_summary(sharing, CITIES)
    assert (s["n_items"], s["n_all"], s["n_some"], s["n_unique"]) == (39, 1, 9, 29)
    assert sharing.filter(pl.col("share") == "all")["item"].to_list() == ["7.2"]
    assert s["unique_per_city"] == {"kaga": 6, "kumamoto": 17, "hiratsuka": 6}
    kaga_only = sharing.filter((pl.col("share") == "unique") & (pl.col("cities").list.first() == "kaga"))
    assert kaga_only["item"].to_list() == ["5.b", "9.5", "12.b", "14.1", "15.3", "17.17"]


def test_sharing_with_one_active_city_is_not_a_comparison(con):
    sharing = coverage.item_sharing(con, CITIES, "economy", "target")
    assert set(sharing["share"]) == {"single"}
    s = coverage.sharing_summary(sharing, CITIES)
    assert (s["n_active"], s["n_items"], s["n_unique"]) == (1, 4, 0)


def test_jaccard_goal_level(con):
    values = pair_values(coverage.jaccard(con, CITIES, "all", "goal"))
    assert values[frozenset(("kaga", "kumamoto"))][:2] == (5, 15)
    assert values[frozenset(("kaga", "hiratsuka"))][:2] == (6, 14)
    assert values[frozenset(("kumamoto", "hiratsuka"))][:2] == (4, 12)
    assert values[frozenset(("kaga", "hiratsuka"))][2] == pytest.approx(6 / 14)


def test_jaccard_target_level_and_printed_check(con):
    pairs = coverage.jaccard(con, CITIES, "all", "target")
    values = pair_values(pairs)
    assert values[frozenset(("kaga", "kumamoto"))][:2] == (3, 33)  # 4.4, 7.2, 11.6
    assert values[frozenset(("kaga", "hiratsuka"))][:2] == (5, 22)  # 7.2, 8.3, 10.2, 12.2, 13.3
    assert values[frozenset(("kumamoto", "hiratsuka"))][:2] == (4, 33)  # 2.3, 4.7, 7.2, 7.3
    assert coverage.format_jaccard(pairs, "target").splitlines() == [
        "jaccard (target level):",
        "  hiratsuka-kaga: 0.227 (5/22)",
        "  hiratsuka-kumamoto: 0.121 (4/33)",
        "  kaga-kumamoto: 0.091 (3/33)",
    ]


def test_jaccard_of_two_empty_sets_is_null_not_zero(con):
    values = pair_values(coverage.jaccard(con, CITIES, "economy", "goal"))
    assert values[frozenset(("kumamoto", "hiratsuka"))] == (0, 0, None)
    assert values[frozenset(("kaga", "hiratsuka"))] == (0, 4, 0.0)


# --------------------------------------------------------------------------------- unmeasured priorities


def test_unmeasured_priority_targets(con):
    unmeasured = coverage.unmeasured_priorities(con, CITIES, "all")
    rows = {r["city_id"]: r for r in unmeasured.iter_rows(named=True)}
    assert rows["kaga"]["unmeasured_targets"] == ["12.b", "14.1", "15.3"]
    assert rows["kaga"]["unmeasured_goals"] == [14, 15]  # 12 is measured through 12.2
    assert not rows["kaga"]["derived_from_kpi_table"]
    for city, n in (("kumamoto", 23), ("hiratsuka", 9)):
        # Lists taken from KPI tables (priority_targets.note): 0 unmeasured by construction.
        assert rows[city]["n_unmeasured_targets"] == 0
        assert rows[city]["derived_from_kpi_table"]
        assert rows[city]["n_priority_targets"] == n
    assert coverage.format_unmeasured(unmeasured, CITIES, "all").splitlines() == [
        "priority targets without a KPI (side=all):",
        "  hiratsuka: 0 of 9 targets (-); goals 0 of 6 (-) [list taken from KPI table]",
        "  kaga: 3 of 11 targets (12.b, 14.1, 15.3); goals 2 of 11 (14, 15)",
        "  kumamoto: 0 of 23 targets (-); goals 0 of 8 (-) [list taken from KPI table]",
    ]


# --------------------------------------------------------------------------------- charts and notebook


@pytest.fixture
def ctx(built_db):
    from sdgcities.present import notebook as nb

    context = nb.setup(lang="en", database=built_db)
    yield context
    context.con.close()


def test_heatmap_marks_priority_goals_and_uses_goal_colours(ctx):
    summary = coverage.city_summary(ctx.con, ctx.cities, "all")
    cells = coverage.goal_cells(ctx.con, ctx.cities, "all")
    spec = coverage.goal_heatmap(ctx, cells, summary, "all").to_dict()
    assert spec["title"]["text"] == ctx.w("coverage.heatmap.title_few", counts="Hiratsuka 8, Kaga 10, Kumamoto 8")
    rows = [r for data in spec["datasets"].values() for r in data if "city" in r]
    kaga14 = next(r for r in rows if r["city"] == "Kaga" and r["goal"] == "14")
    assert (kaga14["star"], kaga14["count"], kaga14["stroke"]) == ("★", "", "#0A97D9")
    kaga11 = next(r for r in rows if r["city"] == "Kaga" and r["goal"] == "11")
    assert (kaga11["count"], kaga11["fill"]) == ("3", "#FD9D24") == ("3", ctx.goal_colours[11])
    hiratsuka8 = next(r for r in rows if r["city"] == "Hiratsuka" and r["goal"] == "8")
    assert ctx.w("coverage.names.redacted", n=4) in hiratsuka8["names"]


def test_other_charts_render(ctx):
    from sdgcities.present import charts

    summary = coverage.city_summary(ctx.con, ctx.cities, "all")
    cells = coverage.goal_cells(ctx.con, ctx.cities, "all")
    targets = coverage.target_cells(ctx.con, ctx.cities, "all")
    items = coverage.city_items(ctx.con, ctx.cities, "all", "target")
    pairs = coverage.jaccard(ctx.con, ctx.cities, "all", "target")
    matrix = coverage.target_matrix_chart(ctx, targets, summary, "all").to_dict()
    assert matrix["title"]["text"] == ctx.w("coverage.matrix.title", shared=10, n=39, n_cities=3)
    jac = coverage.jaccard_chart(ctx, pairs, items, "target").to_dict()
    assert jac["title"]["text"] == ctx.w("coverage.jaccard.title_top", a="Hiratsuka", b="Kaga", level="targets", value=5 / 22)
    per_goal = coverage.kpis_per_goal_chart(ctx, cells, summary, "all")
    assert per_goal.to_dict()["title"]["text"] == ctx.w("coverage.per_goal.chart_other", city="Hiratsuka", goal=ctx.goal(8), n=4)
    width, height = charts.png_size(charts.static_png(per_goal.to_dict(), scale=1))
    assert width > 300 and height > 200


def test_notebook_is_clean_and_parameterised():
    from pathlib import Path

    from sdgcities.publish import nbstore

    path = Path(__file__).resolve().parents[1] / "notebooks" / "coverage.ipynb"
    assert nbstore.problems(path) == []


# --------------------------------------------------------------------------------- many cities


@pytest.fixture
def many(built_db, tmp_path):
    """A database of 40 copies of each real city (120 cities), some copies losing target rows."""
    path = tmp_path / "many.duckdb"
    con = duckdb.connect(str(path))
    con.sql(f"attach '{built_db}' as r (read_only)")
    con.sql("create table copies as select range as i from range(40)")
    con.sql("create table sdg_goals as select * from r.sdg_goals")
    con.sql("create table sdg_targets as select * from r.sdg_targets")
    con.sql("create table cities as select * replace (city_id || '_' || i as city_id) from r.cities, copies")
    con.sql("create table documents as select * replace (doc_id || '_' || i as doc_id, city_id || '_' || i as city_id) from r.documents, copies")
    con.sql("create table kpis as select * replace (kpi_id || '_' || i as kpi_id, city_id || '_' || i as city_id, "
            "doc_id || '_' || i as doc_id, indicator_key || '_' || i as indicator_key) from r.kpis, copies")
    con.sql("create table kpi_sdg_targets as select * replace (kpi_id || '_' || i as kpi_id, city_id || '_' || i as city_id, "
            "doc_id || '_' || i as doc_id, indicator_key || '_' || i as indicator_key) from r.kpi_sdg_targets, copies "
            "where i = 0 or (i + len(sdg_target)) % 3 <> 0")
    con.sql("create table priority_targets as select * replace (city_id || '_' || i as city_id, doc_id || '_' || i as doc_id) "
            "from r.priority_targets, copies")
    # The per-city counts are a model of the build: compute it over the copies as the build does.
    model = Path(__file__).resolve().parents[1] / "sql" / "marts" / "city_sdg_coverage.sql"
    con.sql("create view city_sdg_coverage as " + model.read_text(encoding="utf-8"))
    con.close()
    return path


def test_many_cities_stay_bounded(many):
    from sdgcities.present import notebook as nb

    ctx = nb.setup(lang="ja", database=many)
    try:
        cities = ctx.cities
        assert len(cities) == 120
        summary = coverage.city_summary(ctx.con, cities, "all")
        assert summary.height == 120
        # The unchanged copies keep the real counts.
        assert by_city(summary, "n_goals_kpi")["kaga_0"] == 10
        shown = coverage.top_cities(summary)
        assert len(shown) == marks.MANY_CITIES
        pairs = coverage.jaccard(ctx.con, cities, "all", "goal")
        assert pairs.height == marks.MANY_CITIES * (marks.MANY_CITIES - 1) // 2
        cells = coverage.goal_cells(ctx.con, cities, "all")
        heatmap = coverage.goal_heatmap(ctx, cells, summary, "all").to_dict()
        drawn = {r["city"] for data in heatmap["datasets"].values() for r in data if "city" in r}
        assert len(drawn) == marks.MANY_CITIES
        reach = coverage.goal_reach_chart(ctx, cells).to_dict()
        assert "120" in reach["title"]["text"]
        printed = coverage.format_goal_counts(summary, "all").splitlines()
        assert len(printed) == 2 + marks.MANY_CITIES + 1 and printed[-1] == "  ... and 112 more cities"
        prov = coverage.provenance(ctx.con, cities, "all")
        citation = coverage.sources(ctx, prov, shown)
        assert prov["doc_id"].n_unique() > MAX_CITED_DOCUMENTS
        cited = citation.count("[")  # the documents of the cities drawn, then how many more
        assert cited <= MAX_CITED_DOCUMENTS
        assert citation.endswith(ctx.w("coverage.more_documents", n=prov["doc_id"].n_unique() - cited))
    finally:
        ctx.con.close()
