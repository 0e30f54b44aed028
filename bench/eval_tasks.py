"""Throughput of `agent eval tasks` on the sample suite, as workers are added.

    python bench/eval_tasks.py [--delay 2] [--workers 1,2,4] [--ray-workers 4] [--no-ray]
                               [--repeat 1] [--json]

The real CLI in a subprocess runs examples/tasks/suite.yaml (ten tasks on two Tk apps, each
episode on its own Xvfb, the offline ocr grounder) against the scripted task planner
(agent/testing/task_planner.py) on 127.0.0.1, which sleeps --delay seconds before each reply as
a remote model would. Each configuration runs the whole suite once (× --repeat); measured: wall
time of the eval process, episodes per minute, the speed-up over the first configuration, mean
episode wall time and the successes (8 of 10 per repeat: two tasks must fail). The Ray run starts
a local instance (`--ray auto`, no cluster running): its start-up is in
its wall time; the start-up and shutdown of a bare local instance are also timed, and the Ray
run's rate without them is shown.

Goal (issue #15): --workers 4 at least 3× the episodes per minute of --workers 1 on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent.testing.task_planner import task_planner  # noqa: E402

EXAMPLE = REPO / "examples" / "tasks"
SECRET = "bench-secret"
MUST_FAIL = {"book-without-search", "book-atlantis"}


@dataclass(frozen=True)
class Measure:
    name: str
    episodes: int
    successes: int
    infra_retries: int
    wall_s: float
    episodes_per_min: float
    mean_episode_s: float
    exit_code: int


def run_config(name: str, base_url: str, out: Path, repeat: int, *flags: str) -> Measure:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "OPENAI_"))}
    env.update(OMP_THREAD_LIMIT="1")
    env.pop("DISPLAY", None)
    command = [sys.executable, "-m", "agent", "eval", "tasks", str(EXAMPLE / "suite.yaml"),
               "--out", str(out), "--planner-base-url", base_url, "--repeat", str(repeat),
               "--secret", f"PASSWORD={SECRET}", "--json", *flags]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    lines = (out / "results.jsonl").read_text().splitlines() if (out / "results.jsonl").exists() \
        else []
    results = [json.loads(line) for line in lines]
    if done.returncode != 0:
        print(f"{name}: exit {done.returncode}: {done.stderr.strip()[-500:]}", file=sys.stderr)
    for r in results:  # the sample suite's must-fail tasks aside, every failure is news
        if not r["success"] and r["id"] not in MUST_FAIL:
            print(f"{name}: {r['id']} #{r['trial']} failed: {r['status']}, {r['error']} "
                  f"({r['run_dir'] or out})", file=sys.stderr)
    return Measure(
        name=name, episodes=len(results), successes=sum(r["success"] for r in results),
        infra_retries=sum(r["infra_retries"] for r in results), wall_s=round(wall, 1),
        episodes_per_min=round(len(results) / wall * 60, 1) if wall else 0.0,
        mean_episode_s=round(statistics.fmean(r["wall_s"] for r in results), 1) if results
        else 0.0, exit_code=done.returncode)


def ray_startup_s() -> float:
    """Seconds to start and stop a local Ray instance as RayFleet does, in a fresh process."""
    code = ("import ray; ray.init(address='local', num_cpus=2, include_dashboard=False, "
            "log_to_driver=False); ray.shutdown()")
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    return round(time.monotonic() - started, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=2.0, help="seconds per planner reply")
    parser.add_argument("--workers", default="1,2,4", help="local worker counts to measure")
    parser.add_argument("--ray-workers", type=int, default=4, help="--workers of the Ray run")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray run")
    parser.add_argument("--repeat", type=int, default=1, help="--repeat of each eval")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    parser.add_argument("--keep", type=Path, help="keep each eval's --out folder under KEEP")
    args = parser.parse_args()
    measures: list[Measure] = []
    startup = None if args.no_ray else ray_startup_s()
    with task_planner(EXAMPLE / "replies.yaml", delay=args.delay) as planner, \
            tempfile.TemporaryDirectory(prefix="bench-eval-") as scratch:
        tmp = args.keep or scratch
        for workers in (int(n) for n in args.workers.split(",")):
            measures.append(run_config(f"--workers {workers}", planner.base_url,
                                       Path(tmp) / f"w{workers}", args.repeat,
                                       "--workers", str(workers)))
        if not args.no_ray:
            measures.append(run_config(f"--ray auto --workers {args.ray_workers}",
                                       planner.base_url, Path(tmp) / "ray", args.repeat,
                                       "--ray", "auto", "--workers", str(args.ray_workers)))
    base = measures[0].episodes_per_min or 1.0
    if args.json:
        print(json.dumps({"ray_startup_s": startup, "measures": [
            {**asdict(m), "speedup": round(m.episodes_per_min / base, 2)} for m in measures]},
            indent=1))
        return 0
    print(f"sample suite, {args.delay:g} s per planner reply, {os.cpu_count()} CPUs")
    print(f"{'configuration':26} {'episodes':>8} {'ok':>3} {'wall s':>7} {'ep/min':>7} "
          f"{'speed-up':>8} {'mean ep s':>9}")
    for m in measures:
        print(f"{m.name:26} {m.episodes:8} {m.successes:3} {m.wall_s:7.1f} "
              f"{m.episodes_per_min:7.1f} {m.episodes_per_min / base:7.2f}x "
              f"{m.mean_episode_s:9.1f}")
    if startup is not None and not args.no_ray:
        ray_run = measures[-1]
        rate = ray_run.episodes / max(1.0, ray_run.wall_s - startup) * 60
        print(f"Ray start-up and shutdown alone: {startup:.1f} s; the Ray run without it: "
              f"{rate:.1f} episodes/min ({rate / base:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
