"""Stakeholders: who the cities work with, when agreements were signed, on which themes, and which
partners more than one document names. data.py and shared.py read the models; figures.py, tables.py
and text.py present them; checks.py prints the checked lines."""

from sdgcities.present.analyses.stakeholders.checks import agreement_lines, category_lines, shared_lines
from sdgcities.present.analyses.stakeholders.data import (
    CATEGORIES,
    THEME_STOPWORDS,
    agreement_summary,
    agreements,
    category_counts,
    category_name,
    category_rank,
    category_themes,
    citation_frame,
    city_totals,
    label_columns,
    overview,
    source,
    theme_sources,
    theme_words,
)
from sdgcities.present.analyses.stakeholders.figures import CATEGORY_COLOURS, category_chart, folds_cities, category_scale, theme_chart, timeline_chart
from sdgcities.present.analyses.stakeholders.shared import differing_examples, shared_partners, shared_summary
from sdgcities.present.analyses.stakeholders.tables import agreement_table, category_table, shared_table, themes_by_category
from sdgcities.present.analyses.stakeholders.text import write_agreements, write_categories, write_overview, write_shared, write_themes
