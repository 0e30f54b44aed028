"""Accuracy with and without `--refine zoom`, for a grounder that misses by more on larger images.

    python bench/zoom_refine.py [--items N] [--windows 0.5,0.25] [--json]

The synthetic set of tests/grounding/synthetic_zoom.py: N white screens of 2560x1440, 3840x2160
and 5120x2880, each with one red target of 14–40 px; the fake grounder finds the target and
misses it by up to 1% of the width of the image it is given. No model, no display, no server.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `tests` (the synthetic set) is not installed

from agent.grounding.refine import ZoomGrounder  # noqa: E402
from tests.grounding.synthetic_zoom import (  # noqa: E402
    SizeBlindGrounder,
    accuracy,
    synthetic_set,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--windows", default="0.5,0.25")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = synthetic_set(args.items)
    results = {"none": accuracy(SizeBlindGrounder(), items)}
    for window in (float(w) for w in args.windows.split(",")):
        results[f"zoom {window:g}"] = accuracy(ZoomGrounder(SizeBlindGrounder(), window), items)
    if args.json:
        print(json.dumps({"items": args.items, "accuracy": results}))
        return
    for name, value in results.items():
        print(f"{name:>10}: {value:.3f} ({round(value * args.items)}/{args.items})")


if __name__ == "__main__":
    main()
