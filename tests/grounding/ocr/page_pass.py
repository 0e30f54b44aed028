"""The scripted pass over the OCR page suite: steps a user would write, judged from the page.

For each page (tests/grounding/ocr/pages/) at each zoom: one screenshot of the freshly loaded page;
every step's description is grounded on it (the grounder analyses the screen once, then reuses
it); then, per step, the page is reloaded (same pixels, fresh state) and the step is performed
through `Desktop` (real pyautogui input on the private X display) at the grounded point. The
page's own record (window.state, read with selenium) decides:

- right: exactly the intended effect happened (a field's value, a checked box, an activation);
- error: the grounder raised (not found, ambiguous), or the action itself failed saying why (a
  verified click that changed nothing) — acceptable, counted;
- wrong: anything else — another effect, or nothing at all after a click that did not raise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agent.errors import ActionError, GroundingError
from tests.grounding.ocr.chromium import SCREEN, ZOOMS, State, chromium
from tests.grounding.ocr.page_holdout import HOLDOUT
from tests.grounding.ocr.page_steps import STEPS, Step
from tests.grounding.ocr.surfaces import Stage, Surface
from tests.xvfb import VirtualDisplay, using_display, virtual_display

Verdict = Literal["right", "error", "wrong"]
PARK = (SCREEN[0] - 120, SCREEN[1] - 80)  # the pointer rests here: no hover style on the page
EFFECT_WAIT = 0.6  # seconds an effect may take to show after the action
IGNORED = frozenset({"focus"})  # focus follows any click; a step that cares says so


@dataclass(frozen=True)
class Outcome:
    page: str
    zoom: float
    step: str
    verdict: Verdict
    detail: str = ""  # the grounder's error, or what happened instead
    point: tuple[float, float] | None = None
    seconds: float = 0.0  # grounding time (the first step of a page includes the analysis)
    box: tuple[int, int, int, int] | None = None  # the element meant, in screen pixels


def judge(step: Step, before: State, after: State) -> tuple[Verdict, str]:
    """right when every expected key holds and nothing else changed; else wrong, saying what."""
    missing = {k: after.get(k) for k, v in step.expect.items() if after.get(k) != v}
    changed = {k: after.get(k) for k in before.keys() | after.keys()
               if before.get(k) != after.get(k) and k not in step.expect and k not in IGNORED}
    if not missing and not changed:
        return "right", ""
    if not changed and all(after.get(k) == before.get(k) for k in missing):
        return "wrong", "nothing happened"
    return "wrong", f"wanted {dict(step.expect)}; got {missing or ''} {changed or ''}".strip()


@dataclass
class PagePass:
    """Runs steps on pages in one Chromium, through one Desktop on the private display."""

    browser: Surface  # a Stage: Chromium, or a Tk dialog
    desktop: Any  # agent.Desktop
    outcomes: list[Outcome] = field(default_factory=list)
    save_dir: Path | None = None  # each page's screenshot goes here as PAGE@ZOOMx.png
    fresh: bool = False  # each step grounds its description on a new screenshot, in Desktop

    def run_page(self, page: str, steps: Sequence[Step]) -> list[Outcome]:
        self.browser.open(page)
        self._park()
        self.browser.reset()
        shot = self.desktop.screen.capture()
        if self.save_dir is not None:
            name = page.replace("/", "-")
            shot.image.save(self.save_dir / f"{name}@{self.browser.zoom:g}x.png")
        # A fresh page always starts alike: its state and boxes are read once, not per step.
        initial = self.browser.state()
        boxes = [self.browser.box(step.where) for step in steps]
        found = [self._ground(shot, step) if not self.fresh else ((-1.0, -1.0), 0.0)
                 for step in steps]
        results = [self._perform(page, step, point, seconds, initial, box)
                   for step, (point, seconds), box in zip(steps, found, boxes, strict=True)]
        self.outcomes.extend(results)
        return results

    def _ground(self, shot: Any, step: Step) -> tuple[tuple[float, float] | str, float]:
        start = time.perf_counter()
        try:
            point = self.desktop.grounder.ground(shot, step.target).point
        except GroundingError as exc:
            return str(exc), time.perf_counter() - start
        return point, time.perf_counter() - start

    def _perform(self, page: str, step: Step, point: tuple[float, float] | str,
                 seconds: float, initial: State, box: tuple[int, int, int, int]) -> Outcome:
        zoom = self.browser.zoom
        if isinstance(point, str):
            return Outcome(page, zoom, step.describe(), "error", point, None, seconds, box)
        self._park()
        self.browser.reset(painted=self.fresh)  # a fresh screenshot needs the page drawn
        target: str | tuple[float, float] = step.target if self.fresh else point
        refused = ""
        start = time.perf_counter()
        try:
            result = (self.desktop.click(target) if step.text is None
                      else self.desktop.type(step.text, into=target))
            point = result.point or point
        except GroundingError as exc:  # --fresh: Desktop grounds, and says when it cannot
            return Outcome(page, zoom, step.describe(), "error", str(exc), None,
                           time.perf_counter() - start, box)
        except ActionError as exc:  # e.g. a verified click that changed nothing: said, not silent
            refused = str(exc)
        if self.fresh:
            seconds = time.perf_counter() - start
        after = self.browser.wait_state(dict(step.expect), EFFECT_WAIT)
        verdict, detail = judge(step, initial, after)
        if refused and verdict == "wrong":
            verdict, detail = "error", f"the action failed: {refused} ({detail})"
        return Outcome(page, zoom, step.describe(), verdict, detail, point, seconds, box)

    def _park(self) -> None:
        """The pointer off the page (not a recorded step: nothing the script asked for)."""
        self.desktop.executor.move(*PARK)


# --------------------------------------------------------------------------- checks of the harness


class OracleGrounder:
    """Answers the centre of the element meant, read from the page: every step must be right
    (checks the pages, the input and the judging, not a grounder)."""

    def __init__(self, browser: Surface) -> None:
        self.browser = browser

    def ground(self, screenshot: Any, description: str) -> Any:
        from agent.grounding.grounder import Grounding

        steps = {**STEPS, **HOLDOUT}[self.browser.page]
        step = next(s for s in steps if s.target == description)
        left, top, right, bottom = self.browser.box(step.where)
        return Grounding(((left + right) / 2, (top + bottom) / 2), None)


class BlankGrounder:
    """Answers an empty spot of every page: every step must be WRONG, "nothing happened"."""

    def __init__(self, browser: Surface) -> None:
        self.browser = browser

    def ground(self, screenshot: Any, description: str) -> Any:
        from agent.grounding.grounder import Grounding

        return Grounding((SCREEN[0] * 0.75, SCREEN[1] - 60), None)


CHECKS: dict[str, Callable[[Surface], Any]] = {"oracle": OracleGrounder, "blank": BlankGrounder}


@contextmanager
def suite_display() -> Iterator[VirtualDisplay]:
    """The private 1920x1080 screen the suite runs on, set as this process's display."""
    with virtual_display(*SCREEN) as display, using_display(display):
        yield display


@contextmanager
def page_pass(display: VirtualDisplay, zoom: float, engine: str = "auto",
              grounder_for: Callable[[Surface], Any] | None = None,
              save_dir: Path | None = None, fresh: bool = False) -> Iterator[PagePass]:
    """A Chromium at `zoom` and a Desktop: grounder `ocr` with `engine`, or (tests of the
    harness) the one `grounder_for(browser)` makes."""
    from agent.automation.desktop import Desktop
    from agent.backends.mss_screen import MssScreen
    from agent.testing import MemoryRecorder

    with chromium(display, zoom) as browser, Stage(display, browser) as stage:
        grounder = "ocr" if grounder_for is None else grounder_for(stage)
        desktop = Desktop(grounder, screen=MssScreen(), recorder=MemoryRecorder(),
                          ocr_engine=engine, settle_timeout=0.05)
        with desktop:
            yield PagePass(stage, desktop, save_dir=save_dir, fresh=fresh)


def run_suite(pages: Iterable[str] | None = None, zooms: Iterable[float] = ZOOMS,
              engine: str = "auto", progress: Callable[[Outcome], None] | None = None,
              save_dir: Path | None = None, grounder: str = "ocr",
              fresh: bool = False, steps: Mapping[str, Sequence[Step]] = STEPS) -> list[Outcome]:
    """The whole pass (or the pages and zooms named) on a fresh private display, with the
    `ocr` grounder (`engine`), or a check of the harness (`oracle`, `blank`: CHECKS)."""
    names = list(steps) if pages is None else list(pages)
    unknown = [n for n in names if n not in steps]
    if unknown:
        raise ValueError(f"no such page: {', '.join(unknown)} (pages: {', '.join(steps)})")
    outcomes: list[Outcome] = []
    with suite_display() as display:
        for zoom in zooms:
            with page_pass(display, zoom, engine, CHECKS.get(grounder), save_dir,
                           fresh) as suite:
                for name in names:
                    for outcome in suite.run_page(name, steps[name]):
                        outcomes.append(outcome)
                        if progress is not None:
                            progress(outcome)
    return outcomes


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Tally:
    steps: int
    right: int
    error: int
    wrong: int

    @property
    def right_share(self) -> float:
        return self.right / self.steps if self.steps else 0.0


def tally(outcomes: Iterable[Outcome]) -> Tally:
    verdicts = [o.verdict for o in outcomes]
    return Tally(len(verdicts), verdicts.count("right"), verdicts.count("error"),
                 verdicts.count("wrong"))


def table(outcomes: Sequence[Outcome]) -> str:
    """Right / error / wrong per page and zoom, with each zoom's total."""
    zooms = sorted({o.zoom for o in outcomes})
    pages = list(dict.fromkeys(o.page for o in outcomes))
    width = max(len(name) for name in [*pages, "page"])
    lines = [f"{'page':{width}}" + "".join(f"  {f'{z:g}x right/err/WRONG':>26}" for z in zooms)]
    for name in [*pages, "ALL"]:
        cells = []
        for zoom in zooms:
            counts = tally(o for o in outcomes
                           if o.zoom == zoom and (name == "ALL" or o.page == name))
            cells.append(f"{counts.right:3}/{counts.error:2}/{counts.wrong:2} of {counts.steps:3}"
                         f" ({counts.right_share:4.0%})")
        lines.append(f"{name:{width}}" + "".join(f"  {cell:>26}" for cell in cells))
    return "\n".join(lines)


def failures(outcomes: Iterable[Outcome]) -> str:
    """One line per step not right: what was asked, what happened."""
    return "\n".join(describe(o) for o in outcomes if o.verdict != "right")


def describe(outcome: Outcome) -> str:
    """The step, where it acted, what happened, and where the element meant is."""
    point = f" at ({outcome.point[0]:.0f}, {outcome.point[1]:.0f})" if outcome.point else ""
    meant = f" [meant: {outcome.box}]" if outcome.box else ""
    return (f"{outcome.verdict.upper():5} {outcome.page}@{outcome.zoom:g}x {outcome.step}"
            f"{point} [{outcome.seconds:.2f} s]: {outcome.detail or 'ok'}{meant}")
