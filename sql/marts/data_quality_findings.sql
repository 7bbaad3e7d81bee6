-- One row per inconsistency found in the documents, with the quotes that show it.
-- The codes and what they mean: src/sdgcities/quality.py (FINDING_CODES), also in code_description.
with findings as (
    select * from int_data_quality_findings
),

final as (
    select
        f.finding_id,
        f.code,
        c.description as code_description,
        f.city_id,
        f.doc_id,
        f.kpi_id,
        f.stakeholder_id,
        f.related_ids,
        f.explanation,
        f.quotes
    from findings as f
    inner join int_finding_codes as c on c.code = f.code
)

select * from final order by finding_id
