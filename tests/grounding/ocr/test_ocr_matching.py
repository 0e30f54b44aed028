"""The `ocr` grounder's matching, engine choice and tesseract plumbing, without a real OCR."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import shutil
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

import agent.grounding.ocr.engines as ocr
from agent.errors import GroundingError, UsageError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr import tesseract_api
from agent.grounding.ocr.grounder import (
    Analysis,
    OcrGrounder,
    OcrWord,
    TesseractEngine,
    ground_in,
    make_engine,
)
from agent.grounding.ocr.rank import Candidate
from agent.grounding.ocr.textmatch import runs, similarity
from agent.testing import StaticScreen
from tests.grounding.ocr.test_rank import Widget

BLANK = Image.new("RGB", (640, 400), "white")


def line(y: float, *items: tuple[str, float], key: int | None = None, height: float = 16,
         char: float = 9) -> list[OcrWord]:
    """Words on one line at `y`: (text, left) pairs, `char` px per character."""
    ident = (key if key is not None else int(y),)
    return [OcrWord(text, (left, y, left + char * len(text), y + height), ident)
            for text, left in items]


def find_text(words: list[OcrWord], description: str) -> Candidate:
    """Word-only grounding (no widgets looked for) on a blank image."""
    return ground_in(Analysis(words, None, 0.0), BLANK, description).best


FORM = [
    *line(40, ("Book", 20), ("a", 66), ("flight", 80)),
    *line(100, ("From", 20)),
    *line(140, ("To", 20)),
    # two buttons read as one line: the wide gap between them makes two phrases
    *line(200, ("Search", 20), ("flights", 80), ("Book", 200), ("now", 245)),
    *line(260, ("Search", 20), ("flights", 80), ("first", 150)),
]


class FakeEngine:
    name = "fake"

    def __init__(self, words: list[OcrWord]) -> None:
        self.words = words
        self.reads = 0

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.reads += 1
        return self.words


def test_an_exact_phrase_beats_the_same_words_inside_a_longer_line() -> None:
    match = find_text(FORM, "the Search flights button")
    assert match.exact
    assert match.box[1] == 200  # the button, not "Search flights first" below it
    assert match.text == "Search flights"


def test_a_run_of_words_is_found_inside_a_phrase_and_boxed_alone() -> None:
    match = find_text(FORM, "the 'Book now' button")
    assert match.text == "Book now"
    assert match.box[0] == 200 and match.box[2] == 245 + 9 * 3


def test_ocr_slips_are_forgiven_when_nothing_else_is_close() -> None:
    words = line(50, ("Subrnit", 20), ("order", 90))
    assert find_text(words, 'the "Submit order" button').text == "Subrnit order"
    assert find_text(line(50, ("L0GIN", 20)), "the LOGIN button").text == "L0GIN"


def test_a_misread_near_match_is_not_clicked_when_a_rival_is_close() -> None:
    """"L0gin" (a zero) is a near match for "Login"; "Logon" elsewhere is nearly as near."""
    words = [*line(50, ("L0gin", 20)), *line(150, ("Logon", 20))]
    assert similarity("l0gin", "login") > similarity("logon", "login") > 0.75
    with pytest.raises(GroundingError, match="ambiguous") as info:
        find_text(words, "the Login button")
    assert "'L0gin' at (42, 58)" in str(info.value) and "'Logon' at (42, 158)" in str(info.value)


def test_punctuation_that_borders_read_as_is_ignored() -> None:
    words = line(50, ("[Price", 20), ("range|", 90))
    assert find_text(words, "the Price range label").exact


def test_the_same_label_twice_is_ambiguous_and_lists_both_places() -> None:
    words = [*line(50, ("Save", 20)), *line(300, ("Save", 400))]
    with pytest.raises(GroundingError) as info:
        find_text(words, 'the "Save" button')
    message = str(info.value)
    assert "ambiguous" in message
    assert "'Save' at (38, 58)" in message and "'Save' at (418, 308)" in message


def test_two_equally_partial_matches_are_ambiguous() -> None:
    words = [*line(50, ("Search", 20), ("hotels", 90)),
             *line(300, ("Search", 20), ("cars", 90))]
    with pytest.raises(GroundingError, match=r"ambiguous.*'Search'.*'Search'"):
        find_text(words, "the Search button")


def test_no_match_names_the_closest_text_seen() -> None:
    with pytest.raises(GroundingError, match=r"no text like 'cancel'.*closest: ") as info:
        find_text(FORM, "the Cancel button")
    assert "for 'the Cancel button'" in str(info.value)


def test_a_near_miss_of_a_short_word_is_no_match() -> None:
    # "form" is one letter-swap from "from": below the similarity bar, not a weak match
    with pytest.raises(GroundingError, match="no text like"):
        find_text(line(50, ("Fill", 20), ("in", 60), ("the", 85), ("form", 120)), "the From label")


@pytest.mark.parametrize(("read", "described", "near"), [
    ("studio 1", "studio 3", False),  # one of a series: never a near match for another
    ("studio", "studio 3", False),
    ("page 12", "page 2", False),
    ("$1,299", "$1299", True),  # thousands separators are the same number
    ("l0:30", "10:30", True),  # a look-alike letter read for a digit
    ("11/2 cups flour", "1 1 2 cups flour", True),  # "1 1/2" read without its space
    ("inbox 3", "inbox", True),  # a count beside a name the description leaves out
    ("menu a", "menu b", False),  # a letter of a series too (the thirty-ninth blind trial)
    ("zone c", "zone d", False),
    ("menu b", "menu b", True),
    ("menu 8", "menu b", True),  # a B read as an 8: still a near match
    # Roman numerals: "III" read "ll" (a stroke dropped) is no near match for "II"
    # (the fifty-first trial's packing groups, a silent wrong click)
    ("ll", "ii", False), ("ill", "ii", False), ("il", "iii", False), ("ii", "ii", True),
    ("l", "i", True),  # one stroke: no count to lose
])
def test_a_different_number_is_no_near_match(read: str, described: str, near: bool) -> None:
    assert (similarity(read, described) >= 0.8) is near


def test_words_not_understood_never_become_the_text_to_look_for() -> None:
    """"of the form" is not looked for: only the words next to the kind are the text."""
    words = [*line(50, ("Submit", 20)), *line(120, ("Fill", 20), ("the", 60), ("form", 100))]
    assert find_text(words, "the Submit button of the form").box[1] == 50
    with pytest.raises(GroundingError, match="no text like 'send'"):
        find_text(words, "the Send button of the form")


def test_nothing_to_look_for_and_nothing_read_are_errors() -> None:
    with pytest.raises(GroundingError, match="names no text"):
        find_text(FORM, "click it")
    with pytest.raises(GroundingError, match="OCR read no text"):
        find_text([], "the Save button")


def test_no_such_text_is_a_not_found_answer_and_ambiguity_or_a_bad_description_is_not() -> None:
    # what `agent eval grounding` scores right on a refusal item (CONTRACTS §8)
    with pytest.raises(NotOnScreen):
        find_text(FORM, "the Cancel button")
    for words, description in [(FORM, "please"), ([*line(50, ("Save", 20)),
                                                   *line(300, ("Save", 400))], "Save")]:
        with pytest.raises(GroundingError) as info:
            find_text(words, description)
        assert not isinstance(info.value, NotOnScreen)


def test_the_grounder_answers_in_screenshot_pixels_with_confidence_and_rivals() -> None:
    engine = FakeEngine(FORM)
    grounder = OcrGrounder(engine, widgets=False)
    shot = StaticScreen(Image.new("RGB", (640, 400), "white")).capture()
    grounding = grounder.ground(shot, "the From label")
    assert grounding.point == (20 + 9 * 4 / 2, 108.0)
    assert isinstance(grounding.point[0], float)
    raw = json.loads(grounding.raw or "")
    assert {k: raw[k] for k in ("engine", "kind", "text", "box", "score")} == {
        "engine": "fake", "kind": "text", "text": "From", "box": [20.0, 100.0, 56.0, 116.0],
        "score": 1.0}
    assert raw["confidence"] == 1.0 and raw["widgets"] is None
    raw = json.loads(grounder.ground(shot, "the Search flights label").raw or "")
    assert raw["text"] == "Search flights" and raw["box"][1] == 200  # the whole phrase wins
    rival = raw["candidates"][0]  # the same words in the "Search flights first" line
    assert rival["text"] == "Search flights" and rival["point"][1] == 268
    assert rival["score"] < raw["score"]
    assert engine.reads == 1  # the same screenshot is read once
    grounder.ground(StaticScreen(shot.image.copy()).capture(), "the To label")
    assert engine.reads == 1  # the same pixels: the analysis is reused
    other = Image.new("RGB", (640, 400), "white")
    other.putpixel((3, 3), (0, 0, 0))
    grounder.ground(StaticScreen(other).capture(), "the To label")
    assert engine.reads == 2


class SlowEngine(FakeEngine):
    """Reads like FakeEngine, after a while; notes the threads it was called on."""

    def __init__(self, words: list[OcrWord]) -> None:
        super().__init__(words)
        self.threads: list[str] = []

    def read(self, image: Image.Image) -> list[OcrWord]:
        time.sleep(0.3)
        self.threads.append(threading.current_thread().name)
        return super().read(image)


def test_a_prepared_screenshot_is_read_in_the_background_once() -> None:
    engine = SlowEngine(FORM)
    grounder = OcrGrounder(engine, widgets=False)
    shot = StaticScreen(Image.new("RGB", (640, 400), "white")).capture()
    start = time.perf_counter()
    grounder.prepare(shot)
    assert time.perf_counter() - start < 0.2  # the planner is not kept waiting
    assert grounder.ground(shot, "the From label").point == (38.0, 108.0)  # waits for it
    assert engine.reads == 1 and engine.threads == ["ocr-prepare"]
    broken = OcrGrounder(BrokenEngine(), widgets=False)
    broken.prepare(shot)  # its failure is the grounding's to report, not the thread's
    with pytest.raises(UsageError, match="tesseract failed"):
        broken.ground(shot, "the From label")


def test_screenshots_are_analysed_side_by_side_and_the_same_one_once() -> None:
    """`agent eval grounding --concurrency N` shares one grounder between threads."""
    engine = SlowEngine(FORM)
    grounder = OcrGrounder(engine, widgets=False, incremental=False)
    images = [Image.new("RGB", (640, 400), colour) for colour in ("white", "ivory", "white")]
    start = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        analyses = list(pool.map(grounder.analyse, images))
    assert time.perf_counter() - start < 0.55  # two reads of 0.3 s at once, not one by one
    assert engine.reads == 2  # the two white screenshots shared one analysis
    assert analyses[0] is analyses[2] and analyses[1] is not analyses[0]


class BrokenEngine:
    name = "tesseract"

    def read(self, image: Image.Image) -> list[OcrWord]:
        raise UsageError("tesseract failed (exit 1): Error opening data file")


def test_engine_choice_and_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="unknown OCR engine 'paddle'"):
        make_engine("paddle")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(ocr, "api_available", lambda lang="eng": False)
    monkeypatch.setattr(ocr, "rapidocr_available", lambda: False)
    with pytest.raises(UsageError) as info:
        OcrGrounder()
    assert "apt install tesseract-ocr" in str(info.value)
    assert "pip install 'planground[ocr]'" in str(info.value)
    with pytest.raises(UsageError, match="apt install tesseract-ocr"):
        OcrGrounder(engine="tesseract")
    with pytest.raises(UsageError, match=r"pip install 'planground\[ocr\]'"):
        OcrGrounder(engine="rapidocr")
    monkeypatch.setattr(ocr, "rapidocr_available", lambda: True)
    assert make_engine().name == "rapidocr"  # no tesseract: the extra, if installed
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert make_engine().name == "tesseract"  # both: tesseract, the faster here


TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
              "\tconf\ttext\n")


def fake_tesseract(tmp_path: Path) -> Path:
    """A `tesseract` that records its arguments and environment and reads one line of words."""
    rows = ["5\t1\t1\t1\t1\t1\t10\t20\t50\t16\t96.5\tSearch",
            "5\t1\t1\t1\t1\t2\t66\t20\t50\t16\t95.0\tflights",
            "5\t1\t1\t1\t1\t3\t120\t20\t5\t16\t90.0\t|",
            "4\t1\t1\t1\t1\t0\t10\t20\t106\t16\t-1\t"]
    (tmp_path / "out.tsv").write_text(TSV_HEADER + "\n".join(rows) + "\n")
    script = tmp_path / "tesseract"
    script.write_text(f'#!/bin/sh\necho "$OMP_THREAD_LIMIT $*" >> {tmp_path}/calls\n'
                      f"cat > /dev/null\ncat {tmp_path}/out.tsv\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def inked(size: tuple[int, int] = (300, 100)) -> Image.Image:
    """A white image with a dark mark in its top-left corner (text, to the ink finder)."""
    image = Image.new("RGB", size, "white")
    image.paste((0, 0, 0), (0, 0, 4, 4))
    return image


def test_tesseract_is_run_with_one_thread_and_tsv_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    engine = TesseractEngine(str(fake_tesseract(tmp_path)), jobs=1)
    words = engine.read(inked())
    assert [w.text for w in words] == ["Search", "flights"]  # the border "|" is dropped
    assert words[0].box == (10.0, 20.0, 60.0, 36.0)
    assert words[0].line == words[1].line
    calls = (tmp_path / "calls").read_text().split()
    assert calls[:4] == ["1", "stdin", "stdout", "-l"]
    assert calls[-1] == "tsv" and "--psm" in calls
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")  # the user's own setting is kept
    engine.read(inked())
    assert (tmp_path / "calls").read_text().splitlines()[-1].startswith("2 ")


def test_only_the_inked_part_is_read_and_boxes_come_back_in_screen_pixels(
        tmp_path: Path) -> None:
    engine = TesseractEngine(str(fake_tesseract(tmp_path)), jobs=1)
    assert engine.read(Image.new("RGB", (300, 100), "white")) == []  # nothing to read: no run
    assert not (tmp_path / "calls").exists()
    image = Image.new("RGB", (1000, 700), "white")
    image.paste((0, 0, 0), (500, 400, 540, 416))
    words = engine.read(image)
    # the fake reads at (10, 20) of what it was given: the crop starts 8 px before the ink
    assert words[0].box == (502.0, 412.0, 552.0, 428.0)
    upscaled = TesseractEngine(str(fake_tesseract(tmp_path)), jobs=1, scale=2.0)
    assert upscaled.read(image)[0].box == (497.0, 402.0, 522.0, 410.0)


def test_tesseract_runs_in_process_only_with_its_model_and_plain_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "api_available", lambda lang="eng": True)
    monkeypatch.setattr(tesseract_api, "tessdata_dir", lambda lang="eng": str(tmp_path))
    assert TesseractEngine().backend == "api"
    assert TesseractEngine(backend="cli").backend == "cli"
    binary = str(fake_tesseract(tmp_path))
    assert TesseractEngine(binary).backend == "cli"  # a binary named: that binary runs
    assert TesseractEngine(options=["--dpi", "96"]).backend == "cli"  # no API equivalent
    api = TesseractEngine(options=["-c", "preserve_interword_spaces=1"])._api
    assert api is not None
    assert api.variables["preserve_interword_spaces"] == "1"
    assert api.variables["tessedit_do_invert"] == "0"  # as the CLI is told
    with pytest.raises(UsageError, match="tesserocr"):
        TesseractEngine(binary, backend="api")
    monkeypatch.setattr(ocr, "api_available", lambda lang="eng": False)
    with pytest.raises(UsageError, match="tesserocr"):
        TesseractEngine(backend="api")
    assert TesseractEngine(binary).backend == "cli"


def test_a_model_tesseract_cannot_load_in_process_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "eng.traineddata").write_bytes(b"not a model")
    monkeypatch.setattr(ocr, "api_available", lambda lang="eng": True)
    monkeypatch.setattr(tesseract_api, "tessdata_dir", lambda lang="eng": str(tmp_path))
    with pytest.raises(UsageError, match=f"cannot load 'eng' from {tmp_path}"):
        TesseractEngine(jobs=1).read(inked())


def test_tesseract_failures_are_reported(tmp_path: Path) -> None:
    script = tmp_path / "tesseract"
    script.write_text("#!/bin/sh\necho 'Error opening data file eng.traineddata' >&2\nexit 1\n")
    script.chmod(0o755)
    with pytest.raises(UsageError, match=r"tesseract failed.*eng\.traineddata"):
        TesseractEngine(str(script)).read(inked((50, 50)))


@pytest.mark.parametrize("shape", ["even", "top-heavy", "one row", "none", "lines"])
def test_bands_cover_every_row_once_overlap_enough_and_share_the_ink(shape: str) -> None:
    for height, jobs in ((1080, 2), (1080, 8), (800, 1), (250, 4), (2160, 3)):
        ink = {"even": [10] * height,
               "top-heavy": [50 if y < height // 5 else 1 for y in range(height)],
               "one row": [0] * (height // 2) + [255] + [0] * (height - height // 2 - 1),
               "none": [0] * height,
               "lines": [0 if y % 20 >= 14 else 9 for y in range(height)]}[shape]
        bands = ocr._bands(ink, jobs)
        assert 1 <= len(bands) <= max(1, min(jobs, height // ocr.MIN_BAND))
        assert bands[0][0] == 0 and bands[-1][1] == height
        owners = [sum(own_top <= y < own_bottom for _, _, own_top, own_bottom in bands)
                  for y in range(height)]
        assert owners == [1] * height
        shares = [sum(ink[max(a, 0):min(b, height)]) for _, _, a, b in bands]
        if shape in ("even", "top-heavy", "lines") and len(bands) > 1:
            assert max(shares) - min(shares) <= max(ink) * 2 * (1 + ocr.GAP_REACH), shares
        for upper, lower in itertools.pairwise(bands):
            cut, shared = upper[3], range(lower[0], upper[1])
            if any(ink[y] for y in shared):
                # no gap near: a line up to 2 * BAND_OVERLAP px tall owned by a band is whole
                assert lower[0] <= cut - ocr.BAND_OVERLAP and upper[1] >= cut + ocr.BAND_OVERLAP
            else:  # they meet in a gap, each reading all of it and no inked row twice
                assert lower[0] <= cut < upper[1] and len(shared) >= ocr.GAP
                assert upper[1] == height or ink[upper[1]]
                assert lower[0] == 0 or ink[lower[0] - 1]
        if shape == "lines" and len(bands) > 1:
            assert all(not any(ink[y] for y in range(lower[0], upper[1]))
                       for upper, lower in itertools.pairwise(bands))


def pixel(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getpixel(xy)
    assert isinstance(value, int)
    return value


def darkest(image: Image.Image) -> int:
    low, _high = image.getextrema()
    assert isinstance(low, int)
    return low


def test_dark_on_light_turns_white_on_blue_into_dark_on_light() -> None:
    image = Image.new("L", (400, 120), 240)
    image.paste(84, (100, 30, 300, 90))  # a blue button's grey
    image.paste(250, (150, 50, 250, 56))  # a white stroke on it
    out = ocr.dark_on_light(image)
    assert pixel(out, (200, 53)) < 60  # the stroke is now dark
    assert pixel(out, (110, 40)) > 150  # the button's ground light
    assert pixel(out, (20, 20)) == 240  # the light page untouched
    # only the stroke is dark: no frame around the button (bar a grid line at its very edge)
    assert darkest(out.crop((90, 34, 310, 48))) > 150
    assert darkest(out.crop((0, 0, 400, 26))) > 150
    light = Image.new("L", (200, 100), 255)
    assert ocr.dark_on_light(light) is light


@pytest.mark.skipif(os.name != "posix", reason="sched_getaffinity")
def test_one_band_per_usable_core() -> None:
    assert TesseractEngine("/bin/true").jobs == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("seen", "described"), [
    ("Save", "Saved"), ("Saved", "Save"), ("Cancel", "Cancelled"), ("Book", "Booked"),
])
def test_another_form_of_the_word_is_not_the_text(seen: str, described: str) -> None:
    """A button ("Save") is not the state it leads to ("Saved"): `assert_visible` and
    `wait_for` would otherwise pass before anything happened."""
    words = line(50, (seen, 20))
    with pytest.raises(GroundingError, match="no text like"):
        find_text(words, f"the {described} label")
    assert find_text([*words, *line(120, (described, 20))], described).text == described


@pytest.mark.parametrize(("seen", "described"), [
    (("buildings", "-"), "building"), (("Saved", "-"), "Save"), (("-", "Saved"), "Save"),
])
def test_another_form_beside_a_separator_read_as_a_dash_is_not_the_text(
        seen: tuple[str, str], described: str) -> None:
    """The forty-fifth trial's notices: "All buildings · posted 28 Sep", its dot read as a
    dash, is not the Building drop-down's label (it was a field guessed there, at 0.55)."""
    words = line(50, (seen[0], 20), (seen[1], 26 + 9 * len(seen[0])))
    with pytest.raises(GroundingError, match="no text like"):
        find_text(words, f"the {described} label")
    assert find_text([*words, *line(120, (described, 20))], described).text == described


def test_without_opencv_the_grounder_reads_words_only_and_says_so_once(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import agent.grounding.ocr.grounder as grounder_module

    real = importlib.import_module

    def no_cv2(name: str) -> object:
        if name == "agent.grounding.ocr.widgets":
            raise ModuleNotFoundError("No module named 'cv2'", name="cv2")
        return real(name)

    monkeypatch.setattr(importlib, "import_module", no_cv2)
    monkeypatch.setattr(grounder_module, "_warned", set())
    shot = StaticScreen(Image.new("RGB", (640, 400), "white")).capture()
    for _ in range(2):
        grounding = OcrGrounder(FakeEngine(FORM)).ground(shot, "the Search flights button")
        assert grounding.point == (20 + (80 + 63 - 20) / 2, 208.0)
        assert json.loads(grounding.raw or "")["widgets"] is None
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "needs OpenCV" in lines[0] and "planground[ocr]" in lines[0]


def test_a_short_word_ocr_dropped_leaves_a_near_match_where_its_gap_is() -> None:
    """The fifth trial's small underlined "Flag for review": tesseract read "Flag" and
    "review" (on two lines of its own) and no "for"."""
    words = [OcrWord("Flag", (980, 245, 1005, 258), (0, 19), 52.0),
             OcrWord("review", (1025, 248, 1075, 255), (0, 17), 0.0),
             OcrWord("Flag", (100, 245, 125, 258), (0, 3), 90.0),  # a gap fits no "for"
             OcrWord("review", (200, 248, 250, 255), (0, 4), 90.0)]
    found = [r for r in runs(words, "flag for review") if r.similarity >= 0.8]
    assert [(r.text, r.box[0], r.similarity) for r in found] == [("Flag review", 980, 0.9)]


def test_an_error_that_found_nothing_like_the_text_names_what_is_there() -> None:
    """"closest: none" named no candidate; the elements of the kind asked for are listed."""
    image = Image.new("RGB", (400, 200), "white")
    words = line(50, ("Send", 20), ("Discard", 120))
    buttons = [Widget("button", (w.box[0] - 8, 40, w.box[2] + 8, 80), w.text, w.box)
               for w in words]
    analysis = Analysis(words, buttons, 0.0)
    with pytest.raises(NotOnScreen, match=r"closest: none; on the screen, of the kind "
                                          r"'button': button 'Send'.*button 'Discard'"):
        ground_in(analysis, image, "the Frobnicate button")
