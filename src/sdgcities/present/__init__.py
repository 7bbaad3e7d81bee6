"""What presents the data: the notebook context, words in each language, charts and the analyses."""

import sys

# Altair imports jsonschema, whose format checks import rfc3987_syntax when it is installed (JupyterLab's
# jupyter-events asks for it); that module builds a Lark grammar at import time: about 1.3 s of every
# kernel's start, for IRI checks Altair never makes. Marked absent before Altair is imported, jsonschema
# leaves those two checks out. An earlier import of it (by another library) is left as it is.
sys.modules.setdefault("rfc3987_syntax", None)
