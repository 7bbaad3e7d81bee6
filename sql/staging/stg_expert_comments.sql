select
    comment_id,
    doc_id,
    "row" as printed_order,
    section,
    part,
    initiative_id,
    side,
    comment_ja,
    note,
    source_quote
from src_expert_comments
