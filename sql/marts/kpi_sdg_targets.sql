-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per (KPI row, SDG target), with the city and side: the unit of goal coverage.
with final as (
    select
        t.kpi_id,
        d.city_id,
        k.doc_id,
        k.side,
        k.indicator_key,
        k.is_repeat,
        t.sdg_goal,
        t.sdg_target
    from int_kpi_targets as t
    inner join stg_kpis as k on k.kpi_id = t.kpi_id
    inner join stg_documents as d on d.doc_id = k.doc_id
)

select * from final order by kpi_id, sdg_goal, sdg_target
