"""Build steps that need Python: the audit of published achievement rates and the data-quality
findings. The Python models under sql/intermediate/ (int_kpi_rule_results.py, int_achievement_audit.py,
int_data_quality_findings.py) declare what they read and call the writers here; a mart view exposes
each table.

- int_kpi_rule_results: one row per KPI row and progress rule, with value, status, the reason code
  (progress.REASON_CODES), the unusable inputs, the caveats and the direction used: codes, no
  sentence (the reports word them from their catalogues). The only place the rules are evaluated.
- int_achievement_audit: one row per KPI row, every rule's value and status (read from
  int_kpi_rule_results), and which rule reproduces the published 達成度 (audit.classify_published /
  audit.explain_neither); int_published_rate_checks: each published number against each rule's
  score (audit.agreement).
- int_data_quality_findings: one row per finding, with a code, what it concerns, the numbers and
  labels its explanation needs (a JSON object, `params`; the sentence itself is in the report
  catalogues, findings.yaml) and the quotes that show it. FINDING_CODES lists every code.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache

import duckdb
import pyarrow as pa

from sdgcities.build.models import audit, progress
from sdgcities.build.inputs.parsing import parse_year_label

# Every finding code, in the order reports list them. What each means, and the sentence that
# explains one finding from its params, are in the report catalogues (present/catalogues/<lang>/findings.yaml).
FINDING_CODES = (
    "published_rate_unreproduced",
    "target_wrong_side_of_baseline",
    "indicator_baseline_differs",
    "indicator_target_differs",
    "indicator_target_year_differs",
    "partner_date_differs",
    "partner_theme_differs",
    "partner_event_differs",
    "value_redacted",
    "stakeholder_redacted",
    "year_label_differs_from_column",
)

RULE_RESULTS_SCHEMA = pa.schema([
    ("kpi_id", pa.string()), ("rule", pa.string()), ("value", pa.float64()), ("status", pa.string()),
    ("reason_code", pa.string()), ("unusable_inputs", pa.list_(pa.string())),
    ("unusable_problems", pa.list_(pa.string())), ("caveats", pa.list_(pa.string())),
    ("direction_used", pa.string()),
])

AUDIT_SCHEMA = pa.schema([
    ("kpi_id", pa.string()), ("published_achievement_pct", pa.float64()), ("published_achievement_text", pa.string()),
    ("published_pct", pa.float64()),
    ("progress_value", pa.float64()), ("progress_status", pa.string()), ("progress_reason_code", pa.string()),
    ("ratio_value", pa.float64()), ("ratio_status", pa.string()), ("ratio_reason_code", pa.string()),
    ("open_sdg_value", pa.float64()), ("open_sdg_status", pa.string()), ("open_sdg_reason_code", pa.string()),
    ("un_cr_value", pa.float64()), ("un_cr_status", pa.string()), ("un_cr_reason_code", pa.string()),
    ("rule", pa.string()), ("explanation", pa.string()),
])

CHECKS_SCHEMA = pa.schema([
    ("kpi_id", pa.string()), ("rule", pa.string()), ("published_pct", pa.float64()), ("score", pa.float64()),
    ("agreement", pa.string()),
])

# Rules whose value is a growth ratio (0.83); their score is the value x 100, comparable with a percentage.
GROWTH_RULES = ("open_sdg", "un_cr")

FINDINGS_SCHEMA = pa.schema([
    ("finding_id", pa.string()), ("code", pa.string()), ("city_id", pa.string()), ("doc_id", pa.string()),
    ("kpi_id", pa.string()), ("stakeholder_id", pa.string()), ("related_ids", pa.list_(pa.string())),
    ("params", pa.string()), ("quotes", pa.list_(pa.string())),
])


def _array(values: list, kind: pa.DataType) -> pa.Array:
    # The build writes with the C library's allocator as Arrow's default (run._arrow_allocator).
    return pa.array(values, type=kind)


def _table(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([_array(columns[name], schema.field(name).type) for name in schema.names], schema=schema)


def _write(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("incoming", table)
    con.execute(f"create table {name} as select * from incoming")  # name is a constant of this module
    con.unregister("incoming")


# --------------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------------


def rule_results_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every progress rule on every KPI row, as columns (RULE_RESULTS_SCHEMA): the only place the rules are evaluated."""
    table = con.sql("""
        select k.kpi_id, k.direction, h.baseline_value, h.baseline_year, h.actual_value, h.actual_year,
               h.target_value, h.target_year
        from stg_kpis k join int_kpi_headline_values h using (kpi_id) order by k.kpi_id
    """).to_arrow_table()
    columns: dict[str, list] = {name: [] for name in RULE_RESULTS_SCHEMA.names}
    kpi_ids, rules, values, statuses, reason_codes, unusable_inputs, unusable_problems, caveats, directions = columns.values()
    for kpi_id, direction, baseline, baseline_year, actual, actual_year, target, target_year in zip(
            *(column.to_pylist() for column in table.columns)):
        results = progress.evaluate_all(baseline=baseline, baseline_year=baseline_year, actual=actual, actual_year=actual_year,
                                        target=target, target_year=target_year, direction=direction)
        for rule, result in results.items():
            kpi_ids.append(kpi_id)
            rules.append(rule)
            values.append(result.value)
            statuses.append(result.status)
            reason_codes.append(result.reason_code)
            unusable_inputs.append([name for name, _ in result.unusable])
            unusable_problems.append([problem for _, problem in result.unusable])
            caveats.append(result.caveats)  # a tuple: Arrow reads it as the list it is
            directions.append(result.direction)
    return columns


def write_kpi_rule_results(con: duckdb.DuckDBPyConnection) -> None:
    _write(con, "int_kpi_rule_results", _table(rule_results_columns(con), RULE_RESULTS_SCHEMA))


# Every KPI row with what the audit needs, and its rule results side by side (one column per rule, in
# AUDIT_SCHEMA's order): the audit table takes these columns as they are.
AUDIT_QUERY = """
    with rules as (
        select
            kpi_id,
            any_value(value) filter (where rule = 'progress') as progress_value,
            any_value(status) filter (where rule = 'progress') as progress_status,
            any_value(reason_code) filter (where rule = 'progress') as progress_reason_code,
            any_value(value) filter (where rule = 'ratio') as ratio_value,
            any_value(status) filter (where rule = 'ratio') as ratio_status,
            any_value(reason_code) filter (where rule = 'ratio') as ratio_reason_code,
            any_value(value) filter (where rule = 'open_sdg') as open_sdg_value,
            any_value(status) filter (where rule = 'open_sdg') as open_sdg_status,
            any_value(reason_code) filter (where rule = 'open_sdg') as open_sdg_reason_code,
            any_value(value) filter (where rule = 'un_cr') as un_cr_value,
            any_value(status) filter (where rule = 'un_cr') as un_cr_status,
            any_value(reason_code) filter (where rule = 'un_cr') as un_cr_reason_code
        from int_kpi_rule_results
        group by kpi_id
    ),

    final as (
        select
            k.kpi_id, k.published_achievement_pct, k.published_achievement_text,
            r.progress_value, r.progress_status, r.progress_reason_code, r.ratio_value, r.ratio_status, r.ratio_reason_code,
            r.open_sdg_value, r.open_sdg_status, r.open_sdg_reason_code, r.un_cr_value, r.un_cr_status, r.un_cr_reason_code,
            k.indicator_key, k.direction, h.baseline_value, h.target_value, h.target_year
        from stg_kpis as k
        inner join int_kpi_headline_values as h using (kpi_id)
        inner join rules as r using (kpi_id)
    )

    select * from final order by kpi_id
"""


def audit_rows(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, dict[str, list]]:
    """(one audit row per KPI row, AUDIT_SCHEMA; the checks as columns, CHECKS_SCHEMA: one per KPI row with a
    published number and rule).

    Reads the rule results (int_kpi_rule_results); audit.agreement is the one comparison of a
    published rate with a rule's score."""
    table = con.sql(AUDIT_QUERY).to_arrow_table()
    column = {name: table.column(name).to_pylist() for name in (
        "kpi_id", "indicator_key", "direction", "baseline_value", "target_value", "target_year",
        "published_achievement_pct", "published_achievement_text", *(f"{rule}_value" for rule in progress.RULE_NAMES))}
    kpi_ids = column["kpi_id"]
    values_of = list(zip(*(column[f"{rule}_value"] for rule in progress.RULE_NAMES)))
    published_of, rule_of, explanation_of = [], [], []
    checks: dict[str, list] = {name: [] for name in CHECKS_SCHEMA.names}
    neither = []  # positions of the rows no rule reproduces: explained below
    for i, (kpi_id, pct, text, values) in enumerate(zip(kpi_ids, column["published_achievement_pct"],
                                                        column["published_achievement_text"], values_of)):
        by_rule = dict(zip(progress.RULE_NAMES, values))
        published, _ = audit.published_number(pct, text)
        rule = audit.classify_published(pct, text, by_rule)
        published_of.append(published)
        rule_of.append(rule)
        # What explains the row, as codes and numbers (JSON; the reports write the sentence).
        explanation_of.append(json.dumps({"word": text}, ensure_ascii=False) if rule == "status_only" else None)
        if rule == "neither":
            neither.append(i)
        if published is not None:
            for name, value in by_rule.items():
                score = None if value is None else value * (100.0 if name in GROWTH_RULES else 1.0)
                checks["kpi_id"].append(kpi_id)
                checks["rule"].append(name)
                checks["published_pct"].append(published)
                checks["score"].append(score)
                checks["agreement"].append(audit.agreement(score, published))
    if neither:
        _explain_neither(con, column, neither, published_of, explanation_of)
    computed = {"published_pct": _array(published_of, pa.float64()), "rule": _array(rule_of, pa.string()),
                "explanation": _array(explanation_of, pa.string())}
    rows = pa.Table.from_arrays([computed[name] if name in computed else table.column(name) for name in AUDIT_SCHEMA.names],
                                schema=AUDIT_SCHEMA)
    return rows, checks


def _explain_neither(con: duckdb.DuckDBPyConnection, column: dict[str, list], neither: list[int], published_of: list,
                     explanation_of: list) -> None:
    """The explanation (audit.explain_neither) of each row at the positions `neither`, written into explanation_of."""
    kpi_ids, keys = column["kpi_id"], column["indicator_key"]
    # Actuals of the same indicator printed in other tables count too: a summary table may print only
    # the latest actual while the publisher computed its rate from another year's.
    key_of = dict(zip(kpi_ids, keys))
    actuals_by_key: dict[str, dict[int, float]] = defaultdict(dict)
    own_actuals: dict[str, dict[int, float]] = defaultdict(dict)
    for kpi_id, year, value in con.sql("""
        select kpi_id, year, value from stg_kpi_observations
        where kind = 'actual' and value is not null and year is not null order by kpi_id, printed_order
    """).fetchall():
        own_actuals[kpi_id][year] = value
        actuals_by_key[key_of[kpi_id]].setdefault(year, value)
    targets_by_key: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    for kpi_id, key, target, target_year in zip(kpi_ids, keys, column["target_value"], column["target_year"]):
        if target is not None and target_year is not None:
            targets_by_key[key].append((kpi_id, target_year, target))
    for i in neither:
        kpi_id, key = kpi_ids[i], keys[i]
        other_targets = [(year, value) for other, year, value in targets_by_key[key] if other != kpi_id]
        actuals = sorted({**actuals_by_key[key], **own_actuals[kpi_id]}.items())
        found = audit.explain_neither(column["published_achievement_pct"][i], column["baseline_value"][i], actuals,
                                      column["target_value"][i], column["direction"][i], other_targets)
        explanation_of[i] = json.dumps(found or {"published": published_of[i], "tolerance": 1.0, "candidates": []})


def write_achievement_audit(con: duckdb.DuckDBPyConnection) -> None:
    rows, checks = audit_rows(con)
    _write(con, "int_achievement_audit", rows)
    _write(con, "int_published_rate_checks", _table(checks, CHECKS_SCHEMA))


# --------------------------------------------------------------------------------------------
# The findings
# --------------------------------------------------------------------------------------------


def _same_date(a: str, b: str) -> bool:
    """Dates agree when they agree at the precision both print (2018-11-19 and 2018-11 agree)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _partner_conflicts(mentions: list[dict]) -> list[tuple[str, dict, dict]]:
    """Dated events of one partner printed differently in two documents.

    Mentions are stakeholder rows (dicts with doc_id, event, event_on, theme ...). Only dated
    mentions are compared, and themes are compared by their normalised code (`theme`), never by
    the printed wording, which varies between documents. Two mentions of the same event kind in
    different documents are the same event when their dates agree (then a different theme is a
    conflict), or when their themes agree (then a different date is a conflict), or when each
    document prints exactly one such event with this partner (then either difference is a
    conflict). Mentions whose dates agree but whose event kinds differ, with no mention of the same
    kind on that date in the other document, are an event conflict (an agreement in one document,
    a declaration in the other).
    """
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for m in mentions:
        if m["event_on"]:
            by_doc[m["doc_id"]].append(m)
    conflicts = []
    docs = sorted(by_doc)
    for i, doc_a in enumerate(docs):
        for doc_b in docs[i + 1:]:
            for a in by_doc[doc_a]:
                same_day_b = [b for b in by_doc[doc_b] if _same_date(a["event_on"], b["event_on"])]
                if same_day_b and all(b["event"] != a["event"] for b in same_day_b):
                    conflicts.append(("event", a, same_day_b[0]))
                    continue
                a_list = [m for m in by_doc[doc_a] if m["event"] == a["event"]]
                b_list = [b for b in by_doc[doc_b] if b["event"] == a["event"]]
                single = len(a_list) == 1 and len(b_list) == 1
                same_date = [b for b in b_list if _same_date(a["event_on"], b["event_on"])]
                same_theme = [b for b in b_list if a["theme"] and a["theme"] == b["theme"]]
                if same_date:
                    if a["theme"] and all(b["theme"] and a["theme"] != b["theme"] for b in same_date) and (single or len(same_date) == 1):
                        conflicts.append(("theme", a, same_date[0]))
                elif same_theme:
                    conflicts.append(("date", a, same_theme[0]))
                elif single:
                    conflicts.append(("date", a, b_list[0]))
    return conflicts


@lru_cache(maxsize=4096)  # a few hundred distinct labels are printed on every observation row
def _year_of(label: str | None) -> int | None:
    return parse_year_label(label)[0]


def findings_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One row per finding: its code, what it concerns, and `params`, the numbers and printed labels
    the catalogue's sentence for the code needs (findings.yaml, `explain.<code>`). No sentence here:
    the report writes it in its own language."""
    findings: list[dict] = []

    def add(code: str, city_id: str, doc_id: str | None, params: dict, quotes: list[str], kpi_id=None, stakeholder_id=None, related=()):
        findings.append({"code": code, "city_id": city_id, "doc_id": doc_id, "kpi_id": kpi_id, "stakeholder_id": stakeholder_id,
                         "related_ids": sorted(set(related)), "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
                         "quotes": quotes})

    # Fetched as Arrow and turned into Python values column by column (faster than row tuples).
    table = con.sql("""
        select k.kpi_id, d.city_id, k.doc_id, k.indicator_ja, k.indicator_key, k.direction, h.baseline_label, h.baseline_year,
               h.baseline_value, h.target_label, h.target_year, h.target_value, k.is_redacted, k.source_quote
        from stg_kpis k join stg_documents d using (doc_id) join int_kpi_headline_values h using (kpi_id) order by k.kpi_id
    """).to_arrow_table()
    kpis = {row[0]: row for row in zip(*(column.to_pylist() for column in table.columns))}
    (K_ID, K_CITY, K_DOC, K_NAME, K_KEY, K_DIR, K_BL, K_BY, K_BV, K_TL, K_TY, K_TV, K_RED, K_QUOTE) = range(14)

    # A published rate no rule reproduces (the audit's search for what fits is in achievement_audit).
    for kpi_id, pct, progress_value, ratio_value in con.sql("""
        select kpi_id, published_pct, progress_value, ratio_value from int_achievement_audit
        where rule = 'neither' order by kpi_id
    """).fetchall():
        k = kpis[kpi_id]
        add("published_rate_unreproduced", k[K_CITY], k[K_DOC],
            {"indicator": k[K_NAME] or kpi_id, "published": pct, "progress": progress_value, "ratio": ratio_value},
            [k[K_QUOTE]], kpi_id=kpi_id)

    # A target on the wrong side of the baseline for the indicator's direction.
    for k in kpis.values():
        if k[K_BV] is None or k[K_TV] is None or k[K_DIR] is None:
            continue
        wrong = (k[K_DIR] == "increase" and k[K_TV] < k[K_BV]) or (k[K_DIR] == "decrease" and k[K_TV] > k[K_BV])
        if wrong:
            add("target_wrong_side_of_baseline", k[K_CITY], k[K_DOC],
                {"indicator": k[K_NAME], "direction": k[K_DIR], "target": k[K_TV], "target_label": k[K_TL],
                 "baseline": k[K_BV], "baseline_label": k[K_BL]},
                [k[K_QUOTE]], kpi_id=k[K_ID])

    # The same indicator printed differently in different tables.
    by_key: dict[str, list[tuple]] = defaultdict(list)
    for k in kpis.values():
        if not k[K_RED]:
            by_key[k[K_KEY]].append(k)
    # (code, what makes two printings differ, the printed value and label of a printing)
    checks = (
        ("indicator_baseline_differs", lambda k: (k[K_BV], k[K_BY]), lambda k: (k[K_BV], k[K_BL])),
        ("indicator_target_differs", lambda k: k[K_TV], lambda k: (k[K_TV], k[K_TL])),
        ("indicator_target_year_differs", lambda k: k[K_TY], lambda k: (None, k[K_TL])),
    )
    for key, printings in sorted(by_key.items()):
        if len(printings) < 2:
            continue
        for code, value_of, shown in checks:
            values = {value_of(k) for k in printings if value_of(k) not in (None, (None, None), "")}
            if len(values) > 1:
                first = printings[0]
                listed = [{"kpi_id": k[K_ID], "value": shown(k)[0], "label": shown(k)[1]} for k in printings]
                add(code, first[K_CITY], first[K_DOC],
                    {"indicator": first[K_NAME], "n_tables": len(printings), "n_values": len(values), "printings": listed},
                    [k[K_QUOTE] for k in printings], kpi_id=first[K_ID], related=[k[K_ID] for k in printings])

    # The same partner printed with different dates, themes or events in different documents.
    # Only partners count: a data source or a body of the city itself has no agreement to compare.
    table = con.sql("""
        select s.stakeholder_id, d.city_id, s.doc_id, s.partner_key, s.event, s.event_on, s.theme, s.is_redacted, s.relation,
               s.name_ja, s.event_on_label, s.role_ja, s.source_quote
        from stg_stakeholders s join stg_documents d using (doc_id) order by s.stakeholder_id
    """).to_arrow_table()
    # The short columns as Python values for every row; the printed texts only for the rows a finding shows.
    short = ("stakeholder_id", "city_id", "doc_id", "partner_key", "event", "event_on", "theme", "is_redacted", "relation")
    column = {name: table.column(name).to_pylist() for name in short}

    def stakeholder(i: int) -> dict:
        row = {name: column[name][i] for name in short}
        row.update((name, table.column(name)[i].as_py()) for name in ("name_ja", "event_on_label", "role_ja", "source_quote"))
        return row

    by_partner: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (city, key, redacted, relation) in enumerate(zip(column["city_id"], column["partner_key"], column["is_redacted"],
                                                            column["relation"])):
        if not redacted and relation == "partner":
            by_partner[(city, key)].append(i)
    codes = {"date": "partner_date_differs", "theme": "partner_theme_differs", "event": "partner_event_differs"}
    for (city, key), positions in sorted(by_partner.items()):
        if len(positions) < 2:
            continue  # a conflict is between two printings
        for kind, a, b in _partner_conflicts([stakeholder(i) for i in positions]):
            # Both printings, as they are: the catalogue sentence for the code picks what it names.
            params = {"name": a["name_ja"], "partner_key": key}
            for side, m in (("a", a), ("b", b)):
                params.update({f"doc_{side}": m["doc_id"], f"event_{side}": m["event"], f"date_{side}": m["event_on_label"],
                               f"theme_{side}": m["theme"], f"role_{side}": m["role_ja"]})
            add(codes[kind], city, None, params, [a["source_quote"], b["source_quote"]],
                stakeholder_id=a["stakeholder_id"], related=[a["stakeholder_id"], b["stakeholder_id"]])

    # Redactions: (redacted cells, cells) of each KPI row, counted in one query.
    cells = {kpi_id: (redacted, total) for kpi_id, redacted, total in con.sql(
        "select kpi_id, count(*) filter (where is_redacted), count(*) from stg_kpi_observations group by kpi_id").fetchall()}
    for k in kpis.values():
        if k[K_RED]:
            n = cells.get(k[K_ID], (0, 0))
            add("value_redacted", k[K_CITY], k[K_DOC],
                {"kpi_id": k[K_ID], "name_redacted": k[K_NAME] is None, "cells_redacted": n[0], "cells": n[1]},
                [k[K_QUOTE]], kpi_id=k[K_ID])
    for s in (stakeholder(i) for i, redacted in enumerate(column["is_redacted"]) if redacted):
        add("stakeholder_redacted", s["city_id"], s["doc_id"], {"stakeholder_id": s["stakeholder_id"], "role": s["role_ja"]},
            [s["source_quote"]], stakeholder_id=s["stakeholder_id"])

    # A cell whose own year label disagrees with its column header. Few distinct pairs of labels are
    # printed: their years are compared once per pair, then the cells of the pairs that disagree are read.
    pairs = con.sql("select distinct label, column_label from stg_kpi_observations where label is not null and column_label is not null").fetchall()
    differing = sorted((label, column_label) for label, column_label in pairs
                       if _year_of(label) is not None and _year_of(column_label) is not None and _year_of(label) != _year_of(column_label))
    cells_differing = con.execute("""
        with differing as (
            select unnest(?::varchar[]) as label, unnest(?::varchar[]) as column_label
        )
        select o.kpi_id, o.kind, o.label, o.column_label, o.source_quote
        from stg_kpi_observations as o
        inner join differing as d on d.label = o.label and d.column_label = o.column_label
        order by o.kpi_id, o.printed_order
    """, [[label for label, _ in differing], [column_label for _, column_label in differing]]).fetchall() if differing else []
    for kpi_id, kind, label, column_label, quote in cells_differing:
        label_year, column_year = _year_of(label), _year_of(column_label)
        k = kpis[kpi_id]
        add("year_label_differs_from_column", k[K_CITY], k[K_DOC],
            {"indicator": k[K_NAME] or kpi_id, "kind": kind, "label": label, "column_label": column_label,
             "label_year": label_year, "column_year": column_year},
            [quote, k[K_QUOTE]], kpi_id=kpi_id)

    for number, finding in enumerate(sorted(findings, key=lambda f: (f["code"], f["city_id"], f["kpi_id"] or "", f["stakeholder_id"] or "")), start=1):
        finding["finding_id"] = f"{finding['code']}:{number:03d}"
    return findings


def write_data_quality_findings(con: duckdb.DuckDBPyConnection) -> None:
    rows = findings_rows(con)
    _write(con, "int_data_quality_findings", _table({name: [row[name] for row in rows] for name in FINDINGS_SCHEMA.names}, FINDINGS_SCHEMA))

