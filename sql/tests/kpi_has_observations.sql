-- Every KPI row prints at least one value cell (possibly redacted or text).
select k.kpi_id
from stg_kpis as k
left join stg_kpi_observations as o on o.kpi_id = k.kpi_id
where o.kpi_id is null
