-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per KPI row: the change per year its target asks for, in % of the baseline per year,
-- positive towards the KPI's direction: (target − baseline) / |baseline| / (target year − baseline
-- year) × 100 × (+1 increase, −1 decrease; the sign of target − baseline when the direction is NULL).
-- ambition_status says why a row has none (redacted, no_values, years, zero_baseline).
with kpi_rows as (
    select kpi_id, city_id, doc_id, is_repeat, is_redacted, direction,
           baseline_year, baseline_value, target_year, target_value
    from kpis
),

classified as (
    select
        *,
        case
            when is_redacted then 'redacted'
            when baseline_value is null or target_value is null then 'no_values'
            when baseline_year is null or target_year is null or target_year <= baseline_year then 'years'
            when baseline_value = 0 then 'zero_baseline'
            else 'ok'
        end as ambition_status
    from kpi_rows
),

final as (
    select
        kpi_id,
        city_id,
        doc_id,
        is_repeat,
        ambition_status,
        case when ambition_status = 'ok' then
            (case direction when 'increase' then 1.0 when 'decrease' then -1.0
                            else sign(target_value - baseline_value) end)
            * (target_value - baseline_value) / abs(baseline_value) / (target_year - baseline_year) * 100.0
        end as ambition_pct
    from classified
)

select * from final order by kpi_id
