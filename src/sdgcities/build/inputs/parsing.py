"""Parsing of values as they are printed in the source documents and written in curated files.

Numbers are curated exactly as printed (``1,002``, ``▲587``, ``-118``, full-width ``４２``); these
functions turn them into floats or say clearly why they cannot. Year labels (``2017年度``,
``令和3年度``, ``2025年8月``) become integer years; a fiscal-year label (年度) keeps its fiscal year
number, it is never shifted to a calendar year.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

import yaml

# Characters that print a minus sign in Japanese documents. ▲ and △ are the accounting minus.
_MINUS_SIGNS = {"-", "−", "－", "‐", "‒", "–", "—", "▲", "△"}
_NUMBER = re.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")


# The C loader when PyYAML has it: the pure Python one costs most of a validation run.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """A YAML document as Python values, with a safe loader (no arbitrary objects)."""
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        # The pure Python loader's message also prints the offending line: read a broken file again with it.
        return yaml.load(text, Loader=yaml.SafeLoader)


class ValueParseError(ValueError):
    """A printed value that is not a number (or not a year label)."""


def strip_whitespace(text: str) -> str:
    """Remove every whitespace character, full-width space included; used to compare quotes.
    (str.split() splits on exactly the characters the regular expression \\s matches, and is faster.)"""
    return "".join(text.split())


@lru_cache(maxsize=1 << 16, typed=True)  # the same printed values are parsed by several checks
def parse_number(text: str) -> float:
    """Parse a number as printed: ``1,317.1`` → 1317.1, ``▲587`` → -587.0, ``４２`` → 42.0.

    Raises ValueParseError naming the text when it is not a plain number (units, words,
    misplaced thousands separators, NaN or infinity are all refused rather than guessed).
    """
    if text is None:
        raise ValueParseError("empty value")
    original = text
    # NFKC turns full-width digits, commas, periods and minus signs into ASCII.
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = strip_whitespace(text)
    if not text:
        raise ValueParseError("empty value")
    negative = False
    if text[0] in _MINUS_SIGNS:
        negative = True
        text = text[1:]
    elif text[0] == "+":
        text = text[1:]
    match = _NUMBER.match(text)
    if not match:
        raise ValueParseError(f"{original!r} is not a number as printed (digits, ',' thousands separators, '.' decimals, a leading '-' or '▲')")
    value = float(match.group("int").replace(",", "") + ("." + match.group("frac") if match.group("frac") else ""))
    if not math.isfinite(value):
        raise ValueParseError(f"{original!r} is not a finite number")
    return -value if negative else value


_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_ERA_LABEL = re.compile(r"(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})\s*(年度|年|\.)?")
_WESTERN_LABEL = re.compile(r"((?:19|20)\d{2})\s*(年度|年)?")


@lru_cache(maxsize=1 << 16)  # 65,000 observations at 1,741 cities print a few hundred labels
def parse_year_label(label: str | None) -> tuple[int | None, bool]:
    """Return (year, is_fiscal_year) for a printed year label.

    ``2017年度`` → (2017, True): the fiscal year that starts in April 2017, kept as its label says.
    ``2021年`` or ``2025年8月`` → (2021, False) / (2025, False). ``令和3年度`` → (2021, True).
    A label without a year (``現在``) gives (None, False).
    """
    if not label:
        return None, False
    text = unicodedata.normalize("NFKC", label)
    era = _ERA_LABEL.search(text)
    if era:
        number = 1 if era.group(2) == "元" else int(era.group(2))
        return _ERAS[era.group(1)] + number, era.group(3) == "年度"
    western = _WESTERN_LABEL.search(text)
    if western:
        return int(western.group(1)), western.group(2) == "年度"
    return None, False


def parse_bool(text: str) -> bool:
    value = (text or "").strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueParseError(f"{text!r} is not a boolean (write true or false)")


def parse_percent_cell(text: str | None) -> tuple[float | None, str | None]:
    """Split a published 達成度 cell into (number, word): ``-118`` → (-118.0, None), ``達成`` → (None, '達成')."""
    if text is None or not text.strip():
        return None, None
    cleaned = strip_whitespace(text).rstrip("%％")
    try:
        return parse_number(cleaned), None
    except ValueParseError:
        return None, text.strip()
