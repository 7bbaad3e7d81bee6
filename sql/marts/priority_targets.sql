-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- The priority goals and targets each document lists; sdg_target is NULL for a goal-level entry.
-- basis: priority_list (a printed priority list), kpi_table (taken from a KPI table's target
-- column), narrative (cited only in the running text; not part of the priority list).
with final as (
    select
        d.city_id,
        p.doc_id,
        p.side,
        p.sdg_goal,
        p.sdg_target,
        p.basis,
        p.section,
        p.note,
        p.source_quote,
        p.printed_order
    from stg_priority_targets as p
    inner join stg_documents as d on d.doc_id = p.doc_id
)

select * from final order by doc_id, printed_order
