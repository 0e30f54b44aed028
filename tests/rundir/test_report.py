"""report.html (agent/rundir/report.py): self-contained, each step's screenshot marked, escaped."""

from __future__ import annotations

import base64
import io
import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from agent.errors import UsageError
from agent.records import Approval, StepRecord, TokenUsage, Usage
from agent.rundir.report import (
    CROSSHAIR_COLOR,
    THUMBNAIL_WIDTH,
    Marker,
    main_report,
    thumbnail,
    write_report,
)
from tests.rundir.runs import FINISHED, click_step, ground, make_run, png, run_record

RED = tuple(int(CROSSHAIR_COLOR[i:i + 2], 16) for i in (1, 3, 5))
HOSTILE = "<script>alert(1)</script>"


# --- reading the report --------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of the report the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.steps: list[str] = []  # section ids
        self.images: list[tuple[str, str]] = []  # (section id, src)
        self.tags: list[str] = []
        self.urls: list[str] = []  # every src / href
        self.text: list[str] = []
        self._section = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "section" and "step" in (attributes.get("class") or "").split():
            self._section = attributes.get("id") or ""
            self.steps.append(self._section)
        if tag == "img":
            self.images.append((self._section, attributes.get("src") or ""))
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def report(run_dir: Path) -> tuple[str, Page]:
    path = write_report(run_dir)
    assert path == run_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    return html, Page(html)


def decode(src: str) -> Image.Image:
    prefix = "data:image/jpeg;base64,"
    assert src.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(src[len(prefix):], validate=True)))
    image.load()
    assert image.format == "JPEG"
    return image.convert("RGB")


def near_red(pixel: tuple[int, ...], tolerance: int = 90) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel[:3], RED, strict=True)) <= tolerance


def red_pixels(image: Image.Image, centre: tuple[float, float], radius: int) -> int:
    cx, cy = round(centre[0]), round(centre[1])
    return sum(
        near_red(image.getpixel((x, y)))  # type: ignore[arg-type]
        for x in range(max(0, cx - radius), min(image.width, cx + radius + 1))
        for y in range(max(0, cy - radius), min(image.height, cy + radius + 1))
    )


# --- the tests -----------------------------------------------------------------------------


def test_every_step_has_a_section_with_its_screenshot(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, [click_step(i) for i in (1, 2, 3)], finish=FINISHED)
    _, page = report(run_dir)
    assert page.steps == ["step-1", "step-2", "step-3"]
    assert [section for section, _ in page.images] == ["step-1", "step-2", "step-3"]
    for _, src in page.images:
        image = decode(src)
        assert image.size == (THUMBNAIL_WIDTH, 540)  # 1920x1080 halved, aspect kept


def test_the_crosshair_is_drawn_at_the_grounded_point_scaled_to_the_thumbnail(
    tmp_path: Path,
) -> None:
    steps = [click_step(1, point=(1500.0, 300.0)),
             click_step(2, grounding=[], action={"name": "wait", "seconds": 1.0})]
    _, page = report(make_run(tmp_path, steps, finish=FINISHED))
    marked, plain = decode(page.images[0][1]), decode(page.images[1][1])
    scaled = (1500 * THUMBNAIL_WIDTH / 1920, 300 * 540 / 1080)  # (750, 150)
    arm = max(12, 540 // 40)
    # the crosshair leaves its centre clear; its arms run from arm/4 to arm px out
    for dx, dy in ((arm * 0.7, 0), (-arm * 0.7, 0), (0, arm * 0.7), (0, -arm * 0.7)):
        x, y = round(scaled[0] + dx), round(scaled[1] + dy)
        assert near_red(marked.getpixel((x, y))), (x, y, marked.getpixel((x, y)))  # type: ignore[arg-type]
    assert red_pixels(marked, scaled, arm + 2) > 40
    assert red_pixels(marked, (200, 400), arm + 2) == 0  # nowhere else
    assert red_pixels(plain, scaled, arm + 2) == 0  # nothing grounded, nothing drawn


def test_a_drag_marks_both_points_and_labels_them(tmp_path: Path) -> None:
    drag = click_step(1, action={"name": "drag", "source": "the file", "destination": "the bin"},
                      grounding=[ground("source", 200.0, 500.0, "the file"),
                                 ground("destination", 1600.0, 700.0, "the bin")])
    _, page = report(make_run(tmp_path, [drag], finish=FINISHED))
    image = decode(page.images[0][1])
    for x, y in ((100.0, 250.0), (800.0, 350.0)):
        assert red_pixels(image, (x, y), 15) > 40
    assert "source" in page.plain and "destination" in page.plain
    # the labels are tags in the crosshair colour beside each point: many more red pixels
    shot = tmp_path / "shot.png"
    shot.write_bytes(png())
    points = [(200.0, 500.0), (1600.0, 700.0)]
    unlabelled = decode(thumbnail(shot, [Marker(p) for p in points]).data_url)
    labelled = decode(
        thumbnail(shot, [Marker(p, n) for p, n in zip(points, ("source", "destination"),
                                                           strict=True)]).data_url)
    assert count_red(labelled) > count_red(unlabelled) + 300
    assert count_red(image) == pytest.approx(count_red(labelled), rel=0.05)


def count_red(image: Image.Image, tolerance: int = 40) -> int:
    """Pixels within `tolerance` of the crosshair colour in every channel."""
    diff = ImageChops.difference(image, Image.new("RGB", image.size, RED))
    red, green, blue = (band.point(lambda v: 255 if v <= tolerance else 0) for band in diff.split())
    return ImageChops.multiply(ImageChops.multiply(red, green), blue).histogram()[255]


def test_a_small_screenshot_is_not_enlarged(tmp_path: Path) -> None:
    shot = tmp_path / "small.png"
    shot.write_bytes(png((800, 600)))
    thumb = thumbnail(shot, [Marker((400.0, 300.0))])
    assert (thumb.width, thumb.height, thumb.source_size) == (800, 600, (800, 600))
    assert red_pixels(decode(thumb.data_url), (400, 300), 15) > 40


def test_the_header_shows_the_run(tmp_path: Path) -> None:
    steps = [click_step(1), click_step(2, status="error", error="no target found"),
             click_step(3, action={"name": "done", "answer": "Booked"}, grounding=[])]
    html, page = report(make_run(tmp_path, steps, finish=FINISHED))
    text = page.plain
    for expected in ("Book a flight to Tokyo", "Booked flight JL 5", "2025-03-04T05:06:07+00:00",
                     "2025-03-04T05:09:31+00:00", "3 min 24 s", "3000 + 300", "1500 + 30",
                     "4830", "planner_model", "gpt-4o", "max_steps", "agent run 'Book a flight "
                     "to Tokyo'"):
        assert expected in text, expected
    assert "Steps 3 (2 ok, 1 error)" in text
    assert 'class="badge s-done"' in html
    assert "Cost" not in text  # no prices configured
    _, priced = report(make_run(tmp_path / "priced", steps,
                                finish={**FINISHED, "cost_usd": 0.01234}))
    assert "Cost $0.0123" in priced.plain


@pytest.mark.parametrize("status, reason", [
    ("failed", "the planner gave up: no flights"),
    ("error", "planner server unreachable"),
    ("stopped", "stopped by the user (Ctrl+C)"),
])
def test_the_status_is_styled_and_the_reason_shown(
    tmp_path: Path, status: str, reason: str
) -> None:
    finish = {**FINISHED, "status": status, "answer": None, "reason": reason}
    html, page = report(make_run(tmp_path, [click_step(1)], finish=finish))
    assert f'class="badge s-{status}"' in html
    assert f'class="card run s-border-{status}"' in html
    assert f"Reason: {reason}" in page.plain
    assert "Answer:" not in page.plain


def test_every_step_field_is_shown(tmp_path: Path) -> None:
    rejected = click_step(
        1, status="rejected", outcome=None,
        approval=Approval(decision="rejected", feedback="wrong button, use the blue one",
                          edited={"target": "the blue Search button"}))
    failed = click_step(2, status="error", error="GroundingError: no such button", outcome=None,
                        reasked=["the reply has no JSON object"])
    html, page = report(make_run(tmp_path, [rejected, failed], finish=FINISHED))
    text = page.plain
    for expected in ("screen 1", "thought 1", "Click the Search button (1)", "the Search button",
                     "(960, 540)", "960.0, 540.0", "960, 540", "rejected",
                     "wrong button, use the blue one", "the blue Search button",
                     "GroundingError: no such button", "planner 1000 + 100, grounder 500 + 10",
                     "Invalid planner replies, sent back", "the reply has no JSON object"):
        assert expected in text, expected
    assert "capture plan ground approve execute settle total" in text
    assert "12 1830 410 0 35 220 2508" in text  # 12.5 rounds half to even
    assert '"button": "left"' in text  # the arguments, as JSON
    assert page.steps == ["step-1", "step-2"]
    assert 'class="card step s-border-rejected"' in html


def test_cached_tokens_are_shown_when_the_server_reported_them(tmp_path: Path) -> None:
    cached = Usage(planner=TokenUsage(prompt_tokens=1000, completion_tokens=100,
                                      cached_tokens=800))
    steps = [click_step(1, usage=cached), click_step(2)]
    finish = {**FINISHED, "usage": cached + cached}
    _, page = report(make_run(tmp_path, steps, finish=finish))
    assert "planner 1000 (800 cached) + 100, grounder 0 + 0" in page.plain
    assert "planner 1000 + 100, grounder 500 + 10" in page.plain  # step 2: none reported
    assert "2000 (1600 cached) + 200" in page.plain  # the run's planner tokens


def test_model_text_is_escaped_never_interpreted(tmp_path: Path) -> None:
    hostile = click_step(
        1, observation=HOSTILE, thought=HOSTILE, instruction='<img src=x onerror="alert(2)">',
        action={"name": "type", "text": HOSTILE, "target": "</pre><b>bold</b>"},
        grounding=[ground("target", 10.0, 10.0, target="<a href='http://evil'>x</a>")],
        error="</p><script>alert(3)</script>", outcome="<style>body{display:none}</style>")
    run = run_record(task="<b>task</b>", settings={"note": HOSTILE})
    finish = {**FINISHED, "answer": "<iframe src='http://evil'></iframe>"}
    html, page = report(make_run(tmp_path, [hostile], run=run, finish=finish))
    assert "script" not in page.tags and "iframe" not in page.tags and "b" not in page.tags
    assert page.tags.count("style") == 1  # ours only
    assert page.tags.count("img") == 1  # the screenshot only
    assert all(url.startswith(("data:image/jpeg;base64,", "#", "step-")) for url in page.urls)
    assert HOSTILE in page.plain  # shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<iframe" not in html and "<b>" not in html
    assert "Content-Security-Policy" in html  # and even then, the page may run nothing


def test_the_page_loads_nothing_from_outside(tmp_path: Path) -> None:
    html, page = report(make_run(tmp_path, [click_step(1)], finish=FINISHED))
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html


def test_a_killed_run_still_gets_a_report(tmp_path: Path) -> None:
    # run.json still says running; the last step line was cut short; step 3's screenshot exists
    run_dir = make_run(tmp_path, [click_step(1), click_step(2)])
    (run_dir / "step-0003.png").write_bytes(png())
    line = click_step(3).model_dump_json()
    with open(run_dir / "steps.jsonl", "a", encoding="utf-8") as handle:
        handle.write(line[: len(line) // 2])
    html, page = report(run_dir)
    assert 'class="badge s-running"' in html
    assert page.steps == ["step-1", "step-2", "step-3"]
    assert len(page.images) == 3
    text = page.plain
    assert "still says running" in text
    assert "steps.jsonl line 3 is incomplete" in text
    assert "No record for this step" in text
    assert "Duration —" in text and "Ended —" in text
    assert "2000 + 200" in text  # tokens summed over the two recorded steps
    assert 'class="badge s-incomplete"' in html


def test_a_step_without_a_screenshot_renders_without_an_image(tmp_path: Path) -> None:
    steps = [click_step(1),
             StepRecord(index=2, status="error", error="screen capture failed: XGetImage")]
    _, page = report(make_run(tmp_path, steps, shots={1: png()}, finish=FINISHED))
    assert page.steps == ["step-1", "step-2"]
    assert [section for section, _ in page.images] == ["step-1"]
    assert "no screenshot" in page.plain
    assert "screen capture failed: XGetImage" in page.plain


def test_an_unreadable_screenshot_is_noted_not_fatal(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, [click_step(1), click_step(2)],
                       shots={1: b"not a png", 2: png()}, finish=FINISHED)
    _, page = report(run_dir)
    assert page.steps == ["step-1", "step-2"]
    assert [section for section, _ in page.images] == ["step-2"]
    assert "step-0001.png could not be read" in page.plain


def test_a_run_without_steps_renders(tmp_path: Path) -> None:
    _, page = report(make_run(tmp_path, [], finish={**FINISHED, "steps": 0}))
    assert page.steps == []
    assert "No steps were recorded" in page.plain


def test_the_report_is_private_and_replaced_whole(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, [click_step(1)], finish=FINISHED)
    first = write_report(run_dir).read_text(encoding="utf-8")
    second = write_report(run_dir)
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
    assert sorted(os.listdir(run_dir)) == ["report.html", "run.json", "step-0001.png",
                                           "steps.jsonl"]
    assert Page(first).steps == Page(second.read_text(encoding="utf-8")).steps


def test_main_report_rebuilds_and_prints_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = make_run(tmp_path, [click_step(1)], finish=FINISHED)
    assert main_report(run_dir) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "report.html")
    assert (run_dir / "report.html").is_file()


@pytest.mark.parametrize(("run_json", "message"), [  # every case: tests/rundir/test_reader.py
    (None, "somewhere is not a run directory: it has no run.json"),
    ("{not json", "run.json: not JSON"),
    ('{"name": "some other tool"}', "run.json: no schema_version: not a planground run record"),
])
def test_main_report_on_something_else_is_a_usage_error(
    tmp_path: Path, run_json: str | None, message: str
) -> None:
    target = tmp_path / "somewhere"
    target.mkdir()
    if run_json is not None:
        (target / "run.json").write_text(run_json)
    with pytest.raises(UsageError, match=message) as info:
        main_report(target)
    assert info.value.exit_code == 2
    assert os.listdir(target) == ([] if run_json is None else ["run.json"])  # no report.html
