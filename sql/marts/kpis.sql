-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per KPI row of a printed table (a KPI printed in several tables has several rows,
-- linked by indicator_key). Values are DOUBLE, years INTEGER (the fiscal year for 年度 labels).
with kpis as (
    select * from stg_kpis
),

headline as (
    select * from int_kpi_headline_values
),

final as (
    select
        k.kpi_id,
        d.city_id,
        k.doc_id,
        k.section,
        k.table_code,
        k.row_no,
        k.side,
        k.synergy_from,
        k.synergy_to,
        k.indicator_ja,
        k.indicator_key,
        k.unit,
        k.sdg_targets,
        k.is_repeat,
        k.direction,
        h.baseline_label,
        h.baseline_year,
        h.baseline_value,
        h.actual_label,
        h.actual_year,
        h.actual_value,
        h.target_label,
        h.target_year,
        h.target_value,
        h.n_actual_values,
        k.status_text,
        k.published_achievement_pct,
        k.published_achievement_text,
        k.is_redacted,
        k.note,
        k.source_quote
    from kpis as k
    inner join stg_documents as d on d.doc_id = k.doc_id
    left join headline as h on h.kpi_id = k.kpi_id
)

select * from final order by kpi_id
