-- One row per part of a document that the text extraction lost (a section, a table, a heading), as
-- the curators' notes record it: the kind of part, the part as the note names it, and how many
-- curated rows note it in which views. The notes are read here, once; reports read these columns
-- and never match the notes themselves.
with notes as (
    select doc_id, city_id, 'kpis' as source_view, note from kpis where note is not null
    union all
    select o.doc_id, d.city_id, 'kpi_observations', o.note
    from kpi_observations as o inner join documents as d on d.doc_id = o.doc_id
    where o.note is not null
    union all
    select doc_id, city_id, 'priority_targets', note from priority_targets where note is not null
    union all
    select doc_id, city_id, 'stakeholders', note from stakeholders where note is not null
    union all
    select doc_id, city_id, 'synergies', note from synergies where note is not null
),

-- How the curators word a lost part (CURATION_GUIDE.md); group 1 is the part.
patterns as (
    select * from (values
        -- "Section (3) ... is blank in the extracted text", "the per-side priority tables of 1.1 (3) are absent ..."
        ('section', '((?:[Ss]ection|[Tt]he [^;:]*?tables? of) [^;:]*?) (?:is|are) (?:absent from|blank in) the extracted text'),
        -- "Category ガバナンス: the page's own category heading is not in the extracted text"
        ('category_heading', '[Cc]ategory ([^\s:(]+).*?: the page''s (?:own )?category heading is not in the extracted text'),
        -- "... an HTML table ... printed between (3-2) and (5) without its heading"
        ('table_heading', 'table .*?printed (between \S+ and \S+) without its heading')
    ) as p (kind, pattern)
),

found as (
    select
        n.city_id,
        n.doc_id,
        n.source_view,
        p.kind,
        regexp_replace(trim(regexp_extract(n.note, p.pattern, 1)), '^[Tt]he ', '') as part
    from notes as n
    inner join patterns as p on regexp_matches(n.note, p.pattern)
),

final as (
    select
        city_id,
        doc_id,
        kind,
        part,
        count(*)::bigint as rows_noted,
        list(distinct source_view order by source_view) as views
    from found
    group by city_id, doc_id, kind, part
)

select * from final order by city_id, doc_id, kind, part
