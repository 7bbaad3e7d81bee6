"""city_rule_summary and the rule columns of city_kpi_summary (what the front matter sums) against an
independent count of the rule results and published-rate checks of the real database, in Python."""

from __future__ import annotations

from collections import Counter, defaultdict

from sdgcities.present.analyses.front import data as front_data

TIERS = ("achieved", "progressing", "stalled", "worse")


def test_city_rule_summary_counts_tiers_and_agreeing_rates(con):
    results = con.sql("select city_id, rule, tier, is_repeat from kpi_rule_results").fetchall()
    checks = con.sql("select city_id, rule, agreement, is_repeat from published_rate_checks").fetchall()
    tiers = Counter((c, r, t) for c, r, t, repeat in results if not repeat)
    agreeing = Counter((c, r) for c, r, a, repeat in checks if not repeat and a == "agrees")
    cities = [c for (c,) in con.sql("select city_id from cities").fetchall()]
    rules = sorted({r for _, r, _, _ in results})
    expected = {(c, r): tuple(tiers[(c, r, t)] for t in TIERS) + (agreeing[(c, r)],) for c in cities for r in rules}
    actual = {(r[0], r[1]): tuple(r[2:]) for r in con.sql("select * from city_rule_summary").fetchall()}
    assert actual == expected
    # Kumamoto's progress sheet, the only document with rates: 26 rows with a tier, 21 rates reproduced.
    assert actual[("kumamoto", "progress")] == (13, 8, 0, 5, 21)


def test_city_kpi_summary_counts_rows_two_rules_judge_and_tier_changes(con):
    rows = con.sql("select city_id, kpi_id, n_rules_with_status, flips from kpi_rule_results where not is_repeat").fetchall()
    judged, flipping = defaultdict(set), defaultdict(set)
    for city, kpi, n_rules, flips in rows:
        if n_rules >= 2:
            judged[city].add(kpi)
        if flips:
            flipping[city].add(kpi)
    actual = {c: (j, f) for c, j, f in con.sql("select city_id, rows_with_two_statuses, rows_changing_tier from city_kpi_summary").fetchall()}
    assert actual == {c: (len(judged[c]), len(flipping[c])) for c in actual}
    assert actual["kumamoto"] == (26, 3)


def test_the_front_matter_sums_them_for_the_cities_it_compares(built_db):
    from sdgcities.present import notebook as nb

    ctx = nb.setup(cities=["kumamoto", "kaga"], lang="en", database=built_db)
    try:
        assert front_data.rule_tiers(ctx) == {"achieved": 13, "progressing": 8, "stalled": 0, "worse": 5, "evaluated": 26}
        assert front_data.rule_tiers(ctx, "ratio")["evaluated"] == 26
        assert front_data.rule_flips(ctx) == {"judged": 26, "flips": 3}
        assert front_data.progress_agreements(ctx) == 21
    finally:
        ctx.con.close()
