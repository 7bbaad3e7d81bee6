-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per city and document: what a comparison sets side by side. The kind of document, when it
-- was published, the period its KPI figures span (the earliest baseline to the latest target, labels
-- as printed so that 年度 fiscal years stay fiscal years), its KPI rows (再掲 reprints counted once),
-- the share of them that is redacted and whether any actual value is printed. The reports' front
-- matter reads it to warn where unlike things stand side by side.
with documents as (
    select doc_id, city_id, doc_type, published_label, published_on
    from stg_documents
),

kpi_rows as (
    select kpi_id, doc_id, is_repeat, is_redacted, actual_value
    from kpis
),

kpi_counts as (
    select
        doc_id,
        count(*) filter (where not is_repeat) as kpi_rows,
        count(*) filter (where is_repeat) as repeat_rows,
        count(*) filter (where not is_repeat and is_redacted) as redacted_rows,
        count(*) filter (where not is_repeat and actual_value is not null) as rows_with_actual
    from kpi_rows
    group by doc_id
),

-- Every dated baseline and target cell of the document's KPI rows (reprints print the same cells).
dated_cells as (
    select
        o.doc_id,
        o.kind,
        o.label,
        o.year,
        k.kpi_id,
        o.printed_order
    from kpi_observations as o
    inner join kpi_rows as k on k.kpi_id = o.kpi_id
    where o.kind in ('baseline', 'target') and o.year is not null and o.label is not null
),

-- The earliest baseline and the latest target; on a tie in year, the cell of the first KPI row.
period_start as (
    select doc_id, label, year
    from dated_cells
    where kind = 'baseline'
    qualify row_number() over (partition by doc_id order by year asc, kpi_id asc, printed_order asc) = 1
),

period_end as (
    select doc_id, label, year
    from dated_cells
    where kind = 'target'
    qualify row_number() over (partition by doc_id order by year desc, kpi_id asc, printed_order asc) = 1
),

final as (
    select
        d.city_id,
        d.doc_id,
        d.doc_type,
        d.published_label,
        d.published_on,
        try_cast(left(d.published_on, 4) as integer) as published_year,
        s.label as period_start_label,
        s.year as period_start_year,
        e.label as period_end_label,
        e.year as period_end_year,
        coalesce(n.kpi_rows, 0) as kpi_rows,
        coalesce(n.repeat_rows, 0) as repeat_rows,
        coalesce(n.redacted_rows, 0) as redacted_rows,
        case when coalesce(n.kpi_rows, 0) > 0 then n.redacted_rows / n.kpi_rows end as redacted_share,
        coalesce(n.rows_with_actual, 0) as rows_with_actual,
        coalesce(n.rows_with_actual, 0) > 0 as has_actual_values
    from documents as d
    left join kpi_counts as n on n.doc_id = d.doc_id
    left join period_start as s on s.doc_id = d.doc_id
    left join period_end as e on e.doc_id = d.doc_id
)

select * from final order by city_id, published_on, doc_id
