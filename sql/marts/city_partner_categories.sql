-- materialized: table (the stakeholder report reads it at every run; counted from 39,000 rows at 1,741 cities)
-- One row per city and partner category: the partners (one outside organisation per partner_key; a
-- redacted row is a partner of its own), named and redacted, the rows that name them, the partners
-- with a printed role (role_ja), and the documents behind them. Only rows with relation = 'partner'
-- count: cited data sources and the city's own bodies are not partners.
with partner_rows as (
    select *, coalesce(partner_key, stakeholder_id) as partner
    from stakeholders
    where relation = 'partner'
),

final as (
    select
        city_id,
        category,
        count(distinct partner) filter (where not is_redacted) as named_partners,
        count(distinct partner) filter (where is_redacted) as redacted_partners,
        count(distinct partner) as partners,
        count(*) as partner_rows,
        count(distinct partner) filter (where role_ja is not null) as partners_with_role,
        list(distinct doc_id order by doc_id) as doc_ids,
        coalesce(list(distinct doc_id order by doc_id) filter (where role_ja is not null), []) as role_doc_ids
    from partner_rows
    group by city_id, category
)

select * from final order by city_id, category
