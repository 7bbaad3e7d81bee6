-- materialized: table (the stakeholder report reads it at every run; it compares every pair of documents of a partner)
-- One row per named partner that more than one document of the same city lists, with its dates and
-- printed roles per document and whether they differ.
-- date_status: 'differs' when two documents both print dates and one prints a date that no date of
-- the other matches (a less precise date matching a more precise one, 2018-11 vs 2018-11-19, counts as
-- matching); 'one' when only one document prints a date; 'same'; 'none'. Dates are those of any event.
-- theme_status: the same for the set of normalised themes (the theme codes; the printed wording varies
-- between documents and is listed, not compared).
with s as (
    select city_id, doc_id, partner_key, name_ja, category, event_on as agreed_on, theme, role_ja, stakeholder_id
    from stakeholders
    where relation = 'partner' and not is_redacted and partner_key is not null
),

multi as (
    select city_id, partner_key from s group by city_id, partner_key having count(distinct doc_id) > 1
),

per_doc as (
    select
        city_id, partner_key, doc_id,
        list(distinct agreed_on order by agreed_on) filter (where agreed_on is not null) as dates,
        list(distinct theme order by theme) filter (where theme is not null) as themes,
        string_agg(distinct role_ja, '; ' order by role_ja) as themes_printed
    from s inner join multi using (city_id, partner_key)
    group by city_id, partner_key, doc_id
),

dated as (
    select distinct s.city_id, s.partner_key, s.doc_id, s.agreed_on
    from s inner join multi using (city_id, partner_key)
    where s.agreed_on is not null
),

unmatched_dates as (
    select distinct a.city_id, a.partner_key
    from dated as a
    inner join (select distinct city_id, partner_key, doc_id from dated) as o
        on o.city_id = a.city_id and o.partner_key = a.partner_key and o.doc_id <> a.doc_id
    where not exists (
        select 1 from dated as b
        where b.city_id = a.city_id and b.partner_key = a.partner_key and b.doc_id = o.doc_id
          and (starts_with(b.agreed_on, a.agreed_on) or starts_with(a.agreed_on, b.agreed_on))
    )
),

summary as (
    select
        city_id, partner_key,
        count(*) as documents,
        count(*) filter (where len(coalesce(dates, [])) > 0) as dated_documents,
        count(*) filter (where len(coalesce(themes, [])) > 0) as themed_documents,
        count(distinct themes) filter (where len(coalesce(themes, [])) > 0) as theme_sets,
        list(doc_id order by doc_id) as doc_ids,
        string_agg(doc_id || ': ' || coalesce(array_to_string(dates, ', '), '–'), ' | ' order by doc_id) as dates_by_document,
        string_agg(doc_id || ': ' || coalesce(themes_printed, '–'), ' | ' order by doc_id) as themes_by_document
    from per_doc
    group by city_id, partner_key
),

first_printed as (
    -- the name and category as the first document prints them (document order)
    select
        city_id, partner_key,
        first(name_ja order by doc_id, stakeholder_id) as partner_name,
        first(category order by doc_id, stakeholder_id) as category
    from s inner join multi using (city_id, partner_key)
    group by city_id, partner_key
),

final as (
    select
        m.city_id,
        m.partner_key,
        f.partner_name,
        f.category,
        m.documents,
        m.doc_ids,
        m.dates_by_document,
        m.themes_by_document,
        case when m.dated_documents = 0 then 'none'
             when m.dated_documents = 1 then 'one'
             when u.partner_key is not null then 'differs'
             else 'same' end as date_status,
        case when m.themed_documents = 0 then 'none'
             when m.themed_documents = 1 then 'one'
             when m.theme_sets > 1 then 'differs'
             else 'same' end as theme_status
    from summary as m
    inner join first_printed as f using (city_id, partner_key)
    left join unmatched_dates as u using (city_id, partner_key)
)

select * from final order by city_id, partner_key
