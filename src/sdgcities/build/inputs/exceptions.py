"""Rows a curator declares to break a rule on purpose, because the document really prints them so.

Each document folder may hold `declared_exceptions.yaml`:

    - rule: direction_against_values
      row: kumamoto_progress_2022:overall:09
      reason: Reduction target 21,000 TJ printed above the baseline 20,987 TJ; kept as printed.

Only the rules in ALLOWED can be excepted. A declaration that no longer matches a row is itself an
error, so that the file never hides more than it says.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sdgcities import paths
from sdgcities.build.inputs.names import relative
from sdgcities.build.inputs.parsing import load_yaml
from sdgcities.build.inputs.problems import Problem

FILE_NAME = "declared_exceptions.yaml"
ALLOWED = {
    "direction_against_values": "the KPI's direction disagrees with the sign of target - baseline",
}


class DeclaredExceptions:
    def __init__(self) -> None:
        self._declared: dict[tuple[str, str], tuple[str, int]] = {}  # (rule, row id) -> (file, entry number)
        self._used: set[tuple[str, str]] = set()

    @classmethod
    def load(cls, doc_ids: list[str], problems: list[Problem]) -> "DeclaredExceptions":
        found = cls()
        for doc_id in doc_ids:
            path = paths.curated_dir() / doc_id / FILE_NAME
            if path.is_file():
                found._read(path, problems)
        return found

    def _read(self, path: Path, problems: list[Problem]) -> None:
        name = relative(path)
        try:
            entries = load_yaml(path.read_text(encoding="utf-8")) or []
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(Problem(name, f"unreadable YAML: {error}"))
            return
        if not isinstance(entries, list):
            problems.append(Problem(name, "must be a list of entries with rule, row and reason"))
            return
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not all(str(entry.get(k) or "").strip() for k in ("rule", "row", "reason")):
                problems.append(Problem(name, "each entry needs rule, row and reason (why the document prints it so)", row=number, value=entry))
                continue
            rule, row = str(entry["rule"]), str(entry["row"])
            if rule not in ALLOWED:
                problems.append(Problem(name, f"unknown rule; rules that may be excepted: {', '.join(ALLOWED)}", row=number, column="rule", value=rule))
                continue
            self._declared[(rule, row)] = (name, number)

    def allows(self, rule: str, row: str) -> bool:
        if (rule, row) in self._declared:
            self._used.add((rule, row))
            return True
        return False

    def report_unused(self, problems: list[Problem]) -> None:
        for key, (name, number) in sorted(self._declared.items(), key=lambda item: item[1]):
            if key not in self._used:
                problems.append(Problem(name, f"declared exception for rule {key[0]} matches no row that breaks it: remove the entry", row=number, column="row", value=key[1]))
