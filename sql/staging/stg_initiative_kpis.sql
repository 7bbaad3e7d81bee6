select
    initiative_id,
    kpi_id,
    "row" as printed_order,
    basis,
    note,
    source_quote
from src_initiative_kpis
