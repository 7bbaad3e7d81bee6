"""Synergy analysis: the directed links between two sides of a plan (経済⇄環境 ...), the KPIs behind
each direction, the links implied by repeated KPIs and multi-goal KPIs, and the network of SDG
targets linked through shared KPIs.

data.py and network.py read the models (codes and numbers), tables.py / figures.py /
network_figures.py show them with catalogue labels (synergy.yaml), text.py picks the catalogue keys
of the narrative. This module re-exports what notebooks/synergy.ipynb and the tests use.
"""

from sdgcities.present.analyses.synergy.data import (
    city_link_summary,
    format_implied_counts,
    format_link_counts,
    goal_links,
    implied_counts,
    implied_side_links,
    link_counts,
    link_kpis,
    pair_sides,
    repeated_kpis,
    sources_of,
)
from sdgcities.present.analyses.synergy.figures import implied_chart, link_diagram, side_colours
from sdgcities.present.analyses.synergy.network import (
    LINK_BY,
    Network,
    circular_layout,
    format_metrics,
    network_metrics,
    row_links,
    target_network,
)
from sdgcities.present.analyses.synergy.network_figures import metrics_chart, network_chart
from sdgcities.present.analyses.synergy.tables import (
    achievement_text,
    direction_label,
    goal_links_table,
    indicator_label,
    link_table,
    metrics_table,
    pair_label,
    repeated_table,
    value_text,
)
from sdgcities.present.analyses.synergy.text import links_headline, names, structure_sentences

__all__ = [
    "LINK_BY", "Network", "achievement_text", "circular_layout", "city_link_summary", "direction_label",
    "format_implied_counts", "format_link_counts", "format_metrics", "goal_links", "goal_links_table",
    "implied_chart", "implied_counts", "implied_side_links", "indicator_label", "link_counts", "link_diagram",
    "link_kpis", "link_table", "links_headline", "metrics_chart", "metrics_table", "names", "network_chart",
    "network_metrics", "pair_label", "pair_sides", "repeated_kpis", "repeated_table", "row_links", "side_colours",
    "sources_of", "structure_sentences", "target_network", "value_text",
]
