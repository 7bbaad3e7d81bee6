select
    stakeholder_id,
    doc_id,
    name_ja,
    partner_key,
    category,
    relation,
    role_ja,
    theme,
    event,
    event_on,
    event_on_label,
    is_redacted,
    note,
    source_quote
from src_stakeholders
