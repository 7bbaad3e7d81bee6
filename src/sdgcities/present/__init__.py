"""What presents the data: the notebook context, words in each language, charts and the analyses."""

# The display type of the build id a notebook records (notebook.setup); the report renderer checks it
# without importing the notebook layer (polars, DuckDB).
BUILD_MIME_TYPE = "application/vnd.sdgcities.build+json"
