-- Which KPI belongs to which initiative, and on what printed evidence (basis).
with final as (
    select
        l.initiative_id,
        l.kpi_id,
        d.city_id,
        i.doc_id,
        i.level as initiative_level,
        i.side as initiative_side,
        i.name_ja as initiative_name_ja,
        k.side as kpi_side,
        k.indicator_ja,
        k.indicator_key,
        k.is_redacted as kpi_is_redacted,
        l.basis,
        l.note,
        l.source_quote,
        l.printed_order
    from stg_initiative_kpis as l
    inner join stg_initiatives as i on i.initiative_id = l.initiative_id
    inner join stg_kpis as k on k.kpi_id = l.kpi_id
    inner join stg_documents as d on d.doc_id = i.doc_id
)

select * from final order by doc_id, printed_order
