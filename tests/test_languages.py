"""One language per report: the Japanese reports hold no English sentence and the English reports no
untranslated Japanese label (issue 9, rule 1).

What is checked is the text a reader sees as words of the report: headings, paragraphs, table headers,
figure and source markers, the contents, and the titles of charts (read from their specs). What is
data is left out, because it is printed as the documents print it:

* table cells (<td>): names of cities, partners, indicators, quotes and curator notes as printed;
* the numbered source lists (document titles and sections as printed);
* code, scripts and styles, and elements marked as data (class "sdg-data" or attribute data-verbatim);
* in an English report, Japanese inside quotation brackets (「…」, 『…』): a quote as printed.

An English sentence (or label), in a Japanese report, is a run of at least three English words (letters
only, not all capitals, at least one of three letters or more): short codes (KPI, SDG, UN CR), identifiers
(published_rate_unreproduced, kaga_plan_2026), numbers, units and URLs are not words. A Japanese label,
in an English report, is any Japanese character (kana or kanji) outside the data above.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

LANGUAGES = ("ja", "en")
REPORTS = ("comparison", "hiratsuka", "kaga", "kumamoto")
MIN_ENGLISH_WORDS = 3

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ]")
_QUOTED = re.compile(r"「[^「」]*」|『[^『』]*』")
_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\S+")
# Between two words of a sentence: spaces and the punctuation of running text.
_JOINER = re.compile(r"^[\s,;:()\"'“”‘’]*$")


def _chart_titles(spec) -> list[str]:
    """The titles and subtitles in a Vega-Lite spec (chart, axes, legends), which the reader sees."""
    found: list[str] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "subtitle", "text") and isinstance(value, str):
                found.append(value)
            elif key in ("title", "subtitle") and isinstance(value, list):
                found.extend(str(v) for v in value)
            elif key not in ("data", "datasets", "values", "transform", "scale", "condition"):
                found.extend(_chart_titles(value))
    elif isinstance(spec, list):
        for value in spec:
            found.extend(_chart_titles(value))
    return found


def visible_text(page: str) -> list[str]:
    """The report's own words, one string per text node (see the module docstring)."""
    soup = BeautifulSoup(page, "html.parser")
    texts: list[str] = []
    for script in soup.select("script.sdg-chart-spec"):
        try:
            texts.extend(_chart_titles(json.loads(script.string or "")))
        except ValueError:
            pass
    for tag in soup.select("head, script, style, noscript, template, code, pre, td, aside.sdg-sources, "
                           ".sdg-data, [data-verbatim]"):
        tag.decompose()
    body = soup.body or soup
    texts.extend(s for s in (" ".join(str(node).split()) for node in body.find_all(string=True)) if s)
    return texts


def _is_word(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z'’\-]*", token))


def english_sentences(texts: list[str]) -> list[str]:
    """Runs of at least MIN_ENGLISH_WORDS English words (a sentence or a label in English)."""
    found = []
    for text in texts:
        text = _URL.sub(" ", text)
        run: list[str] = []
        last_end = 0

        def flush() -> None:
            words = [w for w in run if _is_word(w) and not w.isupper()]
            if len(words) >= MIN_ENGLISH_WORDS and any(len(w) >= 3 for w in words):
                found.append(" ".join(run))

        for match in _TOKEN.finditer(text):
            token = match.group(0)
            between = text[last_end:match.start()]
            last_end = match.end()
            if _is_word(token) and (not run or _JOINER.match(between)):
                run.append(token)
            else:
                flush()
                run = [token] if _is_word(token) else []
        flush()
    return found


# A Japanese term glossing the English words before it: "achievement rate (達成度)".
_GLOSS = re.compile(r"(?<=[A-Za-z)]) ?[（(][\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々・、, ]+[)）]")


def japanese_labels(texts: list[str]) -> list[str]:
    """Text holding Japanese outside quotation brackets and glosses of the English before them."""
    return [text for text in texts if _JAPANESE.search(_GLOSS.sub("", _QUOTED.sub("", text)))]


def problems(page: str, lang: str) -> list[str]:
    texts = visible_text(page)
    return english_sentences(texts) if lang == "ja" else japanese_labels(texts)


# ---------------------------------------------------------------------------------------------
# The detector on small pages
# ---------------------------------------------------------------------------------------------


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>English title ignored here</title></head><body>{body}</body></html>"


def test_an_english_sentence_in_a_japanese_page_is_found():
    assert problems(page("<p>達成度は 62% です。</p><p>The rate was not published by the city.</p>"), "ja") == [
        "The rate was not published by the city"]
    assert problems(page("<h2>Data quality findings</h2><p>本文</p>"), "ja") == ["Data quality findings"]
    spec = json.dumps({"title": {"text": "Share of KPIs with an actual value"}, "mark": "bar"})
    assert problems(page(f'<script type="application/json" class="sdg-chart-spec">{spec}</script>'), "ja") == [
        "Share of KPIs with an actual value"]


def test_codes_numbers_units_and_data_are_not_english_sentences():
    allowed = page(
        "<p>KPI 18行、SDG 11.3、UN CR、Open SDG、CO2 12.5 t、published_rate_unreproduced（kaga_plan_2026）</p>"
        "<p>https://example.org/a/very/long/path/with/many/words</p>"
        "<table><tr><th>指標</th></tr><tr><td>Number of visitors to the city museum</td></tr></table>"
        "<aside class='sdg-sources'><ol><li>Kaga City smart city plan summary edition</li></ol></aside>"
        "<p>注記: <span class='sdg-data'>per-side priority tables of 1.1 (3)</span></p>"
    )
    assert problems(allowed, "ja") == []


def test_a_japanese_label_in_an_english_page_is_found():
    assert problems(page("<h2>Coverage</h2><p>The city lists 18 KPIs.</p><th>側面</th>"), "en") == ["側面"]
    assert problems(page("<p>Status: 達成</p>"), "en") == ["Status: 達成"]
    # A gloss after its English words is not a label; a Japanese word standing for one is.
    assert problems(page("<p>The achievement rate (達成度) is printed.</p>"), "en") == []
    assert problems(page("<p>Published 達成度 (%)</p>"), "en") == ["Published 達成度 (%)"]


def test_quotes_names_in_cells_and_sources_are_not_japanese_labels():
    allowed = page(
        "<p>The plan names the indicator 「観光入込客数」 as printed.</p>"
        "<table><tr><th>Partner</th></tr><tr><td>平塚商工会議所青年部</td></tr></table>"
        "<aside class='sdg-sources'><ol><li>加賀市 第3期SDGs未来都市計画</li></ol></aside>"
        "<p><span data-verbatim>加賀市</span> (Kaga)</p>"
    )
    assert problems(allowed, "en") == []


# ---------------------------------------------------------------------------------------------
# The real reports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("report", REPORTS)
def test_a_report_speaks_one_language(report_suite, lang, report):
    path = Path(report_suite["folder"]) / lang / f"{report}.html"
    found = problems(path.read_text(encoding="utf-8"), lang)
    kind = "English sentences" if lang == "ja" else "untranslated Japanese labels"
    shown = "\n".join(f"  {text[:160]}" for text in sorted(set(found)))
    assert not found, f"{lang}/{report}.html: {len(set(found))} {kind}:\n{shown}"
