-- An initiative's parent is an initiative of the same document.
select i.initiative_id, i.parent_initiative_id
from stg_initiatives as i
left join stg_initiatives as p on p.initiative_id = i.parent_initiative_id
where i.parent_initiative_id is not null
    and (p.initiative_id is null or p.doc_id <> i.doc_id)
