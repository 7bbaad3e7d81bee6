-- Facts a document prints about its city (population, area, tourists ...), each with its own
-- document: two documents printing different numbers are both kept.
with final as (
    select
        f.fact_id,
        d.city_id,
        f.doc_id,
        f.section,
        f.fact_key,
        f.fact_ja,
        f.value,
        f.value_printed,
        f.unit,
        f.qualifier,
        f.date_label,
        f.year,
        f.is_fiscal_year,
        f.source_ja,
        f.is_redacted,
        f.note,
        f.source_quote
    from stg_city_facts as f
    inner join stg_documents as d on d.doc_id = f.doc_id
)

select * from final order by fact_id
