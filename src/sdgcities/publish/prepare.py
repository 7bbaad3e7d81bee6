"""Executed notebooks made ready for the report page: tagged cells and check outputs removed, chart
outputs given their report figure, then exported to HTML by nbconvert (inputs and prompts hidden)."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import threading
from pathlib import Path

import nbformat

from sdgcities.present import figures  # not charts: it imports Altair, which rendering never needs
from sdgcities.publish.snapshot import BUILD_MIME_TYPE


REMOVE_CELL_TAGS = {"remove-cell", "remove_cell", "hide-cell", "report-skip"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}


def _as_spec(value) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def upgrade_chart_outputs(nb: nbformat.NotebookNode) -> int:
    """Give every Vega-Lite output without ``text/html`` the report figure; return how many.

    Outputs made by ``charts.show`` in "lab" mode (and charts displayed by Altair's own mimetype
    renderer) carry the spec but no HTML; nbconvert would show them as plain text.
    """
    upgraded = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        kept = []
        skip_next_caption_for: str | None = None
        for output in outputs:
            meta = output.get("metadata", {}) or {}
            info = meta.get("sdgcities", {}) if isinstance(meta, dict) else {}
            if skip_next_caption_for and info.get("kind") == "source" and info.get("chart_id") == skip_next_caption_for:
                skip_next_caption_for = None
                continue
            skip_next_caption_for = None
            data = output.get("data")
            if output.get("output_type") in ("display_data", "execute_result") and data and "text/html" not in data:
                spec = next((_as_spec(data[m]) for m in figures.VEGALITE_MIME_TYPES if m in data), None)
                if spec is not None:
                    source = info.get("source")
                    png = None
                    if isinstance(data.get("image/png"), str):
                        with contextlib.suppress(ValueError):
                            png = base64.b64decode(data["image/png"])
                    data["text/html"] = figures.figure_html(
                        spec, source=source, png=png, figure_id=info.get("chart_id"), boot_script=False
                    )
                    upgraded += 1
                    if info.get("chart_id"):
                        skip_next_caption_for = info["chart_id"]
            kept.append(output)
        cell["outputs"] = kept
    return upgraded


def prepare_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook ready for export: tagged cells removed, chart outputs upgraded."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []) or [])
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.get("cell_type") == "code":
            if tags & REMOVE_OUTPUT_TAGS:
                cell["outputs"] = []
            if "# NBVAL_CHECK_OUTPUT" in cell.get("source", ""):
                # Plain-text key results printed for nbval: the narrative states them for readers.
                cell["outputs"] = []
            # The build id notebook.setup records is for the report run's checks, not for readers.
            cell["outputs"] = [o for o in cell.get("outputs", []) if BUILD_MIME_TYPE not in (o.get("data") or {})]
            if not cell.get("outputs"):
                continue  # input is hidden anyway: nothing to show
        if cell.get("cell_type") == "raw":
            continue
        cells.append(cell)
    nb.cells = cells
    upgrade_chart_outputs(nb)
    return nb


_per_thread = threading.local()


def _exporter():
    """nbconvert's exporter, made once per thread: making one compiles the lab template's Jinja files
    (about 0.1 s per notebook exported otherwise). Exporting sets filters on the exporter, so threads
    rendering at the same time do not share one."""
    exporter = getattr(_per_thread, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = _per_thread.exporter = HTMLExporter(
            template_name="lab",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
    return exporter


def export_notebook(nb: nbformat.NotebookNode, *, path: Path) -> str:
    """The notebook as a full HTML page from nbconvert's lab template, inputs and prompts hidden."""
    resources = {"metadata": {"path": str(path.parent), "name": path.stem}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body
