select
    kpi_id,
    "row" as printed_order,
    kind,
    label,
    column_label,
    year::integer as year,
    is_fiscal_year,
    value::double as value,
    value_printed,
    value_text,
    is_redacted,
    note,
    source_quote
from src_kpi_observations
