"""Issue 13's trial: a named control (switch, checkbox) is never answered with plain text that
toggles nothing; a modal dialog's elements win over the same ones behind its overlay; two
elements of the same text and kind are never told apart with full confidence."""

from __future__ import annotations

import pickle

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import Analysis, ground_in
from agent.grounding.ocr.modal import modal_box, with_dialog_read
from agent.grounding.ocr.rank import Ambiguous, Decision
from tests.grounding.ocr.test_rank import SCREEN, Widget, ground, inside, words


def decision(description: str, read: list[OcrWord], widgets: list[Widget],
             image: Image.Image = SCREEN) -> Decision:
    return ground_in(Analysis(read, list(widgets), 0.0), image, description)


def test_a_switch_with_no_mark_found_on_its_row_is_an_error_not_its_label() -> None:
    """A settings row "Dark mode ........ (switch)" whose switch was not found: clicking the
    text toggles nothing, so it is an error."""
    read = [*words(150, 640, "Dark mode"), *words(200, 640, "Compact view")]
    with pytest.raises(NotOnScreen, match="label without a checkbox"):
        decision("the Dark mode switch", read, [])


def test_a_label_with_a_mark_just_left_of_it_is_the_label_of_that_mark() -> None:
    """A checkbox the finder missed (a tiny Tk box at 300%) toggles from its label: the label
    is the answer when a mark-like drawing stands just left of it."""
    image = SCREEN.copy()
    ImageDraw.Draw(image).rectangle((622, 153, 631, 162), outline="#555555")
    read = words(150, 640, "Open after saving")
    found = decision("the Open after saving checkbox", read, [], image).best
    assert found.kind == "text" and found.text == "Open after saving"


def dimmed_with_dialog() -> Image.Image:
    image = Image.new("RGB", (1280, 800), (70, 78, 88))  # the page under a dark overlay
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1279, 40), fill=(20, 28, 36))  # its header, darker still
    draw.rectangle((480, 250, 800, 520), fill="white")  # the dialog
    return image


def test_a_modal_dialog_is_a_bright_box_over_a_dimmed_screen() -> None:
    box = modal_box(dimmed_with_dialog())
    assert box is not None and abs(box[0] - 480) <= 4 and abs(box[3] - 520) <= 4
    assert modal_box(SCREEN) is None  # a light page
    page = SCREEN.copy()
    ImageDraw.Draw(page).rectangle((480, 250, 800, 520), fill="#f0f0f0", outline="#888888")
    assert modal_box(page) is None  # a panel on a light page is no dialog


def test_a_dialog_over_a_page_under_a_light_overlay_is_modal() -> None:
    """The seventy-first trial's "Assign a locker" dialog: the overlay dims the white page to
    grey 166 (black at 35%), the rows' own "Assign locker" buttons still show behind it."""
    page = Image.new("RGB", (1280, 800), (245, 245, 248))
    draw = ImageDraw.Draw(page)
    draw.rectangle((20, 40, 990, 220), fill="white", outline="#d0d0d8")  # the table's panel
    draw.rectangle((1010, 40, 1260, 220), fill="white", outline="#d0d0d8")
    dimmed = Image.blend(page, Image.new("RGB", page.size, "black"), 0.35)
    ImageDraw.Draw(dimmed).rectangle((470, 270, 810, 450), fill="white")  # the dialog
    box = modal_box(dimmed)
    assert box is not None and abs(box[0] - 470) <= 4 and abs(box[3] - 450) <= 4
    assert modal_box(page) is None  # undimmed: panels on a page


def test_the_button_in_a_modal_dialog_wins_over_the_same_one_behind_its_overlay() -> None:
    header = Widget("button", (1180, 8, 1260, 34), "Log in", (1195, 13, 1245, 29))
    dialog = Widget("button", (700, 470, 780, 500), "Log in", (715, 477, 765, 493))
    read = [*words(13, 1195, "Log", char=8), *words(477, 715, "Log in", char=8)]
    found = decision("the Log in button", read, [header, dialog], dimmed_with_dialog())
    assert inside(found.best.point, dialog.box)
    # The dialog's pair of buttons taken for tabs (touching boxes, one unlike the other)
    # still wins over the header's button
    as_tab = Widget("tab", dialog.box, dialog.text, dialog.text_box)
    found = decision("the Log in button", read, [header, as_tab], dimmed_with_dialog())
    assert inside(found.best.point, dialog.box)


def test_two_of_the_same_text_and_kind_are_never_told_apart_with_full_confidence() -> None:
    first = Widget("button", (100, 100, 180, 130), "Remove", (115, 107, 165, 123))
    second = Widget("button", (100, 200, 180, 230), "Remove", (115, 207, 165, 223))
    found = decision("the second Remove button", [], [first, second])
    assert inside(found.best.point, second.box) and found.confidence < 1.0


def test_one_word_of_a_checkbox_phrase_finds_it_when_it_is_the_only_one() -> None:
    terms = Widget("checkbox", (100, 300, 114, 314), "I agree to the Terms of Service",
                   (124, 299, 400, 315))
    news = Widget("checkbox", (100, 340, 114, 354), "Send me product news", (124, 339, 330, 355))
    read = [*words(299, 124, "I agree to the Terms of Service"),
            *words(339, 124, "Send me product news")]
    assert inside(decision("the terms checkbox", read, [terms, news]).best.point, terms.box)
    assert inside(decision("the product news checkbox", read, [terms, news]).best.point,
                  news.box)
    other = Widget("checkbox", (100, 380, 114, 394), "I accept the Terms of Use",
                   (124, 379, 360, 395))
    read += words(379, 124, "I accept the Terms of Use")
    with pytest.raises(GroundingError, match="ambiguous"):
        decision("the terms checkbox", read, [terms, news, other])


def test_a_button_at_the_far_end_of_its_table_row_is_next_to_the_rows_text() -> None:
    """A cart: "Notebook ... $5.50 ... [Remove]" with the button 500 px right of the name."""
    rows = [(180, "Blue mug"), (235, "Notebook"), (290, "Pencil case")]
    buttons = [Widget("button", (1127, y, 1222, y + 34), "Remove", (1145, y + 10, 1205, y + 24))
               for y, _name in rows]
    read = [w for y, name in rows for w in words(y + 10, 580, name, height=14)]
    read += [w for y, _name in rows for w in words(y + 10, 1145, "Remove", height=14)]
    found = decision("the Remove button next to Notebook", read, buttons)
    assert inside(found.best.point, buttons[1].box)


def test_a_button_under_a_cards_heading_with_a_price_between() -> None:
    """Pricing cards: "Pro" heading, price and features, then its button 10 lines below."""
    cards = [(610, "Basic"), (896, "Pro"), (1182, "Enterprise")]
    buttons = [Widget("button", (x, 287, x + 127, 321), "Choose plan", (x + 15, 297, x + 112,
                                                                           311))
               for x, _name in cards]
    read = [w for x, name in cards for w in words(160, x + 40, name, height=12)]
    read += [w for x, _name in cards for w in words(297, x + 15, "Choose plan", height=12)]
    found = decision("the Choose plan button under Pro", read, buttons)
    assert inside(found.best.point, buttons[1].box)


class CropEngine:
    """Reads a dialog's crop as its two lines; notes the sizes it was given."""

    name = "crop"

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.sizes.append(image.size)
        return [OcrWord("Notify", (30.0, 40.0, 80.0, 56.0), (0, 1, 1, 1), 96.0),
                OcrWord("people", (86.0, 40.0, 140.0, 56.0), (0, 1, 1, 1), 96.0)]


def test_a_modal_dialog_is_read_again_alone_and_its_words_replace_the_screens() -> None:
    """The blind trial's share dialog at 100%: the dimmed page around it garbled its small
    text ("Notify people" read as "a people"); its crop alone reads every word."""
    screen_words = [OcrWord("Files", (20.0, 10.0, 70.0, 26.0), (0, 1, 1, 1), 95.0),
                    OcrWord("a", (500.0, 290.0, 510.0, 306.0), (0, 1, 1, 1), 40.0),
                    OcrWord("people", (516.0, 290.0, 570.0, 306.0), (0, 1, 1, 1), 9.0)]
    engine = CropEngine()
    read = with_dialog_read(dimmed_light_page(), screen_words, engine.read)
    assert len(engine.sizes) == 1 and abs(engine.sizes[0][0] - 320) <= 8  # the dialog alone
    assert [w.text for w in read] == ["Files", "Notify", "people"]
    notify = read[1]
    assert abs(notify.box[0] - (480 + 30)) <= 4 and abs(notify.box[1] - (250 + 40)) <= 4
    assert notify.line != screen_words[0].line  # a line of its own, not the screen's first
    light = with_dialog_read(SCREEN, screen_words, engine.read)
    assert light == screen_words and len(engine.sizes) == 1  # no dialog: nothing read again


def test_a_dialog_whose_crop_reads_less_keeps_the_screens_words() -> None:
    """A grey Tk window alone on a black desktop is a bright box on a dim screen too; its
    crop alone read nothing (tesseract's threshold fell between its grey and white)."""
    screen_words = [OcrWord("Comments", (500.0, 290.0, 580.0, 306.0), (0, 1, 1, 1), 95.0)]
    assert with_dialog_read(dimmed_light_page(), screen_words, lambda _: []) == screen_words
    window_on_black = Image.new("RGB", (1280, 800), "black")
    ImageDraw.Draw(window_on_black).rectangle((480, 250, 800, 520), fill="#d9d9d9")
    assert with_dialog_read(window_on_black, screen_words, CropEngine().read) == screen_words


def dimmed_light_page() -> Image.Image:
    """A white page with lines of text under a 45% black overlay, and a dialog over it."""
    image = Image.new("RGB", (1280, 800), (140, 140, 140))
    draw = ImageDraw.Draw(image)
    for y in range(60, 780, 40):
        draw.rectangle((40, y, 400 + (y * 7) % 300, y + 10), fill=(90, 90, 90))
    draw.rectangle((480, 250, 800, 520), fill="white")
    return image


def test_a_radio_in_a_grid_is_found_by_its_column_header_and_its_row() -> None:
    """A survey grid (the third blind trial): column headers Excellent / Good / Poor, a row
    per question, unlabelled radio buttons in the cells."""
    read = [*words(100, 400, "Excellent", key=1), *words(100, 520, "Good", key=2),
            *words(100, 620, "Poor", key=3), *words(140, 100, "Delivery speed", key=4),
            *words(180, 100, "Product quality", key=5)]
    radios = {(column, row): Widget("radio", (x - 8, y - 8, x + 8, y + 8))
              for column, x in (("Excellent", 440), ("Good", 538), ("Poor", 638))
              for row, y in (("Delivery speed", 148), ("Product quality", 188))}
    widgets = list(radios.values())
    for column, row in (("Excellent", "Delivery speed"), ("Good", "Product quality"),
                        ("Poor", "Delivery speed")):
        found = decision(f"the {column} radio button in the {row} row", read, widgets).best
        assert inside(found.point, radios[column, row].box), (column, row, found)
    with pytest.raises(GroundingError, match="ambiguous"):
        decision("the Excellent radio button", read, widgets)  # which row is not said


def test_an_option_of_an_open_drop_down_list_is_its_item_but_a_radio_button_is_not() -> None:
    """The third blind trial's "the Referral option": Chromium's open <select> list, items
    stacked at one left edge, no radio button anywhere near them."""
    read = [*words(300, 100, "How did you hear about us?", key=1),
            *words(340, 110, "Please select", key=2), *words(366, 110, "LinkedIn", key=3),
            *words(392, 110, "Job board", key=4), *words(418, 110, "Referral", key=5),
            *words(444, 110, "Other", key=6), *words(600, 100, "Referral bonus terms", key=7)]
    found = decision("the Referral option", read, []).best
    assert found.text == "Referral" and 418 <= found.point[1] <= 434
    with pytest.raises(NotOnScreen, match="label without a radio"):
        decision("the Referral radio button", read, [])  # a radio button is a mark, not text
    alone = [*words(418, 110, "Referral", key=5)]
    with pytest.raises(NotOnScreen, match="label without a radio"):
        decision("the Referral option", alone, [])  # no list: still no radio to click


def test_a_word_starting_a_paragraphs_line_is_no_option_of_a_list() -> None:
    """The forty-seventh trial's lambing log, its Number of lambs list screenshot before it was
    painted: "the Twins option" was "Twins" starting a note's line under a list of ewes,
    stacked at one left edge like a list's items (a click on a sentence)."""
    read = [*words(160, 58, "UK 0 742118 00475", key=1),
            *words(186, 58, "Suffolk x Mule scanned twins", key=2),
            *words(240, 58, "Twins and triplets go to the shed pens", key=3),
            *words(266, 58, "paddock after 24 hours.", key=4)]
    with pytest.raises(NotOnScreen):
        decision("the Twins option", read, [])
    items = [*read[:9], *words(240, 58, "Twins", key=3), *words(266, 58, "Triplets", key=4)]
    found = decision("the Twins option", items, []).best  # a list's item is all its line
    assert found.text == "Twins" and 240 <= found.point[1] <= 256


def test_a_field_guessed_below_a_column_header_is_doubted_when_the_label_is_also_elsewhere(
        ) -> None:
    """The fourth blind trial's silent wrong click: "the IBAN field" on a form whose IBAN field
    the finder took for a button, above a table with an "IBAN" column. The header's row line
    below it passed for a field's top edge: with a second "IBAN" whose field was not found,
    that guess is an error naming both, not a click into the table. Since the ninth trial a
    rule across a table is no field's top at all (no side goes down from its end)."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    draw.line((300, 520, 900, 520), fill="#999999", width=1)  # the table's line under its header
    draw.line((300, 560, 900, 560), fill="#999999", width=1)
    read = [*words(150, 120, "IBAN", key=1), *words(500, 400, "IBAN", key=2),
            *words(535, 400, "ES91 2100 0418", key=3)]
    not_a_field = Widget("button", (200, 138, 740, 176), "e.g. DE89 3704", (214, 150, 340, 166))
    with pytest.raises(NotOnScreen, match="label without a field 'IBAN'"):
        decision("the IBAN field", read, [not_a_field], image)
    alone = read[1:]  # only the table's "IBAN": the line under it is still no field
    with pytest.raises(NotOnScreen, match="label without a field 'IBAN'"):
        decision("the IBAN field", alone, [], image)
    draw.line((300, 520, 300, 556), fill="#999999", width=1)  # a box's side: a field below
    found = decision("the IBAN field", alone, [], image).best
    assert found.kind == "field" and found.point[1] > 520


def test_an_open_drop_down_item_wins_over_the_same_text_in_a_table_column() -> None:
    """The fourth trial's "the Studio 3 option": the open list hangs from the Studio drop-down;
    the table's Room column, stacked at one left edge too, holds "Studio 3" as well."""
    dropdown = Widget("field", (1316, 92, 1434, 128), "Studio")
    read = [*words(101, 1332, "All studios", key=1, height=14)]
    read += [w for i, item in enumerate(("All studios", "Studio 1", "Studio 2", "Studio 3"))
             for w in words(136 + 26 * i, 1332, item, key=10 + i, height=14)]
    read += [w for i, room in enumerate(("Room", "Studio 1", "Studio 2", "Studio 3"))
             for w in words(280 + 44 * i, 912, room, key=20 + i, height=14)]
    found = decision("the Studio 3 option", read, [dropdown]).best
    assert inside(found.point, (1332, 214, 1420, 228))
    closed = [w for w in read if w.box[0] < 1300 or w.line == (1,)]
    with pytest.raises(NotOnScreen, match="label without a radio"):
        decision("the Studio 3 option", closed, [dropdown])  # a closed list: the table is no list


def test_an_open_drop_down_item_read_short_of_the_words_wins_over_a_table_columns() -> None:
    """The forty-sixth trial's "the "25 mm" option": both the open Meter size list and the
    table's Size column read "25mm", a near match; the list's item came within 0.09 of the
    column's (an ambiguity): a list hanging from no field is less surely the options."""
    dropdown = Widget("field", (1236, 148, 1574, 181), "Meter size")
    read = [w for i, item in enumerate(("15mm", "20mm", "25mm", "40mm"))
            for w in words(188 + 25 * i, 1250, item, key=10 + i, height=14)]
    read += [w for i, size in enumerate(("Size", "15mm", "20mm", "15mm", "25mm", "40mm"))
             for w in words(140 + 43 * i, 527, size, key=20 + i, height=14)]
    found = decision('the "25 mm" option', read, [dropdown]).best
    assert inside(found.point, (1250, 238, 1286, 252))


def test_the_last_item_of_an_open_drop_down_in_capitals_is_an_option() -> None:
    """The forty-eighth trial's "the B3 option": the Kennel list's last item, its lines 24 px
    apart and "B3" 10 px high; a list's item wanted two more lines within 4.5 of its heights,
    and only "B2" stood there."""
    dropdown = Widget("field", (1189, 233, 1878, 266), "Kennel")
    read = [w for i, item in enumerate(("Choose a free kennel", "A2", "A4", "B2", "B3"))
            for w in words(272 + 24 * i, 1203, item, key=10 + i, height=10)]
    read += words(532, 661, "Kennel B3", key=30, height=10)  # a card on the page
    found = decision("the B3 option", read, [dropdown]).best
    assert inside(found.point, (1203, 368, 1222, 382))


def test_an_open_drop_down_item_beside_a_radio_button_of_the_page_is_the_item() -> None:
    """The fifteenth trial's "the "3" option": the Bedrooms list hangs over the page's
    "How often" row, its "3" on the row of that group's first radio button."""
    dropdown = Widget("field", (165, 170, 212, 201), "Bedrooms")
    read = [w for i, item in enumerate("12345")
            for w in words(208 + 24 * i, 179, item, key=10 + i, char=7, height=10)]
    radio = Widget("radio", (80, 250, 96, 266), "One-off", (104, 252, 160, 264))
    found = decision('the "3" option', read, [dropdown, radio]).best
    assert found.text == "3" and inside(found.point, (179, 256, 186, 266))
    with pytest.raises(NotOnScreen):
        decision('the "3" radio button', read, [dropdown, radio])  # no radio button reads 3
    # The forty-second trial's "the "3/4" option": the page's grid of radio buttons, no label
    # of their own, stands left of the list on its rows
    grid = [Widget("radio", (100, 205 + 24 * i, 116, 221 + 24 * i)) for i in range(5)]
    found = decision('the "3" option', read, [dropdown, *grid]).best
    assert found.text == "3" and inside(found.point, (179, 256, 186, 266))



def test_an_open_drop_down_item_wins_over_a_radio_button_of_the_same_name() -> None:
    """The fifty-fifth trial's "the "Smile Ceramics" option": the Lab filter's list is open
    over the table while the docket form beside it offers a "Smile Ceramics" radio button;
    both read the very words (an ambiguity). The open list was opened to choose from."""
    dropdown = Widget("field", (85, 175, 284, 203), "All labs")
    items = ("All labs", "Castle Dental Lab", "Smile Ceramics", "Bright Arch Lab")
    read = [w for i, item in enumerate(items)
            for w in words(216 + 30 * i, 99, item, key=10 + i, height=11)]
    radios = [Widget("radio", (1597, 352 + 20 * i, 1609, 364 + 20 * i), name,
                     (1618, 353 + 20 * i, 1750, 364 + 20 * i))
              for i, name in enumerate(("Castle Dental Lab", "Smile Ceramics"))]
    found = decision('the "Smile Ceramics" option', read, [dropdown, *radios]).best
    assert found.text == "Smile Ceramics" and inside(found.point, (99, 276, 225, 287))
    found = decision('the "Smile Ceramics" radio button', read, [dropdown, *radios]).best
    assert found.kind == "radio" and inside(found.point, radios[1].box)
    closed = [w for w in read if w.line == (10,)]  # the list shut: the radio button
    found = decision('the "Smile Ceramics" option', closed, [dropdown, *radios]).best
    assert found.kind == "radio" and inside(found.point, radios[1].box)

def test_a_table_column_under_a_header_band_taken_for_a_field_is_no_open_list() -> None:
    """The sixty-eighth trial's "the "Overdue" option" at 150%: the Status list is open, and
    the table's Status column shows "Overdue" under a header band the finder took for a
    field: its first cell hung from that "field" as an open list's item does, and tied."""
    dropdown = Widget("field", (332, 164, 478, 208), "Status")
    band = Widget("field", (476, 222, 1366, 271), "Berth")
    read = [w for i, item in enumerate(("All", "Overdue", "Due", "Paid"))
            for w in words(217 + 36 * i, 353, item, key=10 + i, height=16)]
    read += words(238, 771, "Status", key=5, height=16)  # the column's heading in the band
    read += [w for i, cell in enumerate(("Overdue", "Due", "Paid", "Overdue"))
             for w in words(293 + 62 * i, 771, cell, key=20 + i, height=16)]
    found = decision('the "Overdue" option', read, [dropdown, band]).best
    assert inside(found.point, (353, 253, 430, 269))


def test_a_closed_drop_downs_value_under_an_open_list_is_no_item_of_it() -> None:
    """The twenty-fifth trial's "the "Jack" option": the open Who list (Mum, Dad, Ella, Jack)
    and, two rows further down at the same left edge, the closed drop-down of another row
    showing "Jack": its value climbed the list's items to the field and tied with the item."""
    fields = [Widget("field", (480, 115 + 48 * row, 548, 145 + 48 * row), value)
              for row, value in enumerate(("Ella", "Dad", "Ella", "Ella", "Ella", "Jack"))]
    read = [w for row, field in enumerate(fields)
            for w in words(field.box[1] + 6, 490, field.text, key=row, height=17)
            if row not in (2, 3)]  # (the list covers the third and fourth rows' boxes)
    read += [w for i, item in enumerate(("Mum", "Dad", "Ella", "Jack"))
             for w in words(200 + 24 * i, 490, item, key=10 + i, height=17)]
    found = decision('the "Jack" option', read, fields[:2] + fields[4:]).best
    assert inside(found.point, (490, 272, 526, 289))


def test_an_item_of_a_list_just_opened_over_another_rows_drop_down_is_an_item() -> None:
    """The twenty-eighth trial's "the Admin option": Leo Park's role list (Member, Admin) is
    open over Noah Becker's closed drop-down, whose box holds the list's "Admin". A value
    inside a drop-down's box is no item, unless it appeared with the list just opened."""
    selects = [Widget("field", (1129, 432 + 50 * row, 1221, 462 + 50 * row), value)
               for row, value in enumerate(("Admin", "Member", "", "Member"))]
    read = [*words(441, 1140, "Admin", key=1, height=11),
            *words(486, 1140, "Member", key=2, height=11)]
    read += [w for i, item in enumerate(("Member", "Admin"))
             for w in words(514 + 24 * i, 1140, item, key=10 + i, height=11)]
    selects[2] = Widget("field", (1129, 532, 1221, 559), "Admin")  # the list over its box
    opened = Analysis(read, list(selects), 0.0, ((1120.0, 496.0, 1232.0, 560.0),))
    found = ground_in(opened, SCREEN, "the Admin option").best
    assert inside(found.point, (1140, 538, 1190, 549))
    with pytest.raises(GroundingError):  # not seen opening: a value in a box, and Ava's
        decision("the Admin option", read, selects)


def test_a_closed_drop_downs_value_just_under_a_list_just_opened_is_no_item_of_it() -> None:
    """The ninety-ninth trial's harvest rota at 100%: Tom Baker's block list open down to the
    top of Priya Shah's closed drop-down, which shows "Block 7 - Merlot" at the list's left
    edge; neither drop-down under the list found as a box. What changed holds the list, not
    Priya's value (it straddles the change's foot)."""
    maria = Widget("field", (434, 189, 610, 216), "Crew A")
    read = [*words(196, 446, "Block 1 - Shiraz", key=1, height=10),
            *words(239, 446, "Block 1 - Shiraz", key=2, height=10)]
    read += [w for i, item in enumerate(("Block 1 - Shiraz", "Block 4 - Chardonnay",
                                         "Block 7 - Merlot", "Block 9 - Grenache"))
             for w in words(266 + 24 * i, 446, item, key=10 + i, height=10)]
    read += words(365, 446, "Block 7 - Merlot", key=20, height=10)  # Priya's, closed
    opened = Analysis(read, [maria], 0.0, ((432.0, 256.0, 624.0, 368.0),))
    found = ground_in(opened, SCREEN, 'the "Block 7 - Merlot" option').best
    assert inside(found.point, (446, 314, 548, 324))


def test_a_table_rows_avatar_of_the_same_name_is_no_mark_of_an_open_lists_item() -> None:
    """The thirty-second trial's "the "Leo Tanaka" option": the Who covers list hangs over the
    page beside a table whose rows show each person's initials in a circle (found as a radio
    button labelled with the name), one of them on the item's row, far left of it."""
    dropdown = Widget("field", (1574, 160, 1880, 190), "Select a person")
    items = ("Nadia Karim", "Jonas Berg", "Leo Tanaka", "Rosa Mendez")
    read = [w for i, item in enumerate(items)
            for w in words(203 + 30 * i, 1586, item, key=10 + i, height=11)]
    avatar = Widget("radio", (672, 250, 694, 272), "Leo Tanaka", (700, 255, 780, 266))
    found = decision('the "Leo Tanaka" option', read, [dropdown, avatar]).best
    assert found.text == "Leo Tanaka" and inside(found.point, (1586, 263, 1686, 274))


def test_an_option_may_be_a_button() -> None:
    """A size picker's toggle buttons, an open list's rows read as boxes: "the L option"."""
    sizes = [Widget("button", (400 + 50 * i, 300, 440 + 50 * i, 330), size)
             for i, size in enumerate(("S", "M", "L", "XL"))]
    assert decision("the L option", [], sizes).best.point == (520.0, 315.0)
    radios = [Widget("radio", (400, 400 + 30 * i, 416, 416 + 30 * i), size,
                     (424, 400 + 30 * i, 440, 416 + 30 * i)) for i, size in enumerate("SML")]
    assert inside(decision("the L option", [], sizes + radios).best.point, radios[2].box)


def test_a_row_named_by_the_words_of_two_cells() -> None:
    """The fourth trial's "the Book button in the 18:45 Spin row": a time and a class in two
    cells of a table row, far apart; the row holding both is the row."""
    rows = [(100, "18:00", "Yoga"), (150, "18:45", "Spin"), (200, "19:30", "Spin")]
    read = [w for y, time, name in rows
            for w in (*words(y, 40, time, key=y), *words(y, 300, name, key=y + 1))]
    read += [w for y, *_ in rows for w in words(y, 720, "Book", key=y + 2)]
    buttons = [Widget("button", (700, y - 8, 780, y + 24), "Book") for y, *_ in rows]
    assert inside(decision("the Book button in the 18:45 Spin row", read, buttons).best.point,
                  buttons[1].box)
    with pytest.raises(NotOnScreen, match="the row it is in cannot be told"):
        decision("the Book button in the 20:15 Spin row", read, buttons)


def test_an_ambiguous_anchor_is_an_ambiguity_naming_what_cannot_be_told() -> None:
    """An anchor read twice alike: the error, re-made with its message prefixed, keeps its
    kind (on the eighth trial's vet page, "the Pet's name field" tried under a heading met such
    an anchor, and the constructor wanting `exact` too made it a TypeError)."""
    read = [*words(100, 40, "Pet", key=1), *words(200, 40, "Pet", key=2)]
    fields = [Widget("field", (120, 92, 300, 124)), Widget("field", (120, 192, 300, 224))]
    with pytest.raises(Ambiguous, match=r"the element it is next to cannot be told: its words "
                       r"stand in 2 places and 2 fit"):
        decision("the field next to Pet", read, fields)
    copy = pickle.loads(pickle.dumps(Ambiguous("two alike", exact=True)))
    assert (str(copy), copy.exact) == ("two alike", True)


def test_a_field_named_by_its_placeholder_and_the_heading_above_it() -> None:
    """The fourth trial's "the Max price field": a "Price" heading over two fields whose
    placeholders read "Min" and "Max"; the heading is no field's label beside it."""
    read = [*words(340, 410, "Price", key=1, height=17), *words(367, 424, "Min", key=2),
            *words(367, 535, "Max", key=3), *words(367, 498, "to", key=4),
            *words(440, 410, "Surface", key=5, height=17)]
    low, high = Widget("field", (410, 358, 490, 392)), Widget("field", (521, 358, 601, 392))
    assert inside(decision("the Max price field", read, [low, high]).best.point, high.box)
    assert inside(decision("the Min price field", read, [low, high]).best.point, low.box)
    with pytest.raises(NotOnScreen, match="no text like 'max surface'"):
        decision("the Max surface field", read, [low, high])  # not under that heading


def test_a_text_button_with_a_sign_before_its_words_is_those_words() -> None:
    """A borderless "+ Add line" button: the sign is drawn beside the words, not said."""
    read = [*words(300, 100, "+ Add line", key=1), *words(200, 100, "Invoice lines", key=2)]
    found = decision("the Add line button", read, []).best
    assert found.text == "Add line" and 118 <= found.point[0] <= 190


def test_the_search_box_is_by_the_word_search_not_another_field() -> None:
    """A site's header: a search field the finder took for no field, a Search button, and
    elsewhere the only field found (a Sort by drop-down): no guess at that one."""
    sort = Widget("field", (1758, 68, 1895, 86), "Sort by:")
    go = Widget("button", (732, 10, 806, 41), "Search", (747, 19, 791, 30))
    read = [*words(19, 747, "Search", key=1), *words(70, 1700, "Sort by:", key=2)]
    with pytest.raises(GroundingError):
        decision("the search box", read, [sort, go])
    box = Widget("field", (100, 10, 716, 41))
    assert inside(decision("the search box", read, [sort, go, box]).best.point, box.box)


def test_a_button_for_a_name_is_in_its_row_or_its_card_never_the_next_rows() -> None:
    """"the Add to basket button for Brite Lamp": product cards, the button under the title;
    in a table whose row lacks the button, the next row's is no answer."""
    titles = [(100, "Lumo Lamp"), (500, "Brite Lamp")]
    read = [w for x, title in titles for w in words(100, x, title, key=x)]
    cards = [Widget("button", (x, 160, x + 120, 190), "Add to basket") for x, _t in titles]
    read += [w for x, _t in titles for w in words(168, x + 8, "Add to basket", key=x + 1)]
    assert inside(decision("the Add to basket button for Brite Lamp", read, cards).best.point,
                  cards[1].box)
    table = [*words(300, 40, "Bob", key=3), *words(340, 40, "Carol", key=4),
             *words(340, 420, "Delete", key=5)]
    delete = Widget("button", (400, 332, 500, 364), "Delete")
    with pytest.raises(GroundingError):
        decision("the Delete button for Bob", table, [delete])


def test_a_label_wrapped_flush_right_beside_its_field_names_it() -> None:
    """The fifth trial's "Vehicle registration" over "number", both ending at the field."""
    read = [*words(413, 329, "Vehicle registration", key=1, char=11.5),
            *words(437, 493, "number", key=2, char=11.5)]
    field = Widget("field", (586, 410, 946, 459), "number", (493, 437, 562, 453))
    found = decision("the Vehicle registration number field", read, [field]).best
    assert inside(found.point, field.box)


def test_a_dash_between_words_with_spaces_around_it_stays_in_the_phrase() -> None:
    """The fifth trial's "Zone B - Harbour": a narrow "B" box and a dash left a gap wider than
    the line's text is high."""
    read = [OcrWord("Zone", (608, 671, 664, 688), (1,)), OcrWord("B", (668, 666, 679, 698), (1,)),
            OcrWord("-", (697, 681, 703, 683), (1,)),
            OcrWord("Harbour", (714, 670, 805, 688), (1,))]
    found = decision("the Zone B - Harbour text", read, []).best
    assert found.text == "Zone B - Harbour"


def test_a_code_after_a_noun_the_screen_does_not_say_is_its_button() -> None:
    """The sixth trial's seat map: "seat 14C" names the button reading "14C"; a code no
    button reads, or a one-character one, is still an error."""
    seats = [Widget("button", (100 + 40 * k, 200, 136 + 40 * k, 230), code)
             for k, code in enumerate(("14B", "14C", "14D", "3"))]
    read = [w for seat in seats for w in words(208, seat.box[0] + 6, seat.text, key=seat.box[0])]
    assert inside(decision("seat 14C", read, seats).best.point, seats[1].box)
    with pytest.raises(NotOnScreen):
        decision("seat 14E", read, seats)
    with pytest.raises(NotOnScreen):
        decision("seat 3", read, seats)


def test_another_word_on_a_widget_does_not_tie_with_the_very_words() -> None:
    """The seventy-third trial's "the Sunday tab": the grey tab was not found, its words
    were (0.55 as plain text); the selected "Saturday" tab, a button whose word is 0.71 like
    "Sunday", scored 0.57 and made it an ambiguity. It is another word, no misreading."""
    saturday = Widget("button", (24, 130, 132, 162), "Saturday", (44, 139, 112, 153))
    read = [*words(139, 44, "Saturday", key=1, height=14),
            *words(139, 157, "Sunday", key=2, height=14),
            *words(139, 252, "Bank holiday", key=3, height=14)]
    found = decision("the Sunday tab", read, [saturday]).best
    assert found.text == "Sunday" and inside(found.point, (157, 139, 211, 153))
    misread = Widget("button", (400, 130, 490, 162), "Sundey", (417, 139, 471, 153))
    with pytest.raises(Ambiguous):  # a misreading of the very word still ties with it
        decision("the Sunday tab", read, [saturday, misread])


def radio_cards() -> tuple[list[OcrWord], list[Widget]]:
    """Trial 94's planetarium shows: three cards, each a bold title over a radio button whose
    own text is the show's description."""
    read: list[OcrWord] = []
    radios = []
    for left, title, blurb in ((100, "Our Solar System", "Key Stage 2 35 min. Planets"),
                               (500, "Life of a Star", "Key Stage 3 45 min. From nebula"),
                               (900, "Black Holes", "Key Stage 4 50 min. Gravity")):
        read += words(200, left + 30, title) + words(228, left + 30, blurb)
        text = words(228, left + 30, blurb)
        radios.append(Widget("radio", (left, 228, left + 16, 244), blurb,
                             (text[0].box[0], 228, text[-1].box[2], 244)))
    return read, radios


def test_a_radio_cards_title_over_its_text_names_its_radio_button() -> None:
    read, radios = radio_cards()
    found = decision('the "Life of a Star" radio button', read, radios).best
    assert found.kind == "radio" and inside(found.point, radios[1].box)
    found = decision("the Life of a Star radio button", read, radios).best  # unquoted
    assert found.kind == "radio" and inside(found.point, radios[1].box)


def test_a_heading_over_a_group_of_radio_buttons_names_none_of_them() -> None:
    """A group's heading stands over the marks, not over their texts: "Delivery" is no
    radio button's."""
    read = [*words(200, 100, "Delivery"), *words(228, 130, "Standard"),
            *words(256, 130, "Express")]
    radios = [Widget("radio", (100, 228 + 28 * k, 116, 244 + 28 * k), text,
                     (130, 228 + 28 * k, 130 + 9 * len(text), 244 + 28 * k))
              for k, text in enumerate(("Standard", "Express"))]
    with pytest.raises(GroundingError):
        decision("the Delivery radio button", read, radios)


def wrapped_couriers() -> tuple[list[OcrWord], dict[str, Widget]]:
    """Trial 97's courier radio buttons in a narrow panel: "DHL" and "FedEx" wrapped under
    their marks (no label found beside them), "Hand" beside its mark and "delivered" under."""
    radios = {"DHL": Widget("radio", (1440, 290, 1460, 310)),
              "FedEx": Widget("radio", (1537, 290, 1558, 310)),
              "Hand delivered": Widget("radio", (1654, 290, 1674, 310), "Hand",
                                       (1687, 294, 1739, 310))}
    read = [OcrWord("O", (1655.0, 291.0, 1673.0, 309.0), (26,), 91.0),
            OcrWord("Hand", (1687.0, 294.0, 1739.0, 310.0), (26,), 96.0),
            OcrWord("DHL", (1435.0, 319.0, 1477.0, 334.0), (27,), 96.0),
            OcrWord("FedEx", (1533.0, 318.0, 1593.0, 334.0), (28,), 96.0),
            OcrWord("delivered", (1648.0, 318.0, 1743.0, 334.0), (29,), 96.0)]
    return read, radios


@pytest.mark.parametrize("name", ["DHL", "FedEx", "Hand delivered"])
def test_a_label_wrapped_under_its_mark_names_that_mark(name: str) -> None:
    """Not the unlabelled mark beside "Hand": "the Hand delivered radio button" had been
    answered with FedEx's, a silent wrong click."""
    read, radios = wrapped_couriers()
    found = decision(f"the {name} radio button", read, list(radios.values())).best
    assert found.kind == "radio" and inside(found.point, radios[name].box)


def test_a_marks_label_elsewhere_on_the_row_does_not_take_the_text_from_its_own_mark() -> None:
    """"☐ Email   ☐ Email updates", the second mark found without its label: "the Email
    updates checkbox" is the mark beside those words, not the one labelled "Email"."""
    read = [*words(300, 130, "Email"), *words(300, 330, "Email updates")]
    marks = [Widget("checkbox", (100, 300, 116, 316), "Email", (130, 300, 175, 316)),
             Widget("checkbox", (300, 300, 316, 316))]
    found = decision("the Email updates checkbox", read, marks).best
    assert inside(found.point, marks[1].box)


def test_a_label_beside_a_missed_mark_is_no_title_of_the_next_items_mark() -> None:
    """Trial 91's outstanding jobs: the "Wet hose hung in drying tower" checkbox not found,
    the next item's found with its label just under, at the same left edge: that mark is not
    the one described (it had been answered, a wrong click); the label is (it toggles its box)."""
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    items = ("BA set back from workshop", "Wet hose hung in drying tower", "School visit filed")
    read, marks = [], []
    for row, item in enumerate(items):
        y = 200 + 24 * row
        read += words(y, 430, item, key=row, height=14)
        draw.rectangle((410, y + 1, 421, y + 12), outline="#555555")
        if row != 1:
            text = words(y, 430, item)
            marks.append(Widget("checkbox", (410, y + 1, 422, y + 13), item,
                                (430, y, text[-1].box[2], y + 14)))
    found = decision("the Wet hose hung in drying tower checkbox", read, marks, image).best
    assert found.kind == "text" and found.text == items[1]


def test_a_mark_whose_label_holds_its_swatch_read_as_a_sign_is_that_labels() -> None:
    """The eighteenth trial's fabric colours at 150%: a swatch between each radio button and
    its label, read "@" and taken into the label ("@ Forest green"); the first radio
    button's label out of its reach (its pale swatch read as nothing). "Forest green" is the
    mark whose label reads it, not the unlabelled one at the row's start."""
    read = [*words(338, 990, "Oatmeal", key=1), *words(333, 1392, "@ Forest green", key=2)]
    oatmeal = Widget("radio", (917, 339, 937, 359))
    forest = Widget("radio", (1358, 339, 1378, 359), "@ Forest green", (1392, 333, 1560, 362))
    assert inside(ground('the "Forest green" radio button', read, [oatmeal, forest]).point,
                  forest.box)


def test_a_lists_last_item_under_a_highlighted_one_read_only_from_its_band() -> None:
    """The hundredth trial's Guests list at 100%: "No guests" highlighted white on blue, read
    only from its band's own crop (a button's words); "2 guests" under "1 guest" is still the
    list's last item, two more lines above it."""
    dropdown = Widget("field", (716, 519, 1204, 554), "Guests", (716, 497, 770, 510))
    band = Widget("button", (716, 552, 1204, 578), "No guests", (731, 561, 800, 574),
                  words=(OcrWord("No", (731.0, 561.0, 748.0, 571.0), (9,)),
                         OcrWord("guests", (754.0, 561.0, 799.0, 574.0), (9,))))
    read = [*words(531, 731, "No guests", key=1, height=10),
            *words(585, 731, "1 guest", key=2, height=10),
            *words(609, 731, "2 guests", key=3, height=10),
            *words(640, 760, "I need step-free access", key=4, height=10)]
    found = decision('the "2 guests" option', read, [dropdown, band]).best
    assert found.text == "2 guests" and inside(found.point, (731, 609, 803, 619))
