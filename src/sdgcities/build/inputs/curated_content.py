"""The content tables of each document: initiatives (with their KPIs), expert comments, city facts
and financing. Loaded by curated.load_inputs beside the KPI tables and validated here.

Each document folder holds initiatives.csv, initiative_kpis.csv, expert_comments.csv,
city_facts.csv and financing.csv (a header line alone when the document prints none). The columns
are described in data/curated/CURATION_GUIDE.md ("Content tables"). Every printed text a row
carries (name, owning division, goal, description, value, date label, ...) must occur in its own
source_quote, so a row cannot drift from its quote without the build noticing.
"""

from __future__ import annotations

import contextlib
import re
from typing import Callable

import pyarrow as pa

from sdgcities.build.inputs.checks import _unique
from sdgcities.build.inputs.curated import Inputs
from sdgcities.build.inputs.problems import Problem, _problem
from sdgcities.build.inputs.tables import REQUIRED, SIDES, TEXT, _boolean, _choice
from sdgcities.build.inputs.parsing import ValueParseError, parse_number, parse_year_label, strip_whitespace

# Closed lists, documented in CURATION_GUIDE.md and data_dictionary.yaml.
INITIATIVE_LEVELS = (
    "strategy",  # 戦略 / a pillar of a strategy
    "policy",  # 施策 under a strategy
    "project",  # 事業
    "programme",  # a themed chapter of measures that is not a strategy (privacy, security)
    "category",  # a group inside a programme (security カテゴリ, privacy area)
    "initiative",  # 取組 of an SDGs plan (①–④, ①-1 ...)
    "model_project",  # 自治体SDGsモデル事業
    "side_group",  # the model project's work on one side (経済面の取組 ...)
    "integrated_project",  # 三側面をつなぐ統合的取組
    "action",  # an item (・, ◆, numbered 主な取組) under any of the above
)
LINK_BASES = (
    "same_row",  # the KPI is printed in the initiative's row (or merged cell) of a table
    "under_heading",  # the KPI table is printed directly under the initiative's heading
    "section_table",  # the KPI table of a section devoted to the initiative
    "named_indicator",  # the initiative's text names the KPI's indicator
)
FINANCING_KINDS = ("budget", "expenditure", "funding_method", "support_measure", "private_investment")

INITIATIVE_COLUMNS: dict[str, Callable] = {
    "initiative_id": REQUIRED, "doc_id": REQUIRED, "section": TEXT, "level": _choice(INITIATIVE_LEVELS, True),
    "parent_initiative_id": TEXT, "number_label": TEXT, "side": _choice(SIDES, False), "name_ja": TEXT,
    "owning_division": TEXT, "description_ja": TEXT, "goal_label": TEXT, "goal_ja": TEXT, "is_repeat": _boolean,
    "is_redacted": _boolean, "note": TEXT, "source_quote": REQUIRED,
}
INITIATIVE_KPI_COLUMNS: dict[str, Callable] = {
    "initiative_id": REQUIRED, "kpi_id": REQUIRED, "basis": _choice(LINK_BASES, True), "note": TEXT, "source_quote": REQUIRED,
}
EXPERT_COMMENT_COLUMNS: dict[str, Callable] = {
    "comment_id": REQUIRED, "doc_id": REQUIRED, "section": REQUIRED, "part": TEXT, "initiative_id": TEXT,
    "side": _choice(SIDES, False), "comment_ja": REQUIRED, "note": TEXT, "source_quote": REQUIRED,
}
CITY_FACT_COLUMNS: dict[str, Callable] = {
    "fact_id": REQUIRED, "doc_id": REQUIRED, "section": TEXT, "fact_key": REQUIRED, "fact_ja": REQUIRED, "value": TEXT,
    "unit": TEXT, "qualifier": TEXT, "date_label": TEXT, "source_ja": TEXT, "is_redacted": _boolean, "note": TEXT,
    "source_quote": REQUIRED,
}
FINANCING_COLUMNS: dict[str, Callable] = {
    "financing_id": REQUIRED, "doc_id": REQUIRED, "section": TEXT, "kind": _choice(FINANCING_KINDS, True),
    "initiative_id": TEXT, "item_ja": TEXT, "description_ja": TEXT, "period_label": TEXT, "value": TEXT, "unit": TEXT,
    "is_redacted": _boolean, "note": TEXT, "source_quote": REQUIRED,
}
CONTENT_TABLES: dict[str, dict[str, Callable]] = {
    "initiatives": INITIATIVE_COLUMNS,
    "initiative_kpis": INITIATIVE_KPI_COLUMNS,
    "expert_comments": EXPERT_COMMENT_COLUMNS,
    "city_facts": CITY_FACT_COLUMNS,
    "financing": FINANCING_COLUMNS,
}
ID_COLUMNS = {"initiatives": "initiative_id", "expert_comments": "comment_id", "city_facts": "fact_id", "financing": "financing_id"}

_S = pa.string()
CONTENT_SCHEMAS: dict[str, dict[str, pa.DataType]] = {
    "initiatives": {**{c: (pa.bool_() if c.startswith("is_") else _S) for c in INITIATIVE_COLUMNS}, "_row": pa.int32()},
    "initiative_kpis": {**{c: _S for c in INITIATIVE_KPI_COLUMNS}, "_row": pa.int32()},
    "expert_comments": {**{c: _S for c in EXPERT_COMMENT_COLUMNS}, "_row": pa.int32()},
    "city_facts": {**{c: (pa.bool_() if c.startswith("is_") else _S) for c in CITY_FACT_COLUMNS}, "value": pa.float64(),
                   "value_printed": _S, "year": pa.int32(), "is_fiscal_year": pa.bool_(), "_row": pa.int32()},
    "financing": {**{c: (pa.bool_() if c.startswith("is_") else _S) for c in FINANCING_COLUMNS}, "value": pa.float64(),
                  "value_printed": _S, "_row": pa.int32()},
}
CONTENT_SORT_KEYS = {
    "initiatives": ("initiative_id",), "initiative_kpis": ("_doc_id", "_row"), "expert_comments": ("comment_id",),
    "city_facts": ("fact_id",), "financing": ("financing_id",),
}

_ID = re.compile(r"[a-z0-9_]+:[a-z0-9_.:-]+")
_MAN = re.compile(r"^(?P<man>\d{1,3}(?:,\d{3})*|\d+)万(?:(?P<sen>\d)千|(?P<rest>\d{1,4}))?$")


def parse_printed_amount(text: str) -> float:
    """A number as printed, also in the 万 form of running text: ``26万863`` → 260863, ``20万9千`` → 209000."""
    compact = strip_whitespace(text)
    match = _MAN.match(compact)
    if match:
        value = float(match.group("man").replace(",", "")) * 10_000
        if match.group("sen"):
            value += int(match.group("sen")) * 1_000
        elif match.group("rest"):
            value += int(match.group("rest"))
        return value
    return parse_number(compact)


def _in_quote(record: dict, column: str, problems: list[Problem], *, by_line: bool = False) -> None:
    """The column's text (each of its lines, when by_line) must occur in the row's source_quote."""
    value = record.get(column)
    if value is None or "_quote_stripped" not in record:
        return
    parts = [p for p in str(value).splitlines() if p.strip()] if by_line else [str(value)]
    for part in parts:
        if strip_whitespace(part) not in record["_quote_stripped"]:
            problems.append(_problem(record, column, part, "not printed in the row's source_quote"))
            return


def check_content(inputs: Inputs, texts: dict[str, str], problems: list[Problem]) -> None:
    """Validate the content tables: documents, ids, references, quotes and printed values."""
    stripped = {doc: strip_whitespace(text) for doc, text in texts.items()}
    for table in CONTENT_TABLES:
        for record in getattr(inputs, table):
            if "doc_id" in record and record["doc_id"] != record["_doc_id"]:
                problems.append(_problem(record, "doc_id", record["doc_id"], f"unknown or misplaced doc_id: rows in this folder belong to document {record['_doc_id']}"))
            text = stripped.get(record["_doc_id"])
            if text is None:
                continue
            record["_quote_stripped"] = strip_whitespace(record["source_quote"])
            if record["_quote_stripped"] not in text:
                problems.append(_problem(record, "source_quote", record["source_quote"], f"not found verbatim (whitespace aside) in data/raw/{record['_doc_id']}.txt"))
                del record["_quote_stripped"]
    for table, key in ID_COLUMNS.items():
        records = getattr(inputs, table)
        _unique(records, key, problems)
        for record in records:
            if not _ID.fullmatch(record[key]) or not record[key].startswith(f"{record['_doc_id']}:"):
                problems.append(_problem(record, key, record[key], f"must look like {record['_doc_id']}:<ascii id> (lowercase, digits, _ . : -; no spaces)"))
    _check_initiatives(inputs, problems)
    _check_links(inputs, problems)
    _check_values(inputs, problems)


def _check_initiatives(inputs: Inputs, problems: list[Problem]) -> None:
    initiatives = {r["initiative_id"]: r for r in inputs.initiatives}
    for record in inputs.initiatives:
        parent_id = record["parent_initiative_id"]
        if parent_id is not None:
            parent = initiatives.get(parent_id)
            if parent is None or parent["_doc_id"] != record["_doc_id"]:
                problems.append(_problem(record, "parent_initiative_id", parent_id, "no initiative with this id in this document's initiatives.csv"))
            else:
                seen, current = {record["initiative_id"]}, parent
                while current is not None and current["parent_initiative_id"] is not None:
                    if current["initiative_id"] in seen:
                        problems.append(_problem(record, "parent_initiative_id", parent_id, "the parent chain loops back to this initiative"))
                        break
                    seen.add(current["initiative_id"])
                    current = initiatives.get(current["parent_initiative_id"])
        if record["name_ja"] is None and not record["is_redacted"]:
            problems.append(_problem(record, "name_ja", None, "is empty but the row is not marked is_redacted"))
        if record["goal_label"] is not None and record["goal_ja"] is None:
            problems.append(_problem(record, "goal_label", record["goal_label"], "a goal label without a goal (goal_ja is empty)"))
        _in_quote(record, "name_ja", problems)
        _in_quote(record, "owning_division", problems)
        _in_quote(record, "goal_label", problems)
        _in_quote(record, "goal_ja", problems, by_line=True)
        _in_quote(record, "description_ja", problems, by_line=True)
    for table in ("expert_comments", "financing"):
        for record in getattr(inputs, table):
            target = initiatives.get(record["initiative_id"]) if record["initiative_id"] else None
            if record["initiative_id"] and (target is None or target["_doc_id"] != record["_doc_id"]):
                problems.append(_problem(record, "initiative_id", record["initiative_id"], "no initiative with this id in this document's initiatives.csv"))
    for record in inputs.expert_comments:
        _in_quote(record, "comment_ja", problems)


def _check_links(inputs: Inputs, problems: list[Problem]) -> None:
    initiatives = {r["initiative_id"]: r for r in inputs.initiatives}
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    seen: dict[tuple[str, str], dict] = {}
    for record in inputs.initiative_kpis:
        initiative = initiatives.get(record["initiative_id"])
        if initiative is None or initiative["_doc_id"] != record["_doc_id"]:
            problems.append(_problem(record, "initiative_id", record["initiative_id"], "no initiative with this id in this document's initiatives.csv"))
        kpi = kpis.get(record["kpi_id"])
        if kpi is None or kpi["_doc_id"] != record["_doc_id"]:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], "no KPI with this id in this document's kpis.csv"))
        key = (record["initiative_id"], record["kpi_id"])
        if key in seen:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"duplicate link: same initiative and KPI as row {seen[key]['_row']}"))
        seen[key] = record


def derive_content_values(inputs: Inputs) -> None:
    """The values check_content derives (none of its checks changes them): the number of a printed amount (None
    when it is not one: a problem of the checks) with the amount as printed, and the year of a fact's label."""
    for table in ("city_facts", "financing"):
        for record in getattr(inputs, table):
            printed = record["value_printed"] = record["value"]
            record["value"] = None
            if printed is not None:
                with contextlib.suppress(ValueParseError):
                    record["value"] = parse_printed_amount(printed)
    for record in inputs.city_facts:
        record["year"], record["is_fiscal_year"] = parse_year_label(record["date_label"])


def _check_values(inputs: Inputs, problems: list[Problem]) -> None:
    derive_content_values(inputs)  # derived first: deriving finds no problem, so the problems keep their order
    for table, label_columns in (("city_facts", ("fact_ja", "qualifier", "date_label", "source_ja")), ("financing", ("period_label",))):
        for record in getattr(inputs, table):
            printed = record["value_printed"]
            if printed is not None:
                if record["is_redacted"]:
                    problems.append(_problem(record, "value", printed, "a redacted value has no number: leave it empty"))
                if record["value"] is None:  # not a number: parsed again for the reason
                    try:
                        parse_printed_amount(printed)
                    except ValueParseError as error:
                        problems.append(_problem(record, "value", printed, str(error)))
                _check_printed_number(record, printed, problems)
            elif table == "city_facts" and not record["is_redacted"]:
                problems.append(_problem(record, "value", None, "is empty but the fact is not marked is_redacted"))
            for column in label_columns:
                _in_quote(record, column, problems)
            if table == "financing":
                _in_quote(record, "description_ja", problems, by_line=True)
    for record in inputs.city_facts:
        if record["year"] is not None and not 1900 <= record["year"] <= 2100:
            problems.append(_problem(record, "date_label", record["date_label"], f"implausible year {record['year']}"))
        if not re.fullmatch(r"[a-z][a-z0-9_]*", record["fact_key"]):
            problems.append(_problem(record, "fact_key", record["fact_key"], "must be ascii snake_case"))


def _check_printed_number(record: dict, printed: str, problems: list[Problem]) -> None:
    """The value must be printed in its quote as a whole number: 2 does not match inside 2023 or 1,002."""
    quote = record.get("_quote_stripped")
    if quote is None:
        return
    number = re.escape(strip_whitespace(printed))
    if not re.search(rf"(?<![0-9,.]){number}(?![0-9]|[,.][0-9])", quote):
        problems.append(_problem(record, "value", printed, "not printed as a whole number in the row's source_quote"))
