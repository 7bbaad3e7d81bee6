"""The catalogues: every language has the same keys with the same fields, and every coded value the
database holds has a label in each."""

import pytest

from sdgcities.access import api
from sdgcities.present.words import CODE_GROUPS, MissingWordError, Words, catalogue, fields, languages, null_key


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
    # A count's word agrees with it: {n:?one|other}.
    assert [words("context.more_documents", n=n) for n in (1, 2)] == ["and 1 more document", "and 2 more documents"]
    with pytest.raises(ValueError, match=r"en 'findings.text.neither_intro' .* cannot be filled with \{'n': None\}"):
        words("findings.text.neither_intro", n=None)
    with pytest.raises(MissingWordError, match="no key 'codes.side.sky'"):
        words.label("side", "sky")


# Every coded column and the group that labels it: present/words.CODE_GROUPS (the reports and the codebook
# read the same map); words.null_key names the label of a NULL code.
# Codes that depend on another column (the rule) or sit in lists.
RULE_STATUS = "select distinct rule, status from kpi_rule_results where status is not null"
LIST_CODES = {("kpi_rule_results", "caveats"): "rules.caveat", ("kpi_rule_results", "unusable_problems"): "rules.problem"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_coded_value_in_the_database_has_a_label(lang):
    words = Words(lang)
    con = api.connect()
    try:
        missing = []
        for (view, column), group in CODE_GROUPS.items():
            null = null_key(group)
            for (code,) in con.execute(f'select distinct "{column}" from main."{view}"').fetchall():
                if not words.has(null if code is None else f"{group}.{code}"):
                    missing.append(f"{view}.{column} = {code!r}")
        for rule, status in con.execute(RULE_STATUS).fetchall():
            if not words.has(f"rules.status.{rule}.{status}"):
                missing.append(f"kpi_rule_results.status = {status!r} ({rule})")
        for (view, column), group in LIST_CODES.items():
            for (code,) in con.execute(f'select distinct unnest("{column}") from main."{view}"').fetchall():
                if not words.has(f"{group}.{code}"):
                    missing.append(f"{view}.{column} = {code!r}")
    finally:
        con.close()
    assert missing == []


def test_every_coded_column_of_the_dictionary_has_a_catalogue_group():
    from sdgcities.publish.datapackage import load_dictionary

    coded = {(view.name, column.name) for view in load_dictionary() for column in view.columns if column.codes}
    assert sorted(coded - set(CODE_GROUPS)) == []
    # ... and every code the dictionary lists has its label in both languages.
    for lang in ("ja", "en"):
        words = Words(lang)
        missing = [f"{view.name}.{column.name}={code}" for view in load_dictionary() for column in view.columns
                   for code in (column.codes or []) if not words.has(f"{CODE_GROUPS[(view.name, column.name)]}.{code}")]
        assert missing == [], lang


def test_every_code_the_build_can_write_has_a_label():
    """Not only the codes today's data holds: every code of the closed lists in the build."""
    from sdgcities.build.inputs.extraction_losses import AFFECTED_TABLES, LOSS_KINDS
    from sdgcities.build.models import progress
    from sdgcities.build.models.quality import FINDING_CODES

    for lang in ("ja", "en"):
        words = Words(lang)
        expected = [f"rules.name.{r}" for r in progress.RULE_NAMES] + [f"rules.formula.{r}" for r in progress.RULE_NAMES]
        expected += [f"rules.status.{r}.{s}" for r in progress.RULE_NAMES for s in progress.STATUS_CODES[r]]
        expected += [f"rules.reason.{c}" for c in progress.REASON_CODES]
        expected += [f"findings.code.name.{c}" for c in FINDING_CODES]
        expected += [f"profile.loss_kind.{k}" for k in LOSS_KINDS] + [f"codes.curated_table.{t}" for t in AFFECTED_TABLES]
        assert [key for key in expected if not words.has(key)] == [], lang


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
