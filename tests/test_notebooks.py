"""Every notebook: committed clean, runs with non-default parameters, refuses bad parameters before any
query, and includes a fourth city by default. (nbval runs each with its defaults: see the Makefile.)"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest

from conftest import REPO, sha256
from sdgcities.publish import nbstore

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))

# Per notebook: parameters for the non-default run, and bad values for its own parameters.
OTHER = {
    "coverage": {"side": "environment", "level": "target"},
    "synergy": {"pair": "society-environment"},
    "achievement": {"rule": "un_cr"},
    "city_profile": {"city": "hiratsuka"},
}
BAD = {
    "coverage": [("side", "social"), ("level", "indicator")],
    "synergy": [("pair", "economy-economy")],
    "achievement": [("rule", "linear")],
    "city_profile": [("city", "nagoya"), ("city", "kaga'; drop table kpis; --")],
    "front_matter": [("report", "summary"), ("city", "nagoya")],
}
SINGLE_CITY = {"city_profile"}


def run(notebook: str, tmp_path: Path, parameters: dict, monkeypatch, database: Path) -> nbformat.NotebookNode:
    monkeypatch.setenv("SDGCITIES_DB", str(database))
    monkeypatch.setenv("SDGCITIES_CHART_MODE", "report")
    output = tmp_path / f"{notebook}-out.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / f"{notebook}.ipynb"), str(output), parameters=parameters,
                               kernel_name="python3", cwd=str(REPO / "notebooks"), progress_bar=False)
    return nbformat.read(output, as_version=4)


def output_text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("text"):
                parts.append(output["text"])
            for mime in ("text/plain", "text/markdown", "text/html"):
                value = output.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def test_there_are_seven_notebooks():
    assert NOTEBOOKS == ["achievement", "city_profile", "coverage", "data_quality", "front_matter", "stakeholders", "synergy"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_committed_notebooks_are_clean(notebook):
    assert nbstore.problems(REPO / "notebooks" / f"{notebook}.ipynb") == []


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_runs_with_other_cities_in_english(notebook, tmp_path, monkeypatch, built_db):
    parameters = {"lang": "en", **OTHER.get(notebook, {})}
    if notebook not in SINGLE_CITY:
        parameters["cities"] = ["kumamoto", "kaga"]
    executed = run(notebook, tmp_path, parameters, monkeypatch, built_db)
    text = output_text(executed)
    if notebook in SINGLE_CITY:
        assert "Hiratsuka" in text and "Kumamoto" not in text
    else:
        assert "Kumamoto" in text and "Kaga" in text and "Hiratsuka" not in text


@pytest.fixture(scope="module")
def four_city_db(tmp_path_factory):
    import os
    from conftest import copy_inputs
    from fourth_city import add_fourth_city
    from sdgcities.build import run as build

    root = copy_inputs(tmp_path_factory.mktemp("four") / "repo")
    add_fourth_city(root)
    previous = os.environ.get("SDGCITIES_ROOT")
    os.environ["SDGCITIES_ROOT"] = str(root)
    try:
        build.build(quiet=True)
    finally:
        if previous is None:
            os.environ.pop("SDGCITIES_ROOT")
        else:
            os.environ["SDGCITIES_ROOT"] = previous
    return root / "data/curated/sdgs.duckdb"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_fourth_city_is_included_by_default(notebook, tmp_path, monkeypatch, four_city_db):
    parameters = {"city": "kaku"} if notebook in SINGLE_CITY else {}
    text = output_text(run(notebook, tmp_path, parameters, monkeypatch, four_city_db))
    assert "架空市" in text


def bad_cases():
    for notebook in NOTEBOOKS:
        cases = list(BAD.get(notebook, []))
        if notebook not in SINGLE_CITY:
            cases += [("cities", ["nagoya"]), ("cities", ["kaga'; drop table kpis; --"])]
        cases.append(("lang", "fr"))
        for name, value in cases:
            yield pytest.param(notebook, name, value, id=f"{notebook}-{name}-{json.dumps(value, ensure_ascii=True)[:20]}")


@pytest.mark.parametrize("notebook, name, value", list(bad_cases()))
def test_bad_parameters_fail_in_the_setup_cell_naming_the_value(notebook, name, value, tmp_path, monkeypatch, built_db):
    before = sha256(built_db)
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run(notebook, tmp_path, {name: value}, monkeypatch, built_db)
    shown = value[0] if isinstance(value, list) else value
    assert error.value.ename == "UnknownValueError"
    assert repr(shown) in error.value.evalue and "valid" in error.value.evalue
    # The set-up cell is the first code cell after papermill's injected parameters: it fails, and no
    # later cell ran.
    executed = nbformat.read(tmp_path / f"{notebook}-out.ipynb", as_version=4)
    injected = next(i for i, c in enumerate(executed.cells) if "injected-parameters" in c.metadata.get("tags", []))
    setup = next(i for i, c in enumerate(executed.cells) if i > injected and c.cell_type == "code")
    failed = [i for i, c in enumerate(executed.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    ran_later = [i for i, c in enumerate(executed.cells) if i > setup and c.cell_type == "code" and c.get("execution_count")]
    assert failed == [setup] and ran_later == []
    assert sha256(built_db) == before
