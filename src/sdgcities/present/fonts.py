"""The CJK font every chart and report uses, and where it is installed. Kept apart from charts.py
(which imports Altair) because the report renderer needs only this."""

from __future__ import annotations

import os
from pathlib import Path

FONT_FAMILY = "Noto Sans CJK JP"
FONT_INSTALL_COMMAND = "apt-get install -y fonts-noto-cjk"

_FONT_DIR_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
)


class FontNotFoundError(RuntimeError):
    """The Noto Sans CJK font that charts and reports use is not installed."""


def find_font_dir() -> Path:
    """The directory holding Noto Sans CJK (NotoSansCJK-*.ttc / *.otf)."""
    override = os.environ.get("SDGCITIES_FONT_DIR")
    candidates = [Path(override)] if override else list(_FONT_DIR_CANDIDATES)
    for directory in candidates:
        if directory.is_dir() and any(directory.glob("NotoSansCJK*")):
            return directory.resolve()
    if not override:
        for match in sorted(Path("/usr/share/fonts").glob("**/NotoSansCJK*")):
            return match.parent.resolve()
    raise FontNotFoundError(
        f"Font {FONT_FAMILY!r} not found (looked in {', '.join(str(c) for c in candidates)}). "
        f"Japanese chart labels would come out as empty boxes. Install it with: "
        f"sudo {FONT_INSTALL_COMMAND}"
    )
