"""One row per inconsistency found in the documents (int_data_quality_findings), and the finding codes
with what each means (int_finding_codes). Logic: quality.findings_rows."""

from sdgcities.build.models import quality

reads = ("stg_documents", "stg_kpis", "stg_kpi_observations", "stg_stakeholders", "int_kpi_headline_values", "int_achievement_audit")
writes = ("int_data_quality_findings", "int_finding_codes")


def run(con):
    quality.write_data_quality_findings(con)
