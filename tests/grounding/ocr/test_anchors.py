"""Relations to an anchor, from the fourteenth to sixteenth blind trials: an anchor whose
words stand in several places, a widget named by its own words far under a heading, the column
a heading heads, and a label with a noun for what its field holds (narrow.py, guesses.py)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import Analysis, ground_in
from agent.grounding.ocr.rank import Ambiguous, Decision
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words


def decision(description: str, read: list[OcrWord], widgets: list[Widget],
             image: Image.Image = SCREEN) -> Decision:
    return ground_in(Analysis(read, list(widgets), 0.0), image, description)


def fixtures_page() -> tuple[list[OcrWord], list[Widget]]:
    """A fixtures table naming teams, and beside it a "Follow teams" panel: a heading over a
    list of checkboxes labelled with the same teams' names."""
    read = [*words(100, 40, "Riverside v Harbour City", key=1),
            *words(140, 40, "Northgate Rovers v Riverside", key=2),
            *words(60, 900, "Follow teams", key=3)]
    boxes = []
    for row, team in enumerate(("Riverside", "Harbour City", "Millbrook", "Northgate Rovers")):
        y = 100 + 32 * row
        read += words(y, 930, team, key=10 + row)
        boxes.append(Widget("checkbox", (900, y, 916, y + 16), team, (930, y, 1100, y + 16)))
    return read, boxes


def test_an_anchor_in_several_places_is_the_one_where_the_kind_described_fits() -> None:
    """The fourteenth trial's "the checkbox next to Northgate Rovers": the team's name is in
    the table too, where no checkbox is; the name beside a checkbox is the one meant."""
    read, boxes = fixtures_page()
    found = decision("the checkbox next to Northgate Rovers", read, boxes).best
    assert inside(found.point, boxes[3].box)


def test_an_anchor_in_several_places_that_fit_alike_is_an_ambiguity() -> None:
    read = [*words(100, 40, "Riverside", key=1), *words(140, 40, "Riverside", key=2),
            *words(180, 40, "Kingsmead", key=3)]
    buttons = [Widget("button", (600, y, 680, y + 24), "Tickets") for y in (96, 136, 176)]
    with pytest.raises(Ambiguous, match="the element it is next to cannot be told: its words "
                                        "stand in 2 places and 2 fit"):
        decision("the Tickets button next to Riverside", read, buttons)


def test_an_anchor_twice_in_one_row_tells_the_row() -> None:
    """The twentieth trial's labels table: "documentation" is the label's pill (read
    "Cdocum!nt yn", white on blue) and a word of its description, in one row; "the Edit button
    in the documentation row" is that row's."""
    read: list[OcrWord] = []
    buttons = []
    for row, (name, about) in enumerate((
            ("bug", "Something isn't working"),
            ("Cdocum!nt yn >", "Improvements or additions to documentation"),
            ("question", "Further information is requested"))):
        y = 100 + 40 * row
        read += [*words(y, 40, name, key=10 + row), *words(y, 300, about, key=10 + row)]
        buttons.append(Widget("button", (900, y - 4, 960, y + 20), "Edit"))
    found = decision("the Edit button in the documentation row", read, buttons).best
    assert inside(found.point, buttons[1].box)


def test_a_widget_reading_the_words_described_is_under_its_heading_however_far() -> None:
    """"the Northgate Rovers checkbox under Follow teams": the fourth box of the list, farther
    below the heading than "below" reaches for a widget without words of its own."""
    read, boxes = fixtures_page()
    read += words(700, 40, "Northgate Rovers", key=30)  # a label elsewhere, with no box
    found = decision("the Northgate Rovers checkbox under Follow teams", read, boxes).best
    assert inside(found.point, boxes[3].box)


def board() -> tuple[Image.Image, list[OcrWord], list[Widget]]:
    """A sprint board: three grey column panels on a lighter page, each headed, each with an
    "+ Add card" text at its foot and Start buttons at its right."""
    image = Image.new("RGB", (1280, 800), "#e8ecef")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = []
    for index, heading in enumerate(("TO DO 3", "IN PROGRESS 2", "DONE 2")):
        left = 40 + 400 * index
        draw.rectangle((left, 100, left + 380, 700), fill="#f4f5f7")
        read += words(120, left + 20, heading, key=10 + index)
        read += words(600 - 100 * index, left + 20, "+ Add card", key=20 + index)
        buttons += [Widget("button", (left + 300, y, left + 360, y + 28), "Start")
                    for y in (200, 300)]
    return image, read, buttons


def test_an_element_in_a_named_column_is_in_that_columns_panel() -> None:
    """The fourteenth trial's "the "+ Add card" button in the To do column": one under each
    heading; the column's panel holds its own, wherever the heading's words end."""
    image, read, buttons = board()
    found = decision('the "+ Add card" button in the To do column', read, buttons, image).best
    assert 60 <= found.point[0] <= 200 and found.point[1] > 590
    found = decision("the Add card button in the Done column", read, buttons, image).best
    assert found.point[0] > 840 and 390 <= found.point[1] <= 420
    # Two Start buttons in the panel, far right of its heading: both its, neither nearer
    with pytest.raises(Ambiguous, match="2 places"):
        decision("the Start button in the To do column", read, buttons, image)
    found = decision("the second Start button in the To do column", read, buttons, image).best
    assert inside(found.point, buttons[1].box)


def test_a_column_without_a_panel_is_what_stands_under_its_heading() -> None:
    read = [*words(100, 100, "Name", key=1), *words(100, 400, "Admin", key=2)]
    read += [w for row in range(3) for w in words(140 + 40 * row, 100, f"User {row}", key=3 + row)]
    boxes = [Widget("checkbox", (410, 140 + 40 * row, 426, 156 + 40 * row)) for row in range(3)]
    with pytest.raises(Ambiguous):  # three rows under "Admin": which one is not said
        decision("the checkbox in the Admin column", read, boxes)
    found = decision("the last checkbox in the Admin column", read, boxes)
    assert inside(found.best.point, boxes[2].box)


def translator() -> tuple[list[OcrWord], list[Widget]]:
    """"From [Detect language v]  To [Spanish v]": two drop-downs labelled From and To; the
    word "language" is only the first one's choice."""
    read = [*words(110, 40, "From", key=1), *words(110, 100, "Detect language", key=2),
            *words(110, 420, "To", key=3), *words(110, 460, "Spanish", key=4)]
    fields = [Widget("field", (90, 100, 380, 136), "From", (40, 110, 76, 126)),
              Widget("field", (450, 100, 740, 136), "To", (420, 110, 438, 126))]
    return read, fields


def test_a_label_and_a_noun_for_what_its_field_holds_is_the_field_so_labelled() -> None:
    """The fourteenth trial's "the To language drop-down"."""
    read, fields = translator()
    assert inside(decision("the To language drop-down", read, fields).best.point,
                  fields[1].box)


def test_a_noun_the_screen_says_outside_fields_is_no_guess() -> None:
    read, fields = translator()
    read += words(600, 40, "Choose a language", key=9)  # a sentence says it: no noun added
    with pytest.raises(NotOnScreen):
        decision("the To language drop-down", read, fields)


def colour_picker() -> tuple[list[OcrWord], list[Widget]]:
    """"Colour" over a row of radio buttons: Navy, Olive, White, Rust."""
    read = words(100, 600, "Colour", key=1)
    radios = []
    for index, colour in enumerate(("Navy", "Olive", "White", "Rust")):
        left = 610 + 150 * index
        read += words(130, left + 30, colour, key=10 + index)
        radios.append(Widget("radio", (left, 130, left + 20, 150), colour,
                             (left + 30, 130, left + 80, 146)))
    return read, radios


def test_a_label_and_the_noun_of_the_heading_it_stands_under() -> None:
    """The fifteenth trial's colour picker: "the White colour option" is the radio button
    labelled White under the Colour heading, not the row with White's cell under Colour (the
    Navy radio button, which has a label of its own)."""
    read, radios = colour_picker()
    for index, colour in enumerate(("Navy", "Olive", "White", "Rust")):
        found = decision(f"the {colour} colour option", read, radios).best
        assert inside(found.point, radios[index].box), colour
    far = [w for w in read if w.text != "Colour"] + words(600, 40, "Colour", key=2)
    with pytest.raises(NotOnScreen):  # "Colour" said, but not over the buttons: no guess
        decision("the White colour option", far, radios)


def test_a_cells_widget_with_a_label_of_its_own_is_still_that_cells() -> None:
    """The fourteenth trial's baggage page: "Sports equipment" heads a column of checkboxes
    each labelled "Add +£45"; "the Sports equipment checkbox in the Anna Becker row"."""
    read = [*words(100, 40, "Passenger", key=1), *words(100, 600, "Sports equipment", key=2)]
    boxes = []
    for row, name in enumerate(("Anna Becker", "Tom Becker")):
        y = 140 + 40 * row
        read += words(y, 40, name, key=10 + row) + words(y, 630, "Add +£45", key=20 + row)
        boxes.append(Widget("checkbox", (604, y, 620, y + 16), "Add +£45", (630, y, 700, y + 16)))
    for row, name in enumerate(("Anna Becker", "Tom Becker")):
        found = decision(f"the Sports equipment checkbox in the {name} row", read, boxes).best
        assert inside(found.point, boxes[row].box), name


def test_a_buttons_misread_words_are_no_row_and_column() -> None:
    """The seventeenth trial's wrong click: "the Send referral button" read "Send refer" after
    typing; its words split as the row with "Send" and the column under "referral" (the
    page's title, "Food parcel referral", far above) gave the Save draft button beside it."""
    read = [*words(100, 160, "Food parcel referral", key=1),
            *words(731, 98, "Send refer", key=2), *words(731, 350, "Save draft", key=3)]
    buttons = [Widget("button", (60, 713, 300, 769), "Send refer"),
               Widget("button", (321, 715, 485, 768), "Save draft")]
    try:
        found = decision("the Send referral button", read, buttons).best
    except NotOnScreen:
        return  # an error is as good: no click
    assert inside(found.point, buttons[0].box)


def test_a_widget_that_is_a_part_of_the_words_described_is_not_theirs() -> None:
    """The eighteenth trial's open Date list at 150%: "15" of "Sun 15 June" found as a link;
    the words are the list's item, not that link's (whose kind an option is not)."""
    dropdown = Widget("field", (79, 227, 514, 275), "Date")
    read = [w for i, item in enumerate(("Sat 14 June", "Sun 15 June", "Mon 16 June"))
            for w in words(286 + 39 * i, 101, item, key=10 + i)]
    link = Widget("link", (137, 325, 155, 341), "15", (137, 325, 155, 341))
    found = decision("the Sun 15 June option", read, [dropdown, link]).best
    assert found.text == "Sun 15 June" and inside(found.point, (101, 325, 201, 341))


def test_a_widgets_own_words_over_another_are_no_column_heading() -> None:
    """The nineteenth trial's wrong click: "the Move to basket button in The Salt Path row",
    that button not found as one; its words standing over the row's Remove button made Remove
    the cell under a "Move to basket" column. A widget's own words head no column."""
    read = [*words(246, 61, "The Salt Path", key=1), *words(233, 699, "Move to basket", key=3),
            *words(262, 720, "Notify me", key=4)]
    button = Widget("button", (688, 225, 811, 253), "Move to basket", (699, 233, 825, 249))
    notify = Widget("checkbox", (699, 262, 715, 278), "Notify me", (720, 262, 801, 278))
    with pytest.raises(NotOnScreen):
        decision("the Move to basket checkbox in The Salt Path row", read, [button, notify])


def pipelines() -> tuple[list[OcrWord], list[Widget]]:
    """A CI table: status, run number, branch, then a button at the row's end; a webhook's
    URL read split at its dots and slashes above it."""
    rows = [("passed", "#412", "main", "Re-run"), ("failed", "#411", "develop", "Re-run"),
            ("running", "#410", "feature/login", "Cancel"), ("failed", "#408", "release/2.4",
                                                             "Re-run")]
    read, buttons = [], []
    for index, (status, number, branch, action) in enumerate(rows):
        y = 200 + 46 * index
        read += [*words(y, 264, status, key=10 * index), *words(y, 449, number, key=10 * index + 1),
                 *words(y, 619, branch, key=10 * index + 2)]
        buttons.append(Widget("button", (1764, y - 8, 1830, y + 20), action))
    read += [*words(100, 264, "https: //hooks. slack. com/services/T02", key=99)]
    buttons.append(Widget("button", (1076, 92, 1141, 120), "Delete"))
    return read, buttons


@pytest.mark.parametrize(("description", "index"), [
    ('the "Re-run" button in the failed develop row (#411)', 1),  # the cells in another order
    ('the "Cancel" button in the running pipeline row', 2),  # "pipeline": the row's noun
    ('the "Delete" button in the hooks.slack.com row', 4),  # a code inside a longer token
])
def test_a_row_named_by_its_cells_words_in_any_order(description: str, index: int) -> None:
    """The twentieth trial's CI pipelines and webhooks."""
    read, buttons = pipelines()
    assert inside(decision(description, read, buttons).best.point, buttons[index].box)


def test_a_row_named_by_a_persons_name_not_on_the_screen_is_no_other_row() -> None:
    read, buttons = pipelines()
    read += words(600, 40, "Bob Jones", key=98)
    buttons.append(Widget("button", (1764, 592, 1830, 620), "Re-run"))
    with pytest.raises(NotOnScreen):
        decision('the "Re-run" button in the Bob Smith row', read, buttons)


def risk_form() -> tuple[list[OcrWord], list[Widget]]:
    """The twenty-second trial's risk register: a table whose Likelihood column holds "High"
    badges, and beside it a New risk form whose Likelihood heading stands over three radio
    buttons."""
    read = [*words(100, 40, "Risk", key=1), *words(100, 500, "Likelihood", key=2)]
    for row, level in enumerate(("Medium", "High", "High")):
        read += [*words(136 + 30 * row, 40, f"Risk {row}", key=10 + row),
                 *words(136 + 30 * row, 500, level, key=20 + row)]
    read += words(100, 1200, "Likelihood", key=3)
    radios = []
    for i, level in enumerate(("Low", "Medium", "High")):
        read += words(124, 1224 + 110 * i, level, key=30 + i)
        radios.append(Widget("radio", (1204 + 110 * i, 124, 1218 + 110 * i, 138), level,
                             (1224 + 110 * i, 124, 1280 + 110 * i, 140)))
    return read, radios


@pytest.mark.parametrize("description", ["the High radio button next to Likelihood",
                                         'the "High" radio button under Likelihood'])
def test_a_group_heading_over_its_options_is_what_they_are_next_to(description: str) -> None:
    """Nothing stands beside the form's "Likelihood": its options are under it; the table's
    "Likelihood" has only badges reading High under it, no radio button."""
    read, radios = risk_form()
    assert inside(decision(description, read, radios).best.point, radios[2].box)


def test_a_heading_nearer_the_anchor_than_the_rows_button_gains_nothing() -> None:
    """The forty-fourth trial's callback queue: "the Call back button next to Ben Carter", the
    row's button at its far end; the panel's heading "Callback queue" just over the name read
    "Callback", a word alike but no button, had its score raised for being nearer (0.4 to
    6.8): an ambiguity."""
    read = words(75, 630, "Callback queue", key=1)
    buttons = []
    for row, name in enumerate(("Ben Carter", "Aaliyah Brown", "Josh Whitfield")):
        y = 117 + 42 * row
        read += [*words(y, 630, name, key=10 + row),
                 *words(y, 1150, "Call back", key=10 + row)]
        buttons.append(Widget("button", (1140, y - 8, 1231, y + 17), "Call back"))
    found = decision('the "Call back" button next to "Ben Carter"', read, buttons)
    assert inside(found.best.point, buttons[0].box)
    assert all(c.score <= 1.0 for c in (found.best, *found.rivals))


def test_a_noun_said_nowhere_and_the_label_beside_its_field_is_the_field_so_labelled() -> None:
    """The fifty-first trial's supplier order: "the quantity field next to Rye flour (kg)",
    where no text says "quantity": the field labelled Rye flour (kg), and never a neighbour's
    field when its own is not found."""
    read, fields = [], []
    for row, item in enumerate(("Strong white flour (kg)", "Rye flour (kg)", "Whole milk")):
        y = 100 + 40 * row
        read += words(y, 40, item, key=10 + row)
        fields.append(Widget("field", (300, y - 6, 370, y + 20), item, (40, y, 250, y + 16)))
    found = decision("the quantity field next to Rye flour (kg)", read, fields).best
    assert inside(found.point, fields[1].box)
    with pytest.raises(NotOnScreen):  # its field not found: no neighbour's
        decision("the quantity field next to Rye flour (kg)", read, [fields[0], fields[2]])


def test_below_a_heading_is_its_next_line_first_however_far_along_it() -> None:
    """The forty-third trial's rehearsal calls: "10:00 Fight call" over "Sebastian, Sir
    Andrew, Antonio · Main stage Cancel", then "14:00 Act 3 Scene 4" over "Full company ·
    Room A Cancel", whose Cancel stands nearer the heading's column: the Cancel below Fight
    call ends the line just under it, not the next item's."""
    read = [*words(136, 1090, "10:00 Fight call", key=1),
            *words(152, 1090, "Sebastian, Sir Andrew, Antonio - Main stage", key=2),
            *words(180, 1090, "14:00 Act 3 Scene 4", key=3),
            *words(196, 1090, "Full company - Room A", key=4)]
    first = Widget("link", (1500, 152, 1542, 166), "Cancel", (1500, 152, 1542, 166))
    second = Widget("link", (1240, 196, 1282, 210), "Cancel", (1240, 196, 1282, 210))
    assert inside(ground('the "Cancel" link below "Fight call"', read, [first, second]).point,
                  first.box)


def test_words_on_the_next_line_far_along_are_not_below_a_heading() -> None:
    """The thirty-third trial's listing photos: "the Make cover button under the Kitchen
    photo", no text "Kitchen photo": "Kitchen" (a tile's caption) under the Photos heading.
    The next line's file name far right of the heading ("kitchen.jpg" on the tile) is no
    words below the heading, as a widget at that line's end would be."""
    read = [*words(84, 1188, "Photos", key=1, height=30),
            *words(137, 1221, "living-room.jpg", key=2, height=13),
            *words(137, 1410, "kitchen.jpg", key=3, height=13),
            *words(180, 1196, "Living room", key=4, height=10),
            *words(180, 1372, "Kitchen", key=5, height=10)]
    buttons = [Widget("button", (x, 198, x + 77, 232), "Make cover") for x in (1196, 1372)]
    found = ground('the "Make cover" button under the Kitchen photo', read, buttons)
    assert inside(found.point, buttons[1].box)
