-- Every initiative a document lists (strategy, policy, project, 取組, model project, action ...),
-- with its parent, owning division and goal as printed, and how many KPIs are linked to it.
with links as (
    select initiative_id, count(*)::integer as n_kpis
    from stg_initiative_kpis
    group by initiative_id
),

children as (
    select parent_initiative_id as initiative_id, count(*)::integer as n_children
    from stg_initiatives
    where parent_initiative_id is not null
    group by parent_initiative_id
),

final as (
    select
        i.initiative_id,
        d.city_id,
        i.doc_id,
        i.section,
        i.level,
        i.parent_initiative_id,
        i.number_label,
        i.side,
        i.name_ja,
        i.owning_division,
        i.description_ja,
        i.goal_label,
        i.goal_ja,
        i.is_repeat,
        i.is_redacted,
        coalesce(l.n_kpis, 0)::integer as n_kpis,
        coalesce(c.n_children, 0)::integer as n_children,
        i.printed_order,
        i.note,
        i.source_quote
    from stg_initiatives as i
    inner join stg_documents as d on d.doc_id = i.doc_id
    left join links as l on l.initiative_id = i.initiative_id
    left join children as c on c.initiative_id = i.initiative_id
)

select * from final order by doc_id, printed_order
