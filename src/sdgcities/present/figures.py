"""The report HTML of a chart: a <figure> holding the Vega-Lite spec, drawn by vega-embed, and the
display bundles of :func:`sdgcities.present.charts.show` in "report" and "lab" mode (see the docstring
of sdgcities.present.charts). The chart style, fonts and the public show/cite live in charts.py."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any

SOURCE_LABEL = "出典 / Source: "


# Altair 6.3 emits "application/vnd.vegalite.v6.json"; nbformat only accepts a JSON object under a
# type matching application/(...+)json, so a notebook holding Altair's type with a dict fails to
# save under papermill. The "+json" spelling is valid and is what Vega-aware frontends use.
VEGALITE_MIME_TYPE = "application/vnd.vegalite.v6+json"
ALTAIR_VEGALITE_MIME_TYPE = "application/vnd.vegalite.v6.json"
JUPYTERLAB_VEGALITE_MIME_TYPE = "application/vnd.vegalite.v5+json"  # what JupyterLab 4.6 renders
VEGALITE_MIME_TYPES = (
    VEGALITE_MIME_TYPE,
    ALTAIR_VEGALITE_MIME_TYPE,
    JUPYTERLAB_VEGALITE_MIME_TYPE,
)
_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

# Options passed to vegaEmbed everywhere: SVG so that print/PDF stays vector and searchable.
EMBED_OPTIONS: dict[str, Any] = {"actions": False, "renderer": "svg", "tooltip": True, "mode": "vega-lite"}

# JavaScript function (expression) drawing one chart figure; used by the tiny per-chart script and
# by the report page. Idempotent: a chart already drawn or being drawn is skipped.
RENDER_FIGURE_JS = (
    "function(fig){"
    "var el=fig.querySelector('.sdg-chart'),sp=fig.querySelector('script.sdg-chart-spec');"
    "if(!el||!sp||el.getAttribute('data-state')||typeof window.vegaEmbed!=='function')"
    "{return Promise.resolve();}"
    "el.setAttribute('data-state','pending');"
    "var spec;try{spec=JSON.parse(sp.textContent);}catch(e){el.setAttribute('data-state','error');"
    "el.setAttribute('data-error',String(e));console.error('sdg-chart '+el.id+': '+e);"
    "return Promise.resolve();}"
    f"return window.vegaEmbed(el,spec,{json.dumps(EMBED_OPTIONS, separators=(',', ':'))})"
    ".then(function(){el.setAttribute('data-state','done');"
    "var fb=fig.querySelector('.sdg-fallback');if(fb){fb.style.display='none';}})"
    ".catch(function(e){el.setAttribute('data-state','error');el.setAttribute('data-error',String(e));"
    "console.error('sdg-chart '+el.id+': '+e);});}"
)
_BOOT_JS = "(function(s){var f=s&&s.closest('figure.sdg-chart-figure');if(f){(" + RENDER_FIGURE_JS + ")(f);}})(document.currentScript);"


def vegalite_version() -> str | None:
    """The vl-convert Vega-Lite version matching Altair's schema (e.g. "6.4"), None for latest."""
    import altair as alt  # imported here: the report renderer uses this module without drawing charts
    import vl_convert as vlc

    match = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    if match:
        wanted = f"{match.group(1)}.{match.group(2)}"
        if wanted in vlc.get_vegalite_versions():
            return wanted
    return None


def report_png_enabled() -> bool:
    """Whether report-mode charts carry a static PNG fallback (SDGCITIES_CHART_PNG=1).

    Off by default: reports draw every chart with the embedded vega-embed (and the PDF is printed from
    those drawings), so the PNG would only serve readers with JavaScript off, at 40-60% of a notebook's
    run time (bench/RESULTS.md)."""
    return os.environ.get("SDGCITIES_CHART_PNG", "0") == "1"


def _to_spec(chart: Any, *, validate: bool = True) -> dict[str, Any]:
    if isinstance(chart, Mapping):
        return dict(chart)
    if hasattr(chart, "to_dict"):
        import altair as alt  # already imported by whoever made the chart

        if alt.theme.active == "default":
            # One chart style throughout: charts shown without an explicit theme get ours.
            from sdgcities.present.charts import enable_theme

            enable_theme()
        return chart.to_dict(validate=validate)
    raise TypeError(f"show() needs an Altair chart or a Vega-Lite dict, got {type(chart).__name__}")


def spec_json(spec: Mapping[str, Any], default: Any = None) -> str:
    """The spec as JSON that is safe inside <script type="application/json"> (`default` as json.dumps
    takes it: what a value JSON cannot hold becomes)."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_id(spec: Mapping[str, Any], source: str = "") -> str:
    """A stable id for a chart: the same spec and source give the same id on every run."""
    canonical = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256((canonical + "\0" + source).encode("utf-8")).hexdigest()
    return f"chart-{digest[:12]}"


def static_png(spec: Mapping[str, Any], *, scale: float = 2.0) -> bytes:
    """A PNG of the chart rendered by vl-convert with the CJK font."""
    import vl_convert as vlc

    from sdgcities.present.charts import register_fonts

    register_fonts()
    return recompress_png(vlc.vegalite_to_png(dict(spec), vl_version=vegalite_version(), scale=scale))


def recompress_png(data: bytes) -> bytes:
    """The same PNG with its image data deflated again (vl-convert's PNGs shrink ~5x)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    chunks: list[tuple[bytes, bytes]] = []
    idat = bytearray()
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            if not idat:
                chunks.append((b"IDAT", b""))  # placeholder keeps the chunk order
            idat += body
        else:
            chunks.append((kind, body))
    packed = zlib.compress(zlib.decompress(bytes(idat)), 6)  # level 9 costs ~6x the time for no gain here
    out = bytearray(data[:8])
    for kind, body in chunks:
        if kind == b"IDAT":
            body = packed
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return bytes(out)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def _chart_title(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title) if title else ""


_URL = re.compile(r"https?://[^\s<>\"')]+")


def source_html(source: str) -> str:
    """The citation line as HTML (URLs become links; nothing is loaded from them)."""
    parts, position = [], 0
    # Found in the raw text, so that a URL followed by ">" or "&" does not swallow its escape.
    for match in _URL.finditer(source):
        url = html.escape(match.group(0), quote=True)
        parts += [html.escape(source[position:match.start()]), f'<a href="{url}">{html.escape(match.group(0))}</a>']
        position = match.end()
    parts.append(html.escape(source[position:]))
    return f'<span class="sdg-source-label">{html.escape(SOURCE_LABEL.strip())}</span> {"".join(parts)}'


def figure_html(
    spec: Mapping[str, Any],
    *,
    source: str | None,
    png: bytes | None = None,
    figure_id: str | None = None,
    boot_script: bool = True,
) -> str:
    """The report HTML of one chart: a <figure> with the spec, a static fallback and the citation."""
    figure_id = figure_id or chart_id(spec, source or "")
    title = _chart_title(spec)
    label = html.escape(title or "chart", quote=True)
    parts = [
        f'<figure class="sdg-figure sdg-chart-figure" data-chart-id="{figure_id}">',
        f'<div class="sdg-chart" id="{figure_id}" role="img" aria-label="{label}"></div>',
    ]
    if png is not None:
        width, height = png_size(png)
        b64 = base64.b64encode(png).decode("ascii")
        # The PNG is rendered at scale 2; show it at its CSS size.
        parts.append(
            f'<div class="sdg-fallback"><img src="data:image/png;base64,{b64}" '
            f'width="{round(width / 2)}" height="{round(height / 2)}" '
            f'alt="{label}" style="max-width:100%;height:auto"></div>'
        )
    parts.append(f'<script type="application/json" class="sdg-chart-spec">{spec_json(spec)}</script>')
    if boot_script:
        parts.append(f'<script class="sdg-chart-boot">{_BOOT_JS}</script>')
    if source:
        parts.append(f'<figcaption class="sdg-source">{source_html(source)}</figcaption>')
    parts.append("</figure>")
    return "".join(parts)


def chart_mode() -> str:
    """"report" or "lab" (see the module docstring)."""
    mode = os.environ.get("SDGCITIES_CHART_MODE", "auto").strip().lower()
    if mode in ("report", "lab"):
        return mode
    if mode not in ("", "auto"):
        raise ValueError(f"SDGCITIES_CHART_MODE must be report, lab or auto, not {mode!r}")
    return "lab" if os.environ.get("JPY_SESSION_NAME") else "report"


def _check_source(source: str) -> str:
    if not isinstance(source, str) or not source.strip():
        raise ValueError("a source (citation) is required: pass source='...'")
    return source.strip()


def chart_bundle(chart: Any, *, source: str, mode: str | None = None) -> list[tuple[dict, dict]]:
    """The display outputs (data, metadata) that :func:`show` emits for a chart."""
    source = _check_source(source)
    mode = mode or chart_mode()
    if mode not in ("report", "lab"):
        raise ValueError(f"mode must be 'report' or 'lab', not {mode!r}")
    # Schema validation costs ~0.1 s a chart; interactive work gets it, report runs rely on the
    # browser test that every chart of every report draws without an error.
    spec = _to_spec(chart, validate=mode == "lab")
    cid = chart_id(spec, source)
    title = _chart_title(spec)
    plain = f"[chart] {title}\n{SOURCE_LABEL}{source}" if title else f"[chart]\n{SOURCE_LABEL}{source}"
    meta_common = {"sdgcities": {"kind": "chart", "chart_id": cid, "source": source}}
    if mode == "report" and not report_png_enabled():
        data = {"text/html": figure_html(spec, source=source, png=None, figure_id=cid), VEGALITE_MIME_TYPE: spec, "text/plain": plain}
        return [(data, meta_common)]
    png = static_png(spec)
    width, height = png_size(png)
    b64 = base64.b64encode(png).decode("ascii")
    png_meta = {"width": round(width / 2), "height": round(height / 2)}
    if mode == "lab":
        spec5 = dict(spec)
        spec5["$schema"] = _V5_SCHEMA
        data = {
            VEGALITE_MIME_TYPE: spec,
            JUPYTERLAB_VEGALITE_MIME_TYPE: spec5,
            "image/png": b64,
            "text/plain": plain,
        }
        embed = {"embed_options": {"actions": False, "renderer": "svg", "tooltip": True}}
        metadata = {
            **meta_common,
            "image/png": png_meta,
            VEGALITE_MIME_TYPE: embed,
            JUPYTERLAB_VEGALITE_MIME_TYPE: embed,
        }
        caption = (
            {"text/html": f'<p class="sdg-source">{source_html(source)}</p>', "text/plain": SOURCE_LABEL + source},
            {"sdgcities": {"kind": "source", "chart_id": cid, "source": source}},
        )
        return [(data, metadata), caption]
    if mode != "report":
        raise ValueError(f"mode must be 'report' or 'lab', not {mode!r}")
    data = {
        "text/html": figure_html(spec, source=source, png=png, figure_id=cid),
        VEGALITE_MIME_TYPE: spec,
        "image/png": b64,
        "text/plain": plain,
    }
    return [(data, {**meta_common, "image/png": png_meta})]
