-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
with final as (
    select
        s.synergy_id,
        d.city_id,
        s.doc_id,
        s.from_side,
        s.to_side,
        s.description_ja,
        s.kpi_id,
        s.note,
        s.source_quote
    from stg_synergies as s
    inner join stg_documents as d on d.doc_id = s.doc_id
)

select * from final order by synergy_id
