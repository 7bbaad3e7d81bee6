-- Parts of the documents lost when the PDF was turned into text, as the curators recorded them in
-- the notes of the curated rows: one row per (document, lost part) with the rows whose note says
-- so. The notes are read here, once, so that every report reads the losses as columns (loss_kind,
-- lost_part) and never parses the notes itself. The three patterns are the phrasings the curators'
-- notes use for a lost section, a lost category heading and a table printed without its heading.
with notes as (
    select doc_id, 'kpis' as view_name, note from kpis where note is not null
    union all
    select doc_id, 'kpi_observations' as view_name, note from kpi_observations where note is not null
    union all
    select doc_id, 'priority_targets' as view_name, note from priority_targets where note is not null
    union all
    select doc_id, 'stakeholders' as view_name, note from stakeholders where note is not null
    union all
    select doc_id, 'synergies' as view_name, note from synergies where note is not null
),

-- "Section (3) ... is blank in the extracted text", "the per-side priority tables of 1.1 (3) are absent ..."
lost_sections as (
    select doc_id, view_name, 'section' as loss_kind,
           regexp_replace(trim(regexp_extract(note, '((?:[Ss]ection|[Tt]he [^;:]*?tables? of) [^;:]*?) (?:is|are) (?:absent from|blank in) the extracted text', 1)), '^[Tt]he ', '') as lost_part,
           null::varchar as lost_part_until
    from notes
    where regexp_matches(note, '((?:[Ss]ection|[Tt]he [^;:]*?tables? of) [^;:]*?) (?:is|are) (?:absent from|blank in) the extracted text')
),

-- "Category ガバナンス: the page's own category heading is not in the extracted text"
lost_category_headings as (
    select doc_id, view_name, 'category_heading' as loss_kind,
           trim(regexp_extract(note, '[Cc]ategory ([^\s:(]+).*?: the page''s (?:own )?category heading is not in the extracted text', 1)) as lost_part,
           null::varchar as lost_part_until
    from notes
    where regexp_matches(note, '[Cc]ategory ([^\s:(]+).*?: the page''s (?:own )?category heading is not in the extracted text')
),

-- "... an HTML table ... printed between (3-2) and (5) without its heading"
lost_table_headings as (
    select doc_id, view_name, 'table_heading' as loss_kind,
           regexp_extract(note, 'table .*?printed between (\S+) and (\S+) without its heading', 1) as lost_part,
           regexp_extract(note, 'table .*?printed between (\S+) and (\S+) without its heading', 2) as lost_part_until
    from notes
    where regexp_matches(note, 'table .*?printed between (\S+) and (\S+) without its heading')
),

found as (
    select * from lost_sections
    union all
    select * from lost_category_headings
    union all
    select * from lost_table_headings
),

final as (
    select
        f.doc_id,
        d.city_id,
        f.loss_kind,
        f.lost_part,
        f.lost_part_until,
        count(*) as rows_noted,
        list(distinct f.view_name order by f.view_name) as views
    from found as f
    inner join documents as d on d.doc_id = f.doc_id
    group by f.doc_id, d.city_id, f.loss_kind, f.lost_part, f.lost_part_until
)

select * from final
order by doc_id, case loss_kind when 'section' then 1 when 'category_heading' then 2 else 3 end, lost_part
