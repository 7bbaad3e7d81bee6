select
    financing_id,
    doc_id,
    "row" as printed_order,
    section,
    kind,
    initiative_id,
    item_ja,
    description_ja,
    period_label,
    value::double as value,
    value_printed,
    unit,
    is_redacted,
    note,
    source_quote
from src_financing
