"""How fast the `agent` command starts: `agent --help` and `agent --version`, wall clock.

    python bench/startup.py [--runs 20]

Each run is a fresh `python -m agent ...` process (what the `agent` script runs), timed from
spawn to exit; the median and the fastest of --runs are printed, after one warm-up run so that
the file cache is warm. For scale, the bare interpreter (`python -c pass`) is timed the same way.
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "agent --help": ["-m", "agent", "--help"],
    "agent --version": ["-m", "agent", "--version"],
}


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Seconds per run of `python ARGV`, after one warm-up run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, *argv]
    times = []
    for index in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        if index:  # the first run only warms the file cache
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"{'command':<18} {'median':>8} {'fastest':>8}   ({args.runs} runs each)")
    for name, argv in COMMANDS.items():
        times = wall_times(argv, args.runs)
        print(f"{name:<18} {statistics.median(times) * 1000:>6.0f} ms "
              f"{min(times) * 1000:>5.0f} ms")


if __name__ == "__main__":
    main()
