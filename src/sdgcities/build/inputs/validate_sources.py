"""Checks of where the inputs come from: manifests name files inside data/raw/ only (no paths that
leave it, no symlinks), their dates parse and agree with the printed label, and the fixed reference
tables (the UN's 17 goals and 169 targets) match the checksums recorded beside them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sdgcities import paths
from sdgcities.build.inputs.names import relative, resolved
from sdgcities.build.inputs.problems import Problem
from sdgcities.build.inputs.printed import parse_date_label, parse_iso_date, show_date

CHECKSUM_FILE = "checksums.sha256"
_PLAIN_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def check_manifest(manifest: dict[str, str], manifest_path: Path, raw: Path, problems: list[Problem]) -> bool:
    """Return False when the manifest's raw file must not be read at all (outside data/raw/, a symlink)."""
    name = relative(manifest_path)
    file_name = manifest["file"]
    ok = True
    if not _PLAIN_FILE_NAME.fullmatch(file_name) or file_name in (".", ".."):
        problems.append(Problem(name, "file must be a plain file name inside data/raw/ (no directories, no '..', no absolute path)", column="file", value=file_name))
        ok = False
    else:
        raw_path = raw / file_name
        if manifest_path.is_symlink() or raw_path.is_symlink():
            which = f"{paths.relative(raw)}/{file_name}" if raw_path.is_symlink() else name  # not resolved: that would follow the link
            problems.append(Problem(name, f"{which} is a symlink: raw documents and manifests must be real files inside data/raw/, not links to copies elsewhere", column="file", value=file_name))
            ok = False
        elif raw_path.exists() and raw_path.resolve().parent != resolved(raw):
            problems.append(Problem(name, "the raw file resolves outside data/raw/", column="file", value=file_name))
            ok = False
    published_on = parse_iso_date(manifest["published_on"])
    if published_on is None:
        problems.append(Problem(name, "published_on is not a real ISO date (YYYY, YYYY-MM or YYYY-MM-DD)", column="published_on", value=manifest["published_on"]))
    else:
        printed = parse_date_label(manifest["published_label"])
        if printed is not None and published_on != printed:
            problems.append(Problem(name, f"published_on does not agree with published_label {manifest['published_label']!r}, which prints {show_date(printed)}", column="published_on", value=manifest["published_on"]))
    return ok


def check_reference_checksums(reference: Path, problems: list[Problem]) -> None:
    """Each file listed in reference/checksums.sha256 (`sha256sum` format) must match its checksum."""
    record = reference / CHECKSUM_FILE
    name = paths.relative(record)
    if not record.is_file():
        problems.append(Problem(name, "missing: it records the sha256 of the fixed reference tables (sdg_goals.csv, sdg_targets.csv)"))
        return
    for number, line in enumerate(record.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            problems.append(Problem(name, "expected '<sha256>  <file>' (sha256sum format)", row=number, line=number, value=line))
            continue
        expected, file_name = parts[0], parts[1].lstrip("*").strip()
        path = reference / file_name
        if not path.is_file():
            problems.append(Problem(paths.relative(path), f"missing, but {name} records it", line=number))
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            problems.append(Problem(paths.relative(path), (
                f"sha256 is {actual} but {name} line {number} records {expected}: this reference table is fixed (the UN's goals and "
                f"targets); restore it (git checkout {paths.relative(path)}). Only when the UN list itself changes, update it and its checksum."),
                column="sha256", value=actual))
