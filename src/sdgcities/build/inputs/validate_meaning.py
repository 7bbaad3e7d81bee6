"""Checks that a curated row means what its quote prints, not merely that its text occurs somewhere.

The rules are declared per table (QUOTE_RULES): which columns hold numbers that the quote must print
as whole numbers, which hold names or labels the quote must print, which hold SDG targets, which are
ids. A table added later plugs in by adding its declaration here. Cross-row rules (a synergy's KPI in
the same document, direction against the numbers, baseline before target, actuals not after the
document, agreement dates against their labels) follow. Every rule is listed in
data/curated/CURATION_GUIDE.md, "What the build checks".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sdgcities.build.inputs.curated import Inputs
from sdgcities.build.inputs.problems import Problem, _problem
from sdgcities.build.inputs.tables import DOC_TABLES, raw_cells
from sdgcities.build.inputs.exceptions import DeclaredExceptions
from sdgcities.build.inputs.parsing import ValueParseError, parse_number, strip_whitespace
from sdgcities.build.inputs.printed import (YEAR_RANGE, label_in_text, normalise, normalise_number, number_tokens, parse_date_label,
                      parse_iso_date, show_date, squeeze, target_tokens, year_of_label)

MIN_QUOTE_CHARS = 6  # whitespace aside; the shortest real quote has 7 (`2021年 2 件`)
# A quote printed more than once in its document still identifies its place when it is this long
# (a 再掲 row, a list printed twice): shorter repeated quotes must be lengthened.
REPEATED_QUOTE_MIN_CHARS = 16


@dataclass(frozen=True)
class QuoteRules:
    """What the quote of a table's row must print.

    numbers: columns holding a printed number: the quote prints it as a whole number token, sign
        included (a column that holds a word, like 達成, must then be printed verbatim);
    verbatim: columns whose text the quote prints, whitespace aside (names, labels);
    year_labels: columns holding a KPI year label: well formed, plausible, printed in the quote
        (or, when the cell prints none, in the column named by label_fallback);
    targets: columns holding SDG target ids (a ;-list or one id): each printed in the quote;
    ids: columns holding ids or keys: no leading or trailing whitespace;
    last_cell: columns printed as the last cell of the row (a 達成度 column ends its table): the
        quote ends with it (a trailing % aside), so that another number of the row cannot stand in;
    parent: (column, table) of the row this row is a cell of: its quote is a part of the parent's
        quote (which fixes its place), and its numbers are printed there too.
    """

    numbers: tuple[str, ...] = ()
    verbatim: tuple[str, ...] = ()
    year_labels: tuple[str, ...] = ()
    label_fallback: str | None = None
    targets: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    last_cell: tuple[str, ...] = ()
    parent: tuple[str, str] | None = None


QUOTE_RULES: dict[str, QuoteRules] = {
    "kpis": QuoteRules(numbers=("published_achievement",), verbatim=("indicator_ja",), targets=("sdg_targets",),
                       ids=("kpi_id", "doc_id", "table_code", "indicator_key"), last_cell=("published_achievement",)),
    "kpi_observations": QuoteRules(numbers=("value",), year_labels=("label",), label_fallback="column_label",
                                   ids=("kpi_id",), parent=("kpi_id", "kpis")),
    "priority_targets": QuoteRules(targets=("sdg_target",), ids=("doc_id",)),
    "stakeholders": QuoteRules(verbatim=("name_ja", "role_ja", "event_on_label"), ids=("stakeholder_id", "doc_id", "partner_key")),
    "synergies": QuoteRules(ids=("synergy_id", "doc_id", "kpi_id")),
    "initiatives": QuoteRules(ids=("initiative_id", "doc_id", "parent_initiative_id")),
    "initiative_kpis": QuoteRules(ids=("initiative_id", "kpi_id")),
    "expert_comments": QuoteRules(ids=("comment_id", "doc_id", "initiative_id")),
    "city_facts": QuoteRules(ids=("fact_id", "doc_id", "fact_key")),
    "financing": QuoteRules(ids=("financing_id", "doc_id", "initiative_id")),
    "cities": QuoteRules(ids=("city_id",)),
    "sdg_targets": QuoteRules(ids=("target",)),
}

# Markers the guide leaves out of indicator_ja; they are ignored when looking for it in the quote.
_REPEAT_MARKERS = ("【再掲】", "(再掲)", "（再掲）")

# The rules read the same quotes and cells many times (a KPI row's quote for each of its cells, the same
# labels and names in every document): these pure readings are kept for the whole check (about 200,000
# rows at 1,741 cities), as printed.py keeps its own.
_CACHE_SIZE = 1 << 18
_year_of_label = lru_cache(maxsize=_CACHE_SIZE)(year_of_label)
_label_in_text = lru_cache(maxsize=_CACHE_SIZE)(label_in_text)
_normalise_number = lru_cache(maxsize=_CACHE_SIZE)(normalise_number)
_parse_iso_date = lru_cache(maxsize=_CACHE_SIZE)(parse_iso_date)
_parse_date_label = lru_cache(maxsize=_CACHE_SIZE)(parse_date_label)


@lru_cache(maxsize=_CACHE_SIZE)
def _targets_printed(quote: str) -> frozenset[str]:
    return frozenset(target_tokens(quote))


@lru_cache(maxsize=_CACHE_SIZE)
def _printed_text(text: str) -> str:
    """A text as the verbatim rule compares it: no whitespace, no repeat markers (exact otherwise: no NFKC)."""
    return _strip_markers(strip_whitespace(text))


def check_meaning(inputs: Inputs, texts: dict[str, str], problems: list[Problem]) -> None:
    """Run every rule; append one Problem per broken rule and row."""
    stripped_docs = {doc: squeeze(text) for doc, text in texts.items()}
    published_year = {d["doc_id"]: (parse_iso_date(d["published_on"]) or (None,))[0] for d in inputs.documents}
    exceptions = DeclaredExceptions.load([d["doc_id"] for d in inputs.documents], problems)
    # Every curated table is covered: one without a declaration still gets the quote checks.
    tables = {**{t: QuoteRules() for t in DOC_TABLES}, **QUOTE_RULES}
    for table, rules in tables.items():
        records = getattr(inputs, table, None) or []
        parents = _index(inputs, rules.parent)
        for record in records:
            _check_ids(record, rules, problems)
            if "source_quote" in record and record.get("_doc_id") in stripped_docs:
                parent = parents.get(record.get(rules.parent[0])) if rules.parent else None
                _check_quote(record, rules, parent, stripped_docs[record["_doc_id"]], problems)
    _check_observation_years(inputs, published_year, problems)
    _check_kpi_values(inputs, exceptions, problems)
    _check_synergy_documents(inputs, problems)
    _check_agreement_dates(inputs, problems)
    _check_goal_entries(inputs, problems)
    exceptions.report_unused(problems)


def _index(inputs: Inputs, parent: tuple[str, str] | None) -> dict[str, dict]:
    if parent is None:
        return {}
    key = QUOTE_RULES[parent[1]].ids[0]
    return {r[key]: r for r in getattr(inputs, parent[1])}


def _check_ids(record: dict, rules: QuoteRules, problems: list[Problem]) -> None:
    raw = raw_cells(record) if rules.ids else {}
    for column in rules.ids:
        value = raw.get(column)
        if value and value != value.strip():
            problems.append(_problem(record, column, value, "an id has leading or trailing whitespace; remove it (ids are compared exactly, never trimmed)"))


def _check_quote(record: dict, rules: QuoteRules, parent: dict | None, document: str, problems: list[Problem]) -> None:
    quote = record["source_quote"]
    stripped = squeeze(quote)
    if stripped not in document:
        return  # reported by curated._check_quotes
    row_no = (parent or record).get("row_no")
    tokens = _value_tokens(quote, row_no) if rules.numbers or rules.last_cell else ()  # only those rules read them
    parent_quote = parent["source_quote"] if parent is not None else None
    own_values = set()
    raw = raw_cells(record) if rules.numbers or rules.last_cell else {}
    for column in rules.numbers:
        printed = raw.get(column, "").strip() or None  # the cell as written, before any parsing
        if printed is None:
            continue
        try:
            parse_number(printed)
        except ValueParseError:
            if squeeze(printed) not in stripped:
                problems.append(_problem(record, column, printed, "not printed in the row's source_quote"))
            continue
        wanted = _normalise_number(printed)
        own_values.add(wanted)
        if wanted not in tokens:
            problems.append(_problem(record, column, printed, f"not printed as a whole number in the row's source_quote (it prints {_show(tokens)}); copy the number exactly as printed, sign, commas and decimals included"))
        if parent_quote is not None and wanted not in _value_tokens(parent_quote, row_no):
            problems.append(_problem(record, column, printed, f"not printed as a whole number in the source_quote of its row {parent.get('_file')} row {parent.get('_row')}"))
    for column in rules.last_cell:
        printed = raw.get(column, "").strip()
        if printed and not _ends_with(stripped, printed, tokens):
            problems.append(_problem(record, column, printed, "not the last cell of the row's source_quote, where the document prints it (the quote must end with it, a % aside)"))
    if parent_quote is not None and stripped not in squeeze(parent_quote):
        problems.append(_problem(record, "source_quote", quote, f"not a part of the source_quote of its row {parent.get('_file')} row {parent.get('_row')}: quote the cell as printed within that row"))
    printed_quote = _printed_text(quote) if rules.verbatim else ""
    for column in rules.verbatim:
        text = record.get(column)
        if text and _printed_text(text) not in printed_quote:  # exact: no NFKC
            problems.append(_problem(record, column, text, "not printed in the row's source_quote (whitespace aside): copy it as printed, or quote the passage that prints it"))
    for column in rules.year_labels:
        _check_year_label(record, column, rules.label_fallback, quote, problems)
        if record.get(column):
            own_values.add(squeeze(record[column]))
    for column in rules.targets:
        value = record.get(column)
        wanted = value if isinstance(value, list) else ([value] if value else [])
        printed_targets = _targets_printed(quote)
        for target in wanted:
            if target not in printed_targets:
                problems.append(_problem(record, column, target, f"SDG target not printed in the row's source_quote (it prints {_show(sorted(printed_targets))}); list only the targets printed with the row"))
    _check_quote_identifies_place(record, stripped, own_values, parent_quote, document, problems)


def _check_quote_identifies_place(record: dict, stripped: str, own_values: set[str], parent_quote: str | None,
                                  document: str, problems: list[Problem]) -> None:
    quote = record["source_quote"]
    if len(stripped) < MIN_QUOTE_CHARS:
        problems.append(_problem(record, "source_quote", quote, f"too short to identify its place ({len(stripped)} characters, whitespace aside; at least {MIN_QUOTE_CHARS}): quote the whole cell or row"))
        return
    if own_values and (_normalise_number(quote) in own_values or stripped in own_values):
        problems.append(_problem(record, "source_quote", quote, "is only the row's own value, which any document may print: quote the cell with its label, or the row"))
        return
    if len(stripped) >= REPEATED_QUOTE_MIN_CHARS or (parent_quote is not None and stripped in squeeze(parent_quote)):
        return  # long enough, or placed by its parent row: counting its occurrences is not needed
    occurrences = document.count(stripped)
    if occurrences > 1:
        problems.append(_problem(record, "source_quote", quote, f"printed {occurrences} times in data/raw/{record['_doc_id']}.txt and shorter than {REPEATED_QUOTE_MIN_CHARS} characters: lengthen it until it names its place"))


def _check_year_label(record: dict, column: str, fallback: str | None, quote: str, problems: list[Problem]) -> None:
    label = record.get(column)
    if not label:
        return
    year = _year_of_label(label)
    if year is None:
        problems.append(_problem(record, column, label, "is not a year label (write it as printed: 2017年度, 2021年, 2025年8月, 令和3年度)"))
        return
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        problems.append(_problem(record, column, label, f"year {year} outside the plausible range {YEAR_RANGE[0]}-{YEAR_RANGE[1]}"))
    if not _label_in_text(label, quote) and not (fallback and record.get(fallback) and _label_in_text(label, record[fallback])):
        where = f"source_quote nor in {fallback}" if fallback else "source_quote"
        problems.append(_problem(record, column, label, f"not printed in the row's {where}; copy the cell's own label (or, when the cell has none, its column header's)"))


def _check_observation_years(inputs: Inputs, published_year: dict[str, int | None], problems: list[Problem]) -> None:
    for record in inputs.kpi_observations:
        year = _year_of_label(record["label"]) if record.get("label") else None
        limit = published_year.get(record["_doc_id"])
        if record["kind"] == "actual" and year is not None and limit is not None and year > limit:
            problems.append(_problem(record, "label", record["label"], f"an actual of year {year} is later than its document, published in {limit}"))
        if record.get("value_printed") is None and record.get("value_text") is None and not record.get("is_redacted"):
            problems.append(_problem(record, "value", None, "an observation holds a value, a value_text or is_redacted = true; all three are empty"))


def _check_kpi_values(inputs: Inputs, exceptions: DeclaredExceptions, problems: list[Problem]) -> None:
    """Baseline before target (years and print order), and direction agreeing with the numbers."""
    by_kpi: dict[str, dict[str, dict]] = {}
    for record in inputs.kpi_observations:
        if record["kind"] in ("baseline", "target"):
            by_kpi.setdefault(record["kpi_id"], {}).setdefault(record["kind"], record)
    for kpi in inputs.kpis:
        pair = by_kpi.get(kpi["kpi_id"], {})
        baseline, target = pair.get("baseline"), pair.get("target")
        if baseline is None or target is None:
            continue
        if baseline.get("year") is not None and target.get("year") is not None and baseline["year"] > target["year"]:
            problems.append(_problem(target, "label", target["label"], f"target year {target['year']} is before the baseline year {baseline['year']} ({baseline['_file']} row {baseline['_row']}): baseline and target swapped?"))
        row_quote = squeeze(kpi["source_quote"])
        b_quote, t_quote = (squeeze(o["source_quote"]) for o in (baseline, target))
        if row_quote.count(b_quote) == 1 and row_quote.count(t_quote) == 1 and row_quote.find(b_quote) > row_quote.find(t_quote):
            problems.append(_problem(target, "kind", target["kind"], f"the KPI row's quote prints this target before its baseline ({baseline['_file']} row {baseline['_row']}): baseline and target swapped?"))
        if kpi["direction"] and baseline.get("value") is not None and target.get("value") is not None:
            difference = target["value"] - baseline["value"]
            agrees = difference > 0 if kpi["direction"] == "increase" else difference < 0
            if not agrees and not exceptions.allows("direction_against_values", kpi["kpi_id"]):
                problems.append(_problem(kpi, "direction", kpi["direction"], (
                    f"target {target['value_printed']} is not {'above' if kpi['direction'] == 'increase' else 'below'} the baseline "
                    f"{baseline['value_printed']}: check the direction, or, when the document really prints it so, declare it in "
                    f"data/curated/{kpi['_doc_id']}/declared_exceptions.yaml (rule direction_against_values) with the reason")))


def _check_synergy_documents(inputs: Inputs, problems: list[Problem]) -> None:
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    for record in inputs.synergies:
        kpi = kpis.get(record["kpi_id"]) if record["kpi_id"] else None
        if kpi is not None and kpi["_doc_id"] != record["_doc_id"]:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"the KPI belongs to document {kpi['_doc_id']}: a synergy links a KPI of its own document ({record['_doc_id']})"))


def _check_agreement_dates(inputs: Inputs, problems: list[Problem]) -> None:
    for record in inputs.stakeholders:
        event_on, label = record.get("event_on"), record.get("event_on_label")
        if event_on is None:
            continue
        if not label:
            problems.append(_problem(record, "event_on_label", None, f"event_on {event_on} needs the date as printed in event_on_label"))
            continue
        printed = _parse_date_label(label)
        if printed is None:
            problems.append(_problem(record, "event_on", event_on, f"event_on_label {label!r} prints no calendar date (a fiscal year 年度 is not one): leave event_on empty"))
        elif _parse_iso_date(event_on) != printed:
            problems.append(_problem(record, "event_on", event_on, f"does not agree with event_on_label {label!r}, which prints {show_date(printed)} (write the date at the precision printed)"))


@lru_cache(maxsize=_CACHE_SIZE)
def _value_tokens(quote: str, row_no: str | None) -> tuple[str, ...]:
    """The numbers a quote prints that may be values: a table row's leading No cell is not one."""
    tokens = number_tokens(quote)
    if row_no and tokens and tokens[0] == row_no and re.match(rf"\s*{re.escape(row_no)}\s", normalise(quote)):
        return tokens[1:]
    return tokens


def _ends_with(stripped_quote: str, printed: str, tokens: tuple[str, ...]) -> bool:
    """Whether a quote ends with a printed cell: a number as its last whole number, a word as is."""
    tail = stripped_quote.rstrip("%")
    try:
        parse_number(printed)
    except ValueParseError:
        return tail.endswith(squeeze(printed))
    return bool(tokens) and tokens[-1] == normalise_number(printed) and tail.endswith(tokens[-1].lstrip("-"))


def _check_goal_entries(inputs: Inputs, problems: list[Problem]) -> None:
    """A goal-level priority entry (no target) prints its goal number in its quote."""
    for record in inputs.priority_targets:
        if record["sdg_target"] is None and str(record["sdg_goal"]) not in number_tokens(record["source_quote"]):
            problems.append(_problem(record, "sdg_goal", record["sdg_goal"], "goal number not printed as a whole number in the row's source_quote"))


def _strip_markers(text: str) -> str:
    for marker in _REPEAT_MARKERS:
        text = text.replace(marker, "")
    return text


def _show(values: Any) -> str:
    values = list(values)
    return ", ".join(values[:12]) + (" ..." if len(values) > 12 else "") if values else "none"
