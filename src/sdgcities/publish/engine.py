"""Run many notebooks in one started kernel: the report suite's execution engine.

A kernel costs about 2 s to start and to import the package, more than most report notebooks take
to run once everything is imported. So each thread of the report run (one per core) keeps one kernel
and runs notebook after notebook in it, through papermill (parameters injected, errors recorded in the
output notebook, exactly as a cold run). Isolation is kept where it matters to a run:

- every run starts in a fresh namespace (`InteractiveShell.reset`: variables, history and the
  execution counter back to 1), so nothing a notebook defined is visible to the next one;
- modules stay imported: that is the saving. The package keeps no run state at module level (the
  catalogues it caches are read-only), and tests/test_engine.py checks that the suite's notebooks give
  the same outputs in a reused kernel as in fresh ones;
- the kernel is started again when it died, when the database, the working directory or the chart
  mode of the run differs from the one it was started with, and after MAX_RUNS_PER_KERNEL runs (so a
  slow leak cannot grow without bound).

    from sdgcities.publish import engine
    engine.execute("notebooks/coverage.ipynb", "out.ipynb", parameters={"lang": "en"}, cwd="notebooks")
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from collections.abc import Mapping
from pathlib import Path
from typing import Any

KERNEL = "python3"
MAX_RUNS_PER_KERNEL = 200
ENGINE_NAME = "sdgcities-reused-kernel"
# What a run's kernel must have been started with: the notebooks read these at import or setup time.
KERNEL_ENVIRONMENT = ("SDGCITIES_DB", "SDGCITIES_ROOT", "SDGCITIES_CHART_MODE")
# Run silently (no execution count, no history) before each notebook: the namespace, the history and
# the counter go back to a fresh kernel's state. The reset ends with a full garbage collection, which
# walked every object of the imported modules (about 250,000: 0.1-0.2 s, a third of a short run's CPU);
# after it, what survived (modules, caches) is moved out of the collector's way (gc.freeze), so the next
# reset collects only what the next notebook made. Frozen objects are never collected at exit, where
# DuckDB's bindings then print "nanobind: leaked instances" if the kernel ends normally: an exit hook
# unfreezes them first (unregistered and registered again, so one hook however many resets).
FREEZE_CODE = (
    "__import__('atexit').unregister(__import__('gc').unfreeze); "
    "__import__('atexit').register(__import__('gc').unfreeze); __import__('gc').freeze()"
)
RESET_CODE = f"get_ipython().reset(new_session=True, aggressive=False); {FREEZE_CODE}"
START_TIMEOUT_S = 120

log = logging.getLogger(__name__)


@dataclass
class _Kernel:
    manager: Any  # jupyter_client.AsyncKernelManager
    key: tuple
    client: Any = None  # its jupyter_client.AsyncKernelClient, connected once and kept for every run
    runs: int = 0
    sockets: Path | None = None  # the folder of its Unix sockets, removed with it


_local = threading.local()  # .kernel: this thread's kernel (the report run keeps one thread per core)
_started: list[_Kernel] = []  # every kernel still up, whatever thread started it (for shutdown_all)
_started_lock = threading.Lock()


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """The kernel's environment: this process's, with the run's own values on top. The run's values are
    never written into this process's environment (the report run shares its process with its caller)."""
    return {**os.environ, **(env or {})}


def _key(cwd: str, environment: Mapping[str, str]) -> tuple:
    return (KERNEL, str(Path(cwd).resolve()), *(environment.get(name) for name in KERNEL_ENVIRONMENT))


SOCKETS_PREFIX = "sdgcities-kernel-"


def _remove_orphaned_sockets() -> None:
    """Socket folders of kernels whose process was killed (a killed run cannot clean up): the folder
    names the process that made it."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKETS_PREFIX}*"):
        owner = folder.name[len(SOCKETS_PREFIX):].split("-")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _start(cwd: str, environment: dict[str, str]) -> _Kernel:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    # Unix sockets in a private folder, not TCP ports: no port race at start-up, nothing listening on
    # the network (and no warning about it on every start).
    _remove_orphaned_sockets()
    sockets = Path(tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-"))
    manager = AsyncKernelManager(kernel_name=KERNEL, transport="ipc", ip=str(sockets / "kernel"))
    try:
        run_sync(manager.start_kernel)(cwd=str(Path(cwd).resolve()), env=environment)
    except BaseException:
        shutil.rmtree(sockets, ignore_errors=True)
        raise
    _register_shutdown()
    return _Kernel(manager, _key(cwd, environment), sockets=sockets)


def shutdown() -> None:
    """Stop this thread's kernel (before starting a different one, and after a failed run)."""
    kernel, _local.kernel = getattr(_local, "kernel", None), None
    if kernel is not None:
        _stop(kernel)


def shutdown_all() -> None:
    """Stop every kernel this process started (the report run's end, and the process's exit)."""
    with _started_lock:
        kernels = list(_started)
    for kernel in kernels:
        _stop(kernel)


@contextlib.contextmanager
def kernels_stopped():
    """Stops every kernel started inside the block when it ends, however it ends."""
    try:
        yield
    finally:
        shutdown_all()


def _stop(kernel: _Kernel) -> None:
    from jupyter_core.utils import run_sync

    with _started_lock:
        if kernel not in _started:
            return  # already stopped
        _started.remove(kernel)
    try:
        if kernel.client is not None:
            kernel.client.stop_channels()
        run_sync(kernel.manager.shutdown_kernel)(now=True)
    except Exception as error:  # the kernel may already be gone; nothing is lost
        log.debug("kernel shutdown: %s", error)
    finally:
        if kernel.sockets is not None:
            shutil.rmtree(kernel.sockets, ignore_errors=True)


_shutdown_registered = False


def _register_shutdown() -> None:
    """Stop the kernel when the process ends: atexit in a normal process, multiprocessing's finaliser in a
    worker of a process pool (which leaves through os._exit, skipping atexit)."""
    global _shutdown_registered
    if _shutdown_registered:
        return
    import atexit
    from multiprocessing import util

    atexit.register(shutdown_all)
    util.Finalize(None, shutdown_all, exitpriority=10)
    _shutdown_registered = True


def kernel_for(cwd: str, env: Mapping[str, str] | None = None) -> _Kernel:
    """This thread's started kernel for a run in `cwd` with `env` on top of this process's environment,
    started (again) when needed."""
    from jupyter_core.utils import run_sync

    environment = _environment(env)
    wanted = _key(cwd, environment)
    kernel = getattr(_local, "kernel", None)
    if kernel is not None:
        alive = run_sync(kernel.manager.is_alive)()
        if not alive or kernel.key != wanted or kernel.runs >= MAX_RUNS_PER_KERNEL:
            shutdown()
            kernel = None
    if kernel is None:
        kernel = _local.kernel = _start(cwd, environment)
        with _started_lock:
            _started.append(kernel)
    kernel.runs += 1
    return kernel


def _register_engine() -> None:
    """Make the engine known to papermill (once per process)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if ENGINE_NAME in papermill_engines._engines:
        return

    class FreshNamespaceClient(PapermillNotebookClient):
        """papermill's client on a kernel (and connection) it does not own: resets the namespace first
        and leaves both up at the end."""

        def execute(self, **kwargs):
            kernel = kwargs.pop("kernel")
            if kernel.client is None:
                kernel.client = self.km.client()  # connected by setup_kernel, then kept
            else:
                self.kc = kernel.client
            self.reset_execution_trackers()
            with self.setup_kernel(**kwargs):
                kernel.client = self.kc
                reply = self.wait_for_reply(self.kc.execute(RESET_CODE, silent=True, store_history=False))
                if reply is None or reply["content"].get("status") != "ok":
                    raise RuntimeError(f"could not reset the kernel's namespace: {reply and reply['content']}")
                self.log.info(f"Executing notebook with kernel: {self.kernel_name}")
                self.papermill_execute_cells()
                info_msg = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
                self.set_widgets_metadata()
            return self.nb

    class ReusedKernelEngine(NBClientEngine):
        """papermill's nbclient engine, run on the started kernel passed as `kernel` (a _Kernel)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            from papermill.engines import logger

            kernel = kwargs.pop("kernel")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            return FreshNamespaceClient(nb_man, km=kernel.manager, **final_kwargs).execute(kernel=kernel)

    papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)


def declared_parameters(notebook: str | Path) -> set[str]:
    """The names the notebook's cell tagged `parameters` assigns (read with Python's own parser)."""
    import ast

    import nbformat

    names: set[str] = set()
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type == "code" and "parameters" in (cell.metadata.get("tags") or []):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
                elif isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


class _KnownParameters(logging.Filter):
    """Drops papermill's "Passed unknown parameter: x" when the notebook does declare x: papermill's own
    reader of the parameters cell gives up on lines such as `database: str | None = None  # ...` and
    would warn on every run. A parameter the notebook really lacks is still reported."""

    def __init__(self, declared: set[str]) -> None:
        super().__init__()
        self.declared = declared
        self.thread = threading.get_ident()  # the run's threads share the logger: judge only this run's records

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread:
            return True
        message = record.getMessage()
        prefix = "Passed unknown parameter: "
        return not (message.startswith(prefix) and message[len(prefix):] in self.declared)


def execute(notebook: str | Path, output: str | Path, *, parameters: dict[str, Any], cwd: str | Path,
            env: Mapping[str, str] | None = None) -> None:
    """Execute `notebook` with `parameters` into `output` on this thread's kernel (started on first use),
    whose environment is this process's with `env` on top (e.g. SDGCITIES_DB).

    Raises papermill.PapermillExecutionError when a cell fails (the output then holds the traceback)."""
    import papermill

    _register_engine()
    # papermill's parameter inspector cannot read `list[str] | None` annotations and warns on every run.
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)
    kernel = kernel_for(str(cwd), env)
    known = _KnownParameters(declared_parameters(notebook))
    papermill_log = logging.getLogger("papermill")
    papermill_log.addFilter(known)
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name=KERNEL, engine_name=ENGINE_NAME,
            kernel=kernel, progress_bar=False, log_output=False, start_timeout=START_TIMEOUT_S,
            request_save_on_cell_execute=False,  # write once at the end, not after every cell
        )
    except papermill.PapermillExecutionError:
        raise  # a cell failed; the kernel is fine and the next run resets it
    except BaseException:
        shutdown()  # the kernel may be in any state: the next run gets a new one
        raise
    finally:
        papermill_log.removeFilter(known)
