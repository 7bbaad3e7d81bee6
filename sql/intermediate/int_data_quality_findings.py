"""One row per inconsistency found in the documents, as a finding code and its parameters (no
sentence: reports word it from the catalogue). Logic: quality.findings_rows."""

from sdgcities.build.models import quality

reads = ("stg_documents", "stg_kpis", "stg_kpi_observations", "stg_stakeholders", "int_kpi_headline_values", "int_achievement_audit")


def run(con):
    quality.write_data_quality_findings(con)
