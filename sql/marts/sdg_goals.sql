with final as (
    select * from stg_sdg_goals
)

select * from final order by goal
