"""Blind trials of 2026-12-07 (a bowling alley, a model railway club, a marina, a sign-language
school, an orchestra, a garden centre, a dental practice, a recycling centre): what their
descriptions and pages showed the grounder missing, each an error before, never a wrong click."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import Analysis, OcrGrounder
from agent.grounding.ocr.rank import Ambiguous
from agent.grounding.ocr.textmatch import MISREAD, row_sets, runs, similarity
from agent.screen import Screenshot
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words
from tests.grounding.ocr.test_widgets import Canvas, of_kind


def link(y: float, x: float, text: str) -> Widget:
    """A link as `words` draws its text: 9 px a character, 16 px high."""
    box = (x, y, x + 9 * len(text), y + 16)
    return Widget("link", box, text, box)


def test_a_capital_n_on_a_pill_is_a_letter_not_a_checkbox() -> None:
    """The railway club's scale filters: "N gauge" on a pill. The N's outline, its notches
    closed by the edges' width, filled most of its box: taken for a checkbox, it hid the pill's
    button ("the N gauge filter button" found nothing)."""
    canvas = Canvas()
    canvas.draw.rounded_rectangle((40, 40, 150, 76), radius=18, outline="#999999", fill="white")
    canvas.text(58, 48, "N gauge")
    found = canvas.find()
    assert not of_kind(found, "checkbox")
    assert [w.text for w in of_kind(found, "button")] == ["N gauge"]


def test_a_radio_buttons_label_is_its_line_not_the_hint_under_it() -> None:
    """The recycling centre's van permit: "Pickup truck" with a grey hint under it that starts
    a pixel further left, both within reach of the radio button's middle: the label is the
    line beside the mark."""
    canvas = Canvas()
    canvas.draw.ellipse((40, 40, 62, 62), outline="#555555", width=2)
    canvas.text(76, 36, "Pickup truck")
    canvas.text(75, 58, "Open back, with or without a canopy", ink="#666666")
    radios = of_kind(canvas.find(), "radio")
    assert [r.text for r in radios] == ["Pickup truck"]


@pytest.mark.parametrize(("screen", "described", "alike"), [
    ("thu 13 june", "thursday 13 june", MISREAD),  # a timetable's day and month shortened
    ("sat", "saturday", MISREAD),
    ("sept", "september", MISREAD),
    ("thursday", "thu", 0.0),  # only the screen's words are spelt out, not a description's
    ("sun cream", "sunday cream", MISREAD),
    ("thu", "tuesday", 0.0),
])
def test_days_and_months_shortened_on_the_screen_are_near_their_names(
        screen: str, described: str, alike: float) -> None:
    assert similarity(screen, described) == alike


def test_a_row_named_by_its_day_in_full_is_the_row_of_its_short_name() -> None:
    """The signing school's timetable: "the Cancel link in the Thursday row", its rows
    "Tue 11 June" and "Thu 13 June"."""
    read = [*words(100, 40, "Tue 11 June, 18:30"), *words(100, 600, "Cancel"),
            *words(140, 40, "Thu 13 June, 18:30"), *words(140, 600, "Cancel")]
    links = [link(100, 600, "Cancel"), link(140, 600, "Cancel")]
    found = ground("the Cancel link in the Thursday row", read, links)
    assert inside(found.point, links[1].box)


def test_words_in_order_with_a_date_between_are_a_near_match() -> None:
    """The orchestra's audition slots: "the Saturday afternoon option" for "Saturday 11
    January, afternoon (2:00-5:00)"; the morning's and Sunday's are not it."""
    labels = ["Saturday 11 January, morning", "Saturday 11 January, afternoon",
              "Sunday 12 January, afternoon"]
    read = [w for k, label in enumerate(labels) for w in words(100 + 40 * k, 80, label)]
    radios = [Widget("radio", (50, 100 + 40 * k, 66, 116 + 40 * k), label,
                     (80, 100 + 40 * k, 80 + 9 * len(label), 116 + 40 * k))
              for k, label in enumerate(labels)]
    found = ground("the Saturday afternoon option", read, radios)
    assert inside(found.point, radios[1].box) and found.score < 1.0
    assert not runs(read, "saturday evening")
    # only a date between: no other words ("Saturday sessions and afternoon" says no slot)
    assert not runs(words(300, 80, "Saturday sessions and afternoon"), "saturday afternoon")


def test_an_option_said_by_a_radio_button_is_not_a_price_tables_cell() -> None:
    """The bowling alley's booking: "the Evening option", its radio button "Evening (5-10pm)"
    in a row of three, and "Evening" in the price table beside the form, which is no list
    to choose from."""
    labels = ["Afternoon (12-5pm)", "Evening (5-10pm)", "Late night (10pm-1am)"]
    read, radios = [], []
    for k, label in enumerate(labels):
        x = 76 + 190 * k
        read += words(320, x + 22, label)
        radios.append(Widget("radio", (x, 316, x + 15, 331), label,
                             (x + 22, 320, x + 22 + 9 * len(label), 336)))
    for k, (item, price) in enumerate([("Afternoon", "£24"), ("Evening", "£32"),
                                       ("Late night", "£28")]):
        read += [*words(135 + 29 * k, 868, item), *words(135 + 29 * k, 1107, f"{price} / hour")]
    found = ground("the Evening option", read, radios)
    assert inside(found.point, radios[1].box)


def test_a_bare_close_sign_is_the_dialogs_close_button() -> None:
    """A dialog's header with its × drawn bare, no box round it (read as the letter x): "the ×
    button" and "the Close button" are it."""
    read = [*words(100, 300, "Cancel this booking?"), *words(100, 760, "x"),
            *words(300, 500, "Keep booking"), *words(300, 660, "Cancel booking")]
    buttons = [Widget("button", (490, 290, 620, 326), "Keep booking", (500, 300, 608, 316)),
               Widget("button", (650, 290, 800, 326), "Cancel booking", (660, 300, 786, 316))]
    for description in ("the × button", "the Close button of the dialog"):
        found = ground(description, read, buttons)
        assert found.kind == "button" and inside(found.point, (760, 100, 769, 116))


def test_a_lone_x_among_words_is_no_button() -> None:
    read = [*words(100, 300, "Size 2 x 3 metres"), *words(300, 500, "Keep booking")]
    with pytest.raises(Exception, match="no button like"):
        ground("the × button", read, [])


def test_a_role_the_screen_does_not_say_is_dropped_for_a_widget_reading_the_rest() -> None:
    """"the N gauge filter button", "the 11:00 slot": what the widget is for, said after its
    words; the words alone find it, only as a widget reading them exactly."""
    read = [*words(100, 60, "All scales"), *words(100, 200, "N gauge"),
            *words(200, 60, "Kettle Lane"), *words(230, 60, "N gauge"),
            *words(300, 60, "11:00"), *words(300, 160, "13:30")]
    pills = [Widget("button", (50, 92, 160, 124), "All scales", (60, 100, 150, 116)),
             Widget("button", (190, 92, 280, 124), "N gauge", (200, 100, 263, 116)),
             Widget("button", (50, 292, 120, 324), "11:00", (60, 300, 105, 316)),
             Widget("button", (150, 292, 220, 324), "13:30", (160, 300, 205, 316))]
    assert inside(ground("the N gauge filter button", read, pills).point, pills[1].box)
    assert inside(ground("the 11:00 slot", read, pills).point, pills[2].box)
    with pytest.raises(Exception, match="no text like"):
        ground("the Kettle Lane filter", read, pills)  # words, no widget: still not found


def test_a_radio_button_named_by_its_rows_cells() -> None:
    """The garden centre's delivery slots: "the Thursday 17 Apr 8am – 12pm option", its label
    "Thursday 17 Apr" and the time in the next cell of its row (the dash read two pixels
    high, a row of its own once)."""
    rows = [("Wednesday 16 Apr", "8am", "12pm"), ("Thursday 17 Apr", "8am", "12pm")]
    read, radios = [], []
    for k, (day, start, end) in enumerate(rows):
        y = 100 + 40 * k
        read += [*words(y, 80, day), *words(y, 300, start),
                 OcrWord("-", (340.0, y + 7.0, 346.0, y + 9.0), (y,)), *words(y, 352, end)]
        radios.append(Widget("radio", (50, y, 66, y + 16), day, (80, y, 80 + 9 * len(day), y + 16)))
    found = ground("the Thursday 17 Apr 8am – 12pm option", read, radios)
    assert inside(found.point, radios[1].box)


def test_a_field_under_a_column_heading_read_a_letter_short() -> None:
    """The snack bar's order table: the Qty heading read "ty" at 49%, a field per row under
    it: "the Qty field in the Nachos row"."""
    read = [*words(60, 60, "Item"), *words(60, 400, "Price"),
            OcrWord("ty", (520.0, 60.0, 538.0, 76.0), (60,), 49.0),
            *words(100, 60, "Nachos"), *words(100, 400, "£5.50"),
            *words(140, 60, "Fries"), *words(140, 400, "£3.00")]
    fields = [Widget("field", (510, 92, 576, 124), "£5.50", (400, 100, 445, 116)),
              Widget("field", (510, 132, 576, 164), "£3.00", (400, 140, 445, 156))]
    found = ground("the Qty field in the Nachos row", read, fields)
    assert inside(found.point, fields[0].box)
    sure = [*read[:2], OcrWord("ty", (520.0, 60.0, 538.0, 76.0), (60,), 90.0), *read[3:]]
    with pytest.raises(Exception, match="qty"):  # read sure, "ty" heads no Qty column
        ground("the Qty field in the Nachos row", sure, fields)


def test_a_link_under_a_cards_title_far_down_the_card() -> None:
    """The party packages: "the Details link under Pin Pals", the link centred at the card's
    foot, under a list and a button, not under the title's words."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    for left in (40, 400):
        draw.rectangle((left, 40, left + 320, 400), outline="#cccccc", fill="white")
    read = [*words(60, 60, "Strike Kids"), *words(60, 420, "Pin Pals"),
            *words(360, 180, "Details"), *words(360, 540, "Details")]
    links = [Widget("link", (180, 360, 243, 376), "Details", (180, 360, 243, 376)),
             Widget("link", (540, 360, 603, 376), "Details", (540, 360, 603, 376))]
    found = ground("the Details link under Pin Pals", read, links, image)
    assert inside(found.point, links[1].box)


@pytest.mark.parametrize(("description", "text", "relation", "anchor"), [
    ("Availability in the sidebar menu", "availability", None, None),
    ("Workshops in the sidebar", "workshops", None, None),
    ("Prescriptions in the side menu", "prescriptions", None, None),
    ("Sign in with the app", "sign in with the app", None, None),  # no frame: all words
    ("Sign in", "sign in", None, None),  # "in" ends no frame here
    ("Log in to the site", "log in to the site", None, None),
    ("the Card number field under Link a physical card", "card number", "below",
     "link a physical card"),
    ("the Details link of the Deep cleaning card", "details", "for", "deep cleaning"),
])
def test_where_a_description_says_the_element_is(description: str, text: str,
                                                  relation: str | None,
                                                  anchor: str | None) -> None:
    """A frame named after the words ("… in the sidebar menu") is where, not text; a title
    starting with a kind's word ("under Link a physical card") names no link; "of the X card"
    is in it."""
    query = parse(description)
    assert query.text == text and query.relation == relation
    assert (query.anchor.text if query.anchor else None) == anchor


def test_a_rows_words_said_twice_are_taken_where_they_stand_together() -> None:
    """The film society's shift cards side by side: "Sat 8 Mar · Usher" and "Fri 28 Mar · Box
    office" on one screen row. "the Drop link for the Fri 28 Mar shift" took both cards'
    "Mar" for the row's name, its box starting in the Saturday card, whose Drop was clicked."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    for left in (40, 420):
        draw.rectangle((left, 40, left + 340, 160), outline="#dddddd", fill="white")
    read = [*words(60, 60, "Sat 8 Mar · Usher"), *words(60, 440, "Fri 28 Mar · Box office"),
            *words(120, 60, "Swap"), *words(120, 120, "Drop"),
            *words(120, 440, "Swap"), *words(120, 500, "Drop")]
    held = row_sets(read, "fri 28 mar")
    assert len(held) == 1 and held[0].box[0] == 440
    found = ground("the Drop link for the Fri 28 Mar shift", read, [], image)
    assert inside(found.point, (500, 120, 536, 136))


def test_the_checkbox_for_a_label_in_a_panel_is_on_the_labels_row() -> None:
    """The canal boats' safety briefing: checkboxes in a panel, "the checkbox for I have
    watched the safety video", its label read "Ihave watched …" (so found in part): the one on
    that row, not the next row's, whose top is nearer the label's foot."""
    image = Image.new("RGB", SCREEN.size, "#f0f0f0")
    ImageDraw.Draw(image).rectangle((20, 20, 600, 200), outline="#dddddd", fill="white")
    labels = ["Ihave watched the safety video with my crew",
              "Children will wear lifejackets on deck at all times"]
    read, boxes = [], []
    for k, label in enumerate(labels):
        y = 60 + 26 * k
        read += words(y, 80, label)
        boxes.append(Widget("checkbox", (50, y, 66, y + 16), label.removeprefix("I"),
                            (80, y, 80 + 9 * len(label), y + 16)))
    found = ground("the checkbox for I have watched the safety video", read, boxes, image)
    assert inside(found.point, boxes[0].box)


def test_two_readings_answering_two_places_with_words_only_are_an_error() -> None:
    """The airport parking's order summary at 150%: read again magnified, the words were
    grouped otherwise and "the Remove link next to Fast Track security" went to another row's
    Remove. Words alone in two places, the second reading no surer: an error naming both,
    not the second reading's guess."""
    first = [*words(100, 60, "Fast Track security"), *words(100, 470, "Remove"),
             *words(140, 60, "Cancellation cover"), *words(140, 470, "Remove")]
    closer = [*words(100, 60, "Fast Track secunty"), *words(100, 470, "Remove"),
              *words(140, 60, "Fast Track security"), *words(140, 470, "Remove")]
    grounder = OcrGrounder()
    grounder.analyse = lambda image: Analysis(first, [], 0.0)  # type: ignore[method-assign]
    grounder.closer = (  # type: ignore[method-assign]
        lambda image, analysis: Analysis(closer, [], 0.0))
    shot = Screenshot.from_image(SCREEN)
    with pytest.raises(Ambiguous, match="two readings"):
        grounder.ground(shot, "the Remove link next to Fast Track security")


def test_a_number_box_under_its_columns_heading_is_the_rows_field() -> None:
    """The film society's ticket table: an input showing its "0" centred, like a button's
    words: "the quantity field in the Concession row" is the box under Quantity."""
    read = [*words(60, 60, "Ticket"), *words(60, 400, "Price"), *words(60, 520, "Quantity"),
            *words(100, 60, "Full price"), *words(100, 400, "£9.00"), *words(100, 548, "0"),
            *words(140, 60, "Concession"), *words(140, 400, "£6.50"), *words(140, 548, "0")]
    boxes = [Widget("button", (520, 92, 594, 124), "0", (548, 100, 557, 116)),
             Widget("button", (520, 132, 594, 164), "0", (548, 140, 557, 156))]
    found = ground("the quantity field in the Concession row", read, boxes)
    assert inside(found.point, boxes[1].box)
    with pytest.raises(Exception, match="quantity"):  # a button is no field elsewhere
        ground("the quantity field", read, boxes)


def test_a_label_wrapped_over_two_lines_beside_its_field() -> None:
    """The film suggestion form: "Why should we" over "show it?", set flush right beside a
    text area."""
    read = [*words(316, 81, "Why should we"), *words(334, 121, "show it?")]
    area = Widget("field", (210, 308, 670, 386))
    found = ground("the Why should we show it? box", read, [area])
    assert found.kind == "field" and inside(found.point, area.box)


@pytest.mark.parametrize(("description", "text", "relation", "anchor"), [
    ("the × close button of the dialog", "×", None, None),
    ('the "× close" button', "× close", None, None),  # quoted: its very words
    ("the View syllabus link of the UX Design cohort", "view syllabus", "for", "ux design"),
    ("the second of the Delete buttons", "delete buttons", None, None),  # no item named
])
def test_a_sign_with_its_name_and_an_item_of_a_title(description: str, text: str,
                                                     relation: str | None,
                                                     anchor: str | None) -> None:
    query = parse(description)
    assert query.text == text and query.relation == relation
    assert (query.anchor.text if query.anchor else None) == anchor


def test_a_widget_named_by_its_word_and_a_noun_the_screen_lacks() -> None:
    """The ice rink's party packages: "the Gold package" is the radio button Gold (the
    noun is said by a heading far above and by another checkbox's label); "the Organic
    filter" is the pill, not the same word in a card's text."""
    read = [*words(40, 60, "Choose a package"), *words(100, 80, "Bronze"),
            *words(140, 80, "Gold"), *words(300, 80, "Photo package"),
            *words(400, 80, "Organic"), *words(500, 600, "Organic veg from our farm")]
    widgets = [Widget("radio", (50, 100, 66, 116), "Bronze", (80, 100, 134, 116)),
               Widget("radio", (50, 140, 66, 156), "Gold", (80, 140, 116, 156)),
               Widget("checkbox", (50, 300, 66, 316), "Photo package", (80, 300, 197, 316)),
               Widget("button", (60, 392, 160, 424), "Organic", (80, 400, 143, 416))]
    assert inside(ground("the Gold package", read, widgets).point, widgets[1].box)
    assert inside(ground("the Organic filter", read, widgets).point, widgets[3].box)


def test_a_button_next_to_a_rows_name_is_on_its_row_not_under_it() -> None:
    """The lido café's menu: the Hot chocolate row's Add button read "(add" and taken for a
    field; "the Add button next to Hot chocolate" fell back to under it, the Chai row's Add.
    A button next to a row's name is on its row or the line just under it: else an error."""
    read = [*words(100, 40, "Latte"), *words(100, 400, "£3.20"),
            *words(147, 40, "Hot chocolate"), *words(147, 400, "£3.50"),
            *words(194, 40, "Chai"), *words(194, 400, "£3.40")]  # rows 47 px apart
    adds = [Widget("button", (480, 92, 540, 124), "Add", (496, 100, 523, 116)),
            Widget("button", (480, 186, 540, 218), "Add", (496, 194, 523, 210))]
    with pytest.raises(Exception, match="no button like 'add'"):
        ground("the Add button next to Hot chocolate", read, adds)
    assert inside(ground("the Add button next to Chai", read, adds).point, adds[1].box)


def test_a_switch_the_finder_missed_is_clicked_on_the_switch_not_its_words() -> None:
    """The lido's season passes: "Pay in full [switch] Pay monthly", the switch a grey track
    the finder did not find, its words no <label>: "the Pay monthly toggle" is the track left
    of the words, which toggle nothing."""
    image = Image.new("RGB", SCREEN.size, "#fbf9f4")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((226, 102, 272, 126), radius=12, fill="#c6d0d4")
    draw.ellipse((229, 105, 247, 123), fill="white")
    read = [*words(106, 80, "Pay in full"), *words(106, 284, "Pay monthly")]
    found = ground("the Pay monthly toggle", read, [], image)
    assert inside(found.point, (226, 102, 272, 126))


def test_a_tiny_box_beside_a_panels_edge_is_clicked_by_its_label() -> None:
    """The held-out Tk preferences at 300%: a checkbutton's tiny box beside its text, and the
    panel's edge further left, both within reach: no one drawing, so the label (which a Tk
    checkbutton toggles from) is clicked, not the middle between them."""
    image = Image.new("RGB", SCREEN.size, "#ebebeb")
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 60, 700, 160), fill="#d9d9d9", outline="#9a9a9a")  # the panel
    draw.rectangle((108, 104, 116, 112), fill="white", outline="#555555")  # the tiny box
    read = words(90, 128, "Show line numbers", char=20, height=36)
    found = ground("the Show line numbers checkbox", read, [], image)
    assert found.kind == "text" and inside(found.point, (128, 90, 480, 126))


def test_a_link_next_to_a_rows_name_may_stand_on_the_line_under_it() -> None:
    """The garden centre's basket: each item's Remove button beside its name, its "Save for
    later" link on the line under: "the Save for later link next to Peat-free compost"."""
    read = [*words(100, 40, "Rose food 1kg"), *words(100, 600, "Remove"),
            *words(120, 600, "Save for later"), *words(160, 40, "Peat-free compost 40L"),
            *words(160, 600, "Remove"), *words(180, 600, "Save for later")]
    links = [link(120, 600, "Save for later"), link(180, 600, "Save for later")]
    found = ground("the Save for later link next to Peat-free compost", read, links)
    assert inside(found.point, links[1].box)


def test_a_row_named_by_a_number_is_not_where_the_number_is_a_part() -> None:
    """The taproom's tap list: "the Swap keg button for tap 6", the taps' numbers in badges
    OCR did not read, and "Keg 56% full" read "Keg 5! 6 full" on tap 3's row: no row."""
    read, buttons = [], []
    for k, (name, level) in enumerate([("Copper Lager", "Keg 5! 6 full"),
                                        ("Rusty Gate", "Keg 14% full")]):
        y = 100 + 60 * k
        read += [*words(y, 80, name), *words(y, 500, level)]
        buttons.append(Widget("button", (800, y - 4, 884, y + 20), "Swap keg",
                              (810, y, 874, y + 16)))
    with pytest.raises(GroundingError):
        ground("the Swap keg button for tap 6", read, buttons)


def test_a_short_label_misread_is_no_noun_for_the_field_next_to_it() -> None:
    """The removals deposit: "the CVC field next to Expiry", the CVC label read "eve": not
    the Expiry field (as "the quantity field next to Rye flour" is the Rye flour field)."""
    read = [*words(100, 60, "Expiry"), *words(100, 700, "eve")]
    fields = [Widget("field", (60, 124, 600, 160), "Expiry", (60, 100, 114, 116)),
              Widget("field", (700, 124, 1200, 160), "eve", (700, 100, 727, 116))]
    with pytest.raises(GroundingError):
        ground("the CVC field next to Expiry", read, fields)


def test_a_radio_card_s_mark_at_its_far_end_is_its_titles() -> None:
    """The removals cover options: cards side by side, each title at its left and its radio
    button at its right end, just left of the next card's title: "the Full value cover
    option" is the mark on its own card."""
    image = Image.new("RGB", SCREEN.size, "#f4f4f4")
    draw = ImageDraw.Draw(image)
    read, radios = [], []
    for k, title in enumerate(("Basic cover", "Standard cover", "Full value cover")):
        left = 20 + 400 * k
        draw.rectangle((left, 100, left + 380, 200), fill="white", outline="#cccccc")
        read += words(120, left + 20, title)
        radios.append(Widget("radio", (left + 340, 120, left + 356, 136)))
    for k, title in enumerate(("Basic cover", "Standard cover", "Full value cover")):
        found = ground(f"the {title} option", read, radios, image)
        assert inside(found.point, radios[k].box), title


def test_the_field_below_a_label_with_a_second_line_under_its_field_is_an_error() -> None:
    """The bike shop's checkout: "the field below Street address", the field it labels and
    the address's unlabelled second line just under: either may be meant."""
    read = words(100, 40, "Street address")
    fields = [Widget("field", (36, 120, 700, 152), "Street address", (40, 100, 166, 116)),
              Widget("field", (36, 158, 700, 190))]
    with pytest.raises(Ambiguous):
        ground("the field below Street address", read, fields)
