"""Names of input files relative to the repository, as paths.relative gives them, for thousands of files.

paths.relative resolves every path, which reads each of its folders again (seconds at 1,741 cities).
Within `folders_resolved_once()` (one load of the inputs) a folder is resolved once and a file in it that
is not a symlink is named from it: the same name, since only a link would resolve elsewhere.
"""

from __future__ import annotations

import contextlib
import operator
from pathlib import Path

from sdgcities import paths

# The order of sorted(paths), by their parts, without comparing Path objects (slow for thousands of files).
by_parts = operator.attrgetter("parts")

_folders: dict[str, str | None] | None = None  # folder as given -> its resolved name under the root (None: outside)
_resolved: dict[str, Path] | None = None  # folder as given -> Path.resolve() of it


@contextlib.contextmanager
def folders_resolved_once():
    global _folders, _resolved
    _folders, _resolved = {}, {}
    try:
        yield
    finally:
        _folders = _resolved = None  # outside a load every call resolves again: folders may change between builds


def resolved(folder: Path) -> Path:
    """folder.resolve(), once per load of the inputs."""
    known = _resolved  # read once: a load ending in another thread sets it to None
    if known is None:
        return folder.resolve()
    key = str(folder)
    if key not in known:
        known[key] = folder.resolve()
    return known[key]


def relative(path: Path) -> str:
    """paths.relative(path)."""
    folders = _folders  # read once: a load ending in another thread sets it to None
    if folders is None or path.name in ("", ".", "..") or path.is_symlink():
        return paths.relative(path)
    folder = str(path.parent)
    if folder not in folders:
        try:
            folders[folder] = str(path.parent.resolve().relative_to(paths.root()))
        except ValueError:
            folders[folder] = None
    name = folders[folder]
    if name is None:
        return paths.relative(path)
    return path.name if name == "." else f"{name}/{path.name}"
