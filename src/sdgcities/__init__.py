"""sdgcities: comparative analytics of Japanese SDGs Future Cities (SDGs未来都市).

Packages (README "Layout"):
- build: validate the curated tables and build data/curated/sdgs.duckdb (`make data`)
- access: read-only access to the database, returning polars or pandas frames
- present: what the notebooks show (context, words, charts, analyses)
- publish: the report run, rendering, exports
"""

import sys

# Altair and nbformat import jsonschema, whose format checks import rfc3987_syntax when it is installed
# (JupyterLab's jupyter-events asks for it); that module builds a Lark grammar at import time: about
# 1.3 s of every kernel's and every report worker's start, for IRI checks this package never makes.
# Marked absent, jsonschema leaves those two checks out. An earlier import of it is left as it is.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.1.0"
