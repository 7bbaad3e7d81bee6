-- The 169 SDG targets with their place in SDG order (target_rank), ranked once here so that every
-- report sorts by it: by goal, then the numbered targets by number (12.2 before 12.10), then the
-- lettered means-of-implementation targets (12.a, 12.b, 12.c).
with ranked as (
    select
        target,
        goal,
        row_number() over (
            order by goal,
                     try_cast(split_part(target, '.', 2) as integer) nulls last,
                     split_part(target, '.', 2)
        )::integer as target_rank
    from stg_sdg_targets
),

final as (
    select target, goal, target_rank from ranked
)

select * from final order by target_rank
