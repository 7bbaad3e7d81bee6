-- The priority goals and targets each document lists; sdg_target is NULL for a goal-level entry.
with final as (
    select
        d.city_id,
        p.doc_id,
        p.side,
        p.sdg_goal,
        p.sdg_target,
        p.section,
        p.note,
        p.source_quote,
        p.printed_order
    from stg_priority_targets as p
    inner join stg_documents as d on d.doc_id = p.doc_id
)

select * from final order by doc_id, printed_order
