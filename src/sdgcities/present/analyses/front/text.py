"""The front matter's narrative as catalogue keys and their parameters (present/catalogues/*/front.yaml):
the summary of findings, the warnings where the comparison sets unlike documents side by side, the
methods and the citation. The code chooses keys and passes numbers; the catalogue holds every word.

A Sentence keeps its numbers apart from the words, so tests compare them with the database; its
`section` is the code of the report section where the finding is developed (front.section.<code>).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sdgcities.present import marks
from sdgcities.present.notebook import Context
from sdgcities.present.analyses.front.data import REPORTS

RULES = ("progress", "ratio", "open_sdg", "un_cr")
CURATION_RULES = ("verbatim", "redacted", "fiscal_years", "repeats")

# Where each finding is developed, per report: the comparison report has its sections, the city report
# the city profile's.
SECTIONS = {
    "comparison": {"scope": "comparability", "period": "comparability", "actuals": "ambition", "tiers": "achievement",
                   "flips": "sensitivity", "published": "data_quality", "redacted": "comparability"},
    "city": {"scope": "comparability", "period": "comparability", "actuals": "profile_kpis", "tiers": "profile_kpis",
             "published": "profile_kpis", "redacted": "profile_missing"},
}


@dataclass(frozen=True)
class Sentence:
    """One catalogue sentence: its key, the numbers and names it states, and where it is developed."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    section: str | None = None

    def fill(self, ctx: Context) -> dict[str, Any]:
        """The template's fields: the params, and the section's name in the report's language."""
        extra = {"section": ctx.w(f"front.section.{self.section}")} if self.section else {}
        return {**self.params, **extra}

    def text(self, ctx: Context) -> str:
        return ctx.w(self.key, **self.fill(ctx))


def document_name(ctx: Context, doc_id: str) -> str:
    """A document as the reader knows it: its title in the report's language (the comparability table)."""
    meta = ctx.documents.get(doc_id, {})
    return meta.get("title_ja" if ctx.lang == "ja" else "title_en") or doc_id


def short_name(ctx: Context, doc_id: str) -> str:
    """A document in a sentence: its city, kind and date as printed ('Kaga plan (令和8年3月 策定)'); the
    table above gives its title. Made once per document and language (the warnings name a document
    about twice each: 3,800 names at 1,741 cities)."""
    key = ("front.short_name", ctx.lang, doc_id)
    if key not in ctx.memo:
        meta = ctx.documents.get(doc_id, {})
        ctx.memo[key] = ctx.w("front.warning.item_document", city=ctx.city(meta.get("city_id", "")),
                              doc_type=ctx.label("doc_type", meta.get("doc_type")), published=meta.get("published_label") or "")
    return ctx.memo[key]


def _join(ctx: Context, items: list[str], *, inner: bool = False) -> str:
    return ctx.w("front.warning.inner_separator" if inner else "front.warning.separator").join(items)


def _documents(ctx: Context, rows: pl.DataFrame) -> str:
    return _join(ctx, [short_name(ctx, d) for d in rows["doc_id"].to_list()])


def _cities(ctx: Context, rows: pl.DataFrame) -> str:
    return _join(ctx, [ctx.city(c) for c in rows["city_id"].unique(maintain_order=True).to_list()])


def period_label(ctx: Context, start: str | None, end: str | None) -> str:
    """The period of a document's figures, labels as printed (年度 kept): '2014年度 → 2030年度'. Made
    once per period and language (the table and the warnings name 1,700 periods at 1,741 cities, most of
    them alike)."""
    key = ("front.period_label", ctx.lang, start, end)
    if key not in ctx.memo:
        if start and end:
            ctx.memo[key] = ctx.w("front.table.period_value", start=start, end=end)
        elif end:
            ctx.memo[key] = ctx.w("front.table.period_open_start", end=end)
        elif start:
            ctx.memo[key] = ctx.w("front.table.period_open_end", start=start)
        else:
            ctx.memo[key] = ctx.w("front.table.no_period")
    return ctx.memo[key]


def _period_span(documents: pl.DataFrame) -> tuple[str, str] | None:
    """The earliest baseline label and the latest target label over the documents, as printed."""
    starts = documents.filter(pl.col("period_start_year").is_not_null()).sort("period_start_year", maintain_order=True)
    ends = documents.filter(pl.col("period_end_year").is_not_null()).sort("period_end_year", descending=True, maintain_order=True)
    if starts.is_empty() or ends.is_empty():
        return None
    return starts["period_start_label"][0], ends["period_end_label"][0]


def summary(ctx: Context, facts: dict[str, Any], report: str = "comparison") -> list[Sentence]:
    """The main findings, one sentence each, every number read from the models (data.facts)."""
    if report not in REPORTS:
        raise ValueError(f"report must be one of {REPORTS}, not {report!r}")
    where = SECTIONS[report]
    documents: pl.DataFrame = facts["documents"]
    kpis, tiers, flips = facts["kpis"], facts["tiers"], facts["flips"]
    with_kpis = documents.filter(pl.col("kpi_rows") > 0)
    counts = {"n_documents": documents.height, "n_kpi_documents": with_kpis.height,
              "kpi_rows": kpis["kpi_rows"], "repeat_rows": kpis["repeat_rows"]}
    if len(ctx.cities) == 1:
        key = "front.summary.scope_city_one_document" if documents.height == 1 else "front.summary.scope_city"
        sentences = [Sentence(key, {"city": ctx.city(ctx.cities[0]), **counts}, where["scope"])]
    else:
        sentences = [Sentence("front.summary.scope", {"n_cities": len(ctx.cities), **counts}, where["scope"])]
    span = _period_span(with_kpis)
    if span:
        sentences.append(Sentence("front.summary.period", {"start": span[0], "end": span[1]}, where["period"]))
    # Per city: a city prints actual values when any of its documents does.
    with_actual = with_kpis.filter(pl.col("has_actual_values"))
    without_actual = with_kpis.filter(~pl.col("city_id").is_in(with_actual["city_id"].to_list()))
    if with_kpis.height and without_actual.is_empty():
        sentences.append(Sentence("front.summary.actuals_all", {"rows_with_actual": kpis["rows_with_actual"]}, where["actuals"]))
    elif with_actual.height and marks.many_cities(ctx.cities):  # the cities counted, not named
        with_n, without_n = with_actual["city_id"].n_unique(), without_actual["city_id"].n_unique()
        sentences.append(Sentence("front.summary.actuals_some_many", {
            "with_actual": with_n, "without_actual": without_n, "n_cities": with_n + without_n,
            "rows_with_actual": kpis["rows_with_actual"]}, where["actuals"]))
    elif with_actual.height:
        sentences.append(Sentence("front.summary.actuals_some", {
            "with_actual": _cities(ctx, with_actual), "without_actual": _cities(ctx, without_actual),
            "rows_with_actual": kpis["rows_with_actual"]}, where["actuals"]))
    elif with_kpis.height:
        sentences.append(Sentence("front.summary.actuals_none", {"kpi_rows": kpis["kpi_rows"]}, where["actuals"]))
    if tiers["evaluated"]:
        sentences.append(Sentence("front.summary.tiers", dict(tiers), where["tiers"]))
    else:
        sentences.append(Sentence("front.summary.tiers_none", {}, where["tiers"]))
    if flips["judged"] and "flips" in where:
        sentences.append(Sentence("front.summary.flips", dict(flips), where["flips"]))
    if kpis["published_rates"]:
        sentences.append(Sentence("front.summary.published", {
            "rates": kpis["published_rates"], "reproduced": kpis["reproduced_rates"],
            "agree_progress": facts["agree_progress"]}, where["published"]))
    else:
        sentences.append(Sentence("front.summary.published_none", {}, where["published"]))
    if kpis["redacted_rows"]:
        sentences.append(Sentence("front.summary.redacted", {
            "redacted_rows": kpis["redacted_rows"], "kpi_rows": kpis["kpi_rows"],
            "share": kpis["redacted_rows"] / kpis["kpi_rows"]}, where["redacted"]))
    elif kpis["kpi_rows"]:
        sentences.append(Sentence("front.summary.redacted_none", {}, where["redacted"]))
    return sentences


@dataclass(frozen=True)
class Warning:
    """Where the compared documents differ: a code (front.warning.<code>) and the rows concerned."""

    code: str
    doc_ids: tuple[str, ...]
    numbers: dict[str, Any] = field(default_factory=dict)


def warnings(documents: pl.DataFrame) -> list[Warning]:
    """The warnings the comparability rows call for (city_comparability columns; any frame with them).
    None when the documents are alike: one kind, one publication year, one period, actual values in
    every document with KPI rows, nothing redacted."""
    found: list[Warning] = []
    ids = lambda frame: tuple(frame["doc_id"].to_list())  # noqa: E731
    if documents["doc_type"].n_unique() > 1:
        found.append(Warning("doc_types", ids(documents), {"n": documents["doc_type"].n_unique()}))
    years = documents.filter(pl.col("published_year").is_not_null()).sort("published_year", maintain_order=True)
    if years["published_year"].n_unique() > 1:
        found.append(Warning("published_years", (years["doc_id"][0], years["doc_id"][-1]),
                             {"span": int(years["published_year"][-1] - years["published_year"][0])}))
    with_kpis = documents.filter(pl.col("kpi_rows") > 0)
    periods = with_kpis.select("period_start_label", "period_end_label").unique()
    if periods.height > 1:
        found.append(Warning("periods", ids(with_kpis)))
    # Only the documents with redacted rows, in the table's order (a few hundred of 1,743 at 1,741 cities).
    redacted = with_kpis.filter(pl.col("redacted_rows").is_not_null() & (pl.col("redacted_rows") != 0))
    for doc_id, kpi_rows, redacted_rows, share in redacted.select("doc_id", "kpi_rows", "redacted_rows", "redacted_share").iter_rows():
        numbers = {"kpi_rows": kpi_rows, "redacted_rows": redacted_rows, "share": share}
        found.append(Warning("fully_redacted" if redacted_rows == kpi_rows else "partly_redacted", (doc_id,), numbers))
    with_actual = with_kpis.filter(pl.col("has_actual_values"))
    if 0 < with_actual.height < with_kpis.height:
        found.append(Warning("actuals", ids(with_actual), {"without": ids(with_kpis.filter(~pl.col("has_actual_values")))}))
    no_kpis = documents.filter(pl.col("kpi_rows") == 0)
    if no_kpis.height:
        found.append(Warning("no_kpis", ids(no_kpis)))
    return found


def warning_sentence(ctx: Context, warning: Warning, documents: pl.DataFrame,
                     rows: dict[str, dict[str, Any]] | None = None) -> Sentence:
    """The catalogue sentence of a warning, its names filled in from the comparability rows (rows: those
    rows by doc_id, made once by the caller of many warnings)."""
    if rows is None:
        rows = {row["doc_id"]: row for row in documents.iter_rows(named=True)}
    subset = lambda docs: documents.filter(pl.col("doc_id").is_in(list(docs)))  # noqa: E731
    key = f"front.warning.{warning.code}"
    if warning.code == "doc_types":
        kinds: dict[str, list[str]] = {}  # per city, its kinds of document in the table's order
        for doc in warning.doc_ids:
            label = ctx.label("doc_type", rows[doc]["doc_type"])
            kinds.setdefault(rows[doc]["city_id"], [])
            if label not in kinds[rows[doc]["city_id"]]:
                kinds[rows[doc]["city_id"]].append(label)
        items = [ctx.w("front.warning.item_doc_type", city=ctx.city(c), doc_types=_join(ctx, k, inner=True))
                 for c, k in kinds.items()]
        return Sentence(key, {"n": warning.numbers["n"], "items": _join(ctx, items)})
    if warning.code == "published_years":
        first, last = warning.doc_ids
        return Sentence(key, {"span": warning.numbers["span"], "first": short_name(ctx, first), "last": short_name(ctx, last)})
    if warning.code == "periods":
        items = [ctx.w("front.warning.item_period", document=short_name(ctx, d),
                       period=period_label(ctx, rows[d]["period_start_label"], rows[d]["period_end_label"]))
                 for d in warning.doc_ids]
        return Sentence(key, {"items": _join(ctx, items)})
    if warning.code in ("fully_redacted", "partly_redacted"):
        return Sentence(key, {"document": short_name(ctx, warning.doc_ids[0]), **warning.numbers})
    if warning.code == "actuals":
        return Sentence(key, {"with_actual": _documents(ctx, subset(warning.doc_ids)),
                              "without_actual": _documents(ctx, subset(warning.numbers["without"]))})
    return Sentence(key, {"items": _documents(ctx, subset(warning.doc_ids))})


def warning_sentences(ctx: Context, documents: pl.DataFrame) -> list[Sentence]:
    """Every warning as a sentence, or the one sentence that says there is nothing to warn about. With
    many cities, one sentence per kind of warning, in counts (pooled_warning_sentences)."""
    found = warnings(documents)
    if not found:
        return [Sentence("front.warning.none")]
    if marks.many_cities(ctx.cities):
        return pooled_warning_sentences(ctx, found, documents)
    # The rows by doc_id once, not once per warning (a warning per redacted document: 1,700 at 1,741 cities),
    # with the columns warning_sentence reads.
    rows = {row["doc_id"]: row for row in documents.select(
        "doc_id", "city_id", "doc_type", "period_start_label", "period_end_label").iter_rows(named=True)}
    return [warning_sentence(ctx, w, documents, rows) for w in found]


# The most common periods a pooled warning names (the others are counted).
POOLED_PERIODS = 5


def pooled_warning_sentences(ctx: Context, found: list[Warning], documents: pl.DataFrame) -> list[Sentence]:
    """The warnings of many cities, one sentence per kind in counts: a sentence naming every city's kinds
    and periods, or one sentence per redacted document, would run to pages (345 sentences at 1,741
    cities). The redacted documents are listed in a table instead (redacted_documents_table)."""
    sentences: list[Sentence] = []
    redacted = [w for w in found if w.code in ("fully_redacted", "partly_redacted")]
    for warning in found:
        if warning.code == "doc_types":
            counts = documents.group_by("doc_type").len().sort(["len", "doc_type"], descending=[True, False])
            items = [ctx.w("front.warning.item_kind_count", doc_type=ctx.label("doc_type", kind), count=count)
                     for kind, count in counts.rows()]
            sentences.append(Sentence("front.warning.doc_types_many",
                                      {"documents": documents.height, "n": counts.height, "items": _join(ctx, items)}))
        elif warning.code == "periods":
            with_kpis = documents.filter(pl.col("doc_id").is_in(list(warning.doc_ids)))
            counts = (with_kpis.group_by("period_start_label", "period_end_label").len()
                      .sort(["len", "period_start_label", "period_end_label"], descending=[True, False, False], nulls_last=True))
            items = [ctx.w("front.warning.item_period_count", period=period_label(ctx, start, end), count=count)
                     for start, end, count in counts.head(POOLED_PERIODS).rows()]
            sentences.append(Sentence("front.warning.periods_many", {"n": counts.height, "items": _join(ctx, items)}))
        elif warning.code in ("fully_redacted", "partly_redacted"):
            if warning is redacted[0]:  # one sentence for all of them, where the first stood
                sentences.append(Sentence("front.warning.redacted_many", {
                    "documents": len(redacted), "fully": sum(w.code == "fully_redacted" for w in redacted),
                    "redacted_rows": sum(w.numbers["redacted_rows"] for w in redacted),
                    "kpi_rows": sum(w.numbers["kpi_rows"] for w in redacted)}))
        elif warning.code == "actuals":
            with_actual, without = len(warning.doc_ids), len(warning.numbers["without"])
            sentences.append(Sentence("front.warning.actuals_many",
                                      {"documents": with_actual + without, "with_actual": with_actual, "without_actual": without}))
        elif warning.code == "no_kpis":
            sentences.append(Sentence("front.warning.no_kpis_many", {"n": len(warning.doc_ids)}))
        else:  # names two documents whatever the number of cities (published_years)
            sentences.append(warning_sentence(ctx, warning, documents))
    return sentences


def check_lines(sentences: list[Sentence], found: list[Warning]) -> str:
    """Codes and numbers of the summary and the warnings, one line each (the notebook's checked output):
    numbers only, never words, so the check holds in every language."""
    lines = []
    for sentence in sentences:
        # Numbers, and the period's year labels (data as printed, the same in every language).
        numbers = {k: v for k, v in sentence.params.items()
                   if (isinstance(v, (int, float)) and not isinstance(v, bool)) or k in ("start", "end")}
        shown = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(numbers.items()))
        lines.append(f"summary {sentence.key.rsplit('.', 1)[1]} {shown} section={sentence.section}".replace("  ", " "))
    for warning in found:
        lines.append(f"warning {warning.code} {','.join(warning.doc_ids)}")
    return "\n".join(lines)


def methods_keys() -> dict[str, list[str]]:
    """The catalogue paragraphs of the methods section, by subsection (the rules are a table)."""
    return {
        "counting": ["front.methods.counting"],
        "rules": ["front.methods.rules_intro"],
        "audit": ["front.methods.audit"],
        "curation": [f"front.methods.curation.{rule}" for rule in CURATION_RULES],
    }


def citation(ctx: Context) -> dict[str, str]:
    """The dataset version of the database the notebook reads (its build_info) and of the code now,
    and the citation text (sdgcities.publish.version)."""
    from sdgcities.publish.version import DatasetVersion, citation_text, git_commit

    (inputs_sha256,) = ctx.con.sql("select inputs_sha256 from build_info").fetchall()[0]
    version = DatasetVersion(inputs_sha256=inputs_sha256, commit=git_commit())
    return {"version": version.short, "citation": citation_text(version, ctx.lang)}
