-- The cities curated, with how many documents each has.
with final as (
    select
        c.city_id,
        c.name_ja,
        c.name_en,
        c.prefecture_ja,
        c.prefecture_en,
        count(d.doc_id)::integer as n_documents
    from stg_cities as c
    left join stg_documents as d on d.city_id = c.city_id
    group by all
)

select * from final order by city_id
