"""The display tables of the data-quality appendix: the frames of data.py with labelled columns in
the report's language (catalogue findings.yaml), and the tables of quotes."""

from __future__ import annotations

import html
from collections.abc import Sequence

import polars as pl

from sdgcities.build.models import progress
from sdgcities.present import charts, marks, tables
from sdgcities.present.analyses.data_quality import data
from sdgcities.present.analyses.data_quality.text import (
    classification_meaning, classification_name, finding_explanation, finding_label, fmt_number, rule_name,
    with_audit_explanations,
)
from sdgcities.present.notebook import Context

QUOTE_CHARS = 120  # quotes are shortened to this many characters in tables (full text on demand)
MAX_FINDING_ROWS = 40  # findings printed in full per code; a longer list prints its first rows, all in a CSV
REDACTION_EXAMPLES = 3  # example rows shown under a redaction summary
NOWRAP_CHARS = 24  # table cells up to this long do not wrap (city names, ids)


def col(ctx: Context, name: str) -> str:
    """A column header (findings.column.<name>)."""
    return ctx.w(f"findings.column.{name}")


def other_cities(ctx: Context, counts: pl.DataFrame, top: int) -> str:
    return ctx.w("findings.other_cities", n=data.n_folded(counts, top))


def rule_table(ctx: Context) -> pl.DataFrame:
    """The four rules: name, formula (one line) and whether the audit compares published rates with it."""
    return pl.DataFrame([{
        col(ctx, "rule"): rule,
        col(ctx, "name"): rule_name(ctx, rule),
        col(ctx, "formula"): ctx.w(f"rules.formula.{rule}"),
        col(ctx, "compared"): ctx.w(f"findings.compared.{'yes' if rule in data.COMPARED_RULES else 'no'}"),
    } for rule in progress.RULE_NAMES])


def classification_explanations(ctx: Context) -> pl.DataFrame:
    """Each classification with its label and a plain explanation."""
    return pl.DataFrame([{
        col(ctx, "classification"): rule,
        col(ctx, "name"): classification_name(ctx, rule),
        col(ctx, "meaning"): classification_meaning(ctx, rule),
    } for rule in data.CLASSIFICATIONS])


def classification_table(ctx: Context, counts: pl.DataFrame, *, top: int = marks.MANY_CITIES) -> pl.DataFrame:
    """Cities x classifications (counts of KPI rows), with a total row; beyond `top` cities, the
    cities publishing the most rates keep a row and the others are pooled."""
    folded, order = data.fold_cities(ctx, counts, top, other_cities(ctx, counts, top), score=data.rates_first())
    found = set(counts["rule"].to_list())
    present = [r for r in data.CLASSIFICATIONS if r in found]
    city, total = col(ctx, "city"), col(ctx, "total")
    rows = []
    for label in order:
        part = folded.filter(pl.col("row_label") == label)
        values = dict(zip(part["rule"], part["n"]))
        row = {city: label}
        for rule in present:
            row[classification_name(ctx, rule)] = int(values.get(rule, 0))
        row[total] = int(sum(values.values()))
        rows.append(row)
    totals = data.classification_totals(counts)
    total_row = {city: ctx.w("findings.total_row")}
    for rule in present:
        total_row[classification_name(ctx, rule)] = totals[rule]
    total_row[total] = sum(totals.values())
    rows.append(total_row)
    return pl.DataFrame(rows)


def _with_number(label: str, value: str) -> pl.Expr:
    return pl.col(label) + pl.lit(" ") + pl.col(value).map_elements(fmt_number, return_dtype=pl.String)


def rates_table(ctx: Context, rates: pl.DataFrame) -> pl.DataFrame:
    """Published rate vs each rule's value, which rule reproduces it and the explanation ('neither' flagged ⚠).
    With many cities the rates neither rule reproduces come first, farthest from both rules' values first."""
    flag = {r: ctx.w("findings.classification.flagged", label=classification_name(ctx, r)) if r == "neither"
            else classification_name(ctx, r) for r in data.RATE_CLASSES}
    distance = pl.min_horizontal((pl.col("published") - pl.col(f"{r}_value")).abs() for r in ("progress", "ratio"))
    rates = marks.most_first(rates, ctx.cities, pl.col("rule") == "neither", distance)
    return with_audit_explanations(ctx, rates).select(
        pl.col("city_label").alias(col(ctx, "city")),
        pl.col("kpi_label").alias(col(ctx, "indicator")),
        pl.col("table_row").alias(col(ctx, "table_row")),
        pl.col("published").alias(col(ctx, "published")),
        pl.col("progress_value").round(1).alias(col(ctx, "progress_rule")),
        pl.col("ratio_value").round(1).alias(col(ctx, "ratio_rule")),
        pl.col("rule").replace_strict(flag, default=pl.col("rule")).alias(col(ctx, "reproduced_by")),
        pl.col("explanation_text").alias(col(ctx, "explanation")),
    )


def neither_table(ctx: Context, rates: pl.DataFrame) -> pl.DataFrame:
    """The 'neither' rows with the inputs a reader needs to check the explanation."""
    return with_audit_explanations(ctx, data.neither_rows(rates)).select(
        pl.col("city_label").alias(col(ctx, "city")),
        pl.col("kpi_label").alias(col(ctx, "indicator")),
        pl.col("table_row").alias(col(ctx, "table_row")),
        _with_number("baseline_label", "baseline_value").alias(col(ctx, "baseline")),
        _with_number("actual_label", "actual_value").alias(col(ctx, "actual")),
        _with_number("target_label", "target_value").alias(col(ctx, "target")),
        pl.col("published").alias(col(ctx, "published")),
        pl.col("progress_value").round(1).alias(col(ctx, "progress_rule")),
        pl.col("ratio_value").round(1).alias(col(ctx, "ratio_rule")),
        pl.col("explanation_text").alias(col(ctx, "explanation")),
    )


def finding_count_table(ctx: Context, counts: pl.DataFrame, *, top: int = marks.MANY_CITIES) -> pl.DataFrame:
    """Codes x cities (counts), with a total column; many cities are folded into 'other'."""
    folded, order = data.fold_cities(ctx, counts, top, other_cities(ctx, counts, top))
    totals = data.code_totals(counts)
    rows = []
    for code in totals:
        part = folded.filter(pl.col("code") == code)
        values = dict(zip(part["row_label"], part["n"]))
        row = {col(ctx, "code"): finding_label(ctx, code)}
        for label in order:
            row[label] = int(values.get(label, 0))
        row[col(ctx, "total")] = totals[code]
        rows.append(row)
    return pl.DataFrame(rows)


def _filled(name: str) -> pl.Expr:
    """The column holds text (a value Python would call true: neither null nor empty)."""
    return pl.col(name).is_not_null() & (pl.col(name) != "")


def _concerns() -> pl.Expr:
    """What a finding concerns: the KPI's table:row, a stakeholder id, or the related ids."""
    return (
        pl.when(_filled("kpi_id") & _filled("table_code") & _filled("row_no"))
        .then(pl.col("table_code") + pl.lit(":") + pl.col("row_no"))
        .when(_filled("kpi_id")).then(pl.col("kpi_id"))
        .when(pl.col("related_ids").list.len() > 0).then(pl.col("related_ids").list.join(", "))
        .otherwise(pl.col("stakeholder_id").fill_null(""))
    )


def finding_table(ctx: Context, frame: pl.DataFrame, code: str) -> pl.DataFrame:
    """The findings of one code: city, what it concerns, explanation (from the catalogue, in the
    report's language) and quotes (list column).

    Each distinct params is worded once (at 1,741 cities 1,787 findings of one code hold 646 distinct
    params); the caller passes only the rows it shows when it shows a few (a summarised redaction list)."""
    part = frame.filter(pl.col("code") == code)
    worded: dict[str | None, str] = {}
    explanations = []
    for params in part["params"].to_list():
        if params not in worded:
            worded[params] = finding_explanation(ctx, code, data.finding_params(params))
        explanations.append(worded[params])
    return part.select(
        pl.col("finding_id").str.split(":").list.last().alias("No."),
        pl.col("city_label").alias(col(ctx, "city")),
        _concerns().alias(col(ctx, "concerns")),
        pl.Series(col(ctx, "explanation"), explanations, dtype=pl.String),
        pl.col("quotes").alias(col(ctx, "quotes")),
    )


def redaction_summary(ctx: Context, code: str) -> pl.DataFrame:
    """The counts behind the redaction findings per city and document, with labelled columns."""
    frame = data.redaction_counts(ctx, code)
    names = {
        "value_redacted": {"findings": "redacted_kpi_rows", "names_redacted": "names_redacted",
                           "cells_redacted": "cells_redacted", "cells": "cells"},
        "stakeholder_redacted": {"findings": "redacted_stakeholders", "with_role": "with_role"},
    }[code]
    city = col(ctx, "city")
    return frame.with_columns(
        pl.col("city_id").replace_strict(ctx.city_names, default=pl.col("city_id")).alias(city),
    ).select([city, pl.col("doc_id").alias(col(ctx, "document"))] + [pl.col(k).alias(col(ctx, v)) for k, v in names.items()])


# ---------------------------------------------------------------------------------------------
# Tables with quotes


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
    `limit` characters with the full text in a <details> (and its tooltip). Of a table longer than
    `max_rows` a report prints the first tables.PRINTED_ROWS rows and carries every row, with its full
    quotes, for the CSV beside the report (present/tables.py).
    """
    source = source.strip()
    if not source:
        raise ValueError("a source (citation) is required")
    columns = frame.columns
    shown = tables.printed_rows(frame.height, max_rows=max_rows)
    head = "".join(f'<th style="text-align:left">{html.escape(c)}</th>' for c in columns)
    body, plain = [], ["\t".join(columns)]
    for row in frame.head(shown).iter_rows(named=True):
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
    rest = ""
    if shown < frame.height:
        rest = tables.long_table_parts(columns, frame.rows(), shown)
        plain.append(f"… {shown:,} / {frame.height:,}")
    figure = (
        f'<figure class="sdg-figure sdg-table-figure"><div class="sdg-table-wrap"{tables.scroll_style(frame.height, max_rows)}>'
        f'<table class="sdg-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{rest}'
        f'<figcaption class="sdg-source">{charts.source_html(source)}</figcaption></figure>'
    )
    table = {"text/html": figure, "text/plain": "\n".join(plain) + f"\n{charts.SOURCE_LABEL}{source}"}
    return table, {"sdgcities": {"kind": "table", "source": source}}


def show_quote_table(frame: pl.DataFrame, *, source: str, quote_column: str, max_rows: int = MAX_FINDING_ROWS) -> None:
    from IPython.display import display

    table, metadata = quote_table_bundle(frame, source=source, quote_column=quote_column, max_rows=max_rows)
    display(table, metadata=metadata, raw=True)
