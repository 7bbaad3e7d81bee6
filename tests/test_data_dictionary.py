"""The data dictionary documents every column of every view, with the type the database has."""

from pathlib import Path

import yaml

DICTIONARY = Path(__file__).resolve().parents[1] / "data" / "curated" / "data_dictionary.yaml"


def test_dictionary_matches_the_database_exactly(con):
    from sdgcities.build import graph

    documented = yaml.safe_load(DICTIONARY.read_text(encoding="utf-8"))
    # The contract is every mart, whether it is stored as a view or (`-- materialized: table`) as a table.
    marts = {m.name for m in graph.models() if m.stage == "marts"}
    relations = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
    assert marts <= relations, "a mart is missing from the database"
    assert marts == set(documented), "marts and dictionary entries differ"
    for view, columns in documented.items():
        actual = [(name, kind) for name, kind in con.sql(f"select column_name, column_type from (describe {view})").fetchall()]
        expected = [(name, spec[0]) for name, spec in columns.items() if not name.startswith("_")]
        assert actual == expected, view
        for name, spec in columns.items():
            if not name.startswith("_"):
                assert len(spec) == 4 and all(str(part).strip() for part in spec[1:3]), f"{view}.{name} needs meaning, allowed values, example"


def test_every_view_column_and_code_has_a_japanese_label():
    """The bilingual codebook never shows （未翻訳）: each view and column of the dictionary has its label in
    data_dictionary_ja.yaml, and each coded value its labels in the catalogues (present/catalogues), the
    ones the reports show."""
    from sdgcities.access import api
    from sdgcities.publish import codebook, datapackage

    views = datapackage.load_dictionary()
    labels = codebook.japanese_labels()
    assert len(views) >= 20
    missing_views = [v.name for v in views if v.name not in (labels.get("views") or {})]
    missing_columns = sorted({f"{v.name}.{c.name}" for v in views for c in v.columns
                              if codebook._column_ja(labels, v.name, c.name) == codebook.UNTRANSLATED})
    rows = codebook.codebook_rows(api.connect(), views)
    missing_codes = sorted(f"{r['view']}.{r['column']}={r['code']}" for r in rows
                           if r["code"] is not None and (r["label_ja"] == codebook.UNTRANSLATED or not r["meaning_en"]))
    assert (missing_views, missing_columns, missing_codes) == ([], [], [])


def test_the_api_lists_exactly_the_marts_of_the_model_graph(built_db):
    """api.marts (what the start-here notebook lists for researchers) is the graph's marts, views and
    tables alike: no build table, no mart left out."""
    from sdgcities.access import api
    from sdgcities.build import graph

    con = api.connect(built_db)
    try:
        assert set(api.marts(con)) == {m.name for m in graph.models() if m.stage == "marts"}
    finally:
        con.close()


def test_each_mart_is_stored_as_its_file_says(con):
    """`-- materialized: table` marts are tables, every other SQL mart a view (the graph decides; the
    database must agree, for all 14 stored marts, not only the one test_build_graph builds)."""
    from sdgcities.build import graph

    stored = dict(con.sql("select table_name, table_type from information_schema.tables where table_schema = 'main'").fetchall())
    wanted = {m.name: ("VIEW" if m.kind == "view" else "BASE TABLE") for m in graph.models() if m.stage == "marts"}
    assert {name: stored.get(name) for name in wanted} == wanted
    assert sum(kind == "BASE TABLE" for kind in wanted.values()) >= 14
