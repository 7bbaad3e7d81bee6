"""Value cells as the forms print them: a year label, a value (number, dash or redaction mark) and a
unit, e.g. `2017年度 40.6 %`, `現在(2023年度): 29 団体`, `2024年度： [REDACTED]`, `2019年度 - 団体`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdgcities.build.draft.text import REDACTION, YEAR_LABEL, squash

_VALUE = re.compile(
    r"\s*[)）]?\s*[:：]?\s*(?:(?P<number>[▲△\-－−]?\s?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)"
    r"|(?P<redacted>" + REDACTION.pattern + r")|(?P<dash>[-－―—])(?=\s|$))?"
)
# A published achievement rate at the end of a row: -118%, 130 %, 達成, 未達成.
RATE = re.compile(r"(?:^|\s)(?P<rate>[▲△\-－−]?[0-9][0-9,]*(?:\.[0-9]+)?\s*[%％]|未?達成)\s*$")


@dataclass
class Cell:
    start: int  # norm offsets of the whole cell (label to unit)
    end: int
    label: str
    value: str | None  # the number as printed, whitespace removed
    value_text: str | None  # a printed non-number (a dash)
    unit: str
    redacted: bool
    empty: bool  # label printed without any value


def label_matches(text: str) -> list[re.Match]:
    """Year labels that open a value cell (followed by a value, a redaction mark, a colon or a cell break)."""
    found = []
    for match in YEAR_LABEL.finditer(text):
        after = text[match.end() : match.end() + 12]
        if re.match(r"\s*[)）]?\s*[:：]|\s*[)）]?\s*(?:[▲△\-－−]?\s?[0-9０-９]|" + REDACTION.pattern + r"|[-－―—](?:\s|$))|\s*[\t\n]|\s*$", after):
            found.append(match)
    return found


def parse_cells(text: str, offset: int) -> list[Cell]:
    """Split text (starting at norm offset `offset`) into value cells, one per opening year label."""
    labels = label_matches(text)
    cells = []
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        body = text[match.end() : end]
        value = _VALUE.match(body)
        number = value.group("number") if value else None
        redacted = bool(value and value.group("redacted"))
        dash = value.group("dash") if value else None
        rest = body[value.end() :] if value else body
        unit_text = rest.split("\t")[0] if number or redacted or dash else ""
        if not (number or redacted or dash):
            # A label alone in its cell: the value may sit in the next tab cell (`2021年度<TAB>29.5 %`).
            following = re.match(r"\s*[\t\n]\s*(?P<number>[▲△\-－−]?[0-9][0-9,]*(?:\.[0-9]+)?)|\s*[\t\n]\s*(?P<redacted>" + REDACTION.pattern + ")", body)
            if following:
                number = following.group("number")
                redacted = bool(following.group("redacted"))
                unit_text = body[following.end() :].split("\t")[0]
        unit = squash(unit_text)
        unit = "" if re.fullmatch(r"[\s:：)）]*", unit) else unit
        cell_end = match.end() + len(body.rstrip())
        cells.append(Cell(
            offset + match.start(), offset + cell_end, squash(match.group(0)),
            squash(number) if number else None, dash, unit, redacted,
            not (number or redacted or dash),
        ))
    return cells


def split_rate(text: str) -> tuple[str, str | None]:
    """Remove a trailing achievement rate from a row's text; return (rest, rate as printed without % and spaces)."""
    match = RATE.search(text)
    if not match:
        return text, None
    rate = squash(match.group("rate")).rstrip("%％")
    return text[: match.start("rate")], rate
