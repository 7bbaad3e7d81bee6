-- materialized: table (the stakeholder report reads it at every run; counted from 39,000 rows at 1,741 cities)
-- One row per city: its partners (one outside organisation per partner_key; a redacted row is a
-- partner of its own), the partner rows and documents behind them, the partner rows dated as
-- agreements, and the rows kept apart from the partners (cited data sources, the city's own bodies).
-- Every count is within one city, so a report sums them over the cities it compares.
with stakeholder_rows as (
    select *, coalesce(partner_key, stakeholder_id) as partner from stakeholders
),

counted as (
    select
        city_id,
        count(distinct partner) filter (where relation = 'partner') as partners,
        count(distinct partner) filter (where relation = 'partner' and is_redacted) as redacted_partners,
        count(*) filter (where relation = 'partner') as partner_rows,
        count(distinct doc_id) filter (where relation = 'partner') as partner_documents,
        count(*) filter (where relation = 'partner' and event = 'agreement') as agreement_rows,
        count(*) filter (where relation = 'data_source') as data_source_rows,
        count(*) filter (where relation = 'internal') as internal_rows
    from stakeholder_rows
    group by city_id
),

final as (
    select
        c.city_id,
        coalesce(n.partners, 0) as partners,
        coalesce(n.redacted_partners, 0) as redacted_partners,
        coalesce(n.partner_rows, 0) as partner_rows,
        coalesce(n.partner_documents, 0) as partner_documents,
        coalesce(n.agreement_rows, 0) as agreement_rows,
        coalesce(n.data_source_rows, 0) as data_source_rows,
        coalesce(n.internal_rows, 0) as internal_rows
    from cities as c
    left join counted as n on n.city_id = c.city_id
)

select * from final order by city_id
