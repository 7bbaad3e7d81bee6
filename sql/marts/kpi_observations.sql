-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- Every value a KPI row prints. label is the cell's own year label (it wins over the column
-- header, kept in column_label); year is derived from label.
with final as (
    select
        o.kpi_id,
        k.doc_id,
        o.kind,
        o.label,
        o.year,
        o.is_fiscal_year,
        o.value,
        o.value_printed,
        o.value_text,
        o.column_label,
        o.is_redacted,
        o.note,
        o.source_quote,
        o.printed_order
    from stg_kpi_observations as o
    inner join stg_kpis as k on k.kpi_id = o.kpi_id
)

select * from final order by kpi_id, printed_order
