"""The content tables: initiatives and their KPIs, expert comments, city facts and financing."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from conftest import REPO
from fourth_city import add_fourth_city
from sdgcities.access import api_content
from sdgcities.build import run as build
from sdgcities.access.api import UnknownValueError
from sdgcities.build.inputs.curated import CuratedDataError
from sdgcities.build.inputs.curated_content import CONTENT_TABLES, parse_printed_amount
from sdgcities.build.inputs.parsing import strip_whitespace

DOCS = ("hiratsuka_proposal_2022", "kaga_plan_2026", "kaga_presentation_2022", "kaga_smartcity_2021", "kumamoto_progress_2022")
CURATED_COUNTS = {  # rows curated per document and view (the READMEs give them per section)
    "initiatives": {"hiratsuka_proposal_2022": 38, "kaga_plan_2026": 22, "kaga_presentation_2022": 5, "kaga_smartcity_2021": 79, "kumamoto_progress_2022": 22},
    "initiative_kpis": {"hiratsuka_proposal_2022": 18, "kaga_plan_2026": 7, "kaga_smartcity_2021": 11, "kumamoto_progress_2022": 20},
    "expert_comments": {"kumamoto_progress_2022": 6},
    "city_facts": {"hiratsuka_proposal_2022": 10, "kaga_plan_2026": 18, "kaga_presentation_2022": 5, "kaga_smartcity_2021": 2, "kumamoto_progress_2022": 1},
    "financing": {"hiratsuka_proposal_2022": 29, "kaga_smartcity_2021": 6, "kumamoto_progress_2022": 2},
}
ID = {"initiatives": "initiative_id", "expert_comments": "comment_id", "city_facts": "fact_id", "financing": "financing_id"}


def raw(doc: str) -> str:
    return (REPO / "data" / "raw" / f"{doc}.txt").read_text(encoding="utf-8")


def edit(root: Path, doc: str, table: str, key: str | None, column: str, value: str, row: int | None = None) -> None:
    """Set one cell of a content file, chosen by its id (or by row number, header excluded)."""
    path = root / "data" / "curated" / doc / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    index = row if row is not None else next(i for i, r in enumerate(rows) if r[0] == key)
    rows[index][header.index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def refusal(root: Path) -> str:
    with pytest.raises(CuratedDataError) as error:
        build.build(quiet=True)
    return str(error.value)


# ---------------------------------------------------------------- the real database


def test_counts_per_document_are_what_was_curated(con):
    for view, expected in CURATED_COUNTS.items():
        counts = dict(con.sql(f"select doc_id, count(*) from {view} group by 1").fetchall())
        assert counts == expected, view


def test_smart_city_plan_hierarchy_3_strategies_9_policies_34_project_entries(con):
    levels = dict(con.sql("select level, count(*) from initiatives where doc_id = 'kaga_smartcity_2021' group by 1").fetchall())
    assert levels == {"strategy": 3, "policy": 9, "project": 34, "programme": 2, "category": 7, "action": 24}
    projects = con.sql("select name_ja, owning_division, goal_ja, is_repeat, parent_initiative_id from initiatives "
                       "where doc_id = 'kaga_smartcity_2021' and level = 'project'").fetchall()
    # Completeness against the raw text: one entry per `<n> TAB name TAB 所管 TAB division` line,
    # one goal per `2025年の目標` line, 32 distinct projects plus 2 marked 再掲.
    text = raw("kaga_smartcity_2021")
    assert len(projects) == len(re.findall(r"^\d+\t.+\t所管\t", text, flags=re.M)) == 34
    assert sum(len(goal.splitlines()) for _, _, goal, _, _ in projects) == len(re.findall(r"^2025年の目標\t", text, flags=re.M)) == 35
    assert sum(repeat for *_, repeat, _ in projects) == 2
    assert len({strip_whitespace(name).replace("（再掲）", "") for name, *_ in projects}) == 32
    per_policy = dict(con.sql("select name_ja, n_children from initiatives where doc_id = 'kaga_smartcity_2021' and level = 'policy'").fetchall())
    assert sorted(per_policy.values()) == [2, 2, 3, 3, 3, 4, 4, 6, 7]
    divisions = {division for _, division, *_ in projects}
    assert "防災対策課" in divisions and None not in divisions


def test_every_kpi_of_an_initiative_table_is_linked_and_the_rest_are_not(con):
    unlinked = dict(con.sql("""
        select k.doc_id, count(*) from kpis k
        where k.kpi_id not in (select kpi_id from initiative_kpis) group by 1""").fetchall())
    # Kaga plan: the 7 KPIs of the per-side tables of chapter 1 (4); Kumamoto: the 10 KPIs of the 2030 vision table.
    assert unlinked == {"kaga_plan_2026": 7, "kumamoto_progress_2022": 10}
    row = con.sql("select initiative_name_ja, basis from initiative_kpis where kpi_id = 'kumamoto_progress_2022:initiatives:05'").fetchall()
    assert row == [("震災の経験をいかした防災・減災のまちづくり", "same_row")]


def test_every_quote_and_printed_text_is_verbatim(con):
    texts = {doc: strip_whitespace(raw(doc)) for doc in DOCS}
    checked = 0
    for view in CURATED_COUNTS:
        for doc, quote in con.sql(f"select doc_id, source_quote from {view}").fetchall():
            assert strip_whitespace(quote) in texts[doc], (view, quote[:60])
            checked += 1
    assert checked == sum(sum(v.values()) for v in CURATED_COUNTS.values())
    for name, division, quote in con.sql("select name_ja, owning_division, source_quote from initiatives").fetchall():
        assert strip_whitespace(name) in strip_whitespace(quote)
        assert division is None or division in quote


def test_expert_comments_are_kumamotos_six_as_printed(con):
    rows = con.sql("select section, initiative_id, comment_ja from expert_comments order by comment_id").fetchall()
    text = raw("kumamoto_progress_2022")
    printed = re.findall(r"有識者からの取組に対する評価\n\n((?:.*\n)+?)\n*\d\. ", text)[0]
    assert [r[0][:3] for r in rows] == ["(4)"] * 3 + ["(7)"] * 3
    assert rows[3][1] == "kumamoto_progress_2022:model_project"
    assert rows[0][2] in printed and all(r[2] in text for r in rows)


def test_redacted_is_null_never_zero(con):
    rows = con.sql("select is_redacted, value, value_printed from financing where doc_id = 'hiratsuka_proposal_2022'").fetchall()
    assert len(rows) == 29 and sum(r[0] for r in rows) == 29
    assert all(value is None and printed is None for _, value, printed in rows)
    assert con.sql("select count(*) from city_facts where is_redacted and value is not null").fetchall() == [(0,)]


def test_city_facts_keep_both_printings_and_parse_the_man_form(con):
    population = con.sql("select doc_id, value, date_label, year from city_facts where fact_key = 'population' order by value").fetchall()
    assert population == [("kaga_plan_2026", 61042.0, "2025年10月1日現在", 2025), ("kaga_presentation_2022", 64377.0, "2021年12月1日現在", 2021)]
    area = con.sql("select doc_id, value from city_facts where fact_key = 'area' order by doc_id").fetchall()
    assert area == [("kaga_plan_2026", 305.87), ("kaga_presentation_2022", 306.0)]
    peak = con.sql("select value, value_printed from city_facts where city_id = 'hiratsuka' and fact_key = 'population_peak'").fetchall()
    assert peak == [(260863.0, "26万863")]
    assert parse_printed_amount("20万9千") == 209000 and parse_printed_amount("1,247,550") == 1247550


def test_accessors_filter_and_count(con):
    per = api_content.kpis_per_initiative(con, cities=["kumamoto"])
    links = dict(zip(per["level"] + "/" + per["side"], per["n_kpi_links"]))
    assert links == {"initiative/none": 9, "integrated_project/integrated": 7, "side_group/economy": 2, "side_group/society": 1,
                     "side_group/environment": 1, "initiative/economy": 0, "initiative/society": 0, "initiative/environment": 0,
                     "model_project/none": 0}
    projects = api_content.initiatives(con, cities="kaga", levels=["project"], frame="pandas")
    assert len(projects) == 34 + 3  # the smart-city plan's entries and the presentation's three named projects
    assert api_content.expert_comments(con, cities=["kaga"]).height == 0
    assert api_content.financing(con, kinds=["funding_method"])["doc_id"].unique().to_list() == ["kaga_smartcity_2021"]
    with pytest.raises(UnknownValueError):
        api_content.initiatives(con, levels=["programme_x"])
    with pytest.raises(UnknownValueError):
        api_content.city_facts(con, fact_keys=["populaton"])


# ---------------------------------------------------------------- refusals


def test_every_document_folder_needs_the_content_files(workspace):
    (workspace / "data" / "curated" / "kaga_plan_2026" / "city_facts.csv").unlink()
    assert "kaga_plan_2026/city_facts.csv: missing" in refusal(workspace)


def test_a_parent_that_does_not_exist_is_refused(workspace):
    edit(workspace, "kaga_smartcity_2021", "initiatives", "kaga_smartcity_2021:policy_2:project_01", "parent_initiative_id", "kaga_smartcity_2021:policy_99")
    message = refusal(workspace)
    assert "kaga_smartcity_2021/initiatives.csv, row 15" in message and "'parent_initiative_id'" in message and "policy_99" in message


def test_a_parent_loop_and_a_parent_in_another_document_are_refused(workspace):
    edit(workspace, "kaga_smartcity_2021", "initiatives", "kaga_smartcity_2021:strategy_1", "parent_initiative_id", "kaga_smartcity_2021:policy_1")
    edit(workspace, "kaga_plan_2026", "initiatives", "kaga_plan_2026:initiative_1", "parent_initiative_id", "kaga_smartcity_2021:strategy_2")
    message = refusal(workspace)
    assert "loops back" in message and "kaga_plan_2026/initiatives.csv, row 1" in message


def test_a_kpi_link_to_another_documents_kpi_or_to_no_kpi_is_refused(workspace):
    edit(workspace, "kaga_plan_2026", "initiative_kpis", None, "kpi_id", "kumamoto_progress_2022:overall:01", row=1)
    edit(workspace, "kaga_plan_2026", "initiative_kpis", None, "kpi_id", "kaga_plan_2026:i1_re100:09", row=2)
    message = refusal(workspace)
    assert "initiative_kpis.csv, row 1" in message and "kumamoto_progress_2022:overall:01" in message
    assert "initiative_kpis.csv, row 2" in message and "kaga_plan_2026:i1_re100:09" in message


def test_a_side_level_or_basis_outside_the_lists_is_refused(workspace):
    edit(workspace, "kumamoto_progress_2022", "initiatives", "kumamoto_progress_2022:model_project:economy", "side", "economic")
    edit(workspace, "kumamoto_progress_2022", "initiatives", "kumamoto_progress_2022:initiative_1", "level", "measure")
    edit(workspace, "kumamoto_progress_2022", "initiative_kpis", None, "basis", "guess", row=1)
    message = refusal(workspace)
    assert "'side', value 'economic'" in message and "'level', value 'measure'" in message and "'basis', value 'guess'" in message


def test_a_changed_number_name_or_division_is_refused(workspace):
    edit(workspace, "kaga_plan_2026", "city_facts", "kaga_plan_2026:13", "value", "61,043")  # not in the quote
    edit(workspace, "kaga_plan_2026", "city_facts", "kaga_plan_2026:14", "value", "80")  # a part of 80,877
    edit(workspace, "kaga_smartcity_2021", "initiatives", "kaga_smartcity_2021:policy_2:project_04", "owning_division", "スマートシティ課")
    edit(workspace, "kaga_smartcity_2021", "initiatives", "kaga_smartcity_2021:policy_1:project_01", "goal_ja", "生活の利便性を大きく向上します。")
    edit(workspace, "kumamoto_progress_2022", "expert_comments", "kumamoto_progress_2022:06", "comment_ja", "パンデミックも災害の一つと考えられる。")
    message = refusal(workspace)
    assert "city_facts.csv, row 13 (line 14), column 'value', value '61,043'" in message
    assert "value '80': not printed as a whole number" in message
    assert "'owning_division', value 'スマートシティ課'" in message and "'goal_ja'" in message and "'comment_ja'" in message


def test_a_redacted_amount_with_a_number_is_refused(workspace):
    edit(workspace, "hiratsuka_proposal_2022", "financing", "hiratsuka_proposal_2022:01", "value", "0")
    message = refusal(workspace)
    assert "financing.csv, row 1" in message and "a redacted value has no number" in message


def test_a_quote_not_in_the_document_is_refused(workspace):
    edit(workspace, "kumamoto_progress_2022", "city_facts", "kumamoto_progress_2022:01", "source_quote", "本市で約278,400戸が停電")
    assert "city_facts.csv, row 1 (line 2), column 'source_quote'" in refusal(workspace)


def test_the_fourth_city_brings_its_own_content(workspace):
    city = add_fourth_city(workspace)
    build.build(quiet=True)
    from sdgcities.access import api

    with api.connect() as con:
        assert api_content.initiatives(con, cities=[city])["owning_division"].to_list() == ["商工観光課", None]
        assert api_content.initiative_kpis(con, cities=[city])["kpi_id"].to_list() == ["kaku_plan_2024:s4:01"]
        assert api_content.city_facts(con, cities=[city])["value"].to_list() == [85000.0, 120.5]
        assert api_content.expert_comments(con, cities=[city]).height == 1
    for table in CONTENT_TABLES:
        assert (REPO / "tests" / "fixtures" / "fourth_city" / "curated" / "kaku_plan_2024" / f"{table}.csv").is_file()


# ---------------------------------------------------------------- profile and comparison


def test_city_profile_content_sections(built_db):
    from sdgcities.present import notebook as nb
    from sdgcities.present.analyses import profile as pc

    ctx = nb.setup(cities=["kumamoto"], lang="en", database=built_db)
    c = pc.content_summary(ctx)
    assert pc.content_check_lines(c) == [
        "initiatives=22 above_actions=22 with_kpis=8 with_division=0 with_goal=0",
        "kpi_links=20 kpis_linked=20 of 30",
        "facts=1 comments=6 financing=2 redacted=0",
    ]
    table = pc.initiatives_table(ctx, pc.initiatives(ctx))
    initiative, kpi_names = ctx.w("profile.column.initiative"), ctx.w("profile.column.kpi_names")
    names = table[initiative].to_list()
    assert len(names) == 22 and names[0] == "熊本地震の経験と教訓をいかした地域（防災）力の向上事業"
    assert "　　①-1 日本一の園芸産地づくりの推進（農業のポテンシャルの発現）" in names  # two levels under the model project
    row = table.filter(table[initiative] == "③ 震災の経験をいかした防災・減災のまちづくり").row(0, named=True)
    assert row["KPI"] == 4 and row[kpi_names].startswith("本市が関与した年間の地下水かん養量 / エネルギー消費量の削減")
    money = pc.financing_table(nb.setup(cities=["hiratsuka"], lang="ja", database=built_db), pc.financing(nb.setup(cities=["hiratsuka"], lang="ja", database=built_db)))
    assert set(money["金額"].to_list()) == {"黒塗り"}  # every Hiratsuka amount is redacted: shown so, never 0


def test_coverage_counts_kpis_per_initiative_and_side(con):
    from sdgcities.present.analyses.coverage import initiatives as ci

    cities = ["kaga", "kumamoto", "hiratsuka"]
    frame = ci.kpis_per_initiative(con, cities)
    text = ci.format_initiative_counts(frame, ci.unlinked_kpis(con, cities))
    assert "kumamoto integrated: initiatives=1 with_kpis=1 links=7 kpis=7 max=7" in text
    assert "hiratsuka economy: initiatives=5 with_kpis=0 links=0 kpis=0 max=0" in text
    assert text.splitlines()[-3:] == ["kaga unlinked_kpis=7 of 25", "kumamoto unlinked_kpis=10 of 30", "hiratsuka unlinked_kpis=0 of 18"]
    # Every KPI link is counted once per initiative: the sum equals the rows of initiative_kpis.
    assert int(frame["n_kpi_links"].sum()) == con.sql("select count(*) from initiative_kpis").fetchall()[0][0] == 56
    assert ci.kpis_per_initiative(con, cities, "environment")["side_key"].unique().to_list() == ["environment"]


def test_action_items_match_the_bullets_printed_in_each_initiative_section(con):
    """Completeness against the raw text: one action per ・ item of the initiative sections."""
    plan = raw("kaga_plan_2026")
    section = plan[plan.index("#### ①「加賀市版 RE100」の推進"):plan.index("## (2) 情報発信")]
    bullets = re.findall(r"^(?:#+ )?・", section, flags=re.M)
    proposal = raw("hiratsuka_proposal_2022")
    section = proposal[proposal.index("① 産業の振興としごとづくり"):proposal.index("(2)情報発信")]
    hiratsuka_bullets = re.findall(r"^・", section, flags=re.M)
    actions = dict(con.sql("select doc_id, count(*) from initiatives where level = 'action' and doc_id in ('kaga_plan_2026', 'hiratsuka_proposal_2022') group by 1").fetchall())
    assert actions == {"kaga_plan_2026": len(bullets), "hiratsuka_proposal_2022": len(hiratsuka_bullets)} == {"kaga_plan_2026": 18, "hiratsuka_proposal_2022": 17}
    sheet = raw("kumamoto_progress_2022")
    numbered = set(re.findall(r"[①②③]-\d", sheet[sheet.index("(3) 三側面ごとの取組の達成状況"):sheet.index("(4) 「三側面ごとの取組の達成状況」")]))
    kumamoto = {r[0] for r in con.sql("select number_label from initiatives where doc_id = 'kumamoto_progress_2022' and level = 'initiative' and side is not null").fetchall()}
    assert kumamoto == numbered and len(numbered) == 13
