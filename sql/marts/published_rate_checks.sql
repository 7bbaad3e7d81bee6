-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per KPI row that publishes its 達成度 as a number and per progress rule: the published
-- figure, the rule's score on the percent scale, and whether they agree within ±1 point
-- (agrees | differs | not_comparable, from audit.agreement). is_repeat marks 再掲 reprints: the
-- reports count a published rate once, without its reprints.
with checks as (
    select * from int_published_rate_checks
),

final as (
    select
        c.kpi_id,
        k.city_id,
        k.doc_id,
        k.is_repeat,
        c.rule,
        c.published_pct,
        c.score,
        c.score - c.published_pct as difference,
        c.agreement
    from checks as c
    inner join kpis as k on k.kpi_id = c.kpi_id
)

select * from final
order by kpi_id, case rule when 'progress' then 1 when 'ratio' then 2 when 'open_sdg' then 3 else 4 end
