"""The analyses give their rows and list elements in a fixed order, whatever order the database
holds its rows in (a parallel hash aggregation at 1,741 cities returns them in a different order on
each run). Each query runs on the real database and on a copy whose tables hold the same rows in
reverse insertion order; the results must be equal, lists included.
"""

from __future__ import annotations

import shutil
import types

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sdgcities.access import api
from sdgcities.build import dbfile
from sdgcities.present.analyses.data_quality import data as dq_data
from sdgcities.present.analyses.synergy import data as syn_data

CITIES = ["hiratsuka", "kaga", "kumamoto"]


@pytest.fixture(scope="module")
def reversed_db(built_db, tmp_path_factory):
    """A copy of the real database with every table's rows inserted in reverse order."""
    target = tmp_path_factory.mktemp("reversed") / "sdgs.duckdb"
    shutil.copy(built_db, target)
    con = duckdb.connect(str(target))
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where not temporary and not internal").fetchall()]
    for table in tables:
        con.execute(f'create temp table _rows as select * from "{table}" order by rowid desc')
        con.execute(f'delete from "{table}"')
        con.execute(f'insert into "{table}" select * from _rows')
        con.execute("drop table _rows")
    first = con.execute("select stakeholder_id from stakeholders limit 1").fetchone()[0]
    con.close()
    # With the readers' configuration: another module's connection to the same file may still be open,
    # and DuckDB refuses a second connection to a file with a different one.
    original = dbfile.open_read_only(built_db)
    assert first != original.execute("select stakeholder_id from stakeholders limit 1").fetchone()[0], "rows were not reversed"
    original.close()
    return target


@pytest.fixture(scope="module")
def both(built_db, reversed_db):
    cons = [api.connect(built_db), api.connect(reversed_db)]
    yield cons
    for c in cons:
        c.close()


def _source_key(source: dict) -> tuple:
    # DuckDB sorts a struct with a NULL field after the same struct with a value
    return (source["doc_id"], source["section"] is None, source["section"] or "")


@pytest.mark.parametrize("query", [syn_data.goal_links, syn_data.repeated_kpis])
def test_synergy_sources_in_document_order_whatever_the_row_order(both, query):
    frames = [query(c, CITIES) for c in both]
    assert_frame_equal(frames[0], frames[1])
    sources = frames[0]["sources"].to_list()
    assert sum(len(s) > 1 for s in sources) >= 5  # the check compares real lists, not single elements
    for listed in sources:
        assert listed == sorted(listed, key=_source_key)
        assert len({(s["doc_id"], s["section"]) for s in listed}) == len(listed)


def test_agreements_same_whatever_the_row_order(both):
    frames = [api.agreements(c).sort("city_id", "partner_key", "agreed_on") for c in both]
    assert frames[0].height > 0
    assert_frame_equal(frames[0], frames[1])


def test_fold_cities_rows_in_chart_order_whatever_the_input_order():
    """With more cities than rows, the folded rows come in the order returned (largest city first,
    the pooled rest last), then by rule, also when the counts arrive in another order."""
    ctx = types.SimpleNamespace(city=lambda c: c.upper())
    counts = pl.DataFrame({
        "city_id": [c for c in "abcdef" for _ in range(3)],
        "rule": ["progress", "ratio", "neither"] * 6,
        "n": [6, 1, 2, 5, 2, 2, 4, 1, 1, 3, 3, 1, 2, 2, 2, 1, 1, 1],
    }).with_columns(pl.col("city_id").str.to_uppercase().alias("city_label"))
    results = [dq_data.fold_cities(ctx, frame, 3, "OTHER") for frame in (counts, counts.reverse(), counts.sample(fraction=1.0, shuffle=True, seed=3))]
    folded, order = results[0]
    assert order == ["A", "B", "OTHER"]
    assert folded.rows() == [("A", "neither", 2), ("A", "progress", 6), ("A", "ratio", 1),
                             ("B", "neither", 2), ("B", "progress", 5), ("B", "ratio", 2),
                             ("OTHER", "neither", 5), ("OTHER", "progress", 10), ("OTHER", "ratio", 7)]
    for other, other_order in results[1:]:
        assert other_order == order
        assert_frame_equal(other, folded)


# --------------------------------------------------------------------------- charts with many cities

def _datasets(chart) -> list:
    """The rows of a chart's datasets, in the order the chart holds them."""
    return list(chart.to_dict()["datasets"].values())


@pytest.fixture
def many(monkeypatch):
    """Three cities count as many: the charts pool them as they pool 1,741."""
    from sdgcities.present import marks

    monkeypatch.setattr(marks, "MANY_CITIES", 2)


@pytest.fixture(scope="module")
def contexts(built_db, reversed_db):
    from sdgcities.present import notebook as nb

    made = [nb.setup(lang="en", database=str(db)) for db in (built_db, reversed_db)]
    yield made
    for ctx in made:
        ctx.con.close()


def test_metrics_histogram_bins_low_to_high_whatever_the_row_order(contexts, many):
    from sdgcities.present.analyses import synergy as syn
    from sdgcities.present.analyses.synergy import network_figures

    ctx = contexts[0]
    metrics = syn.network_metrics(syn.target_network(ctx.con, ctx.cities, by="row"), ctx.cities)
    shown = [_datasets(network_figures.metrics_chart(ctx, frame)) for frame in (metrics, metrics.reverse())]
    assert shown[0] == shown[1]
    for metric in {r["metric"] for r in shown[0][0]}:
        starts = [r["start"] for r in shown[0][0] if r["metric"] == metric]
        assert starts == sorted(starts)


def test_yearly_agreements_by_year_and_kind_whatever_the_row_order(contexts, many):
    from sdgcities.present.analyses import stakeholders as st

    shown = []
    for ctx in contexts:
        dated = st.agreements(ctx)
        shown += [_datasets(st.timeline_chart(ctx, dated)), _datasets(st.timeline_chart(ctx, dated.reverse()))]
    assert all(s == shown[0] for s in shown[1:])
    rows = shown[0][0]
    assert len(rows) >= 3
    assert [(r["year"], r["category"]) for r in rows] == sorted((r["year"], r["category"]) for r in rows)


def test_published_density_cells_in_order_whatever_the_row_order(contexts, monkeypatch):
    from sdgcities.present.analyses import achievement as ach
    from sdgcities.present.analyses.achievement import figures

    monkeypatch.setattr(figures, "MAX_POINTS", 1)  # the pre-binned density drawn for very many rows
    shown = []
    for ctx in contexts:
        comparison = ach.published_comparison(ctx, ach.evaluate_rows(ctx, "progress"), "progress")
        shown += [_datasets(figures.published_chart(ctx, frame, "progress")) for frame in (comparison, comparison.reverse())]
    assert all(s == shown[0] for s in shown[1:])
    cells = [d for d in shown[0] if d and "bx" in d[0]][0]
    assert len(cells) >= 3
    assert [(r["bx"], r["by"]) for r in cells] == sorted((r["bx"], r["by"]) for r in cells)


def test_comparability_documents_by_publication_whatever_the_stored_order(contexts):
    """The front matter's documents: by city (the cities parameter), then publication date, as the
    model orders them; a plain select would give the stored order (Kaga's three documents reversed)."""
    from sdgcities.present.analyses.front import data as front_data

    frames = [front_data.comparability(ctx) for ctx in contexts]
    assert_frame_equal(frames[0], frames[1])
    assert frames[0].filter(pl.col("city_id") == "kaga")["doc_id"].to_list() == [
        "kaga_smartcity_2021", "kaga_presentation_2022", "kaga_plan_2026"]


def test_a_partial_agreement_date_joins_the_later_of_two_equally_precise_ones(tmp_path):
    """A partner printed with 2018-11 in one document and with 2018-11-19 and 2018-11-20 in others: the
    two full dates are two agreements, and the month-only printing is counted with the later one (a
    fixed choice; before, either could take it from run to run). Synthetic rows: the real data has no
    such tie."""
    import duckdb

    from sdgcities import paths
    from sdgcities.access import api

    path = tmp_path / "tie.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create table stakeholders as select * from (values
                ('x', 'p', 'agreement', 'partner', '2018-11',    'A社', 'company', null, null, '2018年11月',    'doc_a', 's1', false),
                ('x', 'p', 'agreement', 'partner', '2018-11-19', 'A社', 'company', null, null, '2018年11月19日', 'doc_b', 's2', false),
                ('x', 'p', 'agreement', 'partner', '2018-11-20', 'A社', 'company', null, null, '2018年11月20日', 'doc_c', 's3', false)
            ) t(city_id, partner_key, event, relation, event_on, name_ja, category, theme, role_ja, event_on_label, doc_id,
                stakeholder_id, is_redacted)""")
        # the mart api.agreements reads, made by its own SQL as the build makes it
        con.execute(f"create table agreements as\n{(paths.sql_dir() / 'marts' / 'agreements.sql').read_text(encoding='utf-8')}")
    con = api.connect(path)
    try:
        rows = api.agreements(con).select("agreed_on", "doc_ids", "stakeholder_ids").to_dicts()
    finally:
        con.close()
    assert rows == [
        {"agreed_on": "2018-11-19", "doc_ids": ["doc_b"], "stakeholder_ids": ["s2"]},
        {"agreed_on": "2018-11-20", "doc_ids": ["doc_a", "doc_c"], "stakeholder_ids": ["s1", "s3"]},
    ]
