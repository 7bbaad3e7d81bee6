"""Data quality: the audit of published achievement rates (達成度) and the data-quality findings.

Both come from views the build computes (``achievement_audit`` and ``data_quality_findings``;
see :mod:`sdgcities.build.models.quality`); this module only reads, counts and draws them.

* The audit: every KPI row is classified by which rule reproduces its published 達成度 within ±1
  point — the Cabinet Office gap rule (``progress``), the plain actual / target ratio (``ratio``),
  both, neither, a word only (``status_only``) or nothing published (``not_published``).
* The findings: one row per inconsistency, with a code, a plain-English explanation and the
  verbatim quotes that show it.

Rows marked 再掲 (``is_repeat``: a reprint of another KPI row) are left out of every count, as in the
achievement section, so that the comparison report counts a published rate once; their number is
stated separately (``repeat_counts``).

Every query is bound to the checked city list and counts in DuckDB, so the cost stays linear in
the number of cities; charts fold the cities beyond the first few into one "other cities" row.
Labels come in the notebook's language (``ctx.lang``); the explanations stored in the views are
English sentences and are shown as they are.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from sdgcities.build.models import audit, progress
from sdgcities.present import charts
from sdgcities.present.notebook import Context
from sdgcities.build.models.quality import FINDING_CODES

MANY_CITIES = 12  # above this many cities, charts show the top cities and fold the others
QUOTE_CHARS = 120  # quotes are shortened to this many characters in tables (full text on demand)
MAX_FINDING_ROWS = 40  # findings listed per code; the rest are counted
REDACTION_LIST_MAX = 10  # redaction findings above this many are summarised instead of listed
REDACTION_EXAMPLES = 3  # example rows shown under a redaction summary
TOLERANCE = 1.0  # points: the build's matching tolerance (audit.agreement's default), drawn as the band
NOWRAP_CHARS = 24  # table cells up to this long do not wrap (city names, ids)
MAX_SCATTER_ROWS = 400  # published rates drawn in the scatter (two points each); above it a fixed sample
MAX_POINT_LABELS = 10  # 'neither' points labelled with their table:row up to this many

CLASSIFICATIONS: tuple[str, ...] = audit.CLASSIFICATIONS
RATE_CLASSES = ("progress", "ratio", "both", "neither")  # the rows that publish a number
REPRODUCED = ("progress", "ratio", "both")
COMPARED_RULES = ("progress", "ratio")  # the rules the audit compares the published figure with

CLASSIFICATION_NAMES: dict[str, dict[str, str]] = {
    "progress": {"ja": "進捗率ルールで再現", "en": "Progress rule reproduces it"},
    "ratio": {"ja": "実績/目標比で再現", "en": "Ratio rule reproduces it"},
    "both": {"ja": "両ルールで再現", "en": "Both rules reproduce it"},
    "neither": {"ja": "どちらでも再現できない", "en": "Neither rule reproduces it"},
    "status_only": {"ja": "語のみ（「達成」など）", "en": "A word only (e.g. 達成)"},
    "not_published": {"ja": "達成度の記載なし", "en": "No rate published"},
}

CLASSIFICATION_EXPLANATIONS: dict[str, dict[str, str]] = {
    "progress": {
        "ja": "公表値が進捗率ルール（当初値から目標値までの差のうち縮めた割合）と±1ポイント以内で一致し、実績/目標比とは一致しない。",
        "en": "The published figure is within ±1 point of the progress rule (the share of the baseline-to-target gap closed) and not of the ratio rule.",
    },
    "ratio": {
        "ja": "公表値が実績/目標比と±1ポイント以内で一致し、進捗率ルールとは一致しない。",
        "en": "The published figure is within ±1 point of the ratio rule (actual / target) and not of the progress rule.",
    },
    "both": {
        "ja": "公表値が両方のルールと一致する（当初値が0のときなど、2つのルールが同じ値になる場合）。",
        "en": "The published figure matches both rules (they give the same value, e.g. when the baseline is 0).",
    },
    "neither": {
        "ja": "数値が公表されているが、どちらのルールでも±1ポイント以内に再現できない。ビルドは他年度の実績・別の目標値・丸めなどで再現を試み、見つかった計算を説明に記す。",
        "en": "A number is published but neither rule gives it within ±1 point. The build tries other years' actuals, other printed targets, rounding and scale, and the explanation names the calculation that fits.",
    },
    "status_only": {
        "ja": "数値ではなく「達成」などの語だけが記載されている。",
        "en": "A word such as 達成 (achieved) is printed instead of a number.",
    },
    "not_published": {
        "ja": "達成度が記載されていない（空欄または「－」）。",
        "en": "No achievement rate is printed (blank or a dash).",
    },
}

# Okabe-Ito colours; grey for rows without a published rate.
CLASSIFICATION_COLOURS: dict[str, str] = {
    "progress": "#0072B2",
    "ratio": "#E69F00",
    "both": "#009E73",
    "neither": "#D55E00",
    "status_only": "#CC79A7",
    "not_published": "#BBBBBB",
}

RULE_NAMES: dict[str, dict[str, str]] = {
    "progress": {"ja": "進捗率（内閣府の達成度）", "en": "Progress (gap closed)"},
    "ratio": {"ja": "実績/目標比", "en": "Ratio (actual / target)"},
    "open_sdg": {"ja": "Open SDG 成長率比", "en": "Open SDG growth ratio"},
    "un_cr": {"ja": "国連 CR（成長率比）", "en": "UN CR (growth ratio)"},
}

# One line per rule (the formulas of progress.py's rule docstrings).
RULE_FORMULAS: dict[str, dict[str, str]] = {
    "progress": {
        "ja": "(実績値 − 当初値) ÷ (目標値 − 当初値) × 100。当初値から目標値までの差のうち縮めた割合で、内閣府の進捗評価シートの達成度の算式。",
        "en": "gap closed so far, (actual - baseline) / (target - baseline) x 100, the rule of the Cabinet Office progress evaluation sheets (進捗評価シート).",
    },
    "ratio": {
        "ja": "実績値 ÷ 目標値 × 100（減少が望ましい指標は 目標値 ÷ 実績値 × 100）。",
        "en": "actual / target x 100 (target / actual x 100 for a decrease KPI).",
    },
    "open_sdg": {
        "ja": "Open SDG の進捗指標: 実績の年平均伸び率 ÷ 必要な年平均伸び率（カナダ統計局の閾値）。",
        "en": "the Open SDG platform's progress measure: observed over required compound annual growth rate, with Statistics Canada's thresholds.",
    },
    "un_cr": {
        "ja": "国連SDG進捗チャートの CR = 実績の年平均伸び率 ÷ 必要な年平均伸び率（国連統計部の閾値）。",
        "en": "the UN SDG Progress Chart's CR = CAGR_actual / CAGR_required, with the UN Statistics Division's thresholds.",
    },
}

FINDING_ORDER: tuple[str, ...] = tuple(FINDING_CODES)
REDACTION_CODES = ("value_redacted", "stakeholder_redacted")

FINDING_NAMES: dict[str, dict[str, str]] = {
    "published_rate_unreproduced": {"ja": "公表達成度を再現できない", "en": "Published rate not reproduced"},
    "target_wrong_side_of_baseline": {"ja": "目標値が当初値の逆側", "en": "Target on the wrong side of the baseline"},
    "indicator_baseline_differs": {"ja": "同じ指標で当初値が異なる", "en": "Same indicator, different baselines"},
    "indicator_target_differs": {"ja": "同じ指標で目標値が異なる", "en": "Same indicator, different targets"},
    "indicator_target_year_differs": {"ja": "同じ指標で目標年度が異なる", "en": "Same indicator, different target years"},
    "partner_date_differs": {"ja": "同じ連携先で日付が異なる", "en": "Same partner, different dates"},
    "partner_theme_differs": {"ja": "同じ連携先でテーマが異なる", "en": "Same partner, different themes"},
    "partner_event_differs": {"ja": "同じ連携先で出来事の種類が異なる", "en": "Same partner, different kinds of event"},
    "value_redacted": {"ja": "KPIの黒塗り", "en": "Redacted KPI"},
    "stakeholder_redacted": {"ja": "連携先名の黒塗り", "en": "Redacted stakeholder"},
    "year_label_differs_from_column": {"ja": "セルの年度と列見出しの不一致", "en": "Cell year differs from column header"},
}

FINDING_DESCRIPTIONS_JA: dict[str, str] = {
    "published_rate_unreproduced": "公表された達成度（%）が、進捗率ルールでも実績/目標比でも±1ポイント以内に再現できないもの。",
    "target_wrong_side_of_baseline": "指標の望ましい方向に対して、目標値が当初値の逆側にあるもの（例: 累計件数の目標が現状値を下回る、削減目標が当初値を上回る）。",
    "indicator_baseline_differs": "同じ指標が複数の表で異なる当初値（値または年度）で記載されているもの。",
    "indicator_target_differs": "同じ指標が複数の表で異なる目標値で記載されているもの。",
    "indicator_target_year_differs": "同じ指標が複数の表で異なる目標年度で記載されているもの。",
    "partner_date_differs": "同じ連携先・協定が、文書によって異なる日付で記載されているもの。",
    "partner_theme_differs": "同じ連携先・協定が、文書によって異なるテーマ（正規化したテーマ区分）で記載されているもの。",
    "partner_event_differs": "同じ連携先・同じ日付の記載が、文書によって異なる種類の出来事（協定と宣言など）として記載されているもの。",
    "value_redacted": "公表文書で指標名または数値が黒塗りのKPI（データベースではNULLとして保持し、0とはしない）。",
    "stakeholder_redacted": "公表文書で名称が黒塗りの連携先。",
    "year_label_differs_from_column": "セル自体の年度表記が列見出しの年度と食い違うもの（セルの表記を採用）。",
}


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


def classification_name(ctx: Context, rule: str) -> str:
    return CLASSIFICATION_NAMES.get(rule, {"ja": rule, "en": rule})[ctx.lang]


def finding_name(ctx: Context, code: str) -> str:
    return FINDING_NAMES.get(code, {"ja": code, "en": code})[ctx.lang]


def finding_description(ctx: Context, code: str, english: str | None = None) -> str:
    """The code's description: Japanese from this module, English from the view (or quality.py)."""
    if ctx.lang == "ja" and code in FINDING_DESCRIPTIONS_JA:
        return FINDING_DESCRIPTIONS_JA[code]
    return english or FINDING_CODES.get(code, code)


def status_name(ctx: Context, rule: str, status: str | None) -> str | None:
    if status is None:
        return None
    return ctx.label(f"rules.status.{rule}", status)


def _code_rank(code: str) -> int:
    return FINDING_ORDER.index(code) if code in FINDING_ORDER else len(FINDING_ORDER)


def _ordered_codes(codes: Sequence[str]) -> list[str]:
    return sorted(set(codes), key=lambda c: (_code_rank(c), c))


def fmt_number(value: float | None, decimals: int = 1) -> str:
    """A number for narrative text; None -> 'NULL' (never 0)."""
    if value is None:
        return "NULL"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"


# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------

def rule_formulas() -> dict[str, str]:
    """One line per rule, in English."""
    return {rule: RULE_FORMULAS[rule]["en"] for rule in progress.RULE_NAMES}


def rule_table(ctx: Context) -> pl.DataFrame:
    """The four rules: name, formula (one line) and whether the audit compares published rates with it."""
    rows = []
    for rule in progress.RULE_NAMES:
        compared = rule in COMPARED_RULES
        rows.append({
            ctx.t("ルール", "rule"): rule,
            ctx.t("名称", "name"): RULE_NAMES[rule][ctx.lang],
            ctx.t("算式", "formula"): RULE_FORMULAS[rule][ctx.lang],
            ctx.t("公表値との照合", "compared with the published rate"): ctx.t("する", "yes") if compared else ctx.t("しない（成長率の比で%ではない）", "no (a growth-rate ratio, not a percentage)"),
        })
    return pl.DataFrame(rows)


def classification_explanations(ctx: Context) -> pl.DataFrame:
    """Each classification with its label and a plain explanation."""
    return pl.DataFrame([
        {
            ctx.t("分類", "classification"): rule,
            ctx.t("名称", "name"): classification_name(ctx, rule),
            ctx.t("意味", "meaning"): CLASSIFICATION_EXPLANATIONS[rule][ctx.lang],
        }
        for rule in CLASSIFICATIONS
    ])


# ---------------------------------------------------------------------------------------------
# The audit
# ---------------------------------------------------------------------------------------------


def audit_sources(ctx: Context) -> pl.DataFrame:
    """(doc_id, section) of every KPI row the audit covers, for ctx.source()."""
    return ctx.con.sql(
        """
        select distinct doc_id, section from kpis
        where list_contains($cities, city_id)
        order by doc_id, section
        """,
        params={"cities": ctx.cities},
    ).pl()


def classification_counts(ctx: Context) -> pl.DataFrame:
    """KPI rows per city and classification, 再掲 reprints left out (long; only the combinations that occur)."""
    frame = ctx.con.sql(
        """
        select city_id, rule, count(*)::bigint as n
        from achievement_audit
        where list_contains($cities, city_id) and not is_repeat
        group by city_id, rule
        order by city_id, rule
        """,
        params={"cities": ctx.cities},
    ).pl()
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"),
        pl.col("rule").replace_strict({r: classification_name(ctx, r) for r in frame["rule"].unique().to_list()}, default=pl.col("rule")).alias("rule_label"),
    )


def classification_totals(counts: pl.DataFrame) -> dict[str, int]:
    """Rows per classification over all cities, every classification present (0 when none)."""
    totals = {rule: 0 for rule in CLASSIFICATIONS}
    for rule, n in counts.group_by("rule").agg(pl.col("n").sum()).iter_rows():
        totals[rule] = int(n)
    return totals


def repeat_counts(ctx: Context) -> dict[str, int]:
    """The 再掲 reprints left out of the counts: KPI rows, and those printing a rate as a number."""
    rows, rates = ctx.con.sql(
        """
        select coalesce(sum(repeat_rows), 0)::bigint,
               (select count(*) from published_rate_checks
                where rule = 'progress' and is_repeat and list_contains($cities, city_id))::bigint
        from city_kpi_summary where list_contains($cities, city_id)
        """,
        params={"cities": ctx.cities},
    ).fetchall()[0]
    return {"kpi_rows": int(rows), "rates": int(rates)}


def city_disclosure(ctx: Context) -> pl.DataFrame:
    """Per city with KPI rows (model city_kpi_summary, reprints left out): KPI rows, rows with a published
    rate, a word or nothing, redacted rows, rows with an actual."""
    return ctx.con.sql(
        """
        select city_id, kpi_rows, published_rates as rates, reproduced_rates as reproduced,
               status_only_rows as status_only, not_published_rows as not_published, redacted_rows as redacted,
               rows_with_actual as with_actual
        from city_kpi_summary
        where list_contains($cities, city_id) and kpi_rows > 0
        order by city_id
        """,
        params={"cities": ctx.cities},
    ).pl()


def _rates_first() -> pl.Expr:
    """Ranking of cities for folding: most published rates first, then most KPI rows."""
    return pl.col("n").filter(pl.col("rule").is_in(list(RATE_CLASSES))).sum() * 1_000_000_000 + pl.col("n").sum()


def classification_table(ctx: Context, counts: pl.DataFrame, *, top: int = MANY_CITIES) -> pl.DataFrame:
    """Cities x classifications (counts of KPI rows), with a total row; beyond `top` cities, the
    cities publishing the most rates keep a row and the others are pooled."""
    folded, order = _fold_cities(ctx, counts, top, score=_rates_first())
    present = [r for r in CLASSIFICATIONS if r in set(counts["rule"])]
    rows = []
    for label in order:
        part = folded.filter(pl.col("row_label") == label)
        values = dict(zip(part["rule"], part["n"]))
        row = {ctx.t("都市", "city"): label}
        for rule in present:
            row[classification_name(ctx, rule)] = int(values.get(rule, 0))
        row[ctx.t("計", "total")] = int(sum(values.values()))
        rows.append(row)
    totals = classification_totals(counts)
    total_row = {ctx.t("都市", "city"): ctx.t("合計", "total")}
    for rule in present:
        total_row[classification_name(ctx, rule)] = totals[rule]
    total_row[ctx.t("計", "total")] = sum(totals.values())
    rows.append(total_row)
    return pl.DataFrame(rows)


def _fold_cities(ctx: Context, counts: pl.DataFrame, top: int, weight: str = "n", score: pl.Expr | None = None) -> tuple[pl.DataFrame, list[str]]:
    """Keep the `top` - 1 cities with the highest `score` (default: their total `weight`) and fold
    the others into one row.

    Returns the frame with a `row_label` column and the row order. With `top` or fewer cities
    nothing is folded and the order is that of the cities parameter.
    """
    present = set(counts["city_id"].to_list())
    if len(present) <= top:
        order = [ctx.city(c) for c in ctx.cities if c in present]
        return counts.with_columns(pl.col("city_label").alias("row_label")), order
    score = pl.col(weight).sum() if score is None else score
    totals = counts.group_by("city_id").agg(score.alias("total")).sort(["total", "city_id"], descending=[True, False])
    keep = totals["city_id"].head(top - 1).to_list()
    other = ctx.t(f"その他 {totals.height - len(keep):,}市", f"{totals.height - len(keep):,} other cities")
    keys = [c for c in counts.columns if c not in ("city_id", "city_label", weight, "n") and c != "share"]
    folded = (
        counts.with_columns(
            pl.when(pl.col("city_id").is_in(keep)).then(pl.col("city_label")).otherwise(pl.lit(other)).alias("row_label")
        )
        .group_by(["row_label"] + keys)
        .agg(pl.col(weight).sum())
    )
    return folded, [ctx.city(c) for c in keep] + [other]


def classification_chart(ctx: Context, counts: pl.DataFrame, *, top: int = MANY_CITIES) -> alt.Chart:
    """Stacked bars: KPI rows per city by classification (colours per classification).

    With more than `top` cities, the `top` - 1 cities publishing the most rates keep a bar, the
    others share one, and the bars show shares (each bar 100 %, its row count in the label) so
    that the pooled bar does not flatten the others.
    """
    folded, order = _fold_cities(ctx, counts, top, score=_rates_first())
    shares = len(order) < len(set(counts["city_id"].to_list()))
    present = [r for r in CLASSIFICATIONS if r in set(counts["rule"])]
    labels = [classification_name(ctx, r) for r in present]
    rank = {r: i for i, r in enumerate(CLASSIFICATIONS)}
    data = folded.with_columns(
        pl.col("rule").replace_strict(rank, default=len(rank)).alias("stack_order"),
        pl.col("rule").replace_strict({r: classification_name(ctx, r) for r in present}, default=pl.col("rule")).alias("rule_label"),
    ).select("row_label", "rule", "rule_label", "stack_order", "n")
    row_totals = data.group_by("row_label").agg(pl.col("n").sum().alias("row_total"))
    data = data.join(row_totals, on="row_label").with_columns((pl.col("n") / pl.col("row_total")).alias("share"))
    totals = classification_totals(counts)
    n_rates = sum(totals[r] for r in RATE_CLASSES)
    n_repro = sum(totals[r] for r in REPRODUCED)
    if n_rates:
        title = ctx.t(
            f"公表された達成度{n_rates:,}件のうち{n_repro:,}件を進捗率または実績/目標比で再現（±1ポイント以内）",
            f"{n_repro:,} of {n_rates:,} published rates are reproduced by the progress or the ratio rule (±1 point)",
        )
    else:
        title = ctx.t("選択した都市は達成度を数値で公表していない", "None of the selected cities publishes a rate as a number")
    subtitle = ctx.t(
        f"都市ごとのKPI行数を、公表された達成度がどのルールで再現できるかで分類（全{sum(totals.values()):,}行）",
        f"KPI rows per city by which rule reproduces the published achievement rate ({sum(totals.values()):,} rows)",
    )
    if shares:
        labels_n = {r["row_label"]: f"{r['row_label']} (n={r['row_total']:,})" for r in row_totals.iter_rows(named=True)}
        data = data.with_columns(pl.col("row_label").replace_strict(labels_n).alias("row_label"))
        order = [labels_n[o] for o in order if o in labels_n]
        subtitle = ctx.t(
            f"都市ごとのKPI行の構成比（公表された達成度が多い{len(order) - 1:,}市と、その他の市の合計）。全{sum(totals.values()):,}行",
            f"Share of each city's KPI rows by classification: the {len(order) - 1:,} cities publishing the most rates, and all others pooled ({sum(totals.values()):,} rows)",
        )
        x = alt.X("sum(share):Q", stack="zero", axis=alt.Axis(format="%", title=ctx.t("都市内の割合", "share of the city's rows")))
    else:
        x = alt.X("sum(n):Q", stack="zero", title=ctx.t("KPI行数", "KPI rows"))
    height = max(90, 34 * len(order))
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=alt.Y("row_label:N", sort=order, title=None),
            x=x,
            color=alt.Color(
                "rule_label:N",
                scale=alt.Scale(domain=labels, range=[CLASSIFICATION_COLOURS[r] for r in present]),
                legend=alt.Legend(title=ctx.t("分類", "classification"), orient="bottom", columns=3),
            ),
            order=alt.Order("stack_order:Q"),
            tooltip=[
                alt.Tooltip("row_label:N", title=ctx.t("都市", "city")),
                alt.Tooltip("rule_label:N", title=ctx.t("分類", "classification")),
                alt.Tooltip("n:Q", title=ctx.t("KPI行数", "KPI rows"), format=","),
                alt.Tooltip("share:Q", title=ctx.t("都市内の割合", "share of the city's rows"), format=".0%"),
            ],
        )
        .properties(width=520, height=height)
    )


_RATE_QUERY = """
    select a.city_id, a.doc_id, k.section, k.table_code, k.row_no, a.kpi_id, a.indicator_ja, k.is_repeat,
           a.direction, a.baseline_label, a.baseline_value, a.actual_label, a.actual_value, a.target_label, a.target_value,
           a.published_achievement_pct, a.published_achievement_text, a.published_pct as published,
           a.progress_value, a.progress_status, a.progress_reason_code, a.ratio_value, a.ratio_status, a.ratio_reason_code,
           p.agreement as progress_agreement, r.agreement as ratio_agreement, a.rule, a.explanation
    from achievement_audit a join kpis k on k.kpi_id = a.kpi_id
    left join published_rate_checks p on p.kpi_id = a.kpi_id and p.rule = 'progress'
    left join published_rate_checks r on r.kpi_id = a.kpi_id and r.rule = 'ratio'
    where list_contains($cities, a.city_id) and list_contains($rules, a.rule) and not a.is_repeat
    order by a.city_id, a.kpi_id
"""


def _rows_of(ctx: Context, rules: Sequence[str]) -> pl.DataFrame:
    frame = ctx.con.sql(_RATE_QUERY, params={"cities": ctx.cities, "rules": list(rules)}).pl()
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"),
        (pl.col("table_code") + pl.lit(":") + pl.col("row_no")).alias("table_row"),
        pl.coalesce("indicator_ja", "kpi_id").alias("kpi_label"),
    )


def published_rates(ctx: Context) -> pl.DataFrame:
    """The KPI rows that publish a rate as a number (progress, ratio, both, neither), with the rule values.

    ``published`` is the published figure (percent, achievement_audit.published_pct: also a number
    printed inside a text cell); progress_agreement and ratio_agreement come from published_rate_checks.
    """
    return _rows_of(ctx, RATE_CLASSES).with_columns(
        (pl.col("published") - pl.col("progress_value")).alias("progress_diff"),
        (pl.col("published") - pl.col("ratio_value")).alias("ratio_diff"),
    )


def status_only_rows(ctx: Context) -> pl.DataFrame:
    """KPI rows that print a word (達成 ...) instead of a rate."""
    return _rows_of(ctx, ("status_only",))


def rates_table(ctx: Context, rates: pl.DataFrame) -> pl.DataFrame:
    """Published rate vs each rule's value, which rule reproduces it and the explanation ('neither' flagged ⚠)."""
    flag = {r: ("⚠ " if r == "neither" else "") + classification_name(ctx, r) for r in RATE_CLASSES}
    columns = [
        pl.col("city_label").alias(ctx.t("都市", "city")),
        pl.col("kpi_label").alias(ctx.t("指標", "indicator")),
        pl.col("table_row").alias(ctx.t("表:行", "table:row")),
        pl.col("published").alias(ctx.t("公表値 (%)", "published (%)")),
        pl.col("progress_value").round(1).alias(ctx.t("進捗率ルール", "progress rule")),
        pl.col("ratio_value").round(1).alias(ctx.t("実績/目標比", "ratio rule")),
        pl.col("rule").replace_strict(flag, default=pl.col("rule")).alias(ctx.t("再現するルール", "reproduced by")),
        pl.col("explanation").alias(ctx.t("説明（データベースの英文）", "explanation")),
    ]
    return rates.select(columns)


def neither_rows(rates: pl.DataFrame) -> pl.DataFrame:
    return rates.filter(pl.col("rule") == "neither")


def neither_table(ctx: Context, rates: pl.DataFrame) -> pl.DataFrame:
    """The 'neither' rows with the inputs a reader needs to check the explanation."""
    rows = neither_rows(rates)
    return rows.select(
        pl.col("city_label").alias(ctx.t("都市", "city")),
        pl.col("kpi_label").alias(ctx.t("指標", "indicator")),
        pl.col("table_row").alias(ctx.t("表:行", "table:row")),
        (pl.col("baseline_label") + pl.lit(" ") + pl.col("baseline_value").map_elements(fmt_number, return_dtype=pl.String)).alias(ctx.t("当初値", "baseline")),
        (pl.col("actual_label") + pl.lit(" ") + pl.col("actual_value").map_elements(fmt_number, return_dtype=pl.String)).alias(ctx.t("実績値", "actual")),
        (pl.col("target_label") + pl.lit(" ") + pl.col("target_value").map_elements(fmt_number, return_dtype=pl.String)).alias(ctx.t("目標値", "target")),
        pl.col("published").alias(ctx.t("公表値 (%)", "published (%)")),
        pl.col("progress_value").round(1).alias(ctx.t("進捗率ルール", "progress rule")),
        pl.col("ratio_value").round(1).alias(ctx.t("実績/目標比", "ratio rule")),
        pl.col("explanation").alias(ctx.t("説明（データベースの英文）", "explanation")),
    )


def audit_summary(ctx: Context, counts: pl.DataFrame, rates: pl.DataFrame, words: pl.DataFrame) -> dict[str, Any]:
    """The figures the narrative quotes."""
    totals = classification_totals(counts)
    disclosure = city_disclosure(ctx)
    words_achieved = words.filter((pl.col("progress_status") == "achieved") | (pl.col("ratio_status") == "achieved")).height
    return {
        "totals": totals,
        "kpi_rows": sum(totals.values()),
        "rates": sum(totals[r] for r in RATE_CLASSES),
        "reproduced": sum(totals[r] for r in REPRODUCED),
        "rate_repeats": repeat_counts(ctx)["rates"],
        "rate_cities": [c for c in disclosure.filter(pl.col("rates") > 0)["city_id"].to_list()],
        "no_rate_cities": disclosure.filter(pl.col("rates") == 0).to_dicts(),
        "words": sorted(set(words["published_achievement_text"].drop_nulls().to_list())),
        "words_achieved": words_achieved,
        # Documents where some rates follow the progress rule only and others the ratio rule only.
        "mixed_docs": sorted(
            rates.group_by("doc_id").agg(pl.col("rule").unique().alias("rules"))
            .filter(pl.col("rules").list.contains("progress") & pl.col("rules").list.contains("ratio"))["doc_id"].to_list()
        ) if rates.height else [],
        "max_progress_gap": float(rates.filter(pl.col("rule") == "ratio")["progress_diff"].abs().max() or 0) if rates.height else None,
    }


def _symlog_ticks(low: float, high: float) -> list[float]:
    ticks = [-1000, -500, -100, -10, 0, 10, 100, 500, 1000, 5000, 10000]
    return [t for t in ticks if low <= t <= high]


def scatter_sample(rates: pl.DataFrame, max_rows: int = MAX_SCATTER_ROWS) -> pl.DataFrame:
    """The rows the scatter draws: all of them up to `max_rows`, else a fixed sample (by a hash of
    kpi_id) holding up to a quarter 'neither' rows and the rest from the other rows."""
    if rates.height <= max_rows:
        return rates
    order = pl.col("kpi_id").hash(seed=7)
    neither = rates.filter(pl.col("rule") == "neither").sort(order).head(max_rows // 4)
    rest = rates.filter(pl.col("rule") != "neither").sort(order).head(max_rows - neither.height)
    return pl.concat([neither, rest]).sort(["city_id", "kpi_id"])


def rates_scatter(ctx: Context, rates: pl.DataFrame, *, max_rows: int = MAX_SCATTER_ROWS) -> alt.HConcatChart:
    """Published rate (y) against the progress rule (left) and the ratio rule (right), y = x and ±1 band.

    Points are coloured by the row's classification; 'neither' rows are drawn as larger diamonds
    (and labelled when few). Both axes use a symmetric-log scale so that -500 % and 1,100 % fit
    beside the many values near 100 %. Above `max_rows` rates a fixed sample is drawn
    (scatter_sample); the titles count every row.
    """
    data = scatter_sample(rates, max_rows)
    status_cols = {rule: f"{rule}_status" for rule in COMPARED_RULES}
    long = []
    for rule in COMPARED_RULES:
        part = data.select(
            "kpi_id", "kpi_label", "table_row", "city_label", "published", "rule", "explanation",
            pl.col(f"{rule}_value").alias("computed"),
            pl.col(status_cols[rule]).alias("status"),
            pl.lit(rule).alias("panel"),
        ).filter(pl.col("computed").is_not_null() & pl.col("published").is_not_null())
        long.append(part)
    points = pl.concat(long).with_columns(
        (pl.col("published") - pl.col("computed")).alias("diff"),
        pl.col("rule").replace_strict({r: classification_name(ctx, r) for r in RATE_CLASSES}, default=pl.col("rule")).alias("rule_label"),
        pl.col("explanation").fill_null("").str.slice(0, 160).alias("explanation_short"),
        pl.when(pl.col("rule") == "neither").then(pl.lit(150)).otherwise(pl.lit(60)).alias("size"),
    )
    values = points.select(pl.min_horizontal("published", "computed").min().alias("lo"), pl.max_horizontal("published", "computed").max().alias("hi")).row(0)
    lo, hi = (min(values[0], 0.0), max(values[1], 100.0)) if points.height else (0.0, 100.0)
    span = hi - lo
    lo, hi = lo - 0.05 * span, hi + 0.05 * span
    scale = alt.Scale(type="symlog", constant=10, domain=[lo, hi], nice=False)
    ticks = _symlog_ticks(lo, hi)
    # The identity line and the ±1 band, sampled densely (the band's edges curve on a symlog scale).
    steps = 400
    grid = pl.DataFrame({"x": [lo + (hi - lo) * i / steps for i in range(steps + 1)]}).with_columns(
        (pl.col("x") - TOLERANCE).alias("y_lo"), (pl.col("x") + TOLERANCE).alias("y_hi")
    )
    present = [r for r in RATE_CLASSES if r in set(points["rule"])] or list(RATE_CLASSES)
    colour = alt.Color(
        "rule_label:N",
        scale=alt.Scale(domain=[classification_name(ctx, r) for r in present], range=[CLASSIFICATION_COLOURS[r] for r in present]),
        legend=alt.Legend(title=ctx.t("再現するルール", "reproduced by"), orient="bottom", columns=2),
    )
    panels = []
    for rule in COMPARED_RULES:
        subset = points.filter(pl.col("panel") == rule)
        computed = rates.filter(pl.col(f"{rule}_agreement").is_in(["agrees", "differs"]))
        within = computed.filter(pl.col(f"{rule}_agreement") == "agrees").height
        panel_title = ctx.t(
            f"{RULE_NAMES[rule]['ja']}: {computed.height:,}件中{within:,}件が±1以内",
            f"{RULE_NAMES[rule]['en']}: {within:,} of {computed.height:,} within ±1",
        )
        x = alt.X("computed:Q", scale=scale, axis=alt.Axis(values=ticks, title=ctx.t(f"{RULE_NAMES[rule]['ja']}の再計算値 (%)", f"recomputed by the {rule} rule (%)")))
        y = alt.Y("published:Q", scale=scale, axis=alt.Axis(values=ticks, title=ctx.t("公表された達成度 (%)", "published rate (%)")))
        band = alt.Chart(grid).mark_area(color="#999999", opacity=0.5).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("y_lo:Q", scale=scale), y2="y_hi:Q"
        )
        line = alt.Chart(grid).mark_line(color="#777777", strokeDash=[4, 3], strokeWidth=1).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("x:Q", scale=scale)
        )
        dots = alt.Chart(subset).mark_point(filled=True, opacity=0.85, stroke="black", strokeWidth=0.4).encode(
            x=x, y=y, color=colour,
            size=alt.Size("size:Q", legend=None, scale=None),
            shape=alt.Shape("rule_label:N", legend=None, scale=alt.Scale(
                domain=[classification_name(ctx, r) for r in present],
                range=["diamond" if r == "neither" else "circle" for r in present])),
            tooltip=[
                alt.Tooltip("kpi_label:N", title=ctx.t("指標", "indicator")),
                alt.Tooltip("city_label:N", title=ctx.t("都市", "city")),
                alt.Tooltip("table_row:N", title=ctx.t("表:行", "table:row")),
                alt.Tooltip("published:Q", title=ctx.t("公表値 (%)", "published (%)"), format=",.1f"),
                alt.Tooltip("computed:Q", title=ctx.t("再計算値 (%)", "recomputed (%)"), format=",.1f"),
                alt.Tooltip("diff:Q", title=ctx.t("差（公表−再計算）", "difference (published − recomputed)"), format=",.1f"),
                alt.Tooltip("rule_label:N", title=ctx.t("再現するルール", "reproduced by")),
                alt.Tooltip("explanation_short:N", title=ctx.t("説明", "explanation")),
            ],
        )
        labelled = subset.filter(pl.col("rule") == "neither")
        if labelled.height > MAX_POINT_LABELS:
            labelled = labelled.head(0)
        labels = alt.Chart(labelled).mark_text(
            align="left", dx=9, dy=-8, fontSize=11, color=CLASSIFICATION_COLOURS["neither"]
        ).encode(x=x, y=y, text="table_row:N")
        panels.append(alt.layer(band, line, dots, labels, title=alt.Title(panel_title, fontSize=13)).properties(width=300, height=300))
    n_rates = rates.height
    n_repro = rates.filter(pl.col("rule").is_in(list(REPRODUCED))).height
    title = ctx.t(
        f"公表値{n_rates:,}件中{n_repro:,}件が点線（公表値 = 再計算値）の±1の帯に乗る",
        f"{n_repro:,} of {n_rates:,} published rates sit on the y = x line within the ±1 band",
    )
    subtitle = ctx.t(
        "左: 進捗率ルール、右: 実績/目標比。灰色の帯は±1ポイント。◆ はどちらでも再現できない行。両軸とも対称対数目盛。",
        "Left: progress rule; right: ratio rule. Grey band: ±1 point. ◆: reproduced by neither rule. Both axes on a symmetric-log scale.",
    )
    if data.height < rates.height:
        subtitle = [subtitle, ctx.t(
            f"点は{rates.height:,}件から固定の抽出で選んだ{data.height:,}件（うち再現できない行{data.filter(pl.col('rule') == 'neither').height:,}件）。件数は全件で数えている。",
            f"Points: a fixed sample of {data.height:,} of the {rates.height:,} rates ({data.filter(pl.col('rule') == 'neither').height:,} of them 'neither'); counts in the titles cover all rates.",
        )]
    return alt.hconcat(*panels, spacing=30, title=alt.Title(title, subtitle=subtitle)).resolve_scale(color="shared", shape="shared")


# ---------------------------------------------------------------------------------------------
# The findings
# ---------------------------------------------------------------------------------------------


def findings(ctx: Context) -> pl.DataFrame:
    """Every finding of the cities, in code order, with the documents and sections it concerns.

    ``doc_ids`` is the finding's document, or for a finding that spans documents the documents of
    its related ids (each id starts with its doc_id).
    """
    frame = ctx.con.sql(
        """
        select f.finding_id, f.code, f.code_description, f.city_id, f.doc_id, f.kpi_id, f.stakeholder_id,
               f.related_ids, f.explanation, f.quotes, k.section, k.table_code, k.row_no,
               case when f.doc_id is not null then [f.doc_id]
                    else list_sort(list_distinct(list_transform(f.related_ids, lambda r: split_part(r, ':', 1)))) end as doc_ids
        from data_quality_findings f left join kpis k on k.kpi_id = f.kpi_id
        where list_contains($cities, f.city_id)
        order by f.finding_id
        """,
        params={"cities": ctx.cities},
    ).pl()
    rank = {c: i for i, c in enumerate(FINDING_ORDER)}
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"),
        pl.col("code").replace_strict(rank, default=len(rank)).alias("code_rank"),
    ).sort(["code_rank", "code", "city_id", "finding_id"])


def finding_counts(ctx: Context) -> pl.DataFrame:
    """Findings per city and code (counted in DuckDB)."""
    frame = ctx.con.sql(
        """
        select city_id, code, count(*)::bigint as n
        from data_quality_findings
        where list_contains($cities, city_id)
        group by city_id, code
        order by city_id, code
        """,
        params={"cities": ctx.cities},
    ).pl()
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias("city_label"),
    )


def code_totals(counts: pl.DataFrame) -> dict[str, int]:
    """Findings per code over all cities, every known code present (0 when none), in code order."""
    found = dict(counts.group_by("code").agg(pl.col("n").sum()).iter_rows())
    return {code: int(found.get(code, 0)) for code in _ordered_codes(list(FINDING_ORDER) + list(found))}


def citation(frame: pl.DataFrame) -> pl.DataFrame:
    """A (doc_id, section) frame for ctx.source() from a findings frame (doc_ids list column)."""
    if frame.height == 0:
        return pl.DataFrame({"doc_id": [], "section": []}, schema={"doc_id": pl.String, "section": pl.String})
    return (
        frame.select(pl.col("doc_ids"), pl.col("section"))
        .explode("doc_ids")
        .rename({"doc_ids": "doc_id"})
        .drop_nulls("doc_id")
        .unique()
        .sort(["doc_id", "section"], nulls_last=True)
    )


def finding_chart(ctx: Context, counts: pl.DataFrame, *, max_series: int = len(charts.CITY_PALETTE)) -> alt.Chart:
    """Horizontal bars per finding code, stacked by city (city colours).

    With more than `max_series` cities (the distinguishable city colours), the `max_series` - 1
    cities with most findings keep their colour and the others are folded into one grey 'other' series.
    """
    totals = code_totals(counts)
    present = [c for c in totals if totals[c] > 0]
    palette_size = min(max_series, len(charts.CITY_PALETTE))
    present_cities = [c for c in ctx.cities if c in set(counts["city_id"])]
    if len(present_cities) <= palette_size:
        city_order = [ctx.city(c) for c in present_cities]
        data = counts.with_columns(pl.col("city_label").alias("series"))
        colour_scale = charts.city_colour_scale(city_order) if city_order else alt.Scale()
    else:
        by_city = counts.group_by("city_id").agg(pl.col("n").sum().alias("total")).sort(["total", "city_id"], descending=[True, False])
        keep = by_city["city_id"].head(palette_size - 1).to_list()
        other = ctx.t(f"その他 {by_city.height - len(keep):,}市", f"{by_city.height - len(keep):,} other cities")
        data = counts.with_columns(
            pl.when(pl.col("city_id").is_in(keep)).then(pl.col("city_label")).otherwise(pl.lit(other)).alias("series")
        ).group_by(["series", "code"]).agg(pl.col("n").sum())
        city_order = [ctx.city(c) for c in keep] + [other]
        colour_scale = alt.Scale(domain=city_order, range=charts.CITY_PALETTE[: len(keep)] + ["#999999"])
    data = data.with_columns(
        pl.col("code").replace_strict({c: f"{finding_name(ctx, c)} ({c})" for c in data["code"].unique().to_list()}, default=pl.col("code")).alias("code_label"),
    )
    city_rank = {label: i for i, label in enumerate(city_order)}
    data = data.with_columns(pl.col("series").replace_strict(city_rank, default=len(city_rank)).alias("stack_order"))
    code_order = [f"{finding_name(ctx, c)} ({c})" for c in present]
    n_total = sum(totals.values())
    if present:
        biggest = max(present, key=lambda c: (totals[c], -_code_rank(c)))
        title = ctx.t(
            f"データ品質の指摘{n_total:,}件: 最多は「{finding_name(ctx, biggest)}」の{totals[biggest]:,}件",
            f"{n_total:,} data-quality findings; the most common: {finding_name(ctx, biggest).lower()} ({totals[biggest]:,})",
        )
    else:
        title = ctx.t("選択した都市にデータ品質の指摘はない", "No data-quality findings for the selected cities")
    subtitle = ctx.t("指摘の種類ごとの件数（都市別に積み上げ）", "Findings per code, stacked by city")
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle))
        .mark_bar(stroke="white", strokeWidth=0.8)
        .encode(
            y=alt.Y("code_label:N", sort=code_order, title=None, axis=alt.Axis(labelLimit=520)),
            x=alt.X("sum(n):Q", stack="zero", title=ctx.t("指摘の件数", "findings")),
            color=alt.Color("series:N", scale=colour_scale, legend=alt.Legend(title=ctx.t("都市", "city"), orient="bottom", columns=4)),
            order=alt.Order("stack_order:Q"),
            tooltip=[
                alt.Tooltip("code_label:N", title=ctx.t("種類", "code")),
                alt.Tooltip("series:N", title=ctx.t("都市", "city")),
                alt.Tooltip("sum(n):Q", title=ctx.t("件数", "findings"), format=","),
            ],
        )
        .properties(width=420, height=max(80, 30 * len(code_order)))
    )


def finding_count_table(ctx: Context, counts: pl.DataFrame, *, top: int = MANY_CITIES) -> pl.DataFrame:
    """Codes x cities (counts), with a total column; many cities are folded into 'other'."""
    folded, order = _fold_cities(ctx, counts, top)
    totals = code_totals(counts)
    rows = []
    for code in totals:
        part = folded.filter(pl.col("code") == code)
        values = dict(zip(part["row_label"], part["n"]))
        row = {ctx.t("種類", "code"): f"{finding_name(ctx, code)} ({code})"}
        for label in order:
            row[label] = int(values.get(label, 0))
        row[ctx.t("計", "total")] = totals[code]
        rows.append(row)
    return pl.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Tables with quotes
# ---------------------------------------------------------------------------------------------


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote on one line (runs of whitespace become one space), cut to `limit` characters with '…'."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _quote_cell(quotes: Sequence[str] | None, limit: int) -> tuple[str, str]:
    """(html, plain) of a cell of quotes: each shortened, the full text in a <details> and a tooltip."""
    seen: list[str] = []
    for quote in quotes or []:
        if quote is not None and quote not in seen:
            seen.append(quote)
    parts, plain = [], []
    for quote in seen:
        short = shorten(quote, limit)
        plain.append(f"「{short}」")
        if short == " ".join(quote.split()):
            parts.append(f'<div class="sdg-quote">「{html.escape(short)}」</div>')
        else:
            parts.append(
                f'<details class="sdg-quote" title="{html.escape(quote, quote=True)}"><summary>「{html.escape(short)}」</summary>'
                f'<div style="white-space:pre-wrap">{html.escape(quote)}</div></details>'
            )
    return "".join(parts) or "–", " ".join(plain) or "–"


def quote_table_bundle(frame: pl.DataFrame, *, source: str, quote_column: str, limit: int = QUOTE_CHARS,
                       max_rows: int = MAX_FINDING_ROWS) -> tuple[dict, dict]:
    """The display output of a table whose `quote_column` holds lists of quotes.

    Same markup and citation as charts.cite (figure.sdg-table-figure); each quote is shortened to
    `limit` characters with the full text in a <details> (and its tooltip).
    """
    source = source.strip()
    if not source:
        raise ValueError("a source (citation) is required")
    columns = frame.columns
    head = "".join(f'<th style="text-align:left">{html.escape(c)}</th>' for c in columns)
    body, plain = [], ["\t".join(columns)]
    for row in frame.head(max_rows).iter_rows(named=True):
        cells, texts = [], []
        for column in columns:
            value = row[column]
            if column == quote_column:
                cell_html, cell_text = _quote_cell(value, limit)
                cells.append(f'<td style="text-align:left;min-width:16em">{cell_html}</td>')
            else:
                cell_text, numeric = charts.format_value(value)
                style = "text-align:right" if numeric else "text-align:left"
                if len(cell_text) <= NOWRAP_CHARS:
                    style += ";white-space:nowrap"
                cells.append(f'<td style="{style}">{html.escape(cell_text)}</td>')
            texts.append(cell_text)
        body.append(f"<tr>{''.join(cells)}</tr>")
        plain.append("\t".join(texts))
    note = ""
    if frame.height > max_rows:
        omitted = frame.height - max_rows
        note = f'<p class="sdg-table-note">… {omitted:,} 行省略 / rows omitted (全 {frame.height:,} 行 / rows)</p>'
        plain.append(f"... {omitted} rows omitted")
    figure = (
        '<figure class="sdg-figure sdg-table-figure"><div class="sdg-table-wrap"><table class="sdg-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}"
        f'<figcaption class="sdg-source">{charts.source_html(source)}</figcaption></figure>'
    )
    data = {"text/html": figure, "text/plain": "\n".join(plain) + f"\n{charts.SOURCE_LABEL}{source}"}
    return data, {"sdgcities": {"kind": "table", "source": source}}


def show_quote_table(frame: pl.DataFrame, *, source: str, quote_column: str, max_rows: int = MAX_FINDING_ROWS) -> None:
    from IPython.display import display

    data, metadata = quote_table_bundle(frame, source=source, quote_column=quote_column, max_rows=max_rows)
    display(data, metadata=metadata, raw=True)


def _concerns(row: dict) -> str:
    """What a finding concerns: the KPI's table:row, a stakeholder id, or the related ids."""
    if row.get("kpi_id"):
        if row.get("table_code") and row.get("row_no"):
            return f"{row['table_code']}:{row['row_no']}"
        return row["kpi_id"]
    if row.get("related_ids"):
        return ", ".join(row["related_ids"])
    return row.get("stakeholder_id") or ""


def finding_table(ctx: Context, frame: pl.DataFrame, code: str) -> pl.DataFrame:
    """The findings of one code: city, what it concerns, explanation and quotes (list column)."""
    part = frame.filter(pl.col("code") == code)
    concerns = [_concerns(r) for r in part.select("kpi_id", "table_code", "row_no", "related_ids", "stakeholder_id").iter_rows(named=True)]
    return part.select(
        pl.col("finding_id").str.split(":").list.last().alias("No."),
        pl.col("city_label").alias(ctx.t("都市", "city")),
        pl.Series(ctx.t("対象", "concerns"), concerns, dtype=pl.String),
        pl.col("explanation").alias(ctx.t("説明（データベースの英文）", "explanation")),
        pl.col("quotes").alias(ctx.t("原文の引用", "quotes")),
    )


def code_sections(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """One entry per code with findings, in code order: code, English description, count, cities."""
    out = []
    for code in _ordered_codes(frame["code"].unique().to_list()):
        part = frame.filter(pl.col("code") == code)
        out.append({
            "code": code,
            "description": part["code_description"][0],
            "n": part.height,
            "cities": part["city_id"].unique(maintain_order=True).to_list(),
            "summarise": code in REDACTION_CODES and part.height > REDACTION_LIST_MAX,
        })
    return out


def redaction_summary(ctx: Context, code: str) -> pl.DataFrame:
    """Counts behind the redaction findings per city and document.

    value_redacted: KPI rows, how many have their name redacted, and value cells redacted of those printed.
    stakeholder_redacted: stakeholders, how many still print a role or theme.
    """
    if code == "value_redacted":
        frame = ctx.con.sql(
            """
            with cells as (
                select kpi_id, count(*) filter (where is_redacted) as redacted, count(*) as cells
                from kpi_observations group by kpi_id
            )
            select f.city_id, k.doc_id, count(*)::bigint as findings,
                   count(*) filter (where k.indicator_ja is null)::bigint as names_redacted,
                   coalesce(sum(c.redacted), 0)::bigint as cells_redacted,
                   coalesce(sum(c.cells), 0)::bigint as cells
            from data_quality_findings f join kpis k on k.kpi_id = f.kpi_id left join cells c on c.kpi_id = f.kpi_id
            where f.code = 'value_redacted' and list_contains($cities, f.city_id)
            group by f.city_id, k.doc_id order by f.city_id, k.doc_id
            """,
            params={"cities": ctx.cities},
        ).pl()
        names = {
            "findings": ctx.t("黒塗りのKPI行", "redacted KPI rows"),
            "names_redacted": ctx.t("うち指標名も黒塗り", "of which the name too"),
            "cells_redacted": ctx.t("黒塗りの数値セル", "redacted value cells"),
            "cells": ctx.t("数値セル（全体）", "value cells (all)"),
        }
    elif code == "stakeholder_redacted":
        frame = ctx.con.sql(
            """
            select f.city_id, s.doc_id, count(*)::bigint as findings,
                   count(s.role_ja)::bigint as with_role
            from data_quality_findings f join stakeholders s on s.stakeholder_id = f.stakeholder_id
            where f.code = 'stakeholder_redacted' and list_contains($cities, f.city_id)
            group by f.city_id, s.doc_id order by f.city_id, s.doc_id
            """,
            params={"cities": ctx.cities},
        ).pl()
        names = {
            "findings": ctx.t("名称が黒塗りの連携先", "redacted stakeholders"),
            "with_role": ctx.t("うち役割・テーマの記載あり", "of which a role or theme is printed"),
        }
    else:
        raise ValueError(f"{code!r} is not a redaction code; valid: {', '.join(REDACTION_CODES)}")
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias(ctx.t("都市", "city")),
    ).select([ctx.t("都市", "city"), pl.col("doc_id").alias(ctx.t("文書", "document"))] + [pl.col(k).alias(v) for k, v in names.items()])


# ---------------------------------------------------------------------------------------------
# Narrative pieces (in ctx.lang; every number computed)
# ---------------------------------------------------------------------------------------------


def n_cities(ctx: Context, n: int) -> str:
    """'3市' / '3 cities' / '1 city'."""
    return ctx.t(f"{n:,}市", f"{n:,} city" if n == 1 else f"{n:,} cities")


def join_phrases(ctx: Context, items: Sequence[str]) -> str:
    """'a、b、c' in Japanese; 'a, b and c' in English."""
    items = list(items)
    if ctx.lang == "ja":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def missing_rate_phrases(ctx: Context, summary: dict[str, Any]) -> list[str]:
    """Per city without a published rate: its rows and why (all redacted, no actuals printed)."""
    phrases = []
    for row in summary["no_rate_cities"]:
        name, n = ctx.city(row["city_id"]), row["kpi_rows"]
        if row["redacted"] == n:
            why = ctx.t(f"全{n:,}行で指標名または数値が黒塗り", f"all {n:,} rows have their name or values redacted")
        elif row["with_actual"] == 0:
            why = ctx.t(f"{n:,}行のいずれにも実績値の記載がない", f"none of its {n:,} rows prints an actual value")
        else:
            why = ctx.t(f"{row['with_actual']:,}行に実績値があるが達成度の記載はない", f"{row['with_actual']:,} rows print an actual but no rate")
        phrases.append(ctx.t(f"{name}（{why}）", f"{name} ({why})"))
    return phrases


def code_list(ctx: Context, totals: dict[str, int], *, include_zero: bool = False) -> str:
    """'KPIの黒塗り 18件、…' / 'redacted KPI 18, …' in code order."""
    items = [
        ctx.t(f"{finding_name(ctx, code)} {n:,}件", f"{finding_name(ctx, code).lower()} {n:,}")
        for code, n in totals.items() if n or include_zero
    ]
    return join_phrases(ctx, items)


def neither_sentences(ctx: Context, rates: pl.DataFrame, limit: int = 5) -> list[str]:
    """One sentence per 'neither' row (the first `limit`): the published figure beside both rules' values."""
    out = []
    for r in neither_rows(rates).head(limit).iter_rows(named=True):
        out.append(ctx.t(
            f"{ctx.city(r['city_id'])}の「{r['kpi_label']}」（{r['table_row']}）は達成度{fmt_number(r['published'])}%と公表されているが、"
            f"進捗率ルールでは{fmt_number(r['progress_value'])}、実績/目標比では{fmt_number(r['ratio_value'])}となる"
            f"（当初値 {r['baseline_label']} {fmt_number(r['baseline_value'])}、実績 {r['actual_label']} {fmt_number(r['actual_value'])}、目標 {r['target_label']} {fmt_number(r['target_value'])}）。",
            f"{ctx.city(r['city_id'])}'s {r['kpi_label']} ({r['table_row']}) publishes {fmt_number(r['published'])}%, "
            f"but the progress rule gives {fmt_number(r['progress_value'])} and the ratio rule {fmt_number(r['ratio_value'])} "
            f"(baseline {r['baseline_label']} {fmt_number(r['baseline_value'])}, actual {r['actual_label']} {fmt_number(r['actual_value'])}, target {r['target_label']} {fmt_number(r['target_value'])}).",
        ))
    return out


# ---------------------------------------------------------------------------------------------
# Checked outputs (deterministic text for nbval)
# ---------------------------------------------------------------------------------------------


def classification_lines(counts: pl.DataFrame, repeats: dict[str, int] | None = None) -> str:
    totals = classification_totals(counts)
    lines = [f"{rule:<15}{n:>5}" for rule, n in totals.items()]
    lines.append(f"{'total':<15}{sum(totals.values()):>5}")
    if repeats is not None:
        lines.append(f"{'repeats left out':<17}{repeats['kpi_rows']:>3} (with a rate {repeats['rates']})")
    return "\n".join(lines)


def finding_lines(counts: pl.DataFrame) -> str:
    totals = code_totals(counts)
    lines = [f"{code:<32}{n:>5}" for code, n in totals.items()]
    lines.append(f"{'total':<32}{sum(totals.values()):>5}")
    return "\n".join(lines)


def neither_lines(rates: pl.DataFrame, chars: int = 60) -> str:
    rows = neither_rows(rates).sort("kpi_id")
    if rows.height == 0:
        return "(none)"
    return "\n".join(f"{r['kpi_id']}  {(r['explanation'] or '')[:chars]}" for r in rows.iter_rows(named=True))
