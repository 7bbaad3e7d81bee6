-- Budgets, expenditures and financing methods a document prints; redacted amounts are NULL.
with final as (
    select
        f.financing_id,
        d.city_id,
        f.doc_id,
        f.section,
        f.kind,
        f.initiative_id,
        f.item_ja,
        f.description_ja,
        f.period_label,
        f.value,
        f.value_printed,
        f.unit,
        f.is_redacted,
        f.note,
        f.source_quote
    from stg_financing as f
    inner join stg_documents as d on d.doc_id = f.doc_id
)

select * from final order by financing_id
