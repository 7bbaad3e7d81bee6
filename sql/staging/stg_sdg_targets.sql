select
    target,
    goal::integer as goal
from src_sdg_targets
