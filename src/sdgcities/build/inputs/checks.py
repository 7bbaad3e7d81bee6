"""Checks across the rows of the curated tables: ids unique and well formed, SDG targets real, quotes
found verbatim in their raw document, stakeholder conventions, and the KPI values derived (years, numbers,
published rates) and checked against their quotes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sdgcities.build.inputs.parsing import parse_number, parse_percent_cell, parse_year_label, strip_whitespace
from sdgcities.build.inputs.problems import Problem, _problem
from sdgcities.build.inputs.tables import TARGET_YEAR_RANGE

if TYPE_CHECKING:
    from sdgcities.build.inputs.curated import Inputs


def _check_reference(inputs: Inputs, problems: list[Problem]) -> None:
    for record in inputs.cities:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", record["city_id"]):
            problems.append(_problem(record, "city_id", record["city_id"], "city ids are lowercase ascii (a-z, 0-9, _)"))
    for record in inputs.sdg_goals:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", record["colour"]):
            problems.append(_problem(record, "colour", record["colour"], "is not a hex colour like #E5243B"))
    for record in inputs.sdg_targets:
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2}|[a-z])", record["target"])
        if not match or int(match.group(1)) != record["goal"]:
            problems.append(_problem(record, "target", record["target"], f"is not a target id of goal {record['goal']}"))
    for table, key in (("cities", "city_id"), ("sdg_goals", "goal"), ("sdg_targets", "target")):
        _unique(getattr(inputs, table), key, problems)


def _unique(records: list[dict], key: str, problems: list[Problem]) -> None:
    seen: dict[Any, dict] = {}
    for record in records:
        value = record[key]
        if value in seen:
            first = seen[value]
            problems.append(_problem(record, key, value, f"duplicate id: already used at {first['_file']} row {first['_row']}"))
        else:
            seen[value] = record


def _check_documents_columns(inputs: Inputs, problems: list[Problem]) -> None:
    """Each curated row names the document of its folder."""
    for table in ("kpis", "priority_targets", "stakeholders", "synergies"):
        for record in getattr(inputs, table):
            if record["doc_id"] != record["_doc_id"]:
                problems.append(_problem(record, "doc_id", record["doc_id"], f"unknown or misplaced doc_id: rows in this folder belong to document {record['_doc_id']}"))


def _check_ids(inputs: Inputs, problems: list[Problem]) -> None:
    _unique(inputs.kpis, "kpi_id", problems)
    _unique(inputs.stakeholders, "stakeholder_id", problems)
    _unique(inputs.synergies, "synergy_id", problems)
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    for record in inputs.kpis:
        prefix = f"{record['doc_id']}:{record['table_code']}:"
        if not record["kpi_id"].startswith(prefix):
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"must start with '{prefix}' (doc_id:table_code:row)"))
        if not re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", record["indicator_key"]):
            problems.append(_problem(record, "indicator_key", record["indicator_key"], "must look like city.snake_case_name"))
    for record in inputs.kpi_observations:
        kpi = kpis.get(record["kpi_id"])
        if kpi is None:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], "no KPI with this id in kpis.csv"))
        elif kpi["_doc_id"] != record["_doc_id"]:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"the KPI belongs to document {kpi['_doc_id']}, not to this folder's"))
    for record in inputs.synergies:
        if record["kpi_id"] and record["kpi_id"] not in kpis:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], "no KPI with this id in kpis.csv"))
        if record["from_side"] == record["to_side"]:
            problems.append(_problem(record, "to_side", record["to_side"], "a synergy links two different sides"))
    for record in inputs.stakeholders:
        if not re.fullmatch(r"[a-z0-9_]+", record["partner_key"]):
            problems.append(_problem(record, "partner_key", record["partner_key"], "must be ascii snake_case"))
        if not record["is_redacted"] and not record["name_ja"]:
            problems.append(_problem(record, "name_ja", None, "is empty but the row is not marked is_redacted"))


def _target_list(printed: str | None) -> list[str]:
    """The SDG targets a KPI row's sdg_targets cell lists: the parts between semicolons, stripped, empty parts left out."""
    return [part for part in map(str.strip, (printed or "").split(";")) if part]


def derive_targets(inputs: Inputs) -> None:
    """The SDG targets of each KPI row as a list, as _check_targets derives them (without its checks)."""
    for record in inputs.kpis:
        record["sdg_targets"] = _target_list(record["sdg_targets"])


def _check_targets(inputs: Inputs, target_goal: dict[str, int], goals: set[int], problems: list[Problem]) -> None:
    valid = "valid targets look like 11.2 or 12.b (the 169 ids of data/curated/reference/sdg_targets.csv)"
    for record in inputs.kpis:
        targets = _target_list(record["sdg_targets"])
        for part in targets:
            if part not in target_goal:
                problems.append(_problem(record, "sdg_targets", part, f"not an SDG target; {valid}"))
        if len(set(targets)) != len(targets):
            problems.append(_problem(record, "sdg_targets", record["sdg_targets"], "lists a target twice"))
        record["sdg_targets"] = targets
    for record in inputs.priority_targets:
        target = record["sdg_target"]
        if target is not None:
            if target not in target_goal:
                problems.append(_problem(record, "sdg_target", target, f"not an SDG target; {valid}"))
            elif target_goal[target] != record["sdg_goal"]:
                problems.append(_problem(record, "sdg_target", target, f"belongs to goal {target_goal[target]}, not to sdg_goal {record['sdg_goal']}"))
        elif record["sdg_goal"] not in goals:
            problems.append(_problem(record, "sdg_goal", record["sdg_goal"], "unknown goal"))
    seen = {}
    for record in inputs.priority_targets:
        key = (record["doc_id"], record["side"], record["sdg_goal"], record["sdg_target"])
        if key in seen:
            problems.append(_problem(record, "sdg_target", record["sdg_target"], f"duplicate priority target: same document, side and target as row {seen[key]['_row']}"))
        seen[key] = record


def _check_quotes(inputs: Inputs, texts: dict[str, str], problems: list[Problem]) -> None:
    """Every quote must occur verbatim (whitespace aside) in its raw document."""
    stripped = {doc: strip_whitespace(text) for doc, text in texts.items()}
    for table in ("kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies"):
        for record in getattr(inputs, table):
            text = stripped.get(record["_doc_id"])
            if text is None:
                continue
            quote = strip_whitespace(record["source_quote"])
            record["_quote_stripped"] = quote
            if quote not in text:
                problems.append(_problem(record, "source_quote", record["source_quote"], f"not found verbatim (whitespace aside) in data/raw/{record['_doc_id']}.txt"))


def _check_stakeholder_conventions(inputs: Inputs, problems: list[Problem]) -> None:
    """A date has its event and the event its date (CURATION_GUIDE.md, "Stakeholders"). That role_ja and
    the printed date are copied from the row's quote is a rule of validate_meaning.QUOTE_RULES."""
    for record in inputs.stakeholders:
        # The printed date (event_on_label) carries the event; event_on is its calendar date, left empty
        # when the label prints none (a fiscal year 2021年度 is April 2021 to March 2022, not a date).
        if (record["event"] is None) != (record["event_on_label"] is None):
            column, value = ("event", record["event"]) if record["event_on_label"] is None else ("event_on_label", record["event_on_label"])
            problems.append(_problem(record, column, value, "event and event_on_label go together: a dated row names what happened on that date, an undated row has no event"))
        if record["event_on"] is not None and record["event_on_label"] is None:
            problems.append(_problem(record, "event_on_label", None, "event_on needs event_on_label, the date as printed"))


def derive_kpi_values(inputs: Inputs) -> None:
    """The values _derive_and_check_kpis derives (without its checks, none of which changes them): the number or
    word of a published achievement, the year of an observation's label, its number and the number as printed."""
    for record in inputs.kpis:
        record["published_achievement_pct"], record["published_achievement_text"] = parse_percent_cell(record["published_achievement"])
    for record in inputs.kpi_observations:
        record["year"], record["is_fiscal_year"] = parse_year_label(record["label"])
        printed = record["value_printed"] = record["value"]
        record["value"] = parse_number(printed) if printed is not None else None


def _derive_and_check_kpis(inputs: Inputs, problems: list[Problem]) -> None:
    """Derive years and numbers, and check them against the quotes and against each other."""
    derive_kpi_values(inputs)  # derived first: deriving finds no problem, so the problems keep their order
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    for record in inputs.kpis:
        if not record["is_redacted"] and not record["indicator_ja"]:
            problems.append(_problem(record, "indicator_ja", None, "is empty but the row is not marked is_redacted"))
        if (record["synergy_from"] is None) != (record["synergy_to"] is None):
            problems.append(_problem(record, "synergy_to", record["synergy_to"], "synergy_from and synergy_to go together"))
        if record["synergy_from"] and record["synergy_from"] == record["synergy_to"]:
            problems.append(_problem(record, "synergy_to", record["synergy_to"], "a synergy links two different sides"))
        printed = record["published_achievement"]
        if printed and "_quote_stripped" in record and strip_whitespace(printed) not in record["_quote_stripped"]:
            problems.append(_problem(record, "published_achievement", printed, "not printed in the row's source_quote"))
    for record in inputs.kpi_observations:
        year = record["year"]
        if record["value_printed"] is not None and record["value_text"] is not None:
            problems.append(_problem(record, "value_text", record["value_text"], "a cell holds either a number (value) or a text (value_text), not both"))
        if record["is_redacted"] and record["value_printed"] is not None:
            problems.append(_problem(record, "value", record["value_printed"], "a redacted cell has no value: leave it empty"))
        if record["value_printed"] is not None:
            printed = strip_whitespace(record["value_printed"])
            if "_quote_stripped" in record and printed not in record["_quote_stripped"]:
                problems.append(_problem(record, "value", record["value_printed"], "not printed in the observation's source_quote"))
            kpi = kpis.get(record["kpi_id"])
            if kpi is not None and "_quote_stripped" in kpi and printed not in kpi["_quote_stripped"]:
                problems.append(_problem(record, "value", record["value_printed"], f"not printed in the source_quote of its KPI row {record['kpi_id']} ({kpi['_file']} row {kpi['_row']})"))
        if record["kind"] == "target" and year is not None and not TARGET_YEAR_RANGE[0] <= year <= TARGET_YEAR_RANGE[1]:
            problems.append(_problem(record, "label", record["label"], f"target year {year} outside {TARGET_YEAR_RANGE[0]}-{TARGET_YEAR_RANGE[1]}"))
        if year is not None and not 1900 <= year <= 2100:
            problems.append(_problem(record, "label", record["label"], f"implausible year {year}"))
    by_kpi: dict[str, list[dict]] = {}
    for record in inputs.kpi_observations:
        by_kpi.setdefault(record["kpi_id"], []).append(record)
    for kpi_id, observations in by_kpi.items():
        baseline_years = [o["year"] for o in observations if o["kind"] == "baseline" and o["year"] is not None]
        for observation in observations:
            if observation["kind"] == "actual" and observation["year"] is not None and baseline_years and observation["year"] < min(baseline_years):
                problems.append(_problem(observation, "label", observation["label"], f"actual year {observation['year']} is before the baseline year {min(baseline_years)} of {kpi_id}"))
