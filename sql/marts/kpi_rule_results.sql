-- materialized: table (the reports query it often; as a view it would be recomputed at every query)
-- One row per KPI row and progress rule: the rule's value, its score on the percent scale, its status,
-- the common tier that makes the four rules' statuses comparable, and why a row has no value as a
-- reason code (row facts first: redacted, printed as words only; then the rule's own code), the
-- inputs the rule could not use and the problem of each (two lists in the same order), the caveats (codes, e.g. direction_inferred) and the
-- direction the rule used. Codes only: the reports word them. The rules are evaluated once, in the
-- build (sql/intermediate/int_kpi_rule_results.py).
with results as (
    select * from int_kpi_rule_results
),

kpi_rows as (
    select kpi_id, city_id, doc_id, is_repeat, is_redacted, status_text, baseline_value, actual_value, target_value
    from kpis
),

tiers as (
    select * from (values
        ('progress', 'achieved', 'achieved'), ('progress', 'on_track', 'progressing'),
        ('progress', 'partial', 'progressing'), ('progress', 'stagnation', 'stalled'),
        ('progress', 'regress', 'worse'),
        ('ratio', 'achieved', 'achieved'), ('ratio', 'partial', 'progressing'),
        ('ratio', 'stagnation', 'stalled'), ('ratio', 'regress', 'worse'),
        ('open_sdg', 'target_achieved', 'achieved'), ('open_sdg', 'substantial_progress', 'progressing'),
        ('open_sdg', 'moderate_progress', 'progressing'), ('open_sdg', 'limited_progress', 'stalled'),
        ('open_sdg', 'deterioration', 'worse'),
        ('un_cr', 'achieved', 'achieved'), ('un_cr', 'on_track', 'progressing'), ('un_cr', 'fair', 'progressing'),
        ('un_cr', 'limited', 'stalled'), ('un_cr', 'deterioration', 'worse')
    ) as t (rule, status, tier)
),

coded as (
    select
        r.kpi_id,
        k.city_id,
        k.doc_id,
        k.is_repeat,
        r.rule,
        r.value,
        r.value * (case when r.rule in ('open_sdg', 'un_cr') then 100.0 else 1.0 end) as score,
        r.status,
        t.tier,
        case
            when r.value is not null then 'evaluated'
            when k.is_redacted then 'redacted'
            when coalesce(k.status_text, '') <> '' and k.baseline_value is null and k.actual_value is null
                and k.target_value is null then 'text_only'
            else coalesce(r.reason_code, 'other')
        end as reason_code,
        r.unusable_inputs,
        r.unusable_problems,
        r.caveats,
        r.direction_used,
        list_contains(r.caveats, 'direction_inferred') as direction_inferred
    from results as r
    inner join kpi_rows as k on k.kpi_id = r.kpi_id
    left join tiers as t on t.rule = r.rule and t.status = r.status
),

per_kpi as (
    select
        kpi_id,
        count(distinct tier) as n_tiers,
        count(status) as n_rules_with_status
    from coded
    group by kpi_id
),

final as (
    select
        c.*,
        p.n_rules_with_status,
        p.n_tiers,
        p.n_tiers >= 2 as flips
    from coded as c
    inner join per_kpi as p on p.kpi_id = c.kpi_id
)

select * from final
order by kpi_id, case rule when 'progress' then 1 when 'ratio' then 2 when 'open_sdg' then 3 else 4 end
