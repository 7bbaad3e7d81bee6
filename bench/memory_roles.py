"""Where the memory and CPU of a report run go: PSS and CPU seconds of its process tree, by role.

    SDGCITIES_ROOT=bench/out/suite python bench/memory_roles.py [--interval 0.5] -- python -m sdgcities.publish.reports --force

Runs the command, samples its process tree (psutil, PSS: shared pages split between their sharers) and
groups the processes by role: the command's own process, kernels, playwright's node driver, and
Chromium's browser, renderers, GPU, print compositor and other utilities. Prints the composition at the
peak, the largest value of each role and each role's CPU seconds (read from every process while it ran),
and writes every sample to bench/out/memory_roles.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import psutil

OUT = Path(__file__).resolve().parent / "out" / "memory_roles.json"


def role(process: psutil.Process, root_pid: int) -> str:
    if process.pid == root_pid:
        return "report process"
    try:
        cmd = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    if not cmd:
        # A process that is ending has released its memory, and its command line reads empty until it is a zombie:
        # it is ending, not "other" (the callers keep the role read while it ran, with the CPU it used).
        return "gone"
    if "ipykernel" in cmd:
        return "kernel"
    if "chrom" in cmd or "headless_shell" in cmd:
        if "--type=renderer" in cmd:
            return "chromium renderer"
        if "--type=gpu-process" in cmd:
            return "chromium gpu"
        if "PrintCompositor" in cmd:
            return "chromium print compositor"
        if "--type=" in cmd:
            return "chromium other"
        return "chromium browser"
    if "node" in cmd or "playwright" in cmd:
        return "playwright driver"
    if "sdgcities.build" in cmd:
        return "build checks (forked)"  # the copy of the build that checks the rows beside the writing
    return "other"


def sample(root: psutil.Process, cpu: dict[tuple[int, float], tuple[str, float]]) -> dict[str, tuple[int, int]]:
    """role -> (processes, PSS bytes); each process's role and CPU seconds so far go to `cpu`."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    try:
        tree = [root] + root.children(recursive=True)
    except psutil.Error:
        return {}
    for process in tree:
        try:
            pss = process.memory_full_info().pss
            times = process.cpu_times()
            name = role(process, root.pid)
            key = (process.pid, process.create_time())
            if key in cpu and name == "gone":  # an ending process: keep the role read while it ran
                name = cpu[key][0]
            cpu[key] = (name, times.user + times.system)
        except psutil.Error:
            continue
        entry = found[name]
        entry[0] += 1
        entry[1] += pss
    return {name: (n, pss) for name, (n, pss) in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    # Load inputs.
    started = time.perf_counter()
    child = subprocess.Popen(command)
    root = psutil.Process(child.pid)

    # Process data.
    samples = []
    cpu: dict[tuple[int, float], tuple[str, float]] = {}
    while child.poll() is None:
        now = sample(root, cpu)
        if now:
            samples.append({"t": round(time.perf_counter() - started, 2), "roles": now})
        time.sleep(args.interval)
    wall = time.perf_counter() - started

    # Save outputs.
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"command": command, "exit": child.returncode, "wall_s": wall, "samples": samples}, indent=1))
    mib = 1024 * 1024
    peak = max(samples, key=lambda s: sum(p for _, p in s["roles"].values()), default=None)
    print(f"exit {child.returncode}, {wall:.1f} s, {len(samples)} samples (every {args.interval} s)")
    if peak:
        total = sum(p for _, p in peak["roles"].values())
        print(f"peak {total / mib:,.0f} MiB PSS at {peak['t']} s:")
        for name, (n, pss) in sorted(peak["roles"].items(), key=lambda item: -item[1][1]):
            print(f"  {name:<28} {n:>3} process(es) {pss / mib:>7,.0f} MiB")
        largest: dict[str, int] = defaultdict(int)
        for s in samples:
            for name, (_, pss) in s["roles"].items():
                largest[name] = max(largest[name], pss)
        by_role: dict[str, float] = defaultdict(float)
        for name, seconds in cpu.values():
            by_role[name] += seconds
        print(f"CPU seconds by role (sampled; {sum(by_role.values()):.1f} s in all = {sum(by_role.values()) / wall / psutil.cpu_count():.0%} of "
              f"{psutil.cpu_count()} cores): " + ", ".join(f"{name} {v:.1f}" for name, v in sorted(by_role.items(), key=lambda i: -i[1])))
        print("largest of each role over the run: " + ", ".join(f"{name} {v / mib:,.0f} MiB" for name, v in sorted(largest.items(), key=lambda i: -i[1])))
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
