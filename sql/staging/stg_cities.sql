select
    city_id,
    name_ja,
    name_en,
    prefecture_ja,
    prefecture_en
from src_cities
