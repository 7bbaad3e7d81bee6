"""The front matter of the reports: the main findings, the comparability of the documents, warnings
where unlike documents are compared, the methods and how to cite (notebooks/front_matter.ipynb)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sdgcities.access.api import UnknownValueError
from sdgcities.present import notebook as nb
from sdgcities.present.analyses.front.data import (REPORTS, comparability, facts, kpi_summary, progress_agreements,
                                                   rule_flips, rule_tiers)
from sdgcities.present.analyses.front.tables import comparability_table, redacted_documents_table, rules_table
from sdgcities.present.analyses.front.text import (Sentence, Warning, check_lines, citation, methods_keys, summary, warning_sentences,
                                                   warnings)

__all__ = [
    "REPORTS", "Sentence", "Warning", "check_lines", "citation", "comparability", "comparability_table", "facts", "kpi_summary",
    "methods_keys", "progress_agreements", "redacted_documents_table", "rule_flips", "rule_tiers", "rules_table", "setup", "summary",
    "warning_sentences", "warnings",
]


def setup(*, cities: Sequence[str] | str | None, city: str | None, lang: str, database: str | Path | None,
          report: str) -> nb.Context:
    """Check the parameters (report first) and open the database: the city report reads one city (`city`,
    which the report suite passes), the comparison report the cities given (None = every city)."""
    nb.check_choice("report", report, REPORTS)
    if city:  # "" (or None) = the cities given
        cities = [city]
    ctx = nb.setup(cities=cities, lang=lang, database=database)
    if report == "city" and len(ctx.cities) != 1:
        raise UnknownValueError("cities", ctx.cities, ["one city id for report='city'"])
    return ctx
