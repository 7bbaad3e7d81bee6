"""The report run's execution engine (sdgcities.publish.engine): one kernel per worker process, reused
run after run, with a fresh namespace each time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from sdgcities.publish import engine

REPO = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *sources: str, parameters: str = "value = 0") -> Path:
    cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, path)
    return path


def _printed(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "stream"]


def _kernel_pid() -> int:
    return engine._local.kernel.manager.provisioner.pid


@pytest.fixture
def fresh_engine(monkeypatch):
    """The engine of this test process, without a kernel before and after the test."""
    monkeypatch.delenv("SDGCITIES_DB", raising=False)
    engine.shutdown()
    yield engine
    engine.shutdown()


def test_each_run_starts_in_a_fresh_namespace_on_the_same_kernel(fresh_engine, tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "leftover = value * 2\nprint(leftover)")
    second = _notebook(tmp_path / "second.ipynb", "print('leftover' in globals(), value)", "import sys\nprint('json' in sys.modules)")
    engine.execute(first, tmp_path / "out1.ipynb", parameters={"value": 21}, cwd=tmp_path)
    pid = _kernel_pid()
    engine.execute(second, tmp_path / "out2.ipynb", parameters={"value": 5}, cwd=tmp_path)

    assert _printed(tmp_path / "out1.ipynb") == ["42\n"]
    # The variable of the first run is gone; the parameter is the second run's; modules stay imported.
    assert _printed(tmp_path / "out2.ipynb") == ["False 5\n", "True\n"]
    assert _kernel_pid() == pid
    counts = [c.execution_count for c in nbformat.read(tmp_path / "out2.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "the execution counter starts at 1 as in a new kernel"


def test_a_failing_cell_is_reported_and_the_kernel_serves_the_next_run(fresh_engine, tmp_path):
    failing = _notebook(tmp_path / "failing.ipynb", "raise ValueError('bad parameter: ' + str(value))")
    fine = _notebook(tmp_path / "fine.ipynb", "print(value + 1)")
    with pytest.raises(papermill.PapermillExecutionError, match="bad parameter: 7"):
        engine.execute(failing, tmp_path / "failed.ipynb", parameters={"value": 7}, cwd=tmp_path)
    assert "ValueError" in json.dumps(nbformat.read(tmp_path / "failed.ipynb", as_version=4)["cells"][-1]["outputs"])
    pid = _kernel_pid()
    engine.execute(fine, tmp_path / "fine_out.ipynb", parameters={"value": 1}, cwd=tmp_path)
    assert _printed(tmp_path / "fine_out.ipynb") == ["2\n"]
    assert _kernel_pid() == pid


def test_a_dead_kernel_or_another_database_gets_a_new_kernel(fresh_engine, tmp_path, monkeypatch):
    notebook = _notebook(tmp_path / "nb.ipynb", "import os\nprint(os.environ.get('SDGCITIES_DB'))")
    engine.execute(notebook, tmp_path / "a.ipynb", parameters={}, cwd=tmp_path)
    first = _kernel_pid()
    os.kill(first, signal.SIGKILL)
    for _ in range(50):  # until the kernel manager sees it gone
        if subprocess.run(["kill", "-0", str(first)], capture_output=True).returncode != 0:
            break
        time.sleep(0.05)
    engine.execute(notebook, tmp_path / "b.ipynb", parameters={}, cwd=tmp_path)
    second = _kernel_pid()
    assert second != first
    assert _printed(tmp_path / "b.ipynb") == ["None\n"]

    # The kernel reads SDGCITIES_DB when it starts: a run for another database needs another kernel.
    monkeypatch.setenv("SDGCITIES_DB", str(tmp_path / "other.duckdb"))
    engine.execute(notebook, tmp_path / "c.ipynb", parameters={}, cwd=tmp_path)
    assert _kernel_pid() != second
    assert _printed(tmp_path / "c.ipynb") == [f"{tmp_path / 'other.duckdb'}\n"]


def test_the_kernel_stops_when_its_process_ends(tmp_path):
    notebook = _notebook(tmp_path / "nb.ipynb", "import os\nprint(os.getpid())")
    script = (
        "import sys\nfrom pathlib import Path\nfrom sdgcities.publish import engine\n"
        f"engine.execute(Path({str(notebook)!r}), Path({str(tmp_path / 'out.ipynb')!r}), parameters={{}}, cwd={str(tmp_path)!r})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=120)
    kernel_pid = int(_printed(tmp_path / "out.ipynb")[0])
    for _ in range(100):
        if not Path(f"/proc/{kernel_pid}").exists():
            break
        time.sleep(0.05)
    assert not Path(f"/proc/{kernel_pid}").exists(), f"kernel {kernel_pid} outlived the process that started it"


def _comparable(path: Path) -> list[list[dict]]:
    """Every code cell's outputs, without what legitimately differs between two runs (timings), and with
    consecutive chunks of one stream joined: the kernel flushes a print in one or two messages depending
    on timing (seen in CI: one line of data_quality's output came as two stdout outputs), the text is the same."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[dict] = []
        for output in cell.outputs:
            output = {k: v for k, v in output.items() if k not in ("metadata",)}
            previous = outputs[-1] if outputs else None
            if (previous and output.get("output_type") == "stream" == previous.get("output_type")
                    and output.get("name") == previous.get("name")):
                previous["text"] += output["text"]
            else:
                outputs.append(output)
        cells.append(outputs)
    return cells


@pytest.mark.parametrize("name", ["en-comparison-synergy", "ja-kaga-city_profile", "en-comparison-data_quality"])
def test_a_reused_kernel_gives_the_outputs_of_a_fresh_kernel(report_suite, tmp_path, name):
    """The suite ran these notebooks on kernels that had already run others (in both languages);
    papermill's ordinary run, one new kernel for the notebook alone, gives the same outputs."""
    executed = report_suite["folder"] / "executed" / f"{name}.ipynb"
    parameters = nbformat.read(executed, as_version=4).metadata.papermill.parameters
    notebook = REPO / "notebooks" / f"{name.split('-')[-1]}.ipynb"
    env = {**os.environ, "SDGCITIES_DB": str(report_suite["db"]), "SDGCITIES_CHART_MODE": "report"}
    script = (
        "import papermill, sys, json\n"
        f"papermill.execute_notebook({str(notebook)!r}, {str(tmp_path / 'cold.ipynb')!r}, parameters=json.loads(sys.argv[1]),"
        f" kernel_name='python3', cwd={str(notebook.parent)!r}, progress_bar=False)\n"
    )
    subprocess.run([sys.executable, "-c", script, json.dumps(dict(parameters))], check=True, capture_output=True, env=env, timeout=300)
    assert _comparable(executed) == _comparable(tmp_path / "cold.ipynb")


def test_only_parameters_the_notebook_lacks_are_reported_unknown(fresh_engine, tmp_path, caplog):
    """papermill cannot read `name: str | None = None  # ...` and would call such a parameter unknown."""
    notebook = _notebook(tmp_path / "nb.ipynb", "print(database, city)",
                         parameters='database: str | None = None  # path; None = "default"\ncity: str = ""  # id; "" = all')
    with caplog.at_level("WARNING", logger="papermill"):
        engine.execute(notebook, tmp_path / "out.ipynb", parameters={"database": "x.duckdb", "city": "kaga", "citty": "typo"}, cwd=tmp_path)
    assert _printed(tmp_path / "out.ipynb") == ["x.duckdb kaga\n"]
    unknown = [r.getMessage() for r in caplog.records if "unknown parameter" in r.getMessage()]
    assert unknown == ["Passed unknown parameter: citty"]


def test_socket_folders_of_killed_runs_are_removed_and_live_ones_kept(fresh_engine, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    orphan = tmp_path / f"{engine.SOCKETS_PREFIX}{dead}-abc"
    live = tmp_path / f"{engine.SOCKETS_PREFIX}{os.getpid()}-def"
    for folder in (orphan, live):
        folder.mkdir()
        (folder / "kernel-1").write_text("")
    engine._remove_orphaned_sockets()
    assert not orphan.exists() and live.exists()


def test_a_run_leaves_the_callers_environment_alone(fresh_engine, tmp_path):
    """The report run shares its process with its caller: the database it gives the kernel must not
    become the caller's SDGCITIES_DB (tests and notebooks run after it would read a removed copy)."""
    notebook = _notebook(tmp_path / "nb.ipynb", "import os\nprint(os.environ['SDGCITIES_DB'], os.environ['SDGCITIES_CHART_MODE'])")
    before = dict(os.environ)
    engine.execute(notebook, tmp_path / "out.ipynb", parameters={}, cwd=tmp_path,
                   env={"SDGCITIES_DB": "/elsewhere/run.duckdb", "SDGCITIES_CHART_MODE": "report"})
    assert _printed(tmp_path / "out.ipynb") == ["/elsewhere/run.duckdb report\n"]
    assert dict(os.environ) == before


def test_the_unknown_parameter_filter_judges_only_its_own_runs_records():
    """The report run's threads share papermill's logger: a run's filter must not hide another run's
    real "unknown parameter" warning (a name only its own notebook declares)."""
    import logging
    import threading

    from sdgcities.publish import engine

    own = engine._KnownParameters({"lang"})
    record = logging.LogRecord("papermill", logging.WARNING, __file__, 1, "Passed unknown parameter: lang", None, None)
    assert own.filter(record) is False  # this run's notebook declares it: papermill's false alarm is dropped
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(own.filter(logging.LogRecord(
        "papermill", logging.WARNING, __file__, 1, "Passed unknown parameter: lang", None, None))))
    thread.start()
    thread.join()
    assert other == [True]  # another thread's run: its warning is kept


@pytest.mark.parametrize("resets", [1, 3])
def test_a_frozen_kernel_that_ends_normally_prints_no_leak_report(resets):
    """The reset freezes what survived it (gc.freeze); an interpreter ending normally after that must not
    print DuckDB's "nanobind: leaked instances" report, however many resets ran."""
    work = "import duckdb; con = duckdb.connect(); con.sql('select 42').fetchall()\n"
    ended = subprocess.run([sys.executable, "-c", work + (engine.FREEZE_CODE + "\n") * resets],
                           capture_output=True, text=True, timeout=120, check=True)
    assert "leaked" not in ended.stderr, ended.stderr[:300]
    # The same work frozen without the exit hook does print it: the check above can fail.
    plain = subprocess.run([sys.executable, "-c", work + "__import__('gc').freeze()\n"],
                           capture_output=True, text=True, timeout=120, check=True)
    assert "nanobind: leaked" in plain.stderr
