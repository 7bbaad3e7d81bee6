"""The stakeholder analysis against the real database (values checked by hand against
data/curated/*/stakeholders.csv and the curation READMEs)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from sdgcities.present import marks, notebook as nb
from sdgcities.present.analyses import stakeholders as st
from sdgcities.access.api import UnknownValueError


@pytest.fixture
def ctx(built_db):
    context = nb.setup(lang="ja", database=built_db)
    yield context
    context.con.close()


def _city(ctx, city):
    return nb.Context(ctx.con, [city], ctx.lang, ctx.city_names, ctx.goal_names, ctx.goal_colours, ctx.documents)


def test_category_counts_per_city_count_partners_and_keep_redacted(ctx):
    counts = st.category_counts(ctx)
    cell = {(r["city_id"], r["category"]): (r["partners"], r["redacted"], r["mentions"]) for r in counts.iter_rows(named=True)}
    # Kaga: 154 rows in three documents (92 + 53 + 9), of which 136 name partners (86 + 48 + 2): 94
    # organisations, 34 of them companies. The 13 data-source rows and the 5 rows of the city's own
    # bodies (加賀市 itself, its departments and meetings) are not partners and are not counted.
    assert cell[("kaga", "company")] == (34, 0, 62)
    assert cell[("kaga", "government")] == (18, 0, 20)
    assert sum(p for (c, _), (p, _, _) in cell.items() if c == "kaga") == 94
    # Hiratsuka: 27 rows, 16 redacted (14 "other", 1 company, 1 NPO), each counted as one partner.
    assert cell[("hiratsuka", "other")] == (14, 14, 14)
    assert cell[("hiratsuka", "company")] == (2, 1, 2)
    assert cell[("hiratsuka", "npo")] == (2, 1, 2)
    assert sum(p for (c, _), (p, _, _) in cell.items() if c == "hiratsuka") == 27
    # Kumamoto: 9 partners, 4 councils and 3 government bodies (the city's own board of education is
    # an internal body, not a partner).
    assert cell[("kumamoto", "council")] == (4, 0, 4) and cell[("kumamoto", "government")] == (3, 0, 3)
    assert ("kumamoto", "financial") not in cell
    # dated_rows: the rows dated as agreements (45 + 29 in Kaga, 2 in Hiratsuka).
    # Kept apart: 3 + 2 + 4 + 7 data-source rows and 4 + 1 + 1 rows of the cities' own bodies.
    assert st.overview(ctx) == {"rows": 172, "partners": 130, "redacted": 16, "documents": 5, "cities": 3, "dated_rows": 76,
                                "data_source_rows": 16, "internal_rows": 6}


def test_category_lines_and_table_are_deterministic(ctx):
    counts = st.category_counts(ctx)
    lines = st.category_lines(counts)
    assert lines[0] == "hiratsuka company: partners=2 redacted=1 rows=2"
    assert "kaga company: partners=34 redacted=0 rows=62" in lines
    assert lines == sorted(lines)
    table = st.category_table(ctx, counts)
    hiratsuka = table.filter(pl.col("都市") == "平塚市").row(0, named=True)
    assert hiratsuka["その他"] == "14 (14 黒塗り)" and hiratsuka["うち黒塗り"] == 16 and hiratsuka["連携先 計"] == 27
    assert table.filter(pl.col("都市") == "熊本市")["金融機関"].to_list() == ["–"]


def test_category_chart_shows_redacted_as_their_own_segment(ctx):
    spec = st.category_chart(ctx, st.category_counts(ctx)).to_dict()
    # The title names the leader, its total and its largest kind (keys and values, not the wording).
    assert spec["title"]["text"] == ctx.w("stakeholders.chart.leader_title", city="加賀市", total=94, redacted="",
                                          largest=ctx.w("stakeholders.chart.largest", category="企業", n=34))
    values = next(iter(spec["datasets"].values()))
    redacted = [v for v in values if v["category"] == "redacted"]
    assert [(v["row_label"], v["n"]) for v in redacted] == [("平塚市", 16)]
    assert redacted[0]["redacted_detail"] == "企業 1, NPO・法人 1, その他 14"
    hiratsuka_only = st.category_chart(_city(ctx, "hiratsuka"), st.category_counts(_city(ctx, "hiratsuka"))).to_dict()
    assert hiratsuka_only["title"]["text"] == ctx.w(
        "stakeholders.chart.one_city_title", city="平塚市", total=27, redacted=ctx.w("stakeholders.chart.of_which_redacted", n=16),
        largest=ctx.w("stakeholders.chart.largest_named", category="協議会・団体", n=5))


def test_agreements_merge_documents_and_keep_conflicting_dates(ctx):
    dated = st.agreements(ctx)
    summary = {r["city_id"]: r for r in st.agreement_summary(dated).iter_rows(named=True)}
    # Kaga: 74 rows dated as agreements (45 in the plan, 29 in the presentation) -> 46 agreements
    # with 41 partners, all dated to the month. The other dated rows are not agreements: the
    # Covenant of Mayors (a signature), the smart-city council (a founding), METI 2016 (a selection),
    # 総務省 R2 (an adoption), the declarations of the presentation's table.
    assert summary["kaga"]["rows"] == 74 and summary["kaga"]["agreements"] == 46 and summary["kaga"]["partners"] == 41
    assert (summary["kaga"]["first_year"], summary["kaga"]["last_year"]) == (2018, 2024)
    assert (summary["kaga"]["by_year"], summary["kaga"]["by_month"], summary["kaga"]["by_day"]) == (0, 46, 0)
    for not_agreement in ("global_covenant_of_mayors_japan", "kaga_smart_city_public_private_council", "ministry_of_economy_trade_and_industry"):
        assert dated.filter(pl.col("partner") == not_agreement).height == 0
    vacan = dated.filter(pl.col("partner") == "vacan").row(0, named=True)
    assert vacan["agreed_on"] == "2021-01" and vacan["precision"] == "month" and vacan["doc_ids"] == ["kaga_plan_2026", "kaga_presentation_2022"]
    trajectory = dated.filter(pl.col("partner") == "trajectory").sort("agreed_on")
    assert trajectory.select("agreed_on", "documents").rows() == [("2019-05", "kaga_plan_2026"), ("2019-07", "kaga_presentation_2022")]
    # Hiratsuka: the sister city (平成2年 -> year only, placed at 1 July) and a redacted telework partner.
    lawrence = dated.filter(pl.col("partner") == "lawrence_kansas_usa").row(0, named=True)
    assert (lawrence["plot_date"], lawrence["precision"], lawrence["date_printed"]) == ("1990-07-01", "year", "平成2年")
    redacted = dated.filter(pl.col("is_redacted")).row(0, named=True)
    assert redacted["partner_name"] == "（黒塗り）" and redacted["plot_date"] == "2021-09-01"
    assert st.agreement_lines(st.agreement_summary(dated)) == [
        "hiratsuka: agreements=2 rows=2 partners=2 years=1990-2021 precision year=1 month=1 day=0",
        "kaga: agreements=46 rows=74 partners=41 years=2018-2024 precision year=0 month=46 day=0",
    ]
    assert st.agreements(_city(ctx, "kumamoto")).height == 0


def test_timeline_chart_one_panel_per_city(ctx):
    dated = st.agreements(ctx)
    spec = st.timeline_chart(ctx, dated).to_dict()
    titles = [panel["title"] for panel in spec["vconcat"]]
    assert titles == [
        ctx.w("stakeholders.chart.panel_title_peak", city="加賀市", n=46, span=ctx.w("stakeholders.chart.span", first=2018, last=2024),
              peak_year=2021, peak_n=12),
        ctx.w("stakeholders.chart.panel_title", city="平塚市", n=2, span=ctx.w("stakeholders.chart.span", first=1990, last=2021)),
    ]
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert st.timeline_chart(_city(ctx, "kumamoto"), st.agreements(_city(ctx, "kumamoto"))) is None


def test_shared_partners_compare_dates_and_themes(ctx):
    shared = st.shared_partners(ctx)
    assert shared["city_id"].unique().to_list() == ["kaga"]
    # Themes are compared by their normalised code, so wording alone (アバターの活用 / アバターを活用,
    # the Covenant's aims / 「世界首長誓約」に署名) no longer differs.
    assert st.shared_summary(shared) == {"partners": 31, "date_differs": 2, "theme_differs": 1, "either_differs": 3, "both_dated": 30}
    status = {r["partner_key"]: (r["date_status"], r["theme_status"]) for r in shared.iter_rows(named=True)}
    assert status["trajectory"] == ("differs", "same")  # 2019-05 in the plan, 2019-07 in the presentation
    assert status["maas_tech_japan"] == ("differs", "same")  # the plan lacks the 2020-02 consortium entry
    assert status["global_covenant_of_mayors_japan"] == ("same", "same")  # 2018-11 vs 2018-11-19: precision only
    assert status["monet_technologies"] == ("same", "same")
    assert status["ana_holdings"] == ("same", "same")
    # The MaaS consortium: founded in the presentation (mobility), asked to join the SDGs partner
    # scheme in the plan (sdgs_promotion): two different roles.
    assert status["kaga_maas_consortium"] == ("one", "differs")
    assert shared.filter(pl.col("partner_key") == "trajectory")["dates_by_document"].item() == "kaga_plan_2026: 2019-05 | kaga_presentation_2022: 2019-07"
    assert st.shared_lines(shared) == ["kaga: shared=31 date_differs=2 theme_differs=1 either_differs=3"]
    assert not shared["partner_key"].str.starts_with("redacted").any()


def test_theme_words_count_each_partner_once(ctx):
    words = st.theme_words(ctx)
    totals = dict(words.select("word", "total").unique().iter_rows())
    assert totals["包括連携協定"] == 15 and max(totals.values()) == 15
    assert not set(totals) & set(st.THEME_STOPWORDS)
    by_category = st.themes_by_category(ctx)
    company = by_category.filter(pl.col("種類") == "企業").row(0)
    assert company[1:3] == (37, 37) and company[3].startswith("包括連携協定 (5)")


@pytest.fixture
def many_cities_db(built_db, tmp_path):
    """The real data copied 15 times under new city ids (45 cities)."""
    path = tmp_path / "many.duckdb"
    con = duckdb.connect(str(path))
    con.sql(f"attach '{built_db}' as src (read_only)")
    con.sql("create table reps as select range as r from range(15)")
    suffix = "case when r = 0 then {c} else {c} || '_' || r end as {c}"
    con.sql(f"create table cities as select c.* replace ({suffix.format(c='city_id')}) from src.cities c, reps")
    for view in ("documents", "kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies", "kpi_sdg_targets"):
        columns = [row[0] for row in con.sql(f"describe src.{view}").fetchall()]
        ids = [c for c in ("city_id", "doc_id", "kpi_id", "stakeholder_id", "synergy_id") if c in columns]
        con.sql(f"create table {view} as select x.* replace ({', '.join(suffix.format(c=c) for c in ids)}) from src.{view} x, reps")
    for view in ("sdg_goals", "sdg_targets"):
        con.sql(f"create table {view} as select * from src.{view}")
    build_stakeholder_marts(con)
    con.close()
    return path


STAKEHOLDER_MARTS = ("agreements", "city_stakeholder_summary", "city_partner_categories", "city_theme_words", "shared_partners")


def build_stakeholder_marts(con) -> None:
    """The stakeholder report's marts, made by their own SQL (sql/marts) from the cities and stakeholders
    tables of a hand-made database, as the build makes them."""
    from sdgcities import paths

    for name in STAKEHOLDER_MARTS:
        con.execute(f"create table {name} as\n{(paths.sql_dir() / 'marts' / f'{name}.sql').read_text(encoding='utf-8')}")


def test_many_cities_are_aggregated(many_cities_db):
    ctx = nb.setup(lang="en", database=many_cities_db)
    assert len(ctx.cities) == 45
    counts = st.category_counts(ctx)
    spec = st.category_chart(ctx, counts).to_dict()
    bars = {v["bar_label"] for v in next(iter(spec["datasets"].values()))}
    # The TOP_N cities with most partners (ten copies of Kaga), then the 35 others folded into one bar.
    assert len(bars) == marks.TOP_N + 1 and "35 other cities (n=1,010)" in bars and "Kaga (Ishikawa) [kaga_1] (n=94)" in bars
    assert st.category_table(ctx, counts).height == marks.TOP_N
    assert st.category_lines(counts)[0] == "all_cities company: partners=555 redacted=15 rows=975"
    dated = st.agreements(ctx)
    timeline = st.timeline_chart(ctx, dated).to_dict()
    assert timeline["mark"]["type"] == "bar" and timeline["title"] == ctx.w(
        "stakeholders.chart.yearly_title", n=720, cities=30, first=1990, last=2024, peak_year=2021, peak_n=13 * 15)
    assert st.agreement_lines(st.agreement_summary(dated))[0] == "all 30 cities: agreements=720 rows=1140 years=1990-2024"
    shared = st.shared_partners(ctx)
    assert st.shared_table(ctx, shared).height == 15 * 3
    assert st.source(ctx, counts).endswith("and 63 more documents")
    ctx.con.close()


@pytest.mark.parametrize("bad", ["nagoya", "kaga'; drop table stakeholders; --"])
def test_unknown_city_fails_naming_it(built_db, bad):
    with pytest.raises(UnknownValueError) as error:
        nb.setup(cities=["kaga", bad], lang="ja", database=built_db)
    assert repr(bad) in str(error.value) and "hiratsuka, kaga, kumamoto" in str(error.value)
