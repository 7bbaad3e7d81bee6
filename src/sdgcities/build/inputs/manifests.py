"""The raw documents' manifests (data/raw/<doc_id>.yaml): every key present, the city and type known, and
the raw file's checksum unchanged (raw documents are immutable)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from sdgcities import paths
from sdgcities.build.inputs.names import by_parts, relative
from sdgcities.build.inputs.parsing import load_yaml
from sdgcities.build.inputs.problems import Problem
from sdgcities.build.inputs.tables import DOC_TYPES, CellError, _iso_date
from sdgcities.build.inputs.validate_sources import check_manifest

MANIFEST_KEYS = (
    "doc_id", "city_id", "file", "original_filename", "title_ja", "title_en", "publisher",
    "published_label", "published_on", "doc_type", "covers", "format", "source", "licence", "sha256",
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifests(problems: list[Problem], known_cities: set[str]) -> tuple[list[dict], dict[str, str]]:
    """Read every data/raw/*.yaml manifest, verify its raw file's checksum, and return the texts."""
    documents, texts = [], {}
    raw = paths.raw_dir()
    for manifest_path in sorted(raw.glob("*.yaml"), key=by_parts):
        name = relative(manifest_path)
        try:
            manifest = load_yaml(manifest_path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(Problem(name, f"unreadable manifest: {error}"))
            continue
        except ValueError:  # YAML reads an unquoted 2019-13-45 as a date and fails on it
            problems.extend(_manifest_date_problems(name, manifest_path))
            continue
        if not isinstance(manifest, dict):
            problems.append(Problem(name, "a manifest must be a YAML mapping of the keys " + ", ".join(MANIFEST_KEYS)))
            continue
        missing = [k for k in MANIFEST_KEYS if not str(manifest.get(k) or "").strip()]
        if missing:
            problems.append(Problem(name, f"manifest is missing {missing}"))
            continue
        manifest = {k: str(manifest[k]) for k in MANIFEST_KEYS}
        if manifest["doc_id"] != manifest_path.stem:
            problems.append(Problem(name, f"doc_id must equal the manifest's file name ({manifest_path.stem})", column="doc_id", value=manifest["doc_id"]))
        if manifest["city_id"] not in known_cities:
            problems.append(Problem(name, f"unknown city_id; known cities (data/curated/reference/cities.csv): {', '.join(sorted(known_cities))}", column="city_id", value=manifest["city_id"]))
        if manifest["doc_type"] not in DOC_TYPES:
            problems.append(Problem(name, f"doc_type not allowed; allowed: {', '.join(DOC_TYPES)}", column="doc_type", value=manifest["doc_type"]))
        if not check_manifest(manifest, manifest_path, raw, problems):
            continue
        raw_path = raw / manifest["file"]
        if not raw_path.is_file():
            problems.append(Problem(name, f"the raw file {paths.relative(raw_path)} does not exist", column="file", value=manifest["file"]))
            continue
        data = raw_path.read_bytes()  # read once: hashed, then decoded
        actual = hashlib.sha256(data).hexdigest()
        if actual != manifest["sha256"]:
            problems.append(Problem(
                paths.relative(raw_path),
                f"sha256 is {actual} but its manifest {name} records {manifest['sha256']}: the raw file was changed. "
                "Raw documents are immutable: restore the original, or add a new version as a new document with its own manifest.",
                column="sha256", value=actual))
            continue
        try:
            texts[manifest["doc_id"]] = _as_text(data)
        except UnicodeDecodeError as error:
            problems.append(Problem(paths.relative(raw_path), f"raw document is not UTF-8 text: {error}"))
            continue
        manifest["raw_path"] = relative(raw_path)
        documents.append(manifest)
    if not documents and not problems:
        problems.append(Problem(paths.relative(raw), "no raw documents: expected data/raw/<doc_id>.txt with data/raw/<doc_id>.yaml"))
    return documents, texts


def _as_text(data: bytes) -> str:
    """The text Path.read_text(encoding="utf-8") gives of a file's bytes (universal newlines: \r\n and \r read as \n)."""
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _manifest_date_problems(name: str, manifest_path: Path) -> list[Problem]:
    """Name the key and value of every date-like manifest value that is not a real date."""
    found = []
    raw_values = yaml.load(manifest_path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    for key, value in raw_values.items() if isinstance(raw_values, dict) else []:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
            try:
                _iso_date(value.strip())
            except CellError as error:
                found.append(Problem(name, f"{error}", column=key, value=value))
    return found or [Problem(name, "unreadable manifest: a value YAML reads as a date is not a real date")]
