-- Every stakeholder as named in each document; agreed_on is an ISO date, possibly only YYYY-MM
-- or YYYY when that is all the document prints (agreed_on_label keeps the printed form).
with final as (
    select
        s.stakeholder_id,
        d.city_id,
        s.doc_id,
        s.name_ja,
        s.partner_key,
        s.category,
        s.role_ja,
        s.agreed_on,
        s.agreed_on_label,
        s.is_redacted,
        s.note,
        s.source_quote
    from stg_stakeholders as s
    inner join stg_documents as d on d.doc_id = s.doc_id
)

select * from final order by stakeholder_id
