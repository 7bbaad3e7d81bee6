"""Citable: CITATION.cff, the licences, the manifests' sources and the dataset version."""

from __future__ import annotations

import datetime as _dt
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from sdgcities.build import run as build
from sdgcities.publish import licences, version

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
URL = re.compile(r"https?://\S+|www\.\S+")


def test_citation_cff_has_the_required_cff_keys():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "abstract", "version"):
        assert isinstance(citation[key], str) and citation[key].strip(), key
    assert citation["authors"] and all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in citation["authors"])
    assert isinstance(citation["date-released"], (str, _dt.date)) and _dt.date.fromisoformat(str(citation["date-released"]))
    assert citation["keywords"] and all(isinstance(k, str) for k in citation["keywords"])
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["license"] == project["license"] == "MIT"
    assert citation["version"] == project["version"]
    assert citation.get("type", "software") in ("software", "dataset")


def test_citation_references_every_source_document_as_its_manifest_names_it():
    references = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))["references"]
    by_title = {r["title"]: r for r in references}
    assert len(by_title) == len(references) == len(list(RAW.glob("*.txt")))
    for manifest_path in sorted(RAW.glob("*.yaml")):
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        reference = by_title[manifest["title_ja"]]
        assert reference["authors"] == [{"name": manifest["publisher"]}] and reference["type"] in ("government-document", "slides")
        assert reference["year"] == int(str(manifest["published_on"])[:4]) and manifest["doc_id"] in reference["notes"]
        assert not URL.search(str(reference)), "no address is printed in the documents"


def test_licence_files_cover_code_and_every_raw_document():
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    text = (REPO / "DATA_LICENSE.md").read_text(encoding="utf-8")
    assert text == licences.data_licence_text(), "DATA_LICENSE.md is out of date: run `python -m sdgcities.publish.licences`"
    documents = sorted(p.stem for p in RAW.glob("*.txt"))
    assert len(documents) >= 5
    for doc_id in documents:
        manifest = yaml.safe_load((RAW / f"{doc_id}.yaml").read_text(encoding="utf-8"))
        row = next(line for line in text.splitlines() if line.startswith(f"| `{doc_id}` |"))
        assert " ".join(manifest["licence"].split()) in row


def test_manifest_sources_name_the_document_and_invent_no_address():
    for manifest_path in sorted(RAW.glob("*.yaml")):
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        raw_text = (RAW / manifest["file"]).read_text(encoding="utf-8")
        source = manifest["source"]
        # Every address in the source is printed in the document itself.
        for address in URL.findall(source):
            assert address in raw_text, f"{manifest_path.name}: {address} is not printed in the document"
        # The printed date label, and the title's first words, are quoted from the text.
        assert manifest["published_label"] in source, manifest_path.name
        quoted = re.findall(r"Title as printed: ([^,;(]+)", source)
        assert quoted and quoted[0].strip().replace(" ", "") in raw_text.replace(" ", ""), manifest_path.name


def test_dataset_version_is_the_recorded_inputs_hash(built_db):
    found = version.dataset_version(built_db, fresh=True)
    assert found.inputs_sha256 == build.built_fingerprint(built_db) == build.fingerprint(build.input_files())
    assert re.fullmatch(r"[0-9a-f]{64}", found.inputs_sha256)
    assert found.short == f"{found.inputs_sha256[:12]}+{found.commit}"


def test_version_without_a_database_hashes_the_current_inputs(tmp_path):
    assert version.inputs_hash(tmp_path / "missing.duckdb") == build.fingerprint(build.input_files())


def test_git_commit_is_unknown_without_git_or_repository(tmp_path, monkeypatch):
    assert version.git_commit(tmp_path) == "unknown"
    (tmp_path / ".git").mkdir()  # not a real repository
    assert version.git_commit(tmp_path) == "unknown"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # git not installed
    assert version.git_commit(REPO) == "unknown"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_short_sha_and_dirty(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    sha = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert version.git_commit(tmp_path) == sha and re.fullmatch(r"[0-9a-f]{7,}", sha)
    (tmp_path / "a.txt").write_text("two", encoding="utf-8")
    assert version.git_commit(tmp_path) == f"{sha}+dirty"


def test_report_title_page_names_the_dataset_version(built_db, monkeypatch):
    from sdgcities.publish import render

    monkeypatch.setenv("SDGCITIES_DB", str(built_db))
    expected = version.dataset_version(built_db, fresh=True)
    for lang, label in (("ja", "データ版"), ("en", "Dataset version")):
        page = render.assemble_page([(Path("x.ipynb"), "<html><body><main><h2>節</h2><p>本文</p></main></body></html>")], title="比較 <&>", lang=lang)
        header = re.search(r'<header class="sdg-report-header">(.*?)</header>', page.html, re.S).group(1)
        assert f'data-version="{expected.short}"' in header and f"{label}: <code>{expected.short}</code>" in header
        assert expected.inputs_sha256 in header  # the full hash is in the citation
