"""A report run reads one build from its first notebook to its last render (issue 13 case 2): the
database is rebuilt in the middle of a run, and no report mixes the two builds or is recorded as up
to date for the new one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from sdgcities.access import api
from sdgcities.build import run as build
from sdgcities.publish import render, reports, snapshot

PROBE = '''from sdgcities.access import api
from sdgcities.present import notebook as nb
ctx = nb.setup()
if rebuild:  # the database is rebuilt while the report run goes on
    import os, subprocess, sys
    env = {k: v for k, v in os.environ.items() if k != "SDGCITIES_DB"}
    subprocess.run([sys.executable, "-m", "sdgcities.build", "--force"], env=env, check=True)
print(f"KPI {api.kpis(ctx.con).height}")
'''


def probe_notebook(path: Path, rebuild: bool) -> None:
    parameters = new_code_cell(f"rebuild = {rebuild}\nlang = 'ja'\ncity = None")
    parameters.metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=[parameters, new_code_cell(PROBE)], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), path)


@pytest.fixture
def probe_suite(workspace):
    """A report suite of two small notebooks: the first one rebuilds the database half-way."""
    build.build(quiet=True)
    notebooks = workspace / "notebooks"
    notebooks.mkdir()
    probe_notebook(notebooks / "first.ipynb", rebuild=True)
    probe_notebook(notebooks / "second.ipynb", rebuild=False)
    (notebooks / "reports.yaml").write_text(
        "comparison:\n  languages: [ja]\n  title: {ja: 比較, en: Comparison}\n"
        "  notebooks:\n    - notebook: first\n    - notebook: second\n"
        "city:\n  languages: [ja]\n  title: {ja: '{name_ja}', en: '{name_en}'}\n  notebooks:\n    - notebook: second\n",
        encoding="utf-8",
    )
    return workspace


def report_pages(out: Path) -> list[Path]:
    """The reports of a run; index.html lists them and the downloads, it is not a report."""
    return sorted(out.glob("*/*.html"))


def html_build(path: Path) -> str:
    return re.search(r'<meta content="([^"]+)" name="sdgcities-build"', path.read_text(encoding="utf-8")).group(1)


def test_a_rebuild_during_a_run_neither_mixes_builds_nor_counts_as_up_to_date(probe_suite, capsys):
    database = probe_suite / "data/curated/sdgs.duckdb"
    out = probe_suite / "reports"
    with api.connect(database) as con:
        first_build = api.build_id(con)
    summary = reports.run(pdf=False, workers=1, database=database, reports_dir=out)
    with api.connect(database) as con:
        second_build = api.build_id(con)
    assert second_build != first_build  # the database was rebuilt during the run
    assert summary["build_id"] == first_build and summary["rebuilt_during_run"]
    assert "rebuilt during this run" in capsys.readouterr().out
    # Every notebook, including the one run after the rebuild, read the run's build.
    for executed in sorted((out / "executed").glob("*.ipynb")):
        assert set(snapshot.notebook_builds(nbformat.read(executed, as_version=4))) == {first_build}, executed.name
    assert {html_build(p) for p in report_pages(out)} == {first_build}
    assert not list((out / "executed").glob(".snapshot-*"))
    # The next run does not call those outputs up to date: they were made from the previous build.
    again = reports.run(pdf=False, workers=1, database=database, reports_dir=out)
    assert again["executed"] == again["jobs"] == 5 and again["rendered"] == 4
    assert again["build_id"] != first_build
    assert {html_build(p) for p in report_pages(out)} == {again["build_id"]}


def executed_with_build(path: Path, build_id: str) -> Path:
    cell = new_code_cell("x", outputs=[
        new_output("display_data", data={snapshot.BUILD_MIME_TYPE: {"build_id": build_id}, "text/plain": ""}),
        new_output("display_data", data={"text/markdown": f"build {build_id}", "text/plain": ""}),
    ])
    nbformat.write(new_notebook(cells=[cell]), path)
    return path


def test_a_report_of_notebooks_from_two_builds_is_refused(tmp_path):
    one = executed_with_build(tmp_path / "one.ipynb", "build-a")
    two = executed_with_build(tmp_path / "two.ipynb", "build-b")
    with pytest.raises(snapshot.MixedBuildError, match="build-a: one; build build-b: two"):
        render.render_report([one, two], title="t", out_html=tmp_path / "r.html", out_pdf=None)
    assert not (tmp_path / "r.html").exists()
    render.render_report([one, executed_with_build(tmp_path / "three.ipynb", "build-a")], title="t", out_html=tmp_path / "r.html", out_pdf=None)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html_build(tmp_path / "r.html") == "build-a" and snapshot.BUILD_MIME_TYPE not in html


def test_a_notebook_that_read_another_build_is_refused(tmp_path):
    executed = executed_with_build(tmp_path / "one.ipynb", "build-b")
    with pytest.raises(snapshot.MixedBuildError, match="read build build-b, not the run's build build-a"):
        snapshot.check_notebook_build(executed, "build-a", name="one")
    snapshot.check_notebook_build(executed, "build-b", name="one")


def test_the_snapshot_keeps_its_build_while_the_database_is_rebuilt(workspace, tmp_path):
    build.build(quiet=True)
    database = workspace / "data/curated/sdgs.duckdb"
    with snapshot.pinned_build(database, tmp_path) as pinned:
        before = pinned.build_id
        assert pinned.rebuilt_since() is None
        build.build(quiet=True, force=True)
        with api.connect(pinned.path) as con:
            assert api.build_id(con) == before and api.kpis(con).height == 73
        assert "rebuilt during this run" in pinned.rebuilt_since()
    assert not pinned.path.exists()
