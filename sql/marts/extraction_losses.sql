-- Parts of the documents lost when the PDFs were turned into text: one row per declared loss, with
-- the curated table whose rows it shaped and how many. Curators declare them per document
-- (extraction_losses.yaml), so reports read columns and nothing parses the rows' notes.
with losses as (
    select * from stg_extraction_losses
),

final as (
    select
        l.doc_id,
        d.city_id,
        l.loss_kind,
        l.lost_part,
        l.lost_part_until,
        l.table_name,
        l.rows_affected,
        l.note
    from losses as l
    inner join stg_documents as d on d.doc_id = l.doc_id
)

select * from final
order by doc_id, case loss_kind when 'section' then 1 when 'category_heading' then 2 else 3 end, lost_part
