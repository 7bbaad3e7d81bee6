"""The settled curation conventions (data/curated/CURATION_GUIDE.md): on the real tables, and the
loader refusing rows that break them with file, row, column and value."""

from __future__ import annotations

from pathlib import Path

from test_build import build_and_refuse, built_workspace, edit_cell  # noqa: F401 (fixture)

from sdgcities.build.inputs.parsing import strip_whitespace

KUMAMOTO_STAKEHOLDERS = Path("data/curated/kumamoto_progress_2022/stakeholders.csv")


# ---------------------------------------------------------------- the real tables


def test_role_ja_and_date_label_are_copied_from_the_quote(con):
    rows = con.sql("select stakeholder_id, role_ja, event_on_label, source_quote from stakeholders").fetchall()
    assert len(rows) == 194
    for stakeholder_id, role, label, quote in rows:
        for printed in (role, label):
            assert printed is None or strip_whitespace(printed) in strip_whitespace(quote), stakeholder_id


def test_every_date_has_its_event(con):
    counts = dict(con.sql("select coalesce(event, 'none'), count(*) from stakeholders group by 1").fetchall())
    assert counts == {"agreement": 76, "founding": 11, "declaration": 3, "signature": 2, "selection": 2, "adoption": 2,
                      "joint_event": 2, "none": 96}
    assert con.sql("select count(*) from stakeholders where (event is null) <> (event_on_label is null)").fetchall()[0][0] == 0
    # A fiscal-year label prints no calendar date: the event and its label are kept, event_on is empty.
    assert con.sql("select stakeholder_id, event, event_on, event_on_label from stakeholders where event_on is null and event is not null").fetchall() == [
        ("hiratsuka_proposal_2022:26", "selection", None, "2021年度")]
    events = dict(con.sql("select stakeholder_id, event from stakeholders where event is not null").fetchall())
    # The cases the issue names: the smart-city council's founding, METI's IoT推進ラボ selection, the
    # R2 総務省 adoption; and the founding dates that were only in notes.
    assert events["kaga_presentation_2022:38"] == "founding"
    assert events["kaga_presentation_2022:03"] == "selection"
    assert events["kaga_presentation_2022:53"] == "adoption"
    assert events["kaga_plan_2026:02"] == events["kaga_plan_2026:05"] == events["kaga_plan_2026:09"] == "founding"
    assert events["kaga_plan_2026:03"] == events["kaga_presentation_2022:51"] == "signature"


def test_partners_data_sources_and_internal_bodies_are_kept_apart(con):
    counts = con.sql("select doc_id, relation, count(*) from stakeholders group by all order by all").fetchall()
    assert counts == [
        ("hiratsuka_proposal_2022", "data_source", 3), ("hiratsuka_proposal_2022", "partner", 27),
        ("kaga_plan_2026", "data_source", 2), ("kaga_plan_2026", "internal", 4), ("kaga_plan_2026", "partner", 86),
        ("kaga_presentation_2022", "data_source", 4), ("kaga_presentation_2022", "internal", 1), ("kaga_presentation_2022", "partner", 48),
        ("kaga_smartcity_2021", "data_source", 7), ("kaga_smartcity_2021", "partner", 2),
        ("kumamoto_progress_2022", "internal", 1), ("kumamoto_progress_2022", "partner", 9),
    ]
    # Kaga is not its own partner; every partner that is not redacted has a theme.
    assert con.sql("select relation from stakeholders where partner_key = 'kaga_city'").fetchall() == [("internal",)]
    assert con.sql("select count(*) from stakeholders where relation = 'partner' and not is_redacted and theme is null").fetchall()[0][0] == 0


def test_narrative_targets_are_marked_and_text_milestones_have_no_direction(con):
    narrative = con.sql("select side, sdg_target from priority_targets where basis = 'narrative' order by printed_order").fetchall()
    assert narrative == [("economy", "7.2"), ("economy", "7.a"), ("economy", "8.9"), ("environment", "12.2"), ("environment", "13.1")]
    bases = dict(con.sql("select doc_id, list(distinct basis order by basis) from priority_targets group by 1").fetchall())
    assert bases == {"kaga_plan_2026": ["narrative", "priority_list"], "kumamoto_progress_2022": ["kpi_table"],
                     "hiratsuka_proposal_2022": ["kpi_table"]}
    no_direction = con.sql("select count(*), count(*) filter (where status_text is not null) from kpis "
                           "where direction is null and not is_redacted").fetchall()[0]
    assert no_direction == (10, 10)
    # The audit says why these cannot be evaluated instead of failing.
    reasons = con.sql("select distinct r.reason_code, r.unusable_inputs, r.unusable_problems from kpi_rule_results r "
                      "join kpis k using (kpi_id) where r.rule = 'progress' and k.direction is null and not k.is_redacted").fetchall()
    assert reasons == [("text_only", ["baseline", "actual", "target"], ["missing"] * 3)]


# ---------------------------------------------------------------- the loader refuses


def test_a_paraphrased_role_is_refused(built_workspace):  # noqa: F811
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 9, "role_ja", "日産との避難所協定")
    message = build_and_refuse(built_workspace)
    assert "kumamoto_progress_2022/stakeholders.csv, row 9 (line 10), column 'role_ja', value '日産との避難所協定'" in message
    assert "source_quote" in message


def test_a_date_needs_its_event_and_its_printed_label(built_workspace):  # noqa: F811
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 4, "event", "")
    message = build_and_refuse(built_workspace)
    assert "stakeholders.csv, row 4 (line 5), column 'event_on_label', value '2021年4月'" in message and "event and event_on_label go together" in message
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 4, "event", "founding")
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 4, "event_on_label", "2021年5月")
    message = build_and_refuse(built_workspace)
    assert "row 4 (line 5), column 'event_on_label', value '2021年5月'" in message


def test_vocabularies_are_closed(built_workspace):  # noqa: F811
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 1, "theme", "wellbeing")
    edit_cell(built_workspace, KUMAMOTO_STAKEHOLDERS, 2, "relation", "")
    message = build_and_refuse(built_workspace)
    assert "row 1 (line 2), column 'theme', value 'wellbeing'" in message and "smart_city" in message
    assert "row 2 (line 3), column 'relation'" in message and "partner, data_source, internal" in message
