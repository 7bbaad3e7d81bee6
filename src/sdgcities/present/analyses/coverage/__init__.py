"""Goal coverage: which SDG goals and targets each city's KPIs measure, which it lists as priorities,
what the cities share, and which priorities no KPI measures (notebooks/coverage.ipynb).

    data.py        code-only frames read from the models (goal and target cells, per-city summary)
    sharing.py     each city's set, what the cities share, pairwise Jaccard similarity
    figures.py     goal charts (heatmap, cities per goal, KPIs per goal)
    comparison.py  target matrix and Jaccard matrix
    tables.py      display tables
    text.py        narrative: numbers -> catalogue keys (catalogues/<lang>/coverage.yaml)
    labels.py      labels charts and tables share (city names, indicator lists, citations)
    checks.py      the printed check lines (NBVAL_CHECK_OUTPUT)
    initiatives.py KPIs per initiative and side
    narrative.py   targets cited only in the running text
"""

from sdgcities.present.analyses.coverage.checks import format_goal_counts, format_jaccard, format_sharing, format_unmeasured
from sdgcities.present.analyses.coverage.comparison import MAX_TARGETS, jaccard_chart, target_matrix_chart
from sdgcities.present.analyses.coverage.data import (
    check_parameters,
    city_summary,
    goal_cells,
    provenance,
    target_cells,
    top_cities,
    unmeasured_priorities,
)
from sdgcities.present.analyses.coverage.figures import goal_heatmap, goal_reach_chart, heatmap_title, kpis_per_goal_chart
from sdgcities.present.analyses.coverage.initiatives import format_initiative_counts, initiative_table, kpis_per_initiative, unlinked_kpis
from sdgcities.present.analyses.coverage.labels import city_labels, sources
from sdgcities.present.analyses.coverage.narrative import narrative_lines, narrative_targets
from sdgcities.present.analyses.coverage.sharing import city_items, item_sharing, jaccard, sharing_summary
from sdgcities.present.analyses.coverage.tables import jaccard_table, sharing_table, summary_table, target_summary_table, unmeasured_table
from sdgcities.present.analyses.coverage.text import (
    NAMED_CITIES,
    cities_phrase,
    count_phrase,
    data_notes,
    intro,
    level_word,
    list_phrase,
    sharing_sentence,
    side_phrase,
    similarity_paragraph,
    unique_sentence,
    unmeasured_notes,
)

__all__ = [
    "MAX_TARGETS", "NAMED_CITIES", "check_parameters", "cities_phrase", "city_items", "city_labels", "city_summary",
    "count_phrase", "data_notes", "format_goal_counts", "format_initiative_counts", "format_jaccard", "format_sharing",
    "format_unmeasured", "goal_cells", "goal_heatmap", "goal_reach_chart", "heatmap_title", "initiative_table", "intro",
    "item_sharing", "jaccard", "jaccard_chart", "jaccard_table", "kpis_per_goal_chart", "kpis_per_initiative",
    "level_word", "list_phrase", "narrative_lines", "narrative_targets", "provenance", "sharing_sentence",
    "sharing_summary", "sharing_table", "side_phrase", "similarity_paragraph", "sources", "summary_table",
    "target_cells", "target_matrix_chart", "target_summary_table", "top_cities", "unique_sentence", "unlinked_kpis",
    "unmeasured_notes", "unmeasured_priorities", "unmeasured_table",
]
