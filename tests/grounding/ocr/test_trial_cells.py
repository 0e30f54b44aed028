"""Blind trials of 2026-12-07 and 08, late night (a hospital portal, a water supplier, a model
flying club, a car rally, a games shop, a nature reserve, an instrument rental firm, a co-living
app, then a furniture marketplace and seven more): a row's name OCR garbled made up with a far
cell's word; a label said as a sentence, its verb taken for a verb of acting; a row's Reject
button under its Accept words taken for a heading; a status badge for a filter pill with a
count; a mark read as a word before its label; words after a label not understood; a header's
foot taken for a field's top (each a wrong click)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.errors import GroundingError
from agent.grounding.ocr.cards import ruled_item
from agent.grounding.ocr.columns import said_level
from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.fields import field_point
from agent.grounding.ocr.rows import across_row
from tests.grounding.ocr.test_rank import Widget, ground, inside, words


def _result(y: float, title: list[OcrWord]) -> tuple[list[OcrWord], Widget]:
    """A search result's row: its title at the left, a "View record" link far right."""
    link = Widget("link", (1100.0, y, 1181.0, y + 11.0), "View record",
                  (1100.0, y, 1181.0, y + 11.0))
    return title + words(y, 1100, "View record", height=11), link


def test_a_garbled_name_is_not_made_up_with_a_far_cells_word() -> None:
    """The nature reserve's sightings: "Marsh harrier" was read "Marsh har -", and with the
    "View" of its own row's link, 1,400 px along, it passed for the name across the row's
    cells; that link, inside the name, was no longer in the row, and "the View record link in
    the Marsh harrier result" clicked the next result's: a wrong click."""
    garbled = [OcrWord("Marsh", (21.0, 40.0, 78.0, 54.0), (1,)),
               OcrWord("har", (86.0, 40.0, 117.0, 54.0), (1,), 57.0),
               OcrWord("-", (127.0, 40.0, 130.0, 43.0), (1,), 0.0),
               OcrWord("r", (144.0, 44.0, 151.0, 54.0), (1,), 61.5)]
    first, harrier = _result(40, garbled)
    second, bittern = _result(104, words(100, 21, "Bittern", height=14))
    read = first + second
    assert not [c for c in across_row("marsh harrier", read) if c.box[2] > 1000]
    try:
        found = ground("the View record link in the Marsh harrier result", read,
                       [harrier, bittern])
    except Exception as exc:  # an error naming the places is no wrong click
        assert "harrier" in str(exc)
    else:
        assert inside(found.point, harrier.box)
    # a name across two cells, one word misread, still names its row; so does one whose cell
    # holds more words ("Biscuit (dog)", re-grounding the earlier trials found)
    table = words(300, 40, "18:45") + words(300, 400, "Spn") + words(300, 900, "Book")
    assert [c for c in across_row("18:45 spin", table) if c.box[0] == 40.0]
    pets = words(300, 40, "Biscuit (dog)") + words(300, 400, "Kennel cough")
    assert [c for c in across_row("biscuit's kennel cough", pets) if c.box[0] == 40.0]


@pytest.mark.parametrize(("description", "text"), [
    ("the I use a wheelchair option", "i use a wheelchair"),
    ("the You choose a seat option", "you choose a seat"),
    ("use the I agree checkbox", "i agree"),
    ("use the Save button", "save"),
])
def test_a_label_said_as_a_sentence_keeps_its_verb(description: str, text: str) -> None:
    """The hospital's transport form: "the I use a wheelchair option" was taken for "the …
    wheelchair option" ("use" a verb of acting, "a" an article), and the option ending "… in
    my wheelchair", matched at its last word, ticked: a wrong click. After its subject a
    verb is the label's."""
    assert parse(description).text == text


def test_a_filter_said_by_its_words_is_unsure_beside_a_pill_with_a_count() -> None:
    """The restaurant's orders: "the Ready filter button" ("filter" no word on the screen)
    was looked for as a button reading "Ready", and a row's "Ready" status badge, found as a
    button, beat the filter bar's "Ready 2" pill: a wrong click. A widget of the kind reading
    the words and a count reads them too: an error, not a guess."""
    pills = [Widget("button", (x, 208.0, x + 130.0, 252.0), text, (x + 20, 220.0, x + 110, 240.0))
             for x, text in ((42.0, "New 4"), (186.0, "Preparing 3"), (385.0, "Ready 2"))]
    badge = Widget("button", (1127.0, 715.0, 1211.0, 744.0), "Ready",
                   (1140.0, 722.0, 1198.0, 737.0))
    read = words(220, 62, "New 4") + words(220, 206, "Preparing 3") + \
        words(220, 405, "Ready 2") + words(722, 1140, "Ready") + words(722, 200, "Marco Rossi")
    try:
        found = ground("the Ready filter button", read, [*pills, badge])
    except GroundingError:
        return
    assert inside(found.point, pills[2].box)


def test_words_said_on_the_rows_own_line_are_no_column_heading() -> None:
    """The same orders at 150% (the words as read): the green Accept buttons of the first rows
    were not found, their words read as plain text after a corner read "f"; "the Accept
    button in the Tom Becker row" then took the row's Reject button for the cell under an
    "Accept" heading (the first row's "Accept", left in the cell above): a wrong click."""
    read = [OcrWord(text, box, line, 96.0) for text, box, line in (
        ("CUSTOMER", (199, 293, 323, 307), (15,)), ("ACTIONS", (1497, 293, 1596, 307), (21,)),
        ("Priya", (200, 354, 251, 376), (23,)), ("Shah", (262, 354, 315, 371), (23,)),
        ("Accept", (1515, 355, 1586, 376), (29,)), ("Reject", (1630, 355, 1693, 375), (29,)),
        ("View", (1793, 355, 1842, 371), (30,)),
        ("Tom", (197, 427, 241, 444), (32,)), ("Becker", (252, 427, 327, 444), (32,)),
        ("View", (1793, 428, 1842, 444), (38,)), ("Accept", (1515, 428, 1586, 458), (39,)),
        ("Reject", (1630, 428, 1693, 448), (39,)),
        ("Aisha", (198, 500, 257, 517), (41,)), ("Khan", (268, 500, 321, 517), (41,)),
        ("Accept", (1515, 501, 1586, 522), (47,)), ("Reject", (1630, 501, 1693, 521), (47,)),
        ("View", (1793, 501, 1842, 517), (48,)))]
    read += [OcrWord("f", (1498, 344, 1500, 346), (29,), 71.5),
             OcrWord("f", (1498, 417, 1500, 419), (39,), 71.5)]
    found_boxes = [("button", (1610, 344, 1710, 385), "Reject"), ("link", (1793, 355, 1842, 371),
                   "View"), ("button", (1610, 417, 1710, 458), "Reject"),
                   ("link", (1793, 428, 1842, 444), "View"),
                   ("button", (1497, 489, 1604, 531), "Accept"),
                   ("button", (1610, 490, 1710, 531), "Reject"),
                   ("link", (1793, 501, 1842, 517), "View")]
    widgets = [Widget(kind, (box[0], box[1], box[2], box[3]), text,
                      next(w.box for w in read if w.text == text and box[1] <= w.box[1] < box[3]))
               for kind, box, text in found_boxes]
    try:
        found = ground("the Accept button in the Tom Becker row", read, widgets)
    except GroundingError:
        return
    assert inside(found.point, (1497.0, 417.0, 1604.0, 458.0))


def test_words_starting_with_their_mark_read_as_a_word_label_that_mark() -> None:
    """The airline's payment form (the words as read): the box of "I accept the fare rules"
    was read as "(©" and "I accept" as "Laccept", so the words said were found starting on
    the box itself; taken for the words, it was no checkbox next to them, and "the checkbox
    next to I accept the fare rules" ticked the one above: a wrong click."""
    read = [OcrWord(text, box, line, confidence) for text, box, line, confidence in (
        ("(©", (243, 435, 259, 448), (1,), 44.0), ("Save", (268, 438, 301, 448), (1,), 95.8),
        ("this", (306, 437, 331, 448), (1,), 95.5), ("card", (337, 437, 365, 448), (1,), 95.5),
        ("to", (371, 438, 384, 448), (1,), 97.0), ("my", (391, 440, 411, 451), (1,), 97.0),
        ("Heron", (417, 438, 457, 448), (1,), 96.1), ("Club", (463, 437, 493, 448), (1,), 96.1),
        ("account", (499, 438, 554, 448), (1,), 96.8), ("(©", (243, 463, 259, 476), (2,), 28.2),
        ("Laccept", (268, 463, 322, 476), (2,), 9.2), ("the", (327, 462, 349, 473), (2,), 96.3),
        ("fare", (355, 462, 381, 473), (2,), 96.8), ("rules", (388, 462, 420, 473), (2,), 92.6),
        ("for", (426, 462, 445, 473), (2,), 97.0), ("extras", (450, 463, 492, 473), (2,), 96.9),
        ("(non-refundable)", (498, 462, 614, 474), (2,), 96.5))]
    boxes = [Widget("checkbox", (242.0, 434.0, 260.0, 452.0),
                    "Save this card to my Heron Club account", (268.0, 437.0, 554.0, 451.0)),
             Widget("checkbox", (242.0, 459.0, 260.0, 477.0),
                    "accept the fare rules for extras (non-refundable)",
                    (327.0, 462.0, 614.0, 474.0))]
    found = ground("the checkbox next to I accept the fare rules", read, boxes)
    assert inside(found.point, boxes[1].box)


def test_words_not_understood_after_a_label_leave_no_guess_between_its_places() -> None:
    """The airline's booking: "the Add bags link for the outbound flight" ("for the outbound
    flight" understood as nothing) clicked the one "Add bags" found as a link, the return
    flight's, though the outbound card's read the same words (its link not found): a wrong
    click. Words said to tell places apart that are not understood leave the very words in
    two places an error."""
    assert parse("the Add bags link for the outbound flight").unread == "the outbound flight"
    assert parse("the Delete button for Bob").unread == ""
    assert parse("the Submit for approval button").unread == ""  # (its label's "for")
    assert parse("the checkbox for marketing emails").unread == ""  # (its label's words)
    read = [OcrWord("Add", (560.0, 226.0, 592.0, 255.0), (1,), 26.9),
            OcrWord("bags", (596.0, 226.0, 630.0, 255.0), (1,), 26.9),
            *words(236, 648, "Add meals"), *words(415, 565, "Add bags"),
            *words(415, 648, "Add meals")]
    links = [Widget("link", (565.0, 415.0, 630.0, 429.0), "Add bags",
                    (565.0, 415.0, 630.0, 429.0)),
             Widget("link", (648.0, 415.0, 721.0, 429.0), "Add meals",
                    (648.0, 415.0, 721.0, 429.0))]
    with pytest.raises(GroundingError, match="not understood"):
        ground("the Add bags link for the outbound flight", read, links)
    assert inside(ground("the Add bags link", read, links).point, links[0].box)


@pytest.mark.parametrize(("description", "text", "side", "anchor"), [
    ("Addresses in the menu on the left", "addresses", True, None),
    ("the Invoices link in the left-hand menu", "invoices", True, None),
    ("the Details link of Research Pod B", "details", False, "research pod b"),
    ("the Close button of the Settings dialog", "close", False, None),  # (a frame)
    ("the Terms of Use link", "terms of use", False, None),  # (no kind's word before "of")
])
def test_a_menu_at_a_side_and_an_item_of_a_name_are_understood(
        description: str, text: str, side: bool, anchor: str | None) -> None:
    """The games shop's account menu: "Addresses in the menu on the left" looked for the
    words "addresses in the menu"; the library's study spaces: "the Details link of Research
    Pod B" dropped the card's name and found six Details links (two errors)."""
    query = parse(description)
    assert (query.text, query.side) == (text, side)
    assert (query.anchor.text if query.anchor is not None else None) == anchor


def test_a_headings_word_inside_a_rows_phrase_still_heads_its_column() -> None:
    """A radio rota's "Needs cover" badge on the Sunday Soul row: "cover" there is a phrase's
    word, not the row's own "Cover" beside its field; the field stays the one under the Cover
    heading (re-grounding the earlier trials found "the Cover field in the Sunday Soul row"
    turned into an error)."""
    field = (1273.0, 399.0, 1439.0, 429.0)
    badge = words(408, 1026, "Needs cover")
    assert not said_level(field, "cover", badge)
    speck = [OcrWord("f", (1150.0, 399.0, 1152.0, 401.0), (1,), 71.5),
             OcrWord("Cover", (1160.0, 408.0, 1210.0, 425.0), (1,), 96.0)]
    assert said_level(field, "cover", speck)  # (alone but for a speck read as a letter)
    assert not said_level(field, None, speck)


def test_a_headers_foot_is_no_fields_top_under_a_placeholder() -> None:
    """The furniture marketplace's search: the white search pill on a green header was not
    found, its placeholder's "Search" read with the pill's height; the edge under it, the
    header's foot across the whole screen, was taken for the top of a field below the word,
    and the text went into the breadcrumb under the header: a wrong click."""
    image = Image.new("RGB", (1000, 200), "#f8f8f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 999, 60), fill="#2f6b57")
    draw.rounded_rectangle((204, 12, 748, 48), radius=18, fill="white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 15)
    draw.text((216, 21), "Search for sofas, tables, lamps...", font=font, fill="#6b7280")
    draw.text((32, 74), "Home > Storage > Results", font=font, fill="#2f6b57")
    point = field_point(image, (205.0, 12.0, 266.0, 45.0))
    assert point is None or 12 < point[1] < 48


def test_a_list_items_rules_may_start_flush_with_its_title() -> None:
    """The charity's shop finder: each result's title starts where the rules between the
    results start; the rules were looked for from a text height left of the title, found
    none, and "the Book drop-off button for the Summertown shop", far right under the title's
    line, was told from no result (an error)."""
    image = Image.new("RGB", (1920, 500), "white")
    draw = ImageDraw.Draw(image)
    for y in (341, 439):
        draw.line((40, y, 1880, y), fill=(238, 238, 238))
    assert ruled_item(image, (41.0, 355.0, 218.0, 373.0)) == (40.0, 341.0, 1881.0, 439.0)


def test_a_worded_buttons_edge_read_as_x_is_no_close_sign() -> None:
    """The parents' evening dialog, read closer: the Keep appointment button's left edge was
    read "[x", a × for "the Close button of the dialog", which then tied with the dialog's
    borderless "× Close" at its top right (an error). A button of words holds no ×."""
    read = [*words(373, 1146, "Close"), OcrWord("[x", (892.0, 679.0, 917.0, 713.0), (7,), 43.4),
            *words(690, 910, "Keep appointment", 8), *words(690, 1082, "Yes, cancel it", 9)]
    buttons = [Widget("button", (892.0, 679.0, 1055.0, 713.0), "Keep appointment",
                      (910.0, 690.0, 1038.0, 704.0)),
               Widget("button", (1065.0, 679.0, 1190.0, 713.0), "Yes, cancel it",
                      (1082.0, 690.0, 1172.0, 704.0))]
    found = ground("the Close button of the dialog", read, buttons)
    assert inside(found.point, (1146.0, 373.0, 1191.0, 389.0))
    # (a dialog's title strip taken for a field holds its × all the same)
    header = [Widget("field", (707.0, 110.0, 1210.0, 171.0), "Cancel your Direct Debit?",
                     (730.0, 130.0, 980.0, 150.0))]
    titled = [*words(130, 730, "Cancel your Direct Debit?", 1),
              OcrWord("x", (1165.0, 133.0, 1178.0, 147.0), (2,), 80.0)]
    found = ground("the Close button of the dialog", titled, header)
    assert inside(found.point, (1165.0, 133.0, 1178.0, 147.0))


def test_words_not_understood_after_a_label_may_name_its_row() -> None:
    """The outdoor shop's rental check-in: "the Damaged checkbox for the crash pad", seven
    Damaged checkboxes alike, was an error; the words not understood ("the crash pad") are the
    row's item, said on the screen "Crash pad": its row's checkbox."""
    read: list[OcrWord] = []
    boxes = []
    for k, item in enumerate(("Harness", "Crash pad", "Rope 60 m")):
        y = 100 + 50 * k
        read += words(y, 40, item, k) + words(y, 620, "Damaged", 10 + k)
        boxes.append(Widget("checkbox", (600.0, y, 615.0, y + 15.0), "Damaged",
                            (620.0, y, 683.0, y + 16.0)))
    found = ground("the Damaged checkbox for the crash pad", read, boxes)
    assert inside(found.point, boxes[1].box)
    with pytest.raises(GroundingError, match="not understood"):
        ground("the Damaged checkbox for the tent", read, boxes)  # (no such row)


def test_a_row_name_lacking_a_word_said_names_no_row() -> None:
    """The coach firm's vehicle search, read closer: "the Reserve button for the Ripon midi
    coach" took a filter's "I Midi coach" at the screen's left, level with the first result,
    for the row (0.86 alike, "Ripon" missing) and reserved the Harrogate minibus: a wrong
    click. Each word of a row's name is read in it, or the words in any order name it."""
    read = [*words(140, 60, "I Midi coach", 1), *words(122, 326, "16-seat minibus Harrogate depot"),
            *words(184, 325, "33-seat mi coach Ripon depot")]
    assert [c.text for c in across_row("ripon midi coach", read)] == []
    read[-4] = OcrWord("midi", read[-4].box, read[-4].line)
    assert [c.box[1] for c in across_row("ripon midi coach", read)] == [184.0]
