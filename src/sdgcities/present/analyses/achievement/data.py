"""The frames of the achievement analysis, read from the models of the build: the KPI rows
(``kpis``), every rule's result (``kpi_rule_results``), published rates against each rule
(``published_rate_checks``), the ambition of the targets (``kpi_ambition``) and the per-city counts
(``city_kpi_summary``). No rule is evaluated here.

* One row per printed KPI row; rows marked 再掲 (``is_repeat``) are left out by default so that a
  reprinted KPI counts once (``include_repeats=True`` keeps them).
* ``score`` is the rule's value on a percent scale (growth rules: the ratio x 100), so 100 is
  "target reached" or "on the required pace" and 0 is "no change from the baseline".
* Redacted values are NULL and stay NULL: a row without the values a rule needs is counted and its
  reason code kept, never drawn as a zero.
"""

from __future__ import annotations

import weakref

from collections.abc import Sequence

import polars as pl

from sdgcities.build.models.progress import RULE_NAMES, STATUS_CODES
from sdgcities.present import marks
from sdgcities.present.analyses.achievement.labels import status_label, with_labels
from sdgcities.present.analyses.achievement.scales import display_range
from sdgcities.present.notebook import Context

GROWTH_RULES = ("open_sdg", "un_cr")
AGREEMENT_TOLERANCE = 1.0  # points: the build's tolerance (audit.agreement), quoted in the text
AGREEMENTS = ("agrees", "differs", "not_comparable")
NOT_EVALUABLE = "not_evaluable"
# Why a row has no value under a rule, in the order the tables list them (kpi_rule_results.reason_code).
REASON_ORDER = ("evaluated", "redacted", "text_only", "no_actual", "no_baseline_target", "cap_met", "nonpositive",
                "target_eq_baseline", "years", "negative_values", "zero_divisor", "direction_unknown", "overflow", "other")
TIER_CODES = ("achieved", "progressing", "stalled", "worse", NOT_EVALUABLE)
DISCLOSURE_FIELDS = ("name", "baseline", "target", "actual")
AMBITION_STATUSES = ("ok", "redacted", "no_values", "years", "zero_baseline")


def many_cities(ctx: Context) -> bool:
    """True when there are too many cities to give each its own colour or row (marks.MANY_CITIES)."""
    return marks.many_cities(ctx.cities)


def status_codes(rule: str) -> list[str]:
    """The rule's status codes from best to worst."""
    return list(STATUS_CODES[rule])


def _city_names(ctx: Context) -> dict[str, str]:
    return {c: ctx.city(c) for c in ctx.cities}


KPI_QUERY = """
select k.kpi_id, k.city_id, k.doc_id, k.section, k.table_code, k.row_no, k.side, k.indicator_ja,
       k.indicator_key, k.unit, k.is_repeat, k.is_redacted, k.direction,
       k.baseline_label, k.baseline_year, k.baseline_value,
       k.actual_label, k.actual_year, k.actual_value,
       k.target_label, k.target_year, k.target_value,
       k.status_text, k.published_achievement_pct, k.published_achievement_text
from kpis k
where ($cities is null or list_contains($cities, k.city_id)) and ($include_repeats or not k.is_repeat)
order by k.city_id, k.kpi_id
"""


def kpi_rows(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """The KPI rows of the notebook's cities (再掲 reprints left out unless include_repeats). Read once per run,
    reprints included (the section reads both sets); the rows without reprints are those, in the same order."""
    key = ("achievement.kpi_rows", tuple(ctx.cities))
    if key not in ctx.memo:
        ctx.memo[key] = ctx.con.sql(KPI_QUERY, params={"cities": ctx.cities_param, "include_repeats": True}).pl()
    rows = ctx.memo[key]
    return rows if include_repeats else rows.filter(~pl.col("is_repeat"))


RULE_RESULTS_QUERY = """
select kpi_id, rule, value, score, status, tier, reason_code, caveats, n_rules_with_status, n_tiers, flips
from kpi_rule_results
where list_contains($rules, rule) and ($cities is null or list_contains($cities, city_id))
"""


def rule_results(ctx: Context, rows: pl.DataFrame, rules: Sequence[str]) -> pl.DataFrame:
    """The rows (kpi_rows) with the build's results of each rule in rules, one block per rule."""
    # Filtered by the rows' cities, not by a list of every KPI id (slow with 21,000 ids); the join keeps the rows
    # (with every city of the database, not filtered at all: see Context.cities_param).
    cities = None if ctx.every_city else rows["city_id"].unique().sort().to_list()
    results = ctx.con.sql(RULE_RESULTS_QUERY, params={"rules": list(rules), "cities": cities}).pl()
    return pl.concat([rows.join(results.filter(pl.col("rule") == rule), on="kpi_id", how="left", maintain_order="left")
                      for rule in rules])


def evaluate_rows(ctx: Context, rule: str, rows: pl.DataFrame | None = None, *,
                  include_repeats: bool = False) -> pl.DataFrame:
    """KPI rows with the rule's value, score, status, reason code and caveats (model kpi_rule_results),
    plus status_code (status or 'not_evaluable') and, for display, reason_label, status_label, city,
    side_label, group, kpi."""
    rows = kpi_rows(ctx, include_repeats=include_repeats) if rows is None else rows
    frame = rule_results(ctx, rows, [rule]).with_columns(pl.col("status").fill_null(NOT_EVALUABLE).alias("status_code"))
    frame = frame.with_columns(
        pl.col("reason_code").replace_strict(ctx.words.labels("rules.reason")).alias("reason_label"),
        pl.col("status_code").replace_strict(
            {code: status_label(ctx, rule, code) for code in [*status_codes(rule), NOT_EVALUABLE]}).alias("status_label"),
    )
    return with_labels(ctx, frame, many_cities(ctx))


def city_summary(ctx: Context, evaluated: pl.DataFrame) -> pl.DataFrame:
    """Per city: KPI rows, rows with a value (evaluated), rows with a status, median score."""
    base = pl.DataFrame({"city_id": list(ctx.cities)})
    stats = evaluated.group_by("city_id").agg(
        pl.len().alias("n_rows"),
        pl.col("value").is_not_null().sum().alias("n_evaluated"),
        pl.col("status").is_not_null().sum().alias("n_status"),
        pl.col("score").median().alias("median_score"),
    )
    out = base.join(stats, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_evaluated", "n_status").fill_null(0).cast(pl.Int64))
    return out.with_columns(pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"))


def qualification(ctx: Context, evaluated: pl.DataFrame) -> pl.DataFrame:
    """Per city and reason code: how many KPI rows have a value under the rule and why the others do
    not. Columns: city_id, city, reason_code, reason (label in ctx.lang), n, n_with_status."""
    order = {code: i for i, code in enumerate(REASON_ORDER)}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    out = (
        evaluated.group_by("city_id", "reason_code")
        .agg(pl.len().alias("n"), pl.col("status").is_not_null().sum().cast(pl.Int64).alias("n_with_status"))
        .with_columns(pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c"),
                      pl.col("reason_code").replace_strict(order, default=99).alias("_r"))
        .sort("_c", "_r")
        .drop("_c", "_r")
    )
    return out.with_columns(
        pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"),
        pl.col("reason_code").replace_strict(ctx.words.labels("rules.reason")).alias("reason"),
    ).select("city_id", "city", "reason_code", "reason", "n", "n_with_status")


def histogram_frame(ctx: Context, evaluated: pl.DataFrame, rule: str) -> tuple[pl.DataFrame, float, float, float]:
    """Pre-binned counts of the scores (per city, or per side with many cities); values beyond the
    display range fall into the edge bins. Returns (frame, low, high, step)."""
    data = evaluated.filter(pl.col("score").is_not_null())
    low, high, step = display_range(data["score"].to_list())
    n_bins = int(round((high - low) / step))
    colour_by = "side_label" if many_cities(ctx) else "city"
    binned = data.with_columns(
        ((pl.col("score") - low) / step).floor().clip(0, n_bins - 1).cast(pl.Int64).alias("bin"),
    ).group_by("bin", colour_by).agg(
        pl.len().alias("n"), pl.col("score").min().alias("min_score"), pl.col("score").max().alias("max_score"))
    binned = binned.with_columns(
        (low + pl.col("bin") * step).alias("bin_start"), (low + (pl.col("bin") + 1) * step).alias("bin_end"),
    ).rename({colour_by: "colour"}).sort("bin", "colour")
    return binned, low, high, step


def status_counts(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """KPI rows per city, side and status band (rows without a status: 'not_evaluable')."""
    rank = {c: i for i, c in enumerate([*status_codes(rule), NOT_EVALUABLE])}
    keys = ["group", "city_id", "city", "side", "side_label", "status_code", "status_label"]
    out = evaluated.group_by(keys).agg(pl.len().alias("n")).with_columns(
        pl.col("status_code").replace_strict(rank, default=99).alias("status_rank"))
    if many_cities(ctx):
        out = out.group_by("group", "side", "side_label", "status_code", "status_label", "status_rank").agg(
            pl.col("n").sum(), pl.col("city_id").n_unique().alias("n_cities"))
    return out.sort("group", "status_rank")


def published_comparison(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """The evaluated rows with a published 達成度 number, with published_pct, difference and agreement
    (agrees, differs, not_comparable) from the model published_rate_checks."""
    checks = ctx.con.sql(
        "select kpi_id, published_pct, difference, agreement from published_rate_checks "
        "where rule = $rule and ($cities is null or list_contains($cities, city_id))",  # the join keeps the evaluated rows' KPIs
        params={"rule": rule, "cities": ctx.cities_param}).pl()
    return evaluated.join(checks, on="kpi_id", how="inner", maintain_order="left")


def published_counts(comparison: pl.DataFrame) -> dict[str, int]:
    counts = {k: 0 for k in AGREEMENTS}
    for key, n in comparison.group_by("agreement").len().iter_rows():
        counts[key] = int(n)
    counts["published"] = comparison.height
    return counts


def published_text_rows(ctx: Context, evaluated: pl.DataFrame) -> pl.DataFrame:
    """Rows whose 達成度 was published as a word (達成) with the rule's status for them."""
    return evaluated.filter(pl.col("published_achievement_text").is_not_null()).select(
        "city_id", "city", "kpi_id", "doc_id", "section", "indicator_ja", "published_achievement_text", "status",
        "status_label", "score", "reason_code")


def rule_matrix(ctx: Context, rows: pl.DataFrame | None = None, *, include_repeats: bool = False) -> pl.DataFrame:
    """Every KPI row under every rule (model kpi_rule_results): value, score, status, status label,
    common tier (tier_code), and per KPI row n_tiers, n_rules_with_status and flips. Long format."""
    rows = kpi_rows(ctx, include_repeats=include_repeats) if rows is None else rows
    # Each (rule, status) pair's label, looked up on one key column (a join on two columns cost ~10 ms more).
    labels = {f"{rule}\x1f{code}": status_label(ctx, rule, code) for rule in RULE_NAMES for code in [*status_codes(rule), NOT_EVALUABLE]}
    # The display labels depend on the KPI row only: made on the rows, before the rules multiply them by four
    # (87,000 rows at 1,741 cities), and placed last, where with_labels puts them.
    added = [column for column in ("city", "side_label", "group", "kpi") if column not in rows.columns]
    long = rule_results(ctx, with_labels(ctx, rows, many_cities(ctx)), RULE_NAMES).with_columns(
        pl.col("tier").fill_null(NOT_EVALUABLE).alias("tier_code"),
        pl.concat_str([pl.col("rule"), pl.col("status").fill_null(NOT_EVALUABLE)], separator="\x1f")
        .replace_strict(labels, default=None, return_dtype=pl.String).alias("status_label"),
    )
    return long.select([c for c in long.columns if c not in added] + added)


def flip_summary(matrix: pl.DataFrame) -> pl.DataFrame:
    """One row per KPI row: city, rules with a status, distinct tiers, flips, and the statuses per rule."""
    wide = matrix.pivot(on="rule", index="kpi_id", values="status")
    info = matrix.filter(pl.col("rule") == RULE_NAMES[0]).select(
        "kpi_id", "city_id", "city", "doc_id", "section", "indicator_ja", "kpi", "n_rules_with_status", "n_tiers", "flips")
    return info.join(wide, on="kpi_id", how="left").sort("city_id", "kpi_id")


def run_flip_summary(ctx: Context, matrix: pl.DataFrame) -> pl.DataFrame:
    """flip_summary(matrix), made once per run and matrix: the sensitivity section reads it four times (text,
    chart, counts, checked lines), a pivot of 87,000 rule rows at 1,741 cities. The memo holds the matrix
    weakly and is used only while that very frame is alive."""
    key = ("achievement.flip_summary", id(matrix))
    cached = ctx.memo.get(key)
    if cached is not None and cached[0]() is matrix:
        return cached[1]
    summary = flip_summary(matrix)
    ctx.memo[key] = (weakref.ref(matrix), summary)
    return summary


def flip_counts(ctx: Context, matrix: pl.DataFrame) -> pl.DataFrame:
    """Per city: KPI rows, rows with a status under at least two rules, rows whose tier flips."""
    summary = run_flip_summary(ctx, matrix)
    stats = summary.group_by("city_id").agg(
        pl.len().alias("n_rows"),
        (pl.col("n_rules_with_status") >= 2).sum().cast(pl.Int64).alias("n_comparable"),
        pl.col("flips").sum().cast(pl.Int64).alias("n_flips"),
    )
    return pl.DataFrame({"city_id": list(ctx.cities)}).join(stats, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_comparable", "n_flips").fill_null(0).cast(pl.Int64),
        pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"),
    )


def availability(ctx: Context) -> pl.DataFrame:
    """Per city (model city_kpi_summary, reprints left out): KPI rows, rows with an actual value, redacted
    rows, rows printed as words only, rows with both baseline and target values."""
    frame = ctx.con.sql(
        "select city_id, kpi_rows as n_rows, rows_with_actual as n_actual, redacted_rows as n_redacted, "
        "text_only_rows as n_text_only, rows_with_baseline_and_target as n_baseline_target "
        "from city_kpi_summary where ($cities is null or list_contains($cities, city_id))", params={"cities": ctx.cities_param}).pl()
    return pl.DataFrame({"city_id": list(ctx.cities)}).join(frame, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_actual", "n_redacted", "n_text_only", "n_baseline_target").fill_null(0).cast(pl.Int64),
        pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"),
    )


# The KPI columns of the ambition frame: read from the run's KPI rows (kpi_rows), which the section has
# already read; DuckDB converts only kpi_ambition's two values (at 1,741 cities 21,000 rows: ~25 ms less).
AMBITION_COLUMNS = ("kpi_id", "city_id", "doc_id", "section", "table_code", "row_no", "side", "indicator_ja", "unit",
                    "is_redacted", "direction", "baseline_label", "baseline_year", "baseline_value", "target_label",
                    "target_year", "target_value")
AMBITION_VALUES_QUERY = """
select kpi_id, ambition_status, ambition_pct from kpi_ambition
where ($cities is null or list_contains($cities, city_id))
"""


def ambition(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Required change per year from baseline to target (model kpi_ambition), % of the baseline per
    year, positive towards the KPI's direction; ambition_status says why a row has none. The KPI rows
    (kpi_rows: ordered by city and KPI id) that have an ambition row, with its values."""
    values = ctx.con.sql(AMBITION_VALUES_QUERY, params={"cities": ctx.cities_param}).pl()
    frame = kpi_rows(ctx, include_repeats=include_repeats).select(AMBITION_COLUMNS).join(
        values, on="kpi_id", how="inner", maintain_order="left")
    frame = frame.with_columns(
        pl.col("ambition_status").replace_strict(ctx.words.labels("achievement.ambition_reason")).alias("ambition_reason"),
        pl.col("direction").replace_strict(ctx.words.labels("direction"), default=None)
        .fill_null(ctx.label("direction", None)).alias("direction_label"))
    return with_labels(ctx, frame, many_cities(ctx))


AMBITION_GOAL_QUERY = """
with g as (
    select distinct a.city_id, a.kpi_id, a.ambition_pct, t.sdg_goal
    from kpi_ambition a join kpi_sdg_targets t using (kpi_id)
    where ($cities is null or list_contains($cities, a.city_id)) and ($include_repeats or not a.is_repeat) and a.ambition_status = 'ok'
)
select city_id, sdg_goal, count(*) as n_kpis, median(ambition_pct) as median_ambition_pct,
       min(ambition_pct) as min_ambition_pct, max(ambition_pct) as max_ambition_pct
from g
group by city_id, sdg_goal
order by city_id, sdg_goal
"""


def ambition_by_goal(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Median required change per year per city and SDG goal (a KPI counts for each goal it maps to)."""
    frame = ctx.con.sql(AMBITION_GOAL_QUERY, params={"cities": ctx.cities_param,
                                                     "include_repeats": bool(include_repeats)}).pl()
    return frame.with_columns(
        pl.col("city_id").replace_strict(_city_names(ctx), default=None).alias("city"),
        # one label per goal present, not a Python call per row (15,000 rows at 1,741 cities)
        pl.col("sdg_goal").replace_strict({g: ctx.goal(int(g)) for g in frame["sdg_goal"].unique().drop_nulls().to_list()},
                                          default=None, return_dtype=pl.String).alias("goal_label"),
    )


def ambition_summary(ctx: Context, amb: pl.DataFrame) -> pl.DataFrame:
    """Per city: rows with an ambition value and their median (% per year). Made once per run and frame
    (the text, the chart and the checked lines read it; held weakly, as run_flip_summary)."""
    key = ("achievement.ambition_summary", id(amb), ctx.lang, tuple(ctx.cities))
    cached = ctx.memo.get(key)
    if cached is not None and cached[0]() is amb:
        return cached[1]
    summary = _ambition_summary(ctx, amb)
    ctx.memo[key] = (weakref.ref(amb), summary)
    return summary


def _ambition_summary(ctx: Context, amb: pl.DataFrame) -> pl.DataFrame:
    stats = amb.filter(pl.col("ambition_pct").is_not_null()).group_by("city_id").agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("ambition_pct").median().alias("median_pct"))
    return pl.DataFrame({"city_id": list(ctx.cities)}).join(stats, on="city_id", how="left").with_columns(
        pl.col("n").fill_null(0), pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"))


DISCLOSURE_QUERY = """
select city_id, count(*) as n_rows, count(indicator_ja) as n_name, count(baseline_value) as n_baseline,
       count(target_value) as n_target, count(actual_value) as n_actual,
       list(distinct doc_id order by doc_id) as doc_ids
from kpis
where ($cities is null or list_contains($cities, city_id)) and ($include_repeats or not is_repeat)
group by city_id
order by city_id
"""


def disclosure(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Per city: KPI rows and the share with a name, a baseline, a target and an actual value
    (redacted and missing cells count as not disclosed)."""
    frame = ctx.con.sql(DISCLOSURE_QUERY, params={"cities": ctx.cities_param,
                                                  "include_repeats": bool(include_repeats)}).pl()
    frame = pl.DataFrame({"city_id": list(ctx.cities)}).join(frame, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_name", "n_baseline", "n_target", "n_actual").fill_null(0).cast(pl.Int64))
    shares = [pl.when(pl.col("n_rows") > 0).then(pl.col(f"n_{f}") / pl.col("n_rows")).otherwise(None).alias(f"share_{f}")
              for f in DISCLOSURE_FIELDS]
    return frame.with_columns(*shares).with_columns(pl.col("city_id").replace_strict(_city_names(ctx)).alias("city"))


def disclosure_long(ctx: Context, disc: pl.DataFrame) -> pl.DataFrame:
    """One row per city and disclosed item (field code, its label, n, share, 'n/rows')."""
    parts = [disc.select("city_id", "city", "n_rows", pl.lit(field).alias("field"),
                         pl.lit(ctx.label("achievement.disclosure_field", field)).alias("field_label"),
                         pl.col(f"n_{field}").alias("n"), pl.col(f"share_{field}").alias("share"))
             for field in DISCLOSURE_FIELDS]
    return pl.concat(parts).with_columns(
        pl.concat_str([pl.col("n").cast(pl.String), pl.lit("/"), pl.col("n_rows").cast(pl.String)]).alias("n_text"))


AMBITION_GOAL_SOURCES_QUERY = """
select distinct k.doc_id, k.section
from kpis k join kpi_ambition a using (kpi_id) join kpi_sdg_targets t using (kpi_id)
where ($cities is null or list_contains($cities, k.city_id)) and ($include_repeats or not k.is_repeat) and a.ambition_status = 'ok'
order by k.doc_id, k.section
"""


def ambition_goal_sources(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """doc_id/section pairs behind ambition_by_goal, for ctx.source."""
    return ctx.con.sql(AMBITION_GOAL_SOURCES_QUERY, params={"cities": ctx.cities_param,
                                                            "include_repeats": bool(include_repeats)}).pl()


def source_rows(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The rows of frame with a value in column, or all rows when none has one (for ctx.source)."""
    if column in frame.columns:
        kept = frame.filter(pl.col(column).is_not_null())
        if not kept.is_empty():
            return kept
    return frame
