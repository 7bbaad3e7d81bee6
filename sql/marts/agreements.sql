-- materialized: table (the stakeholder report and api.agreements read it; the date merge below is a
-- correlated subquery per agreement row, too costly to repeat at every query)
-- One row per agreement with a partner, however many documents print it: the stakeholder rows with
-- event = 'agreement' and relation = 'partner', merged across documents when they name the same
-- partner on the same date at the precision both print (2018-11 and 2018-11-19 are one agreement,
-- dated 2018-11-19); different dates stay different agreements. Foundings, selections, adoptions,
-- declarations ... are other events, not agreements.
with dated as (
    select * from stakeholders where event = 'agreement' and relation = 'partner'
),

canonical as (
    select
        d.*,
        -- the most precise date; of two equally precise ones the later (max_by alone picks either)
        (select max_by(f.event_on, {'precision': length(f.event_on), 'date': f.event_on})
         from dated as f
         where f.city_id = d.city_id and f.partner_key = d.partner_key and starts_with(f.event_on, d.event_on)) as agreed_on
    from dated as d
),

final as (
    select
        city_id,
        partner_key,
        agreed_on,
        first(name_ja order by doc_id, stakeholder_id) filter (where name_ja is not null) as name_ja,
        first(category order by doc_id, stakeholder_id) as category,
        first(theme order by doc_id, stakeholder_id) filter (where theme is not null) as theme,
        list(distinct role_ja order by role_ja) filter (where role_ja is not null) as roles_ja,
        list(distinct event_on_label order by event_on_label) as labels,
        list(distinct doc_id order by doc_id) as doc_ids,
        list(stakeholder_id order by stakeholder_id) as stakeholder_ids,
        bool_or(is_redacted) as is_redacted,
        -- the role as printed first, in document order: the theme the reports show beside the agreement
        first(role_ja order by doc_id, stakeholder_id) filter (where role_ja is not null) as first_role_ja
    from canonical
    group by city_id, partner_key, agreed_on
)

select * from final order by city_id, agreed_on, partner_key
