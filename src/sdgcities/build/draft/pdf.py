"""Text out of a PDF, page by page, with pdfplumber (MIT licence, built on pdfminer.six).

Why pdfplumber: it gives every character with its position, so table rows can be rebuilt as lines with
a tab where the gap between words is wide (a cell break) and a space where it is narrow; pypdf gives
plain text without positions, and PyMuPDF, though fast, is AGPL, which the MIT-licensed project avoids.

Pages are joined with a form feed (\\f) so that page numbers can be recovered from the saved text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

PAGE_BREAK = "\f"
# Some PDF fonts map CJK ideographs to their radical code points (⽬ for 目, ⺠ for 民): text extraction
# artefacts, mapped back so that the saved text reads as printed.
_RADICALS_SUPPLEMENT = {"⺠": "民", "⻑": "長", "⻄": "西", "⻘": "青", "⻝": "食", "⺟": "母", "⻆": "角", "⻤": "鬼", "⺢": "水", "⺣": "火", "⺯": "糸", "⻁": "虎", "⻌": "辶", "⻎": "辶", "⺮": "竹", "⻩": "黄", "⻭": "歯", "⻲": "亀", "⻫": "斉"}


def _clean(text: str) -> str:
    text = re.sub("[\u2f00-\u2fdf]", lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return "".join(_RADICALS_SUPPLEMENT.get(char, char) for char in text)


def _join_wrapped(cell: str | None) -> str:
    """A cell wrapped over lines, joined back: a space only between two Latin words or numbers."""
    parts = [p.strip() for p in (cell or "").split("\n") if p.strip()]
    text = ""
    for part in parts:
        if text and re.match(r"[A-Za-z0-9]", part[0]) and re.match(r"[A-Za-z0-9%.,]", text[-1]):
            text += " "
        text += part
    return text


def _line_text(words: list[dict]) -> str:
    words = sorted(words, key=lambda w: w["x0"])
    parts, previous = [], None
    for word in words:
        if previous is not None:
            gap = word["x0"] - previous["x1"]
            size = max(previous.get("size", 10), 1)
            parts.append("\t" if gap > 1.2 * size else (" " if gap > 0.15 * size else ""))
        parts.append(word["text"])
        previous = word
    return "".join(parts)


def _text_lines(page) -> list[tuple[float, str]]:
    """(top, text) of each line of running text; words on one baseline form a line."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False, extra_attrs=["size"])
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= max(2.0, 0.3 * word.get("size", 10)):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [(line[0]["top"], _line_text(line)) for line in lines]


def page_lines(page) -> list[str]:
    """The page's text top to bottom: running text as lines, each table row as one tab-separated line
    (a cell wrapped over several lines is joined back)."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside(obj) -> bool:
        return not any(x0 <= obj["x0"] and obj["x1"] <= x1 and top <= obj["top"] and obj["bottom"] <= bottom for x0, top, x1, bottom in boxes)

    items = _text_lines(page.filter(outside)) if boxes else _text_lines(page)
    for table in tables:
        for row, cells in zip(table.rows, table.extract()):
            items.append((row.bbox[1], "\t".join(_join_wrapped(cell) for cell in cells)))
    return [_clean(text) for _, text in sorted(items, key=lambda item: item[0])]


def pdf_pages(path: Path) -> list[str]:
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor warnings, not text problems
    with pdfplumber.open(str(path)) as pdf:
        return ["\n".join(page_lines(page)) for page in pdf.pages]


def pdf_text(path: Path) -> str:
    """The whole text, pages separated by form feeds (page n is the n-th part)."""
    return PAGE_BREAK.join(pdf_pages(path)) + "\n"
