"""One fact, one place: every figure that both the achievement section and the data-quality appendix
of the comparison report print about published rates and rules is the same figure, computed from the
built database and from the analyses functions the two notebooks call (their cells' own calls).

Both places count a KPI once: rows marked 再掲 (is_repeat) are left out and counted separately.
"""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl
import pytest

from sdgcities.access import api
from sdgcities.present import notebook as nb
from sdgcities.present.analyses import achievement as ach
from sdgcities.present.analyses import data_quality as dq

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sdgcities"
COMPARED_RULES = ("progress", "ratio")  # the rules both places compare published rates with


def make_ctx(con, cities=None, lang="en") -> nb.Context:
    name = "name_ja" if lang == "ja" else "name_en"
    city_frame = api.cities(con)
    goals = api.sdg_goals(con)
    documents = {row["doc_id"]: row for row in api.documents(con).iter_rows(named=True)}
    return nb.Context(con, list(cities) if cities else api.valid_cities(con), lang,
                      dict(zip(city_frame["city_id"], city_frame[name])), dict(zip(goals["goal"], goals[name])),
                      dict(zip(goals["goal"], goals["colour"])), documents)


def achievement_section(ctx, rule: str) -> dict:
    """What the achievement notebook computes (its cells' calls) for one rule."""
    rows = ach.kpi_rows(ctx)
    all_rows = ach.kpi_rows(ctx, include_repeats=True)
    evaluated = ach.evaluate_rows(ctx, rule, rows)
    comparison = ach.published_comparison(ctx, evaluated, rule)
    return {"rows": rows, "all_rows": all_rows, "evaluated": evaluated, "comparison": comparison,
            "counts": ach.published_counts(comparison), "words": ach.published_text_rows(ctx, evaluated),
            "summary": ach.city_summary(ctx, evaluated)}


def quality_appendix(ctx) -> dict:
    """What the data_quality notebook computes (its cells' calls)."""
    counts = dq.classification_counts(ctx)
    rates = dq.published_rates(ctx)
    words = dq.status_only_rows(ctx)
    finding_counts = dq.finding_counts(ctx)
    return {"counts": counts, "rates": rates, "words": words, "summary": dq.audit_summary(ctx, counts, rates, words),
            "repeats": dq.repeat_counts(ctx), "disclosure": dq.city_disclosure(ctx),
            "totals": dq.classification_totals(counts), "findings": dq.findings(ctx),
            "code_totals": dq.code_totals(finding_counts)}


def db_count(con, sql: str, **params) -> int:
    return int(con.sql(sql, params=params).fetchall()[0][0])


@pytest.fixture(params=[None, ["kumamoto"], ["kaga", "hiratsuka"]], ids=["all", "kumamoto", "kaga+hiratsuka"])
def cities(request, con):
    return request.param or api.valid_cities(con)


def test_kpi_rows_and_repeats_are_counted_once(con, cities):
    ctx = make_ctx(con, cities)
    section, appendix = achievement_section(ctx, "progress"), quality_appendix(ctx)
    in_db = db_count(con, "select count(*) from kpis where list_contains($c, city_id) and not is_repeat", c=cities)
    repeats_in_db = db_count(con, "select count(*) from kpis where list_contains($c, city_id) and is_repeat", c=cities)
    assert section["rows"].height == appendix["summary"]["kpi_rows"] == in_db
    assert section["all_rows"].height - section["rows"].height == appendix["repeats"]["kpi_rows"] == repeats_in_db


def test_published_rates_compared_and_agreeing_per_rule(con, cities):
    ctx = make_ctx(con, cities)
    appendix = quality_appendix(ctx)
    rates, totals = appendix["rates"], appendix["totals"]
    for rule in COMPARED_RULES:
        counts = achievement_section(ctx, rule)["counts"]
        checks = "from published_rate_checks where list_contains($c, city_id) and not is_repeat and rule = $r"
        published = db_count(con, f"select count(*) {checks}", c=cities, r=rule)
        agrees = db_count(con, f"select count(*) {checks} and agreement = 'agrees'", c=cities, r=rule)
        differs = db_count(con, f"select count(*) {checks} and agreement = 'differs'", c=cities, r=rule)
        # Published rates compared: the achievement section, the appendix's summary and its rates table.
        assert counts["published"] == appendix["summary"]["rates"] == rates.height == published
        # Agreeing with the rule: the achievement section, the appendix's classification (this rule only,
        # or both rules) and its scatter panel (rates that agree with this rule).
        assert counts["agrees"] == totals[rule] + totals["both"] == \
            rates.filter(pl.col(f"{rule}_agreement") == "agrees").height == agrees
        assert counts["differs"] == rates.filter(pl.col(f"{rule}_agreement") == "differs").height == differs
        assert counts["agrees"] + counts["differs"] + counts["not_comparable"] == counts["published"]
    # Reprints of rows with a published rate: stated by the appendix, left out by both places.
    assert appendix["summary"]["rate_repeats"] == db_count(
        con, "select count(*) from published_rate_checks where list_contains($c, city_id) and is_repeat and rule = 'progress'",
        c=cities)


def test_growth_rules_are_compared_with_the_same_checks(con):
    ctx = make_ctx(con)
    for rule in ("open_sdg", "un_cr"):
        counts = achievement_section(ctx, rule)["counts"]
        by_agreement = dict(con.sql("select agreement, count(*) from published_rate_checks "
                                    "where not is_repeat and rule = $r group by agreement", params={"r": rule}).fetchall())
        assert {k: counts[k] for k in ("agrees", "differs", "not_comparable")} == {
            k: by_agreement.get(k, 0) for k in ("agrees", "differs", "not_comparable")}


def test_per_city_figures_agree(con, cities):
    ctx = make_ctx(con, cities)
    section, appendix = achievement_section(ctx, "progress"), quality_appendix(ctx)
    disclosure = {r["city_id"]: r for r in appendix["disclosure"].iter_rows(named=True)}
    rates_per_city = dict(section["comparison"].group_by("city_id").len().iter_rows())
    availability = {r["city_id"]: r for r in ach.availability(ctx).iter_rows(named=True)}
    for row in section["summary"].iter_rows(named=True):
        city = row["city_id"]
        in_db = con.sql("select count(*), count(*) filter (where is_redacted), count(actual_value) from kpis "
                        "where city_id = $c and not is_repeat", params={"c": city}).fetchall()[0]
        # KPI rows, redacted rows and rows with an actual: achievement's availability, the appendix, the database.
        assert (availability[city]["n_rows"], availability[city]["n_redacted"], availability[city]["n_actual"]) == in_db
        assert row["n_rows"] == in_db[0]
        if in_db[0]:
            assert (disclosure[city]["kpi_rows"], disclosure[city]["redacted"], disclosure[city]["with_actual"]) == in_db
        else:
            assert city not in disclosure
        assert rates_per_city.get(city, 0) == (disclosure[city]["rates"] if city in disclosure else 0)
        assert rates_per_city.get(city, 0) == db_count(
            con, "select count(*) from published_rate_checks where city_id = $c and not is_repeat and rule = 'progress'", c=city)


def test_rule_values_and_statuses_are_the_same_rows(con):
    """The values and statuses both places show for a KPI row come from the same built results."""
    ctx = make_ctx(con)
    appendix = quality_appendix(ctx)
    audit = con.sql("select * from achievement_audit where not is_repeat").pl()
    for rule in ("progress", "ratio", "open_sdg", "un_cr"):
        evaluated = achievement_section(ctx, rule)["evaluated"]
        mine = dict(zip(evaluated["kpi_id"], zip(evaluated["value"], evaluated["status"])))
        theirs = dict(zip(audit["kpi_id"], zip(audit[f"{rule}_value"], audit[f"{rule}_status"])))
        assert mine == theirs
    for rule in COMPARED_RULES:
        evaluated = achievement_section(ctx, rule)["evaluated"]
        values = dict(zip(evaluated["kpi_id"], evaluated["value"]))
        assert all(values[k] == v for k, v in zip(appendix["rates"]["kpi_id"], appendix["rates"][f"{rule}_value"]))


def test_status_counts_agree(con):
    ctx = make_ctx(con)
    for rule in ("progress", "ratio", "open_sdg", "un_cr"):
        evaluated = achievement_section(ctx, rule)["evaluated"]
        shown = dict(evaluated.group_by("status_code").len().iter_rows())
        built = dict(con.sql("select coalesce(status, 'not_evaluable'), count(*) from kpi_rule_results "
                             "where not is_repeat and rule = $r group by 1", params={"r": rule}).fetchall())
        assert shown == built


def test_rates_printed_as_words(con):
    ctx = make_ctx(con)
    section, appendix = achievement_section(ctx, "progress"), quality_appendix(ctx)
    assert sorted(section["words"]["kpi_id"]) == sorted(appendix["words"]["kpi_id"])
    assert appendix["totals"]["status_only"] == section["words"].height
    assert section["words"].filter(pl.col("status") == "achieved").height == appendix["summary"]["words_achieved"]


def test_the_comparison_report_figures(con):
    """The figures themselves (checked by hand in test_analyses_*): 64 KPI rows and 9 reprints; Kumamoto
    publishes 24 rates as numbers (4 more in reprints), 21 agree with the progress rule and 5 with the ratio."""
    ctx = make_ctx(con)
    section, appendix = achievement_section(ctx, "progress"), quality_appendix(ctx)
    assert (section["rows"].height, appendix["repeats"]["kpi_rows"]) == (64, 9)
    assert (section["counts"]["published"], section["counts"]["agrees"], appendix["summary"]["rate_repeats"]) == (24, 21, 4)
    assert achievement_section(ctx, "ratio")["counts"]["agrees"] == appendix["totals"]["ratio"] + appendix["totals"]["both"] == 5


def printed_twice(con, cities) -> dict[str, set]:
    """Every figure the comparison report prints in two places (the achievement section and the
    data-quality appendix), each as the set of the values the places print, and the database's."""
    ctx = make_ctx(con, cities)
    progress, ratio, appendix = achievement_section(ctx, "progress"), achievement_section(ctx, "ratio"), quality_appendix(ctx)
    summary, totals, rates = appendix["summary"], appendix["totals"], appendix["rates"]
    availability = ach.availability(ctx)
    not_repeat = "list_contains($c, city_id) and not is_repeat"
    checks = f"from published_rate_checks where {not_repeat} and rule = $r"
    figures = {
        # KPI rows and the 再掲 reprints left out: achievement's intro, the appendix's intro and check lines.
        "KPI rows": {progress["rows"].height, summary["kpi_rows"], sum(totals.values()), int(availability["n_rows"].sum()),
                     db_count(con, f"select count(*) from kpis where {not_repeat}", c=cities)},
        "reprints left out": {progress["all_rows"].height - progress["rows"].height, appendix["repeats"]["kpi_rows"],
                              db_count(con, "select count(*) from kpis where list_contains($c, city_id) and is_repeat", c=cities)},
        # Published rates compared: achievement's section 3 (either rule), the appendix's summary, its
        # classification (the four classes of a published number), its rates table and scatter.
        "published rates compared": {progress["counts"]["published"], ratio["counts"]["published"], summary["rates"],
                                     sum(totals[r] for r in dq.RATE_CLASSES), rates.height,
                                     db_count(con, f"select count(*) {checks}", c=cities, r="progress")},
        "reprints with a rate": {summary["rate_repeats"], appendix["repeats"]["rates"],
                                 db_count(con, "select count(*) from published_rate_checks where list_contains($c, city_id) "
                                          "and is_repeat and rule = 'progress'", c=cities)},
        # Rates printed as a word (達成) and how many the rules also call achieved.
        "rates printed as a word": {progress["words"].height, totals["status_only"], appendix["words"].height},
        "words the rules call achieved": {progress["words"].filter(pl.col("status") == "achieved").height,
                                          summary["words_achieved"]},
        # Redacted KPI rows: achievement's availability, the appendix's per-city disclosure and its
        # value_redacted findings on the rows it counts.
        "redacted KPI rows": {int(availability["n_redacted"].sum()), int(appendix["disclosure"]["redacted"].sum()),
                              appendix["findings"].filter(pl.col("code") == "value_redacted")
                              .join(progress["rows"].select("kpi_id"), on="kpi_id").height,
                              db_count(con, f"select count(*) from kpis where {not_repeat} and is_redacted", c=cities)},
        "KPI rows with an actual": {int(availability["n_actual"].sum()), int(appendix["disclosure"]["with_actual"].sum())},
        # Published rates no rule reproduces: the appendix's classification, its 'neither' table and findings.
        "rates neither rule reproduces": {totals["neither"], dq.neither_rows(rates).height,
                                          appendix["code_totals"]["published_rate_unreproduced"]},
    }
    for rule, section in (("progress", progress), ("ratio", ratio)):
        counts = section["counts"]
        # Agreeing with the rule: achievement's section 3, the appendix's summary, its classification
        # (this rule only, or both) and its scatter panel.
        figures[f"rates that agree with {rule}"] = {
            counts["agrees"], summary["agrees"][rule], totals[rule] + totals["both"],
            rates.filter(pl.col(f"{rule}_agreement") == "agrees").height,
            db_count(con, f"select count(*) {checks} and agreement = 'agrees'", c=cities, r=rule)}
        figures[f"rates that differ from {rule}"] = {
            counts["differs"], rates.filter(pl.col(f"{rule}_agreement") == "differs").height,
            db_count(con, f"select count(*) {checks} and agreement = 'differs'", c=cities, r=rule)}
    return figures


def test_every_figure_printed_twice_is_one_figure(con, cities):
    figures = printed_twice(con, cities)
    assert {name: values for name, values in figures.items() if len(values) != 1} == {}


def test_the_figures_printed_twice(con):
    """The figures themselves, for all three cities (checked by hand in test_analyses_*). Issue 9 found
    the appendix counting reprinted (再掲) rates again (28 rates, 25 reproduced, against the achievement
    section's 24); both places now read published_rate_checks without reprints."""
    figures = {name: values.pop() for name, values in printed_twice(con, api.valid_cities(con)).items()}
    assert figures == {
        "KPI rows": 64, "reprints left out": 9, "published rates compared": 24, "reprints with a rate": 4,
        "rates printed as a word": 2, "words the rules call achieved": 2, "redacted KPI rows": 18,
        "KPI rows with an actual": 26, "rates neither rule reproduces": 1,
        "rates that agree with progress": 21, "rates that differ from progress": 3,
        "rates that agree with ratio": 5, "rates that differ from ratio": 19,
    }


# ---------------------------------------------------------------------------------------------
# No rule is evaluated outside the build

EVALUATION = {"evaluate", "evaluate_all", "progress_frame", "raw_progress", "raw_ratio"}
BUILD_MODELS = PACKAGE / "build" / "models"  # the rules, the build step, the audit it runs


def _evaluation_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "progress":
            found += [f"imports {a.name}" for a in node.names if a.name in EVALUATION]
        if isinstance(node, ast.Attribute) and node.attr in EVALUATION and isinstance(node.value, ast.Name) \
                and node.value.id == "progress":
            found.append(f"calls progress.{node.attr}")
    return found


def test_no_rule_is_evaluated_outside_the_build():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == BUILD_MODELS:
            continue
        uses = _evaluation_uses(path)
        if uses:
            offenders[str(path.relative_to(PACKAGE))] = uses
    assert offenders == {}
    # The check sees a use where there is one.
    assert _evaluation_uses(BUILD_MODELS / "quality.py") == ["calls progress.evaluate_all"]


# ---------------------------------------------------------------------------------------------
# Curators' notes are read once, by the build (lost_parts), never matched by a report

NOTE_MATCHING = ("regexp_extract(note", "regexp_matches(note", "re.search(", "re.match(", "re.findall(", "re.compile(")


def _note_matching(path: Path) -> list[str]:
    return _note_matching_text(path.read_text(encoding="utf-8"))


def _note_matching_text(text: str) -> list[str]:
    return [s for s in NOTE_MATCHING if s in text and "note" in text[text.index(s):text.index(s) + 200]]


def test_nothing_mines_the_curators_notes():
    """Facts live in columns (extraction_losses.yaml declares the lost parts); no model or report reads
    them out of the notes."""
    files = sorted(PACKAGE.rglob("*.py")) + sorted((PACKAGE.parents[1] / "sql").rglob("*.*"))
    offenders = {p.name: found for p in files if (found := _note_matching(p))}
    assert offenders == {}
    # The check sees a use where there is one.
    assert _note_matching_text("select regexp_extract(note, 'Section (.*) is blank', 1) from kpis") == ["regexp_extract(note"]
