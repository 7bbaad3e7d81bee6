-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per city: how its KPI rows cite SDG targets, the facts behind the edges of the target
-- networks (synergy report). An edge joins two targets printed on one KPI row, so a row citing k
-- targets alone makes k(k-1)/2 pairs: the rows citing two or more targets, the most targets one row
-- cites and the pairs that row alone makes say what an edge count measures.
with targets_per_row as (
    select city_id, kpi_id, count(distinct sdg_target) as n_targets
    from kpi_sdg_targets
    group by city_id, kpi_id
),

per_city as (
    select
        city_id,
        count(*) filter (where n_targets >= 2) as linking_rows,
        max(n_targets) as max_targets_per_row
    from targets_per_row
    group by city_id
),

final as (
    select
        c.city_id,
        coalesce(p.linking_rows, 0) as linking_rows,
        coalesce(p.max_targets_per_row, 0) as max_targets_per_row,
        coalesce(p.max_targets_per_row * (p.max_targets_per_row - 1) // 2, 0) as top_row_pairs
    from cities as c
    left join per_city as p on p.city_id = c.city_id
)

select * from final order by city_id
