"""What the input checks report: a Problem located by file, row, line, column and value, and the
CuratedDataError that carries every problem found (the build writes nothing while one remains)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One reason the inputs cannot be built, located as precisely as possible."""

    file: str
    message: str
    row: int | None = None  # 1-based data row (the header is not counted)
    line: int | None = None  # 1-based line in the file where the row starts
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
            if self.line is not None:
                where += f" (line {self.line})"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None:
            shown = str(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            where += f", value {shown!r}"
        return f"{where}: {self.message}"


class CuratedDataError(Exception):
    """Raised with every problem found; str() lists them one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = problems[:50]
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the inputs:\n" + "\n".join(f"- {p}" for p in shown) + more)


def _problem(record: dict, column: str | None, value: Any, message: str) -> Problem:
    return Problem(record["_file"], message, record["_row"], record["_line"], column, value)
