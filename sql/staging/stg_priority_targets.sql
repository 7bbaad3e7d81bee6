select
    doc_id,
    "row" as printed_order,
    side,
    section,
    sdg_goal::integer as sdg_goal,
    sdg_target,
    basis,
    note,
    source_quote
from src_priority_targets
