"""One chart style for every notebook and report, and display helpers that keep the citation.

This module holds the colours, fonts and theme and the public show/cite; the HTML of chart figures is
built in present/figures.py and that of tables in present/tables.py (their names are re-exported here).

Notebooks call :func:`show` for Altair charts and :func:`cite` for tables; both put the line
"出典 / Source: ..." under what they display.

How a chart is displayed (see :func:`chart_bundle`):

* "report" mode (default, e.g. under papermill): one display bundle whose ``text/html`` is a
  ``<figure class="sdg-figure sdg-chart-figure">`` holding an empty ``<div class="sdg-chart">``,
  the Vega-Lite spec in ``<script type="application/json" class="sdg-chart-spec">``, a static PNG
  fallback (rendered by vl-convert with the CJK font) and a tiny script that calls ``vegaEmbed``
  only when the page already has it. No JavaScript is ever loaded from a CDN. The report renderer
  (``sdgcities.publish.render``) embeds vega/vega-lite/vega-embed once and draws every chart. The bundle
  also carries ``image/png`` and Altair 6's own mime type for tools that prefer them.
* "lab" mode (chosen automatically when the kernel was started by a Jupyter server, which sets
  ``JPY_SESSION_NAME``): no ``text/html``, so JupyterLab uses its built-in Vega renderer and the
  chart is interactive. JupyterLab ranks ``text/html`` above its Vega renderer, and JupyterLab
  4.6 only renders ``application/vnd.vegalite.v5+json`` (Altair 6 emits
  ``application/vnd.vegalite.v6.json``), so the bundle carries the spec under
  ``application/vnd.vegalite.v6+json`` and the v5 type.

``SDGCITIES_CHART_MODE=report|lab|auto`` overrides the choice.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import altair as alt

# The chart figures and their display bundles (re-exported: notebooks and the renderer call them here).
from sdgcities.present.figures import (  # noqa: F401
    ALTAIR_VEGALITE_MIME_TYPE,
    EMBED_OPTIONS,
    JUPYTERLAB_VEGALITE_MIME_TYPE,
    RENDER_FIGURE_JS,
    SOURCE_LABEL,
    VEGALITE_MIME_TYPE,
    VEGALITE_MIME_TYPES,
    _check_source,
    chart_bundle,
    chart_id,
    chart_mode,
    figure_html,
    png_size,
    recompress_png,
    report_png_enabled,
    source_html,
    spec_json,
    static_png,
    vegalite_version,
)
from sdgcities.present.tables import LONG_TABLE_ROWS, PRINTED_ROWS, cite_bundle, format_value, table_html  # noqa: F401
from sdgcities.present.fonts import FONT_FAMILY, FONT_INSTALL_COMMAND, FontNotFoundError, find_font_dir  # noqa: F401

# ---------------------------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------------------------

# The SDG colours come from the sdg_goals reference table (Context.goal_colours, marks.sdg_colours).

# Okabe-Ito colour-blind-safe palette, ordered so that the first colours contrast best on white
# (the pale yellow comes late).
CITY_PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def city_colour_scale(city_labels: Sequence[str]) -> alt.Scale:
    """A colour scale giving each city (in the order given) a fixed Okabe-Ito colour.

    Use the same label order in every chart so a city keeps its colour across a report.
    """
    labels = _unique(city_labels)
    if not labels:
        raise ValueError("city_colour_scale needs at least one city label")
    if len(labels) > len(CITY_PALETTE):
        raise ValueError(
            f"{len(labels)} cities but only {len(CITY_PALETTE)} distinguishable colours; "
            "facet the chart or group cities instead of colouring each one"
        )
    return alt.Scale(domain=labels, range=CITY_PALETTE[: len(labels)])




# ---------------------------------------------------------------------------------------------
# Fonts and theme
# ---------------------------------------------------------------------------------------------

THEME_NAME = "sdgcities"
_registered_font_dir: Path | None = None


def register_fonts() -> Path:
    """Register the CJK font directory with vl-convert (once per process); return the directory."""
    global _registered_font_dir
    if _registered_font_dir is not None:
        return _registered_font_dir
    import vl_convert as vlc

    directory = find_font_dir()
    vlc.register_font_directory(str(directory))
    _registered_font_dir = directory
    return directory


def theme_config() -> dict[str, Any]:
    """The chart style: Noto Sans CJK JP everywhere, readable sizes, Okabe-Ito categories."""
    font = FONT_FAMILY
    axis = {
        "labelFont": font,
        "titleFont": font,
        "labelFontSize": 12,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "labelColor": "#333333",
        "titleColor": "#333333",
        "labelLimit": 260,
        "gridColor": "#e5e5e5",
        "domainColor": "#888888",
        "tickColor": "#888888",
    }
    return {
        "config": {
            "font": font,
            "background": "white",
            "padding": 8,
            "view": {
                "continuousWidth": 460,
                "continuousHeight": 280,
                "discreteWidth": {"step": 56},
                "stroke": None,
            },
            "title": {
                "font": font,
                "subtitleFont": font,
                "fontSize": 16,
                "subtitleFontSize": 12,
                "fontWeight": "bold",
                "anchor": "start",
                "color": "#222222",
                "subtitleColor": "#555555",
                "offset": 10,
            },
            "axis": axis,
            # Japanese labels read best horizontal (Vega-Lite rotates discrete x labels by default).
            "axisXDiscrete": {"labelAngle": 0},
            "legend": {
                "labelFont": font,
                "titleFont": font,
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelLimit": 260,
                "symbolSize": 120,
            },
            "header": {
                "labelFont": font,
                "titleFont": font,
                "labelFontSize": 13,
                "titleFontSize": 14,
            },
            "text": {"font": font, "fontSize": 12},
            "mark": {"font": font},
            "range": {"category": CITY_PALETTE},
            "bar": {"continuousBandSize": 16},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
        }
    }


@alt.theme.register(THEME_NAME, enable=False)
def _sdgcities_theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


def enable_theme() -> None:
    """Make the sdgcities theme the active Altair theme (and register the fonts for vl-convert)."""
    register_fonts()
    alt.theme.enable(THEME_NAME)


def show(chart: Any, *, source: str) -> None:
    """Display an Altair chart with the citation line "出典 / Source: <source>" under it."""
    from IPython.display import display

    for data, metadata in chart_bundle(chart, source=source):
        display(data, metadata=metadata, raw=True)


# ---------------------------------------------------------------------------------------------
# Tables (built in present/tables.py)
# ---------------------------------------------------------------------------------------------


def cite(table_or_text: Any, *, source: str, decimals: int | None = None, max_rows: int = LONG_TABLE_ROWS,
         shown_rows: int = PRINTED_ROWS) -> None:
    """Display a table (pandas/polars DataFrame or Series) or a text with its citation line. A report
    prints the first `shown_rows` rows of a table longer than `max_rows` and links the complete table
    as CSV (present/tables.py)."""
    from IPython.display import display

    data, metadata = cite_bundle(table_or_text, source=source, decimals=decimals, max_rows=max_rows, shown_rows=shown_rows)
    display(data, metadata=metadata, raw=True)
