"""What builds the database: the curated inputs and their checks (inputs/), the Python models
(models/), the runner that executes the model graph under sql/ (run.py) and the database file
beside its lock and build record (dbfile.py). Drafting a new document's rows (draft/) feeds inputs."""
