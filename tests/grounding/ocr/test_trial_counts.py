"""Blind trials of 2026-12-07, afternoon (a campsite, a tutoring agency, a window cleaner, a
stamp society, parcel lockers, a river cruise line, a museum shop, …) and errors of earlier
ones met again: each test a wrong click or an error before. Counts made unsure by words that
were no misreading, time slots read with their state, cards and fieldsets that frame what
they hold, labels over input groups, menus at both sides."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.rank import Ambiguous
from tests.grounding.ocr.test_rank import Widget, ground, inside, words


def _rows(action: str, before: list[OcrWord]) -> tuple[list[OcrWord], list[Widget]]:
    """Four rows 48 px apart, each with an `action` button at x 1400 (the first at y 200),
    and the words `before` read too."""
    read, buttons = list(before), []
    for k in range(4):
        y = 200 + 48 * k
        read += words(y, 1412, action)
        box = (1400.0, y - 8.0, 1412.0 + 9 * len(action) + 12, y + 24.0)
        buttons.append(Widget("button", box, action, (1412.0, y, 1412.0 + 9 * len(action), y + 16)))
    return read, buttons


@pytest.mark.parametrize(("action", "other"), [
    ("Book", "booking."), ("Renew", "Rentals"), ("Reschedule", "results"),
    ("Manage", "Manchester")])
def test_a_word_alike_in_its_first_letters_is_no_misread_place(action: str, other: str) -> None:
    """"the third Book button" (and Renew, Reschedule, Manage) was an error: "booking." in
    the column over the buttons "may be another, misread". A longer word, or one apart after
    its first three letters, is another word."""
    read, buttons = _rows(action, words(150, 1400, f"{other} here"))
    found = ground(f"the third {action} button", read, buttons)
    assert inside(found.point, buttons[2].box)


@pytest.mark.parametrize("misread", ["Bool", "Boo", "Booke"])
def test_a_word_that_may_be_a_misread_place_still_makes_the_count_unsure(misread: str) -> None:
    read, buttons = _rows("Book", words(150, 1412, misread))
    with pytest.raises(Ambiguous, match="cannot be counted surely"):
        ground("the third Book button", read, buttons)


def test_a_sentences_word_is_no_column_or_row_of_the_places_counted() -> None:
    """The boat hire's bookings: "You can edit or cancel a booking up to 28 days before it
    starts." over rows with Cancel buttons. The sentence's "cancel" was taken for a place
    counted, so "can" on its row was a Cancel button misread and the count unsure."""
    read, buttons = _rows("Cancel", words(70, 250, "You can edit or cancel a booking."))
    found = ground("the third Cancel button", read, buttons)
    assert inside(found.point, buttons[2].box)


def _slots() -> tuple[list[OcrWord], list[Widget]]:
    """A museum's entry times: buttons reading a time over its state, "11:30 Available"."""
    read, slots = [], []
    for k, (time, state) in enumerate((("10:30", "Busy"), ("11:00", "Available"),
                                       ("11:30", "Available"), ("12:30", "Quiet"))):
        x = 30 + 253 * k
        read += [*words(225, x + 100, time), *words(240, x + 95, state)]
        slots.append(Widget("button", (x, 213, x + 245, 260), f"{time} {state}",
                            (x + 95, 225, x + 150, 250)))
    return read, slots


@pytest.mark.parametrize(("description", "meant"), [
    ("the 11:30 time slot", 2), ("the 10:30 slot", 0), ("the 12:30 timeslot", 3)])
def test_a_time_slot_reads_its_state_under_its_time(description: str, meant: int) -> None:
    """"the 11:30 time slot" was not found: the button reads "11:30 Available", and a
    widget's words without the noun for its role answered only when it read exactly them."""
    read, slots = _slots()
    found = ground(description, read, slots)
    assert inside(found.point, slots[meant].box)


def test_a_time_two_slots_read_is_an_error() -> None:
    """Two days' 11:00 slots: neither is "the 11:00 time slot" alone."""
    read, slots = _slots()
    more = [*words(285, 130, "11:00"), *words(300, 125, "Quiet")]
    slots.append(Widget("button", (30, 273, 275, 320), "11:00 Quiet", (125, 285, 180, 310)))
    with pytest.raises(GroundingError):
        ground("the 11:00 time slot", [*read, *more], slots)


def test_a_near_reading_of_a_named_place_is_no_other_place_of_it() -> None:
    """The self-storage's locations: "Oak Street" in a card's title and its address, and
    "415 Dock Street," in the next card. "the View units button in the Oak Street card" was
    ambiguous among the three: a near reading is no place of words read exactly elsewhere."""
    image = Image.new("RGB", (1920, 600), "white")
    read, buttons = [], []
    for k, (name, address) in enumerate((("KeepWell Oak Street", "2210 Oak Street, Tacoma"),
                                         ("KeepWell Harbor Point", "415 Dock Street, Tacoma"))):
        x = 40 + 928 * k
        ImageDraw.Draw(image).rectangle((x, 128, x + 910, 290), outline="#d0d4da", width=1)
        read += [*words(143, x + 19, name), *words(166, x + 19, address),
                 *words(250, x + 780, "View units")]
        buttons.append(Widget("button", (x + 774, 240, x + 892, 276), "View units",
                              (x + 780, 250, x + 870, 266)))
    found = ground("the View units button in the Oak Street card", read, buttons, image)
    assert inside(found.point, buttons[0].box)


def test_a_cards_link_under_its_title_is_on_that_card() -> None:
    """The window cleaner's services: cards three a row, each a title, a line of text, an
    Add button at its left and a Details link at its right. "the Details link under Solar
    panels" clicked the card at its left's Details link, 50 px left of the title, not its
    own, 300 px right of it."""
    image = Image.new("RGB", (1920, 600), "white")
    read, links = [], []
    for k, title in enumerate(("Fascias & soffits", "Solar panels", "Frames & sills")):
        x = 40 + 507 * k
        ImageDraw.Draw(image).rectangle((x, 306, x + 490, 457), outline="#d0d4da", width=1)
        read += [*words(322, x + 17, title), *words(370, x + 17, "Clean panels can give more."),
                 *words(422, x + 17, "Add"), *words(422, x + 434, "Details")]
        links.append(Widget("link", (x + 434, 422, x + 480, 433), "Details",
                            (x + 434, 422, x + 480, 433)))
    found = ground("the Details link under Solar panels", read, links, image)
    assert inside(found.point, links[1].box)


def test_a_pills_words_head_no_column_of_radio_buttons() -> None:
    """The tutors' booking form: subject pills (Maths, Physics, Chemistry, Biology) over a
    row of lesson-length radio buttons whose labels OCR missed. "the Chemistry option" was
    the "90 minutes" radio button under the pill, taken for a grid's column under its
    header; it is the pill, or an error. (The white pills were taken for fields.)"""
    read, widgets = [], []
    for x, subject in ((36, "Maths"), (123, "Physics"), (221, "Chemistry"), (340, "Biology")):
        read += words(164, x + 18, subject)
        widgets.append(Widget("field", (x, 155, x + 18 + 9 * len(subject) + 18, 187), subject,
                              (x + 18, 164, x + 18 + 9 * len(subject), 180)))
    radios = [Widget("radio", (x, 232, x + 15, 247)) for x in (40, 172, 305)]
    try:
        found = ground("the Chemistry option", read, [*widgets, *radios])
    except GroundingError:
        return
    assert inside(found.point, widgets[2].box)


def _offer_dialog(*, addon: bool) -> tuple[list[OcrWord], list[Widget]]:
    """The stamp marketplace's "Make an offer" dialog: "Your offer" over a field behind a "£"
    box (an input group), then "Message to seller (optional)" over a text area whose
    placeholder says "Say something about your offer"."""
    read = [*words(461, 740, "Your offer", char=8, height=11), *words(490, 750, "£"),
            *words(528, 741, "Message to seller (optional)"),
            *words(558, 750, "Say something about your offer")]
    field = Widget("field", (767, 479, 922, 516))
    area = Widget("field", (740, 546, 1180, 627), "Message to seller (optional)",
                  (741, 528, 993, 544))
    sign = [Widget("button", (740, 479, 768, 516), "£", (750, 490, 759, 506))] if addon else []
    return read, [*sign, field, area]


def test_a_label_over_an_input_groups_sign_names_its_field() -> None:
    """"the Your offer field" typed the offer into the message box: the label starts over the
    "£" box, not over the field behind it, so it labelled nothing, and the text area's
    placeholder held the words."""
    read, widgets = _offer_dialog(addon=True)
    found = ground("the Your offer field", read, widgets)
    assert inside(found.point, (767, 479, 922, 516))


def test_a_placeholder_holding_a_labels_words_among_others_is_doubted() -> None:
    """Without the "£" box found, the label names no field: an error, not the text area
    whose placeholder holds the words among others."""
    read, widgets = _offer_dialog(addon=False)
    read = [w for w in read if w.text != "£"]
    widgets[0] = Widget("field", (790, 479, 922, 516))  # (further right: no field below it)
    try:
        found = ground("the Your offer field", read, widgets)
    except GroundingError:
        return
    assert inside(found.point, widgets[0].box)


def test_a_sign_before_a_field_is_no_label_of_it() -> None:
    """The bakery's offer form: "Your offer" over "£ [field] plus £2.20 postage". The finder
    gave the field the "£" before it as its label, so the label above named no field."""
    read = [*words(479, 730, "Your offer"), *words(510, 730, "£"),
            *words(511, 905, "plus £2.20 postage")]
    field = Widget("field", (746, 498, 888, 535), "£", (730, 510, 738, 522))
    found = ground("the Your offer field", read, [field])
    assert inside(found.point, field.box)


def test_a_fieldsets_legend_frames_its_fields() -> None:
    """The parcel lockers' send form: Sender and Recipient fieldsets side by side, each with
    Full name, Email and Phone. "the Phone field in the Recipient section" was ambiguous:
    the ground under the legend ran out to the page's through the gap the legend makes in
    the border."""
    image = Image.new("RGB", (1920, 600), "white")
    draw = ImageDraw.Draw(image)
    read, fields = [], []
    for x, legend in ((36, "Sender"), (972, "Recipient")):
        draw.rectangle((x, 126, x + 910, 317), outline="#dcdfe4", width=1)
        draw.line((x + 22, 126, x + 36 + 9 * len(legend) + 12, 126), fill="white", width=1)
        read += words(118, x + 26, legend, height=15)
        for k, label in enumerate(("Full name", "Email", "Phone")):
            y = 149 + 39 * k
            read += words(y + 8, x + 19, label)
            fields.append(Widget("field", (x + 129, y, x + 893, y + 32), label,
                                 (x + 19, y + 8, x + 19 + 9 * len(label), y + 24)))
    found = ground("the Phone field in the Recipient section", read, fields, image)
    assert inside(found.point, fields[5].box)


@pytest.mark.parametrize(("description", "meant"), [
    ("the 11:30 collection slot", 2), ("the 10:30 delivery time slot", 0),
    ("the 12:30 Tuesday slot", None)])
def test_what_a_slot_is_for_between_its_time_and_slot(description: str, meant: int | None
                                                      ) -> None:
    """The farmers' market's checkout: "the 9:00 – 10:00 collection slot" was not found; the
    noun between the time and "slot" says what it is for. A day there is no such noun: it
    names another slot."""
    read, slots = _slots()
    if meant is None:
        with pytest.raises(GroundingError):
            ground(description, read, slots)
        return
    found = ground(description, read, slots)
    assert inside(found.point, slots[meant].box)


def _two_side_lists() -> tuple[list[OcrWord], list[Widget]]:
    """The river cruises' help centre: a menu down the left ("Shore excursions" among six
    items, plain words) and, down the right, "Popular articles": three links, the last
    "Shore excursions" (the page's read "Booking" apart from it)."""
    read: list[OcrWord] = []
    for k, item in enumerate(("Getting started", "Booking & payment", "Travel documents",
                              "Life on board", "Shore excursions", "Accessibility")):
        read += words(116 + 32 * k, 22, item)
    links = []
    for k, item in enumerate(("Luggage allowance", "Tipping on board", "Shore excursions")):
        y = 398 + 20 * k
        read += words(y, 1630, item)
        links.append(Widget("link", (1630, y, 1630 + 9 * len(item), y + 16), item,
                            (1630, y, 1630 + 9 * len(item), y + 16)))
    return read, links


@pytest.mark.parametrize(("description", "left"), [
    ("the Shore excursions link in the sidebar", None),
    ("the Shore excursions link in the sidebar on the left", True),
    ("the Shore excursions link in the right sidebar", False)])
def test_menus_at_both_sides_are_no_one_sidebar(description: str, left: bool | None) -> None:
    """"the Shore excursions link in the sidebar" clicked the right-hand list's link (a
    link's kind lifted it over the left menu's plain words): either is a sidebar."""
    read, links = _two_side_lists()
    screen = Image.new("RGB", (1920, 1080), "white")
    if left is None:
        with pytest.raises(Ambiguous):
            ground(description, read, links, screen)
        return
    found = ground(description, read, links, screen)
    assert (found.point[0] < 960) is left


def test_a_mark_named_by_its_rows_words_is_a_mark() -> None:
    """The museum's gift membership: radio cards Individual, Joint, Family, Patron, under a
    header whose "Membership" link shares a row with a "−" the finder saw in the serif
    title. "the Family membership option", guessed as the mark in the row reading "family
    membership", clicked the "−"."""
    read = [*words(30, 74, "Halden Museum"), *words(35, 1720, "Membership"),
            *words(164, 233, "Choose a membership")]
    widgets = [Widget("button", (276, 36, 295, 57), "−", (278, 40, 293, 52)),
               Widget("link", (1720, 35, 1848, 51), "Membership", (1720, 35, 1848, 51))]
    for k, name in enumerate(("Individual", "Joint", "Family", "Patron")):
        x = 260 + 343 * k
        read += words(282, x + 25, name)
        widgets.append(Widget("radio", (x, 284, x + 15, 299), name,
                              (x + 25, 282, x + 25 + 9 * len(name), 298)))
    try:
        found = ground("the Family membership option", read, widgets)
    except GroundingError:
        return
    assert inside(found.point, widgets[4].box)
