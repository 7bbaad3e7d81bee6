-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per KPI row: the published 達成度 beside every rule's recomputed value, and which rule
-- reproduces it within ±1 point (progress | ratio | both | neither | status_only | not_published).
-- Rules and thresholds: build/models/progress.py; the search behind `explanation` (codes and numbers,
-- JSON; the reports write the sentence from findings.yaml): audit.explain_neither.
-- <rule>_reason_code says why a rule has no value (progress.REASON_CODES, as in kpi_rule_results).
-- is_repeat marks 再掲 reprints: the reports count a KPI once, without its reprints.
with audit as (
    select * from int_achievement_audit
),

final as (
    select
        a.kpi_id,
        k.city_id,
        k.doc_id,
        k.indicator_ja,
        k.direction,
        k.baseline_label,
        k.baseline_value,
        k.actual_label,
        k.actual_value,
        k.target_label,
        k.target_value,
        a.published_achievement_pct,
        a.published_achievement_text,
        a.published_pct,
        a.progress_value,
        a.progress_status,
        a.ratio_value,
        a.ratio_status,
        a.open_sdg_value,
        a.open_sdg_status,
        a.un_cr_value,
        a.un_cr_status,
        a.rule,
        a.explanation::json as explanation,
        a.progress_reason_code,
        a.ratio_reason_code,
        a.open_sdg_reason_code,
        a.un_cr_reason_code,
        k.is_repeat
    from audit as a
    inner join kpis as k on k.kpi_id = a.kpi_id
)

select * from final order by kpi_id
