select
    fact_id,
    doc_id,
    "row" as printed_order,
    section,
    fact_key,
    fact_ja,
    value::double as value,
    value_printed,
    unit,
    qualifier,
    date_label,
    year::integer as year,
    is_fiscal_year,
    source_ja,
    is_redacted,
    note,
    source_quote
from src_city_facts
