"""The city profile against the real database (values checked by hand against data/curated/*/*.csv,
the curation READMEs and data/raw)."""

from __future__ import annotations

import polars as pl
import pytest

from sdgcities.present import notebook as nb
from sdgcities.present.analyses import profile
from sdgcities.access.api import UnknownValueError


@pytest.fixture
def open_city(built_db):
    opened = []

    def make(city: str, lang: str = "ja") -> nb.Context:
        ctx = nb.setup(cities=[city], lang=lang, database=built_db)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.con.close()


@pytest.mark.parametrize(
    "city, expected",
    [
        # Kumamoto: one progress sheet; 30 KPI rows, all with an actual; 23 priority targets (8 goals).
        # 9 partners: the city's own board of education is an internal body, not a partner.
        ("kumamoto", dict(documents=1, kpis=30, kpis_redacted=0, kpis_with_actual=30, kpis_repeat=4, priority_targets=23,
                          priority_goals=8, partners=9, partners_redacted=0, synergies=6, synergies_with_kpi=6)),
        # Kaga: plan 14 + smart-city plan 11 KPI rows, no actual; 11 distinct priority targets over 14 rows
        # of the priority list (the 5 targets cited only in the narrative are counted apart); 94
        # partners in 136 partner rows (data sources and the city's own bodies left out).
        ("kaga", dict(documents=3, kpis=25, kpis_redacted=0, kpis_with_actual=0, kpis_repeat=5, kpis_text_status=10,
                      priority_targets=11, priority_rows=14, priority_goals=11, narrative_targets=5, partners=94, stakeholder_rows=136,
                      synergies=0)),
        # Hiratsuka: every KPI name and value redacted; 16 of 27 stakeholders redacted; no economy priority table.
        ("hiratsuka", dict(documents=1, kpis=18, kpis_redacted=18, kpis_name_redacted=18, kpis_values_redacted=18,
                           kpis_with_actual=0, priority_targets=9, priority_goals=6, partners=27, partners_redacted=16,
                           synergies=6, sides_without_priority=["economy"])),
    ],
)
def test_summary_counts(open_city, city, expected):
    s = profile.summary(open_city(city))
    assert {k: s[k] for k in expected} == expected


def test_check_lines(open_city):
    assert profile.check_lines(profile.summary(open_city("kumamoto"))) == [
        "city=kumamoto documents=1",
        "kpis total=30 redacted=0 name_redacted=0 with_actual=30 text_status=0 repeats=4 indicators=17 published_rate=30",
        "priority targets=23 rows=23 goals=8 sides_without=- rows_without_side=23",
        "stakeholders partners=9 redacted=0 rows=9",
        "synergies=6 with_kpi=6 lost_parts=1",
    ]


def test_kpi_values_are_shown_as_printed(open_city):
    rows = profile.kpis(open_city("kumamoto"))
    row = rows.filter(pl.col("kpi_id") == "kumamoto_progress_2022:overall:03").row(0, named=True)  # 企業立地件数
    assert (row["baseline_shown"], row["actual_shown"], row["target_shown"], row["achievement_shown"]) == (
        "2017年度 141件", "2021年度 208件", "2023年度 194件", "126%")
    energy = rows.filter(pl.col("kpi_id") == "kumamoto_progress_2022:overall:09").row(0, named=True)
    # The 2021 column prints the FY2019 figure; 達成度 is the word 達成.
    assert (energy["actual_shown"], energy["achievement_shown"]) == ("2019年度 16,836TJ", "達成")
    first = rows.filter(pl.col("kpi_id") == "kumamoto_progress_2022:overall:01").row(0, named=True)
    assert (first["target_shown"], first["achievement_shown"]) == ("2030年度 50%", "-118%")
    table = profile.kpi_table(open_city("kumamoto"), rows)
    assert table.columns == ["側面", "表:行", "指標", "SDGターゲット", "基準値", "最新実績", "目標値", "達成度（公表）", "状況（記載どおり）"]
    assert table["指標"].str.ends_with("（再掲）").sum() == 4


def test_redacted_values_are_never_zero(open_city):
    rows = profile.kpis(open_city("hiratsuka"))
    assert rows.height == 18 and rows["indicator_ja"].null_count() == 18
    assert rows["baseline_value"].null_count() == 18 and rows["target_value"].null_count() == 18
    assert rows.filter(pl.col("kpi_id") == "hiratsuka_proposal_2022:init1_industry:01")["baseline_shown"].item() == "2020年度 黒塗り"
    # model_environment:04 prints no year labels at all: the cell still says redacted.
    assert rows.filter(pl.col("kpi_id") == "hiratsuka_proposal_2022:model_environment:04")["target_shown"].item() == "黒塗り"
    assert not any("0" == v.split(" ")[-1] for v in rows["baseline_shown"].drop_nulls().to_list())
    table = profile.kpi_table(open_city("hiratsuka", "en"), rows)
    assert set(table["Indicator"]) == {"(redacted)"}


def test_text_statuses_keep_their_own_year(open_city):
    rows = profile.kpis(open_city("kaga"))
    governance = rows.filter(pl.col("indicator_ja") == "セキュリティ体制の構築").row(0, named=True)
    assert (governance["baseline_shown"], governance["target_shown"], governance["status_text"]) == ("構築", "2021年再構築", "構築;2021年再構築")
    personnel = rows.filter(pl.col("indicator_ja") == "セキュリティ人材の確保").row(0, named=True)
    assert (personnel["baseline_shown"], personnel["target_shown"]) == ("0人", "2025年 3人")
    assert rows["actual_shown"].null_count() == 25


def test_priority_targets_and_chart(open_city):
    ctx = open_city("kaga")
    s = profile.summary(ctx)
    priority = profile.priority_targets(ctx)
    partnership = priority.filter(pl.col("goal") == 17)
    assert sorted(partnership["side"].to_list()) == ["economy", "environment", "society"]
    assert priority["n_targets"].sum() == 14
    spec = profile.priority_chart(ctx, priority, s).to_dict()
    # No goal has a unique maximum; 11.6 and 17.17 are listed under several sides.
    assert spec["title"]["text"] == (ctx.w("profile.chart.priority_title", city="加賀市", targets=11, goals=11)
                                     + ctx.w("profile.chart.brackets", text=ctx.w("profile.chart.priority_shared", targets="11.6, 17.17")))
    # Goal-level priorities (a goal without any target) on two sides share no target: the title lists
    # only real targets (found by the benchmark's synthetic cities, where the chart failed on None).
    goal_level = priority.filter(pl.col("goal") == 17).head(2).with_columns(
        pl.lit(5, priority["goal"].dtype).alias("goal"), pl.lit(None, priority["targets"].dtype).alias("targets"))
    spec = profile.priority_chart(ctx, pl.concat([priority, goal_level]), s).to_dict()
    assert ctx.w("profile.chart.priority_shared", targets="11.6, 17.17") in spec["title"]["text"]
    hiratsuka = open_city("hiratsuka")
    sentences = profile.priority_sentences(hiratsuka, profile.summary(hiratsuka), profile.priority_targets(hiratsuka))
    w = hiratsuka.w
    assert sentences == [
        w("profile.priority.summary", targets=9, goals=6, by_side=w("profile.list_separator").join(
            [w("profile.priority.side_count", side="社会", n=3), w("profile.priority.side_count", side="環境", n=6)])),
        w("profile.priority.sides_without", sides="経済"),
        # The lost priority tables (extraction_losses) are named from the note.
        w("profile.priority.lost", parts="1.1 (3)"),
    ]


def test_kpi_goal_tiles_count_rows_without_repeats(open_city):
    ctx = open_city("kumamoto")
    counts = profile.kpi_goal_counts(ctx)
    no_goal = {r["side"]: r["n_kpis"] for r in counts.filter(pl.col("goal").is_null()).iter_rows(named=True)}
    # The initiative (9), model (2 left after the 2 repeats) and integrated (7) tables print no target.
    assert no_goal == {None: 9, "society": 1, "environment": 1, "integrated": 7}
    spec = profile.kpi_chart(ctx, counts, profile.summary(ctx)).to_dict()
    assert spec["title"]["text"] == ctx.w("profile.chart.kpi_title", city="熊本市", rows=26, goals=8) + ctx.w("profile.chart.kpi_no_goal", n=18)
    # Kaga: goal 17 (17.17) appears only on repeat rows (i3_talent:02, i4_partnership:01), so 9 goals, not 10.
    kaga = open_city("kaga")
    spec = profile.kpi_chart(kaga, profile.kpi_goal_counts(kaga), profile.summary(kaga)).to_dict()
    assert spec["title"]["text"] == kaga.w("profile.chart.kpi_title", city="加賀市", rows=20, goals=9) + kaga.w("profile.chart.kpi_no_goal", n=11)


def test_achievement_chart_only_where_rates_are_published(open_city):
    kumamoto = open_city("kumamoto")
    spec = profile.achievement_chart(kumamoto, profile.kpis(kumamoto)).to_dict()
    # 24 numeric non-repeat rates; 11 reach 100% (130, 126, 119, 306, 117, 119, 119, 364, 203, 314, 200).
    assert spec["title"]["text"] == kumamoto.w("profile.chart.achievement_title", city="熊本市", n=24, reached=11)
    assert spec["spec"]["layer"][1]["encoding"]["x"] == {"datum": 100}
    kaga = open_city("kaga")
    assert profile.achievement_chart(kaga, profile.kpis(kaga)) is None


def test_synergies_link_their_kpi(open_city):
    ctx = open_city("kumamoto")
    links = profile.synergies(ctx, profile.kpis(ctx))
    assert links.height == 6 and links["kpi_id"].null_count() == 0
    first = links.filter(pl.col("synergy_id") == "kumamoto_progress_2022:01").row(0, named=True)
    assert (first["link"], first["indicator_ja"], first["achievement_shown"]) == (
        ctx.w("profile.link", origin="経済", destination="環境"), "温室効果ガス排出量", "364%")
    kaga = open_city("kaga")
    assert profile.synergies(kaga, profile.kpis(kaga)).height == 0


def test_lost_parts_as_the_curators_declare_them(open_city):
    # The losses are columns of the extraction_losses model (declared per document, extraction_losses.yaml).
    kumamoto = profile.lost_parts(open_city("kumamoto"))
    assert kumamoto.select("kind", "lost_part", "lost_part_until", "rows_affected", "table_name").rows() == [
        ("section", "(3) 2030年のあるべき姿の実現へ向けた優先的なゴール", None, 23, "priority_targets")]
    kaga = profile.lost_parts(open_city("kaga"))
    assert kaga.select("kind", "lost_part").rows() == [("category_heading", p) for p in ("アセット", "ガバナンス", "サービス", "都市OS")]
    assert kaga["rows_affected"].sum() == 11 and set(kaga["doc_id"]) == {"kaga_smartcity_2021"}
    hiratsuka_ctx = open_city("hiratsuka", "en")
    hiratsuka = profile.lost_parts(hiratsuka_ctx)
    assert hiratsuka.select("kind", "lost_part", "lost_part_until", "rows_affected").rows() == [
        ("section", "1.1 (3)", None, 9),
        ("table_heading", "(3-2)", "(5)", 3),
    ]
    assert profile.lost_table(hiratsuka_ctx, hiratsuka)["Kind"].to_list() == [
        hiratsuka_ctx.label("profile.loss_kind", "section"), hiratsuka_ctx.label("profile.loss_kind", "table_heading")]


def test_gaps_table(open_city):
    ctx = open_city("hiratsuka")
    gaps = profile.gaps(profile.summary(ctx))
    by_item = {r["item"]: (r["count"], r["total"]) for r in gaps.iter_rows(named=True)}
    assert by_item["partner_name_redacted"] == (16, 27)
    assert by_item["kpi_name_redacted"] == (18, 18)
    assert by_item["priority_sides_without"] == (1, 3)
    assert by_item["lost_in_extraction"] == (2, None)
    assert len(profile.gaps_table(ctx, gaps)) == len(gaps)  # every item code has a label
    kumamoto = open_city("kumamoto")
    items = profile.gaps(profile.summary(kumamoto))["item"].to_list()
    assert "priority_without_side" in items and "priority_sides_without" not in items


def test_partners_merge_documents(open_city):
    partners = profile.partners(open_city("kaga"))
    assert partners.height == 94
    trajectory = partners.filter(pl.col("partner") == "trajectory").row(0, named=True)
    assert (trajectory["dates"], trajectory["themes"]) == ("2019-05 / 2019-07", "ドローンの活用")
    monet = partners.filter(pl.col("partner") == "monet_technologies").row(0, named=True)
    assert monet["themes"] == "MaaS の推進"  # "MaaS の推進" and "MaaSの推進" are one theme


def test_english_labels(open_city):
    ctx = open_city("kumamoto", "en")
    rows = profile.kpis(ctx)
    assert rows.filter(pl.col("kpi_id") == "kumamoto_progress_2022:integrated:01")["side_label"].item() == ctx.w(
        "profile.side_with_synergy", side="Integrated", origin="Economy", destination="Environment")
    sentences = profile.kpi_sentences(ctx, profile.summary(ctx), rows)
    assert sentences[:2] == [ctx.w("profile.kpis.rows", city="Kumamoto", kpis=30, indicators=17, repeats=4),
                             ctx.w("profile.kpis.with_actual", with_actual=30, published=30)]


@pytest.mark.parametrize("bad", ["nagoya", "kaga'; drop table kpis; --"])
def test_unknown_city_fails_naming_it(built_db, bad):
    with pytest.raises(UnknownValueError) as error:
        nb.setup(cities=[bad], lang="ja", database=built_db)
    assert repr(bad) in str(error.value) and "hiratsuka, kaga, kumamoto" in str(error.value)


def test_a_city_that_is_not_text_fails_naming_its_type(built_db):
    from sdgcities.access.api import ParameterTypeError

    with pytest.raises(ParameterTypeError) as error:
        nb.setup(cities=[None], lang="ja", database=built_db)
    assert "NoneType None" in str(error.value) and "cities" in str(error.value)
