-- Comments of the outside experts (有識者) printed in a document, verbatim.
with final as (
    select
        c.comment_id,
        d.city_id,
        c.doc_id,
        c.section,
        c.part,
        c.initiative_id,
        c.side,
        c.comment_ja,
        c.note,
        c.source_quote
    from stg_expert_comments as c
    inner join stg_documents as d on d.doc_id = c.doc_id
)

select * from final order by comment_id
