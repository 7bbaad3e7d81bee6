"""Declared losses of the text extraction: loaded into the extraction_losses view, and a wrong
declaration refused with the file, the entry and the key."""

from pathlib import Path

import pytest

from sdgcities.build.inputs.extraction_losses import load_losses
from sdgcities.build.inputs.problems import Problem


def _load(tmp_path: Path, text: str, rows: dict[str, int] | None = None) -> tuple[list[dict], list[Problem]]:
    (tmp_path / "extraction_losses.yaml").write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    losses = load_losses(tmp_path, "doc_x", rows or {"priority_targets": 10, "kpis": 3}, problems)
    return losses, problems


def test_no_file_means_nothing_was_lost(tmp_path):
    problems: list[Problem] = []
    assert load_losses(tmp_path, "doc_x", {}, problems) == [] and problems == []


def test_a_declared_loss_becomes_a_row(tmp_path):
    losses, problems = _load(tmp_path, "- {loss_kind: table_heading, lost_part: '(3-2)', lost_part_until: '(5)', table: kpis, rows_affected: 3}\n")
    assert problems == []
    assert losses == [{"doc_id": "doc_x", "loss_kind": "table_heading", "lost_part": "(3-2)", "lost_part_until": "(5)",
                       "table_name": "kpis", "rows_affected": 3, "note": None, "_row": 1}]


@pytest.mark.parametrize("entry, message", [
    ("{loss_kind: chapter, lost_part: x, table: kpis, rows_affected: 1}", "loss_kind: 'chapter' is not one of"),
    ("{loss_kind: section, lost_part: x, table: cities, rows_affected: 1}", "table: 'cities' is not one of"),
    ("{loss_kind: section, lost_part: x, table: kpis, rows_affected: 0}", "rows_affected: 0 must be a whole number"),
    ("{loss_kind: section, lost_part: x, table: kpis, rows_affected: 4}", "rows_affected: 4 is more than the 3 rows of kpis.csv"),
    ("{loss_kind: section, lost_part: x, lost_part_until: y, table: kpis, rows_affected: 1}", "lost_part_until: 'y' is only for"),
    ("{loss_kind: section, table: kpis, rows_affected: 1}", "lost_part: missing"),
    ("{loss_kind: section, lost_part: x, table: kpis, rows_affected: 1, page: 3}", "page: unknown key"),
])
def test_a_wrong_declaration_is_refused_by_file_entry_and_key(tmp_path, entry, message):
    losses, problems = _load(tmp_path, f"- {{loss_kind: section, lost_part: ok, table: kpis, rows_affected: 1}}\n- {entry}\n")
    assert [loss["lost_part"] for loss in losses] == ["ok"]
    assert len(problems) == 1
    assert "extraction_losses.yaml, entry 2" in str(problems[0]) and message in str(problems[0])


def test_the_view_holds_every_declared_loss(con):
    rows = con.sql("select city_id, loss_kind, lost_part, table_name, rows_affected from extraction_losses "
                   "order by city_id, doc_id, lost_part").fetchall()
    assert rows == [
        ("hiratsuka", "table_heading", "(3-2)", "stakeholders", 3),
        ("hiratsuka", "section", "1.1 (3)", "priority_targets", 9),
        ("kaga", "category_heading", "アセット", "kpis", 2),
        ("kaga", "category_heading", "ガバナンス", "kpis", 4),
        ("kaga", "category_heading", "サービス", "kpis", 3),
        ("kaga", "category_heading", "都市OS", "kpis", 2),
        ("kumamoto", "section", "(3) 2030年のあるべき姿の実現へ向けた優先的なゴール", "priority_targets", 23),
    ]
