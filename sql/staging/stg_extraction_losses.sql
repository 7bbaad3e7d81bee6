-- Parts of the documents lost in the text extraction, as the curators declare them
-- (data/curated/<doc_id>/extraction_losses.yaml).
select
    doc_id,
    "row" as printed_order,
    loss_kind,
    lost_part,
    lost_part_until,
    table_name,
    rows_affected,
    note
from src_extraction_losses
