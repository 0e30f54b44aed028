"""The eleventh blind trial's fixes: a button named by the card it stands on (cards.py), a
file's coloured icon that is no checkbox, a switch whose knob stands taller than its track, and
a grid's column header that does not reach marks far below it (widgets_marks.py, labels.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.candidate import centre
from agent.grounding.ocr.cards import card_around, card_under
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import Analysis, ground_in
from agent.grounding.ocr.widgets_shapes import Mark, Rect, straight_sides
from agent.grounding.ocr.widgets_text import mark_in_box
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


def tickets_page() -> tuple[Image.Image, list[OcrWord], dict[str, Widget]]:
    """The thirty-ninth blind trial's kitchen tickets: side by side, each a yellow title strip
    over a white body holding its own Bump button, on a grey page."""
    image = Image.new("RGB", (1200, 400), PAGE)
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = {}
    for index, title in enumerate(("Table 4", "Table 9", "Table 12", "Take-away")):
        left = 20 + 290 * index
        draw.rectangle((left, 100, left + 278, 300), fill="white", outline="#d0d4da")
        draw.rectangle((left + 1, 101, left + 277, 134), fill="#fdf3c4")
        read += words(110, left + 12, title, key=10 + index)
        read += words(150, left + 40, "Caesar salad", key=20 + index)
        buttons[title] = Widget("button", (left + 100, 250, left + 160, 275), "Bump")
    return image, read, buttons


def test_a_button_on_a_card_titled_on_a_coloured_strip_is_that_cards() -> None:
    image, read, buttons = tickets_page()
    assert card_under(image, (21.0, 101.0, 298.0, 135.0)) == (21.0, 101.0, 298.0, 300.0)
    for title, button in buttons.items():
        found = ground_in(Analysis(read, list(buttons.values()), 0.0), image,
                          f"the Bump button on the {title} ticket").best
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


def test_round_buttons_holding_a_sign_are_buttons_with_that_sign_radio_buttons_stay() -> None:
    """A thermostat card's − and + (circles three text heights wide), beside a radio button."""
    canvas = Canvas()
    canvas.text(20, 20, "Study")
    for left, sign in ((20, "−"), (300, "+")):
        canvas.draw.ellipse((left, 60, left + 40, 100), fill="white", outline="#222222", width=2)
        canvas.draw.line((left + 12, 80, left + 28, 80), fill="#222222", width=2)
        if sign == "+":
            canvas.draw.line((left + 20, 72, left + 20, 88), fill="#222222", width=2)
    canvas.draw.ellipse((20, 140, 34, 154), fill="white", outline="#767676")
    canvas.text(44, 138, "Eco")
    found = [(w.kind, w.text) for w in canvas.find()]
    assert ("button", "−") in found and ("button", "+") in found and ("radio", "Eco") in found


def rounded(box: np.ndarray, corner: np.ndarray) -> None:
    """`box`'s four corners drawn as `corner` (its top-left one), mirrored."""
    size = corner.shape[0]
    for flip_rows in (False, True):
        for flip_columns in (False, True):
            part = corner[::-1] if flip_rows else corner
            part = part[:, ::-1] if flip_columns else part
            rows = slice(-size, None) if flip_rows else slice(0, size)
            columns = slice(-size, None) if flip_columns else slice(0, size)
            box[rows, columns] = part


def test_a_field_whose_faint_rounded_corners_shade_into_white_is_closed() -> None:
    """A #d4d4d8 border with 9-px corners at 150% (the twelfth trial's dialog field): its
    corner's shades step from white by less than an edge; two steps on, they do not."""
    field = np.full((66, 700), 255, np.uint8)
    field[1, :] = field[-2, :] = field[:, 1] = field[:, -2] = 212
    rounded(field, np.array(CORNER, np.uint8))  # its corners, as Chromium drew them
    canvas = Canvas((900, 300))
    canvas.image.paste(Image.fromarray(field).convert("RGB"), (60, 100))
    canvas.text(60, 70, "Key name")
    fields = of_kind(canvas.find(), "field")
    assert [(w.text, round(w.box[1])) for w in fields] == [("Key name", 101)]


CORNER = [
    [255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 255, 255, 255, 255, 255, 243, 231, 223, 215, 212, 212],
    [255, 255, 255, 255, 255, 231, 226, 235, 243, 251, 255, 255],
    [255, 255, 255, 255, 217, 235, 255, 255, 255, 255, 255, 255],
    [255, 255, 255, 216, 244, 255, 255, 255, 255, 255, 255, 255],
    [255, 255, 231, 235, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 244, 227, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 231, 235, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 223, 243, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 215, 251, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 212, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
    [255, 212, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
]


def test_a_short_words_pill_button_is_a_button_not_a_drop_down() -> None:
    """"Add" in a 58x25 pill (the thirteenth trial's coffee cards): its round ends are no
    sides, and the right end curving in beside the text is no drop-down's arrow."""
    canvas = Canvas()
    canvas.text(20, 20, "Steeped for 18 hours. Add an extra shot for a kick.")
    canvas.draw.rounded_rectangle((300, 80, 358, 105), radius=12, fill="white",
                                  outline="#6f4e37", width=1)
    canvas.text(316, 84, "Add")
    buttons = [(w.text, round(w.box[0])) for w in of_kind(canvas.find(), "button")]
    assert buttons == [("Add", 300)]


def test_tabs_named_with_a_day_and_a_date_under_a_bar_are_tabs() -> None:
    """The thirteenth trial's agenda: "Day 1 · Tue 10 June" and its neighbours, the selected
    one underlined; "the Day 2 tab" is the second."""
    canvas = Canvas((900, 300))
    for left, name in ((20, "Day 1 Tue 10 June"), (220, "Day 2 Wed 11 June"),
                       (420, "Day 3 Thu 12 June")):
        canvas.text(left, 20, name)
    canvas.draw.line((0, 52, 899, 52), fill="#dddddd")
    canvas.draw.rectangle((8, 49, 185, 52), fill="#4f46e5")  # the selected tab's bar
    tabs = [w.text for w in of_kind(canvas.find(), "tab")]
    assert tabs == ["Day 1 Tue 10 June", "Day 2 Wed 11 June", "Day 3 Thu 12 June"]


def test_a_full_width_short_band_is_a_card_and_a_tall_one_the_page() -> None:
    """The fourteenth trial's notifications: white items across the page, one per
    notification, each "the Mute button in the Dana Ortiz notification"'s region."""
    image = Image.new("RGB", (1000, 700), PAGE)
    ImageDraw.Draw(image).rectangle((20, 100, 980, 180), fill="white")
    assert card_around(image, (60.0, 120.0, 160.0, 136.0)) == (20.0, 100.0, 981.0, 181.0)
    ImageDraw.Draw(image).rectangle((20, 100, 980, 600), fill="white")
    assert card_around(image, (60.0, 120.0, 160.0, 136.0)) is None  # the page's ground


def test_a_boards_column_panel_is_a_card_only_when_asked_for_a_tall_one() -> None:
    image = Image.new("RGB", (1000, 700), PAGE)
    ImageDraw.Draw(image).rectangle((20, 40, 320, 680), fill="#f8f9fa")
    assert card_around(image, (40.0, 60.0, 140.0, 76.0)) is None
    assert card_around(image, (40.0, 60.0, 140.0, 76.0), tall=True) == (20.0, 40.0, 321.0, 681.0)


def test_a_cards_button_on_its_titles_row_is_that_cards_not_the_next_ones() -> None:
    """The fifteenth trial's meal kit: cards side by side, each title with its Add button
    at the card's right end, on one row with the next card's title and button; "the Add button
    on the Mushroom Risotto card" is the button inside that card."""
    image = Image.new("RGB", (1280, 400), PAGE)
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = []
    for index, title in enumerate(("Thai Curry", "Mushroom Risotto", "Beef Tacos")):
        left = 20 + 420 * index
        draw.rectangle((left, 100, left + 400, 180), fill="white")
        read += words(120, left + 16, title, key=index)
        buttons.append(Widget("button", (left + 320, 116, left + 384, 144), "Add"))
    found = ground_in(Analysis(read, buttons, 0.0), image,
                      'the "Add" button on the Mushroom Risotto card').best
    assert inside(found.point, buttons[1].box)


def test_a_button_under_a_cards_coloured_picture_is_the_cards() -> None:
    """The nineteenth trial's card controls: two white cards, each with a bank card's coloured
    picture holding its name ("Travel Credit") and under the picture its own Freeze card
    button: the picture is no card of its own with nothing in it."""
    image = Image.new("RGB", (1000, 1000), PAGE)
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = {}
    for index, (name, fill) in enumerate((("Everyday Debit", "#2f4f8f"),
                                          ("Travel Credit", "#7a3b69"))):
        left = 40 + 380 * index
        draw.rounded_rectangle((left, 40, left + 350, 360), radius=8, fill="white")
        draw.rounded_rectangle((left + 20, 60, left + 330, 170), radius=8, fill=fill)
        read += words(76, left + 34, name, key=10 + index)
        read += words(266, left + 34, "Freeze card", key=20 + index)
        buttons[name] = Widget("button", (left + 20, 256, left + 130, 290), "Freeze card")
    for name, button in buttons.items():
        found = ground_in(Analysis(read, list(buttons.values()), 0.0), image,
                          f'the "Freeze card" button on the {name} card').best
        assert inside(found.point, button.box), name


def test_a_panels_grid_of_radio_buttons_with_no_text_of_their_own_are_radio_buttons() -> None:
    """The forty-first trial's care record at 150%: a bordered Meals panel holding a grid of
    20-px radio buttons (a column heading each, no text beside them): the panel is no button
    whose letter O they could be. A round mark in a button one line high still is."""
    edges = np.zeros((400, 1300), bool)
    panel = Rect((444, 82, 1281, 313), (441, 79, 1284, 316), (255, 255, 255), (251, 248, 243),
                 (226, 220, 207))
    radio = Mark("radio", (680, 180, 700, 200), False)
    headings = words(150, 676, "All", key=1)
    assert not mark_in_box(radio, [panel], headings, edges)
    button = Rect((660, 172, 760, 208), (658, 170, 762, 210), (230, 230, 230), (255, 255, 255),
                  (118, 118, 118))
    assert mark_in_box(radio, [panel, button], headings, edges)


def test_a_near_match_nearer_the_title_does_not_push_the_very_words_away() -> None:
    """The forty-third trial's costume fittings: "the "Confirm" button on the "Daniel Osei"
    card", whose "Unconfirmed" badge (a near match, 0.78) stands nearer the title than its
    Confirm button; measured from the badge, the button lost 0.45 of its score: an ambiguity."""
    image, read, buttons = cards_page()
    badges = [Widget("button", (box[0] + 300, box[1] - 150, box[0] + 420, box[1] - 126),
                     "Unconfirmed") for box in (b.box for b in buttons.values())]
    confirms = [Widget("button", b.box, "Confirm") for b in buttons.values()]
    found = ground_in(Analysis(read, confirms + badges, 0.0), image,
                      'the "Confirm" button on the "Early bird" card')
    assert found.best.text == "Confirm" and inside(found.best.point, buttons["Early bird"].box)


def test_a_row_named_by_its_item_is_the_rows_of_its_own_card() -> None:
    """The fifty-first trial's menu board: two cards side by side, Hot drinks and Bakes, their
    rows level; "the Sold out button in the Flat white row" had the Bakes card's button on
    the same screen row too (an ambiguity)."""
    image = Image.new("RGB", (1920, 400), "#f5f5f0")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons: dict[str, Widget] = {}
    for left, items in ((30, ("Flat white", "Cappuccino")), (970, ("Croissant", "Fruit scone"))):
        draw.rounded_rectangle((left, 40, left + 920, 200), radius=6, fill="white",
                               outline="#dddddd")
        for row, item in enumerate(items):
            y = 80 + 40 * row
            read += words(y, left + 16, item, key=10 * left + row)
            read += words(y, left + 820, "Sold out", key=10 * left + row)
            buttons[item] = Widget("button", (left + 800, y - 6, left + 900, y + 22), "Sold out")
    for item in ("Flat white", "Croissant", "Fruit scone"):
        found = ground_in(Analysis(read, list(buttons.values()), 0.0), image,
                          f"the Sold out button in the {item} row").best
        assert inside(found.point, buttons[item].box), item


def booking_grid() -> tuple[Image.Image, list[OcrWord], dict[tuple[str, str], Widget]]:
    """The ninety-first blind trial's mock interview slots: a ruled table, a shaded header
    row of days over rows of times, a Book button in each cell."""
    image = Image.new("RGB", (1000, 400), "white")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = {}
    for index, day in enumerate(("Tuesday", "Wednesday")):
        left = 100 + 300 * index
        draw.rectangle((left, 40, left + 300, 70), fill="#e8eaf6", outline="#c5cae9")
        read += words(48, left + 110, day, key=10 + index)
        for row, time in enumerate(("09:00", "10:00", "11:00")):
            top = 70 + 36 * row
            draw.rectangle((left, top, left + 300, top + 36), outline="#c5cae9")
            buttons[day, time] = Widget("button", (left + 120, top + 6, left + 180, top + 30),
                                        "Book")
    for row, time in enumerate(("09:00", "10:00", "11:00")):
        read += words(82 + 36 * row, 20, time, key=20 + row)
    return image, read, buttons


def test_a_ruled_tables_column_is_every_cell_under_its_heading_not_the_first() -> None:
    image, read, buttons = booking_grid()
    assert card_under(image, (101.0, 41.0, 399.0, 69.0)) is None  # a heading's cell, no card
    analysis = Analysis(read, list(buttons.values()), 0.0)
    with pytest.raises(GroundingError, match="ambiguous"):
        ground_in(analysis, image, "the Book button in the Wednesday column")
    found = ground_in(analysis, image, "the Book button in the 11:00 row in the Wednesday column")
    assert inside(found.best.point, buttons["Wednesday", "11:00"].box)


def test_a_drop_down_whose_chevron_nearly_touches_its_border_is_a_field() -> None:
    """Chromium's <select> at 100% (the ninety-first trial's alert form), as it drew it: grey,
    rounded, its chevron 3 px from the right border, so close that the edges seal the gap:
    one notch in that side, no reason to miss the box."""
    select = np.full((31, 406), 239, np.uint8)
    select[0, 4:-4] = select[-1, 4:-4] = select[4:-4, 0] = select[4:-4, -1] = 155
    rounded(select, SELECT_CORNER)
    select[12:19, -14:-4] = CHEVRON
    canvas = Canvas()
    canvas.text(40, 20, "Frequency")
    canvas.image.paste(Image.fromarray(select).convert("RGB"), (40, 44))
    canvas.text(54, 51, "Daily")
    fields = of_kind(canvas.find(), "field")
    assert [(w.text, w.box[1] // 10) for w in fields] == [("Frequency", 4)]
    inside_select = np.ones((25, 400), bool)  # its inside, as the edges leave it
    inside_select[9:13, -1] = False  # (where the chevron's edges meet the border's)
    assert straight_sides(inside_select)
    inside_select[16:18, -1] = False  # a second notch: not one mark beside the side
    assert not straight_sides(inside_select)


SELECT_CORNER = np.array([[255, 245, 204, 171], [245, 176, 196, 224], [204, 196, 239, 239],
                          [171, 224, 239, 239]], np.uint8)
CHEVRON = np.array([  # Chromium's, at 100%: a bold "v" 10 px wide
    [239, 132, 216, 239, 239, 239, 239, 216, 134, 239],
    [140, 0, 34, 215, 239, 239, 215, 34, 0, 144],
    [216, 30, 0, 34, 216, 216, 34, 0, 34, 216],
    [239, 212, 33, 0, 31, 31, 0, 33, 215, 239],
    [239, 239, 211, 31, 0, 0, 33, 212, 239, 239],
    [239, 239, 239, 212, 27, 30, 212, 239, 239, 239],
    [239, 239, 239, 239, 208, 211, 239, 239, 239, 239]], np.uint8)


def test_a_column_headed_by_a_cells_box_is_as_wide_as_that_box() -> None:
    """The ninety-sixth trial's instructor diary: the week's days head their columns in
    boxes (read as buttons); Thursday's "Priya Shah" stands just right of Wednesday's box,
    within a text height or three of it, and is no lesson of Wednesday's."""
    read = [*words(114, 748, "Wed 11", key=1), *words(114, 1004, "Thu 12", key=2),
            *words(244, 660, "Priya Shah", key=3), *words(264, 660, "1.5 hours college", key=4),
            *words(297, 916, "Priya Shah", key=5)]
    wednesday = Widget("button", (646, 106, 903, 135), "Wed 11", (748, 114, 802, 130))
    thursday = Widget("button", (903, 106, 1158, 135), "Thu 12", (1004, 114, 1058, 130))
    lesson = Widget("tab", (650, 237, 902, 280), "Priya Shah 1.5 hours college",
                    (660, 244, 813, 280))
    analysis = Analysis(read, [wednesday, thursday, lesson], 0.0)
    image = Image.new("RGB", (1400, 500), "white")
    found = ground_in(analysis, image, 'the "Priya Shah" lesson in the Wed 11 column').best
    assert inside(found.point, lesson.box)


@pytest.mark.parametrize("reading", ["", "O°"])
def test_a_table_rows_radio_buttons_inside_its_rules_are_radio_buttons(reading: str) -> None:
    """The ninety-sixth trial's progress record at 150%: a row's rules and the table's sides
    make a box round "Roundabouts" and four unlabelled radio buttons, each read "O°" or not
    at all: a row of marks alike, spaced apart, is no word's letters O."""
    canvas = Canvas((1300, 400), ground="#faf8f4")
    canvas.box((75, 100, 1286, 152), border="#e2dccf")
    canvas.text(93, 116, "Roundabouts")
    for left in (483, 727, 963, 1165):
        canvas.draw.ellipse((left, 116, left + 20, 136), fill="white", outline="#767676",
                            width=2)
        if reading:  # (read over the whole ring, as tesseract boxes it)
            canvas.words.append(OcrWord(reading, (left - 1.0, 115.0, left + 22.0, 138.0),
                                        (left,), 40.0))
    radios = sorted(centre(w.box)[0] for w in of_kind(canvas.find(), "radio"))
    assert len(radios) == 4
    assert all(abs(x - drawn) <= 2 for x, drawn in zip(radios, (493, 737, 973, 1175), strict=True))


def test_tabs_over_a_cards_rule_under_its_title_are_tabs() -> None:
    """The ninety-eighth trial's Gift Aid declarations at 150%: the card's sides, its top and
    the rule under its tabs make a box round its title and the tabs: a panel, no control,
    whose words are the page's (they were lost, and "the Expired tab" clicked a red
    Expired badge in the table below)."""
    canvas = Canvas((1400, 400), ground="#eef3f3")
    canvas.box((39, 91, 1281, 380), border="#d5e2e4")
    canvas.draw.line((40, 204, 1280, 204), fill="#d5e2e4")
    canvas.text(64, 110, "Declarations")
    for left, name in ((85, "All"), (134, "Awaiting signature"), (330, "Expired")):
        canvas.text(left, 171, name)
    canvas.draw.rectangle((72, 200, 127, 203), fill="#0f6b73")  # the selected tab's bar
    for row, (donor, status) in enumerate((("Joan Pethick", "Awaiting signature"),
                                           ("Derek Tonkin", "Expired"))):
        canvas.text(64, 240 + 50 * row, f"GA-2088{row} {donor}")
        canvas.text(500, 240 + 50 * row, status)
    tabs = [w.text for w in of_kind(canvas.find(), "tab")]
    assert tabs == ["All", "Awaiting signature", "Expired"]


def test_a_panel_named_by_its_whole_title_over_half_the_screen_high() -> None:
    """The hundredth trial's reminder settings at 150%: "in Reminder settings" names the panel
    titled so (not "Reminder", a column's heading, nor the Send reminder buttons), whose
    white ground runs over half the screen's height."""
    image = Image.new("RGB", (1000, 600), "#f6f8fa")
    ImageDraw.Draw(image).rounded_rectangle((700, 50, 990, 420), radius=8, fill="white",
                                            outline="#e1e4e8")
    read = [*words(60, 400, "REMINDER", key=1), *words(70, 720, "Reminder settings", key=2),
            *words(250, 720, "Send", key=3), *words(100, 60, "Send reminder", key=4),
            *words(282, 730, "1 day before", key=5)]
    button = Widget("button", (50, 92, 190, 124), "Send reminder", (60, 100, 177, 116))
    send = Widget("field", (720, 275, 980, 305), "Send", (720, 250, 756, 266), menu=True)
    analysis = Analysis(read, [button, send], 0.0)
    found = ground_in(analysis, image, 'the "Send" drop-down in Reminder settings').best
    assert inside(found.point, send.box)


def register_form() -> tuple[Image.Image, Analysis, dict[tuple[str, str], Widget]]:
    """The hundredth trial's birth registration: three fieldsets side by side, each its legend
    on its border over fields labelled alike; the third's Informant drop-down reads "Mother"."""
    image = Image.new("RGB", (1920, 700), "#f3f4f6")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    fields = {}
    for index, legend in enumerate(("Child", "Mother", "Father / second parent")):
        left = 28 + 627 * index
        draw.rectangle((left, 121, left + 608, 480), fill="white", outline="#c9d3dd")
        draw.rectangle((left + 16, 112, left + 24 + 11 * len(legend), 130), fill="#f3f4f6")
        read += words(114, left + 20, legend, key=10 * index)
        for row, label in enumerate(("First name(s)", "Surname")):
            top = 166 + 56 * row
            read += words(top - 20, left + 17, label, key=10 * index + row + 1)
            fields[legend, label] = Widget("field", (left + 17, top, left + 593, top + 30),
                                           label, (left + 17, top - 20, left + 134, top - 4))
    read += words(340, 1320, "Mother", key=99)  # the Informant drop-down's value
    informant = Widget("field", (1300, 330, 1870, 362), "Informant", (1300, 306, 1380, 322),
                       menu=True)
    return image, Analysis(read, [*fields.values(), informant], 0.0), fields


@pytest.mark.parametrize("legend", ["Child", "Mother", "Father / second parent"])
def test_a_field_in_a_fieldset_named_by_its_legend(legend: str) -> None:
    image, analysis, fields = register_form()
    for label in ("First name(s)", "Surname"):
        found = ground_in(analysis, image, f'the {label} field in the "{legend}" section').best
        assert inside(found.point, fields[legend, label].box), (legend, label)
    with pytest.raises(GroundingError, match="ambiguous"):
        ground_in(analysis, image, "the Surname field")


def test_a_drop_down_labelled_like_a_text_field_is_the_drop_down() -> None:
    """The same form's two "Place of birth" fields: the child's a drop-down, the mother's a
    text field. "the Place of birth drop-down" is the first; "… field" either (an error)."""
    read = [*words(420, 45, "Place of birth", key=1), *words(374, 671, "Place of birth", key=2),
            *words(444, 60, "Select a place", key=3)]
    select = Widget("field", (45, 436, 621, 468), "Place of birth", (45, 420, 160, 436),
                    menu=True)
    text = Widget("field", (671, 390, 1248, 420), "Place of birth", (671, 374, 786, 390))
    analysis = Analysis(read, [select, text], 0.0)
    image = Image.new("RGB", (1300, 600), "white")
    found = ground_in(analysis, image, 'the "Place of birth" drop-down').best
    assert inside(found.point, select.box)
    with pytest.raises(GroundingError, match="ambiguous"):
        ground_in(analysis, image, 'the "Place of birth" field')


def test_digits_0_in_a_row_are_no_row_of_radio_buttons() -> None:
    """The seventieth trial's linen order: each row's stepper field shows a grey "0", its "+"
    button a ring, the row's par level cell a "0": round to the mark finder, in a row, but a
    digit 0 is taller than wide. In a box one line high they stay its text (the field, no
    button reading "0"); radio buttons as wide as high, spaced so, are radio buttons."""
    edges = np.zeros((500, 1300), bool)
    row = Rect((36, 410, 1246, 444), (33, 407, 1249, 447), (255, 255, 255), (243, 244, 246),
               (229, 231, 235))
    zeros = [Mark("radio", (x, 420, x + 10, 432), False) for x in (548, 912)]
    plus = Mark("radio", (966, 421, 977, 431), True)
    assert mark_in_box(zeros[1], [row], [], edges, [*zeros, plus])
    radios = [Mark("radio", (x, 418, x + 14, 432), False) for x in (548, 700, 912)]
    assert not mark_in_box(radios[1], [row], [], edges, radios)
