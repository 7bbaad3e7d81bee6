"""The catalogues: every language has the same keys with the same fields, and every coded value the
database holds has a label in each."""

import pytest

from sdgcities.access import api
from sdgcities.present.words import MissingWordError, Words, catalogue, fields, languages


def test_there_are_catalogues_in_japanese_and_english():
    assert {"ja", "en"} <= set(languages())


@pytest.mark.parametrize("lang", ["en"])
def test_every_language_has_the_same_keys_and_fields_as_japanese(lang):
    ja, other = catalogue("ja"), catalogue(lang)
    assert sorted(set(ja) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(ja)) == [], f"only in {lang}"
    differing = {key: (fields(ja[key]), fields(other[key])) for key in ja if fields(ja[key]) != fields(other[key])}
    assert differing == {}


def test_a_template_is_filled_in_and_a_missing_key_or_field_is_named():
    words = Words("en")
    assert words.label("side", "economy") == "Economy"
    assert words.label("side", None) == "No side"
    with pytest.raises(MissingWordError, match="no key 'codes.side.sky'"):
        words.label("side", "sky")


# Columns whose values are codes, and the catalogue group that labels them.
CODED_COLUMNS = {
    ("kpis", "side"): "side",
    ("documents", "doc_type"): "doc_type",
    ("kpis", "direction"): "direction",
    ("kpi_observations", "kind"): "kind",
    ("stakeholders", "category"): "category",
    ("stakeholders", "relation"): "relation",
    ("priority_targets", "basis"): "basis",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_coded_value_in_the_database_has_a_label(lang):
    words = Words(lang)
    con = api.connect()
    try:
        missing = []
        for (view, column), group in CODED_COLUMNS.items():
            for (code,) in con.execute(f'select distinct "{column}" from main."{view}"').fetchall():
                if not words.has(f"codes.{group}.{'none' if code is None else code}"):
                    missing.append(f"{view}.{column} = {code!r}")
    finally:
        con.close()
    assert missing == []


# ---------------------------------------------------------------------------------------------
# No words outside the catalogues

import ast
import json
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sdgcities"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
# Bilingual pairs typed into code: ctx.t("…", "…"), say/heading with ja=/en=, {"ja": …, "en": …} dicts.
INLINE = re.compile(r"""\bctx\.t\(|\bnb\.(say|heading)\(|["']ja["']\s*:\s*[\[{("']""")
# Modules whose job is to hold or render words in both languages (catalogue machinery), or bilingual
# metadata that is data rather than prose (document titles come as title_ja / title_en columns).
ALLOWED = {"present/words.py"}


def _inline_words(text: str) -> list[str]:
    return [m.group(0) for m in INLINE.finditer(text)]


def test_no_bilingual_words_typed_into_the_code():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(PACKAGE))
        if rel in ALLOWED:
            continue
        hits = _inline_words(path.read_text(encoding="utf-8"))
        if hits:
            found[rel] = len(hits)
    for path in sorted(NOTEBOOKS.rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        hits = sum(len(_inline_words("".join(c["source"]))) for c in cells if c["cell_type"] == "code")
        if hits:
            found[str(path.relative_to(NOTEBOOKS))] = hits
    assert found == {}
    # The check sees a pair where there is one.
    assert _inline_words('x = ctx.t("はい", "yes"); y = {"ja": "経済", "en": "Economy"}') == ["ctx.t(", '"ja": "']
