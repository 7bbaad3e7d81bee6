-- One row per inconsistency found in the documents, with the quotes that show it.
-- `params` holds the numbers and printed labels that explain the finding (JSON); the codes and the
-- sentences that explain them are in the report catalogues, present/catalogues/<lang>/findings.yaml.
with findings as (
    select * from int_data_quality_findings
),

final as (
    select
        f.finding_id,
        f.code,
        f.city_id,
        f.doc_id,
        f.kpi_id,
        f.stakeholder_id,
        f.related_ids,
        f.params::json as params,
        f.quotes
    from findings as f
)

select * from final order by finding_id
