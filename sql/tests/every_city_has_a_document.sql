-- A city in the reference table with no document is a curation slip.
select city_id
from cities
where n_documents = 0
