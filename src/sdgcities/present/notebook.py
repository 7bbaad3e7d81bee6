"""What every notebook needs: parameter checks, a read-only connection, labels in the chosen language,
narrative text and citations.

A notebook's first code cell (tagged `parameters`) holds its typed defaults; the next one calls
`setup(...)`, which checks every parameter before any query that uses it and raises
UnknownValueError naming the bad value and the valid ones.
"""

from __future__ import annotations

import re

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sdgcities.access import api
from sdgcities.present import BUILD_MIME_TYPE  # the (invisible) output naming the build a notebook read
from sdgcities.access.api import UnknownValueError
from sdgcities.present.htmlsafe import markdown_text
from sdgcities.present.words import Words

LANGS = ("ja", "en")
SIDE_CHOICES = ("all", "economy", "society", "environment")
LEVELS = ("goal", "target")
PAIRS = ("economy-environment", "economy-society", "society-environment")

SIDE_ORDER = ("economy", "society", "environment", "integrated", None)
MAX_CITED_DOCUMENTS = 12


def check_choice(parameter: str, value: Any, valid: Sequence[Any]) -> Any:
    """Return value if it is one of valid, else raise UnknownValueError naming it and the valid ones."""
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value not in valid:
        raise UnknownValueError(parameter, value, valid)
    return value


class DuplicateParameterWarning(UserWarning):
    """A parameter list named the same thing twice; it is counted once."""


def unique_cities(con: Any, cities: Sequence[str] | str | None) -> tuple[list[str], str | None]:
    """The checked city ids without repeats (names accepted: `加賀市`, `Kaga`), and a note when the
    parameter named a city more than once; every notebook gets its cities from here, so no analysis
    ever counts a city twice."""
    if cities is None:
        return api.valid_cities(con), None
    given = [cities] if isinstance(cities, str) else cities
    checked = api.check_cities(con, cities)
    note = None
    if isinstance(given, (list, tuple)) and len(checked) < len(given):
        note = f"cities: {list(given)!r} names a city more than once; each city is counted once: {checked!r}"
    return checked, note


@dataclass
class Context:
    """The checked parameters of a notebook run and what they imply."""

    con: Any
    cities: list[str]
    lang: str
    city_names: dict[str, str] = field(default_factory=dict)
    goal_names: dict[int, str] = field(default_factory=dict)
    goal_colours: dict[int, str] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # frames several sections of one run read, computed once (keys name their module)
    every_city: bool = False  # the run compares every city of the database (the cities parameter was None)

    @property
    def cities_param(self) -> list[str] | None:
        """The selected cities as the value of a query's $cities, which the queries read as
        `($cities is null or list_contains($cities, city_id))`: NULL when the run compares every city of
        the database, so that no filter is bound and tested (a list of 1,741 ids costs about 4 ms a
        query, most of a query on a per-city model)."""
        return None if self.every_city else list(self.cities)

    @property
    def words(self) -> Words:
        """The catalogue of the notebook's language (present/catalogues/<lang>/), made once per language (a
        report calls it for every sentence: 20,000 times at 1,741 cities)."""
        cached = self.memo.get("notebook.words")
        if cached is None or cached.lang != self.lang:
            cached = self.memo["notebook.words"] = Words(self.lang)
        return cached

    def w(self, key: str, /, **params: Any) -> str:
        """A catalogue entry in the notebook's language, its fields filled in."""
        return self.words(key, **params)

    def printed(self, text: str) -> str:
        """Wording as the documents print it, for text outside Markdown (chart titles): in a report not
        in Japanese, Japanese is quoted 「…」 so that it reads as the document's words, not ours."""
        if self.lang == "ja" or not text or not _JAPANESE.search(text):
            return text
        return f"「{text}」"

    def label(self, group: str, code: Any) -> str:
        """The label of a coded value in the notebook's language (`side`, `rules.tier` ...)."""
        return self.words.label(group, code)

    def city(self, city_id: str) -> str:
        return self.city_names.get(city_id, city_id)

    def side(self, side: str | None) -> str:
        return self.label("side", side)

    def goal(self, goal: int, *, short: bool = False) -> str:
        prefix = f"{goal}" if short else f"{goal}. {self.goal_names.get(goal, '')}"
        return prefix if short else prefix.strip()

    def city_order(self) -> list[str]:
        """City labels in the order of the cities parameter (for chart scales)."""
        return [self.city(c) for c in self.cities]

    def source(self, frame: pl.DataFrame | None = None, *, doc_ids: Iterable[str] = (), sections: bool = True) -> str:
        """A citation of the documents (and sections) a table or chart draws on.

        With a frame, the documents are its doc_id values and the sections its section values.
        """
        by_doc: dict[str, set[str]] = {}
        has_section = False
        if frame is not None and "doc_id" in frame.columns:
            has_section = sections and "section" in frame.columns
            by_doc = {doc: set() for doc in frame["doc_id"].unique().to_list()}
        for doc in doc_ids:
            by_doc.setdefault(doc, set())
        parts = []
        # By city, then id: documents the database does not list (city "") first. The order of every document is
        # made once per run (a report cites 1,743 documents a dozen times at 1,741 cities).
        rank = self._document_rank()
        ordered = sorted(d for d in by_doc if d not in rank) + sorted((d for d in by_doc if d in rank), key=rank.__getitem__)
        # With hundreds of cities a full list would bury the chart: name the first ones and count the rest.
        shown_docs, hidden = ordered[:MAX_CITED_DOCUMENTS], len(ordered) - MAX_CITED_DOCUMENTS
        if has_section:  # the sections of the documents named only (a frame may hold 20,000 rows)
            for doc, section in frame.filter(pl.col("doc_id").is_in(shown_docs)).select("doc_id", "section").unique().iter_rows():
                if section:
                    by_doc[doc].add(section)
        for doc in shown_docs:
            meta = self.documents.get(doc, {})
            title = meta.get("title_ja" if self.lang == "ja" else "title_en", doc)
            date = meta.get("published_label", "")
            text = f"{title} ({date}) [{doc}]"
            found = sorted(by_doc[doc])
            if found:
                shown = "; ".join(found[:4]) + (self.w("context.more_sections", n=len(found) - 4) if len(found) > 4 else "")
                text += f" — {shown}"
            parts.append(text)
        if hidden > 0:
            parts.append(self.w("context.more_documents", n=hidden))
        return " / ".join(parts) if parts else self.w("context.curated_database")


    def _document_rank(self) -> dict[str, int]:
        """Each listed document's position when sorted by (city_id, doc_id)."""
        key = ("notebook.document_rank", id(self.documents), len(self.documents))
        if key not in self.memo:
            ordered = sorted(self.documents, key=lambda d: (self.documents[d].get("city_id", ""), d))
            self.memo[key] = {doc: position for position, doc in enumerate(ordered)}
        return self.memo[key]


def setup(*, cities: Sequence[str] | str | None = None, lang: str = "ja", database: str | Path | None = None) -> Context:
    """Check the common parameters, open the database read-only and set up charts."""
    check_choice("lang", lang, LANGS)
    con = api.connect(database)
    checked, note = unique_cities(con, cities)
    if note:
        import warnings

        warnings.warn(note, DuplicateParameterWarning, stacklevel=2)
    _record_build(con)
    documents = {row["doc_id"]: row for row in api.documents(con).iter_rows(named=True)}
    city_frame = api.cities(con)
    name_column = "name_ja" if lang == "ja" else "name_en"
    city_names = dict(zip(city_frame["city_id"], city_frame[name_column]))
    # Japan has homonymous cities (府中市 in Tokyo and in Hiroshima): add the prefecture to keep them apart.
    prefecture_column = "prefecture_ja" if lang == "ja" else "prefecture_en"
    prefectures = dict(zip(city_frame["city_id"], city_frame[prefecture_column]))
    counts: dict[str, int] = {}
    for name in city_names.values():
        counts[name] = counts.get(name, 0) + 1
    city_names = {c: (f"{n} ({prefectures[c]})" if counts[n] > 1 else n) for c, n in city_names.items()}
    if len(set(city_names.values())) < len(city_names):  # same name in the same prefecture: fall back to the id
        city_names = {c: f"{n} [{c}]" for c, n in city_names.items()}
    goals = api.sdg_goals(con)
    goal_names = dict(zip(goals["goal"], goals[name_column]))
    goal_colours = dict(zip(goals["goal"], goals["colour"]))
    from sdgcities.present import charts

    charts.register_fonts()
    charts.enable_theme()
    return Context(con, list(checked), lang, city_names, goal_names, goal_colours, documents, every_city=cities is None)


def _record_build(con: Any) -> None:
    """Leave the id of the build this notebook reads in its output (invisible; the report run checks
    that every notebook of a report read the same build)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is None:
        return
    display({BUILD_MIME_TYPE: {"build_id": api.build_id(con)}, "text/plain": ""}, metadata={"sdgcities": {"kind": "build"}}, raw=True)


DATA_SPAN = '<span class="sdg-data"'  # data as printed, inside the report's own words
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ]")


def _filled(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Template values made safe for Markdown. In a report that is not in Japanese, a text value
    holding Japanese is data as printed (a name, an indicator, a year label such as 2020年度): it is
    marked as such (lang="ja"), so readers, screen readers and the language check tell it from the
    report's own words."""
    safe: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            value = markdown_text(value)
            if ctx.lang != "ja" and _JAPANESE.search(value):
                value = f'{DATA_SPAN} lang="ja">{value}</span>'
        safe[key] = value
    return safe


def show_markdown(text: str) -> None:
    """display(Markdown(text)), the same output bundle, without IPython's formatter pass: it tries a dozen
    MIME types on every object, most of the cost of a paragraph when a report writes hundreds of them
    (a warning per document at 1,741 cities)."""
    from IPython.display import Markdown, display

    markdown = Markdown(text)
    display({"text/markdown": markdown._repr_markdown_(), "text/plain": repr(markdown)}, raw=True)


def write(ctx: Context, key: str, /, **params: Any) -> None:
    """Narrative text from the catalogue (Markdown). The template is ours; the values filled into it
    come from the data, so text values are made inert first and numbers are formatted by the
    template's own format specs."""
    from IPython.display import display

    text = ctx.w(key, **_filled(ctx, params))
    if DATA_SPAN not in text:
        show_markdown(text)
        return
    # Marked data must reach the page as one element; nbconvert's Markdown path (with embedded images)
    # renders inline tags one by one and would empty the span, so the paragraph goes out as HTML too.
    import mistune

    plain = re.sub(r'<span class="sdg-data" lang="ja">(.*?)</span>', r"\1", text, flags=re.S)
    display({"text/html": mistune.html(text), "text/markdown": plain, "text/plain": plain}, raw=True)


def title(ctx: Context, key: str, /, level: int = 2, **params: Any) -> None:
    """A section heading from the catalogue (picked up by the table of contents)."""
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 6:
        raise ValueError(f"level must be a whole number 1-6, not {level!r}")
    show_markdown(f"{'#' * level} {ctx.w(key, **_filled(ctx, params))}")
