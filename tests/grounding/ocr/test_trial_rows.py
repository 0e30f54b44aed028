"""Blind trials of 2026-12-07, evening (a golf club, a ski resort, a day nursery, a car
garage, a board game café, an angling club, a planetarium, a volunteer portal): each a wrong
click or an error before."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.engines import OcrWord
from tests.grounding.ocr.test_rank import Widget, ground, inside, words
from tests.grounding.ocr.test_widgets import FONT, Canvas, of_kind


def _party_sizes() -> tuple[list, list[Widget]]:
    """The café's "Party size" pills: each a radio button drawn inside a rounded pill. Only
    the chosen one's filled mark is found as a radio button; the others are read as buttons,
    their rings as letters ("© 5-6")."""
    read = [*words(100, 700, "Party size")]
    pills = []
    for left, reading in ((700, "O 2"), (900, "© 5-6"), (1020, "O7-8")):
        read += words(130, left + 12, reading)
        pills.append(Widget("button", (left, 122, left + 100, 154), reading,
                            (left + 12, 130, left + 12 + 9 * len(reading), 146)))
    read += words(130, 830, "3-4")
    pills.append(Widget("radio", (808, 130, 824, 146), "3-4", (830, 130, 857, 146)))
    return read, pills


@pytest.mark.parametrize("description", ["the 5-6 party size option", "the 7-8 party size option"])
def test_a_pills_words_name_no_row_of_the_chosen_option(description: str) -> None:
    """"the 5–6 party size option" was read as the cell in the row of "5-6" under "Party
    size": the chosen 3-4 radio button on the same line, clicked. The row's words are the
    pill's own: no row and column; the pill itself, or an error."""
    read, pills = _party_sizes()
    meant = next(p for p in pills if description.split()[1] in p.text)
    try:
        found = ground(description, read, pills)
    except GroundingError:
        return
    assert inside(found.point, meant.box)


def test_a_named_rows_one_field_under_a_heading_ending_in_the_word_said() -> None:
    """The café's loans table: "Table N" rows, an "Add a note" field in each under "Condition
    notes". "the notes field in the Table 4 row" was not found: "notes" heads no column
    alone (a title's last word is no heading)."""
    read = [*words(40, 40, "Table"), *words(40, 500, "Condition notes")]
    fields = []
    for k in range(4):
        y = 80 + 45 * k
        read += [*words(y, 40, f"Table {k + 1}"), *words(y, 510, "Add a note")]
        fields.append(Widget("field", (500, y - 6, 740, y + 22), "Add a note",
                             (510, y, 600, y + 16)))
        fields.append(Widget("button", (760, y - 6, 840, y + 22), "Check in",
                             (770, y, 842, y + 16)))
        read += words(y, 770, "Check in")
    found = ground("the notes field in the Table 3 row", read, fields)
    assert found.kind == "field" and inside(found.point, fields[4].box)


def _sentence_with_links(canvas: Canvas, y: int) -> None:
    """The planetarium's membership footer: grey words, then blue links underlined just under
    their baseline, the line broken round each descender ("p", "g": text-decoration-skip-ink)."""
    right = canvas.text(20, y, "Buying for someone else?", ink="#555555")[2]
    for text, link in (("Give a membership as a gift", True), ("or", False),
                       ("Renew here", True)):
        right = canvas.text(round(right) + 6, y, text, ink="#1a4fd0" if link else "#555555")[2]
        if not link:
            continue
        words = canvas.words[-len(text.split()):]
        base = round(words[0].box[3]) + 2  # (its first word has no descender)
        canvas.draw.line((words[0].box[0], base, words[-1].box[2], base), fill="#1a4fd0")
        for word in words:
            for k, letter in enumerate(word.text):
                if letter in "gpjqy":
                    left = canvas.draw.textlength(word.text[:k], font=FONT) + word.box[0]
                    canvas.draw.line((left - 1, base, left + 9, base), fill="white")


def test_a_short_word_under_a_links_underline_is_the_links() -> None:
    """"the "Give a membership as a gift" link" was not found: OCR boxed each "a" a few
    pixels wide (too narrow to be a link's word), so the link came apart in three pieces
    and no link read the words; the underline runs on under the "a" (and under no "or"
    between two links)."""
    canvas = Canvas(size=(900, 120))
    _sentence_with_links(canvas, 40)
    canvas.words = [OcrWord(w.text, (w.box[0] + 2, w.box[1], w.box[0] + 5, w.box[3]), w.line,
                            w.confidence) if w.text == "a" else w for w in canvas.words]
    links = sorted(w.text for w in of_kind(canvas.find(), "link"))
    assert links == ["Give a membership as a gift", "Renew here"]


def _notification_rows() -> tuple[list[OcrWord], list[Widget], list[Widget]]:
    """The garage's reminder settings: each row's title at the far left, then Email and SMS
    checkboxes and an unlabelled switch at the far right."""
    read: list[OcrWord] = []
    marks, switches = [], []
    for k, title in enumerate(("Service reminders", "Repair updates", "Offers and news")):
        y = 60 + 60 * k
        read += [*words(y, 40, title), *words(y + 2, 1020, "Email"), *words(y + 2, 1110, "SMS")]
        marks += [Widget("checkbox", (1000, y + 2, 1015, y + 17), "Email",
                         (1020, y + 2, 1065, y + 18)),
                  Widget("checkbox", (1090, y + 2, 1105, y + 17), "SMS",
                         (1110, y + 2, 1137, y + 18))]
        switches.append(Widget("checkbox", (1180, y - 3, 1228, y + 23)))
    return read, marks, switches


@pytest.mark.parametrize("kind", ["toggle", "switch"])
def test_a_rows_switch_beside_its_checkboxes(kind: str) -> None:
    """"the Offers and news toggle" was "ambiguous": its row held three marks, the Email and
    SMS checkboxes and the switch. A switch is the one drawn as a pill."""
    read, marks, switches = _notification_rows()
    found = ground(f"the Offers and news {kind}", read, marks + switches)
    assert inside(found.point, switches[2].box)


def test_a_list_items_button_beside_its_lower_lines() -> None:
    """The studio's engineers: each a list item between thin rules, a name on its first line,
    two lines under it, and Message and Hire buttons at its right, level with its middle
    line. "the Message button for Theo Lindqvist" was not found: on no line of the name, and
    not under it."""
    image = Image.new("RGB", (1280, 800), "white")
    draw = ImageDraw.Draw(image)
    read: list[OcrWord] = []
    buttons = []
    for k, name in enumerate(("Dana Okafor", "Theo Lindqvist", "Priya Raman")):
        top = 60 + 84 * k
        draw.line((30, top, 900, top), fill="#eeeeee")
        read += [*words(top + 14, 96, name), *words(top + 36, 96, "Mix engineer 8 years"),
                 *words(top + 56, 96, "Mixing Mastering Dense electronic mixes")]
        for left, text in ((730, "Message"), (830, "Hire")):
            buttons.append(Widget("button", (left, top + 36, left + 90, top + 66), text,
                                  (left + 10, top + 43, left + 10 + 9 * len(text), top + 59)))
            read += words(top + 43, left + 10, text)
    draw.line((30, 60 + 84 * 3, 900, 60 + 84 * 3), fill="#eeeeee")
    found = ground("the Message button for Theo Lindqvist", read, buttons, image)
    assert inside(found.point, buttons[2].box)


def _checkout_fields() -> tuple[list[OcrWord], list[Widget]]:
    """The pottery shop's checkout: a ZIP code field labelled beside it, and in the order
    summary a field whose placeholder reads "Promo or gift card code"."""
    read = [*words(120, 40, "ZIP code"), *words(120, 850, "Promo or gift card code")]
    fields = [Widget("field", (160, 112, 500, 144), "ZIP code", (40, 120, 112, 136)),
              Widget("field", (840, 112, 1100, 144), "Promo or gift card code",
                     (850, 120, 1057, 136))]
    return read, fields


def test_a_placeholders_first_and_last_words() -> None:
    """"the promo code box" was not found: "Promo or gift card code" read 0.60 alike, the
    ZIP code field 0.67. A short phrase's first and last words said, in order, are a near
    match (0.85), which the very words would beat."""
    read, fields = _checkout_fields()
    found = ground("the promo code box", read, fields)
    assert inside(found.point, fields[1].box)


def test_words_inside_a_phrase_are_no_near_match() -> None:
    """The rule is the whole phrase's ends: "gift code" (its middle and its end) is no name
    of the promo field, nor of the ZIP code field."""
    read, fields = _checkout_fields()
    with pytest.raises(GroundingError):
        ground("the gift code box", read, fields)


def test_the_sidebars_item_not_a_panels_heading_beside_it() -> None:
    """The pottery studio's dashboard: a sidebar of plain words down the left edge, and
    beside it, still in the screen's left third, panels whose headings and short rows form a
    column too. "the Messages link in the sidebar" was "ambiguous" between the sidebar's
    Messages and the Messages panel's heading."""
    read: list[OcrWord] = []
    items = ("Dashboard", "My classes", "Firing queue", "Studio passes", "Messages", "Settings")
    for k, item in enumerate(items):
        read += words(70 + 36 * k, 21, item)
    for k, line in enumerate(("Upcoming classes", "Fri 7 Mar", "Thu 13 Mar", "Messages",
                              "Front desk", "Ines Moreau")):
        read += words(140 + 33 * k, 260, line)
    found = ground("the Messages link in the sidebar", read, [])
    assert inside(found.point, (21, 214, 93, 230))


def _pill(left: int, top: int, text: str, height: int = 40) -> tuple[Widget, list[OcrWord]]:
    """A rounded button reading `text`, 9 px a character and 12 px of padding a side."""
    right = left + 24 + 9 * len(text)
    middle = top + (height - 16) // 2
    return (Widget("button", (left, top, right, top + height), text,
                   (left + 12, middle, right - 12, middle + 16)),
            words(middle, left + 12, text))


def _pill_row(left: int, top: int, texts: tuple[str, ...], height: int
              ) -> tuple[list[Widget], list[OcrWord]]:
    """Pills reading `texts` side by side, 10 px apart, from `left`."""
    pills: list[Widget] = []
    read: list[OcrWord] = []
    for text in texts:
        pill, said = _pill(left, top, text, height)
        pills.append(pill)
        read += said
        left = round(pill.box[2]) + 10
    return pills, read


def test_a_filter_bars_pill_not_a_cards_badge() -> None:
    """The pottery studio's classes: a bar of filter pills over cards whose badges say the
    same words (one card three badges in a row). "the Weekend filter" was ambiguous among
    three buttons reading Weekend; a filter is the one in the longest row of pills."""
    read: list[OcrWord] = []
    buttons = []
    rows = ((120, 40, 136, ("Beginner", "Intermediate", "Weekend", "Kids")),
            (400, 27, 80, ("Beginner", "Weekend")), (400, 27, 690, ("Intermediate", "Weekend",
                                                                   "Kids")))
    for top, height, left, texts in rows:
        pills, said = _pill_row(left, top, texts, height)
        buttons += pills
        read += said
    found = ground("the Weekend filter", read, buttons)
    assert inside(found.point, buttons[2].box)


def test_a_label_of_four_words_wrapped_beside_its_field() -> None:
    """The planning portal's settings: "Mobile number for text" over "messages", beside its
    field. A wrapped label was looked for among lines of three words at most, so "the
    Mobile number for text messages field" found only the field's first line, 0.83 alike,
    and was no field (the words before "field" alone are "messages")."""
    read = [*words(457, 547, "Mobile number for text"), *words(478, 547, "messages"),
            *words(401, 545, "Text message reminders")]
    field = Widget("field", (790, 456, 1030, 490), "Mobile number for text",
                   (547, 457, 745, 473))
    found = ground("the Mobile number for text messages field", read, [field])
    assert found.kind == "field" and inside(found.point, field.box)


def test_a_label_with_a_hint_in_brackets_over_a_text_area() -> None:
    """The volunteer portal's inbox: "Quick message to your coordinator (Priya Shah)" over a
    text area, and the dark sidebar's "Help" level with it, far left. Seven words were too
    many for a label, so the sidebar's link labelled the text area, and "the Quick message
    to your coordinator box" was not found. A hint in brackets is not counted."""
    canvas = Canvas(size=(1200, 300))
    canvas.box((0, 0, 200, 300), fill="#3a2f45", border=None)
    canvas.text(20, 130, "Help", ink="#ffffff")
    canvas.text(255, 80, "Quick message to your coordinator (Priya Shah)")
    canvas.box((255, 105, 1150, 170))
    canvas.text(265, 115, "Type a message...", ink="#888888")
    fields = of_kind(canvas.find(), "field")
    assert [f.text for f in fields] == ["Quick message to your coordinator (Priya Shah)"]


def test_a_colour_said_after_its_name() -> None:
    """The furniture shop's sofa: "Colour: Oat linen" over pills of colour names. "the Sage
    green colour option" found no "sage green colour": a label and the noun of the heading
    it stands under were looked for only when the label was one word ("the White colour
    option")."""
    pills, read = _pill_row(40, 90, ("Oat linen", "Sage green", "Charcoal"), 30)
    read += words(60, 40, "Colour: Oat linen")
    found = ground("the Sage green colour option", read, pills)
    assert inside(found.point, pills[1].box)


def _action_rows(action: str, rows: int, garbled: dict[int, list[OcrWord]]
                 ) -> tuple[list[OcrWord], list[Widget]]:
    """A table's rows 37 px apart, each with `action` as a link at x 1467 (the first at y
    187), but the rows in `garbled`, whose link OCR read as the words given (no link)."""
    read: list[OcrWord] = []
    links = []
    for row in range(rows):
        y = 187 + 37 * row
        if row in garbled:
            read += garbled[row]
            continue
        read += words(y, 1467, action, height=10)  # (13-px text: 10 px from cap to foot)
        box = (1467.0, float(y), 1467.0 + 9 * len(action), y + 10.0)
        links.append(Widget("link", box, action, box))
    return read, links


def test_a_word_a_pixel_high_is_no_place_to_click() -> None:
    """The college's timetable: where two of tesseract's bands met, the lower one read the
    underline of the second row's View link, 1 px high, as another "View"; it became a link,
    and "the third View link" counted it and clicked the second row's."""
    read, links = _action_rows("View", 5, {})
    read.append(OcrWord("View", (1467.0, 235.0, 1500.0, 236.0), (9,), 84.2))
    image = Image.new("RGB", (1920, 600), "white")
    ImageDraw.Draw(image).line((1467, 235, 1500, 235), fill="#1a4fd0")  # (the underline)
    found = ground("the third View link", read, links, image)
    assert inside(found.point, links[2].box)
    canvas = Canvas(size=(900, 200))
    canvas.text(40, 40, "View", ink="#1a4fd0", underline=True)
    real = canvas.words[0]
    line = real.box[3] + 2  # (its underline, where Canvas draws it)
    canvas.words.append(OcrWord("View", (real.box[0], line, real.box[2] + 1, line + 1), (9,),
                                84.2))
    assert [w.box for w in of_kind(canvas.find(), "link")] == [real.box]


def test_a_garbled_words_sliver_still_makes_a_count_unsure() -> None:
    """The charging network's sessions: the second row's Dispute link read as "Diss" (boxed
    1 px high) and "ute". "the second Dispute link" must not count the third row's: the
    sliver is no place to click, but still a sign of one."""
    garbled = {1: [OcrWord("Diss", (1467.0, 239.0, 1489.0, 240.0), (8,), 46.7),
                   OcrWord("ute", (1499.0, 228.0, 1520.0, 238.0), (8,), 72.3)]}
    read, links = _action_rows("Dispute", 5, garbled)
    try:
        found = ground("the second Dispute link", read, links)
    except GroundingError:
        return
    assert inside(found.point, (1467, 224, 1530, 240))


def test_a_misread_place_on_a_grids_row_makes_a_count_unsure() -> None:
    """The pharmacy's products: a grid of cards, four a row, each with a small View details
    link; OCR read the third card's as "View det". "the third View details link" counted
    the links read and clicked the second row's second card."""
    read: list[OcrWord] = []
    links = []
    for row in range(2):
        y = 350 + 240 * row
        for column in range(4):
            x = 40 + 470 * column
            text = "View det" if (row, column) == (0, 2) else "View details"
            read += words(y, x, text)
            if text == "View details":
                links.append(Widget("link", (x, y, x + 108, y + 16), text, (x, y, x + 108, y + 16)))
    try:
        found = ground("the third View details link", read, links)
    except GroundingError:
        return
    assert inside(found.point, (980, 350, 1088, 366))


def test_an_item_without_the_widget_before_the_one_counted() -> None:
    """The pharmacy's orders: each row an Invoice link and a Reorder button, and a Track
    button only on dispatched orders (the first is not). "the Track button in the second
    order" counted Track buttons and clicked the third order's."""
    read: list[OcrWord] = []
    widgets = []
    for row, tracked in enumerate((False, True, True, False)):
        y = 100 + 56 * row
        read += words(y, 40, f"Order 4823{row}")
        for x, kind, text in ((1300, "link", "Invoice"), (1400, "button", "Reorder"),
                              (1520, "button", "Track"))[:3 if tracked else 2]:
            widgets.append(Widget(kind, (x, y - 8, x + 90, y + 24), text,
                                  (x + 10, y, x + 10 + 9 * len(text), y + 16)))
            read += words(y, x + 10, text)
    try:
        found = ground("the Track button in the second order", read, widgets)
    except GroundingError:
        return
    assert inside(found.point, (1520, 148, 1610, 180))
