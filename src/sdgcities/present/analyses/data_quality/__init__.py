"""Data quality: the audit of published achievement rates (達成度) and the data-quality findings.

Both come from models the build computes (``achievement_audit``, ``published_rate_checks`` and
``data_quality_findings``; see :mod:`sdgcities.build.models.quality`); this package only reads,
counts and draws them: data.py (frames of codes and numbers), text.py (words from the catalogue
findings.yaml), tables.py (display tables), figures.py (charts). The names notebooks/data_quality.ipynb
and the tests use are re-exported here.
"""

from sdgcities.present.analyses.data_quality.data import (
    CLASSIFICATIONS, COMPARED_RULES, FINDING_ORDER, RATE_CLASSES, REDACTION_CODES, REDACTION_LIST_MAX, REPRODUCED,
    TOLERANCE, audit_sources, audit_summary, citation, city_disclosure, classification_counts, classification_totals,
    code_sections, code_totals, finding_counts, finding_params, findings, neither_rows, published_rates, rate_checks,
    redaction_counts, repeat_counts, scatter_sample, status_only_rows,
)
from sdgcities.present.analyses.data_quality.figures import (
    CLASSIFICATION_COLOURS, MAX_SCATTER_ROWS, classification_chart, finding_chart, rates_scatter,
)
from sdgcities.present.analyses.data_quality.tables import (
    MAX_FINDING_ROWS, QUOTE_CHARS, REDACTION_EXAMPLES, classification_explanations, classification_table,
    finding_count_table, finding_table, neither_table, quote_table_bundle, rates_table, redaction_summary, rule_table,
    shorten, show_quote_table,
)
from sdgcities.present.analyses.data_quality.text import (
    audit_explanation, classification_lines, classification_meaning, classification_name, code_list, finding_description,
    finding_explanation, finding_label, finding_lines, finding_name, fmt_number, join_phrases, missing_rate_phrases,
    n_cities, neither_lines, neither_sentences, quoted_words, rate_city_phrase, rule_name, status_name, with_audit_explanations,
)

__all__ = [name for name in dir() if not name.startswith("_") and name not in {"data", "figures", "tables", "text"}]
