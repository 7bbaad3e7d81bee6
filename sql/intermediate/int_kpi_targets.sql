-- One row per (KPI, SDG target) it is mapped to: the unit of goal coverage.
with unnested as (
    select
        kpi_id,
        unnest(sdg_targets) as sdg_target
    from stg_kpis
),

final as (
    select
        u.kpi_id,
        u.sdg_target,
        t.goal as sdg_goal
    from unnested as u
    inner join stg_sdg_targets as t on t.target = u.sdg_target
)

select * from final
