"""Headlines that say how much they rest on, on the real database: n beside every centre value, points
instead of boxes below three values, the periods and document types of compared rows, what the
edges of the target networks count, and no raw "null" in a tooltip.

Figures checked by hand against data/curated/*/kpis.csv: Kaga's goal 12 has one KPI row with an
ambition value (596.8 % per year); Kaga's ambition rows run from 2020年度 to 2025年8月 baselines to
2030 targets (plan 2026), Kumamoto's from 2014年度–2017年度 to 2021–2030 (progress sheet 2022).
"""

from __future__ import annotations

from itertools import combinations

import polars as pl
import pytest

from sdgcities.present.analyses import achievement as ach
from sdgcities.present import marks
from sdgcities.present.analyses.achievement import small_n
from sdgcities.present.analyses import synergy as syn
from test_analyses_achievement import make_ctx


@pytest.fixture(params=["ja", "en"])
def ctx(con, request):
    return make_ctx(con, lang=request.param)


def datasets_of(spec: dict, mark: str) -> list[list[dict]]:
    """The data rows of every layer drawn with `mark` (a layer chart's spec, datasets by name)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            kind = node.get("mark")
            kind = kind.get("type") if isinstance(kind, dict) else kind
            if kind == mark and "data" in node:
                found.append(spec["datasets"][node["data"]["name"]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def tooltip_fields(node) -> set[str]:
    fields: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "tooltip":
                fields |= {t["field"] for t in (value if isinstance(value, list) else [value]) if isinstance(t, dict) and "field" in t}
            fields |= tooltip_fields(value)
    elif isinstance(node, list):
        for value in node:
            fields |= tooltip_fields(value)
    return fields


def test_a_median_of_one_value_is_called_a_single_value_with_n(con):
    ctx = make_ctx(con, lang="en")
    by_goal = ach.ambition_by_goal(ctx)
    kaga_12 = by_goal.filter((pl.col("city_id") == "kaga") & (pl.col("sdg_goal") == 12)).row(0, named=True)
    assert kaga_12["n_kpis"] == 1 and round(kaga_12["median_ambition_pct"], 1) == 596.8
    title = ach.ambition_goal_chart(ctx, by_goal).to_dict()["title"]["text"]
    assert "596.8" in title and "(n=1)" in title and "median" not in title
    # every bar carries its n
    spec = ach.ambition_goal_chart(ctx, by_goal).to_dict()
    rows = spec["datasets"][spec["data"]["name"]] if "data" in spec else next(iter(spec["datasets"].values()))
    assert {r["n_text"] for r in rows} == {f"n={n}" for n in by_goal["n_kpis"].to_list()}


def test_centre_text_names_n_and_what_the_centre_is(ctx):
    one, two, five = (small_n.centre_text(ctx, 596.8, n) for n in (1, 2, 5))
    assert "(n=1)" in one.replace("（", "(").replace("）", ")")
    assert all(f"n={n}" in text for n, text in ((1, one), (2, two), (5, five)))
    assert len({one.split(" ")[0], two.split(" ")[0], five.split(" ")[0]}) == 3  # three different names


@pytest.mark.parametrize("rule", ["progress", "un_cr"])
def test_boxes_only_for_groups_of_three_or_more_values(con, rule):
    ctx = make_ctx(con)
    evaluated = ach.evaluate_rows(ctx, rule)
    counts = dict(evaluated.filter(pl.col("score").is_not_null()).group_by("group").len().iter_rows())
    small = {g for g, n in counts.items() if n < marks.MIN_BOX}
    assert small, "the real data has groups of one or two values (Kumamoto's environment and society rows)"
    spec = ach.distribution_chart(ctx, evaluated, rule).to_dict()
    boxes = datasets_of(spec, "bar")
    assert boxes and all(r["n"] >= marks.MIN_BOX for rows in boxes for r in rows)
    assert {r["group"] for rows in boxes for r in rows} == {g for g, n in counts.items() if n >= marks.MIN_BOX}
    # the small groups are still drawn, as points (one per KPI row)
    points = datasets_of(spec, "circle")
    assert {r["group"] for rows in points for r in rows} >= small


def test_ambition_boxes_and_points_on_real_data(con):
    ctx = make_ctx(con)
    amb = ach.ambition(ctx)
    values = amb.filter(pl.col("ambition_pct").is_not_null())
    counts = dict(values.group_by("group").len().iter_rows())
    spec = ach.ambition_chart(ctx, amb).to_dict()
    boxed = {r["group"] for rows in datasets_of(spec, "bar") for r in rows}
    assert boxed == {g for g, n in counts.items() if n >= marks.MIN_BOX}
    assert len(counts) - len(boxed) == 4  # four city/side groups hold one or two rows
    # n in the title for each city, equal to its rows with a value
    title = spec["title"]["text"]
    for city, n in values.group_by("city").len().iter_rows():
        assert f"{city} median" in title and f"(n={n})" in title


def test_small_groups_become_points_when_points_are_pooled():
    stats = pl.DataFrame({"group": ["a", "b", "c"], "low": [1.0, 2.0, 0.0], "high": [1.0, 5.0, 9.0],
                          "n": [1, 2, 7]}).with_columns(pl.col("low").alias("low_shown"), pl.col("high").alias("high_shown"))
    points = marks.small_group_points(stats, "group").sort("group", "value")
    assert points.select("group", "value").rows() == [("a", 1.0), ("b", 2.0), ("b", 5.0)]
    assert marks.box_groups(stats)["group"].to_list() == ["c"]


def test_periods_and_document_types_of_the_ambition_rows(con):
    ctx = make_ctx(con, lang="ja")
    rows = ach.ambition(ctx).filter(pl.col("ambition_pct").is_not_null())
    periods = small_n.periods(ctx, rows)
    assert periods.rows() == [
        ("kaga", "2020年度–2025年8月", "2030年", "計画"),
        ("kumamoto", "2014年度–2017年度", "2021年–2030年度", "進捗評価シート"),
    ]
    # derived from the data: the years match the rows' own minimum and maximum
    years = rows.group_by("city_id").agg(pl.col("baseline_year").min(), pl.col("target_year").max()).sort("city_id")
    assert years.rows() == [("kaga", 2020, 2030), ("kumamoto", 2014, 2030)]
    note = small_n.periods_note(ctx, rows)
    assert all(text in note for text in ("2020年度–2025年8月", "2014年度–2017年度", "計画", "進捗評価シート"))
    # one city alone: nothing to warn about
    assert small_n.periods_note(ctx, rows.filter(pl.col("city_id") == "kaga")) == ""
    spec = ach.ambition_chart(ctx, ach.ambition(ctx)).to_dict()
    assert note in spec["title"]["subtitle"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_with_many_cities_the_periods_note_counts_instead_of_naming(con, monkeypatch, lang):
    """Above marks.MANY_CITIES the periods note gives how many cities, periods and sets of document types there
    are and the most common periods with their number of cities, and names no city; the counts are made here
    from the rows."""
    ctx = make_ctx(con, lang=lang)
    rows = ach.ambition(ctx).filter(pl.col("ambition_pct").is_not_null())
    per_city = small_n.periods(ctx, rows)
    monkeypatch.setattr(marks, "MANY_CITIES", 1)  # the two cities with rows are "many" now
    said: list[tuple[str, dict]] = []
    words = ctx.w

    def recording(key, **params):
        said.append((key, params))
        return words(key, **params)

    monkeypatch.setattr(ctx, "w", recording)
    note = small_n.periods_note(ctx, rows)
    many = [params for key, params in said if key == "achievement.periods.many"]
    assert len(many) == 1 and note
    assert many[0]["n_cities"] == rows["city_id"].n_unique() == 2
    assert many[0]["n_periods"] == per_city.select("baseline", "target").unique().height == 2
    assert many[0]["n_types"] == per_city["doc_types"].n_unique() == 2
    items = [params for key, params in said if key == "achievement.periods.item_many"]
    # each city has its own period here, so each listed period counts one city; every period is listed
    assert sorted((i["baseline"], i["target"], i["count"]) for i in items) == sorted(
        (ctx.printed(b), ctx.printed(t), 1) for b, t in per_city.select("baseline", "target").rows())
    assert not any(ctx.city(city) in note for city in per_city["city_id"])


def test_network_edges_are_explained_by_the_rows_that_print_several_targets(con):
    ctx = make_ctx(con)
    network = syn.target_network(con, ctx.cities)
    metrics = syn.network_metrics(network, ctx.cities)
    links = syn.row_links(con, ctx.cities, metrics)
    targets = con.sql("select city_id, kpi_id, list(distinct sdg_target) as t from kpi_sdg_targets group by all").pl()
    for city in ctx.cities:
        rows = targets.filter(pl.col("city_id") == city)["t"].to_list()
        pairs = {tuple(sorted(p)) for t in rows for p in combinations(t, 2)}
        expected = (len(pairs), sum(1 for t in rows if len(t) >= 2), max((len(t) for t in rows), default=0))
        got = links.filter(pl.col("city_id") == city).select("edges", "linking_rows", "max_targets_per_row").row(0)
        assert got == expected, city
    kumamoto = links.filter(pl.col("city_id") == "kumamoto").row(0, named=True)
    assert (kumamoto["edges"], kumamoto["linking_rows"], kumamoto["max_targets_per_row"], kumamoto["top_row_pairs"]) == (26, 10, 5, 10)
    title = syn.network_chart(ctx, network, metrics).to_dict()["title"]
    assert "26" in title and "densest" not in title


def test_no_tooltip_field_is_null_in_the_achievement_charts(con):
    ctx = make_ctx(con)
    evaluated = ach.evaluate_rows(ctx, "progress")
    specs = [
        ach.matrix_chart(ctx, ach.rule_matrix(ctx)).to_dict(),
        ach.distribution_chart(ctx, evaluated, "progress").to_dict(),
        ach.ambition_chart(ctx, ach.ambition(ctx)).to_dict(),
        ach.ambition_goal_chart(ctx, ach.ambition_by_goal(ctx)).to_dict(),
    ]
    for spec in specs:
        fields = tooltip_fields(spec)
        nulls = {(f, name) for name, rows in spec.get("datasets", {}).items() for r in rows for f in fields
                 if f in r and r[f] is None}
        assert nulls == set(), spec["title"]
