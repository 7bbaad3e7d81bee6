"""The dataset version: which inputs a database was built from, and which code wrote the output.

A version has two parts:
- `inputs_sha256`: the content hash of every build input (raw documents and manifests, curated
  tables, SQL models, package code), as recorded by the build in the database's build_info table
  (sdgcities.build.run.fingerprint). Same hash, same data.
- `commit`: the short git commit of the working tree, with "+dirty" when it has uncommitted
  changes, or "unknown" when git or the repository is not there. Never an error.

Exports, the codebook, the data package and the reports print it, so that a figure can be cited
with the exact data it came from.
"""

from __future__ import annotations

import html
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sdgcities import paths

UNKNOWN = "unknown"
SHORT_HASH = 12  # characters of the inputs hash shown in labels (48 bits: collisions are not a concern here)


@dataclass(frozen=True)
class DatasetVersion:
    inputs_sha256: str
    commit: str

    @property
    def short(self) -> str:
        """The label to cite, for example `1a2b3c4d5e6f+abc1234` (inputs hash, then commit)."""
        return f"{self.inputs_sha256[:SHORT_HASH]}+{self.commit}"

    def as_dict(self) -> dict[str, str]:
        return {"version": self.short, "inputs_sha256": self.inputs_sha256, "commit": self.commit}


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None  # git not installed, or it hung
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(root: Path | None = None) -> str:
    """Short commit of the repository at `root`, "+dirty" when it has uncommitted changes (untracked
    files included, ignored ones not), or "unknown" without git or outside a repository."""
    root = Path(root) if root else paths.root()
    if not (root / ".git").exists():
        return UNKNOWN  # a copy or an unpacked archive: do not report the commit of an enclosing repository
    sha = _git(root, "rev-parse", "--short=7", "HEAD")
    if not sha:
        return UNKNOWN
    status = _git(root, "status", "--porcelain")
    if status is None:
        return f"{sha}+{UNKNOWN}"
    return f"{sha}+dirty" if status else sha


def inputs_hash(database: Path | None = None) -> str:
    """The inputs hash recorded in the database; when there is no readable database, the hash of
    the current inputs (the database they would build)."""
    from sdgcities.build.run import built_fingerprint, fingerprint, input_files

    database = Path(database) if database else paths.database_path()
    return built_fingerprint(database) or fingerprint(input_files())


@lru_cache(maxsize=8)
def _cached(database: str, root: str) -> DatasetVersion:
    return DatasetVersion(inputs_sha256=inputs_hash(Path(database)), commit=git_commit(Path(root)))


def dataset_version(database: Path | None = None, *, fresh: bool = False) -> DatasetVersion:
    """The version of the data in `database` (default data/curated/sdgs.duckdb) and of the code now.
    Cached per process; pass fresh=True after rebuilding or committing."""
    database = Path(database) if database else paths.database_path()
    if fresh:
        _cached.cache_clear()
    return _cached(str(database.resolve()), str(paths.root()))


def connection_version(con) -> DatasetVersion:
    """The version of the data an open connection reads. A build swaps the database file by renaming, and
    an open connection keeps reading the file it opened: a writer that reads data and version through one
    connection states the version of exactly the data it wrote."""
    from sdgcities.build.dbfile import build_info

    return DatasetVersion(inputs_sha256=build_info(con)["inputs_sha256"], commit=git_commit())


def citation_text(version: DatasetVersion, lang: str = "en") -> str:
    """How to cite the dataset (plain text): project, version and commit, in the catalogue's words."""
    from sdgcities.present.words import Words

    return Words(lang)("citation.text", version=version.short, inputs=version.inputs_sha256, commit=version.commit)


def report_version_html(lang: str = "en", database: Path | None = None) -> str:
    """One escaped HTML paragraph for a report's title page: the dataset version and how to cite it."""
    from sdgcities.present.words import Words

    version = dataset_version(database)
    words = Words(lang)
    label, cite = words("citation.version_label"), words("citation.cite_as")
    return (
        f'<p class="sdg-report-meta sdg-dataset-version" style="overflow-wrap:anywhere" data-version="{html.escape(version.short, quote=True)}">'
        f"{html.escape(label)}: <code>{html.escape(version.short)}</code>. "
        f"{html.escape(cite)}: {html.escape(citation_text(version, lang))}</p>"
    )
