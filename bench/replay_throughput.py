"""How fast `agent eval grounding --replay` re-scores saved answers (target: 10,000 in < 2 s).

    python bench/replay_throughput.py [--records 10000] [--family qwen25vl]

Builds DATA.jsonl from the published ZonUI-3B answers in ../shared/data/grounding (repeated up
to --records), then times the real command in-process (load, convert, score, write PRED.jsonl,
summarise) and, separately, the whole CLI process including interpreter start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The team's shared data sits beside the checkout; AGENT_TEST_DATA names it elsewhere (as in tests).
DATA = Path(os.environ.get("AGENT_TEST_DATA") or ROOT.parent / "shared" / "data" / "grounding")


def build_records(count: int) -> list[dict[str, object]]:
    sizes = {}
    for name in ("desktop", "mobile", "web"):
        truth = DATA / "GUI-Actor_ssv2" / f"screenspot_{name}_v2.json"
        for item in json.loads(truth.read_text()):
            sizes[item["img_filename"]] = item["img_size"]
    details = json.loads((DATA / "Han1018_sspro" / "qwen_gui.json").read_text())["details"]
    base = [{"instruction": d.get("prompt_to_evaluate", ""),
             "img_size": sizes[Path(d["img_path"]).name], "bbox": d["bbox"],
             "raw_response": d["raw_response"], "platform": d["platform"],
             "ui_type": d["ui_type"]} for d in details]
    return [dict(base[i % len(base)], id=i) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--family", default="qwen25vl")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (DATA / "Han1018_sspro" / "qwen_gui.json").is_file():
        sys.exit(f"replay_throughput: no published ZonUI-3B answers under {DATA} "
                 "(set AGENT_TEST_DATA to the shared data/grounding folder)")
    from agent.cli.app import main as agent

    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data.jsonl", Path(tmp) / "pred.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in build_records(args.records)))
        command = ["eval", "grounding", str(data), "--grounder", args.family, "--replay",
                   "--json", "--out", str(out)]
        times = []
        for _ in range(args.repeat):
            with contextlib.redirect_stdout(io.StringIO()) as captured:
                start = time.perf_counter()
                agent(command)
                times.append(time.perf_counter() - start)
        summary = json.loads(captured.getvalue())
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent", *command], check=True,
                       capture_output=True, cwd=ROOT)
        process = time.perf_counter() - start
    times.sort()
    print("| records | family | in-process median | whole `agent` process | accuracy |")
    print("| ---: | --- | ---: | ---: | ---: |")
    print(f"| {args.records:,} | {args.family} | {times[len(times) // 2]:.2f} s | {process:.2f} s "
          f"| {summary['accuracy']:.4f} |")


if __name__ == "__main__":
    main()
