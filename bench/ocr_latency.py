"""Latency (and accuracy) of the offline `ocr` grounder per 1920x1080 screenshot, per engine.

    python bench/ocr_latency.py [--runs N] [--engines auto,tesseract,rapidocr] [--variants]
                                [--no-widgets] [--save-dir DIR] [--json]
    python bench/ocr_latency.py --images SHOT.png ... [--runs N]   # your own screenshots

Two screens, captured with the real `MssScreen` from a private 1920x1080 Xvfb (never the real
display): the Tk form app (agent/demo/flight_app.py), and a busy Tk window full of labels, buttons
and entries of varied text, sizes (9–14 pt) and colours (white on blue too). For each engine
available here, `OcrGrounder.ground` runs N times per screen on a fresh grounder (cold: the
screen is analysed: OCR, then widgets) and once more on the same screenshot (cached: the
analysis is reused, only the description is ranked); on the busy window, once more after a
word was typed into one of its fields (real input: only what changed is read again). Reported
are the median and the minimum wall time, the CPU seconds the process and its tesseract
children used (they tell how much the numbers owe to other load on the machine), and the cold
time's parts: OCR and widget finding.

Accuracy: on the form, five descriptions a planner would write (widget boxes from the app); on
the busy screen, every label and button whose text appears exactly once, described as
`the "TEXT" button` or `the "TEXT" label`: correct when the point lies in the widget's box,
else wrong, ambiguous (GroundingError listing places) or not found. `--variants` adds
tesseract settings (page segmentation mode, upscaling, one process or one per core) to show why
the defaults are what they are. tesseract runs in-process (tesserocr, the ocr extra) when it
can, and is measured as the CLI too.

`--images` times the default engine's first analysis of each screenshot given (yours, or the
page trials'), the median of N runs each, and sums up how many stay within the target.

Target: ≤0.8 s per grounding on a 1920x1080 screenshot on a 2-core machine (issue #13).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `tests` (Xvfb and form-app helpers) is not installed

from agent.backends.mss_screen import MssScreen  # noqa: E402
from agent.errors import GroundingError  # noqa: E402
from agent.grounding.ocr.grounder import (  # noqa: E402
    OcrEngine,
    OcrGrounder,
    RapidOcrEngine,
    TesseractEngine,
    make_engine,
    rapidocr_available,
)
from agent.screen import Screenshot  # noqa: E402
from tests.gui import form_app  # noqa: E402
from tests.xvfb import VirtualDisplay, using_display, virtual_display  # noqa: E402

TARGET_S = 0.8
SIZE = (1920, 1080)

# A deterministic busy screen: rows of widgets with phrases from a UI vocabulary. It prints the
# geometry of every widget (kind, text, box in screen pixels) as one JSON line once mapped.
BUSY_APP = r'''
import json, random, tkinter as tk
WORDS = """file edit view history bookmarks tools help settings account profile search flights
hotels cars deals book now cancel save open close export import print share delete rename copy
paste undo redo zoom refresh download upload filter sort ascending descending price duration
stops airline departure arrival return one way round trip economy business first class
passengers adults children infants baggage seat meal insurance total subtotal taxes fees
discount coupon apply checkout payment card name email phone address city country postcode
submit continue back next previous""".split()
rng = random.Random(7)
root = tk.Tk()
root.geometry("1920x1080+0+0")
root.configure(background="#f4f4f4")
def phrase(n):
    return " ".join([rng.choice(WORDS).capitalize()] + [rng.choice(WORDS) for _ in range(n - 1)])
bar = tk.Frame(root, background="#2b2b2b")
bar.place(x=0, y=0, width=1920, height=32)
placed = []
for i, text in enumerate(("File", "Edit", "View", "History", "Bookmarks", "Tools", "Help")):
    w = tk.Label(bar, text=text, fg="white", bg="#2b2b2b", font=("DejaVu Sans", 10))
    w.place(x=10 + i * 90, y=6)
    placed.append(("menu", text, w))
y = 50
for row in range(26):
    x = 20
    while x < 1800:
        kind = rng.choice(("label", "label", "button", "entry", "dark"))
        size = rng.choice((9, 10, 11, 12, 14))
        text = phrase(rng.randint(1, 4))
        if kind == "label":
            w = tk.Label(root, text=text, font=("DejaVu Sans", size), bg="#f4f4f4")
        elif kind == "button":
            w = tk.Button(root, text=text, font=("DejaVu Sans", size))
        elif kind == "dark":
            w = tk.Button(root, text=text, font=("DejaVu Sans", size), bg="#1a5fb4", fg="white")
        else:
            w = tk.Entry(root, font=("DejaVu Sans", size), width=14)
            w.insert(0, text)
        w.place(x=x, y=y)
        root.update_idletasks()
        placed.append((kind, text, w))
        x += w.winfo_reqwidth() + rng.randint(20, 60)
    y += 39
root.update()
print(json.dumps([{"kind": k, "text": t, "x": w.winfo_rootx(), "y": w.winfo_rooty(),
                   "width": w.winfo_width(), "height": w.winfo_height()} for k, t, w in placed]),
      flush=True)
root.mainloop()
'''

FORM_CASES = {  # description → the widget the form app reports, whose box must hold the point
    "the Search flights button": "Search flights",
    'the "Book now" button': "Book now",
    "the From label": None,  # labels are not in the app's widget list: checked by row
    "the “Passenger” label": None,
    "click the 'Search flights' button": "Search flights",
}


@dataclass
class Target:
    description: str
    box: tuple[float, float, float, float]  # left, top, right, bottom (edges included)


@dataclass
class Screen:
    name: str
    shot: Screenshot
    targets: list[Target]
    after: Screenshot | None = None  # the same screen after a word was typed into a field


@contextmanager
def _busy_app(display: VirtualDisplay) -> Iterator[list[dict[str, Any]]]:
    process = subprocess.Popen([sys.executable, "-c", BUSY_APP], env=display.env,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        widgets = json.loads(process.stdout.readline())
        time.sleep(0.5)  # let the last expose events paint
        yield widgets
    finally:
        process.terminate()
        process.wait(timeout=5)


def _capture(display: VirtualDisplay) -> Screenshot:
    with using_display(display):
        screen = MssScreen()
        try:
            return screen.capture()
        finally:
            screen.close()


def _box(widget: dict[str, Any]) -> tuple[float, float, float, float]:
    x, y, w, h = (float(widget[k]) for k in ("x", "y", "width", "height"))
    return x, y, x + w - 1, y + h - 1


def capture_screens(workdir: Path) -> list[Screen]:
    """The form app and the busy window, each captured on its own 1920x1080 Xvfb."""
    screens = []
    with virtual_display(*SIZE) as display:
        with form_app(display, workdir / "form", geometry="+900+500") as app:
            time.sleep(0.3)
            shot = _capture(display)
            state = app.state()
            widgets, window = state["widgets"], state["window"]
        targets = []
        for description, widget in FORM_CASES.items():
            if widget is not None:
                targets.append(Target(description, _box(widgets[widget])))
            else:
                # A label sits left of its entry, on the entry's row.
                row = "From" if "From" in description else "Passenger"
                entry = _box(widgets[row])
                targets.append(Target(description,
                                      (float(window["x"]), entry[1], entry[0] - 1, entry[3])))
        screens.append(Screen("form app", shot, targets))
    with virtual_display(*SIZE) as display, _busy_app(display) as placed:
        shot = _capture(display)
        counts: dict[str, int] = {}
        for placed_widget in placed:
            counts[placed_widget["text"]] = counts.get(placed_widget["text"], 0) + 1
        kinds = {"button": "button", "dark": "button", "label": "label", "menu": "label"}
        targets = [Target(f'the "{w["text"]}" {kinds[w["kind"]]}', _box(w)) for w in placed
                   if w["kind"] != "entry" and counts[w["text"]] == 1]
        field = next(w for w in placed if w["kind"] == "entry")
        subprocess.run(["xdotool", "mousemove", str(field["x"] + 5), str(field["y"] + 5),
                        "click", "1", "type", " Zurich"], env=display.env, check=True)
        time.sleep(0.3)
        screens.append(Screen("busy window", shot, targets, _capture(display)))
    return screens


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class TimedEngine:
    """An engine that notes how long each read took (the OCR part of an analysis)."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.seconds: list[float] = []

    def read(self, image: Any) -> list[Any]:
        start = time.perf_counter()
        try:
            return self.engine.read(image)
        finally:
            self.seconds.append(time.perf_counter() - start)


@dataclass
class Timing:
    cold: list[float]  # wall s of a grounding that analyses the screenshot
    cold_cpu: list[float]
    cached: list[float]  # wall s of a grounding on an analysed screenshot
    changed: list[float]  # wall s of a grounding on the screen after a field was typed into
    ocr: list[float]  # wall s of the OCR part of each cold grounding
    analysis: list[float]  # wall s of OCR + widgets
    words: int
    widgets: int | None


def time_ground(engine: OcrEngine, screen: Screen, runs: int, widgets: bool) -> Timing:
    """Wall and CPU seconds of `OcrGrounder.ground` on a new grounder (the screenshot is
    analysed) and again on the same screenshot (the analysis is reused)."""
    timed = TimedEngine(engine)
    warm = OcrGrounder(timed, widgets=widgets)  # warm-up: model loading, imports, page cache
    first = warm.analyse(screen.shot.image)
    timing = Timing([], [], [], [], [], [], len(first.words),
                    None if first.widgets is None else len(first.widgets))
    descriptions = [t.description for t in screen.targets]
    for run in range(runs):
        timed = TimedEngine(engine)  # a new one: nothing remembered of boxes read before
        grounder = OcrGrounder(timed, widgets=widgets)
        cpu, start = _cpu(), time.perf_counter()
        with contextlib.suppress(GroundingError):  # timed all the same; accuracy is below
            grounder.ground(screen.shot, descriptions[run % len(descriptions)])
        timing.cold.append(time.perf_counter() - start)
        timing.cold_cpu.append(_cpu() - cpu)
        timing.ocr.append(sum(timed.seconds))
        timing.analysis.append(grounder.analyse(screen.shot.image).seconds)
        start = time.perf_counter()
        with contextlib.suppress(GroundingError):
            grounder.ground(screen.shot, descriptions[(run + 1) % len(descriptions)])
        timing.cached.append(time.perf_counter() - start)
        if screen.after is not None:  # the previous screenshot's words are reused
            start = time.perf_counter()
            with contextlib.suppress(GroundingError):
                grounder.ground(screen.after, descriptions[(run + 2) % len(descriptions)])
            timing.changed.append(time.perf_counter() - start)
    return timing


def accuracy(engine: OcrEngine, screen: Screen, widgets: bool) -> dict[str, int]:
    """Ground every target on one analysis of the screen (the ranking is what varies)."""
    grounder = OcrGrounder(engine, widgets=widgets)
    outcome = {"correct": 0, "wrong": 0, "ambiguous": 0, "not found": 0}
    for target in screen.targets:
        try:
            x, y = grounder.ground(screen.shot, target.description).point
        except GroundingError as exc:
            outcome["ambiguous" if "ambiguous" in str(exc) else "not found"] += 1
            continue
        left, top, right, bottom = target.box
        outcome["correct" if left <= x <= right and top <= y <= bottom else "wrong"] += 1
    return outcome


def time_images(paths: list[Path], runs: int) -> list[dict[str, Any]]:
    """The wall seconds of analysing each screenshot on first sight (median of `runs`), with
    the default engine, as a first grounding on it would take."""
    from PIL import Image

    engine = make_engine("auto")
    images = [(path, Image.open(path).convert("RGB")) for path in paths]
    OcrGrounder(engine).analyse(images[0][1])  # warm-up: model loading, imports
    rows = []
    for path, image in images:
        walls, analysis = [], None
        for _ in range(runs):
            grounder = OcrGrounder(TimedEngine(engine))  # nothing remembered of other reads
            start = time.perf_counter()
            analysis = grounder.analyse(image)
            walls.append(time.perf_counter() - start)
        assert analysis is not None
        rows.append({"image": str(path), "size": image.size, "words": len(analysis.words),
                     "widgets": len(analysis.widgets or []), "median_s": statistics.median(walls)})
        print(f"  {path}: {statistics.median(walls):.2f} s", file=sys.stderr)
    return rows


def report_images(rows: list[dict[str, Any]], runs: int) -> None:
    times = sorted(row["median_s"] for row in rows)
    within, high = sum(t <= TARGET_S for t in times), times[int(0.9 * (len(times) - 1))]
    print(f"\nFirst analysis of {len(rows)} screenshots (median of {runs} runs each, default "
          f"engine, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}): median "
          f"{statistics.median(times):.2f} s, 90th percentile {high:.2f} s, "
          f"max {times[-1]:.2f} s; {within}/{len(rows)} within {TARGET_S} s\n")
    print("| screenshot | size | words | widgets | first analysis s |")
    print("| --- | --- | ---: | ---: | ---: |")
    for row in sorted(rows, key=lambda r: -r["median_s"])[:10]:
        print(f"| {row['image']} | {row['size'][0]}x{row['size'][1]} | {row['words']} | "
              f"{row['widgets']} | {row['median_s']:.2f} |")


def engines(names: list[str], variants: bool) -> list[tuple[str, Callable[[], OcrEngine]]]:
    found: list[tuple[str, Callable[[], OcrEngine]]] = []
    if "auto" in names:
        found.append(("auto (default)", make_engine))
    if "tesseract" in names:
        try:
            TesseractEngine()
        except Exception as exc:
            print(f"tesseract: not available ({exc})", file=sys.stderr)
        else:
            found.append((f"tesseract ({TesseractEngine().backend})", TesseractEngine))
            if TesseractEngine().backend == "api":  # what it costs without tesserocr
                found.append(("tesseract (cli)", lambda: TesseractEngine(backend="cli")))
            if variants:
                found += [
                    ("tesseract one process", lambda: TesseractEngine(jobs=1)),
                    ("tesseract --psm 3", lambda: TesseractEngine(psm=3)),
                    ("tesseract upscaled 1.5x", lambda: TesseractEngine(scale=1.5)),
                    ("tesseract upscaled 2x", lambda: TesseractEngine(scale=2.0)),
                ]
    if "rapidocr" in names:
        if rapidocr_available():
            found.append(("rapidocr", RapidOcrEngine))
        else:
            print("rapidocr: not installed (pip install 'planground[ocr]')", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per screen (median)")
    parser.add_argument("--engines", default="auto,tesseract,rapidocr")
    parser.add_argument("--no-widgets", action="store_true", help="words only (no OpenCV)")
    parser.add_argument("--variants", action="store_true", help="also other tesseract settings")
    parser.add_argument("--save-dir", type=Path, help="keep the screenshots here")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON as well")
    parser.add_argument("--images", type=Path, nargs="+",
                        help="time these screenshots instead (the slowest ten are listed)")
    args = parser.parse_args()
    if args.images:
        rows = time_images(args.images, args.runs)
        report_images(rows, args.runs)
        if args.json:
            print(json.dumps(rows, indent=1))
        return

    with tempfile.TemporaryDirectory(prefix="planground-ocr-bench-") as tmp:
        screens = capture_screens(Path(tmp))
    if args.save_dir:
        args.save_dir.mkdir(parents=True, exist_ok=True)
        for screen in screens:
            screen.shot.image.save(args.save_dir / f"{screen.name.replace(' ', '-')}.png")

    rows = []
    widgets = not args.no_widgets
    for label, factory in engines(args.engines.split(","), args.variants):
        engine = factory()
        for screen in screens:
            timing = time_ground(engine, screen, args.runs, widgets)
            outcome = accuracy(engine, screen, widgets)
            rows.append({"engine": label, "screen": screen.name, "words": timing.words,
                         "widgets": timing.widgets, "median_s": statistics.median(timing.cold),
                         "min_s": min(timing.cold), "cpu_s": statistics.median(timing.cold_cpu),
                         "ocr_s": statistics.median(timing.ocr),
                         "widgets_s": statistics.median(
                             [a - o for a, o in zip(timing.analysis, timing.ocr, strict=True)]),
                         "cached_s": statistics.median(timing.cached),
                         "changed_s": statistics.median(timing.changed) if timing.changed
                         else None, **outcome,
                         "targets": len(screen.targets)})
            print(f"  {label} / {screen.name}: {statistics.median(timing.cold):.2f} s",
                  file=sys.stderr)

    load = os.getloadavg()
    print(f"\nOCR grounding per {SIZE[0]}x{SIZE[1]} screenshot: median of {args.runs} runs "
          f"(after one warm-up), {os.cpu_count()} CPUs, load average {load[0]:.1f} "
          f"{load[1]:.1f} {load[2]:.1f}; target ≤{TARGET_S} s; widgets "
          f"{'on' if widgets else 'off'}\n")
    print("| engine | screen | words | widgets | cold s (median) | min s | CPU s | OCR s | "
          "widgets s | cached s | after a change s | correct | wrong | ambiguous | not found |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
          "---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['engine']} | {row['screen']} | {row['words']} | "
              f"{'-' if row['widgets'] is None else row['widgets']} | {row['median_s']:.2f} | "
              f"{row['min_s']:.2f} | {row['cpu_s']:.2f} | {row['ocr_s']:.2f} | "
              f"{row['widgets_s']:.2f} | {row['cached_s']:.3f} | "
              f"{'-' if row['changed_s'] is None else format(row['changed_s'], '.2f')} | "
              f"{row['correct']}/{row['targets']} | {row['wrong']} | {row['ambiguous']} | "
              f"{row['not found']} |")
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
