"""The read-only API: filters bound as parameters, clear errors, nothing changed by bad values."""

from __future__ import annotations

import duckdb
import polars as pl
import pandas as pd
import pytest

from sdgcities.access import api


def test_filters_by_city_side_and_goal(con):
    everything = api.kpis(con)
    kaga_env = api.kpis(con, cities=["kaga"], sides=["environment"])
    assert 0 < kaga_env.height < everything.height
    assert set(kaga_env["city_id"]) == {"kaga"} and set(kaga_env["side"]) == {"environment"}
    expected = everything.filter(pl.col("sdg_targets").list.eval(pl.element().str.split(".").list.first() == "13").list.any())
    assert sorted(api.kpis(con, goals=[13])["kpi_id"]) == sorted(expected["kpi_id"])
    assert isinstance(api.kpis(con, cities="kumamoto", frame="pandas"), pd.DataFrame)


def test_every_accessor_returns_each_citys_rows(con):
    # Counts from the curated tables (data/curated/<doc_id>/README.md).
    # Kaga: 14 priority-list rows + 5 cited only in the narrative; 154 stakeholder rows of which 136
    # are partners, 13 data sources and 5 the city's own bodies. Hiratsuka: 27 partners + 3 data sources.
    expected = {"kaga": (25, 50, 19, 3, 154, 0), "kumamoto": (30, 130, 23, 1, 10, 6), "hiratsuka": (18, 36, 9, 1, 30, 6)}
    for city, (kpis, observations, priority, documents, stakeholders, synergies) in expected.items():
        assert api.kpis(con, cities=[city]).height == kpis
        assert api.kpi_observations(con, cities=[city]).height == observations
        assert api.priority_targets(con, cities=[city]).height == priority
        assert api.documents(con, cities=[city]).height == documents
        assert api.stakeholders(con, cities=[city]).height == stakeholders
        assert api.synergies(con, cities=[city]).height == synergies


def test_agreements_are_agreements_only_and_printed_once(con):
    agreements = api.agreements(con)
    # Kaga: 45 agreement rows in the plan + 29 in the presentation; 28 agreements are printed
    # in both documents, so 46 distinct (partner, date) agreements from 74 rows. Hiratsuka: Lawrence (1990) and the
    # redacted telework partner (2021-09). Kumamoto prints no agreement date.
    assert agreements.group_by("city_id").len().sort("city_id").rows() == [("hiratsuka", 2), ("kaga", 46)]
    assert agreements.filter(pl.col("doc_ids").list.len() == 2).height == 28
    assert agreements["stakeholder_ids"].list.len().sum() == 76
    # A founding, a selection, an adoption, a signature and a declaration are not agreements.
    keys = set(agreements["partner_key"])
    for not_agreement in ("kaga_smart_city_public_private_council", "ministry_of_economy_trade_and_industry",
                          "ministry_of_internal_affairs_and_communications", "global_covenant_of_mayors_japan", "kaga_city"):
        assert not_agreement not in keys
    vacan = agreements.filter(pl.col("partner_key") == "vacan").row(0, named=True)
    assert vacan["agreed_on"] == "2021-01" and vacan["doc_ids"] == ["kaga_plan_2026", "kaga_presentation_2022"]
    assert vacan["stakeholder_ids"] == ["kaga_plan_2026:46", "kaga_presentation_2022:27"]
    # Dates that disagree stay two agreements (trajectory 2019-05 in the plan, 2019-07 in the presentation).
    assert agreements.filter(pl.col("partner_key") == "trajectory")["agreed_on"].to_list() == ["2019-05", "2019-07"]
    assert isinstance(api.agreements(con, cities="kumamoto", frame="pandas"), pd.DataFrame)
    with pytest.raises(api.UnknownValueError):
        api.agreements(con, cities=["osaka"])


@pytest.mark.parametrize("call, value, listed", [
    (lambda c: api.kpis(c, cities=["nagoya"]), "'nagoya'", "hiratsuka, kaga, kumamoto"),
    (lambda c: api.kpis(c, cities=["kaga'; drop table kpis; --"]), "\"kaga'; drop table kpis; --\"", "hiratsuka, kaga, kumamoto"),
    (lambda c: api.kpis(c, sides=["economic"]), "'economic'", "economy, society, environment, integrated"),
    (lambda c: api.priority_targets(c, goals=[18]), "18", "1, 2, 3"),
    (lambda c: api.synergies(c, sides="envrionment"), "'envrionment'", "economy, society, environment"),
    (lambda c: api.kpis(c, frame="arrow"), "'arrow'", "polars, pandas"),
])
def test_unknown_values_are_named_with_the_valid_ones(con, call, value, listed):
    before = con.sql("select count(*) from kpis").fetchall()[0][0]
    with pytest.raises(api.UnknownValueError) as error:
        call(con)
    assert value in str(error.value) and listed in str(error.value)
    assert con.sql("select count(*) from kpis").fetchall()[0][0] == before


def test_the_connection_is_read_only(con):
    with pytest.raises(duckdb.Error):
        con.execute("delete from src_kpis")


def test_a_missing_database_says_how_to_build_it(tmp_path):
    with pytest.raises(api.DatabaseMissingError, match="make data"):
        api.connect(tmp_path / "none.duckdb")
