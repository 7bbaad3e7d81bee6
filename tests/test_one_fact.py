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
    return {"counts": counts, "rates": rates, "words": words, "summary": dq.audit_summary(ctx, counts, rates, words),
            "repeats": dq.repeat_counts(ctx), "disclosure": dq.city_disclosure(ctx),
            "totals": dq.classification_totals(counts)}


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
