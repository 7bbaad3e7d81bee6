select
    stakeholder_id,
    doc_id,
    name_ja,
    partner_key,
    category,
    role_ja,
    agreed_on,
    agreed_on_label,
    is_redacted,
    note,
    source_quote
from src_stakeholders
