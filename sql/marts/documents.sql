with final as (
    select * from stg_documents
)

select * from final order by doc_id
