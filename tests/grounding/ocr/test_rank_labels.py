"""Labels people name fields and options by, from the seventh blind trial: a hint in brackets
after a label, a range written with spaces around its dash, a box next to an option's text
(agent/grounding/ocr/labels.py, narrow.py, textmatch.py)."""

from __future__ import annotations

import pytest
from PIL import ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.textmatch import runs, similarity
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words

# A moving quote's three fields, labels above: "Moving from (postcode)", "Moving to (postcode)",
# "Moving date" (the finder gave each field its label).
LABELS = ((40, "Moving from (postcode)"), (440, "Moving to (postcode)"), (840, "Moving date"))
ROW = [(Widget("field", (x, 230, x + 380, 270), text, (x, 200, x + 9 * len(text), 216)),
        words(200, x, text)) for x, text in LABELS]
FIELDS = [field for field, _ in ROW]
READ = [word for _, line in ROW for word in line]


@pytest.mark.parametrize(("description", "index"), [
    ("the Moving to field", 1), ("the Moving from field", 0), ("the Moving date field", 2),
    ("the Moving to (postcode) field", 1)])
def test_a_label_is_named_without_its_hint_in_brackets(description: str, index: int) -> None:
    """"Moving to" is the whole label of "Moving to (postcode)", and "Moving date", only 0.8
    alike, labels another field: not a rival, and never the field answered."""
    found = ground(description, READ, FIELDS)
    assert inside(found.point, FIELDS[index].box), found


def test_a_label_with_a_unit_in_brackets_is_all_of_its_text() -> None:
    """"Amount (£)" is named "Amount" in full; "Amount due" holds the word but says more."""
    amount = Widget("field", (400, 500, 600, 536), "Amount (£)", (400, 470, 490, 486))
    due = Widget("field", (700, 500, 900, 536), "Amount due", (700, 470, 790, 486))
    read = [*words(470, 400, "Amount (£)"), *words(470, 700, "Amount due")]
    found = ground("the Amount field", read, [amount, due])
    assert inside(found.point, amount.box)


def test_a_range_with_spaces_around_its_dash_is_the_same_text() -> None:
    assert similarity("8am-10am", "8am - 10am") == 1.0
    assert similarity("8am-10am", "8am - 11am") < 0.8
    slots = [Widget("radio", (x, 300, x + 16, 316), "8am-10am £4.50", (x + 24, 300, x + 150, 316))
             for x in (100, 400)]
    read = [*words(200, 100, "Wed 15 Jul"), *words(200, 400, "Thu 16 Jul"),
            *words(300, 124, "8am-10am £4.50"), *words(300, 424, "8am-10am £4.50")]
    found = ground("the 8am - 10am slot under Thu 16 Jul", read, slots)
    assert found.kind == "radio" and 400 <= found.point[0] <= 550  # the mark or its text


def test_the_box_next_to_an_options_text_is_the_field_beside_it_not_the_option() -> None:
    """A print dialog's "( ) Custom [e.g. 1-3, 5]": "the box next to Custom" is the field; the
    radio button Custom labels is Custom itself."""
    custom = Widget("radio", (300, 400, 316, 416), "Custom", (324, 400, 378, 416))
    pages = Widget("field", (400, 394, 560, 422), "e.g. 1-3, 5", (410, 400, 500, 416))
    read = [*words(400, 324, "Custom"), *words(400, 410, "e.g. 1-3, 5")]
    found = ground("the box next to Custom", read, [custom, pages])
    assert found.kind == "field" and inside(found.point, pages.box)
    checkbox = ground("the checkbox next to Custom", read,
                      [Widget("checkbox", custom.box, "Custom", custom.text_box), pages])
    assert checkbox.kind == "checkbox" and inside(checkbox.point, custom.box)


def test_a_field_whose_label_differs_by_more_than_a_letter_is_not_taken_for_it() -> None:
    """With the Moving to field not found at all, its label does not name its neighbour."""
    with pytest.raises(GroundingError):
        found = ground("the Moving to field", READ, [FIELDS[0], FIELDS[2]])
        assert not inside(found.point, FIELDS[2].box), found


def test_a_labels_hint_in_brackets_is_drawn_with_it() -> None:
    """"Size (EU)" is named "Size" in full, and the label's box still holds "(EU)": a field
    guessed from the ink right of the label must not start on the hint (at 150% it tied with
    the drop-down under the label)."""
    read = [OcrWord("Size", (136, 384, 189, 402), (1,)),
            OcrWord("(EU)", (201, 384, 254, 405), (1,))]
    (label,) = [run for run in runs(read, "size") if run.similarity == 1.0]
    assert label.whole and label.text == "Size" and label.box == (136, 384, 254, 405)


def test_a_field_is_named_by_what_follows_it_on_its_row() -> None:
    """The twenty-second trial's password policy: "Lock account after [ ] failed attempts",
    then "Lockout duration [15] minutes": "the failed attempts field" and "the minutes field"
    are the fields those words follow; a text with no field just before it is no field's."""
    read = [*words(100, 20, "Lock account after", key=1),
            *words(100, 290, "failed attempts", key=2),
            *words(100, 460, "Lockout duration", key=3), *words(100, 710, "minutes", key=4),
            *words(200, 20, "Email admins when locked", key=5)]
    lock = Widget("field", (190, 94, 280, 122), "Lock account after", (20, 100, 182, 116))
    duration = Widget("field", (610, 94, 700, 122), "Lockout duration", (460, 100, 604, 116))
    fields = [lock, duration]
    assert inside(ground("the failed attempts field", read, fields).point, lock.box)
    assert inside(ground("the minutes field", read, fields).point, duration.box)
    with pytest.raises(GroundingError):
        ground("the Email admins field", read, fields)


def test_a_drop_down_that_looks_like_a_button_is_its_labels_and_never_a_link() -> None:
    """The twenty-first trial's bulky waste form at 150%: "Collection date" beside GOV.UK's
    grey <select> (found as a button: "Choose a date" in its middle), and in the side bar a
    link wrapped as "Cancel a" over "collection": the drop-down is the select, and never the
    link."""
    read = [*words(700, 120, "Collection date", key=1), *words(400, 1300, "collection", key=2)]
    select = Widget("button", (330, 690, 540, 736), "Choose a date", (360, 703, 500, 721))
    link = Widget("link", (1300, 400, 1390, 416), "collection", (1300, 400, 1390, 416))
    assert inside(ground("the Collection date drop-down", read, [select, link]).point,
                  select.box)
    with pytest.raises(GroundingError):  # no select at all: an error, not the link
        ground("the Collection date drop-down", read, [link])


def test_a_drop_down_with_no_choice_read_under_its_label_beside_another_field() -> None:
    """The forty-first trial's medicine round: "Reason not given" over a grey <select> showing
    "—" (a button with no text read), and right of it on its row the Witness field, which
    has its own label: the drop-down is the select."""
    read = [*words(420, 252, "Reason not given", key=1, char=7, height=12),
            *words(421, 484, "Witness (controlled drugs)", key=2, char=7, height=12)]
    select = Widget("button", (251, 435, 461, 467))
    witness = Widget("field", (483, 437, 693, 467), "Witness (controlled drugs)",
                     (484, 421, 653, 434))
    assert inside(ground('the "Reason not given" drop-down', read, [select, witness]).point,
                  select.box)


def test_a_heading_over_a_sentence_labels_no_pill_button_under_them() -> None:
    """The fiftieth trial's timesheets: a heading "Subcontractor timesheets" (its words read
    apart), a sentence under it, then the weeks' pill buttons; the page's Subcontractor
    drop-down stands at the right. The heading's word took the first pill for a drop-down
    (an ambiguity; with the drop-down not found, a click on the week)."""
    read = [*words(68, 25, "Subcontractor", key=1, height=12),
            *words(68, 172, "timesheets", key=2, height=12),
            *words(88, 25, "Enter hours worked on site per day.", key=3, height=12),
            *words(54, 758, "Subcontractor", key=4, height=10)]
    weeks = [Widget("button", (24 + 120 * k, 112, 132 + 120 * k, 139), f"w/c {3 + 7 * k} March",
                    (39 + 120 * k, 119, 117 + 120 * k, 131)) for k in range(3)]
    select = Widget("field", (757, 70, 997, 102), "Subcontractor", (758, 54, 849, 64))
    assert inside(ground('the "Subcontractor" drop-down', read, [*weeks, select]).point,
                  select.box)
    with pytest.raises(GroundingError):  # the drop-down not found: an error, not a week
        ground('the "Subcontractor" drop-down', read, weeks)


def test_a_status_pill_under_a_column_heading_is_no_drop_down() -> None:
    """The sixteenth trial's asset register: "the Status drop-down" beside its label, and a
    table's Status heading over a small "In use" pill (a button): the pill is no drop-down."""
    read = [*words(100, 400, "Status", key=1), *words(200, 1040, "Status", key=2),
            *words(240, 1050, "In use", key=3)]
    select = Widget("field", (460, 92, 580, 122), "Status", (400, 100, 454, 116))
    pill = Widget("button", (1040, 234, 1094, 256), "In use", (1050, 240, 1086, 252))
    assert inside(ground("the Status drop-down", read, [select, pill]).point, select.box)


def test_a_field_at_the_far_end_of_its_labels_row_with_nothing_between_is_its() -> None:
    """The forty-ninth trial's fuel panel: "Extra fuel" at the left, its small box at the
    right end of the row 40 text heights on, between rows of figures; typing went to a
    field guessed under the label (on the next row's "Block fuel")."""
    box = Widget("field", (531, 280, 621, 306))
    read = [*words(160, 44, "Taxi"), *words(160, 590, "200"),
            *words(287, 44, "Extra fuel"), *words(317, 44, "Block fuel"),
            *words(317, 580, "5 447")]
    found = ground("the Extra fuel field", read, [box])
    assert found.kind == "field" and inside(found.point, box.box)
    with pytest.raises(GroundingError):  # a figure between: the box is not the label's
        ground("the Extra fuel field", [*read, *words(287, 300, "1 060")], [box])
    panels = SCREEN.copy()  # two panels side by side: the box is the other panel's
    ImageDraw.Draw(panels).line((400, 100, 400, 400), fill="#d0d0d0", width=1)
    with pytest.raises(GroundingError):
        ground("the Extra fuel field", read, [box], panels)


def test_a_label_over_the_hint_the_finder_took_for_the_fields_label_names_the_field() -> None:
    """The thirtieth trial's insurance claim at 150%: "Crime reference number", its hint
    "If you have one" under it, then the field, which the finder labelled with the hint. The
    answer was a point guessed on the hint's words; it is the field."""
    field = Widget("field", (623, 778, 953, 831), "If you have one", (625, 749, 773, 768))
    read = [*words(720, 624, "Crime reference number", height=17),
            *words(749, 625, "If you have one", height=15)]
    page = SCREEN.copy()
    draw = ImageDraw.Draw(page)
    draw.rectangle((630, 724, 900, 733), fill="#222222")  # the label's ink
    draw.rectangle((630, 753, 760, 762), fill="#6f6f6f")  # the hint's, lighter
    found = ground('the "Crime reference number" field', read, [field], page)
    assert found.kind == "field" and inside(found.point, field.box)
    draw.rectangle((630, 753, 760, 762), fill="#222222")  # a heading over a field's label
    with pytest.raises(GroundingError):
        ground('the "Crime reference number" field', read, [field], page)


@pytest.mark.parametrize("button_read", [True, False])
def test_a_search_box_of_two_fields_alike_is_the_one_a_search_button_follows(
        button_read: bool) -> None:
    """The forty-eighth trial's microchip registry: a search card's field (its placeholder
    "Chip number", a Search button after it) and a register form's field labelled Chip number:
    "the Chip number search box" is the first; "the Chip number field" either (an error)."""
    read = [*words(162, 48, "Chip number", key=1), *words(143, 1048, "Chip number", key=2)]
    search = Widget("field", (41, 155, 910, 185), "Chip number", (48, 162, 147, 178))
    register = Widget("field", (1048, 174, 1878, 204), "Chip number", (1048, 143, 1147, 159))
    button = Widget("button", (918, 155, 1002, 185), "Search", (936, 164, 984, 176))
    if button_read:
        read += words(164, 936, "Search", key=3, height=12)
    found = ground("the Chip number search box", read, [search, register, button])
    assert inside(found.point, search.box)
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the Chip number field", read, [search, register, button])


def test_a_search_box_named_by_what_it_searches_is_the_field_saying_search_that() -> None:
    """The ninety-seventh trial's "the student search box": the field's placeholder says
    "Search students by name or ID", the table under it heads a column STUDENT."""
    read = [*words(178, 34, "Search students by name or ID", key=1),
            *words(226, 44, "STUDENT", key=2), *words(226, 276, "ID", key=2)]
    search = Widget("field", (24, 171, 324, 201), "Search students by name or ID",
                    (34, 178, 250, 194))
    found = ground("the student search box", read, [search])
    assert inside(found.point, search.box)


def test_a_label_whose_box_reaches_into_its_small_field_below_still_names_it() -> None:
    """The fifty-ninth trial's "the Copies field" at 150%: tesseract's box for "Copies" took
    in the top border of the small field 3 px under it and ended inside the field."""
    read = [OcrWord("Copies", (608.0, 521.0, 680.0, 558.0), (1,)),
            OcrWord("1", (623.0, 563.0, 632.0, 578.0), (2,))]
    field = Widget("field", (607, 549, 713, 593), "1", (623, 563, 632, 578))
    found = ground("the Copies field", read, [field])
    assert found.kind == "field" and inside(found.point, field.box)
