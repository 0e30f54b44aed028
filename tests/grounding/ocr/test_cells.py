"""A widget in a table named by its row and its column (agent/grounding/ocr/ground.py's
`_in_cell`), a label holding a relation's word, and no field guessed on the next word."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.candidate import Candidate
from agent.grounding.ocr.columns import headed
from agent.grounding.ocr.describe import TEXT
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.fields import field_point
from agent.grounding.ocr.grounder import Analysis, ground_in
from agent.grounding.ocr.rank import Ambiguous, Decision
from agent.grounding.ocr.rows import one_row
from tests.grounding.ocr.test_rank import SCREEN, Widget, inside, words

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
PROJECTS = ("Website redesign", "Mobile app", "Internal meetings")


def decision(description: str, read: list[OcrWord], widgets: list[Widget],
             image: Image.Image = SCREEN) -> Decision:
    return ground_in(Analysis(read, list(widgets), 0.0), image, description)


def timesheet() -> tuple[list[OcrWord], dict[tuple[str, str], Widget]]:
    """The ninth blind trial's timesheet: a day per column, a project per row, a field in
    each cell; only the first row's fields stand right under their headings."""
    read = [*words(100, 40, "Project", key=1)]
    read += [w for i, day in enumerate(DAYS) for w in words(100, 300 + 120 * i, day, key=2 + i)]
    cells = {}
    for row, project in enumerate(PROJECTS):
        y = 140 + 50 * row
        read += words(y + 6, 40, project, key=10 + row)
        for i, day in enumerate(DAYS):
            cells[project, day] = Widget("field", (300 + 120 * i, y, 370 + 120 * i, y + 30))
    return read, cells


@pytest.mark.parametrize(("description", "project", "day"), [
    ("the Fri field in the Internal meetings row", "Internal meetings", "Fri"),
    ("the Wed field in the Mobile app row", "Mobile app", "Wed"),
    ("the Tue field in the Website redesign row", "Website redesign", "Tue"),
])
def test_a_field_named_by_its_column_heading_and_its_row(description: str, project: str,
                                                         day: str) -> None:
    read, cells = timesheet()
    found = decision(description, read, list(cells.values())).best
    assert inside(found.point, cells[project, day].box)


def prints() -> tuple[list[OcrWord], list[Widget]]:
    """The trial's photo print order: a size and a price per row, a quantity field last."""
    read = [*words(100, 40, "Size", key=1), *words(100, 400, "Price each", key=2),
            *words(100, 800, "Quantity", key=3)]
    fields = []
    for row, (size, price) in enumerate((("6x4 in", "£0.15"), ("7x5 in", "£0.35"),
                                         ("10x8 in", "£1.50"))):
        y = 140 + 50 * row
        read += [*words(y + 6, 40, size, key=10 + row), *words(y + 6, 400, price, key=20 + row)]
        fields.append(Widget("field", (800, y, 880, y + 30)))
    return read, fields


def test_a_field_named_by_its_row_and_its_column_in_one_phrase() -> None:
    read, fields = prints()
    assert inside(decision("the 10x8 quantity field", read, fields).best.point, fields[2].box)
    assert inside(decision("the 6x4 quantity field", read, fields).best.point, fields[0].box)


def test_a_radio_named_by_a_time_in_its_row() -> None:
    """"the 10:30 train radio button": no column says "train"; the row with the time holds
    one radio button. With the time in two rows, it is an error."""
    read, radios = [], []
    for row, (departs, arrives) in enumerate((("07:12", "09:48"), ("10:30", "13:15"),
                                               ("14:15", "16:40"))):
        y = 140 + 40 * row
        read += [*words(y, 80, departs, key=10 + row), *words(y, 240, arrives, key=20 + row)]
        radios.append(Widget("radio", (40, y + 2, 52, y + 14)))
    read += words(100, 40, "Choose a new train", key=1)
    found = decision("the 10:30 train radio button", read, radios).best
    assert inside(found.point, radios[1].box)
    read += words(220, 240, "10:30", key=30)  # an arrival at 10:30 too, in another row
    radios.append(Widget("radio", (40, 222, 52, 234)))
    with pytest.raises(GroundingError):
        decision("the 10:30 train radio button", read, radios)


def test_a_label_holding_a_relations_word_is_the_label() -> None:
    """"the Store events near me checkbox": no "me" on the screen; the label says it all."""
    read = [*words(200, 70, "Store events near me", key=1), *words(240, 70, "Newsletter", key=2)]
    boxes = [Widget("checkbox", (40, 200, 56, 216)), Widget("checkbox", (40, 240, 56, 256))]
    assert inside(decision("the Store events near me checkbox", read, boxes).best.point,
                  boxes[0].box)


def test_a_label_holding_small_words_is_the_whole_label() -> None:
    """"the Remember me on this computer checkbox": the text before the kind stops at "this"
    ("Type Ada into the Name field" means the Name field), and "computer" alone was another
    checkbox's whole label; the label that says every word is the one meant."""
    read = [*words(200, 70, "Remember me on this computer", key=1),
            *words(240, 70, "Computer", key=2)]
    boxes = [Widget("checkbox", (40, 200, 56, 216)), Widget("checkbox", (40, 240, 56, 256))]
    found = decision("the Remember me on this computer checkbox", read, boxes).best
    assert inside(found.point, boxes[0].box)
    found = decision("Tick the I agree to the terms checkbox",
                     [*words(200, 70, "I agree to the terms", key=1),
                      *words(240, 70, "Terms", key=2)], boxes).best
    assert inside(found.point, boxes[0].box)


def test_the_element_next_to_a_named_field_is_not_that_field() -> None:
    """The fifty-third trial's bill of materials: "the Add button next to the Part number field"
    read as if it named no relation is "the Part number field": no label holds "Add", so that
    reading is no answer (it was: a click into the field, not on Add)."""
    read = [*words(460, 300, "Part number", key=1), *words(460, 620, "Add", key=2)]
    part = Widget("field", (431, 454, 599, 482), "Part number", (300, 460, 399, 476))
    add = Widget("button", (609, 454, 666, 482), "Add", (620, 460, 647, 476))
    found = decision("the Add button next to the Part number field", read, [part, add]).best
    assert inside(found.point, add.box)


def test_the_letters_after_a_label_are_no_field_beside_it() -> None:
    """The trial's "6x4 in" in a table cell: OCR's box for "6x4" ended before the 4's last
    columns, whose ink was taken for the background, and the white after it for a box side:
    the text "in" was typed into. Neither that nor "in" itself is a field."""
    image = Image.new("RGB", (600, 80), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    ImageDraw.Draw(image).text((20, 24), "6x4 in", font=font, fill="#222222")
    left, top, right, bottom = image.convert("L").point(lambda v: v < 128 and 255).getbbox() \
        or (0, 0, 0, 0)
    four_ends = next(x for x in range(left + 20, right) if not any(
        image.getpixel((x, y))[0] < 200 for y in range(top, bottom)))  # type: ignore[index]
    label = (float(left), float(top), float(four_ends - 4), float(bottom))  # cut short
    word_in = (float(four_ends + 4), float(top), float(right), float(bottom))
    assert field_point(image, label, [word_in]) is None


def test_a_field_whose_own_text_is_inside_it_is_labelled_by_the_text_above() -> None:
    """The trial's webinar form: the finder gave the drop-down its own "Select one"; that is
    no label, so "How did you hear about us?" above labels it (it had been answered with a
    point on the label's own word "about")."""
    read = [*words(293, 536, "How did you hear about us?", key=1),
            *words(322, 549, "Select one", key=2)]
    dropdown = Widget("field", (535, 311, 977, 347), "Select one", (549, 322, 627, 338))
    found = decision("the How did you hear about us? dropdown", read, [dropdown]).best
    assert found.kind == "field" and inside(found.point, dropdown.box)


def test_a_row_named_with_a_comma_and_a_kinds_word() -> None:
    """The tenth trial's stock count: "in the Cardboard box, large row" names a row by its
    item ("box" no kind, "large" no size), beside a "Cardboard box, small" row."""
    read = [*words(100, 40, "Item", key=1), *words(100, 600, "Counted", key=2)]
    fields = []
    for row, item in enumerate(("Cardboard box, large", "Cardboard box, small",
                                "Packing tape, brown")):
        y = 140 + 50 * row
        read += words(y + 6, 40, item, key=10 + row)
        fields.append(Widget("field", (600, y, 700, y + 30)))
    found = decision("the Counted field in the Cardboard box, large row", read, fields).best
    assert inside(found.point, fields[0].box)
    found = decision("the Counted field in the Packing tape, brown row", read, fields).best
    assert inside(found.point, fields[2].box)


def test_a_checkbox_under_a_heading_stacked_on_lines_in_a_named_row() -> None:
    """A poll's columns headed "Wed" over "15 Oct" over "10:00", centred (each header line
    read as one line across all columns: no wrapped label), answers under them, a checkbox
    per column in the row whose field reads "Your name" (the twelfth blind trial)."""
    read: list[OcrWord] = []
    for line, texts in enumerate((("Tue", "Wed", "Thu"), ("14 Oct", "15 Oct", "16 Oct"),
                                  ("10:00", "10:00", "09:30"))):
        for column, text in enumerate(texts):
            left = 415 + 170 * column - 9 * len(text) // 2  # centred over the column
            read += [OcrWord(w.text, w.box, (900 + line,)) for w in words(40 + 20 * line, left,
                                                                        text)]
    for column, answer in enumerate(("Yes", "No", "Yes")):
        read += words(140, 400 + 170 * column, answer, key=20 + column)
    read += words(200, 70, "Your name", key=30)
    boxes = [Widget("checkbox", (405 + 170 * k, 195, 424 + 170 * k, 214)) for k in range(3)]
    widgets = [Widget("field", (60, 190, 260, 218), "Your name"), *boxes]
    found = decision("the checkbox under Wed 15 Oct in the Your name row", read, widgets).best
    assert inside(found.point, boxes[1].box)


def test_runs_that_match_a_row_about_as_well_name_it_when_they_lie_on_it() -> None:
    """"in the Riverside v Harbour City row", its "v" read "Vv": runs across its cells match
    about as well ("15:00 Riverside Vv Harbour City", "Riverside Vv Harbour City Mill"); all
    on one row, they name it. On two rows, the ambiguity stands."""
    def run(text: str, x: float, y: float, score: float) -> Candidate:
        return Candidate(TEXT, (x, y, x + 9 * len(text), y + 16), text,
                         (x + 4.5 * len(text), y + 8), score, score)

    on_one = [run("15:00 Riverside Vv Harbour City", 100, 200, 0.87),
              run("Riverside Vv Harbour City Mill", 160, 201, 0.89),
              run("Riverside Vv Harbour", 160, 199, 0.86)]
    assert one_row(on_one).text == "Riverside Vv Harbour City Mill"
    with pytest.raises(Ambiguous):
        one_row([*on_one, run("Riverside v Harbour", 160, 260, 0.85)])


def test_a_button_at_the_far_end_of_a_wide_row_is_next_to_the_rows_text() -> None:
    """The fourteenth trial's recent translations: "Use again" at the right end of rows 1,700
    px wide (150 text heights) is "next to" its row's "Thank you very much"."""
    read: list[OcrWord] = []
    links = []
    for row, text in enumerate(("Good morning", "Thank you very much", "Where is the station?")):
        y = 420 + 32 * row
        read += words(y, 170, text, key=10 + row)
        links.append(Widget("link", (1800, y, 1862, y + 12), "Use again"))
    screen = Image.new("RGB", (1920, 1080), "white")
    found = decision('the "Use again" button next to "Thank you very much"', read, links,
                     screen).best
    assert inside(found.point, links[1].box)


def timetable() -> tuple[list[OcrWord], dict[tuple[str, str], Widget]]:
    """The twenty-first trial's eye-test booking: a time per row, a day per column, a Book
    button in each free cell and "Full" in the others."""
    days = ("Tuesday 14 July", "Wednesday 15 July", "Thursday 16 July")
    read = [*words(100, 40, "Time", key=1)]
    read += [w for i, day in enumerate(days) for w in words(100, 300 + 220 * i, day, key=2 + i)]
    full = {("09:30", "Wednesday 15 July"), ("11:00", "Tuesday 14 July"),
            ("14:15", "Thursday 16 July")}
    buttons = {}
    for row, time in enumerate(("09:30", "11:00", "14:15")):
        y = 140 + 40 * row
        read += words(y + 4, 40, time, key=10 + row)
        for i, day in enumerate(days):
            if (time, day) in full:
                read += words(y + 4, 300 + 220 * i, "Full", key=20 + 3 * row + i)
            else:
                buttons[time, day] = Widget("button", (300 + 220 * i, y, 362 + 220 * i, y + 26),
                                            "Book")
    return read, buttons


@pytest.mark.parametrize(("description", "time", "day"), [
    ('the "Book" button in the 11:00 row under Wednesday 15 July', "11:00", "Wednesday 15 July"),
    ("the Book button in the 09:30 row, in the Thursday 16 July column", "09:30",
     "Thursday 16 July"),
    ("the Book button under Tuesday 14 July in the 14:15 row", "14:15", "Tuesday 14 July"),
])
def test_a_button_named_by_its_row_and_its_column_heading(description: str, time: str,
                                                          day: str) -> None:
    read, buttons = timetable()
    found = decision(description, read, list(buttons.values())).best
    assert inside(found.point, buttons[time, day].box)


def test_a_full_cell_has_no_button_to_click() -> None:
    """The cell reads "Full": the row's other Book buttons are not it."""
    read, buttons = timetable()
    with pytest.raises(GroundingError):
        decision("the Book button in the 11:00 row under Tuesday 14 July", read,
                 list(buttons.values()))


def test_a_field_in_a_named_row_under_a_heading_that_labels_the_first_rows() -> None:
    """The twenty-first trial's bulky waste form: the Quantity heading stands right above the
    first row's field (its label, then), the other rows' fields are labelled by the notes
    beside them; "the Quantity field in the Mattress row" is the Mattress row's."""
    read = [*words(100, 40, "Item", key=1), *words(100, 400, "Notes", key=2),
            *words(100, 800, "Quantity", key=3)]
    fields = []
    for row, (item, notes) in enumerate((("Sofa", "Including sofa beds"),
                                         ("Mattress", "Single or double, dry"),
                                         ("Wardrobe", "Flat-packed if possible"))):
        y = 130 + 44 * row
        read += [*words(y + 6, 40, item, key=10 + row), *words(y + 6, 400, notes, key=20 + row)]
        fields.append(Widget("field", (800, y, 872, y + 30), "Quantity" if row == 0 else notes))
    found = decision("the Quantity field in the Mattress row", read, fields).best
    assert inside(found.point, fields[1].box)
    found = decision("the Quantity field in the Sofa row", read, fields).best
    assert inside(found.point, fields[0].box)


def forecast(*, headings_as_links: bool, rows_label_fields: bool
             ) -> tuple[list[OcrWord], list[Widget], dict[tuple[str, str], Widget]]:
    """The twenty-second trial's budget forecast: a quarter per column, its heading flush right
    over its field; grey-blue headings may be taken for links, and a row's name may label the
    field right of it."""
    quarters = ("Q1", "Q2", "Q3", "Q4")
    read = [*words(100, 40, "Budget line", key=1)]
    widgets: list[Widget] = []
    for i, quarter in enumerate(quarters):
        read += words(100, 372 + 200 * i, quarter, key=2 + i)
        if headings_as_links:
            widgets.append(Widget("link", (372 + 200 * i, 100, 390 + 200 * i, 116), quarter))
    cells = {}
    for row, line in enumerate(("Paid search", "Agency fees", "Travel")):
        y = 140 + 44 * row
        read += words(y + 6, 40, line, key=10 + row)
        for i, quarter in enumerate(quarters):
            label = line if rows_label_fields and i == 0 else ("" if row else quarter)
            cells[line, quarter] = Widget("field", (300 + 200 * i, y, 390 + 200 * i, y + 30),
                                          label)
    return read, widgets + list(cells.values()), cells


@pytest.mark.parametrize(("links", "labels"), [(True, False), (False, True), (True, True)])
def test_a_field_under_a_heading_taken_for_a_link_in_a_row_whose_name_labels_a_field(
        links: bool, labels: bool) -> None:
    read, widgets, cells = forecast(headings_as_links=links, rows_label_fields=labels)
    for line, quarter in (("Travel", "Q3"), ("Agency fees", "Q4"), ("Travel", "Q1")):
        found = decision(f"the {quarter} field in the {line} row", read, widgets).best
        assert inside(found.point, cells[line, quarter].box), (line, quarter)


def test_a_field_named_by_its_placeholder_and_a_noun_in_a_named_row() -> None:
    """The twenty-second trial's working hours: "the start time field in the Saturday row",
    whose fields say only "Start" and "End"; a row whose fields say nothing of the kind is
    an error, not a guess."""
    read: list[OcrWord] = []
    fields: dict[tuple[str, str], Widget] = {}
    for row, day in enumerate(("Monday", "Saturday")):
        y = 100 + 40 * row
        read += [*words(y + 6, 60, day, key=10 + row), *words(y + 6, 400, "to", key=20 + row)]
        own = ("Start", "End") if day == "Saturday" else (day, "to")
        for i, (side, text) in enumerate(zip(("start", "end"), own, strict=True)):
            fields[day, side] = Widget("field", (250 + 190 * i, y, 350 + 190 * i, y + 28), text)
    found = decision("the start time field in the Saturday row", read, list(fields.values()))
    assert inside(found.best.point, fields["Saturday", "start"].box)
    found = decision("the end time field in the Saturday row", read, list(fields.values()))
    assert inside(found.best.point, fields["Saturday", "end"].box)
    with pytest.raises(GroundingError):
        decision("the start time field in the Monday row", read, list(fields.values()))


def members() -> tuple[list[OcrWord], dict[str, Widget]]:
    """The fortieth blind trial's channel members: a name per row, each row's role drop-down
    showing its value, a Remove link; no column says "Role". "Created by Ava Sinclair" above
    says a row's name once more."""
    read = [*words(40, 40, "Created by Ava Sinclair on 4 May", key=1)]
    drop_downs = {}
    for row, (name, role) in enumerate((("Ava Sinclair", "Admin"), ("Leo Park", "Member"),
                                        ("Mia Torres", "Member"))):
        y = 100 + 45 * row
        read += words(y + 6, 40, name, key=10 + row)
        read += words(y + 6, 440, role, key=20 + row)
        drop_downs[name] = Widget("field", (430, y, 520, y + 30), role)
    return read, drop_downs


def test_a_row_field_named_by_a_word_the_screen_lacks_is_the_rows_one_of_its_kind() -> None:
    read, drop_downs = members()
    for name, drop_down in drop_downs.items():
        found = decision(f"the role drop-down in the {name} row", read, list(drop_downs.values()))
        assert inside(found.best.point, drop_down.box), name
    # A button is named by its own words: one the screen does not say is not there
    links = [Widget("link", (600, 100 + 45 * row, 660, 130 + 45 * row), "Remove")
             for row in range(3)]
    with pytest.raises(GroundingError, match="refund"):
        decision("the refund link in the Leo Park row", read, [*drop_downs.values(), *links])
    # A word the screen does say (a placeholder's) names something else: no guess
    said = read + words(400, 40, "Add people by name or email", key=40)
    with pytest.raises(GroundingError, match="email"):
        decision("the email field in the Leo Park row", said, list(drop_downs.values()))


def test_an_item_named_with_its_groups_noun_is_the_title_under_that_heading() -> None:
    """The fortieth blind trial's notes app: "the Recipes notebook" is "Recipes" under the
    sidebar's NOTEBOOKS heading, not the note "Recipes to try" beside it."""
    read = [*words(114, 17, "NOTEBOOKS", key=1)]
    for row, name in enumerate(("All notes", "Personal", "Work", "Recipes")):
        read += words(141 + 30 * row, 17, name, key=10 + row)
    read += words(230, 229, "Recipes to try", key=20) + words(60, 229, "Grocery list", key=21)
    found = decision("the Recipes notebook", read, [])
    assert found.best.box[:2] == (17, 231)
    for missing in ("the Grocery notebook", "the pesto notebook"):  # no such item: an error
        with pytest.raises(GroundingError):
            decision(missing, read, [])


def test_a_row_named_like_a_panels_title_is_the_row_holding_the_element() -> None:
    """The forty-first trial's lab results at 150%: "Peter Walsh — HbA1c" titles the side
    panel (its words read apart), and a table row says "Peter Walsh" and "HbA1c" in two cells
    (both read "HbAlc"): the row with a File button is the one meant."""
    read = [*words(113, 1555, "Peter Walsh", key=1), *words(113, 1670, "HbAlc", key=2)]
    buttons = []
    for row, (name, test) in enumerate((("Peter Walsh", "HbAlc"), ("Helen Morgan", "HbAlc"))):
        y = 218 + 38 * row
        read += words(y, 33, name, key=10 + row) + words(y, 276, test, key=20 + row)
        buttons.append(Widget("button", (1136, y - 10, 1204, y + 24), "File"))
    found = decision('the "File" button in the Peter Walsh HbA1c row', read, buttons)
    assert inside(found.best.point, buttons[0].box)


def test_a_row_named_by_cells_out_of_order_is_not_a_title_under_a_heading() -> None:
    """The twenty-third trial's driving tests, again after "the Recipes notebook": "the Book
    button in the Mill Hill 14:32 row" is the row saying 14:32 and Mill Hill, not the Mill
    Hill row under another row's 14:32 taken for a heading."""
    rows = [(287, "14:32", "Wood Green"), (328, "09:40", "Mill Hill"), (369, "14:32", "Mill Hill")]
    read = [w for y, time, centre_name in rows
            for w in (*words(y, 381, time, key=y), *words(y, 495, centre_name, key=y + 1))]
    buttons = [Widget("button", (883, y - 13, 952, y + 13), "Book") for y, *_ in rows]
    found = decision('the "Book" button in the Mill Hill 14:32 row', read, buttons)
    assert inside(found.best.point, buttons[2].box)


def test_a_column_heading_not_read_is_no_word_the_screen_lacks() -> None:
    """The twenty-second trial's scorecard, again after "the role drop-down": "4" over the
    fourth column was not read at first; no radio button of the row is guessed for it (the
    row has five), and the error is one a closer reading of the screen may still resolve."""
    read = [w for i, digit in enumerate("1235") for w in words(164, 1058 + 90 * (i + i // 3),
                                                               digit, key=i)]
    read += words(230, 40, "Communication", key=10)
    radios = [Widget("radio", (1055 + 90 * i, 227, 1070 + 90 * i, 242)) for i in range(5)]
    with pytest.raises(NotOnScreen):
        decision('the radio button in the "4" column of the Communication row', read, radios)


def test_a_checkbox_centred_in_a_column_whose_heading_ends_left_of_it() -> None:
    """The fifty-third trial's crew payroll: "the "Kit fee" checkbox in the Ana Ruiz row",
    its checkbox centred in the column, the heading at the column's left ending before it
    (no heading stood over the checkbox)."""
    read = [*words(100, 40, "Name", key=1), *words(100, 600, "Kit fee", key=1),
            *words(100, 800, "Paid", key=1)]
    boxes: dict[tuple[str, str], Widget] = {}
    for row, name in enumerate(("Sam Whitlock", "Ana Ruiz", "Jonah Pike")):
        y = 140 + 40 * row
        read += words(y, 40, name, key=10 + row)
        boxes[name, "Kit fee"] = Widget("checkbox", (690, y, 706, y + 16))
        boxes[name, "Paid"] = Widget("checkbox", (850, y, 866, y + 16))
    for column in ("Kit fee", "Paid"):
        found = decision(f'the "{column}" checkbox in the Ana Ruiz row', read,
                         list(boxes.values())).best
        assert inside(found.point, boxes["Ana Ruiz", column].box), column


def test_a_rows_button_far_right_under_no_heading_is_no_columns() -> None:
    """The fifty-fourth trial's bank feed: "the category drop-down in the ADOBE row", the
    drop-down under "Category", and far right in the row an Accept button under no heading;
    a side panel's title level with the headings let the button count as Category's too."""
    read = [*words(100, 40, "Description", key=1), *words(100, 820, "Category", key=1),
            *words(100, 1580, "Reviewer notes", key=1)]
    widgets: dict[tuple[str, str], Widget] = {}
    for row, name in enumerate(("SHIMANO UK", "ADOBE CREATIVE", "STRIPE PAYOUT")):
        y = 140 + 40 * row
        read += words(y + 6, 40, name, key=10 + row)
        widgets[name, "category"] = Widget("field", (820, y, 1035, y + 27))
        widgets[name, "accept"] = Widget("button", (1290, y, 1358, y + 25), "Accept")
    found = decision("the category drop-down in the ADOBE row", read,
                     list(widgets.values())).best
    assert inside(found.point, widgets["ADOBE CREATIVE", "category"].box)


def test_a_row_named_by_its_columns_heading_and_the_value_under_it() -> None:
    """The fifty-fifth trial's "the Reprint label button in the row for cycle 2287": the
    table shows "2287" under its "Cycle" heading; the row is the one whose cell that is. A
    value not on the screen, or under another heading, names no row."""
    read = [*words(100, 40, "Cycle", key=1), *words(100, 200, "Time", key=2)]
    buttons = []
    for row, (cycle, time) in enumerate((("2286", "07:42"), ("2287", "08:31"),
                                         ("2288", "2287"))):
        y = 140 + 40 * row
        read += [*words(y, 40, cycle, key=10 + row), *words(y, 200, time, key=20 + row)]
        read += words(y, 600, "Reprint label", key=30 + row)
        buttons.append(Widget("button", (590, y - 8, 720, y + 24), "Reprint label"))
    found = decision("the Reprint label button in the row for cycle 2287", read, buttons)
    assert inside(found.best.point, buttons[1].box)
    found = decision("the Reprint label button in the row for time 2287", read, buttons)
    assert inside(found.best.point, buttons[2].box)
    with pytest.raises(NotOnScreen, match="the row it is in cannot be told"):
        decision("the Reprint label button in the row for cycle 2299", read, buttons)


def test_a_card_named_by_its_title_and_a_noun_for_what_it_offers() -> None:
    """The fifty-fifth trial's "the Choose button on the Complete plan card": the card's
    title says "Complete"; the word also starts a sentence on the Family card."""
    image = Image.new("RGB", (1280, 800), "#f3f4f6")
    draw = ImageDraw.Draw(image)
    read, buttons = [], []
    for index, (title, line) in enumerate((("Essential", "Two exams a year"),
                                           ("Complete", "Exams and hygiene"),
                                           ("Family", "Complete cover for two adults"))):
        left = 40 + 400 * index
        draw.rounded_rectangle((left, 60, left + 380, 300), 6, fill="white", outline="#d8dce0")
        read += [*words(90, left + 24, title, key=10 + index),
                 *words(150, left + 24, line, key=20 + index)]
        buttons.append(Widget("button", (left + 24, 220, left + 110, 254), "Choose"))
        read += words(229, left + 36, "Choose", key=30 + index)
    found = decision("the Choose button on the Complete plan card", read, buttons, image)
    assert inside(found.best.point, buttons[1].box)


def test_a_field_under_a_two_word_heading_not_the_bordered_cell_of_the_rows_name() -> None:
    """The sixty-fifth trial's "the control measures field in the "Allergic reaction" row":
    the table's cells are bordered (the row's name stands in a box taken for a field), and a
    sentence over the table ends "… describe the control measures.": that cell, under the
    sentence, was answered (a silent wrong click)."""
    read = words(60, 40, "For each hazard describe the control measures.", key=1)
    read += [*words(100, 40, "Hazard", key=2), *words(100, 500, "Control measures", key=3)]
    widgets = []
    for row, hazard in enumerate(("Sharp edges", "Allergic reaction", "Trip hazards")):
        y = 140 + 40 * row
        read += words(y + 8, 48, hazard, key=10 + row)
        widgets += [Widget("field", (40, y, 420, y + 32), hazard, (48, y + 8, 210, y + 24)),
                    Widget("field", (500, y + 4, 900, y + 28))]
    found = decision('the control measures field in the "Allergic reaction" row', read,
                     widgets).best
    assert found.kind == "field" and inside(found.point, widgets[3].box)
    assert not headed(widgets[2].box, "control measures", read)  # a sentence heads nothing
    found = decision('the field in the "Allergic reaction" row', read, widgets).best
    assert inside(found.point, widgets[3].box)  # the name's own box is no field of its row


def test_a_button_for_a_noun_and_the_code_its_row_shows() -> None:
    """The sixty-first trial's "the Start button for job JT-4121": each row shows a job's code
    and its customer; the page never says "job"."""
    read, buttons = [], []
    for row, (code, customer) in enumerate((("JT-4120", "Greenleaf Dental"),
                                             ("JT-4121", "Harbour Cafe"),
                                             ("JT-4124", "St Anne's School"))):
        y = 140 + 70 * row
        read += words(y, 40, f"{code} · {customer}", key=10 + row)
        read += words(y, 1340, "Start", key=20 + row)
        buttons.append(Widget("button", (1328, y - 8, 1390, y + 24), "Start"))
    found = decision('the "Start" button for job JT-4121', read, buttons)
    assert inside(found.best.point, buttons[1].box)
    with pytest.raises(NotOnScreen, match="the row it is in cannot be told"):
        decision('the "Start" button for job JT-4129', read, buttons)


def test_a_button_for_a_group_named_with_the_noun_the_page_does_not_say() -> None:
    """The seventy-second trial's "the Join button for the Penguins group": the group's card
    shows "Penguins"; "group" is what it is, said nowhere on the page."""
    read, buttons = [], []
    for row, name in enumerate(("Snowflakes", "Penguins", "Polar bears")):
        y = 150 + 60 * row
        read += [*words(y, 1100, name, key=10 + row), *words(y, 1458, "Join", key=20 + row)]
        buttons.append(Widget("button", (1447, y - 8, 1505, y + 22), "Join"))
    found = decision('the "Join" button for the Penguins group', read, buttons)
    assert inside(found.best.point, buttons[1].box)


def rota() -> tuple[Image.Image, list[OcrWord], dict[tuple[str, str], Widget]]:
    """Trial 96's adviser rota: a grid of white cards on a grey page, a row's name at its left
    (with its hours under it), a day centred over each column; in each card a name line, then
    a Sign up button lower than the row's name."""
    image = Image.new("RGB", (1280, 800), "#f4f4f4")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons: dict[tuple[str, str], Widget] = {}
    days = ("Mon 7", "Tue 8", "Wed 9")
    for column, day in enumerate(days):
        read += words(120, 400 + 300 * column + 110, day)
    for row, name in enumerate(("Morning drop-in", "Afternoon appointments", "Evening line")):
        top = 150 + 90 * row
        read += words(top + 12, 30, name) + words(top + 32, 30, "13:30-16:30")
        for column, day in enumerate(days):
            left = 400 + 300 * column
            draw.rectangle((left, top, left + 290, top + 80), fill="white", outline="#dddddd")
            read += words(top + 12, left + 10, "No one yet")
            box = (left + 10, top + 42, left + 85, top + 68)
            buttons[(name, day)] = Widget("button", box, "Sign up",
                                          (box[0] + 6, box[1] + 5, box[2] - 6, box[3] - 5))
            read += words(box[1] + 5, box[0] + 6, "Sign up")
    return image, read, buttons


def test_a_button_in_a_grid_of_cards_is_found_by_its_row_and_column() -> None:
    """The button stands lower than the row's name and left of the day centred over its
    column: its card spans the name's line and the day's middle."""
    image, read, buttons = rota()
    found = decision('the "Sign up" button in the Wed 9 column of the "Afternoon '
                     'appointments" row', read, list(buttons.values()), image).best
    assert inside(found.point, buttons[("Afternoon appointments", "Wed 9")].box)
    found = decision("the Sign up button in the Evening line row under Tue 8", read,
                     list(buttons.values()), image).best
    assert inside(found.point, buttons[("Evening line", "Tue 8")].box)


def test_a_rows_drop_down_named_by_what_it_holds_is_its_one_drop_down() -> None:
    """Trial 96's budget sheet: "the frequency drop-down in the Gas & electric row", no
    "Frequency" on the screen, the row holding an amount field and a drop-down (its arrow
    seen): the drop-down."""
    read: list[OcrWord] = []
    selects = {}
    for row, name in enumerate(("Rent", "Council Tax", "Gas & electric")):
        y = 200 + 50 * row
        read += words(y + 8, 100, name) + words(y + 8, 420, "95.00") + words(y + 8, 620, "Weekly")
        selects[name] = Widget("field", (610, y, 780, y + 34), menu=True)
        selects[name + " amount"] = Widget("field", (400, y, 560, y + 34))
    found = decision('the frequency drop-down in the "Gas & electric" row', read,
                     list(selects.values())).best
    assert inside(found.point, selects["Gas & electric"].box)


def test_a_side_panels_button_beside_a_tables_row_is_not_in_that_row() -> None:
    """The forty-third trial's ushers rota: "the "Head usher" radio button in the "Sofia
    Russo" row", its radio buttons unlabelled under HEAD USHER, and beside the table a panel
    whose "Add usher" button (0.59 like "Head usher") stands on a card spanning the row's
    line; it is no cell of a grid of cards: the row's radio button, not a silent wrong click."""
    image = Image.new("RGB", (1920, 700), "#f2f4f3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((27, 90, 1571, 465), fill="white", outline="#dddddd")  # the table's card
    draw.rectangle((1592, 124, 1892, 388), fill="white", outline="#dddddd")  # the side panel
    read = words(155, 949, "HEAD USHER", key=1, height=9)
    radios = []
    for row, name in enumerate(("Oliver Grant", "Sofia Russo", "Kwame Mensah")):
        y = 186 + 40 * row
        read += words(y + 1, 53, name, key=10 + row, height=13)
        radios.append(Widget("radio", (1058, y, 1073, y + 15)))
    add = Widget("button", (1610, 278, 1717, 310), "Add usher", (1628, 288, 1699, 299))
    read += words(288, 1628, "Add usher", key=30, height=11)
    found = decision('the "Head usher" radio button in the "Sofia Russo" row', read,
                     [*radios, add], image).best
    assert inside(found.point, radios[1].box)


def kit_shop(hoodie_label: str = "£32.00") -> tuple[Image.Image, list[OcrWord], list[Widget]]:
    """Trial 106's kit shop: product cards, each a title, a price and a size drop-down (no
    label but the price over it) or the words "One size"."""
    image = Image.new("RGB", (1400, 600), "#f3f6f9")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    selects = []
    for k, (title, menu) in enumerate((("Club hat", False), ("Team costume", True),
                                       ("Hoodie", True))):
        left = 40 + 450 * k
        draw.rectangle((left, 100, left + 430, 400), fill="white", outline="#dde3ea")
        read += words(120, left + 20, title, key=10 * k, height=16)
        label = hoodie_label if title == "Hoodie" else f"£{20 + k}.00"
        read += words(160, left + 20, label, key=10 * k + 1, height=16)
        if menu:
            read += words(212, left + 30, "Child 9-10", key=10 * k + 2, height=16)
            selects.append(Widget("field", (left + 20, 200, left + 220, 240), label,
                                  (left + 20, 160, left + 20 + 9 * len(label), 176), menu=True))
        else:
            read += words(212, left + 20, "One size", key=10 * k + 2, height=16)
    return image, read, selects


def test_a_cards_one_drop_down_named_by_a_word_said_elsewhere_is_that_drop_down() -> None:
    """"the size drop-down in the Hoodie card": "size" is said, but on another card ("One
    size") and as no drop-down's label: the card's one drop-down with no label of words."""
    image, read, selects = kit_shop()
    found = decision("the size drop-down in the Hoodie card", read, selects, image).best
    assert inside(found.point, selects[1].box)
    image, read, selects = kit_shop(hoodie_label="Colour")  # labelled otherwise: not guessed
    with pytest.raises(GroundingError):
        decision("the size drop-down in the Hoodie card", read, selects, image)


def test_a_row_in_a_group_is_named_by_the_groups_first_cell_and_its_own() -> None:
    """The ninety-eighth trial's volunteer shifts: each day's name on its morning row only,
    its afternoon row's day cell blank; "the Wednesday afternoon shift" is the row under
    Wednesday's, not Monday's afternoon nor Wednesday's morning. A day whose afternoon row
    says its own day is no group ("Thursday" is no afternoon of Wednesday's)."""
    read: list[OcrWord] = []
    buttons = {}
    rows = (("Monday", "Morning 9-1"), ("", "Afternoon 1-5"), ("Wednesday", "Morning 9-1"),
            ("", "Afternoon 1-5"), ("Thursday", "Afternoon 1-5"))
    for index, (day, shift) in enumerate(rows):
        y = 100 + 40 * index
        if day:
            read += words(y, 20, day, key=10 * index)
        read += words(y, 300, shift, key=10 * index + 1)
        read += words(y + 2, 1100, "Sign up", key=10 * index + 2)
        buttons[index] = Widget("button", (1090, y - 6, 1170, y + 22), "Sign up",
                                (1100, y + 2, 1163, y + 18))
    analysis = Analysis(read, list(buttons.values()), 0.0)
    found = ground_in(analysis, SCREEN, 'the "Sign up" button for the Wednesday afternoon shift')
    assert inside(found.best.point, buttons[3].box)
    found = ground_in(analysis, SCREEN, 'the "Sign up" button for the Monday afternoon shift')
    assert inside(found.best.point, buttons[1].box)


@pytest.mark.parametrize("said", ["the Apply button in the Software Engineering Intern row for Arm",
                                  "the Apply button in the Software Engineering Intern Arm row"])
def test_a_row_named_by_two_cells_whose_first_stands_in_two_rows(said: str) -> None:
    """The ninety-first trial's internships: "Software Engineering Intern" at Arm and at Sky;
    the row meant reads the whole name across its cells (its role, then its employer)."""
    read: list[OcrWord] = []
    buttons = {}
    for index, (role, employer) in enumerate((("Software Engineering Intern", "Arm"),
                                              ("Marketing Intern", "Unilever"),
                                              ("Software Engineering Intern", "Sky"))):
        y = 150 + 40 * index
        read += [*words(y, 290, role, key=10 * index), *words(y, 700, employer, key=10 * index + 1),
                 *words(y, 1680, "Apply", key=10 * index + 2)]
        buttons[employer] = Widget("button", (1669, y - 8, 1734, y + 24), "Apply",
                                   (1680, y, 1725, y + 16))
    found = ground_in(Analysis(read, list(buttons.values()), 0.0), SCREEN, said).best
    assert inside(found.point, buttons["Arm"].box)


def track_sheet() -> tuple[Analysis, dict[int, Widget], dict[int, Widget]]:
    """The ninety-ninth trial's track sheet: channels numbered under "Ch", a Source field and
    a 48V checkbox per row, "Neve 3" in a row's Preamp cell, and a note under the table
    saying "Kick In goes on channel 1 before Kick Out."."""
    read = [*words(100, 45, "Ch", key=1), *words(100, 84, "Source", key=1),
            *words(100, 848, "Preamp", key=1), *words(100, 995, "48V", key=1)]
    sources, boxes = {}, {}
    for channel in (1, 2, 3):
        y = 136 + 34 * (channel - 1)
        read += [*words(y, 57, str(channel), key=10 * channel),
                 *words(y, 848, f"Neve {channel}", key=10 * channel + 1)]
        sources[channel] = Widget("field", (84, y - 8, 528, y + 17), "Source",
                                  (84, 100, 138, 116) if channel == 1 else None)
        boxes[channel] = Widget("checkbox", (995, y - 3, 1010, y + 12), "48V" if channel == 1
                                else "", (995, 100, 1022, 116) if channel == 1 else None)
    read += words(260, 45, "Ribbon mics must never get 48V. Kick In goes on channel 1 before "
                  "Kick Out.", key=99)
    read += words(300, 1400, "Take 3", key=98)  # a side panel's take, its Keeper box beside it
    keeper = Widget("checkbox", (1380, 301, 1395, 316), "")
    return Analysis(read, [*sources.values(), *boxes.values(), keeper], 0.0), sources, boxes


def test_a_row_named_by_a_noun_its_heading_shortens_and_its_value() -> None:
    analysis, sources, boxes = track_sheet()
    found = ground_in(analysis, SCREEN, "the 48V checkbox in the channel 3 row").best
    assert inside(found.point, boxes[3].box)  # "3" under "Ch", not "Neve 3"
    found = ground_in(analysis, SCREEN, "the Source field in the channel 1 row").best
    assert inside(found.point, sources[1].box)  # not the note's "channel 1"


def test_a_checkbox_centred_in_a_wide_last_column_under_its_short_heading() -> None:
    """The ninety-ninth trial's bouldering scores: "Zone", "Top", "Flash" left-aligned over
    columns about 150 px wide, each row's checkboxes centred in them; Flash, the last, has
    no heading after it to bound it, and its checkbox stands 42 px past its end."""
    read = [w for x, heading in ((1026, "Zone"), (1212, "Top"), (1363, "Flash"))
            for w in words(157, x, heading, key=1, char=7.4, height=10)]
    rows = {}
    for index in (1, 2):
        y = 184 + 30 * (index - 1)
        read += words(y, 40, f"Problem {index}", key=10 * index, char=7.4, height=10)
        rows[index] = [Widget("checkbox", (x, y, x + 15, y + 15)) for x in (1102, 1270, 1442)]
    analysis = Analysis(read, [w for row in rows.values() for w in row], 0.0)
    found = ground_in(analysis, SCREEN, "the checkbox in the Flash column of the Problem 2 row")
    assert inside(found.best.point, rows[2][2].box)


def test_a_rows_field_under_the_heading_that_labels_the_first_rows_field() -> None:
    """The hundred-and-fifth trial's feed order: "QUANTITY" heads a column of fields and was
    read as the first row's label; "the quantity field for Invert syrup 14 kg" (the second
    row) had typed into the first row's, the only one its words label."""
    read = [*words(138, 44, "PRODUCT", key=1), *words(138, 599, "QUANTITY", key=1)]
    fields = []
    for index, product in enumerate(("Ambrosia fondant 2.5 kg", "Invert syrup 14 kg",
                                     "Pollen patties")):
        y = 172 + 41 * index
        read += words(y, 54, product, key=10 + index)
        fields.append(Widget("field", (599, y - 7, 669, y + 21),
                             "QUANTITY" if index == 0 else "",
                             (599, 138, 672, 154) if index == 0 else None))
    analysis = Analysis(read, fields, 0.0)
    image = Image.new("RGB", (1920, 1080), "#faf7ef")  # the table on a white card
    ImageDraw.Draw(image).rectangle((28, 117, 864, 377), fill="white", outline="#e6dcc8")
    found = ground_in(analysis, image, "the quantity field for Invert syrup 14 kg").best
    assert inside(found.point, fields[1].box)
    found = ground_in(analysis, image, "the quantity field for Ambrosia fondant 2.5 kg").best
    assert inside(found.point, fields[0].box)


def test_a_cards_link_is_no_cell_under_the_card_aboves_same_words() -> None:
    """The fourteenth trial's notifications: each card's "Mark as read" link and Mute button;
    "the Mark as read button in the Priya Shah notification" is Priya's card's link, not her
    Mute button, which stands just right of the card above's "Mark as read" as a column's
    cell stands under its heading."""
    read: list[OcrWord] = []
    links = {}
    for index, name in enumerate(("Tom Lee", "Priya Shah", "Ana Diaz")):
        y = 120 + 70 * index
        read += [*words(y - 20, 40, f"{name} mentioned you", key=10 * index),
                 *words(y, 370, "Mark as read", key=10 * index + 1, char=7)]
        links[name] = Widget("link", (370, y, 454, y + 16), "Mark as read", (370, y, 454, y + 16))
        links[name, "mute"] = Widget("button", (472, y - 6, 527, y + 22), "Mute")
    image = Image.new("RGB", (1280, 800), "#f1f2f6")  # each notification a white card
    for index in range(3):
        ImageDraw.Draw(image).rounded_rectangle((30, 90 + 70 * index, 560, 150 + 70 * index),
                                                radius=6, fill="white", outline="#e2e3ea")
    analysis = Analysis(read, list(links.values()), 0.0)
    found = ground_in(analysis, image,
                      'the "Mark as read" button in the Priya Shah notification').best
    assert inside(found.point, links["Priya Shah"].box)
