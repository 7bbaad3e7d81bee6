-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per city: its KPI rows and what they disclose, counted once for every report (the
-- achievement section and the data-quality appendix). 再掲 reprints (is_repeat) are left out of
-- every count and counted in repeat_rows.
-- The counts a document also states (KPI rows, reprints, redacted rows, rows with an actual) are summed
-- from city_comparability, so that they are defined once; the rest are counted here.
with per_document as (
    select
        city_id,
        sum(kpi_rows) as kpi_rows,
        sum(repeat_rows) as repeat_rows,
        sum(redacted_rows) as redacted_rows,
        sum(rows_with_actual) as rows_with_actual
    from city_comparability
    group by city_id
),

kpi_rows as (
    select k.kpi_id, k.city_id, k.is_repeat, k.status_text, k.baseline_value, k.target_value,
           a.rule as published_rule
    from kpis as k
    inner join achievement_audit as a on a.kpi_id = k.kpi_id
),

counted as (
    select
        city_id,
        count(*) filter (where not is_repeat and status_text is not null and baseline_value is null
                         and target_value is null) as text_only_rows,
        count(*) filter (where not is_repeat and baseline_value is not null and target_value is not null)
            as rows_with_baseline_and_target,
        count(*) filter (where not is_repeat and published_rule in ('progress', 'ratio', 'both', 'neither'))
            as published_rates,
        count(*) filter (where not is_repeat and published_rule in ('progress', 'ratio', 'both')) as reproduced_rates,
        count(*) filter (where not is_repeat and published_rule = 'status_only') as status_only_rows,
        count(*) filter (where not is_repeat and published_rule = 'not_published') as not_published_rows
    from kpi_rows
    group by city_id
),

rule_judgements as (
    -- n_rules_with_status and flips belong to the KPI row: the same on each of its four rule rows
    select
        city_id,
        count(distinct kpi_id) filter (where n_rules_with_status >= 2) as rows_with_two_statuses,
        count(distinct kpi_id) filter (where flips) as rows_changing_tier
    from kpi_rule_results
    where not is_repeat
    group by city_id
),

final as (
    select
        c.city_id,
        coalesce(d.kpi_rows, 0)::bigint as kpi_rows,
        coalesce(d.repeat_rows, 0)::bigint as repeat_rows,
        coalesce(d.redacted_rows, 0)::bigint as redacted_rows,
        coalesce(d.rows_with_actual, 0)::bigint as rows_with_actual,
        coalesce(n.text_only_rows, 0) as text_only_rows,
        coalesce(n.rows_with_baseline_and_target, 0) as rows_with_baseline_and_target,
        coalesce(n.published_rates, 0) as published_rates,
        coalesce(n.reproduced_rates, 0) as reproduced_rates,
        coalesce(n.status_only_rows, 0) as status_only_rows,
        coalesce(n.not_published_rows, 0) as not_published_rows,
        coalesce(j.rows_with_two_statuses, 0) as rows_with_two_statuses,
        coalesce(j.rows_changing_tier, 0) as rows_changing_tier
    from cities as c
    left join per_document as d on d.city_id = c.city_id
    left join counted as n on n.city_id = c.city_id
    left join rule_judgements as j on j.city_id = c.city_id
)

select * from final order by city_id
