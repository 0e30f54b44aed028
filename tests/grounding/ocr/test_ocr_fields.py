"""From a label to its field (agent/grounding/ocr/fields.py), on drawn images: beside, below,
inside."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.grounding.ocr.fields import field_point, underlined_field, wants_field

WINDOW = "#d9d9d9"  # Tk's default background


def form(*boxes: tuple[int, int, int, int]) -> Image.Image:
    """A window with white, dark-bordered boxes (entries) at `boxes`."""
    image = Image.new("RGB", (420, 160), WINDOW)
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle(box, fill="white", outline="#7f7f7f")
    return image


def inside(point: tuple[float, float] | None, box: tuple[int, int, int, int]) -> bool:
    return point is not None and box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


@pytest.mark.parametrize(("description", "wanted"), [
    ("the Name field", True),
    ("the Notes text area", True),
    ("the search box", True),
    ("the Email input", True),
    ('the "Search box" button', False),  # quoted text is what the screen says, not a kind
    ("the Save button", False),
    ("Booked", False),
])
def test_wants_field(description: str, wanted: bool) -> None:
    assert wants_field(description) is wanted


def test_a_field_beside_its_label() -> None:
    entry = (120, 36, 380, 62)
    point = field_point(form(entry), (12.0, 41.0, 52.0, 57.0))
    assert inside(point, entry), point


def test_a_field_below_its_label() -> None:
    entry = (10, 40, 300, 140)
    point = field_point(form(entry), (12.0, 12.0, 60.0, 28.0))
    assert inside(point, entry), point


def test_a_filled_button_or_the_next_rows_label_below_a_label_is_no_field() -> None:
    """The forty-ninth trial's dispatch release: below a label, a coloured button's top (its
    "Sign release") or a rule between two rows over the next row's label ("Block fuel") passed
    for a field's top: a field is light and blank under its top border."""
    button = form()
    ImageDraw.Draw(button).rounded_rectangle((10, 40, 150, 74), 8, fill="#f26a1b")
    assert field_point(button, (12.0, 12.0, 60.0, 28.0)) is None
    rows = form()
    draw = ImageDraw.Draw(rows)
    draw.line((10, 40, 400, 40), fill="#7f7f7f")
    draw.rectangle((12, 42, 13, 56), fill="#222222")  # the next label's "B", then its "lock"
    draw.rectangle((20, 42, 60, 56), fill="#222222")
    assert field_point(rows, (12.0, 12.0, 60.0, 28.0)) is None


def test_text_inside_a_box_is_already_in_the_field() -> None:
    """A placeholder ("Search…") is inside its field: the text is the answer."""
    entry = (100, 30, 400, 66)
    point = field_point(form(entry), (108.0, 40.0, 170.0, 56.0))
    assert point == (139.0, 48.0) and inside(point, entry)


def test_a_label_at_the_window_edge_still_has_its_field() -> None:
    """The window's own edge just left of the label is not a box the label is inside."""
    entry = (120, 36, 380, 62)
    image = form(entry)
    ImageDraw.Draw(image).rectangle((0, 0, 9, 159), fill="black")  # the desktop beyond
    point = field_point(image, (14.0, 41.0, 60.0, 57.0))
    assert inside(point, entry), point


def test_no_field_near_the_label() -> None:
    assert field_point(form(), (12.0, 41.0, 52.0, 57.0)) is None
    assert field_point(form((12, 130, 100, 150)), (12.0, 41.0, 52.0, 57.0)) is None  # too far


def test_the_next_word_on_the_row_is_not_a_field() -> None:
    """Another label's glyphs to the right do not span the row's height like a box side."""
    image = form()
    ImageDraw.Draw(image).text((150, 44), "(optional)", fill="black")
    assert field_point(image, (12.0, 41.0, 52.0, 57.0)) is None


@pytest.mark.parametrize(("ink", "line_end", "dash", "field"), [
    ("#757575", 780, 0, True),  # a grey placeholder over a line to the panel's edge: a field
    ("#222222", 780, 0, False),  # dark text over a rule: a heading
    ("#757575", 190, 0, False),  # a line that ends with the text: an underline
    # the fortieth trial's "Add tag" field: its bottom border dashed (4 px on, 2 off)
    ("#757575", 780, 2, True),
    ("#757575", 190, 2, False),
    ("#757575", 780, 8, False),  # dots far apart: no line
])
def test_a_placeholder_over_a_line_is_a_field_framed_by_that_line(
        ink: str, line_end: int, dash: int, field: bool) -> None:
    """The fourth trial's post title: "Add title" in a field with only a bottom border."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(100, 190, 10):  # letters 20 px tall, drawn as strokes
        draw.rectangle((x, 40, x + 5, 60), fill=ink)
    draw.line((98, 68, line_end, 68), fill="#dddddd")
    for x in range(102, line_end, 4 + dash) if dash else ():
        draw.line((x, 68, x + dash - 1, 68), fill="white")
    found = underlined_field(image, (100, 40, 190, 61))
    assert (found is not None) is field
    if found is not None:
        assert found[0] <= 100 and found[2] > 400 and found[3] == 68


def test_a_labels_line_that_is_a_boxs_top_is_no_underline_field() -> None:
    """The forty-first trial's "Reason not given" over a drop-down whose top border starts
    under the label's first letter: the label is no placeholder of a field under a line."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(100, 190, 10):
        draw.rectangle((x, 40, x + 5, 60), fill="#757575")
    draw.rectangle((98, 68, 400, 100), outline="#767676")  # the drop-down's box
    assert underlined_field(image, (100, 40, 190, 61)) is None


def test_a_tables_column_heading_over_the_header_rule_is_no_underlined_field() -> None:
    """The fifty-fourth trial's work in progress table: a grey "Write-off (£)" heading over the
    rule under the table's header, which runs on from the table's left side: no field's
    bottom border, whose line starts where its placeholder does (a click in the header)."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(600, 690, 10):
        draw.rectangle((x, 40, x + 5, 60), fill="#757575")
    draw.line((20, 68, 890, 68), fill="#dddddd")  # the header's rule, the table's width
    assert underlined_field(image, (600, 40, 690, 61)) is None
    draw.line((20, 68, 590, 68), fill="white")  # the line from the text's left edge only
    assert underlined_field(image, (600, 40, 690, 61)) is not None


def test_a_first_column_heading_with_the_next_heading_over_its_rule_is_no_field() -> None:
    """The ninety-seventh trial's residents table: a grey "STUDENT" heading a few pixels in
    from the rule under the header, "ID" over the same rule further on: no placeholder,
    which stands alone on its field's line (the heading was typed into, silently)."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(100, 190, 10):
        draw.rectangle((x, 40, x + 5, 60), fill="#757575")
    draw.line((92, 68, 890, 68), fill="#dddddd")  # the header's rule, from near the text
    assert underlined_field(image, (100, 40, 190, 61)) is not None  # (alone: a field's)
    draw.rectangle((360, 40, 365, 60), fill="#757575")  # the next heading, "ID"
    assert underlined_field(image, (100, 40, 190, 61)) is None


def test_the_screens_own_edge_is_no_fields_side() -> None:
    """The sixteenth trial's "the Buddy field" at 100%: its field not found, the search
    right of the label met the screenshot's last column (a black line) and answered a point
    past the screen's edge; the one typing went nowhere."""
    image = form()
    ImageDraw.Draw(image).line((419, 0, 419, 159), fill="black")
    assert field_point(image, (300.0, 41.0, 350.0, 57.0)) is None
    entry = (120, 36, 380, 62)  # a field there is still found
    assert inside(field_point(form(entry), (12.0, 41.0, 52.0, 57.0)), entry)


def test_a_dialogs_edge_is_no_fields_side() -> None:
    """The twenty-fourth trial's recurrence dialog: "the field next to occurrences", its grey
    field (left of the word) not found; the search right of the word met the white dialog's
    edge over the dimmed calendar and clicked the calendar. Beyond a field's side its inside
    ends above and below, as beyond a dialog's edge the page does not."""
    image = Image.new("RGB", (600, 200), (170, 170, 170))  # the dimmed page
    ImageDraw.Draw(image).rectangle((0, 0, 399, 199), fill="white")  # the dialog
    assert field_point(image, (300.0, 91.0, 380.0, 103.0)) is None
    entry = (120, 84, 380, 110)  # a field there is still found
    ImageDraw.Draw(image).rectangle(entry, outline="#767676")
    assert inside(field_point(image, (12.0, 91.0, 52.0, 103.0)), entry)
