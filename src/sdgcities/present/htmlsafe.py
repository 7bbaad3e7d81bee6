"""Text from the data made inert where it becomes Markdown or HTML.

- markdown_text: a sentence for Markdown (notebook.say / heading) with no link, image, autolink, raw
  HTML tag or entity left active; emphasis still works.
- neutralise_active_content: over a whole report page, every javascript:/data: link, event handler
  and script that is not chart data is made inert (the second line of defence).
"""

from __future__ import annotations

import html
import re

from bs4 import NavigableString, Tag

_MARKDOWN_ACTIVE = str.maketrans({"[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;", "&": "&amp;", "\\": "\\\\"})


def markdown_text(text: str) -> str:
    """Text made inert in Markdown: no link, image, autolink, raw HTML tag or entity can come out of
    it (brackets, angle brackets, & and backslashes escaped); emphasis (**bold**) still works.

    Narrative sentences mix the project's wording with text from the data (city names, document
    titles, indicators, notes), so the whole sentence is escaped here, once, where it becomes
    Markdown; the project's own sentences use no links or HTML."""
    return text.translate(_MARKDOWN_ACTIVE)


# Links a report may hold: fragments, relative paths and these schemes. Anything else (javascript:,
# vbscript:, data: ...) in notebook output is made inert.
SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster", "background")
ACTIVE_TAGS = ("script", "iframe", "object", "embed", "form", "frame", "frameset", "base", "meta", "link")


# data: URLs that carry no code: raster images (nbconvert embeds image/png outputs so) and CSV downloads.
SAFE_DATA = re.compile(r"^data:(image/(png|jpeg|gif|webp)|text/csv)[;,]")


def _safe_url(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES or bool(SAFE_DATA.match(cleaned))


def neutralise_active_content(root: Tag) -> list[str]:
    """Make inert everything in notebook outputs that could run code or leave the page when clicked
    (a javascript: link, an event handler, a script that is not a chart spec); return what changed.
    Text from the data is escaped where it enters Markdown and HTML (notebook.say, charts.cite);
    this is the second line, over the whole report."""
    changed: list[str] = []
    for tag in root.find_all(True):
        if tag.name == "script" and str(tag.get("type", "")).strip().lower() == "application/json":
            continue  # data (chart specs), never executed by the browser
        if tag.name in ACTIVE_TAGS:
            changed.append(f"<{tag.name}>")
            tag.replace_with(NavigableString(tag.get_text()))
            continue
        for attribute in list(tag.attrs):
            name = attribute.lower()
            value = tag.attrs[attribute]
            if name.startswith("on") or (name in URL_ATTRIBUTES and isinstance(value, str) and not _safe_url(value)) or (name == "style" and "url(" in str(value).lower()):
                changed.append(f"<{tag.name} {attribute}={str(value)[:60]!r}>")
                del tag.attrs[attribute]
        if tag.name == "a" and "href" not in tag.attrs:
            tag.unwrap()
    return changed
