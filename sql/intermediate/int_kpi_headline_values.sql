-- One row per KPI with the values a reader sees first: the baseline, the latest actual and the
-- target. A row may print several of each (yearly actuals; sometimes two targets), so pick:
-- the earliest baseline, the latest actual that holds a number, and the latest target.
-- Ties in year go to the cell printed first (baseline, target) or last (actual).
with observations as (
    select * from stg_kpi_observations
),

baselines as (
    select
        kpi_id, label, year, value, value_text, is_redacted,
        row_number() over (partition by kpi_id order by year asc nulls last, printed_order asc) as pick
    from observations
    where kind = 'baseline'
),

actuals as (
    select
        kpi_id, label, year, value, value_text, is_redacted,
        row_number() over (
            partition by kpi_id
            order by (value is not null) desc, year desc nulls last, printed_order desc
        ) as pick
    from observations
    where kind = 'actual'
),

targets as (
    select
        kpi_id, label, year, value, value_text, is_redacted,
        row_number() over (partition by kpi_id order by year desc nulls last, printed_order asc) as pick
    from observations
    where kind = 'target'
),

counts as (
    select
        kpi_id,
        count(*) filter (where kind = 'actual') as n_actual_cells,
        count(value) filter (where kind = 'actual') as n_actual_values
    from observations
    group by kpi_id
),

final as (
    select
        k.kpi_id,
        b.label as baseline_label,
        b.year as baseline_year,
        b.value as baseline_value,
        a.label as actual_label,
        a.year as actual_year,
        a.value as actual_value,
        t.label as target_label,
        t.year as target_year,
        t.value as target_value,
        coalesce(c.n_actual_cells, 0)::integer as n_actual_cells,
        coalesce(c.n_actual_values, 0)::integer as n_actual_values
    from stg_kpis as k
    left join baselines as b on b.kpi_id = k.kpi_id and b.pick = 1
    left join actuals as a on a.kpi_id = k.kpi_id and a.pick = 1
    left join targets as t on t.kpi_id = k.kpi_id and t.pick = 1
    left join counts as c on c.kpi_id = k.kpi_id
)

select * from final
