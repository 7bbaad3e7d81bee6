"""Keep committed notebooks clean: no outputs or execution counts, except in the cells that nbval
checks strictly (marked `# NBVAL_CHECK_OUTPUT`): their outputs must be stored to be compared, and
nbval 0.11 only compares a cell that also has an execution count ("unrun" cells with outputs fail).

    python -m sdgcities.publish.nbstore refresh notebooks/coverage.ipynb ...   # re-execute, store checked outputs
    python -m sdgcities.publish.nbstore check notebooks/*.ipynb                 # what tests/test_notebooks.py runs
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import nbformat

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_MARK in cell.source


def problems(path: Path) -> list[str]:
    """What is wrong with a committed notebook (empty when it is clean)."""
    notebook = nbformat.read(path, as_version=4)
    found = []
    tagged = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        found.append(f"{path}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    elif notebook.cells[tagged[0]].cell_type != "code":
        found.append(f"{path}: the 'parameters' cell must be a code cell")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None and not is_checked(cell):
            found.append(f"{path}: cell {index} has an execution count but is not marked {CHECK_MARK}")
        if cell.outputs and not is_checked(cell):
            found.append(f"{path}: cell {index} has outputs but is not marked {CHECK_MARK}")
        if is_checked(cell) and (not cell.outputs or cell.get("execution_count") is None):
            found.append(f"{path}: cell {index} is marked {CHECK_MARK} but has no stored output and execution count (run refresh)")
        if "injected-parameters" in cell.metadata.get("tags", []):
            found.append(f"{path}: cell {index} is papermill's injected-parameters cell (commit the source notebook)")
    return found


def strip(notebook) -> None:
    """Remove outputs and execution counts, keeping those of checked cells."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and not is_checked(cell):
            cell.execution_count = None
            cell.outputs = []
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    notebook.metadata.pop("papermill", None)


def refresh(path: Path, kernel: str = "python3") -> None:
    """Execute the notebook with its defaults and store the outputs of its checked cells."""
    import papermill

    source = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        executed_path = Path(folder) / path.name
        papermill.execute_notebook(str(path), str(executed_path), kernel_name=kernel, cwd=str(path.parent), progress_bar=False)
        executed = nbformat.read(executed_path, as_version=4)
    executed_cells = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for cell, ran in zip(source.cells, executed_cells):
        if is_checked(cell):
            cell.outputs = [o for o in ran.outputs if o.get("output_type") in ("stream", "execute_result")]
            cell.execution_count = ran.get("execution_count")
    strip(source)
    nbformat.write(source, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("refresh", "check", "strip"))
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failures = []
    for path in args.notebooks:
        if args.command == "refresh":
            refresh(path)
            print(f"refreshed {path}")
        elif args.command == "strip":
            notebook = nbformat.read(path, as_version=4)
            strip(notebook)
            nbformat.write(notebook, path)
        failures += problems(path)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
