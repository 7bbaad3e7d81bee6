"""The document as the extractors see it: a normalised view of the raw text that remembers, for every
character, where it came from, so that every quote is cut verbatim from the raw text and knows its page.

Normalisation only changes layout, never wording: HTML table tags become tabs and line breaks, other
tags disappear (their text stays), and a form feed (page break) becomes a line break.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

PAGE_BREAK = "\f"

_CELL_BREAK = re.compile(r"</t[dh]>\s*<t[dh][^>]*>", re.I)
_ROW_BREAK = re.compile(r"</tr>\s*<tr[^>]*>|</?tr[^>]*>|</?table[^>]*>|<br\s*/?>|</p>\s*<p[^>]*>|</li>\s*<li[^>]*>", re.I)
_TAG = re.compile(r"<[^<>\n]{1,200}>")

# Redaction marks as printed in published documents.
REDACTION = re.compile(r"\[REDACTED\]|\[Redacted\]|\[\s*\]|█+|■{2,}|X{5,}")

# A year label as printed in a cell: 2017年度, 2030 年度, 2025年8月, 2021年, 令和3年度, H30年度.
YEAR_LABEL = re.compile(
    r"(?:(?:19|20)[0-9]{2}|(?:令和|平成)\s*(?:元|[0-9]{1,2}))\s*年(?:\s*度|\s*[0-9]{1,2}\s*月(?!\s*[0-9]{1,2}\s*日))?"
)
# An SDG target number: 11.2, 12.b, 17.17 (goal 1-17).
SDG_TARGET = re.compile(r"(?<![0-9.])(1[0-7]|[1-9])\.([0-9]{1,2}|[a-d])(?![0-9a-z])")


@dataclass
class Document:
    raw: str
    norm: str = ""
    origin: list[int] = field(default_factory=list)  # origin[i] = offset in raw of norm[i]

    @classmethod
    def from_raw(cls, raw: str) -> "Document":
        doc = cls(raw)
        doc.norm, doc.origin = _normalise(raw)
        return doc

    @cached_property
    def page_starts(self) -> list[int]:
        """Raw offsets where each page starts (page 1 at 0); one page when the text has no form feeds."""
        return [0] + [m.end() for m in re.finditer(PAGE_BREAK, self.raw)]

    @property
    def has_pages(self) -> bool:
        return PAGE_BREAK in self.raw

    def page_at(self, raw_offset: int) -> int | None:
        if not self.has_pages:
            return None
        page = 1
        for number, start in enumerate(self.page_starts, 1):
            if start <= raw_offset:
                page = number
        return page

    def quote(self, start: int, end: int) -> str:
        """The raw text behind norm[start:end], verbatim (tags and spacing included)."""
        while start < end and self.norm[start].isspace():
            start += 1
        while end > start and self.norm[end - 1].isspace():
            end -= 1
        if start >= end:
            return ""
        return self.raw[self.origin[start] : self.origin[end - 1] + 1].replace(PAGE_BREAK, "\n")

    def page(self, start: int) -> int | None:
        while start < len(self.norm) - 1 and self.norm[start].isspace():
            start += 1
        return self.page_at(self.origin[start]) if self.origin else None

    @cached_property
    def lines(self) -> list["Line"]:
        result, offset = [], 0
        for text in self.norm.split("\n"):
            result.append(Line(self, offset, offset + len(text)))
            offset += len(text) + 1
        return result


@dataclass
class Line:
    doc: Document
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.doc.norm[self.start : self.end]

    def cells(self) -> list[tuple[int, int]]:
        """Spans of the tab-separated cells of the line (norm offsets)."""
        spans, position = [], self.start
        for part in self.text.split("\t"):
            spans.append((position, position + len(part)))
            position += len(part) + 1
        return spans


def _normalise(raw: str) -> tuple[str, list[int]]:
    """Apply the layout rules above, keeping for each output character its raw offset."""
    replacements: list[tuple[int, int, str]] = []
    for pattern, by in ((_CELL_BREAK, "\t"), (_ROW_BREAK, "\n"), (_TAG, "")):
        for match in pattern.finditer(raw):
            replacements.append((match.start(), match.end(), by))
    replacements.sort(key=lambda r: (r[0], -r[1]))
    out: list[str] = []
    origin: list[int] = []
    position = 0
    for start, end, by in replacements:
        if start < position:
            continue  # overlapped by an earlier, longer replacement
        for offset in range(position, start):
            out.append(raw[offset])
            origin.append(offset)
        for char in by:
            out.append(char)
            origin.append(start)
        position = end
    for offset in range(position, len(raw)):
        out.append(raw[offset])
        origin.append(offset)
    text = "".join(out).replace(PAGE_BREAK, "\n").replace("\r", " ")
    return text, origin


def squash(text: str) -> str:
    """Remove all whitespace (the build compares quotes this way)."""
    return re.sub(r"\s+", "", text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_redacted(text: str) -> bool:
    return bool(REDACTION.search(text or ""))


def sdg_targets(text: str) -> list[str]:
    """SDG target numbers printed in the text, in order, without repeats."""
    seen: list[str] = []
    for match in SDG_TARGET.finditer(nfkc(text)):
        target = f"{match.group(1)}.{match.group(2)}"
        if target not in seen:
            seen.append(target)
    return seen
