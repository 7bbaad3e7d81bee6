-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per city and side scope ('all', or one side): which SDG goals and targets its KPIs measure,
-- its priority goals and targets, the priorities no KPI measures, and the KPI rows the coverage
-- leaves out; counted once here for the coverage report (and any report that states these counts).
-- A scope keeps the KPI rows and priority entries of that side; tables printed without a side and
-- the integrated tables count only in 'all'. KPI rows are rows as printed (再掲 reprints included);
-- priority entries are the priority list (basis narrative left out: cited only in the running text).
with scopes as (
    select unnest(['all', 'economy', 'society', 'environment']) as side_scope
),

kpi_targets as (
    select s.side_scope, t.city_id, t.kpi_id, t.indicator_key, t.sdg_goal, t.sdg_target, k.indicator_ja
    from kpi_sdg_targets as t
    inner join kpis as k on k.kpi_id = t.kpi_id
    inner join scopes as s on s.side_scope = 'all' or t.side = s.side_scope
),

kpi_rows as (
    select s.side_scope, k.city_id, k.kpi_id, k.indicator_key, len(k.sdg_targets) = 0 as no_target,
           k.is_redacted, k.n_actual_values > 0 as has_actual
    from kpis as k
    inner join scopes as s on s.side_scope = 'all' or k.side = s.side_scope
),

priorities as (
    select distinct s.side_scope, p.city_id, p.sdg_goal, p.sdg_target
    from priority_targets as p
    inner join scopes as s on s.side_scope = 'all' or p.side = s.side_scope
    where p.basis <> 'narrative'
),

measured as (
    select side_scope, city_id,
           count(distinct sdg_goal) as n_goals_kpi,
           count(distinct sdg_target) as n_targets_kpi,
           count(distinct indicator_key) as n_indicators_mapped,
           count(distinct kpi_id) as n_kpi_rows_mapped,
           count(distinct indicator_key) filter (where indicator_ja is null) as n_indicators_unnamed
    from kpi_targets
    group by side_scope, city_id
),

mapped_indicators as (
    select distinct side_scope, city_id, indicator_key from kpi_targets
),

rows_counted as (
    select r.side_scope, r.city_id,
           count(*) as n_kpi_rows_side,
           count(*) filter (where r.no_target) as n_kpi_rows_no_target,
           count(*) filter (where r.no_target and m.indicator_key is not null) as n_kpi_rows_no_target_indicator_mapped,
           count(*) filter (where r.is_redacted) as n_kpi_rows_redacted,
           count(*) filter (where r.has_actual) as n_kpi_rows_with_actual
    from kpi_rows as r
    left join mapped_indicators as m
        on m.side_scope = r.side_scope and m.city_id = r.city_id and m.indicator_key = r.indicator_key
    group by r.side_scope, r.city_id
),

priority_status as (
    select p.side_scope, p.city_id, p.sdg_goal, p.sdg_target,
           exists (select 1 from kpi_targets as t
                   where t.side_scope = p.side_scope and t.city_id = p.city_id and t.sdg_goal = p.sdg_goal) as goal_measured,
           exists (select 1 from kpi_targets as t
                   where t.side_scope = p.side_scope and t.city_id = p.city_id and t.sdg_target = p.sdg_target) as target_measured
    from priorities as p
),

priority_counted as (
    select side_scope, city_id,
           count(distinct sdg_goal) as n_goals_priority,
           count(distinct sdg_target) as n_targets_priority,
           -- NULL, not 0, where the city lists no priority (no target-level priority) in the scope
           count(distinct sdg_goal) filter (where not goal_measured) as n_priority_goals_unmeasured,
           case when count(sdg_target) > 0
                then count(distinct sdg_target) filter (where not target_measured) end as n_priority_targets_unmeasured
    from priority_status
    group by side_scope, city_id
),

final as (
    select
        c.city_id,
        s.side_scope,
        coalesce(m.n_goals_kpi, 0)::integer as n_goals_kpi,
        coalesce(m.n_targets_kpi, 0)::integer as n_targets_kpi,
        coalesce(m.n_indicators_mapped, 0)::integer as n_indicators_mapped,
        coalesce(m.n_kpi_rows_mapped, 0)::integer as n_kpi_rows_mapped,
        coalesce(r.n_kpi_rows_side, 0)::integer as n_kpi_rows_side,
        coalesce(r.n_kpi_rows_no_target, 0)::integer as n_kpi_rows_no_target,
        coalesce(r.n_kpi_rows_no_target_indicator_mapped, 0)::integer as n_kpi_rows_no_target_indicator_mapped,
        coalesce(r.n_kpi_rows_redacted, 0)::integer as n_kpi_rows_redacted,
        coalesce(r.n_kpi_rows_with_actual, 0)::integer as n_kpi_rows_with_actual,
        coalesce(m.n_indicators_unnamed, 0)::integer as n_indicators_unnamed,
        coalesce(p.n_goals_priority, 0)::integer as n_goals_priority,
        coalesce(p.n_targets_priority, 0)::integer as n_targets_priority,
        p.n_priority_goals_unmeasured::integer as n_priority_goals_unmeasured,
        p.n_priority_targets_unmeasured::integer as n_priority_targets_unmeasured
    from cities as c
    cross join scopes as s
    left join measured as m on m.city_id = c.city_id and m.side_scope = s.side_scope
    left join rows_counted as r on r.city_id = c.city_id and r.side_scope = s.side_scope
    left join priority_counted as p on p.city_id = c.city_id and p.side_scope = s.side_scope
)

select * from final order by city_id, side_scope
