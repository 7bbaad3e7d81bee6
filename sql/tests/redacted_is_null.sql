-- Redacted is not zero: a redacted cell has no value.
select kpi_id, label, value
from stg_kpi_observations
where is_redacted and value is not null
