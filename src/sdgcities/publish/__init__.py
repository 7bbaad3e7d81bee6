"""What publishes: the report suite, rendering to HTML and PDF, exports, the site and citation."""

from pathlib import Path

# The report stylesheet, inlined into every report page. Here, not in render.py, because the report run
# fingerprints it without importing the renderer (whose imports cost more than a run with nothing to do).
STYLESHEET = Path(__file__).with_name("report.css")
