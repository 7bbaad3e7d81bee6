select
    synergy_id,
    doc_id,
    from_side,
    to_side,
    description_ja,
    kpi_id,
    note,
    source_quote
from src_synergies
