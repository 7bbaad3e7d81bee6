select
    initiative_id,
    doc_id,
    "row" as printed_order,
    section,
    level,
    parent_initiative_id,
    number_label,
    side,
    name_ja,
    owning_division,
    description_ja,
    goal_label,
    goal_ja,
    is_repeat,
    is_redacted,
    note,
    source_quote
from src_initiatives
