-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- Every organisation named in each document: relation says whether it is a partner, a cited data
-- source or a body of the city itself. event_on is an ISO date, possibly only YYYY-MM or YYYY when
-- that is all the document prints (event_on_label keeps the printed form); event says what
-- happened on it (agreement, founding, selection ...).
with final as (
    select
        s.stakeholder_id,
        d.city_id,
        s.doc_id,
        s.name_ja,
        s.partner_key,
        s.category,
        s.relation,
        s.role_ja,
        s.theme,
        s.event,
        s.event_on,
        s.event_on_label,
        s.is_redacted,
        s.note,
        s.source_quote
    from stg_stakeholders as s
    inner join stg_documents as d on d.doc_id = s.doc_id
)

select * from final order by stakeholder_id
