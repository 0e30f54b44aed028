"""Blind trials of 2026-12-07, evening (a bridal boutique, a removals company, a bicycle
workshop, a wildlife rescue, a family history society, a laundrette, a rugby club, …): each
test a wrong click before. A label that is a verb of acting with its particle ("Check in");
a row's widget reading the words said only in part while its kind reads them whole on the
other rows; a cent sign read for a c; a count across a grid's cards; a sidebar's item beside
another panel's box; a row's name right of the field; a word boxed up to a mark over it; a
pill the finder missed; and errors on the way (links in a brand's colour, a count from the
end, a button beside a labelled field, a hyphened word)."""

from __future__ import annotations

import pytest

from agent.errors import GroundingError
from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.rank import Ambiguous
from agent.grounding.ocr.textmatch import norm, similarity
from agent.grounding.ocr.wordboxes import trimmed
from tests.grounding.ocr.test_rank import Widget, ground, inside, words
from tests.grounding.ocr.test_widgets import Canvas, of_kind

NAMES = ("Amira Haddad", "Sofia Russo", "Chloe Martin", "Grace Kim")


def _appointments() -> tuple[list[OcrWord], list[Widget]]:
    """A boutique's appointments: a client's name on each row, its Check in link far right."""
    read, links = [], []
    for k, name in enumerate(NAMES):
        y = 200 + 39 * k
        read += [*words(y, 192, name), *words(y, 1426, "Check in")]
        links.append(Widget("link", (1426.0, y, 1426.0 + 9 * 8, y + 16), "Check in",
                            (1426.0, y, 1426.0 + 9 * 8, y + 16)))
    return read, links


@pytest.mark.parametrize("description", ["Check in for Chloe Martin",
                                         "check in for Chloe Martin"])
def test_a_label_that_is_a_verb_and_its_particle_is_the_target(description: str) -> None:
    """"Check in for Chloe Martin" clicked the name: "check" and "in" were taken for words
    of acting, so the description said only "Chloe Martin"."""
    read, links = _appointments()
    found = ground(description, read, links)
    assert inside(found.point, links[2].box)


def test_a_verb_of_acting_alone_still_says_no_text() -> None:
    query = parse("Check in for Chloe Martin")
    assert (query.text, query.relation) == ("check in", "for")
    assert query.anchor is not None and query.anchor.text == "chloe martin"
    assert parse("Click on Desk 3").text == "desk 3"


ITEMS = ("Small box", "Wardrobe box", "Bubble wra,", "Packing tape")


def _packing() -> tuple[list[OcrWord], list[Widget]]:
    """A shop's table, one Add button a row, the third row's name misread ("Bubble wra,"),
    over a banner whose sentence says "bubble wrap" beside an "Add kit to basket" button."""
    read, buttons = [], []
    for k, item in enumerate(ITEMS):
        y = 290 + 66 * k
        read += [*words(y, 402, item), *words(y, 1685, "Add")]
        buttons.append(Widget("button", (1661.0, y - 12, 1750.0, y + 30), "Add",
                              (1685.0, y, 1712.0, y + 16)))
    y = 773
    read += [*words(y, 410, "2-bedroom moving kit - 30 boxes, bubble wrap and tape."),
             *words(y, 1650, "Add kit to basket")]
    kit = Widget("button", (1610.0, 759.0, 1838.0, 806.0), "Add kit to basket",
                 (1650.0, y, 1803.0, y + 16))
    return read, [*buttons, kit]


def test_a_rows_widget_reading_the_words_in_part_while_others_read_them_whole_is_doubted(
        ) -> None:
    """"the Add button in the Bubble wrap row" clicked "Add kit to basket": the row's name
    was misread, the banner's sentence read it exactly, and its button holds "Add"."""
    read, buttons = _packing()
    with pytest.raises(Ambiguous, match="the row may be misread") as error:
        ground("the Add button in the Bubble wrap row", read, buttons)
    assert "Add kit to basket" in str(error.value) and "(1706, " in str(error.value)


def test_a_rows_widget_reading_the_words_whole_is_answered() -> None:
    read, buttons = _packing()
    found = ground("the Add button in the Wardrobe box row", read, buttons)
    assert inside(found.point, buttons[1].box)


def _checkout(misread: str) -> tuple[list[OcrWord], list[Widget]]:
    """A bike shop's order summary: each item's name, and a Remove link under it."""
    read, links = [], []
    for k, item in enumerate(("Full service - Trek FX 2", misread, "Brake pads (pair)")):
        y = 157 + 52 * k
        read += [*words(y, 1171, item), *words(y + 18, 1171, "Remove")]
        links.append(Widget("link", (1171.0, y + 18, 1225.0, y + 34), "Remove",
                            (1171.0, y + 18, 1225.0, y + 34)))
    return read, links


def test_a_cent_sign_read_for_a_c_is_that_c() -> None:
    """"the Remove link under Inner tube 700x25c" clicked the Brake pads' Remove: OCR read
    "700x25¢", the sign was dropped as punctuation, and "700x25" is another form of the word,
    so the name was found only as "Inner tube 700x25¢ Remove", two lines whose second is
    the Remove link meant."""
    read, links = _checkout("Inner tube 700x25¢")
    found = ground("the Remove link under Inner tube 700x25c", read, links)
    assert inside(found.point, links[1].box)


def _cards(lifted: int) -> tuple[list[OcrWord], list[Widget]]:
    """A grid's row of three animal cards, each with a Read story link; the third card's
    text is a line shorter, so its link stands `lifted` px higher."""
    read, links = [], []
    for k in range(3):
        x, y = 359 + 612 * k, 470 - (lifted if k == 2 else 0)
        read += words(y, x, "Read story", char=11, height=20)
        links.append(Widget("link", (x, y, x + 110.0, y + 20), "Read story",
                            (x, y, x + 110.0, y + 20)))
    return read, links


def test_a_count_across_cards_standing_a_line_apart_is_unsure() -> None:
    """"the second Read story link" clicked Bramble's, the first card's: Luna's, the third
    card's, stands 26 px higher (its text a line shorter) and was counted first."""
    read, links = _cards(26)
    with pytest.raises(Ambiguous, match="cannot be counted surely"):
        ground("the second Read story link", read, links)


@pytest.mark.parametrize("lifted", [0, 6, 60])
def test_a_count_on_one_row_or_clearly_apart_rows_stands(lifted: int) -> None:
    read, links = _cards(lifted)
    found = ground("the second Read story link", read, links)
    assert inside(found.point, links[1 if lifted < 60 else 0].box)


def _sidebar(rule: bool) -> Canvas:
    """A dashboard: a sidebar of links (its right side a faint rule, when `rule`), and beside
    it a card's header band, a box holding its title, on the row of "Parts stock"."""
    canvas = Canvas((900, 400), ground="#f5f6f8" if rule else "white")
    canvas.box((0, 0, 210, 399), fill="white", border=None)
    if rule:
        canvas.draw.line((210, 0, 210, 399), fill="#e3e5e8")
    for y, item in ((60, "Dashboard"), (96, "Jobs board"), (132, "Bookings"),
                    (168, "Parts stock"), (204, "Customers")):
        canvas.text(20, y, item, ink="#374151")
    canvas.box((237, 152, 880, 197), fill="white", border="#e3e5e8")
    return canvas


def test_a_sidebars_item_labels_no_box_beyond_the_sidebars_side() -> None:
    """"Parts stock in the sidebar" clicked a card's header band beside the sidebar: the box
    was taken for a field and the sidebar's item on its row, 100 px off, for its label."""
    canvas = _sidebar(rule=True)
    canvas.text(253, 166, "Today's queue", ink="#111827")
    assert all(w.text != "Parts stock" for w in canvas.find())


def test_a_label_far_left_of_its_field_with_no_side_between_still_labels_it() -> None:
    canvas = _sidebar(rule=False)
    assert [w.text for w in of_kind(canvas.find(), "field")] == ["Parts stock"]


@pytest.mark.parametrize(("ink", "split"), [("#a0526b", False), ("#e08a1e", True)])
def test_a_stretch_of_coloured_words_in_a_grey_line_is_a_link(ink: str, split: bool) -> None:
    """"the Create an account link" was not found, twice: "New to Maison Blanche? Create an
    account", the link in a brand's rose or orange, not blue, and not underlined (or OCR
    boxed "account" as "a" and "count", the "a" round no ink)."""
    canvas = Canvas(size=(900, 120))
    right = canvas.text(20, 40, "New to Maison Blanche?", ink="#6b6b6b")[2]
    meant = canvas.text(round(right) + 7, 40, "Create an account", ink=ink)
    if split:
        word = canvas.words.pop()
        left, top, _, bottom = word.box
        canvas.words += [OcrWord("a", (left + 1, top + 2, left + 4, bottom), word.line, 90.0),
                         OcrWord("count", (left + 9, top, word.box[2], bottom), word.line, 90.0)]
    links = of_kind(canvas.find(), "link")
    assert len(links) == 1 and links[0].text.startswith("Create an a")
    assert abs(links[0].box[0] - meant[0]) <= 2 and abs(links[0].box[2] - meant[2]) <= 2


@pytest.mark.parametrize("line", ["Save £14 on the kit", "Spring sale"])
def test_a_line_all_coloured_or_coloured_in_two_places_has_no_link(line: str) -> None:
    canvas = Canvas(size=(900, 120))
    if line.startswith("Save"):
        right = canvas.text(20, 40, "Save £14", ink="#2e7d32")[2]
        right = canvas.text(round(right) + 7, 40, "on the", ink="#6b6b6b")[2]
        canvas.text(round(right) + 7, 40, "kit", ink="#2e7d32")
    else:
        canvas.text(20, 40, line, ink="#c0392b")
    assert not of_kind(canvas.find(), "link")


def test_a_button_next_to_a_label_over_a_field_is_the_one_beside_that_field() -> None:
    """"the Apply button next to Promo code" was not found: the label stands over its field,
    the button beside the field, not beside the words."""
    read, widgets = [], []
    for y, label in ((220, "Promo code"), (320, "Gift card")):
        read += [*words(y, 1095, label, char=7.5, height=10), *words(y + 36, 1370, "Apply")]
        label_box = (1095.0, y, 1095.0 + 7.5 * len(label), y + 10)  # (a small label)
        widgets += [Widget("field", (1094.0, y + 24, 1346.0, y + 60), label, label_box),
                    Widget("button", (1354.0, y + 24, 1424.0, y + 60), "Apply",
                           (1370.0, y + 36, 1415.0, y + 52))]
    found = ground("the Apply button next to Promo code", read, widgets)
    assert inside(found.point, widgets[1].box)
    found = ground("the Apply button next to Gift card", read, widgets)
    assert inside(found.point, widgets[3].box)


def _quotes(declines: tuple[bool, ...]) -> tuple[list[OcrWord], list[Widget]]:
    """A removals firm's quotes: each row an Accept button, then a Decline button where the
    quote is open (`declines`), else a View link."""
    read, widgets = [], []
    for k, open_ in enumerate(declines):
        y = 200 + 48 * k
        read += [*words(y, 100, f"Q-104{k}"), *words(y, 1280, "Accept")]
        widgets.append(Widget("button", (1268.0, y - 8, 1346.0, y + 24), "Accept",
                              (1280.0, y, 1334.0, y + 16)))
        other = "Decline" if open_ else "View"
        read += words(y, 1383, other)
        widgets.append(Widget("button" if open_ else "link", (1371.0, y - 8, 1446.0, y + 24),
                              other, (1383.0, y, 1383.0 + 9 * len(other), y + 16)))
    return read, widgets


def test_the_last_rows_button_counts_back_from_the_end() -> None:
    """"the Decline button in the last row" was an error: a row before it has no Decline
    button, which shifts a count from the top, not one from the end."""
    read, widgets = _quotes((True, False, True, True))
    found = ground("the Decline button in the last row", read, widgets)
    assert inside(found.point, widgets[7].box)


def test_a_last_row_without_the_button_is_an_error() -> None:
    read, widgets = _quotes((True, True, True, False))
    with pytest.raises(Ambiguous, match="counts items"):
        ground("the Decline button in the last row", read, widgets)


@pytest.mark.parametrize(("read", "said"), [("Semi-private lesson", "private lesson"),
                                            ("Check-in", "check"), ("Monday-Friday", "friday")])
def test_a_word_joined_to_another_by_a_hyphen_is_another_word(read: str, said: str) -> None:
    assert similarity(norm(read), said) == 0.0


def test_an_option_is_not_the_one_whose_first_word_holds_its_word() -> None:
    """"the Private lesson option" was ambiguous: "Semi-private lesson" was taken for
    "private lesson" misread (its letters nearly the same)."""
    read, radios = [], []
    for y, label in ((305, "Private lesson 30 minutes, one rider"),
                     (329, "Semi-private lesson 45 minutes, two riders")):
        read += words(y, 80, label)
        radios.append(Widget("radio", (57.0, y - 1, 72.0, y + 14), label,
                             (80.0, y, 80.0 + 9 * len(label), y + 16)))
    found = ground("the Private lesson option", read, radios)
    assert inside(found.point, radios[0].box)


def test_words_right_of_a_field_name_no_table_row_of_it() -> None:
    """"the Email address field" typed into the Password field: OCR read the label "Em" and
    "address", and "Email address" was taken for a row "Email" (a side panel's "Email the
    secretary", on the Password field's row, right of it) under a column "address"."""
    read = [*words(176, 576, "Sign in with the email address on your membership."),
            *words(213, 576, "Em"), *words(212, 623, "address"), *words(285, 576, "Password"),
            *words(304, 1049, "Having trouble?"), *words(327, 1048, "Email the secretary")]
    fields = [Widget("field", (575.0, 231.0, 975.0, 269.0), "Em", (576.0, 213.0, 594.0, 229.0)),
              Widget("field", (575.0, 304.0, 975.0, 342.0), "Password",
                     (576.0, 285.0, 648.0, 301.0))]
    with pytest.raises(GroundingError, match="no text like 'email address'"):
        ground("the Email address field", read, fields)



def test_a_word_boxed_up_to_a_mark_over_it_is_brought_down_to_its_line() -> None:
    """A rugby club's age-group cards, a radio button's circle just over each title: OCR boxed
    "Under" from the circle's top, 33 px tall beside "12s" at 12, so the title stood on the
    first card's radio button's row and named it: "the Under 12s option" clicked Under 8s."""
    grown = OcrWord("Under", (979.0, 201.0, 1029.0, 234.0), (1,), 94.0)
    beside = OcrWord("125", (1036.0, 222.0, 1063.0, 234.0), (1,), 87.0)
    dot = OcrWord("·", (1070.0, 228.0, 1073.0, 231.0), (2,), 50.0)
    alone = OcrWord("Born", (979.0, 245.0, 1006.0, 254.0), (2,), 96.0)
    assert [w.box for w in trimmed([grown, beside, dot, alone])] == [
        (979.0, 222.0, 1029.0, 234.0), beside.box, dot.box, alone.box]


def _stores(pill_found: bool) -> tuple[list[OcrWord], list[Widget]]:
    """A laundrette finder: a bar of filter pills ("Open 24h" first) and a card's status
    badge reading "Open 24h" too."""
    read, widgets = [], []
    for left, name in ((201, "Open 24h"), (330, "Service wash"), (510, "Duvet machines")):
        read += words(257, left + 30, name)
        if left > 201 or pill_found:  # (pills 17 px apart)
            widgets.append(Widget("button", (left, 245.0, left + 40 + 9 * len(name), 286.0),
                                  name, (left + 30, 257.0, left + 30 + 9 * len(name), 273.0)))
    read += words(400, 1736, "Open 24h")
    badge = Widget("button", (1723.0, 394.0, 1835.0, 421.0), "Open 24h",
                   (1736.0, 400.0, 1808.0, 416.0))
    return read, [*widgets, badge]


def test_a_role_guessed_by_words_a_missed_pill_also_says_is_unsure() -> None:
    """"the Open 24h filter" clicked a card's "Open 24h" badge: the filter bar's first pill
    was not found, so its words were plain text, level with the other pills."""
    read, widgets = _stores(pill_found=False)
    with pytest.raises(GroundingError, match="no text like 'open 24h filter'"):
        ground("the Open 24h filter", read, widgets)
    read, widgets = _stores(pill_found=True)
    assert inside(ground("the Open 24h filter", read, widgets).point, widgets[0].box)
