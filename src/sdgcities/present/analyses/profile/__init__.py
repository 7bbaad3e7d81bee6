"""One city's plan on a page: its documents, priority goals and targets, KPIs with their values,
synergies, stakeholders, and what is missing or redacted. data.py, kpis.py and content.py read the
models for one city; figures.py, tables.py and text.py present them."""

from sdgcities.present.words import Words
from sdgcities.present.analyses.profile.content import (
    comments,
    content_check_lines,
    content_summary,
    facts,
    facts_table,
    financing,
    financing_table,
    initiatives,
    initiatives_table,
)
from sdgcities.present.analyses.profile.data import (
    MAIN_SIDES,
    check_lines,
    documents,
    goal_side_labels,
    kpi_goal_counts,
    lost_parts,
    partners,
    priority_targets,
    summary,
)
from sdgcities.present.analyses.profile.figures import achievement_chart, kpi_chart, priority_chart
from sdgcities.present.analyses.profile.kpis import achievement_text, kpis, side_label, synergies
from sdgcities.present.analyses.profile.tables import (
    documents_table,
    gaps,
    gaps_table,
    kpi_table,
    lost_table,
    lost_text,
    partner_table,
    priority_table,
    synergy_table,
)
from sdgcities.present.analyses.profile.text import (
    kpi_sentences,
    priority_sentences,
    write_city,
    write_facts,
    write_gaps,
    write_initiatives,
    write_kpis,
    write_no_achievement,
    write_partners,
    write_priority,
    write_synergies,
)

# Kept only while analyses/small_n.py still imports it (the achievement helper moves it to the
# catalogue): the document-type labels of codes.yaml `doc_type`, by code and language.
DOC_TYPE_NAMES = {code: {lang: Words(lang).label("doc_type", code) for lang in ("ja", "en")} for code in Words("ja").labels("doc_type")}
