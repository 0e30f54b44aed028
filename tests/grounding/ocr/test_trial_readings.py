"""Blind trials of 2026-12-07, night (a nail salon, a skip hire firm, a hosting panel, a payroll
portal, a cricket club, a farm park, a marquee hire firm, a post office): a count made on a
reading that dropped a row's short link (a wrong click); a label that is a small word ("the
field below To"); a time range said with a hyphen ("the 10:00-13:00 slot on Thursday"); a
row named by a domain or an address ("for bakery-lee.com"); labels holding a kind's word ("by
text message", "Text message updates"); an avatar's initials taken for a radio button (a
wrong click); a booking grid's cell by its court and a time ("for Court 3 at 18:20"); a
column's heading with a slash between its words ("Hours / week"); a title with another word
in place of one said ("Community Volunteer" for "the Community filter", a wrong click); a
table's fields named by their placeholders, not by the row's far first cell (a wrong click); an
inline group's plain rings close after the labels before them (a wrong click); a mark next to
its own long label, not the one under it (a wrong click)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.errors import GroundingError
from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.candidate import overlaps
from agent.grounding.ocr.describe import Query, parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.ground import ground_in
from agent.grounding.ocr.grounder import OcrGrounder
from agent.grounding.ocr.guesses import by_its_row, own_label_said
from agent.grounding.ocr.rank import Ambiguous
from agent.grounding.ocr.textmatch import similarity
from agent.grounding.ocr.widgets_text import initials
from agent.screen import Screenshot
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words
from tests.grounding.ocr.test_trial_cards import _grown
from tests.grounding.ocr.test_widgets import Canvas, of_kind
from tests.grounding.ocr.test_widgets_marks import ring

ROWS = (100, 150, 200, 250)


def _links(ys: tuple[int, ...]) -> tuple[list[OcrWord], list[Widget]]:
    """A "View details" link at the right of each row at `ys`, a name at each row's left."""
    read: list[OcrWord] = []
    links = []
    for y in ys:
        read += words(y, 60, f"To Customer {ROWS.index(y) + 1}") + words(y, 900, "View details")
        links.append(Widget("link", (900.0, y, 1008.0, y + 16.0), "View details",
                            (900.0, y, 1008.0, y + 16.0)))
    return read, links


def _written(*places: tuple[int, int, str]) -> Image.Image:
    """A white screen with each text drawn at its place (x, y): what the readings mocked
    around it read, or missed."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 13)
    for x, y, text in places:
        draw.text((x, y), text, font=font, fill="#1d4ed8")
    return image


LINKS = _written(*((900, y, "View details") for y in ROWS))


def _grounder(first: Analysis, closer: Analysis | None) -> OcrGrounder:
    grounder = OcrGrounder()
    grounder.analyse = lambda image: first  # type: ignore[method-assign]
    grounder.closer = lambda image, analysis: closer  # type: ignore[method-assign]
    return grounder


def test_a_count_is_made_again_on_the_closer_reading_that_read_a_dropped_sibling() -> None:
    """The post office's parcels: the whole-screen pass dropped the first row's "View
    details" (11 letters, too short to be read again unasked), so "the third View details
    link" counted the fourth row's: a wrong click. Ink no word covers stands a row's pitch
    above the first link counted: the closer reading reads it, and its count, over more
    places, stands."""
    first = Analysis(*_links(ROWS[1:]), 0.0)
    closer = Analysis(*_links(ROWS), 0.0)
    shot = Screenshot.from_image(LINKS)
    point = _grounder(first, closer).ground(shot, "the third View details link").point
    assert inside(point, (900, ROWS[2], 1008, ROWS[2] + 16))
    point = _grounder(first, None).ground(shot, "the third View details link").point
    assert inside(point, (900, ROWS[3], 1008, ROWS[3] + 16))  # (nothing more to read)
    fewer = Analysis(*_links(ROWS[2:]), 0.0)  # (a closer reading that lost a link)
    point = _grounder(first, fewer).ground(shot, "the third View details link").point
    assert inside(point, (900, ROWS[3], 1008, ROWS[3] + 16))
    blank = Screenshot.from_image(SCREEN)  # (no ink where a link would be: no closer look)
    point = _grounder(first, closer).ground(blank, "the third View details link").point
    assert inside(point, (900, ROWS[3], 1008, ROWS[3] + 16))


def test_two_readings_counting_alike_to_two_places_are_an_error() -> None:
    """A closer reading that answers another place without having counted more is no surer:
    an error naming both places."""
    first = Analysis(*_links(ROWS[1:]), 0.0)
    read, links = _links(ROWS)
    closer = Analysis(read, links[:1] + links[2:], 0.0)  # (another row's link unseen)
    with pytest.raises(Ambiguous, match="two readings"):
        _grounder(first, closer).ground(Screenshot.from_image(LINKS),
                                        "the second View details link")


@pytest.mark.parametrize("label", ["To", "From", "By"])
def test_a_label_that_is_a_small_word_names_the_field_under_it(label: str) -> None:
    """The payroll portal's report filter: "the field below To" read "below to" as the
    label, and the From and To fields were not told apart."""
    query = parse(f"the field below {label}")
    assert query.relation == "below" and query.anchor is not None
    assert query.anchor.text == label.lower() and not query.text
    read = [*words(100, 40, "From"), *words(160, 40, "To")]
    fields = [Widget("field", (40.0, 122.0, 300.0, 150.0)),
              Widget("field", (40.0, 182.0, 300.0, 210.0))]
    if label != "By":
        found = ground(f"the field below {label}", read, fields)
        assert inside(found.point, fields[label == "To"].box)


def test_a_relations_article_said_with_a_capital_is_no_label() -> None:
    query = parse("the field below The Name label")
    assert query.anchor is not None and query.anchor.text == "name"


def test_a_time_range_with_a_hyphen_is_one_text() -> None:
    """The skip hire's collection slots: "10:00-13:00" was split at the hyphen and its
    second time lost its place, so "the 10:00-13:00 slot on Thursday" matched no slot."""
    query = parse("the 10:00–13:00 slot on Thursday")
    assert query.text == "10:00-13:00 slot" and query.relation == "below"
    assert query.anchor is not None and query.anchor.text == "thursday"
    read = [*words(60, 100, "Tuesday"), *words(60, 400, "Thursday")]
    slots = []
    for x in (100, 400):
        read += words(108, x + 8, "10:00-13:00")
        slots.append(Widget("button", (float(x), 100.0, x + 120.0, 132.0), "10:00-13:00",
                            (x + 8.0, 108.0, x + 107.0, 124.0)))
    found = ground("the 10:00–13:00 slot on Thursday", read, slots)
    assert inside(found.point, slots[1].box)


@pytest.mark.parametrize(("said", "row"), [("bakery-lee.com", "bakery-lee.com"),
                                            ("ann@annlee.dev", "ann@annlee.dev")])
def test_a_row_named_by_a_domain_or_an_address(said: str, row: str) -> None:
    """The hosting panel's domains: "the Auto-renew checkbox for bakery-lee.com" took no row
    (a lower-case name after "for"), and five checkboxes under the AUTO-RENEW heading tied."""
    query = parse(f"the Auto-renew checkbox for {said}")
    assert query.relation == "for" and query.anchor is not None
    assert query.anchor.text == row and query.text == "auto-renew"
    assert parse("the button for example").relation is None  # (a plain word: the label's)


def test_the_grounder_answers_the_row_a_domain_names() -> None:
    read = words(60, 500, "AUTO-RENEW")
    boxes = []
    for k, name in enumerate(("shopfront.net", "bakery-lee.com", "annlee.dev")):
        y = 100 + 44 * k
        read += words(y, 60, name)
        boxes.append(Widget("checkbox", (530.0, y, 546.0, y + 16.0)))
    found = ground("the Auto-renew checkbox for bakery-lee.com", read, boxes,
                   Image.new("RGB", (800, 300), "white"))
    assert inside(found.point, boxes[1].box)


def test_a_kinds_word_ending_the_label_said_whole_is_the_labels() -> None:
    """The nail salon's settings: "the toggle next to Appointment reminders by text message"
    took "message" for the kind of the words it is next to, and "Appointment reminders by
    text" stood nowhere whole: the row by email and the one by text message tied."""
    read = [*words(100, 60, "Appointment reminders"),
            *words(150, 60, "Appointment reminders by email"),
            *words(200, 60, "Appointment reminders by text message")]
    toggles = [Widget("checkbox", (900.0, y - 4.0, 944.0, y + 20.0)) for y in (150, 200)]
    found = ground("the toggle next to Appointment reminders by text message", read, toggles)
    assert inside(found.point, toggles[1].box)
    found = ground("the toggle next to Appointment reminders by email", read, toggles)
    assert inside(found.point, toggles[0].box)


def test_a_label_with_a_kinds_word_inside_it_is_words() -> None:
    """A settings page's "the toggle for Text message updates": "message" was read as the
    kind of the words named, and the label cut to "text" (before: to "updates")."""
    query = parse("the toggle for Text message updates")
    assert query.anchor is not None and query.anchor.text == "text message updates"
    assert not query.anchor.kinds
    read = [*words(150, 60, "Email updates"), *words(200, 60, "Text message updates")]
    toggles = [Widget("checkbox", (900.0, y - 4.0, 944.0, y + 20.0)) for y in (150, 200)]
    found = ground("the toggle for Text message updates", read, toggles)
    assert inside(found.point, toggles[1].box)


def _avatar(canvas: Canvas, x: int, y: int, letters: str) -> tuple[int, int, int, int]:
    """A person's initials in a round avatar 26 px across, drawn smooth as a browser does."""
    big = Image.new("RGB", (104, 104), "white")
    ImageDraw.Draw(big).ellipse((2, 2, 101, 101), fill="#c7d2fe", outline="#a5b4fc", width=6)
    canvas.image.paste(big.resize((26, 26), Image.Resampling.LANCZOS), (x, y))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 10)
    left, top, right, bottom = canvas.draw.textbbox((x + 5, y + 8), letters, font=font)
    canvas.draw.text((x + 5, y + 8), letters, font=font, fill="#3730a3")
    canvas.words.append(OcrWord(letters, (float(left), float(top), float(right),
                                          float(bottom)), (y,), 67.0))
    return x, y, x + 26, y + 26


def test_a_boxs_own_reading_is_no_initials() -> None:
    """A checkbox read "CO" (a rounded square's halves) holds no initials: it stays a
    checkbox (the login pages' "Remember me" boxes were lost)."""
    box = (557, 329, 572, 344)
    assert not initials(box, [OcrWord("CO", (558.0, 330.0, 571.0, 343.0), (1,), 65.0)])
    assert initials(box, [OcrWord("MS", (559.0, 332.0, 570.0, 341.0), (1,), 67.0)])


def test_initials_in_a_round_avatar_are_no_radio_button() -> None:
    """The kanban board: each card's avatar ("MS") was taken for a radio button, labelled by
    the next column's card title up to its right, and 'the "Fix login redirect" card'
    clicked the avatar of another card: a wrong click."""
    canvas = Canvas((900, 200), ground="#f3f4f6")
    canvas.box((20, 20, 300, 90), fill="white", border=None)
    canvas.text(30, 30, "Cookie banner on mobile")
    avatar = _avatar(canvas, 262, 44, "MS")
    canvas.box((330, 20, 610, 90), fill="white", border=None)
    title = canvas.text(340, 30, "Fix login redirect")
    assert not any(overlaps(w.box, avatar) for w in of_kind(canvas.find(), "radio"))
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      'the "Fix login redirect" card').best
    assert inside(found.point, title)


def _grid(transposed: bool) -> tuple[list[OcrWord], dict[tuple[str, str], Widget]]:
    """A squash club's booking grid: courts as the columns' headings and times as the rows'
    names (or the other way round), a Book button in each free cell and "Booked" in the
    others (Court 1 at 18:20 is booked)."""
    courts, times = ["Court 1", "Court 2", "Court 3"], ["17:40", "18:20", "19:00"]
    heads, names = (times, courts) if transposed else (courts, times)
    read = [w for k, head in enumerate(heads) for w in words(60, 300 + 200 * k, head)]
    read += [w for k, name in enumerate(names) for w in words(110 + 50 * k, 60, name)]
    buttons = {}
    for i, name in enumerate(names):
        for k, head in enumerate(heads):
            court, time = (name, head) if transposed else (head, name)
            x, y = 300 + 200 * k, 110 + 50 * i
            if (court, time) == ("Court 1", "18:20"):
                read += words(y, x, "Booked")
                continue
            buttons[court, time] = Widget("button", (x - 10.0, y - 6.0, x + 50.0, y + 22.0),
                                          "Book", (float(x), float(y), x + 36.0, y + 16.0))
            read += words(y, x, "Book")
    return read, buttons


@pytest.mark.parametrize("transposed", [False, True])
def test_a_booking_grids_cell_named_by_its_column_and_a_time(transposed: bool) -> None:
    """The squash club's courts: "the Book button for Court 3 at 18:20" looked for a row
    saying "Court 3 at 18:20" and found none. It is the cell under one and in the row of the
    other, whichever way round the grid is drawn; a booked cell is no other cell's button."""
    read, buttons = _grid(transposed)
    found = ground("the Book button for Court 3 at 18:20", read, list(buttons.values()))
    assert inside(found.point, buttons["Court 3", "18:20"].box)
    found = ground("the Book button for Court 2 at 19:00", read, list(buttons.values()))
    assert inside(found.point, buttons["Court 2", "19:00"].box)
    with pytest.raises(GroundingError):
        ground("the Book button for Court 1 at 18:20", read, list(buttons.values()))


def test_a_columns_heading_with_a_slash_between_its_words() -> None:
    """The kanban team's members: "the Hours / week field in the Marco Silva row" lost its
    slash ("hours week") and matched no heading; read "HOURS / WEEK", it names the column."""
    assert parse("the Hours / week field in the Marco Silva row").text == "hours / week"
    assert parse("the View report link in the /pricing row").anchor == Query(text="pricing")
    read = [*words(60, 60, "NAME"), *words(60, 500, "HOURS / WEEK")]
    fields = []
    for k, name in enumerate(("Priya Nair", "Marco Silva", "Jamie Park")):
        y = 110 + 48 * k
        read += words(y, 60, name)
        fields.append(Widget("field", (500.0, y - 6.0, 580.0, y + 22.0)))
    found = ground("the Hours / week field in the Marco Silva row", read, fields)
    assert inside(found.point, fields[1].box)


def test_a_word_said_that_the_text_read_has_another_in_place_of_is_no_near_match() -> None:
    """The scout badges: "the Community filter" answered a card's title "Community Volunteer"
    (0.8 alike, letter by letter): a wrong click. A word said that stands where the text has
    another sharing few of its letters makes no match; the filter pill reading "Community" is
    the answer, without the noun for its role."""
    assert similarity("community volunteer", "community filter") == 0.0
    assert similarity("fast track secunty", "fast track security") >= 0.8  # (a misreading)
    assert similarity("weeki", "weekly") < 0.8
    # (words paired where the rest agrees: a first word dropped shifts none into another)
    assert similarity("agree to the installation terms and", "i agree to the installation terms") \
        >= 0.8
    read = [*words(100, 300, "Community"), *words(200, 60, "Community Volunteer"),
            *words(230, 60, "Community")]
    pill = Widget("button", (290.0, 92.0, 400.0, 124.0), "Community", (300.0, 100.0, 381.0, 116.0))
    found = ground("the Community filter", read, [pill])
    assert inside(found.point, pill.box)


def test_a_tables_fields_named_by_their_placeholders_are_counted_along_the_row() -> None:
    """The scout helpers' rota: the first empty "Your name" box of the Campfire night row took
    the row's "Campfire night", far left, for its label, so "the first Your name box in the
    Campfire night row" counted one box and typed into the second: a wrong click."""
    canvas = Canvas((1400, 260))
    boxes = []
    for k, (name, empty) in enumerate((("Map and compass", (False, True)),
                                       ("Campfire night", (True, True)),
                                       ("Cooking on stoves", (False, True)))):
        y = 40 + 60 * k
        canvas.draw.line((20, y + 44, 1380, y + 44), fill="#e5e7eb")
        canvas.text(40, y + 12, name)
        for x, blank in zip((600, 960), empty, strict=True):
            if blank:
                canvas.box((x, y + 4, x + 170, y + 34), border="#9ca3af")
                canvas.text(x + 10, y + 12, "Your name", "#9ca3af")
                boxes.append((x, y + 4, x + 170, y + 34))
            else:
                canvas.text(x, y + 12, "Dana Okafor")
    widgets = canvas.find()
    fields = of_kind(widgets, "field")
    assert len(fields) == 4 and all(w.text == "Your name" for w in fields)
    analysis = Analysis(canvas.words, widgets, 0.0)
    for nth, box in (("first", boxes[1]), ("second", boxes[2])):
        found = ground_in(analysis, canvas.image,
                          f"the {nth} Your name box in the Campfire night row").best
        assert inside(found.point, box)


def _positions(read_rings: bool) -> tuple[Canvas, dict[str, tuple[int, int, int, int]]]:
    """An inline group of radio buttons, each ring 9 px after the label before it (Chromium's
    spacing at 100%), the first ticked; tesseract reads each plain ring alone as "©"."""
    canvas = Canvas((700, 80))
    canvas.text(20, 30, "Position:")
    rings, x = {}, 104
    for k, name in enumerate(("President", "Welfare Officer", "Sports Officer")):
        canvas.image.paste(ring(15), (x, 31))
        if k == 0:
            canvas.draw.ellipse((x + 4, 35, x + 10, 41), fill="#1a73e8")
        elif read_rings:
            canvas.words.append(OcrWord("©", (x + 1.0, 32.0, x + 14.0, 45.0), (500 + k,), 95.8))
        rings[name] = (x, 31, x + 15, 46)
        right = canvas.text(x + 22, 30, name)[2]
        x = round(right) + 9
    return canvas, rings


def test_an_inline_groups_plain_ring_close_after_a_label_is_a_radio_button() -> None:
    """The student union's nomination: "Position: ◉ President ○ Welfare Officer ○ Sports
    Officer"; each plain ring, 9 px after the label before it, was let off as a letter of that
    word, and "the Welfare Officer radio button" clicked President's, the one radio button on
    the row its words are on: a wrong click."""
    canvas, rings = _positions(read_rings=True)
    radios = of_kind(canvas.find(), "radio")
    assert sorted(r.text for r in radios) == ["President", "Sports Officer", "Welfare Officer"]
    analysis = Analysis(canvas.words, canvas.find(), 0.0)
    for name in rings:
        found = ground_in(analysis, canvas.image, f"the {name} radio button").best
        assert inside(found.point, _grown(rings[name]))


def test_a_mark_with_its_own_label_is_not_named_by_another_label_on_its_row() -> None:
    """The same rings, not read: only President's radio button is found, and the Welfare
    Officer one is not on the screen, not President's (its own label is not the words said)."""
    canvas, rings = _positions(read_rings=False)
    analysis = Analysis(canvas.words, canvas.find(), 0.0)
    with pytest.raises(GroundingError):
        ground_in(analysis, canvas.image, "the Welfare Officer radio button")
    found = ground_in(analysis, canvas.image, "the President radio button").best
    assert inside(found.point, _grown(rings["President"]))


@pytest.mark.parametrize(("description", "label", "named"), [
    ("the Welfare Officer radio button", "President", False),
    ("the 5 GB quota option", "5GB", True),  # (a hosting panel's quota pills)
    ("the checkbox to offer my spot to the waitlist",
     "Offer my spot to the next person on the waitlist", True),
])
def test_a_mark_found_by_its_rows_words_shares_words_with_them(description: str, label: str,
                                                               named: bool) -> None:
    guess = by_its_row(parse(description))
    assert guess is not None and own_label_said(guess, label) is named


def test_a_closer_reading_that_lost_places_leaves_the_first_count_standing() -> None:
    """The bike workshop's jobs: read again magnified, the first three rows' buttons read
    "Edit edit" (the word twice over) and the count of "Edit" buttons fell from six to three:
    "the second Edit button" was then called unsure. The first count, over more places,
    stands. (The column's heading, drawn over the first button and not read, makes the
    closer reading be made.)"""
    read = [w for y in range(100, 400, 50) for w in words(y, 900, "Edit")]
    buttons = [Widget("button", (890.0, y - 6.0, 940.0, y + 22.0), "Edit",
                      (900.0, y, 936.0, y + 16.0)) for y in range(100, 400, 50)]
    twice = [replace(b, text="Edit edit") if k < 3 else b for k, b in enumerate(buttons)]
    grounder = _grounder(Analysis(read, buttons, 0.0), Analysis(read, twice, 0.0))
    point = grounder.ground(Screenshot.from_image(_written((890, 50, "Actions"))),
                            "the second Edit button").point
    assert inside(point, buttons[1].box)


def test_the_mark_next_to_its_own_label_is_the_one_it_labels() -> None:
    """The rail photocard form: "the checkbox next to 'The photo on this card is a true
    likeness'" ticked the box under it (15 px below the words, nearer than their own box,
    whose "The" OCR read together with it as "(The"): a wrong click. A mark is next to its
    own label first."""
    read = [OcrWord("(The", (228.0, 381.0, 277.0, 394.0), (1,), 45.6),
            *words(381, 284, "photo on this card is a true likeness of the ticket holder", 1),
            OcrWord("Post", (228.0, 411.0, 281.0, 424.0), (2,), 37.1),
            *words(411, 287, "me a new photocard with my renewed ticket", 2)]
    boxes = [Widget("checkbox", (227.0, 380.0, 242.0, 395.0),
                    "The photo on this card is a true likeness of the ticket holder",
                    (250.0, 381.0, 670.0, 395.0)),
             Widget("checkbox", (227.0, 410.0, 242.0, 425.0),
                    "Post me a new photocard with my renewed ticket", (250.0, 411.0, 598.0, 425.0))]
    found = ground("the checkbox next to 'The photo on this card is a true likeness'", read,
                   boxes)
    assert inside(found.point, boxes[0].box)


def test_an_ordinals_recount_on_the_short_runs_is_made_once_per_screenshot() -> None:
    """Each ordinal grounding on one screenshot read the short runs no word covers again, and
    found the widgets again (~0.2 s of CPU each): that reading is kept with the analysis."""
    first = Analysis(*_links(ROWS), 0.0)
    grounder = OcrGrounder()
    grounder.analyse = lambda image: first  # type: ignore[method-assign]
    reads: list[int] = []

    def short_reads(image: Image.Image, read: list[OcrWord]) -> list[OcrWord]:
        reads.append(len(read))
        return [OcrWord("Help", (60.0, 400.0, 90.0, 416.0), (9,), 90.0)]

    grounder._short_reads = short_reads  # type: ignore[method-assign]
    shot = Screenshot.from_image(SCREEN)
    for nth, y in (("second", ROWS[1]), ("third", ROWS[2]), ("second", ROWS[1])):
        point = grounder.ground(shot, f"the {nth} View details link").point
        assert inside(point, (900, y, 1008, y + 16))
    assert reads == [len(first.words)]
