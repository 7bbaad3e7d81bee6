select
    goal::integer as goal,
    name_ja,
    name_en,
    upper(colour) as colour
from src_sdg_goals
