"""Run a function in a forked copy of this process while the caller goes on, and collect its result later.

The build checks the rows of the inputs (checks.py, curated_content.py, validate_meaning.py, row_counts.py: a
third of its CPU at 1,741 cities) on the second core while it writes the database on the first. A fork shares the inputs already read with
no copy and no process start; the copy only computes and sends its result back through a pipe (pickled).
It holds none of the parent's files: no lock (a killed build must not keep the build lock through it),
no stdout (a reader of the build's output sees it end with the build), and it dies with the parent.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import traceback
from typing import Any, Callable

_PR_SET_PDEATHSIG = 1


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Beside:
    """`function()` running in a forked process; result() waits for it and returns its value (or raises what it
    raised). On a machine with one core, or where fork is missing, it runs at result() in this process."""

    def __init__(self, function: Callable[[], Any]):
        self._function = function
        self._pid: int | None = None
        self._read: int | None = None
        self._forked = False
        if cores() > 1 and hasattr(os, "fork") and sys.platform.startswith("linux"):
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the copy: compute, send, and leave without running any of the parent's exit code
            code = 0
            try:
                os.close(read)
                _detach(write, parent)
                try:
                    outcome = ("value", self._function())
                except BaseException as error:  # noqa: BLE001 - sent to the parent, which raises it
                    outcome = ("error", error, traceback.format_exc())
                try:
                    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # an exception that does not pickle: its text
                    data = pickle.dumps(("error", RuntimeError(outcome[-1]), outcome[-1]), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
            except BaseException:  # noqa: BLE001 - the parent sees a short read and says so
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read, self._forked = pid, read, True

    def result(self) -> Any:
        if self._pid is None:
            if self._read is not None or self._forked:
                raise RuntimeError("the result of a process beside the build was already taken, or the process was stopped")
            return self._function()
        read, self._read = self._read, None
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        pid = self._pid
        _, status = os.waitpid(pid, 0)
        self._pid = None
        if not data:
            raise RuntimeError(
                f"the input checks, run in a second process beside the build (PID {pid}), ended without a result "
                f"(wait status {status}: killed, or out of memory); the database was not replaced. Run the build again; "
                "`taskset -c 0 make data` runs the checks in the build's own process instead.")
        outcome = pickle.loads(data)
        if outcome[0] == "error":
            raise outcome[1]
        return outcome[1]

    def cancel(self) -> None:
        """Stop the copy when its result is no longer wanted (the build failed or was interrupted)."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None


def _detach(keep: int, parent: int) -> None:
    """In the copy: die with the parent; hold no file of the parent's but `keep` (stdin, stdout and stderr
    become /dev/null, so a reader of the build's output or a waiter for its lock is not held up)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())


def _max_fd() -> int:
    try:
        return max(int(name) for name in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return os.sysconf("SC_OPEN_MAX")
