"""Achievement: how far each KPI row has come from its baseline towards its target, under one of the
progress rules of :mod:`sdgcities.build.models.progress`, and what can still be compared where a city
publishes no actual values (the ambition of its targets and how complete its disclosure is).

The rules are evaluated once, in the build; this package reads their results (data.py), draws them
(figures.py, figures_ambition.py), tabulates them (tables.py) and words them from the catalogues
(text.py; present/catalogues/<lang>/achievement.yaml and rules.yaml). Every public function takes the
notebook Context (``ctx``); the notebook only calls, displays and narrates.
"""

from sdgcities.present.analyses.achievement.data import (
    AGREEMENT_TOLERANCE, GROWTH_RULES, NOT_EVALUABLE, REASON_ORDER, ambition, ambition_by_goal, ambition_goal_sources,
    ambition_summary, availability, city_summary, disclosure, disclosure_long, evaluate_rows, flip_counts, flip_summary,
    histogram_frame, kpi_rows, many_cities, published_comparison, published_counts, published_text_rows, qualification,
    rule_matrix, rule_results, source_rows, status_codes, status_counts)
from sdgcities.present.analyses.achievement.figures import (
    distribution_chart, histogram_chart, matrix_chart, published_chart, status_chart, status_colours)
from sdgcities.present.analyses.achievement.figures_ambition import ambition_chart, ambition_goal_chart, disclosure_chart
from sdgcities.present.analyses.achievement.labels import status_label
from sdgcities.present.analyses.achievement.scales import display_range, fmt_number
from sdgcities.present.analyses.achievement.tables import (
    ambition_lines, disclosure_lines, evaluated_lines, flip_lines, flip_table, published_lines, published_table,
    qualification_lines, qualification_table, status_lines, status_table, top_cities_table)
from sdgcities.present.analyses.achievement.text import (
    Paragraph, ambition_text, availability_text, disclosure_text, flip_text, intro_text, published_text,
    qualification_text, status_text, write)

__all__ = [
    "AGREEMENT_TOLERANCE", "GROWTH_RULES", "NOT_EVALUABLE", "REASON_ORDER", "Paragraph", "ambition", "ambition_by_goal",
    "ambition_chart", "ambition_goal_chart", "ambition_goal_sources", "ambition_lines", "ambition_summary",
    "ambition_text", "availability", "availability_text", "city_summary", "disclosure", "disclosure_chart",
    "disclosure_lines", "disclosure_long", "disclosure_text", "display_range", "distribution_chart", "evaluate_rows",
    "evaluated_lines", "flip_counts", "flip_lines", "flip_summary", "flip_table", "flip_text", "fmt_number",
    "histogram_chart", "histogram_frame", "intro_text", "kpi_rows", "many_cities", "matrix_chart", "published_chart",
    "published_comparison", "published_counts", "published_lines", "published_table", "published_text",
    "published_text_rows", "qualification", "qualification_lines", "qualification_table", "qualification_text",
    "rule_matrix", "rule_results", "source_rows", "status_chart", "status_codes", "status_colours", "status_counts",
    "status_label", "status_lines", "status_table", "status_text", "top_cities_table", "write",
]
