"""Achievement: how far each KPI row has come from its baseline towards its target, under one of the
progress rules of :mod:`sdgcities.build.models.progress`, and what can still be compared where a city publishes
no actual values (the ambition of its targets and how complete its disclosure is).

Every public function takes the notebook Context (``ctx``: connection, cities, language, labels)
and returns polars frames or Altair charts; the notebook only calls, displays and narrates.

Conventions
-----------
* One row per printed KPI row, but rows marked 再掲 (``is_repeat``: a cell-for-cell reprint of
  another row) are left out by default so that a reprinted KPI counts once
  (``include_repeats=True`` keeps them).
* ``score`` is the rule's value on a percent scale: the value itself for ``progress`` and ``ratio``
  (percent), and the growth ratio x 100 for ``open_sdg`` and ``un_cr`` (percent of the required
  growth pace). So 100 is "target reached" (progress, ratio) or "on the required pace" (growth
  rules) and 0 is "no change from the baseline" (progress, growth rules).
* Redacted values are NULL and stay NULL: a row without the values a rule needs is counted and its
  reason named, never drawn as a zero.
* Charts stay readable with many cities: above ``len(charts.CITY_PALETTE)`` cities they pool the
  cities (per side), pre-aggregate box plots and histograms, and list the top cities in tables.

The rules are evaluated once, in the build: this module reads their results from the models
``kpi_rule_results`` (value, score, status, tier and reason code per KPI row and rule),
``published_rate_checks`` (each published rate against each rule) and ``kpi_ambition``; it never
evaluates a rule itself. Status labels come from :mod:`sdgcities.build.models.progress` (STATUS_LABELS).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from sdgcities.present import charts
from sdgcities.present.notebook import SIDE_ORDER, Context
from sdgcities.build.models.progress import RULE_NAMES, STATUS_LABELS
from sdgcities.present.analyses import small_n

GROWTH_RULES = ("open_sdg", "un_cr")
AGREEMENT_TOLERANCE = 1.0  # points: the build's tolerance (audit.agreement), quoted in the text
MAX_POINTS = 5000  # Altair's row limit: above it charts draw pre-aggregated marks only
MAX_MATRIX_ROWS = 60  # KPI rows shown in the KPI x rule matrix
TOP_N = 10  # cities listed in the "many cities" tables

NOT_EVALUABLE = "not_evaluable"

RULE_TITLES = {
    "progress": {"ja": "進捗率（内閣府の達成度）", "en": "Gap closed (Cabinet Office achievement rate)"},
    "ratio": {"ja": "実績/目標の比率", "en": "Actual / target ratio"},
    "open_sdg": {"ja": "Open SDG 成長率比", "en": "Open SDG growth ratio"},
    "un_cr": {"ja": "国連 CR（成長率比）", "en": "UN CR (growth ratio)"},
}

SCORE_TITLES = {
    "progress": {"ja": "達成度 (%) = (実績−当初値)/(目標−当初値)×100",
                 "en": "Achievement (%) = (actual − baseline)/(target − baseline) × 100"},
    "ratio": {"ja": "達成率 (%) = 実績/目標×100（減少目標は目標/実績）",
              "en": "Attainment (%) = actual / target × 100 (target / actual for a decrease)"},
    "open_sdg": {"ja": "実績の伸び率/必要な伸び率 ×100 (Open SDG)",
                 "en": "Observed / required growth rate × 100 (Open SDG)"},
    "un_cr": {"ja": "CR×100 = 実績の伸び率/必要な伸び率 ×100 (国連)",
              "en": "CR × 100 = observed / required growth rate × 100 (UN)"},
}

REFERENCE_LINES = {
    "progress": ((0, "当初値", "baseline"), (100, "目標達成", "target reached")),
    "ratio": ((0, "実績ゼロ", "zero"), (100, "目標達成", "target reached")),
    "open_sdg": ((0, "当初値から変化なし", "no change"), (100, "必要な伸び率どおり", "required pace")),
    "un_cr": ((0, "当初値から変化なし", "no change"), (100, "必要な伸び率どおり", "required pace")),
}

# Why a row has no value under a rule: the reason codes of kpi_rule_results (progress.REASON_CODES
# and the row facts evaluated, redacted, text_only).
REASONS = {
    "evaluated": {"ja": "算出できた", "en": "evaluated"},
    "redacted": {"ja": "指標名・数値が黒塗り（非公開）", "en": "redacted (name and values withheld)"},
    "text_only": {"ja": "数値がなく文字のみ（未構築・策定など）", "en": "printed as words only (e.g. 未構築), no numbers"},
    "no_actual": {"ja": "実績値が記載されていない", "en": "no actual value printed"},
    "no_baseline_target": {"ja": "当初値または目標値がない", "en": "no baseline or no target value"},
    "cap_met": {"ja": "当初値で既に満たす上限（下限）目標: 状態のみ判定",
                "en": "target is a cap (floor) already met at baseline: status only"},
    "nonpositive": {"ja": "0以下の値があり成長率を計算できない", "en": "zero or negative value: no growth rate"},
    "target_eq_baseline": {"ja": "目標値が当初値と同じ", "en": "target equals baseline"},
    "years": {"ja": "年の情報が不足または順序が不正", "en": "a year is missing or out of order"},
    "negative_values": {"ja": "負の値の比率は達成度を表さない", "en": "a ratio of negative values"},
    "zero_divisor": {"ja": "0で割る比率: 状態のみ判定", "en": "the ratio divides by zero: status only"},
    "direction_unknown": {"ja": "望ましい方向が不明", "en": "direction unknown"},
    "overflow": {"ja": "計算結果が有限の数にならない", "en": "the result is not a finite number"},
    "other": {"ja": "その他", "en": "other"},
}
REASON_ORDER = tuple(REASONS)

# Common tiers that make the four rules' status codes comparable (kpi_rule_results.tier).
TIERS = {
    "achieved": {"ja": "達成", "en": "Target met"},
    "progressing": {"ja": "前進", "en": "Progressing"},
    "stalled": {"ja": "横ばい・限定的", "en": "Stalled or limited"},
    "worse": {"ja": "後退・悪化", "en": "Worse than baseline"},
    NOT_EVALUABLE: {"ja": "判定できない", "en": "Not assessable"},
}
TIER_COLOURS = {"achieved": "#2166ac", "progressing": "#67a9cf", "stalled": "#f4a261", "worse": "#b2182b",
                NOT_EVALUABLE: "#d9d9d9"}
# Status colours from best to worst (blue to red, colour-blind safe); grey for "not evaluable".
_STATUS_PALETTE_5 = ["#2166ac", "#67a9cf", "#f6d860", "#f4a261", "#b2182b"]
NOT_EVALUABLE_COLOUR = "#c8c8c8"

NOT_EVALUABLE_LABEL = {"ja": "評価できない（必要な値がない）", "en": "Not evaluable (values missing)"}

DISCLOSURE_FIELDS = {
    "name": {"ja": "指標名", "en": "Indicator name"},
    "baseline": {"ja": "当初値", "en": "Baseline value"},
    "target": {"ja": "目標値", "en": "Target value"},
    "actual": {"ja": "実績値", "en": "Actual value"},
}

AMBITION_REASONS = {
    "ok": {"ja": "算出できた", "en": "computed"},
    "redacted": {"ja": "黒塗り（非公開）", "en": "redacted"},
    "no_values": {"ja": "当初値または目標値がない", "en": "no baseline or no target value"},
    "years": {"ja": "年の情報が不足、または目標年が当初年以前", "en": "a year is missing or the target year is not later"},
    "zero_baseline": {"ja": "当初値が0で変化率を計算できない", "en": "baseline is 0: no relative change"},
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _t(ctx: Context, labels: dict[str, str]) -> str:
    return labels[ctx.lang]


def many_cities(ctx: Context) -> bool:
    """True when there are too many cities to give each its own colour or row in a chart."""
    return len(ctx.cities) > len(charts.CITY_PALETTE)


def status_codes(rule: str) -> list[str]:
    """The rule's status codes from best to worst (the order of STATUS_LABELS)."""
    return list(STATUS_LABELS[rule])


def status_label(ctx: Context, rule: str, status: str | None) -> str:
    if status is None or status == NOT_EVALUABLE:
        return _t(ctx, NOT_EVALUABLE_LABEL)
    return STATUS_LABELS[rule][status][ctx.lang]


def status_colours(rule: str) -> dict[str, str]:
    """Colour of each status code of the rule (best blue to worst red) and of 'not evaluable'."""
    codes = status_codes(rule)
    palette = _STATUS_PALETTE_5 if len(codes) >= 5 else [_STATUS_PALETTE_5[i] for i in (0, 2, 3, 4)][: len(codes)]
    colours = dict(zip(codes, palette))
    colours[NOT_EVALUABLE] = NOT_EVALUABLE_COLOUR
    return colours


def fmt_number(value: float | None, decimals: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{decimals}f}"


def _nice_step(span: float, max_bins: int = 24) -> float:
    """The smallest 1-2-2.5-5 x 10^k step that cuts span into at most max_bins bins."""
    span = max(span, 1e-9)
    raw = span / max_bins
    exponent = math.floor(math.log10(raw))
    for mantissa in (1, 2, 2.5, 5, 10):
        step = mantissa * 10**exponent
        if step >= raw:
            return float(step)
    return float(10 ** (exponent + 1))


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of already sorted values."""
    position = q * (len(sorted_values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * (position - below)


def display_range(values: Sequence[float], *, include: Sequence[float] = (0.0, 100.0),
                  max_bins: int = 24, method: str = "percentile") -> tuple[float, float, float]:
    """(low, high, bin step) of an axis that shows the bulk of the values and the reference lines.

    method "percentile": the 5th to 95th percentile; "fence": Tukey's far-out fences, Q1 - 3 IQR to
    Q3 + 3 IQR (within the data), for a few bars one of which is extreme. The range is widened to the
    reference values; values outside it are drawn at the edge (charts say how many), so one extreme
    row does not squash all the others.
    """
    clean = sorted(v for v in values if v is not None and math.isfinite(v))
    anchors = [float(x) for x in include]
    if clean:
        n = len(clean)
        if method == "fence":
            q1, q3 = _quantile(clean, 0.25), _quantile(clean, 0.75)
            iqr = q3 - q1
            low_q, high_q = max(clean[0], q1 - 3 * iqr), min(clean[-1], q3 + 3 * iqr)
        else:
            low_q = clean[max(0, math.floor(0.05 * (n - 1)))]
            high_q = clean[min(n - 1, math.ceil(0.95 * (n - 1)))]
        anchors += [low_q, high_q]
    low, high = min(anchors), max(anchors)
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low, max_bins)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high == low:
        high = low + step
    return float(low), float(high), float(step)


def _kpi_label(indicator: str | None, table_code: str, row_no: str | None, is_redacted: bool, lang: str,
               width: int = 26) -> str:
    if indicator:
        name = indicator if len(indicator) <= width else indicator[: width - 1] + "…"
    else:
        name = "（黒塗り）" if lang == "ja" else "(redacted)"
    return f"{name} [{table_code}:{row_no or '?'}]"


def _group_order(ctx: Context, frame: pl.DataFrame) -> list[str]:
    """Order of the 'group' labels (city then side) present in frame."""
    if frame.is_empty():
        return []
    present = set(frame["group"].to_list())
    side_rank = {s: i for i, s in enumerate(SIDE_ORDER)}
    keys = frame.select("city_id", "side", "group").unique()
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    ordered = sorted(keys.iter_rows(named=True),
                     key=lambda r: (city_rank.get(r["city_id"], 10**9) if not many_cities(ctx) else 0,
                                    side_rank.get(r["side"], 99)))
    out: list[str] = []
    for row in ordered:
        if row["group"] in present and row["group"] not in out:
            out.append(row["group"])
    return out


def _with_labels(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """Add city, side, group (city · side, or side alone with many cities) and KPI labels."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in ("city", "side_label", "group", "kpi"))
    cities = {c: ctx.city(c) for c in frame["city_id"].unique().to_list()}
    sides = {s: ctx.side(s) for s in frame["side"].unique().to_list()}
    many = many_cities(ctx)
    kpi = [
        _kpi_label(r["indicator_ja"], r["table_code"], r["row_no"], r["is_redacted"], ctx.lang)
        for r in frame.select("indicator_ja", "table_code", "row_no", "is_redacted").iter_rows(named=True)
    ]
    city_col = [cities[c] for c in frame["city_id"].to_list()]
    side_col = [sides[s] for s in frame["side"].to_list()]
    group = side_col if many else [f"{c} · {s}" for c, s in zip(city_col, side_col)]
    return frame.with_columns(
        pl.Series("city", city_col, dtype=pl.String),
        pl.Series("side_label", side_col, dtype=pl.String),
        pl.Series("group", group, dtype=pl.String),
        pl.Series("kpi", kpi, dtype=pl.String),
    )


def _city_scale(ctx: Context) -> alt.Scale:
    return charts.city_colour_scale(ctx.city_order())


def _reference_rules(ctx: Context, rule: str, low: float, high: float, *, vertical: bool = True,
                     values: Sequence[tuple[float, str, str]] | None = None) -> alt.LayerChart:
    """Dashed reference lines (e.g. 0 = baseline, 100 = target reached) with a small label.

    The lowest line is labelled on its left and the others on their right, so that two lines close
    together (0 and 100 on a wide axis) keep readable labels.
    """
    refs = values if values is not None else REFERENCE_LINES[rule]
    data = pl.DataFrame({
        "ref": [float(v) for v, _, _ in refs],
        "ref_label": [f"{ja if ctx.lang == 'ja' else en} ({v:g})" for v, ja, en in refs],
    }).filter((pl.col("ref") >= low) & (pl.col("ref") <= high)).sort("ref")
    tooltip = [alt.Tooltip("ref_label:N", title=ctx.t("基準線", "Reference"))]
    line = alt.Chart(data).mark_rule(strokeDash=[5, 3], color="#333333", strokeWidth=1.5)
    first, rest = data.head(1), data.slice(1)
    if vertical:
        line = line.encode(x=alt.X("ref:Q", scale=alt.Scale(domain=[low, high])), tooltip=tooltip)
        texts = [
            alt.Chart(part).mark_text(align=align, baseline="top", dx=dx, dy=-14, fontSize=11, color="#333333")
            .encode(x="ref:Q", y=alt.value(0), text="ref_label:N")
            for part, align, dx in ((first, "right", -3), (rest, "left", 3)) if not part.is_empty()
        ]
    else:
        line = line.encode(y=alt.Y("ref:Q", scale=alt.Scale(domain=[low, high])), tooltip=tooltip)
        texts = [
            alt.Chart(part).mark_text(align="right", baseline=baseline, dx=-3, dy=dy, fontSize=11, color="#333333")
            .encode(y="ref:Q", x=alt.value(0), text="ref_label:N")
            for part, baseline, dy in ((first, "top", 2), (rest, "bottom", -2)) if not part.is_empty()
        ]
    return alt.layer(line, *texts)


def _box_stats(frame: pl.DataFrame, by: Sequence[str], value: str) -> pl.DataFrame:
    """Pre-aggregated box plot statistics (min, quartiles, median, max, n) per group."""
    return (
        frame.filter(pl.col(value).is_not_null())
        .group_by(list(by), maintain_order=True)
        .agg(
            pl.col(value).min().alias("low"),
            pl.col(value).quantile(0.25, interpolation="linear").alias("q1"),
            pl.col(value).median().alias("median"),
            pl.col(value).quantile(0.75, interpolation="linear").alias("q3"),
            pl.col(value).max().alias("high"),
            pl.len().alias("n"),
        )
    )


def _box_layers(ctx: Context, stats: pl.DataFrame, y: alt.Y, x_scale: alt.Scale, x_title: str,
                tooltip: list[alt.Tooltip], *, points: bool) -> list[Any]:
    """Whisker, box and median tick for the groups with at least small_n.MIN_BOX values. Smaller groups
    get no box; with ``points`` (the strip of single values is not drawn) their values become points."""
    b = alt.Chart(small_n.box_groups(stats))
    layers: list[Any] = [
        b.mark_rule(color="#555555").encode(y=y, x=alt.X("low_shown:Q", scale=x_scale, title=x_title),
                                            x2="high_shown:Q", tooltip=tooltip),
        b.mark_bar(size=22, color="#e8e8e8", stroke="#555555", strokeWidth=1).encode(
            y=y, x="q1_shown:Q", x2="q3_shown:Q", tooltip=tooltip),
        b.mark_tick(color="#222222", size=22, thickness=2.5).encode(y=y, x="median_shown:Q", tooltip=tooltip),
    ]
    small = small_n.small_group_points(stats, "group")
    if points and not small.is_empty():
        layers.append(alt.Chart(small).mark_point(size=70, color="#222222", filled=True).encode(
            y=y, x=alt.X("value_shown:Q", scale=x_scale, title=x_title),
            tooltip=[alt.Tooltip("group:N", title=ctx.t("都市・側面", "City · side")),
                     alt.Tooltip("n:Q", title=ctx.t("KPI行数", "KPI rows")),
                     alt.Tooltip("value:Q", format=".1f", title=ctx.t("値", "Value"))]))
    return layers


def _clip(frame: pl.DataFrame, columns: Sequence[str], low: float, high: float) -> pl.DataFrame:
    """Copies of columns clipped to [low, high] (suffix _shown) for drawing; the originals stay in tooltips."""
    return frame.with_columns(pl.col(c).clip(low, high).alias(f"{c}_shown") for c in columns)


POINT_COLUMNS = ("kpi_id", "city", "group", "side_label", "indicator_ja", "unit", "direction", "score", "score_shown",
                 "status_label", "baseline_label", "baseline_value", "actual_label", "actual_value", "target_label",
                 "target_value", "published_achievement_pct", "jitter", "ambition_pct", "ambition_pct_shown",
                 "difference", "agreement_label", "published_pct", "published_pct_shown")


def _slim(frame: pl.DataFrame, columns: Sequence[str] = POINT_COLUMNS) -> pl.DataFrame:
    """Only the columns a chart encodes (keeps the embedded data small)."""
    return frame.select([c for c in columns if c in frame.columns])


def _outside_note(ctx: Context, n_outside: int, low: float, high: float) -> str:
    if n_outside == 0:
        return ""
    return ctx.t(f"{low:g}〜{high:g} の外の {n_outside:,} 点は端に表示（実際の値はツールチップ）",
                 f"{n_outside:,} value(s) outside {low:g} to {high:g} drawn at the edge (true values in tooltips)")


# ---------------------------------------------------------------------------------------------
# Data


KPI_QUERY = """
select k.kpi_id, k.city_id, k.doc_id, k.section, k.table_code, k.row_no, k.side, k.indicator_ja,
       k.indicator_key, k.unit, k.is_repeat, k.is_redacted, k.direction,
       k.baseline_label, k.baseline_year, k.baseline_value,
       k.actual_label, k.actual_year, k.actual_value,
       k.target_label, k.target_year, k.target_value,
       k.status_text, k.published_achievement_pct, k.published_achievement_text
from kpis k
where list_contains($cities, k.city_id) and ($include_repeats or not k.is_repeat)
order by k.city_id, k.kpi_id
"""


def kpi_rows(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """The KPI rows of the notebook's cities (再掲 reprints left out unless include_repeats)."""
    return ctx.con.sql(KPI_QUERY, params={"cities": list(ctx.cities), "include_repeats": bool(include_repeats)}).pl()


RULE_RESULTS_QUERY = """
select kpi_id, rule, value, score, status, tier, reason_code, reason, n_rules_with_status, n_tiers, flips
from kpi_rule_results
where list_contains($rules, rule) and list_contains($kpis, kpi_id)
"""


def rule_results(ctx: Context, rows: pl.DataFrame, rules: Sequence[str]) -> pl.DataFrame:
    """The rows (kpi_rows) with the build's results of each rule in rules, one block per rule."""
    results = ctx.con.sql(RULE_RESULTS_QUERY, params={"rules": list(rules), "kpis": rows["kpi_id"].to_list()}).pl()
    return pl.concat([rows.join(results.filter(pl.col("rule") == rule), on="kpi_id", how="left", maintain_order="left")
                      for rule in rules])


def evaluate_rows(ctx: Context, rule: str, rows: pl.DataFrame | None = None, *,
                  include_repeats: bool = False) -> pl.DataFrame:
    """KPI rows with the rule's value, score, status, reason and reason code (model kpi_rule_results),
    plus reason_label, status_code (status or 'not_evaluable'), status_label, city, side_label, group, kpi."""
    rows = kpi_rows(ctx, include_repeats=include_repeats) if rows is None else rows
    frame = rule_results(ctx, rows, [rule]).with_columns(pl.col("status").fill_null(NOT_EVALUABLE).alias("status_code"))
    frame = frame.with_columns(
        pl.col("reason_code").replace_strict({k: v[ctx.lang] for k, v in REASONS.items()}).alias("reason_label"),
        pl.col("status_code").replace_strict(
            {code: status_label(ctx, rule, code) for code in [*status_codes(rule), NOT_EVALUABLE]}
        ).alias("status_label"),
    )
    return _with_labels(ctx, frame)


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
        pl.col("n_rows", "n_evaluated", "n_status").fill_null(0).cast(pl.Int64),
    )
    return out.with_columns(pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"))


def qualification(ctx: Context, evaluated: pl.DataFrame) -> pl.DataFrame:
    """Per city and reason: how many KPI rows have a value under the rule and why the others do not.

    Columns: city_id, city, reason_code, reason (in ctx.lang), n, n_with_status, example_reason
    (the rule's own reason text for one such row, English).
    """
    order = {code: i for i, code in enumerate(REASON_ORDER)}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    out = (
        evaluated.group_by("city_id", "reason_code")
        .agg(
            pl.len().alias("n"),
            pl.col("status").is_not_null().sum().cast(pl.Int64).alias("n_with_status"),
            pl.col("reason").drop_nulls().sort().first().alias("example_reason"),
        )
        .with_columns(
            pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c"),
            pl.col("reason_code").replace_strict(order, default=99).alias("_r"),
        )
        .sort("_c", "_r")
        .drop("_c", "_r")
    )
    return out.with_columns(
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"),
        pl.col("reason_code").replace_strict({k: v[ctx.lang] for k, v in REASONS.items()}).alias("reason"),
    ).select("city_id", "city", "reason_code", "reason", "n", "n_with_status", "example_reason")


def qualification_table(ctx: Context, qual: pl.DataFrame) -> pl.DataFrame:
    """The qualification frame with headers in ctx.lang, for display (pooled per reason with many cities)."""
    if many_cities(ctx):
        order = {code: i for i, code in enumerate(REASON_ORDER)}
        pooled = qual.group_by("reason_code", "reason").agg(
            pl.col("city_id").n_unique().alias("n_cities"), pl.col("n").sum(), pl.col("n_with_status").sum(),
            pl.col("example_reason").drop_nulls().sort().first(),
        ).with_columns(pl.col("reason_code").replace_strict(order, default=99).alias("_r")).sort("_r")
        return pooled.select(
            pl.col("reason").alias(ctx.t("状況", "Situation")),
            pl.col("n_cities").alias(ctx.t("都市数", "Cities")),
            pl.col("n").alias(ctx.t("KPI行数", "KPI rows")),
            pl.col("n_with_status").alias(ctx.t("うち状態の判定あり", "of which with a status")),
            pl.col("example_reason").alias(ctx.t("ルールの理由（例）", "Rule's reason (example)")),
        )
    return qual.select(
        pl.col("city").alias(ctx.t("都市", "City")),
        pl.col("reason").alias(ctx.t("状況", "Situation")),
        pl.col("n").alias(ctx.t("KPI行数", "KPI rows")),
        pl.col("n_with_status").alias(ctx.t("うち状態の判定あり", "of which with a status")),
        pl.col("example_reason").alias(ctx.t("ルールの理由（例）", "Rule's reason (example)")),
    )


# ---------------------------------------------------------------------------------------------
# 1. Distribution


def distribution_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Strip plot (one point per KPI row) over a box plot per city and side, with 0/100 lines.

    With many cities the points would exceed what a chart can carry: the chart then shows one
    pre-aggregated box per side across all cities and no points.
    """
    data = evaluated.filter(pl.col("score").is_not_null())
    low, high, _ = display_range(data["score"].to_list())
    data = _clip(data, ["score"], low, high)
    n_outside = data.filter((pl.col("score") < low) | (pl.col("score") > high)).height
    order = _group_order(ctx, data)
    many = many_cities(ctx) or data.height > MAX_POINTS
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=[low, high], nice=False)
    x_title = _t(ctx, SCORE_TITLES[rule])

    stats = _box_stats(data, ["group"], "score")
    stats = _clip(stats, ["low", "q1", "median", "q3", "high"], low, high)
    box_tooltip = [
        alt.Tooltip("group:N", title=ctx.t("都市・側面", "City · side")),
        alt.Tooltip("n:Q", title=ctx.t("KPI行数", "KPI rows")),
        alt.Tooltip("median:Q", format=".1f", title=ctx.t("中央値", "Median")),
        alt.Tooltip("q1:Q", format=".1f", title=ctx.t("第1四分位", "Q1")),
        alt.Tooltip("q3:Q", format=".1f", title=ctx.t("第3四分位", "Q3")),
        alt.Tooltip("low:Q", format=".1f", title=ctx.t("最小", "Min")),
        alt.Tooltip("high:Q", format=".1f", title=ctx.t("最大", "Max")),
    ]
    layers: list[Any] = _box_layers(ctx, stats, y, x_scale, x_title, box_tooltip, points=many)

    if not many:
        # Deterministic jitter: spread the points of a group over the band by their rank.
        data = data.sort("kpi_id").with_columns(
            ((pl.col("kpi_id").rank("ordinal").over("group") * 0.618034) % 1.0 - 0.5).alias("jitter"))
        colour = alt.Color("city:N", scale=_city_scale(ctx), title=ctx.t("都市", "City"))
        points = alt.Chart(_slim(data)).mark_circle(size=70, opacity=0.85, stroke="white", strokeWidth=0.6).encode(
            y=y,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.9, 0.9])),
            x=alt.X("score_shown:Q", scale=x_scale, title=x_title),
            color=colour,
            tooltip=[
                alt.Tooltip("city:N", title=ctx.t("都市", "City")),
                alt.Tooltip("indicator_ja:N", title=ctx.t("指標", "Indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("side_label:N", title=ctx.t("側面", "Side")),
                alt.Tooltip("score:Q", format=".1f", title=x_title),
                alt.Tooltip("status_label:N", title=ctx.t("状態", "Status")),
                alt.Tooltip("baseline_label:N", title=ctx.t("当初年", "Baseline year")),
                alt.Tooltip("baseline_value:Q", title=ctx.t("当初値", "Baseline")),
                alt.Tooltip("actual_label:N", title=ctx.t("実績年", "Actual year")),
                alt.Tooltip("actual_value:Q", title=ctx.t("実績値", "Actual")),
                alt.Tooltip("target_label:N", title=ctx.t("目標年", "Target year")),
                alt.Tooltip("target_value:Q", title=ctx.t("目標値", "Target")),
                alt.Tooltip("unit:N", title=ctx.t("単位", "Unit")),
                alt.Tooltip("published_achievement_pct:Q", title=ctx.t("公表された達成度", "Published rate")),
            ],
        )
        layers.append(points)
    layers.append(_reference_rules(ctx, rule, low, high))

    title, subtitle = _distribution_title(ctx, evaluated, rule)
    notes = [subtitle, _outside_note(ctx, n_outside, low, high), small_n.small_n_note(ctx, stats)]
    if many:
        notes.append(ctx.t(f"{len(ctx.cities):,} 都市を側面ごとにまとめた箱ひげ図（点は省略）",
                           f"boxes pool {len(ctx.cities):,} cities per side (points omitted)"))
    return alt.layer(*layers).properties(
        width=560, height=max(90, 46 * max(1, len(order))),
        title=alt.Title(title, subtitle=[n for n in notes if n]),
    )


def _distribution_title(ctx: Context, evaluated: pl.DataFrame, rule: str) -> tuple[str, str]:
    summary = city_summary(ctx, evaluated)
    with_values = summary.filter(pl.col("n_evaluated") > 0)
    without = summary.filter(pl.col("n_evaluated") == 0)
    rule_name = _t(ctx, RULE_TITLES[rule])
    if with_values.is_empty():
        return ctx.t(f"{rule_name}: 算出できるKPI行はない", f"{rule_name}: no KPI row can be evaluated"), ""
    if many_cities(ctx):
        n = int(with_values["n_evaluated"].sum())
        med = evaluated["score"].median()
        title = ctx.t(f"{rule_name}: {with_values.height:,} 都市、", f"{rule_name}: {with_values.height:,} cities, ") + \
            small_n.centre_text(ctx, med, n)
    else:
        parts = [f"{r['city']} " + small_n.centre_text(ctx, r["median_score"], r["n_evaluated"])
                 for r in with_values.iter_rows(named=True)]
        title = f"{rule_name}: " + ctx.t("、", "; ").join(parts)
    subtitle = ""
    if not without.is_empty():
        names = ctx.t("、", ", ").join(without["city"].to_list()[:TOP_N])
        more = without.height - min(without.height, TOP_N)
        extra = ctx.t(f" ほか {more} 都市", f" and {more} more") if more else ""
        subtitle = ctx.t(f"値を算出できるKPI行がない: {names}{extra}", f"No KPI row with the values needed: {names}{extra}")
    return title, subtitle


def histogram_frame(ctx: Context, evaluated: pl.DataFrame, rule: str) -> tuple[pl.DataFrame, float, float, float]:
    """Pre-binned counts of the scores (per city, or pooled with many cities); values beyond the display
    range fall into the edge bins. Returns (frame, low, high, step)."""
    data = evaluated.filter(pl.col("score").is_not_null())
    low, high, step = display_range(data["score"].to_list())
    n_bins = int(round((high - low) / step))
    colour_by = "side_label" if many_cities(ctx) else "city"
    binned = data.with_columns(
        ((pl.col("score") - low) / step).floor().clip(0, n_bins - 1).cast(pl.Int64).alias("bin"),
    ).group_by("bin", colour_by).agg(
        pl.len().alias("n"),
        pl.col("score").min().alias("min_score"),
        pl.col("score").max().alias("max_score"),
    )
    binned = binned.with_columns(
        (low + pl.col("bin") * step).alias("bin_start"),
        (low + (pl.col("bin") + 1) * step).alias("bin_end"),
    ).rename({colour_by: "colour"}).sort("bin", "colour")
    return binned, low, high, step


def histogram_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Histogram of the scores, stacked by city (by side with many cities), with 0/100 lines."""
    binned, low, high, step = histogram_frame(ctx, evaluated, rule)
    x_title = _t(ctx, SCORE_TITLES[rule])
    many = many_cities(ctx)
    colour = (alt.Color("colour:N", title=ctx.t("側面", "Side")) if many
              else alt.Color("colour:N", scale=_city_scale(ctx), title=ctx.t("都市", "City")))
    bars = alt.Chart(binned).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("bin_start:Q", scale=alt.Scale(domain=[low, high], nice=False), title=x_title),
        x2="bin_end:Q",
        y=alt.Y("sum(n):Q", stack="zero", title=ctx.t("KPI行数", "KPI rows"), axis=alt.Axis(tickMinStep=1)),
        color=colour,
        order=alt.Order("colour:N"),
        tooltip=[
            alt.Tooltip("colour:N", title=ctx.t("側面", "Side") if many else ctx.t("都市", "City")),
            alt.Tooltip("bin_start:Q", format=".0f", title=ctx.t("区間の始まり", "Bin from")),
            alt.Tooltip("bin_end:Q", format=".0f", title=ctx.t("区間の終わり", "Bin to")),
            alt.Tooltip("sum(n):Q", title=ctx.t("KPI行数", "KPI rows")),
            alt.Tooltip("min(min_score):Q", format=".1f", title=ctx.t("区間内の最小値", "Lowest value in bin")),
            alt.Tooltip("max(max_score):Q", format=".1f", title=ctx.t("区間内の最大値", "Highest value in bin")),
        ],
    )
    n = int(binned["n"].sum()) if not binned.is_empty() else 0
    in_core = evaluated.filter(pl.col("score").is_between(0, 100, closed="left")).height
    above = evaluated.filter(pl.col("score") >= 100).height
    below = evaluated.filter(pl.col("score") < 0).height
    rule_name = _t(ctx, RULE_TITLES[rule])
    title = ctx.t(f"{rule_name}: {n:,} 行のうち 100 以上 {above:,} 行、0〜100 {in_core:,} 行、0 未満 {below:,} 行",
                  f"{rule_name}: of {n:,} rows, {above:,} at 100 or more, {in_core:,} from 0 to 100, {below:,} below 0")
    outside = evaluated.filter((pl.col("score") < low) | (pl.col("score") > high)).height
    subtitle = ctx.t(f"区間幅 {step:g}", f"bin width {step:g}")
    if outside:
        subtitle += ctx.t(f"。{low:g}〜{high:g} の外の {outside:,} 行は端の区間に含めた",
                          f"; {outside:,} row(s) outside {low:g} to {high:g} counted in the edge bins")
    return alt.layer(bars, _reference_rules(ctx, rule, low, high)).properties(
        width=560, height=240, title=alt.Title(title, subtitle=subtitle))


def top_cities_table(ctx: Context, evaluated: pl.DataFrame, n: int = TOP_N) -> pl.DataFrame:
    """With many cities: the cities with the highest and lowest median score (ties by city id)."""
    summary = city_summary(ctx, evaluated).filter(pl.col("n_evaluated") > 0)
    top = summary.sort(["median_score", "city_id"], descending=[True, False]).head(n)
    bottom = summary.sort(["median_score", "city_id"]).head(n)
    return pl.concat([
        top.with_columns(pl.lit(ctx.t("上位", "Top")).alias("rank")),
        bottom.with_columns(pl.lit(ctx.t("下位", "Bottom")).alias("rank")),
    ]).select(
        pl.col("rank").alias(ctx.t("順位", "Rank")),
        pl.col("city").alias(ctx.t("都市", "City")),
        pl.col("n_evaluated").alias(ctx.t("算出できた行", "Rows evaluated")),
        pl.col("median_score").round(1).alias(ctx.t("中央値", "Median")),
    )


# ---------------------------------------------------------------------------------------------
# 2. Status bands


def status_counts(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """KPI rows per city, side and status band (rows without a status: 'not_evaluable')."""
    codes = [*status_codes(rule), NOT_EVALUABLE]
    rank = {c: i for i, c in enumerate(codes)}
    keys = ["group", "city_id", "city", "side", "side_label", "status_code", "status_label"]
    out = evaluated.group_by(keys).agg(pl.len().alias("n")).with_columns(
        pl.col("status_code").replace_strict(rank, default=99).alias("status_rank"))
    if many_cities(ctx):
        out = out.group_by("group", "side", "side_label", "status_code", "status_label", "status_rank").agg(
            pl.col("n").sum(), pl.col("city_id").n_unique().alias("n_cities"))
    return out.sort("group", "status_rank")


def status_chart(ctx: Context, evaluated: pl.DataFrame, rule: str) -> alt.Chart:
    """Stacked bars of the status bands per city and side (per side with many cities)."""
    counts = status_counts(ctx, evaluated, rule)
    colours = status_colours(rule)
    codes = [*status_codes(rule), NOT_EVALUABLE]
    labels = [status_label(ctx, rule, c) for c in codes]
    order = _group_order(ctx, evaluated)
    totals = evaluated.group_by("status_code").len()
    achieved = int(totals.filter(pl.col("status_code") == codes[0])["len"].sum())
    with_status = int(totals.filter(pl.col("status_code") != NOT_EVALUABLE)["len"].sum())
    rule_name = _t(ctx, RULE_TITLES[rule])
    if with_status:
        title = ctx.t(f"{rule_name}: 状態を判定できた {with_status:,} 行のうち「{labels[0]}」は {achieved:,} 行",
                      f"{rule_name}: {achieved:,} of the {with_status:,} rows with a status are '{labels[0]}'")
    else:
        title = ctx.t(f"{rule_name}: 状態を判定できる KPI 行はない（{evaluated.height:,} 行すべてで必要な値が欠ける）",
                      f"{rule_name}: no KPI row has a status (all {evaluated.height:,} lack the values needed)")
    not_eval = evaluated.height - with_status
    subtitle = ctx.t(f"灰色は必要な値がなく判定できない {not_eval:,} 行（0ではない）",
                     f"grey: {not_eval:,} rows without the values needed (not zero)")
    return alt.Chart(counts).mark_bar(stroke="white", strokeWidth=0.5).encode(
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("sum(n):Q", title=ctx.t("KPI行数", "KPI rows"), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status_label:N", title=ctx.t("状態", "Status"),
                        scale=alt.Scale(domain=labels, range=[colours[c] for c in codes]),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=420)),
        order=alt.Order("status_rank:Q"),
        tooltip=[
            alt.Tooltip("group:N", title=ctx.t("都市・側面", "City · side")),
            alt.Tooltip("status_label:N", title=ctx.t("状態", "Status")),
            alt.Tooltip("sum(n):Q", title=ctx.t("KPI行数", "KPI rows")),
        ],
    ).properties(width=520, height=max(80, 34 * max(1, len(order))), title=alt.Title(title, subtitle=subtitle))


def status_table(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """The KPI rows behind each status band (rows with a status), best band first."""
    rank = {c: i for i, c in enumerate(status_codes(rule))}
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    rows = evaluated.filter(pl.col("status").is_not_null()).with_columns(
        pl.col("status").replace_strict(rank, default=99).alias("_s"),
        pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c"),
    ).sort("_s", "_c", "kpi_id")
    return rows.select(
        pl.col("status_label").alias(ctx.t("状態", "Status")),
        pl.col("city").alias(ctx.t("都市", "City")),
        pl.col("side_label").alias(ctx.t("側面", "Side")),
        pl.col("indicator_ja").alias(ctx.t("指標（記載どおり）", "Indicator (as printed)")),
        pl.col("baseline_label").alias(ctx.t("当初年", "Baseline year")),
        pl.col("baseline_value").alias(ctx.t("当初値", "Baseline")),
        pl.col("actual_label").alias(ctx.t("実績年", "Actual year")),
        pl.col("actual_value").alias(ctx.t("実績値", "Actual")),
        pl.col("target_label").alias(ctx.t("目標年", "Target year")),
        pl.col("target_value").alias(ctx.t("目標値", "Target")),
        pl.col("unit").alias(ctx.t("単位", "Unit")),
        pl.col("score").round(1).alias(ctx.t("値", "Value")),
        pl.col("kpi_id").alias("KPI"),
    )


# ---------------------------------------------------------------------------------------------
# 3. Published vs recomputed


def published_comparison(ctx: Context, evaluated: pl.DataFrame, rule: str) -> pl.DataFrame:
    """The evaluated rows with a published 達成度 number, with published_pct, difference and agreement
    (agrees, differs within ±1 point, not_comparable) from the model published_rate_checks."""
    checks = ctx.con.sql(
        "select kpi_id, published_pct, difference, agreement from published_rate_checks "
        "where rule = $rule and list_contains($kpis, kpi_id)",
        params={"rule": rule, "kpis": evaluated["kpi_id"].to_list()}).pl()
    return evaluated.join(checks, on="kpi_id", how="inner", maintain_order="left")


AGREEMENT_LABELS = {
    "agrees": {"ja": "一致（±1ポイント以内）", "en": "Agrees (within ±1 point)"},
    "differs": {"ja": "不一致", "en": "Differs"},
    "not_comparable": {"ja": "比較できない", "en": "Not comparable"},
}


def published_counts(comparison: pl.DataFrame) -> dict[str, int]:
    counts = {k: 0 for k in AGREEMENT_LABELS}
    for key, n in comparison.group_by("agreement").len().iter_rows():
        counts[key] = int(n)
    counts["published"] = comparison.height
    return counts


def published_text_rows(ctx: Context, evaluated: pl.DataFrame) -> pl.DataFrame:
    """Rows whose 達成度 was published as a word (達成) with the rule's status for them."""
    return evaluated.filter(pl.col("published_achievement_text").is_not_null()).select(
        "city_id", "city", "kpi_id", "doc_id", "section", "indicator_ja", "published_achievement_text", "status",
        "status_label", "score", "reason")


def published_chart(ctx: Context, comparison: pl.DataFrame, rule: str) -> alt.LayerChart:
    """Scatter of the published 達成度 (x) against the rule's recomputed score (y) with the y = x line."""
    data = comparison.filter(pl.col("score").is_not_null())
    values = data["score"].to_list() + data["published_pct"].to_list()
    low, high, _ = display_range(values, max_bins=12)
    data = _clip(data, ["score", "published_pct"], low, high).with_columns(
        pl.col("agreement").replace_strict({k: v[ctx.lang] for k, v in AGREEMENT_LABELS.items()}).alias("agreement_label"))
    outside = data.filter((pl.col("score") < low) | (pl.col("score") > high)
                          | (pl.col("published_pct") < low)
                          | (pl.col("published_pct") > high)).height
    counts = published_counts(comparison)
    scale = alt.Scale(domain=[low, high], nice=False)
    y_title = _t(ctx, SCORE_TITLES[rule])
    x_title = ctx.t("公表された達成度 (%)", "Published achievement rate (%)")
    diagonal = alt.Chart(pl.DataFrame({"a": [low, high], "b": [low, high]})).mark_line(
        color="#666666", strokeDash=[4, 4], strokeWidth=1.5).encode(x=alt.X("a:Q", scale=scale), y=alt.Y("b:Q", scale=scale))
    agree_labels = [AGREEMENT_LABELS[k][ctx.lang] for k in ("agrees", "differs")]
    if data.height <= MAX_POINTS:
        marks = alt.Chart(_slim(data)).mark_point(size=90, filled=True, opacity=0.85).encode(
            x=alt.X("published_pct_shown:Q", scale=scale, title=x_title),
            y=alt.Y("score_shown:Q", scale=scale, title=y_title),
            color=alt.Color("agreement_label:N", title=ctx.t("公表値との一致", "Against the published rate"),
                            scale=alt.Scale(domain=agree_labels, range=["#0072B2", "#D55E00"])),
            shape=alt.Shape("agreement_label:N", scale=alt.Scale(domain=agree_labels, range=["circle", "diamond"]),
                            title=ctx.t("公表値との一致", "Against the published rate")),
            tooltip=[
                alt.Tooltip("city:N", title=ctx.t("都市", "City")),
                alt.Tooltip("indicator_ja:N", title=ctx.t("指標", "Indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("published_pct:Q", format=".1f", title=x_title),
                alt.Tooltip("score:Q", format=".1f", title=y_title),
                alt.Tooltip("difference:Q", format="+.1f", title=ctx.t("差", "Difference")),
                alt.Tooltip("baseline_value:Q", title=ctx.t("当初値", "Baseline")),
                alt.Tooltip("actual_value:Q", title=ctx.t("実績値", "Actual")),
                alt.Tooltip("target_value:Q", title=ctx.t("目標値", "Target")),
            ],
        )
    else:  # pre-binned density for very many rows
        n_bins = 30
        step = (high - low) / n_bins
        binned = data.with_columns(
            (((pl.col("published_pct_shown") - low) / step).floor().clip(0, n_bins - 1) * step + low).alias("bx"),
            (((pl.col("score_shown") - low) / step).floor().clip(0, n_bins - 1) * step + low).alias("by"),
        ).group_by("bx", "by").agg(pl.len().alias("n")).with_columns(
            (pl.col("bx") + step).alias("bx2"), (pl.col("by") + step).alias("by2"))
        marks = alt.Chart(binned).mark_rect().encode(
            x=alt.X("bx:Q", scale=scale, title=x_title), x2="bx2:Q",
            y=alt.Y("by:Q", scale=scale, title=y_title), y2="by2:Q",
            color=alt.Color("n:Q", title=ctx.t("KPI行数", "KPI rows"), scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("n:Q", title=ctx.t("KPI行数", "KPI rows"))])
    rule_name = _t(ctx, RULE_TITLES[rule])
    comparable = counts["agrees"] + counts["differs"]
    title = ctx.t(f"公表された達成度 {counts['published']:,} 件のうち {counts['agrees']:,} 件が{rule_name}と±1ポイント以内で一致",
                  f"{counts['agrees']:,} of {counts['published']:,} published rates agree with the {rule_name} within ±1 point")
    subtitle = [ctx.t(f"比較できたのは {comparable:,} 件。破線は y = x", f"{comparable:,} comparable; dashed line: y = x")]
    note = _outside_note(ctx, outside, low, high)
    if note:
        subtitle.append(note)
    return alt.layer(marks, diagonal).properties(width=420, height=420, title=alt.Title(title, subtitle=subtitle))


def published_table(ctx: Context, comparison: pl.DataFrame) -> pl.DataFrame:
    """Rows whose published rate differs from (or cannot be compared with) the recomputed value."""
    rows = comparison.filter(pl.col("agreement") != "agrees").sort("kpi_id")
    return rows.select(
        pl.col("city").alias(ctx.t("都市", "City")),
        pl.col("indicator_ja").alias(ctx.t("指標", "Indicator")),
        pl.col("baseline_value").alias(ctx.t("当初値", "Baseline")),
        pl.col("actual_value").alias(ctx.t("実績値", "Actual")),
        pl.col("target_value").alias(ctx.t("目標値", "Target")),
        pl.col("published_pct").alias(ctx.t("公表値", "Published")),
        pl.col("score").round(1).alias(ctx.t("再計算", "Recomputed")),
        pl.col("agreement").replace_strict({k: v[ctx.lang] for k, v in AGREEMENT_LABELS.items()})
        .alias(ctx.t("判定", "Result")),
        pl.col("kpi_id").alias("KPI"),
    )


# ---------------------------------------------------------------------------------------------
# 4. Method sensitivity


def rule_matrix(ctx: Context, rows: pl.DataFrame | None = None, *, include_repeats: bool = False) -> pl.DataFrame:
    """Every KPI row under every rule (model kpi_rule_results): value, score, status, status label,
    common tier, and per KPI row n_tiers (distinct tiers among the rules that give it a status),
    n_rules_with_status and flips (n_tiers >= 2). Long format, one row per KPI row and rule."""
    rows = kpi_rows(ctx, include_repeats=include_repeats) if rows is None else rows
    labels = pl.DataFrame(
        [(rule, code, status_label(ctx, rule, code)) for rule in RULE_NAMES for code in [*status_codes(rule), NOT_EVALUABLE]],
        schema=["rule", "_status", "status_label"], orient="row")
    long = rule_results(ctx, rows, RULE_NAMES).with_columns(
        pl.col("status").fill_null(NOT_EVALUABLE).alias("_status"),
        pl.col("tier").fill_null(NOT_EVALUABLE).alias("tier_code"),
    ).join(labels, on=["rule", "_status"], how="left", maintain_order="left").drop("_status")
    return _with_labels(ctx, long)


def flip_summary(matrix: pl.DataFrame) -> pl.DataFrame:
    """One row per KPI row: city, rules with a status, distinct tiers, flips, and the statuses per rule."""
    wide = matrix.pivot(on="rule", index="kpi_id", values="status")
    info = matrix.filter(pl.col("rule") == RULE_NAMES[0]).select(
        "kpi_id", "city_id", "city", "doc_id", "section", "indicator_ja", "kpi", "n_rules_with_status", "n_tiers", "flips")
    return info.join(wide, on="kpi_id", how="left").sort("city_id", "kpi_id")


def flip_counts(ctx: Context, matrix: pl.DataFrame) -> pl.DataFrame:
    """Per city: KPI rows, rows with a status under at least two rules, rows whose tier flips."""
    summary = flip_summary(matrix)
    base = pl.DataFrame({"city_id": list(ctx.cities)})
    stats = summary.group_by("city_id").agg(
        pl.len().alias("n_rows"),
        (pl.col("n_rules_with_status") >= 2).sum().cast(pl.Int64).alias("n_comparable"),
        pl.col("flips").sum().cast(pl.Int64).alias("n_flips"),
    )
    return base.join(stats, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_comparable", "n_flips").fill_null(0).cast(pl.Int64),
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"),
    )


def matrix_chart(ctx: Context, matrix: pl.DataFrame, *, max_rows: int = MAX_MATRIX_ROWS) -> alt.LayerChart:
    """KPI x rule matrix coloured by the common tier; KPIs whose tier flips are marked ◆ and listed first.

    Only KPI rows with a status under at least one rule are drawn; at most max_rows of them
    (flipping ones first).
    """
    summary = flip_summary(matrix).filter(pl.col("n_rules_with_status") >= 1)
    city_rank = {c: i for i, c in enumerate(ctx.cities)}
    summary = summary.with_columns(
        pl.col("city_id").replace_strict(city_rank, default=10**9).alias("_c"),
    ).sort(["flips", "_c", "kpi_id"], descending=[True, False, False])
    shown = summary.head(min(max_rows, 40) if many_cities(ctx) else max_rows)
    multi = shown["city_id"].n_unique() > 1 if not shown.is_empty() else False
    labels = {
        r["kpi_id"]: ("◆ " if r["flips"] else "") + (f"{r['city']}: " if multi else "") + r["kpi"]
        for r in shown.iter_rows(named=True)
    }
    order = [labels[k] for k in shown["kpi_id"].to_list()]
    data = matrix.filter(pl.col("kpi_id").is_in(list(labels))).with_columns(
        pl.col("kpi_id").replace_strict(labels).alias("row_label"),
        pl.col("rule").replace_strict({r: _t(ctx, RULE_TITLES[r]) for r in RULE_NAMES}).alias("rule_label"),
        pl.col("tier_code").replace_strict({k: v[ctx.lang] for k, v in TIERS.items()}).alias("tier_label"),
        pl.when(pl.col("score").is_null()).then(pl.lit("–"))
        .when(pl.col("score").abs() >= 10000).then(pl.col("score").round(0).cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col("score").round(0).cast(pl.Int64).cast(pl.String)).alias("score_text"),
        # Tooltips print a missing value as "null": give them a dash instead.
        pl.col("score").round(1).cast(pl.String).fill_null("–").alias("score_tip"),
        pl.col("reason").fill_null("–"),
    )
    data = data.select("row_label", "rule_label", "tier_code", "tier_label", "score", "score_text", "score_tip",
                       "status_label", "city", "indicator_ja", "kpi_id", "reason")
    rule_order = [_t(ctx, RULE_TITLES[r]) for r in RULE_NAMES]
    tier_codes = list(TIERS)
    y = alt.Y("row_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=380))
    x = alt.X("rule_label:N", sort=rule_order, title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=150))
    tooltip = [
        alt.Tooltip("city:N", title=ctx.t("都市", "City")),
        alt.Tooltip("indicator_ja:N", title=ctx.t("指標", "Indicator")),
        alt.Tooltip("kpi_id:N", title="KPI"),
        alt.Tooltip("rule_label:N", title=ctx.t("ルール", "Rule")),
        alt.Tooltip("status_label:N", title=ctx.t("状態", "Status")),
        alt.Tooltip("tier_label:N", title=ctx.t("共通の区分", "Common tier")),
        alt.Tooltip("score_tip:N", title=ctx.t("値（%表示）", "Value (percent scale)")),
        alt.Tooltip("reason:N", title=ctx.t("理由・注記", "Reason or caveat")),
    ]
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1.5).encode(
        y=y, x=x,
        color=alt.Color("tier_label:N", title=ctx.t("状態（共通区分）", "Status (common tier)"),
                        scale=alt.Scale(domain=[TIERS[c][ctx.lang] for c in tier_codes],
                                        range=[TIER_COLOURS[c] for c in tier_codes]),
                        legend=alt.Legend(orient="bottom", columns=5)),
        tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(fontSize=11).encode(
        y=y, x=x, text="score_text:N",
        color=alt.condition(alt.FieldOneOfPredicate(field="tier_code", oneOf=["achieved", "worse"]),
                            alt.value("white"), alt.value("#222222")),
        tooltip=tooltip,
    )
    n_flips = int(summary["flips"].sum()) if not summary.is_empty() else 0
    n_rows = summary.height
    title = ctx.t(f"{n_rows} 行のうち {n_flips} 行はルールによって状態の区分が変わる（◆）",
                  f"{n_flips} of {n_rows} KPI rows change status tier with the rule (◆)")
    subtitle = [ctx.t("セルの数字は%表示の値（成長率ルールは×100）。–は値なし",
                      "numbers: value on the percent scale (growth rules × 100); – no value")]
    if n_rows > len(order):
        subtitle.append(ctx.t(f"{n_rows} 行のうち {len(order)} 行を表示（変化する行を優先）",
                              f"{len(order)} of {n_rows} rows shown (flipping rows first)"))
    return alt.layer(cells, text).properties(
        width=4 * 120, height=max(60, 22 * max(1, len(order))), title=alt.Title(title, subtitle=subtitle))


def flip_table(ctx: Context, matrix: pl.DataFrame) -> pl.DataFrame:
    """The flipping KPI rows with their status label under each rule."""
    flipping = matrix.filter(pl.col("flips"))
    if flipping.is_empty():
        return pl.DataFrame({ctx.t("都市", "City"): [], ctx.t("指標", "Indicator"): []},
                            schema={ctx.t("都市", "City"): pl.String, ctx.t("指標", "Indicator"): pl.String})
    wide = flipping.with_columns(
        pl.concat_str([pl.col("status_label"), pl.lit(" ("), pl.col("score").round(1).cast(pl.String).fill_null("–"),
                       pl.lit(")")]).alias("cell")
    ).pivot(on="rule", index=["kpi_id", "city", "indicator_ja"], values="cell").sort("kpi_id")
    return wide.select(
        pl.col("city").alias(ctx.t("都市", "City")),
        pl.col("indicator_ja").alias(ctx.t("指標", "Indicator")),
        *[pl.col(r).alias(_t(ctx, RULE_TITLES[r])) for r in RULE_NAMES if r in wide.columns],
        pl.col("kpi_id").alias("KPI"),
    )


# ---------------------------------------------------------------------------------------------
# 5. Without actuals: availability, ambition, disclosure


def availability(ctx: Context) -> pl.DataFrame:
    """Per city (model city_kpi_summary, reprints left out): KPI rows, rows with an actual value, redacted
    rows, rows printed as words only, rows with both baseline and target values."""
    frame = ctx.con.sql(
        "select city_id, kpi_rows as n_rows, rows_with_actual as n_actual, redacted_rows as n_redacted, "
        "text_only_rows as n_text_only, rows_with_baseline_and_target as n_baseline_target "
        "from city_kpi_summary where list_contains($cities, city_id)", params={"cities": list(ctx.cities)}).pl()
    return pl.DataFrame({"city_id": list(ctx.cities)}).join(frame, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_actual", "n_redacted", "n_text_only", "n_baseline_target").fill_null(0).cast(pl.Int64),
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"),
    )


AMBITION_QUERY = """
select k.kpi_id, k.city_id, k.doc_id, k.section, k.table_code, k.row_no, k.side, k.indicator_ja, k.unit, k.is_redacted,
       k.direction, k.baseline_label, k.baseline_year, k.baseline_value, k.target_label, k.target_year, k.target_value,
       a.ambition_status, a.ambition_pct
from kpis k join kpi_ambition a using (kpi_id)
where list_contains($cities, k.city_id) and ($include_repeats or not k.is_repeat)
order by k.city_id, k.kpi_id
"""


def ambition(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Required change per year from baseline to target, % of the baseline per year, direction-aware
    (positive = the change the KPI's direction asks for): ((target − baseline) / |baseline| /
    (target_year − baseline_year)) × 100 × (+1 increase, −1 decrease). ambition_status says why a
    row has none (redacted, no_values, years, zero_baseline)."""
    frame = ctx.con.sql(AMBITION_QUERY, params={"cities": list(ctx.cities),
                                                "include_repeats": bool(include_repeats)}).pl()
    frame = frame.with_columns(
        pl.col("ambition_status").replace_strict({k: v[ctx.lang] for k, v in AMBITION_REASONS.items()})
        .alias("ambition_reason"))
    return _with_labels(ctx, frame)


AMBITION_GOAL_QUERY = """
with g as (
    select distinct a.city_id, a.kpi_id, a.ambition_pct, t.sdg_goal
    from kpi_ambition a join kpi_sdg_targets t using (kpi_id)
    where list_contains($cities, a.city_id) and ($include_repeats or not a.is_repeat) and a.ambition_status = 'ok'
)
select city_id, sdg_goal, count(*) as n_kpis, median(ambition_pct) as median_ambition_pct,
       min(ambition_pct) as min_ambition_pct, max(ambition_pct) as max_ambition_pct
from g
group by city_id, sdg_goal
order by city_id, sdg_goal
"""


def ambition_by_goal(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Median required change per year per city and SDG goal (a KPI counts for each goal it maps to),
    aggregated in DuckDB; with many cities also pooled per goal (column city_id = None)."""
    frame = ctx.con.sql(AMBITION_GOAL_QUERY, params={"cities": list(ctx.cities),
                                                     "include_repeats": bool(include_repeats)}).pl()
    return frame.with_columns(
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}, default=None).alias("city"),
        pl.col("sdg_goal").map_elements(lambda g: ctx.goal(int(g)), return_dtype=pl.String).alias("goal_label"),
    )


def ambition_summary(ctx: Context, amb: pl.DataFrame) -> pl.DataFrame:
    """Per city: rows with an ambition value and their median (% per year)."""
    base = pl.DataFrame({"city_id": list(ctx.cities)})
    stats = amb.filter(pl.col("ambition_pct").is_not_null()).group_by("city_id").agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("ambition_pct").median().alias("median_pct"))
    return base.join(stats, on="city_id", how="left").with_columns(
        pl.col("n").fill_null(0),
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"),
    )


def ambition_chart(ctx: Context, amb: pl.DataFrame) -> alt.LayerChart:
    """Strip and box plot of the required change per year per city and side, with a line at 0."""
    data = amb.filter(pl.col("ambition_pct").is_not_null())
    low, high, _ = display_range(data["ambition_pct"].to_list(), include=(0.0,))
    data = _clip(data, ["ambition_pct"], low, high)
    outside = data.filter((pl.col("ambition_pct") < low) | (pl.col("ambition_pct") > high)).height
    order = _group_order(ctx, data)
    many = many_cities(ctx) or data.height > MAX_POINTS
    x_title = ctx.t("必要な変化率 (%/年、当初値比、目標の方向を正)",
                    "Required change (% of baseline per year, positive = towards the target)")
    x_scale = alt.Scale(domain=[low, high], nice=False)
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    stats = _clip(_box_stats(data, ["group"], "ambition_pct"), ["low", "q1", "median", "q3", "high"], low, high)
    tip = [alt.Tooltip("group:N", title=ctx.t("都市・側面", "City · side")),
           alt.Tooltip("n:Q", title=ctx.t("KPI行数", "KPI rows")),
           alt.Tooltip("median:Q", format=".2f", title=ctx.t("中央値", "Median"))]
    layers: list[Any] = _box_layers(ctx, stats, y, x_scale, x_title, tip, points=many)
    if not many:
        data = data.sort("kpi_id").with_columns(
            ((pl.col("kpi_id").rank("ordinal").over("group") * 0.618034) % 1.0 - 0.5).alias("jitter"))
        layers.append(alt.Chart(_slim(data)).mark_circle(size=70, opacity=0.85, stroke="white", strokeWidth=0.6).encode(
            y=y, yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.9, 0.9])),
            x=alt.X("ambition_pct_shown:Q", scale=x_scale, title=x_title),
            color=alt.Color("city:N", scale=_city_scale(ctx), title=ctx.t("都市", "City")),
            tooltip=[
                alt.Tooltip("city:N", title=ctx.t("都市", "City")),
                alt.Tooltip("indicator_ja:N", title=ctx.t("指標", "Indicator")),
                alt.Tooltip("kpi_id:N", title="KPI"),
                alt.Tooltip("direction:N", title=ctx.t("望ましい方向", "Direction")),
                alt.Tooltip("baseline_label:N", title=ctx.t("当初年", "Baseline year")),
                alt.Tooltip("baseline_value:Q", title=ctx.t("当初値", "Baseline")),
                alt.Tooltip("target_label:N", title=ctx.t("目標年", "Target year")),
                alt.Tooltip("target_value:Q", title=ctx.t("目標値", "Target")),
                alt.Tooltip("unit:N", title=ctx.t("単位", "Unit")),
                alt.Tooltip("ambition_pct:Q", format=".2f", title=ctx.t("必要な変化率 (%/年)", "Required change (%/yr)")),
            ]))
    layers.append(_reference_rules(ctx, "progress", low, high, values=((0, "変化なし", "no change"),)))
    summary = ambition_summary(ctx, amb).filter(pl.col("n") > 0)
    if summary.is_empty():
        title = ctx.t("目標の意欲度を計算できるKPI行はない", "No KPI row has the values for target ambition")
    elif many_cities(ctx):
        title = ctx.t(f"{summary.height:,} 都市の必要な変化率: ", f"Required change in {summary.height:,} cities: ") + \
            small_n.centre_text(ctx, data["ambition_pct"].median(), data.height, unit_ja="%/年", unit_en="% per year")
    else:
        parts = [f"{r['city']} " + small_n.centre_text(ctx, r["median_pct"], r["n"], unit_ja="%/年", unit_en="% per year")
                 for r in summary.iter_rows(named=True)]
        title = ctx.t("目標までに必要な年あたり変化率: ", "Required change per year to reach the target: ") + ctx.t("、", "; ").join(parts)
    notes = [small_n.periods_note(ctx, data), _outside_note(ctx, outside, low, high), small_n.small_n_note(ctx, stats)]
    return alt.layer(*layers).properties(
        width=560, height=max(90, 46 * max(1, len(order))),
        title=alt.Title(title, subtitle=[n for n in notes if n]))


def ambition_goal_chart(ctx: Context, by_goal: pl.DataFrame) -> alt.Chart:
    """Median required change per year per SDG goal (SDG colours), one panel per city (pooled with many)."""
    data = by_goal
    if many_cities(ctx):
        data = data.group_by("sdg_goal", "goal_label").agg(
            pl.col("median_ambition_pct").median(), pl.col("n_kpis").sum(),
            pl.col("min_ambition_pct").min(), pl.col("max_ambition_pct").max(),
        ).with_columns(pl.lit(ctx.t(f"{len(ctx.cities):,} 都市", f"{len(ctx.cities):,} cities")).alias("city"))
    data = data.sort("sdg_goal")
    low, high, _ = display_range(data["median_ambition_pct"].to_list(), include=(0.0,), max_bins=10, method="fence")
    data = _clip(data, ["median_ambition_pct"], low, high).with_columns(
        pl.when((pl.col("median_ambition_pct") > high) | (pl.col("median_ambition_pct") < low))
        .then(pl.col("median_ambition_pct").round(1).cast(pl.String) + pl.lit(" ▶"))
        .otherwise(pl.lit("")).alias("clipped_text"))
    goal_labels = data["goal_label"].unique(maintain_order=True).to_list()
    goals = data["sdg_goal"].unique(maintain_order=True).to_list()
    colour = alt.Color("goal_label:N", scale=alt.Scale(domain=goal_labels, range=[charts.SDG_COLOURS[g] for g in goals]),
                       legend=None)
    data = data.with_columns(
        (pl.lit("n=") + pl.col("n_kpis").cast(pl.String)).alias("n_text"),
        pl.max_horizontal(pl.col("median_ambition_pct_shown"), pl.lit(0.0)).alias("n_text_x"),
    ).select("city", "sdg_goal", "goal_label", "n_kpis", "median_ambition_pct", "min_ambition_pct",
             "max_ambition_pct", "median_ambition_pct_shown", "clipped_text", "n_text", "n_text_x")
    y = alt.Y("goal_label:N", sort=goal_labels, title=None, axis=alt.Axis(labelLimit=300))
    x = alt.X("median_ambition_pct_shown:Q", scale=alt.Scale(domain=[low, high], nice=False),
              title=ctx.t("必要な変化率の中央値 (%/年)", "Median required change (% per year)"))
    bars = alt.Chart().mark_bar().encode(
        y=y, x=x, color=colour,
        tooltip=[
            alt.Tooltip("city:N", title=ctx.t("都市", "City")),
            alt.Tooltip("goal_label:N", title=ctx.t("ゴール", "Goal")),
            alt.Tooltip("n_kpis:Q", title=ctx.t("KPI行数", "KPI rows")),
            alt.Tooltip("median_ambition_pct:Q", format=".2f", title=ctx.t("中央値 (%/年)", "Median (%/yr)")),
            alt.Tooltip("min_ambition_pct:Q", format=".2f", title=ctx.t("最小", "Min")),
            alt.Tooltip("max_ambition_pct:Q", format=".2f", title=ctx.t("最大", "Max")),
        ],
    )
    clipped = alt.Chart().mark_text(align="right", dx=-4, fontSize=11, fontWeight="bold", color="white").encode(
        y=y, x=x, text="clipped_text:N")
    zero = alt.Chart().mark_rule(color="#333333", strokeWidth=1).encode(x=alt.datum(0))
    # n beside every bar: most goals rest on one or two KPI rows, and a bar of one value is no median.
    n_labels = alt.Chart().mark_text(align="left", dx=4, fontSize=10, color="#333333").encode(
        y=y, x=alt.X("n_text_x:Q", scale=alt.Scale(domain=[low, high], nice=False)), text="n_text:N")
    layered = alt.layer(bars, clipped, zero, n_labels, data=data).properties(width=300, height=max(60, 24 * len(goal_labels)))
    if data.is_empty():
        title = ctx.t("ゴール別の意欲度を計算できるKPI行はない", "No KPI row has the values for ambition by goal")
    else:
        top = data.sort(["median_ambition_pct", "sdg_goal"], descending=[True, False]).row(0, named=True)
        if many_cities(ctx):
            title = ctx.t(f"{len(ctx.cities):,} 都市で最も大きな変化を求めるゴールは {top['goal_label']}（都市別中央値の中央値 {top['median_ambition_pct']:.1f}%/年、KPI {top['n_kpis']} 行）",
                          f"Across {len(ctx.cities):,} cities the steepest required change is for {top['goal_label']} (median of city medians {top['median_ambition_pct']:.1f}% per year, {top['n_kpis']} KPI rows)")
        else:
            centre = small_n.centre_text(ctx, top["median_ambition_pct"], top["n_kpis"], unit_ja="%/年", unit_en="% per year")
            title = ctx.t(f"最も大きな変化を求めるのは {top['city']} の {top['goal_label']}（{centre}）",
                          f"The steepest required change: {top['city']}, {top['goal_label']} ({centre})")
    outside = data.filter((pl.col("median_ambition_pct") < low) | (pl.col("median_ambition_pct") > high)).height
    n_small = data.filter(pl.col("n_kpis") < small_n.MIN_BOX).height
    notes = [
        small_n.periods_note(ctx, ambition(ctx).filter(pl.col("ambition_pct").is_not_null())),
        ctx.t(f"棒はゴールごとのKPI行の中央値（n=KPI行数）。{n_small} 本は {small_n.MIN_BOX} 行未満で、1値そのもの（n=1）または2値の中間（n=2）",
              f"bars: median of the goal's KPI rows (n = rows); {n_small} bar(s) rest on fewer than {small_n.MIN_BOX} rows: "
              "the single value (n=1) or the midpoint of two (n=2)") if n_small else "",
        _outside_note(ctx, outside, low, high),
    ]
    return layered.facet(
        column=alt.Column("city:N", title=None, sort=ctx.city_order() if not many_cities(ctx) else None),
    ).properties(title=alt.Title(title, subtitle=[n for n in notes if n]))


DISCLOSURE_QUERY = """
select city_id,
       count(*) as n_rows,
       count(indicator_ja) as n_name,
       count(baseline_value) as n_baseline,
       count(target_value) as n_target,
       count(actual_value) as n_actual,
       list(distinct doc_id order by doc_id) as doc_ids
from kpis
where list_contains($cities, city_id) and ($include_repeats or not is_repeat)
group by city_id
order by city_id
"""


def disclosure(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """Per city (aggregated in DuckDB): KPI rows and the share with a name, a baseline value, a target
    value and an actual value (redacted and missing cells count as not disclosed)."""
    frame = ctx.con.sql(DISCLOSURE_QUERY, params={"cities": list(ctx.cities),
                                                  "include_repeats": bool(include_repeats)}).pl()
    base = pl.DataFrame({"city_id": list(ctx.cities)})
    frame = base.join(frame, on="city_id", how="left").with_columns(
        pl.col("n_rows", "n_name", "n_baseline", "n_target", "n_actual").fill_null(0).cast(pl.Int64))
    shares = [
        pl.when(pl.col("n_rows") > 0).then(pl.col(f"n_{f}") / pl.col("n_rows")).otherwise(None).alias(f"share_{f}")
        for f in DISCLOSURE_FIELDS
    ]
    return frame.with_columns(*shares).with_columns(
        pl.col("city_id").replace_strict({c: ctx.city(c) for c in ctx.cities}).alias("city"))


def disclosure_long(ctx: Context, disc: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for field, labels in DISCLOSURE_FIELDS.items():
        parts.append(disc.select(
            "city_id", "city", "n_rows",
            pl.lit(field).alias("field"), pl.lit(labels[ctx.lang]).alias("field_label"),
            pl.col(f"n_{field}").alias("n"), pl.col(f"share_{field}").alias("share"),
        ))
    return pl.concat(parts).with_columns(
        pl.concat_str([pl.col("n").cast(pl.String), pl.lit("/"), pl.col("n_rows").cast(pl.String)]).alias("n_text"))


def disclosure_chart(ctx: Context, disc: pl.DataFrame) -> alt.LayerChart:
    """Grouped bars: share of KPI rows disclosing each item, per city (boxes across cities with many)."""
    data = disclosure_long(ctx, disc).filter(pl.col("n_rows") > 0)
    fields = [v[ctx.lang] for v in DISCLOSURE_FIELDS.values()]
    x = alt.X("field_label:N", sort=fields, title=None)
    y_title = ctx.t("KPI行のうち記載がある割合", "Share of KPI rows disclosing it")
    if many_cities(ctx):
        stats = _box_stats(data, ["field_label"], "share")
        tip = [alt.Tooltip("field_label:N", title=ctx.t("項目", "Item")),
               alt.Tooltip("n:Q", title=ctx.t("都市数", "Cities")),
               alt.Tooltip("median:Q", format=".1%", title=ctx.t("中央値", "Median"))]
        b = alt.Chart(stats)
        chart = alt.layer(
            b.mark_rule(color="#555555").encode(x=x, y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format="%"),
                                                               scale=alt.Scale(domain=[0, 1])), y2="high:Q", tooltip=tip),
            b.mark_bar(size=30, color="#9ecae1", stroke="#555555").encode(x=x, y="q1:Q", y2="q3:Q", tooltip=tip),
            b.mark_tick(color="#222222", size=30, thickness=2.5).encode(x=x, y="median:Q", tooltip=tip),
        )
    else:
        enc = dict(
            x=x,
            xOffset=alt.XOffset("city:N", sort=ctx.city_order()),
            y=alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1.08])),
            tooltip=[
                alt.Tooltip("city:N", title=ctx.t("都市", "City")),
                alt.Tooltip("field_label:N", title=ctx.t("項目", "Item")),
                alt.Tooltip("n_text:N", title=ctx.t("記載のある行/全行", "Rows disclosing / all rows")),
                alt.Tooltip("share:Q", format=".1%", title=ctx.t("割合", "Share")),
            ],
        )
        bars = alt.Chart(data).mark_bar().encode(
            color=alt.Color("city:N", scale=_city_scale(ctx), title=ctx.t("都市", "City"),
                            legend=alt.Legend(orient="bottom")), **enc)
        labels = alt.Chart(data).mark_text(dy=-7, fontSize=10, color="#333333").encode(text="n_text:N", **enc)
        chart = alt.layer(bars, labels)
    full = disc.filter(pl.col("n_rows") > 0)
    best = full.sort(["share_actual", "city_id"], descending=[True, False])
    if full.is_empty():
        title = ctx.t("KPI行がない", "No KPI rows")
    elif many_cities(ctx):
        n_actual = full.filter(pl.col("share_actual") > 0).height
        title = ctx.t(f"実績値を記載しているのは {full.height:,} 都市のうち {n_actual:,} 都市",
                      f"{n_actual:,} of {full.height:,} cities disclose any actual value")
    else:
        with_actual = best.filter(pl.col("share_actual") > 0)["city"].to_list()
        without = best.filter(pl.col("share_actual") == 0)["city"].to_list()
        if not with_actual:
            title = ctx.t(f"どの都市も実績値を公表していない（{'、'.join(without)}）",
                          f"No city publishes an actual value ({', '.join(without)})")
        elif not without:
            title = ctx.t(f"すべての都市が実績値を公表（{'、'.join(with_actual)}）",
                          f"Every city publishes actual values ({', '.join(with_actual)})")
        else:
            title = ctx.t(f"実績値があるのは {'、'.join(with_actual)}; 実績値がないのは {'、'.join(without)}",
                          f"Actual values: {', '.join(with_actual)}; no actual values: {', '.join(without)}")
    if many_cities(ctx):
        subtitle = ctx.t("都市ごとの割合の分布（箱: 四分位、線: 最小〜最大）。再掲を除く",
                         "distribution of the cities' shares (box: quartiles, line: min to max); reprints excluded")
    else:
        subtitle = ctx.t("棒の上は 記載のある行/全KPI行（再掲を除く）", "labels: rows disclosing / all KPI rows (reprints excluded)")
    return chart.properties(width=480, height=280, title=alt.Title(title, subtitle=subtitle))


AMBITION_GOAL_SOURCES_QUERY = """
select distinct k.doc_id, k.section
from kpis k join kpi_ambition a using (kpi_id) join kpi_sdg_targets t using (kpi_id)
where list_contains($cities, k.city_id) and ($include_repeats or not k.is_repeat) and a.ambition_status = 'ok'
order by k.doc_id, k.section
"""


def ambition_goal_sources(ctx: Context, *, include_repeats: bool = False) -> pl.DataFrame:
    """doc_id/section pairs behind ambition_by_goal (kpis joined to kpi_sdg_targets), for ctx.source."""
    return ctx.con.sql(AMBITION_GOAL_SOURCES_QUERY, params={"cities": list(ctx.cities),
                                                            "include_repeats": bool(include_repeats)}).pl()


def source_rows(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The rows of frame with a value in column, or all rows when none has one (for ctx.source)."""
    if column in frame.columns:
        kept = frame.filter(pl.col(column).is_not_null())
        if not kept.is_empty():
            return kept
    return frame


# ---------------------------------------------------------------------------------------------
# Checked printed results (deterministic text)


def evaluated_lines(ctx: Context, evaluated: pl.DataFrame, rule: str) -> list[str]:
    """Per city (sorted by id): rows, rows with a value, rows with a status, median score (1 decimal)."""
    out = [f"rule: {rule}"]
    for r in city_summary(ctx, evaluated).sort("city_id").iter_rows(named=True):
        out.append(f"{r['city_id']}: {r['n_evaluated']} of {r['n_rows']} KPI rows evaluated, "
                   f"{r['n_status']} with a status, median {fmt_number(r['median_score'])}")
    return out


def qualification_lines(qual: pl.DataFrame) -> list[str]:
    return [f"{r['city_id']}: {r['reason_code']} {r['n']} (with status {r['n_with_status']})"
            for r in qual.sort("city_id", "reason_code").iter_rows(named=True)]


def status_lines(ctx: Context, evaluated: pl.DataFrame, rule: str) -> list[str]:
    """Counts per status band, per city (sorted) and in total, in the rule's band order."""
    codes = [*status_codes(rule), NOT_EVALUABLE]
    counts = evaluated.group_by("city_id", "status_code").len()
    lookup = {(c, s): int(n) for c, s, n in counts.iter_rows()}
    out = []
    for city in sorted(ctx.cities):
        out.append(f"{city}: " + ", ".join(f"{code} {lookup.get((city, code), 0)}" for code in codes))
    totals = evaluated.group_by("status_code").len()
    total = {s: int(n) for s, n in totals.iter_rows()}
    out.append("all: " + ", ".join(f"{code} {total.get(code, 0)}" for code in codes))
    return out


def published_lines(comparison: pl.DataFrame, texts: pl.DataFrame, rule: str) -> list[str]:
    c = published_counts(comparison)
    out = [f"rule: {rule}",
           f"published numeric rates: {c['published']}",
           f"comparable: {c['agrees'] + c['differs']}",
           f"agree within +/-{AGREEMENT_TOLERANCE:g} point: {c['agrees']}",
           f"differ: {c['differs']}",
           f"not comparable: {c['not_comparable']}"]
    for r in texts.sort("kpi_id").iter_rows(named=True):
        out.append(f"published as text {r['kpi_id']}: {r['published_achievement_text']} -> {r['status'] or 'no status'}")
    return out


def flip_lines(ctx: Context, matrix: pl.DataFrame, max_listed: int = 2 * TOP_N) -> list[str]:
    out = []
    for r in flip_counts(ctx, matrix).sort("city_id").iter_rows(named=True):
        out.append(f"{r['city_id']}: {r['n_rows']} KPI rows, {r['n_comparable']} with a status under 2+ rules, "
                   f"{r['n_flips']} flip")
    summary = flip_summary(matrix)
    flipping = summary.filter(pl.col("flips")).sort("kpi_id")
    out.append(f"all: {flipping.height} KPI rows flip")
    for r in flipping.head(max_listed).iter_rows(named=True):
        out.append("  " + r["kpi_id"] + ": " + " | ".join(f"{rule}={r[rule] or '-'}" for rule in RULE_NAMES))
    if flipping.height > max_listed:
        out.append(f"  ... and {flipping.height - max_listed} more")
    return out


def ambition_lines(ctx: Context, amb: pl.DataFrame) -> list[str]:
    out = []
    reasons = amb.group_by("city_id", "ambition_status").len()
    lookup = {(c, s): int(n) for c, s, n in reasons.iter_rows()}
    for r in ambition_summary(ctx, amb).sort("city_id").iter_rows(named=True):
        excluded = ", ".join(f"{s} {lookup[(r['city_id'], s)]}" for s in AMBITION_REASONS
                             if s != "ok" and (r["city_id"], s) in lookup)
        out.append(f"{r['city_id']}: {r['n']} KPI rows, median {fmt_number(r['median_pct'], 2)} % per year"
                   + (f" (excluded: {excluded})" if excluded else ""))
    return out


def disclosure_lines(disc: pl.DataFrame) -> list[str]:
    out = []
    for r in disc.sort("city_id").iter_rows(named=True):
        shares = ", ".join(f"{f} {fmt_number(r[f'share_{f}'], 3)}" for f in DISCLOSURE_FIELDS)
        out.append(f"{r['city_id']}: {r['n_rows']} KPI rows; {shares}")
    return out


# ---------------------------------------------------------------------------------------------
# Narrative (both languages; the notebook shows the one in ctx.lang). Every number is computed.


def _join_names(ctx: Context, names: Sequence[str], limit: int = TOP_N) -> dict[str, str]:
    shown = list(names)[:limit]
    more = len(names) - len(shown)
    return {
        "ja": "、".join(shown) + (f" ほか {more:,} 都市" if more else ""),
        "en": ", ".join(shown) + (f" and {more:,} more" if more else ""),
    }


def intro_text(ctx: Context, rows: pl.DataFrame, all_rows: pl.DataFrame, rule: str) -> dict[str, str]:
    """What the notebook compares: cities, KPI rows (reprints left out) and the rule."""
    n_cities, n_rows = len(ctx.cities), rows.height
    n_repeat = all_rows.height - rows.height
    rule_ja, rule_en = RULE_TITLES[rule]["ja"], RULE_TITLES[rule]["en"]
    formula_ja, formula_en = SCORE_TITLES[rule]["ja"], SCORE_TITLES[rule]["en"]
    growth_ja = "成長率ルールの値は比（0.83 など）なので、ここでは×100 して表示します（100 = 必要な伸び率どおり）。" \
        if rule in GROWTH_RULES else ""
    growth_en = "Growth-rate rules give a ratio (e.g. 0.83), shown here × 100 (100 = on the required pace). " \
        if rule in GROWTH_RULES else ""
    return {
        "ja": (f"{n_cities:,} 都市の KPI {n_rows:,} 行を比較します（再掲として重ねて印刷された {n_repeat:,} 行は、"
               f"同じ KPI を二重に数えないよう除きました）。ルールは「{rule_ja}」: {formula_ja}。{growth_ja}"),
        "en": (f"This compares {n_rows:,} KPI rows of {n_cities:,} cities ({n_repeat:,} rows printed again as 再掲 "
               f"are left out so that no KPI counts twice). Rule: {rule_en}: {formula_en}. {growth_en}"),
    }


def qualification_text(ctx: Context, qual: pl.DataFrame, evaluated: pl.DataFrame) -> dict[str, str]:
    """How many KPI rows per city have a value under the rule, and why the others do not."""
    summary = city_summary(ctx, evaluated)
    if many_cities(ctx):
        with_values = summary.filter(pl.col("n_evaluated") > 0).height
        pooled = qual.filter(pl.col("reason_code") != "evaluated").group_by("reason_code").agg(pl.col("n").sum())
        pooled = pooled.sort("n", "reason_code", descending=[True, False])
        reasons_ja = "、".join(f"{REASONS[c]['ja']} {n:,} 行" for c, n in pooled.iter_rows())
        reasons_en = "; ".join(f"{REASONS[c]['en']} {n:,} rows" for c, n in pooled.iter_rows())
        n_eval, n_rows = int(summary["n_evaluated"].sum()), int(summary["n_rows"].sum())
        return {
            "ja": f"{len(ctx.cities):,} 都市のうち {with_values:,} 都市で値を算出できました（{n_rows:,} 行中 {n_eval:,} 行）。"
                  f"算出できない理由: {reasons_ja or 'なし'}。",
            "en": f"{with_values:,} of {len(ctx.cities):,} cities have KPI rows with a value ({n_eval:,} of {n_rows:,} rows). "
                  f"Why the others have none: {reasons_en or 'none'}.",
        }
    parts_ja, parts_en = [], []
    for r in summary.iter_rows(named=True):
        others = qual.filter((pl.col("city_id") == r["city_id"]) & (pl.col("reason_code") != "evaluated"))
        why_ja = "、".join(f"{REASONS[c]['ja']} {n} 行" + (f"（うち状態の判定あり {s} 行）" if s else "")
                           for c, n, s in others.select("reason_code", "n", "n_with_status").iter_rows())
        why_en = "; ".join(f"{REASONS[c]['en']}: {n}" + (f" (of which {s} with a status)" if s else "")
                           for c, n, s in others.select("reason_code", "n", "n_with_status").iter_rows())
        parts_ja.append(f"**{r['city']}**: {r['n_rows']} 行中 {r['n_evaluated']} 行で算出" + (f"。残りは {why_ja}" if why_ja else ""))
        parts_en.append(f"**{r['city']}**: {r['n_evaluated']} of {r['n_rows']} rows evaluated" + (f"; the others: {why_en}" if why_en else ""))
    return {"ja": "。\n".join(f"- {p}" for p in parts_ja) + "。", "en": ".\n".join(f"- {p}" for p in parts_en) + "."}


def status_text(ctx: Context, evaluated: pl.DataFrame, rule: str) -> dict[str, str]:
    """Counts per status band, per city (pooled with many cities)."""
    codes = [*status_codes(rule), NOT_EVALUABLE]
    def band_list(frame: pl.DataFrame, lang: str) -> str:
        counts = {s: int(n) for s, n in frame.group_by("status_code").len().iter_rows()}
        sep = "、" if lang == "ja" else "; "
        label = (lambda c: (NOT_EVALUABLE_LABEL if c == NOT_EVALUABLE else STATUS_LABELS[rule][c])[lang])
        return sep.join(f"{label(c)} {counts[c]:,}" for c in codes if counts.get(c))
    if many_cities(ctx) or evaluated.is_empty():
        return {"ja": f"全 {len(ctx.cities):,} 都市の合計: {band_list(evaluated, 'ja')}。",
                "en": f"All {len(ctx.cities):,} cities together: {band_list(evaluated, 'en')}."}
    parts_ja, parts_en = [], []
    for city in ctx.cities:
        frame = evaluated.filter(pl.col("city_id") == city)
        parts_ja.append(f"- **{ctx.city(city)}**: {band_list(frame, 'ja') or 'KPI行なし'}")
        parts_en.append(f"- **{ctx.city(city)}**: {band_list(frame, 'en') or 'no KPI rows'}")
    return {"ja": "\n".join(parts_ja), "en": "\n".join(parts_en)}


def published_text(ctx: Context, comparison: pl.DataFrame, texts: pl.DataFrame, rule: str) -> dict[str, str]:
    """How many published 達成度 numbers the rule reproduces, which differ, and the ones printed as words."""
    c = published_counts(comparison)
    rule_ja, rule_en = RULE_TITLES[rule]["ja"], RULE_TITLES[rule]["en"]
    if c["published"] == 0:
        return {"ja": "対象の都市には数値で公表された達成度がありません。",
                "en": "None of these cities publishes a numeric achievement rate."}
    cities_with = comparison["city"].unique().sort().to_list()
    names = _join_names(ctx, cities_with)
    differ = comparison.filter(pl.col("agreement") == "differs").sort("kpi_id")
    shown = differ.head(TOP_N)
    diff_ja = "、".join(f"{r['indicator_ja']}（公表 {r['published_pct']:g}、再計算 {r['score']:.1f}）"
                        for r in shown.iter_rows(named=True))
    diff_en = "; ".join(f"{r['indicator_ja']} (published {r['published_pct']:g}, recomputed {r['score']:.1f})"
                        for r in shown.iter_rows(named=True))
    more = differ.height - shown.height
    n_text = texts.height
    ja = (f"数値の達成度を公表しているのは {names['ja']}（{c['published']:,} 行）。このうち {c['agrees']:,} 行が"
          f"「{rule_ja}」の再計算値と±{AGREEMENT_TOLERANCE:g}ポイント以内で一致し、{c['differs']:,} 行が一致しません"
          + (f"、{c['not_comparable']:,} 行はこのルールでは値が出ないため比較できません" if c["not_comparable"] else "") + "。")
    verb = "publishes" if len(cities_with) == 1 else "publish"
    en = (f"{names['en']} {verb} a numeric achievement rate for {c['published']:,} rows; {c['agrees']:,} agree with the "
          f"recomputed {rule_en} within ±{AGREEMENT_TOLERANCE:g} point and {c['differs']:,} differ"
          + (f"; {c['not_comparable']:,} cannot be compared because the rule gives no value" if c["not_comparable"] else "") + ".")
    if diff_ja:
        ja += f" 一致しない行: {diff_ja}" + (f" ほか {more:,} 行" if more else "") + "。"
        en += f" Differing rows: {diff_en}" + (f" and {more:,} more" if more else "") + "."
    if n_text:
        top = status_codes(rule)[0]
        words = texts.group_by("published_achievement_text").agg(
            pl.len().alias("n"), (pl.col("status") == top).fill_null(False).sum().alias("n_top"),
        ).sort("published_achievement_text")
        ja += (f" ほかに {n_text:,} 行は達成度を文字で公表しています: "
               + "、".join(f"「{w}」{n:,} 行（このルールで「{STATUS_LABELS[rule][top]['ja']}」{t:,} 行）"
                          for w, n, t in words.iter_rows()) + "。")
        en += (f" Another {n_text:,} rows publish the rate as a word: "
               + "; ".join(f"「{w}」 {n:,} (the rule says '{STATUS_LABELS[rule][top]['en']}' for {t:,})"
                          for w, n, t in words.iter_rows()) + ".")
    return {"ja": ja, "en": en}


def flip_text(ctx: Context, matrix: pl.DataFrame) -> dict[str, str]:
    """How many KPI rows change status tier between the four rules, and which."""
    summary = flip_summary(matrix)
    assessable = summary.filter(pl.col("n_rules_with_status") >= 2)
    flips = summary.filter(pl.col("flips")).sort("kpi_id")
    shown = flips.head(TOP_N)
    more = flips.height - shown.height
    names_ja = "、".join(f"{r['indicator_ja']}（{r['kpi_id'].split(':', 1)[-1]}）" for r in shown.iter_rows(named=True))
    names_en = "; ".join(f"{r['indicator_ja']} ({r['kpi_id'].split(':', 1)[-1]})" for r in shown.iter_rows(named=True))
    tiers_ja = ("区分はルールごとの状態を次のようにそろえたものです: 達成 = 目標達成; 前進 = 順調・一部進捗・当初値より改善・"
                "大きな/一定の進捗; 横ばい・限定的 = 横ばい・限定的な進捗; 後退・悪化 = 後退・悪化。")
    tiers_en = ("The tiers align the rules' own statuses: target met = achieved; progressing = on track, partial, better "
                "than baseline, substantial or fair progress; stalled or limited = no change, limited progress; worse = "
                "regress, deterioration.")
    if assessable.is_empty():
        return {"ja": f"選んだ都市の {summary.height:,} 行には、2 つ以上のルールで状態を判定できる行がないため、ルール間の比較はできません。",
                "en": f"None of the {summary.height:,} KPI rows of these cities gets a status under two or more rules, so the rules cannot be compared here."}
    ja = (f"4 つのルールのうち 2 つ以上で状態を判定できる KPI 行は {assessable.height:,} 行。そのうち {flips.height:,} 行は"
          "ルールによって共通区分（達成・前進・横ばい/限定的・後退/悪化）が変わります")
    en = (f"{assessable.height:,} KPI rows get a status under at least two of the four rules; {flips.height:,} of them "
          "change common tier (target met / progressing / stalled or limited / worse) with the rule")
    if flips.height:
        ja += f": {names_ja}" + (f" ほか {more:,} 行" if more else "")
        en += f": {names_en}" + (f" and {more:,} more" if more else "")
    return {"ja": ja + "。" + tiers_ja, "en": en + ". " + tiers_en}


def availability_text(ctx: Context, avail: pl.DataFrame) -> dict[str, str]:
    """Say plainly which cities publish no actual values, with computed counts."""
    none = avail.filter((pl.col("n_actual") == 0) & (pl.col("n_rows") > 0))
    if none.is_empty():
        return {"ja": "すべての都市に実績値のある KPI 行があります。", "en": "Every city has KPI rows with actual values."}
    if many_cities(ctx):
        red = int(none["n_redacted"].sum())
        return {
            "ja": f"{len(ctx.cities):,} 都市のうち {none.height:,} 都市は実績値を 1 つも公表していません（これらの都市の KPI {int(none['n_rows'].sum()):,} 行のうち黒塗り {red:,} 行）。達成度は出せないため、目標の意欲度と開示の完全性で比べます。",
            "en": f"{none.height:,} of {len(ctx.cities):,} cities publish no actual value at all ({int(none['n_rows'].sum()):,} KPI rows, {red:,} of them redacted). No achievement can be computed for them, so they are compared by the ambition of their targets and the completeness of their disclosure.",
        }
    parts_ja, parts_en = [], []
    for r in none.iter_rows(named=True):
        if r["n_redacted"] == r["n_rows"]:
            parts_ja.append(f"**{r['city']}** は KPI {r['n_rows']} 行すべてが黒塗りで、指標名も値も読めません（実績値 0 行）。")
            parts_en.append(f"**{r['city']}**: all {r['n_rows']} KPI rows are redacted, names and values alike (0 actual values).")
        else:
            extra_ja = f"、{r['n_text_only']} 行は数値がなく文字（未構築など）のみ" if r["n_text_only"] else ""
            extra_en = f"; {r['n_text_only']} rows are printed as words only (e.g. 未構築)" if r["n_text_only"] else ""
            red_ja = f"、黒塗り {r['n_redacted']} 行" if r["n_redacted"] else ""
            red_en = f"; {r['n_redacted']} redacted" if r["n_redacted"] else ""
            parts_ja.append(f"**{r['city']}** は KPI {r['n_rows']} 行のうち実績値のある行が 0 行です"
                            f"（当初値と目標値の両方がある行 {r['n_baseline_target']} 行{extra_ja}{red_ja}）。")
            parts_en.append(f"**{r['city']}** has 0 actual values in {r['n_rows']} KPI rows "
                            f"({r['n_baseline_target']} rows have both a baseline and a target{extra_en}{red_en}).")
    tail_ja = "これらの都市の達成度は計算できないので、比べられるもの、すなわち目標の意欲度（当初値から目標値までに必要な年あたりの変化率）と開示の完全性を比べます。"
    tail_en = "Their achievement cannot be computed, so what can be compared is compared: the ambition of their targets (the change per year needed from baseline to target) and how complete their disclosure is."
    return {"ja": " ".join(parts_ja) + " " + tail_ja, "en": " ".join(parts_en) + " " + tail_en}


def ambition_text(ctx: Context, amb: pl.DataFrame) -> dict[str, str]:
    """Median required change per year per city, and why rows are left out."""
    summary = ambition_summary(ctx, amb)
    excluded = amb.filter(pl.col("ambition_pct").is_null()).group_by("ambition_status").len().sort("ambition_status")
    ex_ja = "、".join(f"{AMBITION_REASONS[s]['ja']} {n:,} 行" for s, n in excluded.iter_rows())
    ex_en = "; ".join(f"{AMBITION_REASONS[s]['en']}: {n:,}" for s, n in excluded.iter_rows())
    formula_ja = "必要な変化率 = (目標値 − 当初値) / |当初値| / (目標年 − 当初年) × 100（%/年、減少目標は符号を反転し、目標の方向への変化を正とする）"
    formula_en = "required change = (target − baseline) / |baseline| / (target year − baseline year) × 100 (% per year; sign flipped for decrease KPIs so that change towards the target is positive)"
    if many_cities(ctx):
        with_values = summary.filter(pl.col("n") > 0)
        med = amb["ambition_pct"].median()
        ja = f"{formula_ja}。{with_values.height:,} 都市の {int(with_values['n'].sum()):,} 行で計算でき、中央値は {fmt_number(med)}%/年。"
        en = f"{formula_en}. Computed for {int(with_values['n'].sum()):,} rows in {with_values.height:,} cities; median {fmt_number(med)}% per year."
    else:
        per_ja = "、".join(f"{r['city']} {fmt_number(r['median_pct'])}%/年（{r['n']} 行）" if r["n"] else f"{r['city']} 計算できる行なし"
                          for r in summary.iter_rows(named=True))
        per_en = "; ".join(f"{r['city']} {fmt_number(r['median_pct'])}% per year ({r['n']} rows)" if r["n"] else f"{r['city']} no row"
                          for r in summary.iter_rows(named=True))
        ja = f"{formula_ja}。中央値: {per_ja}。"
        en = f"{formula_en}. Medians: {per_en}."
    if ex_ja:
        ja += f" 計算できない行: {ex_ja}。"
        en += f" Rows left out: {ex_en}."
    against = amb.filter(pl.col("ambition_pct") < 0)
    if not against.is_empty():
        ja += f" 負の値の {against.height:,} 行は、目標値が望ましい方向と逆側にある（上限目標など）行です。"
        en += f" The {against.height:,} negative rows have a target on the far side of the desired direction (e.g. a cap)."
    # Both languages from the one Context: periods_note speaks ctx.lang, so the other text keeps its own.
    warning = small_n.periods_note(ctx, amb.filter(pl.col("ambition_pct").is_not_null()))
    if warning:
        ja, en = (ja + " " + warning, en) if ctx.lang == "ja" else (ja, en + " " + warning)
    return {"ja": ja, "en": en}


def disclosure_text(ctx: Context, disc: pl.DataFrame) -> dict[str, str]:
    """Disclosure shares per city in words (pooled with many cities)."""
    if many_cities(ctx):
        full = disc.filter(pl.col("n_rows") > 0)
        means = {f: full[f"share_{f}"].mean() for f in DISCLOSURE_FIELDS}
        ja = "、".join(f"{DISCLOSURE_FIELDS[f]['ja']} {nb_pct(means[f])}" for f in DISCLOSURE_FIELDS)
        en = "; ".join(f"{DISCLOSURE_FIELDS[f]['en'].lower()} {nb_pct(means[f])}" for f in DISCLOSURE_FIELDS)
        return {"ja": f"{full.height:,} 都市の平均の開示率: {ja}。", "en": f"Mean share disclosed over {full.height:,} cities: {en}."}
    lines_ja, lines_en = [], []
    for r in disc.iter_rows(named=True):
        if r["n_rows"] == 0:
            lines_ja.append(f"- **{r['city']}**: KPI 行なし")
            lines_en.append(f"- **{r['city']}**: no KPI rows")
            continue
        lines_ja.append(f"- **{r['city']}**（{r['n_rows']} 行）: " + "、".join(
            f"{DISCLOSURE_FIELDS[f]['ja']} {r[f'n_{f}']} 行（{nb_pct(r[f'share_{f}'])}）" for f in DISCLOSURE_FIELDS))
        lines_en.append(f"- **{r['city']}** ({r['n_rows']} rows): " + "; ".join(
            f"{DISCLOSURE_FIELDS[f]['en'].lower()} {r[f'n_{f}']} ({nb_pct(r[f'share_{f}'])})" for f in DISCLOSURE_FIELDS))
    return {"ja": "\n".join(lines_ja), "en": "\n".join(lines_en)}


def nb_pct(value: float | None) -> str:
    """A share as a percentage with one decimal ('n/a' for None)."""
    return "n/a" if value is None else f"{value * 100:.1f}%"
