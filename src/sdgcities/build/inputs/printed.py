"""Reading the numbers, SDG targets and dates a quote prints, as whole tokens.

A curated value is only trusted when its quote prints it as a whole: `2` must not be found inside
`2023` or `29`, `0.6` not inside `40.6`, and `118` is not `-118`. These functions split a quote into
the numbers it prints (sign, thousands commas and decimals kept, full-width forms and the ▲/△
accounting minus read as a minus) so that a value can be compared with them by equality.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from sdgcities.build.inputs.parsing import strip_whitespace

MINUS_SIGNS = "-−－‐‒–—▲△"
# A number as printed: thousands groups of exactly three digits, or a plain run of digits; optional
# decimals. The look-arounds make it whole: no digit, latin letter or decimal point glued to its left
# (`CO2`, `H30`, `.5`), no digit to its right, and not the goal of a lettered target (`11.b`).
_NUMBER_TOKEN = re.compile(
    r"(?<![0-9A-Za-z.])(?P<sign>[" + re.escape(MINUS_SIGNS) + r"+]?)"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]\d)|\d+(?:\.\d+)?(?!\d))(?!\.[A-Za-z])"
)
_SUBSCRIPT_TAG = re.compile(r"<su[bp]>[^<]*</su[bp]>")  # CO<sub>2</sub>, m<sup>2</sup> as extracted from HTML tables
_SUPERSCRIPTS = str.maketrans({c: "^" for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"})
_ANY_SUPERSCRIPT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
# Digits directly followed by one of these are part of a date (2017年度, 8月, 19日), not a value.
_DATE_SUFFIX = re.compile(r"\s*(年|月|日)")
_TARGET_TOKEN = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2}|[a-z])(?![\d])")
_ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_WESTERN_DATE = re.compile(r"(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?")
# Era dates are printed with kanji (令和2年12月10日) or as dotted abbreviations (R2.12.10).
_ERA_DATE = re.compile(r"(?P<era>令和|平成|昭和|R|H|S)(?P<year>元|\d{1,2})(?:年|\.)?(?:(?P<month>\d{1,2})(?:月|\.)?(?:(?P<day>\d{1,2})日?)?)?")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
# A year label of a KPI cell: 2017年度, 2021年, 2025年8月, 令和3年度 (nothing before or after).
YEAR_LABEL = re.compile(r"(?P<western>\d{4})年(?:度|(?P<month>\d{1,2})月)?|(?P<era>令和|平成|昭和)(?P<era_year>元|\d{1,2})年度?")
YEAR_RANGE = (1900, 2100)


# The same quotes are normalised and read by several rules: the caches hold every quote of a large
# build (about 200,000 rows at 1,741 cities), as a smaller cache read row after row keeps nothing.
_CACHE_SIZE = 1 << 18


@lru_cache(maxsize=_CACHE_SIZE)
def normalise(text: str) -> str:
    """NFKC (full-width digits, commas and minus become ASCII); ▲ and △ stay as they are."""
    # is_normalized is much faster than normalize, and most quotes are already in NFKC.
    if unicodedata.is_normalized("NFKC", text):
        return text
    if len(text) < _LONG_TEXT:
        return unicodedata.normalize("NFKC", text)
    return _CHANGING.sub(_normalise_match, text)


def _stable_spans() -> str:
    """A character class of the characters NFKC leaves as they are whatever surrounds them: NFKC-normal on
    their own, no combining class, and never the second character of a composition (checked against every
    canonical decomposition of Unicode: no such character lies in these blocks but the combining marks,
    which have a combining class). Within ASCII, CJK punctuation, kana and the CJK ideographs."""
    spans, start = [], None
    for low, high in ((0x20, 0x7F), (0x2010, 0x2C00), (0x3001, 0x3100), (0x3400, 0x4DC0), (0x4E00, 0xA000)):
        for code in range(low, high + 1):
            stable = code < high and unicodedata.combining(chr(code)) == 0 and unicodedata.normalize("NFKC", chr(code)) == chr(code)
            if stable and start is None:
                start = code
            elif not stable and start is not None:
                spans.append((start, code - 1))
                start = None
    return "\t\n\r" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in spans)


# A document (thousands of characters) is normalised piece by piece: NFKC splits text before any stable
# character, so only the runs of other characters (with the character before them, which they may compose
# with) need normalize; the rest is copied. Same result as normalize on the whole (tests/test_parsing.py),
# in half the time at 1,741 documents.
_LONG_TEXT = 2000
_CHANGING = re.compile(".?[^" + _stable_spans() + "]+", re.DOTALL)


def _normalise_match(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group())


@lru_cache(maxsize=_CACHE_SIZE)
def squeeze(text: str) -> str:
    """NFKC and no whitespace: the form quotes and documents are compared in."""
    return strip_whitespace(normalise(text))


def normalise_number(printed: str) -> str:
    """A printed number in the form tokens are compared in: no whitespace, one minus sign '-'."""
    text = squeeze(printed)
    if text and text[0] in MINUS_SIGNS:
        text = "-" + text[1:]
    return text


@lru_cache(maxsize=_CACHE_SIZE)
def number_tokens(text: str) -> tuple[str, ...]:
    """Every whole number a text prints, normalised (`▲587` → `-587`), dates left out.

    A minus sign only counts as a sign when nothing alphanumeric is glued to its left: in `2019-2021`
    or `千t-CO2` it is a dash. Superscripts and subscripts are parts of units (`m ²`, `CO<sub>2</sub>`),
    not numbers.
    """
    # Both replacements are skipped when there is nothing to replace (most quotes): faster, same result.
    if _ANY_SUPERSCRIPT.search(text):
        text = text.translate(_SUPERSCRIPTS)
    if "<su" in text:
        text = _SUBSCRIPT_TAG.sub("^", text)
    text = normalise(text)
    tokens = []
    for match in _NUMBER_TOKEN.finditer(text):
        if _DATE_SUFFIX.match(text, match.end()):
            continue
        sign = match.group("sign")
        if sign and match.start() > 0 and text[match.start() - 1].isalnum():
            sign = ""
        prefix = "-" if sign and sign != "+" else sign
        tokens.append(prefix + match.group("number"))
    return tuple(tokens)


# Narrative prose prints a target as "ゴール 7 ターゲット a" rather than "7.a".
_SPELLED_TARGET = re.compile(r"ゴール\s*(\d{1,2})\s*ターゲット\s*(\d{1,2}|[a-z])(?![0-9a-z])")


def target_tokens(text: str) -> set[str]:
    """The SDG target ids a text prints (`11.2`, `12.b`, or spelled out as `ゴール 7 ターゲット a`);
    `40.6` is read too but matches no target."""
    text = normalise(text)
    return {f"{goal}.{tail}" for goal, tail in _TARGET_TOKEN.findall(text) + _SPELLED_TARGET.findall(text)}


def label_in_text(label: str, text: str) -> bool:
    """Whether a year label is printed in a text, whitespace aside, as a whole: `2030年度` is not
    found in `12030年度`, and `2030年` is not found in `2030年度`."""
    needle, haystack = squeeze(label), squeeze(text)
    start = haystack.find(needle)
    while start >= 0:
        before = haystack[start - 1] if start > 0 else ""
        after = haystack[start + len(needle) : start + len(needle) + 1]
        glued_before = before.isdigit() or (before in MINUS_SIGNS and before != "")
        glued_after = (needle.endswith("年") and after == "度") or (needle[-1:].isdigit() and after.isdigit())
        if not glued_before and not glued_after:
            return True
        start = haystack.find(needle, start + 1)
    return False


def year_of_label(label: str) -> int | None:
    """The year of a well-formed year label, or None when the label is not one."""
    match = YEAR_LABEL.fullmatch(strip_whitespace(normalise(label)))
    if not match:
        return None
    if match.group("month") and not 1 <= int(match.group("month")) <= 12:
        return None
    if match.group("western"):
        return int(match.group("western"))
    era_year = match.group("era_year")
    return _ERA_START[match.group("era")] + (1 if era_year == "元" else int(era_year))


def parse_date_label(label: str) -> tuple[int, ...] | None:
    """A printed date as (year,), (year, month) or (year, month, day) at the precision it is printed.

    `2018年11月19日` → (2018, 11, 19); `2020年 1月` → (2020, 1); `平成2年` → (1990,); `R2` → (2020,);
    `令和8年3月 策定` → (2026, 3); `2021` → (2021,). A fiscal year (`2021年度`) is not a calendar date:
    None, like any text that prints no date.
    """
    text = strip_whitespace(normalise(label or ""))
    if not text or "年度" in text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return (int(text),)
    western = _WESTERN_DATE.search(text)
    era = _ERA_DATE.search(text) if not western else None
    if western:
        year = int(western.group("year"))
        match = western
    elif era:
        year = _ERA_START[era.group("era")] + (1 if era.group("year") == "元" else int(era.group("year")))
        match = era
    else:
        return None
    parts = [year] + [int(match.group(k)) for k in ("month", "day") if match.group(k)]
    return tuple(parts)


def parse_iso_date(text: str) -> tuple[int, ...] | None:
    """`2022-09` → (2022, 9); None when the text is not a real ISO date (YYYY, YYYY-MM, YYYY-MM-DD)."""
    text = (text or "").strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    parts = tuple(int(p) for p in text.split("-"))
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return parts


def show_date(parts: tuple[int, ...]) -> str:
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))
