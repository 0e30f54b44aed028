"""The eleventh blind trial's fixes: a button named by the card it stands on (cards.py), a
file's coloured icon that is no checkbox, a switch whose knob stands taller than its track, and
a grid's column header that does not reach marks far below it (widgets_marks.py, labels.py)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.candidate import centre
from agent.grounding.ocr.cards import card_around
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import Analysis, ground_in
from tests.grounding.ocr.test_rank import Widget, inside, words
from tests.grounding.ocr.test_widgets import Canvas, of_kind

PAGE = "#f1f3f4"


def cards_page() -> tuple[Image.Image, list[OcrWord], dict[str, Widget]]:
    """Four white reward cards on a grey page, two by two, each titled, each with its own
    Select button at the foot: the button of one card is right below another's title too."""
    image = Image.new("RGB", (1000, 700), PAGE)
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = {}
    for index, title in enumerate(("No reward", "Early bird", "Standard", "Double pack")):
        left, top = 40 + 460 * (index % 2), 40 + 300 * (index // 2)
        draw.rounded_rectangle((left, top, left + 440, top + 280), radius=8, fill="white")
        read += words(top + 20, left + 20, title, key=10 + index)
        read += words(top + 60, left + 20, "Pledge and get a lamp", key=20 + index)
        buttons[title] = Widget("button", (left + 20, top + 220, left + 120, top + 256),
                                "Select")
    return image, read, buttons


def test_a_card_is_the_ground_around_its_title_up_to_the_page() -> None:
    image, _read, _buttons = cards_page()
    assert card_around(image, (520.0, 60.0, 600.0, 76.0)) == (500.0, 40.0, 941.0, 321.0)
    assert card_around(Image.new("RGB", (1000, 700), "white"), (520.0, 60.0, 600.0, 76.0)) \
        is None  # one ground all over: no card


def test_a_button_on_a_card_named_by_its_title_is_that_cards() -> None:
    image, read, buttons = cards_page()
    for title, button in buttons.items():
        found = ground_in(Analysis(read, list(buttons.values()), 0.0), image,
                          f'the "Select" button on the {title} card').best
        assert inside(found.point, button.box), title


def test_a_files_coloured_icon_is_no_checkbox_beside_the_rows_checkbox() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 34, 34))  # the row's checkbox
    canvas.draw.rounded_rectangle((50, 18, 68, 36), radius=3, fill="#e53935")  # the file icon
    canvas.text(80, 18, "Invoice_0412.pdf")
    canvas.box((20, 60, 32, 72), fill="#4a6984", border="#828282")  # ttk's ticked box
    canvas.text(44, 58, "Subscribe")
    marks = [centre(w.box) for w in of_kind(canvas.find(), "checkbox")]
    assert [(round(x), round(y)) for x, y in marks] == [(28, 28), (26, 66)]


def test_a_switch_whose_knob_is_taller_than_its_track_is_a_checkbox() -> None:
    """Material's switch: a 14-px track, a 20-px knob at the end it is switched to."""
    canvas = Canvas()
    canvas.text(20, 40, "Dark Reader")
    canvas.draw.rounded_rectangle((600, 43, 634, 57), radius=7, fill="#8ab4f8")
    canvas.draw.ellipse((616, 40, 636, 60), fill="#1a73e8")
    switches = of_kind(canvas.find(), "checkbox")
    assert [(round(x), round(y)) for x, y in map(centre, (w.box for w in switches))] \
        == [(618, 50)]


def test_a_text_far_above_a_column_of_switches_is_not_their_header() -> None:
    """"Developer mode" at the top right, its own switch not found, a card's switch far below
    in its column: no grid, so no answer (an error, not that other switch)."""
    read = [*words(20, 800, "Developer mode", key=1)]
    analysis = Analysis(read, [Widget("checkbox", (820, 300, 858, 323))], 0.0)
    image = Image.new("RGB", (1000, 800), "white")
    with pytest.raises(GroundingError, match="developer mode"):
        ground_in(analysis, image, 'the "Developer mode" switch')


def test_a_drop_down_reading_choose_with_an_ellipsis_is_a_field_not_a_notice() -> None:
    """"Choose..." ends with dots but is no sentence: the <select> is a field its label names."""
    canvas = Canvas()
    canvas.text(40, 20, "Product type")
    canvas.box((40, 44, 330, 78))
    canvas.text(54, 52, "Choose...")
    canvas.draw.line((306, 58, 311, 63, 316, 58), fill="#222222", width=2)  # the chevron
    fields = of_kind(canvas.find(), "field")
    assert [(w.text, w.box[1] // 10) for w in fields] == [("Product type", 4)]
