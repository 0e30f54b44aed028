"""`--approve risky` also reads the screen under the point: "the red button" that says Delete."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from actions import Click
from agent.records import GroundingRecord
from agent.run.grounding import text_under
from agent.safety.approval import Proposal, TerminalApprover
from agent.screen import Screenshot
from tests.grounding.ocr.test_ocr import FONT


def screen_with_buttons() -> Screenshot:
    image = Image.new("RGB", (800, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 18)
    for left, label in ((100, "Delete account"), (500, "Open settings")):
        draw.rectangle((left, 120, left + 180, 160), outline="black", fill="#eeeeee")
        draw.text((left + 14, 130), label, fill="black", font=font)
    return Screenshot.from_image(image)


def proposal(shot: Screenshot, x: float, description: str) -> Proposal:
    grounding = [GroundingRecord(argument="target", target=description, raw=None,
                                 point=(x, 140.0), screen_point=(int(x), 140))]
    return Proposal(1, "", "", Click(target=description), grounding,
                    text_under=lambda: text_under(shot, grounding))


def test_the_text_under_the_point_is_read(tesseract: None) -> None:
    shot = screen_with_buttons()
    assert "Delete" in text_under(shot, proposal(shot, 190, "x").grounding)
    assert "Delete" not in text_under(shot, proposal(shot, 590, "x").grounding)


def test_risky_asks_when_the_screen_under_an_innocent_description_says_delete(
    tesseract: None,
) -> None:
    shot = screen_with_buttons()
    said: list[str] = []
    answers = io.StringIO("n not that one\n")
    approver = TerminalApprover("risky", stdin=answers, say=said.append)
    decision = approver.review(proposal(shot, 190, "the red button"))
    assert decision is not None and decision.decision == "rejected"
    assert any("the screen there says 'delete'" in line for line in said)
    # The same description over "Open settings" is not risky: nobody is asked.
    assert approver.review(proposal(shot, 590, "the red button")) is None
