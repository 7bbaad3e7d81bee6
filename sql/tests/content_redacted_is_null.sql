-- Redacted is not zero in the content tables either: a redacted fact or amount has no value.
select fact_id as id, value
from stg_city_facts
where is_redacted and value is not null
union all
select financing_id as id, value
from stg_financing
where is_redacted and value is not null
