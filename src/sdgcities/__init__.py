"""sdgcities: comparative analytics of Japanese SDGs Future Cities (SDGs未来都市).

Modules:
- build: validate the curated tables and build data/curated/sdgs.duckdb (`make data`)
- api: read-only access to the database, returning polars or pandas frames
- curated, parsing: loading and validating the curated files
"""

__version__ = "0.1.0"
