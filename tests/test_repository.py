"""The repository's own set-up files agree with each other."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_is_in_step_with_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert sorted(p for p in pip_section if not p.startswith("-e")) == sorted(declared)
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python" + project["requires-python"]


def test_every_dependency_is_pinned_in_the_lock_file():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {requirement_name(d) for d in project["dependencies"] + project["optional-dependencies"]["test"]}
    locked = {requirement_name(line) for line in (REPO / "requirements.lock").read_text().splitlines() if "==" in line}
    assert declared - locked == set()


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "make test" in (REPO / "README.md").read_text(encoding="utf-8")
