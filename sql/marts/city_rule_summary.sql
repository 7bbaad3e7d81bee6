-- materialized: table (the front matter of every report reads it; counted from 87,000 rule results at 1,741 cities)
-- One row per city and progress rule: the city's KPI rows in each common tier under the rule, and the
-- published 達成度 the rule reproduces within ±1 point (published_rate_checks.agreement). 再掲 reprints
-- are left out of every count. Per city, so a report sums them over the cities it compares.
with rules as (
    select distinct rule from kpi_rule_results
),

tiers as (
    select
        city_id,
        rule,
        count(*) filter (where tier = 'achieved') as achieved,
        count(*) filter (where tier = 'progressing') as progressing,
        count(*) filter (where tier = 'stalled') as stalled,
        count(*) filter (where tier = 'worse') as worse
    from kpi_rule_results
    where not is_repeat
    group by city_id, rule
),

agreeing as (
    select city_id, rule, count(*) filter (where agreement = 'agrees') as agreeing_rates
    from published_rate_checks
    where not is_repeat
    group by city_id, rule
),

final as (
    select
        c.city_id,
        r.rule,
        coalesce(t.achieved, 0) as achieved,
        coalesce(t.progressing, 0) as progressing,
        coalesce(t.stalled, 0) as stalled,
        coalesce(t.worse, 0) as worse,
        coalesce(a.agreeing_rates, 0) as agreeing_rates
    from cities as c
    cross join rules as r
    left join tiers as t on t.city_id = c.city_id and t.rule = r.rule
    left join agreeing as a on a.city_id = c.city_id and a.rule = r.rule
)

select * from final order by city_id, rule
