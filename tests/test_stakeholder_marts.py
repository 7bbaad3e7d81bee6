"""The stakeholder report's marts (agreements, city_stakeholder_summary, city_partner_categories,
city_theme_words, shared_partners) against an independent computation from the stakeholders rows of the
real database, in Python, and the report's figures read from them against the same rows."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from sdgcities.present import notebook as nb
from sdgcities.present.analyses import stakeholders as st


@pytest.fixture(scope="module")
def rows(built_db):
    from sdgcities.access import api

    con = api.connect(built_db)
    try:
        yield api.stakeholders(con).to_dicts()
    finally:
        con.close()


def _partner(row: dict) -> str:
    return row["partner_key"] or row["stakeholder_id"]


def test_city_stakeholder_summary_counts_the_rows(con, rows):
    expected = {}
    for city in {r["city_id"] for r in rows} | {c for (c,) in con.sql("select city_id from cities").fetchall()}:
        mine = [r for r in rows if r["city_id"] == city]
        partners = [r for r in mine if r["relation"] == "partner"]
        expected[city] = (len({_partner(r) for r in partners}), len({_partner(r) for r in partners if r["is_redacted"]}),
                          len(partners), len({r["doc_id"] for r in partners}),
                          sum(r["event"] == "agreement" for r in partners),
                          sum(r["relation"] == "data_source" for r in mine), sum(r["relation"] == "internal" for r in mine))
    actual = {r[0]: r[1:] for r in con.sql("select * from city_stakeholder_summary").fetchall()}
    assert actual == expected
    # By hand (tests/test_api.py): Kaga 136 partner rows, 13 data sources, 5 internal bodies; Hiratsuka
    # 27 partners, 16 of them redacted.
    assert actual["kaga"][2:] == (136, 3, 74, 13, 5) and actual["hiratsuka"][:2] == (27, 16)


def test_city_partner_categories_count_the_rows(con, rows):
    groups = defaultdict(list)
    for r in rows:
        if r["relation"] == "partner":
            groups[(r["city_id"], r["category"])].append(r)
    expected = {key: (len({_partner(r) for r in g if not r["is_redacted"]}), len({_partner(r) for r in g if r["is_redacted"]}),
                      len({_partner(r) for r in g}), len(g), len({_partner(r) for r in g if r["role_ja"] is not None}),
                      sorted({r["doc_id"] for r in g}), sorted({r["doc_id"] for r in g if r["role_ja"] is not None}))
                for key, g in groups.items()}
    actual = {(r[0], r[1]): tuple(r[2:]) for r in con.sql("select * from city_partner_categories").fetchall()}
    assert actual == expected
    assert actual[("kaga", "company")][:5] == (34, 0, 34, 62, 34)


_HAN = r"\u3005\u3007\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KATAKANA = r"\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff6f\uff71-\uff9d"
_WORD = re.compile(rf"[{_HAN}]{{2,}}|[{_KATAKANA}]{{2,}}|[A-Za-z][A-Za-z0-9]+")


def test_city_theme_words_count_each_partner_once_per_word(con, rows):
    """The words split here with Python's re and explicit Unicode ranges (not the mart's RE2 classes)."""
    words = defaultdict(set)
    for r in rows:
        if r["relation"] == "partner" and r["role_ja"] is not None:
            for word in _WORD.findall(re.sub(r"\s", "", r["role_ja"])):
                words[(r["city_id"], r["category"], word)].add(_partner(r))
    expected = {key: len(partners) for key, partners in words.items()}
    actual = {(c, k, w): n for c, k, w, n in con.sql("select * from city_theme_words").fetchall()}
    assert actual == expected
    assert actual[("kaga", "university", "包括連携協定")] == 6
    assert sum(n for (c, k, w), n in actual.items() if w == "包括連携協定") == 15


def test_agreements_merge_the_dates_of_each_partner(con, rows):
    """Each agreement row goes to the most precise date of its partner that starts with its own date
    (of equally precise ones the later); rows with the same partner and date are one agreement."""
    dated = [r for r in rows if r["event"] == "agreement" and r["relation"] == "partner"]
    merged = defaultdict(list)
    for r in dated:
        candidates = [f["event_on"] for f in dated if f["city_id"] == r["city_id"] and f["partner_key"] == r["partner_key"]
                      and f["event_on"].startswith(r["event_on"])]
        merged[(r["city_id"], r["partner_key"], max(candidates, key=lambda d: (len(d), d)))].append(r)
    expected = {}
    for key, group in merged.items():
        group.sort(key=lambda r: (r["doc_id"], r["stakeholder_id"]))
        roles = [r["role_ja"] for r in group if r["role_ja"] is not None]
        expected[key] = (sorted({r["doc_id"] for r in group}), sorted(r["stakeholder_id"] for r in group),
                         group[0]["category"], roles[0] if roles else None, any(r["is_redacted"] for r in group))
    actual = {(r[0], r[1], r[2]): tuple(r[3:]) for r in con.sql(
        "select city_id, partner_key, agreed_on, doc_ids, stakeholder_ids, category, first_role_ja, is_redacted from agreements").fetchall()}
    assert actual == expected
    assert len(actual) == 48 and sum(len(v[1]) for v in actual.values()) == 76


def test_shared_partners_are_the_partners_of_several_documents(con, rows):
    documents = defaultdict(set)
    for r in rows:
        if r["relation"] == "partner" and not r["is_redacted"] and r["partner_key"] is not None:
            documents[(r["city_id"], r["partner_key"])].add(r["doc_id"])
    expected = {key: sorted(docs) for key, docs in documents.items() if len(docs) > 1}
    actual = {(c, p): d for c, p, d in con.sql("select city_id, partner_key, doc_ids from shared_partners").fetchall()}
    assert actual == expected and len(actual) == 31
    statuses = {p: (d, t) for p, d, t in con.sql("select partner_key, date_status, theme_status from shared_partners").fetchall()}
    # By hand: trajectory 2019-05 in the plan, 2019-07 in the presentation; the MaaS consortium dated in one
    # document only, with two different themes.
    assert statuses["trajectory"] == ("differs", "same") and statuses["kaga_maas_consortium"] == ("one", "differs")
    assert sorted(statuses.values()).count(("same", "same")) == 28


def test_the_report_sums_the_marts_over_the_cities_it_compares(built_db, rows):
    """The stakeholder report's overview for two of the three cities: the same as counting their rows."""
    ctx = nb.setup(cities=["kaga", "hiratsuka"], lang="en", database=built_db)
    try:
        overview = st.overview(ctx)
    finally:
        ctx.con.close()
    mine = [r for r in rows if r["city_id"] in ("kaga", "hiratsuka")]
    partners = [r for r in mine if r["relation"] == "partner"]
    assert overview == {
        "rows": len(partners), "partners": len({(r["city_id"], _partner(r)) for r in partners}),
        "redacted": len({(r["city_id"], _partner(r)) for r in partners if r["is_redacted"]}),
        "documents": len({r["doc_id"] for r in partners}), "cities": 2,
        "dated_rows": sum(r["event"] == "agreement" for r in partners),
        "data_source_rows": sum(r["relation"] == "data_source" for r in mine),
        "internal_rows": sum(r["relation"] == "internal" for r in mine)}
