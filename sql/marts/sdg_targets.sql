with final as (
    select * from stg_sdg_targets
)

select * from final
