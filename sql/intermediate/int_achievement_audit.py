"""One row per KPI row: which rule reproduces the published 達成度 (int_achievement_audit), and each
published number against each rule's score (int_published_rate_checks). Logic: quality.audit_rows."""

from sdgcities.build.models import quality

reads = ("stg_kpis", "stg_kpi_observations", "int_kpi_headline_values", "int_kpi_rule_results")
writes = ("int_achievement_audit", "int_published_rate_checks")


def run(con):
    quality.write_achievement_audit(con)
