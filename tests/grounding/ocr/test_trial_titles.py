"""Blind trials of 2026-12-07, later (a beekeeping shop, a climbing wall, a ferry company, an
escape room, a driving school, a blood donation service, a tennis club, a wine merchant) and
what the earlier ones left as errors: each an error before, never a wrong click."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.errors import GroundingError
from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.ground import ground_in
from agent.grounding.ocr.rank import Ambiguous
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words
from tests.grounding.ocr.test_trial_words import link
from tests.grounding.ocr.test_widgets import FONT, Canvas, of_kind


def _box_cards(titles: tuple[str, str], action: str) -> tuple[list[OcrWord], list[Widget]]:
    """Two cards side by side, each with its title and `action` as a link at its foot."""
    read: list[OcrWord] = []
    links = []
    for left, title in zip((40, 400), titles, strict=True):
        read += [*words(60, left + 20, title), *words(360, left + 140, action)]
        box = (left + 140, 360, left + 140 + 9 * len(action), 376)
        links.append(Widget("link", box, action, box))
    return read, links


@pytest.mark.parametrize("description", [
    "the See what's inside link under the Salad Box",
    "the See what's inside link in the Salad Box card",
])
def test_a_cards_title_ending_in_a_kinds_word_is_its_title(description: str) -> None:
    """The farm shop's veg boxes: "Fruit Box" and "Salad Box" cards. "the Salad Box" read as
    a box (a field or checkbox) named Salad found none and the link was not found."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    for left in (40, 400):
        draw.rectangle((left, 40, left + 320, 400), outline="#cccccc", fill="white")
    read, links = _box_cards(("Fruit Box", "Salad Box"), "See what's inside")
    found = ground(description, read, links, image)
    assert inside(found.point, links[1].box)


def _small_text(canvas: Canvas, x: int, y: int, text: str) -> None:
    """`text` in 13-px type (lines ~10 px high), read word by word."""
    font = ImageFont.truetype(FONT.path, 13)
    cursor = x
    for word in text.split():
        box = canvas.draw.textbbox((cursor, y), word, font=font)
        canvas.draw.text((cursor, y), word, font=font, fill="#222222")
        canvas.words.append(OcrWord(word, tuple(float(v) for v in box), (y,), 95.0))
        cursor = round(canvas.draw.textbbox((cursor, y), word + " ", font=font)[2])


@pytest.mark.parametrize(("height", "knob_inset"), [(28, 3), (24, 2)])
def test_off_switches_far_right_of_small_text_are_found(height: int, knob_inset: int) -> None:
    """The bike shop's and the museum's notification settings: light grey switches, their
    white knob a few pixels inside the track, 28 px tall beside 10-px text (2.8 text heights:
    taller than any mark was looked for) and 24 px. None was found: "the SMS reminders
    toggle" was not on the screen."""
    canvas = Canvas(size=(1000, 300))
    rows = ("Email reminders", "SMS reminders", "Courier tracking")
    for k, (text, on) in enumerate(zip(rows, (True, False, False), strict=True)):
        y = 40 + 60 * k
        _small_text(canvas, 20, y + 6, text)
        track = "#2e8b57" if on else "#c9c5b8"
        canvas.draw.rounded_rectangle((880, y, 880 + round(height * 1.7), y + height),
                                      radius=height // 2, fill=track)
        knob = height - 2 * knob_inset
        x = 880 + round(height * 1.7) - knob_inset - knob if on else 880 + knob_inset
        canvas.draw.ellipse((x, y + knob_inset, x + knob, y + knob_inset + knob),
                            fill="white")
    switches = [((w.box[1] + w.box[3]) // 120, w.checked)  # (its row, on)
                for w in of_kind(canvas.find(), "checkbox")]
    assert switches == [(0, True), (1, False), (2, False)]
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the SMS reminders toggle").best
    assert 100 <= found.point[1] <= 100 + height and found.point[0] > 880


def test_two_columns_of_switches_each_labelled_by_its_own_row() -> None:
    """The driving school's settings: "Reminders" and "Sharing" side by side, each row's text
    at its left and its switch at its column's right end. The left switch was taken for
    the label of the right column's text, and "the SMS reminders toggle" answered the right
    column's switch (Share progress): a wrong click."""
    canvas = Canvas(size=(1400, 300))
    rows = (("SMS reminders", "Share progress with a parent"),
            ("Email reminders", "Show me on the pass wall"))
    for k, texts in enumerate(rows):
        y = 40 + 50 * k
        for text, (left, switch) in zip(texts, ((40, 480), (560, 1000)), strict=True):
            _small_text(canvas, left, y + 6, text)
            canvas.draw.rounded_rectangle((switch, y, switch + 46, y + 26), radius=13,
                                          fill="#c9c5d1")
            canvas.draw.ellipse((switch + 3, y + 3, switch + 23, y + 23), fill="white")
    analysis = Analysis(canvas.words, canvas.find(), 0.0)
    for description, left in (("the SMS reminders toggle", 480),
                              ("the Share progress with a parent toggle", 1000),
                              ("the Show me on the pass wall toggle", 1000),
                              ("the Email reminders toggle", 480)):
        found = ground_in(analysis, canvas.image, description).best
        assert left <= found.point[0] <= left + 46, description


@pytest.mark.parametrize(("description", "text", "anchor"), [
    ("the Recipient's email field", "recipient's email", None),  # a label, not an email
    ("the Reply button under Priya's comment", "reply", "priya"),  # the comment shows Priya
])
def test_a_possessive_before_a_kind_is_the_label(description: str, text: str,
                                                 anchor: str | None) -> None:
    """The escape room's gift voucher: "the Recipient's email field" was read as the field of
    an email by Recipient ("recipient"), near "Recipient's name" in score: at 100% the name
    field took the email address (a wrong click)."""
    query = parse(description)
    assert query.text == text and (query.anchor.text if query.anchor else None) == anchor


def test_a_short_bold_word_inside_an_underlined_link_is_the_links() -> None:
    """The beekeeping shop's sign-in: "New to Golden Comb? Create an account", the link bold,
    brown and underlined. OCR's tight box for "an" (no ascender) was mostly ink: the median
    taken for its ground was brown, the white page beside the line differed from it as a
    rule's would, and the underline was no underline: two links, "Create" and "account",
    and "the Create an account link" was not found."""
    canvas = Canvas(size=(900, 200))
    bold = ImageFont.truetype(FONT.path.replace("DejaVuSans", "DejaVuSans-Bold"), 14)
    x = round(canvas.text(40, 40, "New to Golden Comb?")[2]) + 7
    left, boxes = x, []
    for word in ("Create", "an", "account"):
        box = canvas.draw.textbbox((x, 42), word, font=bold)
        for shift in (0, 1) if word == "an" else (0,):  # its box mostly ink, as on the page
            canvas.draw.text((x + shift, 42), word, font=bold, fill="#a06500")
        boxes.append((word, (float(box[0]), float(box[1]), float(box[2] + 1))))
        x = round(canvas.draw.textbbox((x, 42), word + " ", font=bold)[2])
    foot = canvas.draw.textbbox((left, 42), "Create", font=bold)[3]
    canvas.words += [OcrWord(word, (*box, float(foot)), (7,), 93.0) for word, box in boxes]
    canvas.draw.line((left, foot + 2, x - 5, foot + 2), fill="#a06500", width=1)
    links = [w.text for w in of_kind(canvas.find(), "link")]
    assert links == ["Create an account"]


def test_in_the_sidebar_is_the_side_menus_item() -> None:
    """The tennis club's admin dashboard: "Members" in the sidebar's menu and "members" ending
    a checkbox's label wrapped in a card on the right: "Members in the sidebar" was
    ambiguous. The menu's item (a column of short lines at the screen's side) is meant."""
    menu = ("Dashboard", "Courts", "Bookings", "Members", "Coaching", "Payments")
    read = [w for k, item in enumerate(menu) for w in words(100 + 36 * k, 20, item)]
    read += [*words(270, 1040, "Also email all"), *words(290, 1040, "members")]
    found = ground("Members in the sidebar", read, [])
    assert inside(found.point, (20, 208, 20 + 9 * 7, 224))
    with pytest.raises(Ambiguous):
        ground("Members", read, [])
    stack = [w for k, item in enumerate(menu) for w in words(100 + 36 * k, 600, item)]
    with pytest.raises(Ambiguous):  # a column in the screen's middle is no side menu
        ground("Members in the sidebar", [*stack, *words(290, 1040, "members")], [])


def test_a_radio_buttons_label_wrapped_round_its_middle_is_both_lines() -> None:
    """The cinema's plans: "Student / Unlimited" wrapped in a narrow card, its radio button
    level with the gap between the lines. The nearer line alone, "Unlimited", was taken for
    its label, and "the Unlimited plan" (whose own title OCR misread) chose the student
    plan: a wrong click. A lighter hint under a label stays out of it."""
    canvas = Canvas()
    canvas.draw.ellipse((40, 50, 60, 70), outline="#555555", width=2)
    canvas.text(72, 38, "Student")
    canvas.text(72, 60, "Unlimited")
    canvas.draw.ellipse((400, 40, 420, 60), outline="#555555", width=2)
    canvas.text(432, 38, "Basic")
    canvas.text(432, 60, "Free for members", ink="#8a8a8a")
    radios = sorted((r.box[0], r.text) for r in of_kind(canvas.find(), "radio"))
    assert radios == [(39.0, "Student Unlimited"), (399.0, "Basic")]


def test_a_widget_named_by_a_rows_label_is_on_its_row_not_far_below() -> None:
    """The festival's line-up: "Genre: (All) (Indie) (Electronic)" filter pills, and a row of
    results below with an "Electronic" badge far to the right. "the Electronic genre button"
    (the screen saying no "Electronic genre") took the badge for a button under the heading
    "Genre": a click that did nothing."""
    read = [*words(100, 40, "Genre:"), *words(100, 120, "All"), *words(100, 180, "Indie"),
            *words(100, 260, "Electronic"), *words(160, 40, "Neon Tides Friday 20:15"),
            *words(160, 700, "Electronic")]
    pills = [Widget("button", (112, 92, 160, 124), "All"),
             Widget("button", (172, 92, 232, 124), "Indie"),
             Widget("button", (252, 92, 358, 124), "Electronic"),
             Widget("button", (690, 154, 800, 182), "Electronic")]
    found = ground("the Electronic genre button", read, pills)
    assert inside(found.point, pills[2].box)


def _smooth_switch(canvas: Canvas, x: int, y: int, track: str) -> None:
    """A 46x26 switch, off, its edges shaded as a browser's (drawn twice the size, scaled
    down)."""
    big = Image.new("RGB", (46 * 2, 26 * 2), "white")
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle((0, 0, 46 * 2 - 1, 26 * 2 - 1), radius=13 * 2, fill=track)
    draw.ellipse((3 * 2, 3 * 2, 23 * 2, 23 * 2), fill="white")
    canvas.image.paste(big.resize((46, 26), Image.Resampling.BILINEAR), (x, y))


def test_a_faint_switch_whose_outline_breaks_is_still_a_switch() -> None:
    """The language exchange's settings: a #d1d5db track on white, its rounded ends shaded,
    left its outline in pieces; not found, "the toggle for Weekly digest of nearby meetups"
    took the switch of the row above: a wrong click."""
    canvas = Canvas(size=(1000, 300))
    for k, (text, track) in enumerate((("Event reminders", "#6d4aff"),
                                       ("Weekly digest of nearby meetups", "#d1d5db"))):
        _small_text(canvas, 40, 46 + 56 * k, text)
        _smooth_switch(canvas, 880, 40 + 56 * k, track)
    switches = [w for w in of_kind(canvas.find(), "checkbox")]
    assert [round(w.box[1]) // 50 for w in switches] == [0, 1]
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the toggle for Weekly digest of nearby meetups").best
    assert 96 <= found.point[1] <= 122 and found.point[0] > 880


def test_a_side_menus_item_beats_a_link_holding_its_word_elsewhere() -> None:
    """The bike share's fleet page: "Repairs" in a dark sidebar (no underline: plain words)
    and "See all open repairs", a link, in the middle. "the Repairs link in the sidebar"
    clicked the link holding the word: a wrong click."""
    menu = ("Overview", "Stations", "Repairs", "Reports", "Settings")
    read = [w for k, item in enumerate(menu) for w in words(100 + 36 * k, 20, item)]
    read += words(60, 520, "See all open repairs")
    link = Widget("link", (520, 60, 700, 76), "See all open repairs", (520, 60, 700, 76))
    found = ground("the Repairs link in the sidebar", read, [link])
    assert inside(found.point, (20, 172, 20 + 9 * 7, 188))


@pytest.mark.parametrize(("description", "text", "ordinal"), [
    ("the Directions link in the third result", "directions", 3),
    ("the View dates button of the second result", "view dates", 2),
    ("the Reschedule link in the fourth row", "reschedule", 4),
    ("the Reply link in the last message", "reply", -1),
    ("the Cancel link in the Friday row", "cancel", None),  # a row named, not counted
])
def test_the_nth_result_counts_the_places_it_holds(description: str, text: str,
                                                   ordinal: int | None) -> None:
    """The bike share's stations, the retreat's search, the food bank's deliveries: "the
    Directions link in the third result" is the third Directions link (each result holds one);
    it was ambiguous among all of them."""
    query = parse(description)
    assert (query.text, query.ordinal) == (text, ordinal)


def test_a_count_that_may_have_missed_a_misread_one_is_an_error() -> None:
    """The energy supplier's power cuts at 100%: the first of four "View details" links read
    "View det:", so "the View details link in the third result" counted three and clicked
    the fourth. A word that may begin the text where the column's step says a link stands
    makes the count unsure; a column's heading there does not."""
    links = [link(100 + 68 * k, 600, "View details") for k in (1, 2, 3)]
    read = [w for one in links for w in words(one.box[1], 600, "View details")]
    with pytest.raises(Ambiguous):
        ground("the View details link in the third result",
               [*read, *words(100, 600, "View det:")], links)
    found = ground("the View details link in the third result",
                   [*read, *words(100, 600, "Actions")], links)
    assert inside(found.point, links[2].box)



def test_a_widget_holding_the_words_among_others_ties_with_them_alone() -> None:
    """The same page without "in the sidebar": "the Repairs link" is the link holding the
    word among three others, or the menu's "Repairs" not seen as a link; an error naming both,
    never the first by its kind alone. A count beside a tab's word is no other word."""
    menu = ("Overview", "Stations", "Repairs", "Reports", "Settings")
    read = [w for k, item in enumerate(menu) for w in words(100 + 36 * k, 20, item)]
    read += words(60, 520, "See all open repairs")
    link = Widget("link", (520, 60, 700, 76), "See all open repairs", (520, 60, 700, 76))
    with pytest.raises(Ambiguous):
        ground("the Repairs link", read, [link])


def test_a_radio_cards_title_not_its_lighter_hint_is_its_label() -> None:
    """The holiday camp's lunch options: a bold title over a grey hint, the radio button level
    with the gap between them and a pixel nearer the hint: the hint "Same as hot lunch, no
    meat or fish" was the Vegetarian option's label, and "the Hot lunch option" chose it."""
    canvas = Canvas(size=(900, 300))
    for k, (title, hint) in enumerate((("Hot lunch", "Cooked in our kitchen"),
                                       ("Vegetarian hot lunch", "Same as hot lunch, no fish"))):
        y = 40 + 90 * k
        canvas.draw.ellipse((40, y + 13, 60, y + 33), outline="#555555", width=2)
        canvas.text(76, y, title, ink="#111111")
        canvas.text(76, y + 24, hint, ink="#7a7a7a")
    radios = [r.text for r in of_kind(canvas.find(), "radio")]
    assert radios == ["Hot lunch", "Vegetarian hot lunch"]
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the Hot lunch option").best
    assert 40 <= found.point[0] <= 60 and 53 <= found.point[1] <= 73


def test_a_button_on_a_named_message_is_in_that_message() -> None:
    """The holiday camp's inbox: "the Archive button on the Nurse Kate message" was read as
    the message (plain words) "Nurse Kate", whose click did nothing."""
    query = parse("the Archive button on the Nurse Kate message")
    assert (query.text, query.kinds, query.relation) == ("archive", frozenset({"button"}), "for")
    assert query.anchor is not None and query.anchor.text == "nurse kate"


def test_the_field_below_a_label_with_a_second_line_under_its_field_is_not_the_first() -> None:
    """The cinema club's checkout: "Address." just over a field the finder labelled "Billing
    address" (the heading over both), an unlabelled second line just under it. "the field
    below Address" typed into the first line: the rule for an address's second line looked
    only at a field reading the words said."""
    read = [*words(40, 40, "Billing address"), *words(70, 40, "Address.")]
    first = Widget("field", (40, 90, 700, 122), "Billing address", (40, 40, 175, 56))
    second = Widget("field", (40, 128, 700, 160))
    try:
        found = ground("the field below Address", read, [first, second])
    except Ambiguous:
        return  # both named: an error, no click
    assert inside(found.point, second.box)


def test_the_search_box_is_the_search_bars_unlabelled_field() -> None:
    """The mountain huts' search bar: [Hut name, region or peak] Arrival [Sat 12 Jul] Guests
    [2] (Search). No field says "Search": "the search box" took the field nearest the
    button, Guests, and typed "Dolomites" after its 2. The bar's field with no label beside
    it (its words a placeholder inside) is the search box."""
    read = [*words(60, 40, "Hut name, region or peak"), *words(60, 470, "Arrival"),
            *words(60, 545, "Sat 12 Jul"), *words(60, 680, "Guests"), *words(60, 730, "2"),
            *words(60, 800, "Search")]
    fields = [Widget("field", (30, 50, 450, 86), "Hut name, region or peak",
                     (40, 60, 256, 76)),
              Widget("field", (535, 50, 660, 86), "Arrival", (470, 60, 533, 76)),
              Widget("field", (720, 50, 780, 86), "Guests", (680, 60, 734, 76))]
    button = Widget("button", (790, 50, 880, 86), "Search", (800, 60, 854, 76))
    found = ground("the search box", read, [*fields, button])
    assert inside(found.point, fields[0].box)


def test_a_label_guessed_from_the_words_needs_a_widget_reading_it_whole() -> None:
    """The dance school's classes: "Junior Jazz" garbled by OCR, "Junior Ballet" read. "the
    Junior Jazz option" was guessed as the option Junior (Jazz taken for a noun the screen
    lacks, as "the White colour option") and answered the Junior Ballet radio button, which
    reads Junior among other words: a wrong click."""
    read = [*words(100, 80, "Junior Ballet"), *words(160, 80, "mur jace")]
    radios = [Widget("radio", (50, 100, 66, 116), "Junior Ballet", (80, 100, 197, 116)),
              Widget("radio", (50, 160, 66, 176), "mur jace", (80, 160, 152, 176))]
    with pytest.raises(GroundingError):
        ground("the Junior Jazz option", read, radios)
    found = ground("the Junior colour option", [*read, *words(60, 80, "Colour")],
                   [*radios, Widget("radio", (50, 220, 66, 236), "Junior", (80, 220, 134, 236))])
    assert inside(found.point, (50, 220, 66, 236))


def test_a_word_reading_the_text_whole_in_a_longer_phrase_leaves_the_count_sure() -> None:
    """The coworking space's rooms: "Book a room" in the header over the grid's third Book
    button. Its "Book" was taken for a misread Book button, the count called unsure, and the
    closer reading, which lost a button, counted the fourth as the third: a wrong click."""
    buttons = [Widget("button", (x, y, x + 60, y + 30), "Book", (x + 10, y + 7, x + 46, y + 23))
               for y in (260, 420) for x in (560, 1180, 1800) if (x, y) != (1800, 420)]
    read = [w for b in buttons for w in words(b.box[1] + 7, b.box[0] + 10, "Book")]
    read += words(20, 1790, "Book a room")
    header = Widget("link", (1790, 20, 1889, 36), "Book a room", (1790, 20, 1889, 36))
    found = ground("the third Book button", read, [*buttons, header])
    assert inside(found.point, buttons[2].box)
