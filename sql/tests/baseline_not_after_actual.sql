-- Plausible years: the headline baseline is not after the latest actual.
select kpi_id, baseline_year, actual_year
from int_kpi_headline_values
where baseline_year > actual_year
