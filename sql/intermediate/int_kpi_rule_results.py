"""One row per KPI row and progress rule: value, status, reason and reason code. The only place the
rules are evaluated (sdgcities.build.models.progress, via quality.write_kpi_rule_results)."""

from sdgcities.build.models import quality

reads = ("stg_kpis", "int_kpi_headline_values")


def run(con):
    quality.write_kpi_rule_results(con)
