"""Ranking widgets and words for a description (agent/grounding/ocr/rank.py, narrow.py), with
hand-made widget lists shaped like `find_widgets`' and word lists shaped like an engine's."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PIL import Image, ImageDraw

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.grounder import Analysis, ground_in
from agent.grounding.ocr.narrow import colours
from agent.grounding.ocr.rank import Candidate

SCREEN = Image.new("RGB", (1280, 800), "white")


@dataclass(frozen=True)
class Widget:
    """The fields of C1's Widget that ranking reads."""

    kind: str
    box: Box
    text: str = ""
    text_box: Box | None = None
    menu: bool = False
    words: tuple[OcrWord, ...] = ()


def words(y: float, x: float, text: str, key: int | None = None, char: float = 9,
          height: float = 16) -> list[OcrWord]:
    """The words of `text` on one line starting at (x, y), 9 px a character, a space apart."""
    found, left = [], x
    for word in text.split():
        found.append(OcrWord(word, (left, y, left + char * len(word), y + height),
                             (key if key is not None else int(y * 10 + x),)))
        left += char * (len(word) + 1)
    return found


def ground(description: str, read: list[OcrWord], widgets: list[Widget] | None,
           image: Image.Image = SCREEN) -> Candidate:
    return ground_in(Analysis(read, list(widgets) if widgets is not None else None, 0.0), image,
                     description).best


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


SUBMIT = Widget("button", (400, 300, 500, 336), "Submit", (420, 310, 474, 326))
SENTENCE = words(200, 40, "Fill in the form and then click Submit.")


def test_the_button_beats_the_same_word_in_a_sentence() -> None:
    found = ground("the Submit button", [*SENTENCE, *words(310, 420, "Submit")], [SUBMIT])
    assert found.kind == "button" and inside(found.point, SUBMIT.box)


def test_a_button_whose_text_only_its_own_crop_read_still_wins() -> None:
    """The whole-screen pass missed "Submit" inside the border; the widget's crop read it."""
    found = ground("the Submit button", SENTENCE, [SUBMIT])
    assert inside(found.point, SUBMIT.box)


def test_the_word_in_a_sentence_is_not_clicked_for_a_button_it_is_not() -> None:
    """The button's text was read nowhere: the sentence's "Submit" is no button: an error
    that names it, never a click on it."""
    unread = Widget("button", SUBMIT.box)
    with pytest.raises(NotOnScreen, match=r"no button like 'submit'.*'Submit\.' at"):
        ground("the Submit button", SENTENCE, [unread])


def test_a_link_beats_its_text_quoted_in_a_paragraph() -> None:
    link = Widget("link", (40, 400, 103, 416), "Pricing", (40, 400, 103, 416))
    read = [*words(300, 40, "See Pricing for the plans."), *words(400, 40, "Pricing")]
    found = ground("the Pricing link", read, [link])
    assert found.kind == "link" and inside(found.point, link.box)
    found = ground('"Pricing"', read, [link])  # no kind: the whole phrase still beats a part
    assert inside(found.point, link.box)


def test_a_tab_beats_its_name_in_a_sentence() -> None:
    tabs = [Widget("tab", (40, 60, 140, 96), "General"), Widget("tab", (140, 60, 240, 96),
                                                                 "Billing")]
    read = words(200, 40, "Open Billing to change your card.")
    found = ground("the Billing tab", read, tabs)
    assert inside(found.point, tabs[1].box)


def test_a_tab_with_a_count_beats_its_name_in_a_status_column() -> None:
    """The forty-fifth trial's applicant tabs ("All 6", "Pending 4") over a table whose
    status column says "Pending" four times: the tab reads the very word, and a count is no
    misreading of it."""
    tabs = [Widget("tab", (380, 110, 430, 146), "All 6"),
            Widget("tab", (466, 110, 556, 146), "Pending 4")]
    column = [w for y in (210, 250, 290, 330) for w in words(y, 1150, "Pending")]
    found = ground("the Pending tab", column, tabs)
    assert inside(found.point, tabs[1].box)
    misread = [Widget("tab", (466, 110, 556, 146), "Pendlng 4")]  # no word reads "Pending"
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the Pending tab", column, misread)


def test_a_field_is_answered_inside_the_field_never_at_its_label() -> None:
    field = Widget("field", (40, 230, 340, 262), "Username", (40, 200, 121, 216))
    read = words(200, 40, "Username")
    found = ground("the Username field", read, [field])
    assert found.kind == "field" and inside(found.point, field.box)
    unlabelled = Widget("field", field.box)  # the widget finder did not attach the label
    found = ground("the Username field", read, [unlabelled])
    assert inside(found.point, field.box)
    label = ground("the Username label", read, [field])
    assert label.kind == "text" and inside(label.point, (40, 200, 121, 216))


def test_a_label_with_no_field_near_it_is_an_error() -> None:
    far = Widget("field", (700, 600, 900, 632))
    with pytest.raises(NotOnScreen, match="no text field like 'username'"):
        ground("the Username text field", words(200, 40, "Username"), [far])


def test_the_only_field_is_found_with_no_text_and_two_are_ambiguous() -> None:
    lone = Widget("field", (300, 300, 700, 336))
    read = words(100, 40, "Search the catalogue")
    assert inside(ground("the text field", read, [lone, SUBMIT]).point, lone.box)
    second = Widget("field", (300, 400, 700, 436))
    with pytest.raises(GroundingError, match="ambiguous: 2 places") as info:
        ground("the text field", read, [lone, second])
    places = [(float(x), float(y)) for x, y in re.findall(r"at \((\d+), (\d+)\)",
                                                          str(info.value))]
    assert len(places) == 2
    assert inside(places[0], lone.box) and inside(places[1], second.box)
    with pytest.raises(NotOnScreen, match="no checkbox"):
        ground("the checkbox", read, [lone])


ROWS = [(name, 100 + 50 * row) for row, name in enumerate(("Alice", "Bob", "Carol"))]
TABLE_WORDS = [w for name, y in ROWS for w in (*words(y, 40, name), *words(y, 420, "Delete"))]
TABLE = [Widget("button", (400, y - 8, 500, y + 24), "Delete") for _name, y in ROWS]


@pytest.mark.parametrize(("description", "row"), [
    ("the first Delete button", 0),
    ("the second Delete button", 1),
    ("the last row's Delete button", 2),
    ("the Delete button in the row with Bob", 1),
    ('the "Delete" button in the same row as "Carol"', 2),
])
def test_ordinals_and_rows_pick_one_of_many(description: str, row: int) -> None:
    found = ground(description, TABLE_WORDS, TABLE)
    assert inside(found.point, TABLE[row].box), found


def test_the_same_button_in_every_row_is_ambiguous_without_an_ordinal() -> None:
    with pytest.raises(GroundingError, match=r"ambiguous: 3 places.*say which"):
        ground("the Delete button", TABLE_WORDS, TABLE)
    with pytest.raises(GroundingError, match="no 4th button"):
        ground("the fourth Delete button", TABLE_WORDS, TABLE)


def test_the_checkbox_next_to_its_label_and_the_field_below_a_label() -> None:
    boxes = [Widget("checkbox", (40, 100, 56, 116), "Newsletter", (64, 100, 154, 116)),
             Widget("checkbox", (40, 140, 56, 156), "Offers", (64, 140, 118, 156))]
    read = [*words(100, 64, "Newsletter"), *words(140, 64, "Offers")]
    assert inside(ground("the checkbox next to Newsletter", read, boxes).point, boxes[0].box)
    assert inside(ground("the Offers checkbox", read, boxes).point, boxes[1].box)
    fields = [Widget("field", (40, 230, 340, 262)), Widget("field", (40, 310, 340, 342))]
    read = [*words(200, 40, "Username"), *words(280, 40, "Password")]
    assert inside(ground("the field below Username", read, fields).point, fields[0].box)
    assert inside(ground("the field below Password", read, fields).point, fields[1].box)


def test_the_button_at_the_bottom_right() -> None:
    buttons = [Widget("button", (40, 40, 140, 76), "Menu"),
               Widget("button", (1000, 740, 1100, 776), "Cancel"),
               Widget("button", (1140, 740, 1240, 776), "OK")]
    assert inside(ground("the button at the bottom right", [], buttons).point, buttons[2].box)
    assert inside(ground("the top left button", [], buttons).point, buttons[0].box)


def test_the_red_button() -> None:
    image = SCREEN.copy()
    draw = ImageDraw.Draw(image)
    red, blue = (300, 300, 420, 336), (500, 300, 620, 336)
    draw.rectangle(red, fill="#c01c28")
    draw.rectangle(blue, fill="#1a5fb4")
    assert colours(image, red) == {"red"} and colours(image, blue) == {"blue"}
    buttons = [Widget("button", red, "Delete"), Widget("button", blue, "Keep")]
    assert inside(ground("the red button", [], buttons, image).point, red)
    assert inside(ground("the blue button", [], buttons, image).point, blue)


def test_a_misread_widget_text_is_accepted_only_without_a_close_rival() -> None:
    login = Widget("button", (400, 300, 500, 336), "L0gin")
    assert inside(ground("the Login button", [], [login]).point, login.box)
    logon = Widget("button", (400, 400, 500, 436), "Logon")
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the Login button", [], [login, logon])
    exact = Widget("button", (400, 500, 500, 536), "Login")
    assert inside(ground("the Login button", [], [login, logon, exact]).point, exact.box)


def test_without_widgets_words_alone_still_ground() -> None:
    read = [*words(310, 420, "Submit"), *words(100, 40, "Welcome back")]
    found = ground("the Submit button", read, None)
    assert found.kind == "text" and found.point == (420 + 27, 318)


def test_a_field_with_its_own_label_is_not_taken_for_the_label_above_it() -> None:
    """The form page: "Email" has its field to the right; the Address field below it has its
    own label, so it is no rival for "the Email field"."""
    email = Widget("field", (93, 100, 273, 123), "Email", (16, 104, 57, 120))
    address = Widget("field", (15, 151, 275, 174), "Address", (16, 129, 76, 145))
    read = [*words(104, 16, "Email", char=8), *words(129, 16, "Address", char=8)]
    found = ground("the Email field", read, [email, address])
    assert inside(found.point, email.box)


def test_the_search_box_is_the_only_field_when_no_text_says_search() -> None:
    box = Widget("field", (16, 68, 284, 89))
    button = Widget("button", (292, 68, 354, 89), "Search")
    read = [*words(40, 16, "Type a dish and press the button to find it."),
            *words(72, 300, "Search")]
    assert inside(ground("the search box", read, [box, button]).point, box.box)
    assert inside(ground("the Search button", read, [box, button]).point, button.box)


def test_a_word_of_a_longer_button_is_no_rival_for_the_button_that_reads_just_it() -> None:
    """The busy benchmark screen: "Book" and "Seat seat book payment" are both buttons."""
    book = Widget("button", (333, 89, 410, 126), "Book")
    longer = Widget("button", (900, 400, 1260, 436), "Seat seat book payment")
    read = [*words(100, 350, "Book"), *words(410, 920, "Seat seat book payment")]
    assert inside(ground('the "Book" button', read, [book, longer]).point, book.box)
    found = ground('the "book payment" button', read, [book, longer])
    assert inside(found.point, longer.box)


def test_a_colour_no_candidate_has_does_not_reject_the_only_one() -> None:
    """A planner's "blue" for a grey button: the colour is not what is uncertain here."""
    only = Widget("button", (300, 300, 420, 336), "Search")
    assert inside(ground("the blue Search button", [], [only]).point, only.box)


def test_a_placeholder_names_its_own_field_not_the_next_one() -> None:
    """The profile page: "First name" is the placeholder inside the first field; the field to
    its right (no label found) is not it."""
    first = Widget("field", (16, 42, 194, 63))
    last = Widget("field", (202, 42, 380, 63))
    read = [*words(46, 20, "First name", char=8), *words(46, 206, "Last name", char=8)]
    assert inside(ground("the First name field", read, [first, last]).point, first.box)
    assert inside(ground("the Last name field", read, [first, last]).point, last.box)


def test_a_text_area_is_the_tall_field() -> None:
    line_field = Widget("field", (16, 42, 194, 63))
    area = Widget("field", (16, 87, 378, 147))
    assert inside(ground("the text area", [], [line_field, area]).point, area.box)
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the text box", [], [line_field, area])


def test_tabs_that_share_a_border_are_three_tabs() -> None:
    tabs = [Widget("tab", (24, 63, 167, 106), "General"), Widget("tab", (172, 63, 301, 106),
                                                                  "Privacy"),
            Widget("tab", (297, 63, 486, 106), "Notifications")]
    assert inside(ground("the last tab", [], tabs).point, tabs[2].box)
    assert inside(ground("the third tab", [], tabs).point, tabs[2].box)


def test_the_only_button_that_starts_with_the_words_is_found_and_two_are_ambiguous() -> None:
    save = Widget("button", (16, 157, 149, 187), "Save changes")
    assert inside(ground("the Save button", [], [save]).point, save.box)
    save_as = Widget("button", (157, 157, 241, 187), "Save as")
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the Save button", [], [save, save_as])
    exact = Widget("button", (257, 157, 341, 187), "Save")
    assert inside(ground("the Save button", [], [save, save_as, exact]).point, exact.box)
    longer = Widget("button", (16, 257, 349, 287), "Save all changes now")
    with pytest.raises(GroundingError, match="ambiguous"):  # two partial matches: no guess
        ground("the Save button", [], [longer, save_as])


def test_a_label_asked_for_is_the_words_not_the_field_they_name() -> None:
    """The busy benchmark screen: "Apply" labels the entry right of it, whose text OCR reads
    on the same line (so the label's own run is only part of a phrase)."""
    field = Widget("field", (82, 869, 212, 892), "Apply", (20, 871, 58, 887))
    read = words(871, 20, "Apply Baggage insurance", key=1)
    found = ground('the "Apply" label', read, [field])
    assert found.kind == "text" and inside(found.point, (20, 869, 58, 887))
    assert inside(ground("the Apply field", read, [field]).point, field.box)


def test_two_links_read_as_one_widget_are_clicked_on_the_words_meant() -> None:
    """rapidocr read "Privacy policy   Terms of use" as one line and the finder made one link
    of it: "the Terms of use link" is acted on at those words, not between the two links."""
    merged = Widget("link", (17, 64, 238, 89), "Privacy policy Terms of use", (17, 64, 238, 89))
    read = words(64, 17, "Privacy policy Terms of use", key=2)
    found = ground("the Terms of use link", read, [merged])
    assert 17 + 9 * 15 <= found.point[0] <= 238, found
    found = ground("the Privacy policy link", [], [merged])  # from the widget's own text alone
    assert 17 <= found.point[0] <= 17 + 221 * 14 / 27, found


def test_an_ordinal_counted_from_a_side() -> None:
    tabs = [Widget("tab", (24 + 150 * i, 63, 170 + 150 * i, 106), name)
            for i, name in enumerate(("General", "Privacy", "Notifications", "Advanced"))]
    assert inside(ground("the second tab from the left", [], tabs).point, tabs[1].box)
    assert inside(ground("the second tab from the right", [], tabs).point, tabs[2].box)
    assert inside(ground("the last tab on the right", [], tabs).point, tabs[3].box)


def test_an_ordinal_counts_the_words_of_a_widget_the_finder_missed() -> None:
    """Three Remove links, the middle one not found as a link: the second is still it."""
    links = [Widget("link", (262, 144, 350, 161), "Remove", (262, 144, 350, 161)),
             Widget("link", (262, 222, 350, 239), "Remove", (262, 222, 350, 239))]
    read = [*words(144, 262, "Remove"), *words(183, 262, "Remove"), *words(222, 262, "Remove")]
    assert ground("the second Remove link", read, links).point[1] == 183 + 8
    assert inside(ground("the last Remove link", read, links).point, links[1].box)


def test_later_words_of_a_label_are_not_that_option() -> None:
    """"SMS © Phone" read as one radio's label: "the Phone option" is not the SMS radio."""
    sms = Widget("radio", (144, 102, 164, 122), "SMS © Phone", (177, 99, 343, 132))
    read = words(104, 177, "SMS © Phone", key=3)
    with pytest.raises(NotOnScreen, match="label without a radio 'Phone'"):
        ground("the Phone option", read, [sms])  # only SMS's mark on the row: no click
    assert inside(ground("the SMS option", read, [sms]).point, sms.box)


def test_a_label_wrapped_over_two_lines_names_its_field() -> None:
    """"Coupon code" wrapped as "Coupon" over "code"; the finder took the first line."""
    coupon = Widget("field", (141, 272, 408, 305), "Coupon", (24, 266, 108, 285))
    read = [*words(266, 24, "Coupon"), *words(292, 24, "code"), *words(275, 420, "Apply")]
    assert inside(ground("the Coupon code field", read, [coupon]).point, coupon.box)
    assert inside(ground("the field right of Coupon code", read, [coupon]).point, coupon.box)


def test_a_close_sign_read_as_a_letter_is_a_near_match() -> None:
    close = Widget("button", (900, 20, 930, 50), "X")
    assert inside(ground("the × button", [], [close]).point, close.box)


def test_a_switch_far_right_of_its_label_is_found_and_never_the_label() -> None:
    """A settings list: "Wi-Fi ........ [switch]" per row; the finder did not attach labels."""
    wifi = Widget("checkbox", (366, 49, 400, 67))
    bluetooth = Widget("checkbox", (366, 82, 400, 100))
    read = [*words(50, 20, "Wi-Fi"), *words(83, 20, "Bluetooth")]
    assert inside(ground("the Bluetooth toggle", read, [wifi, bluetooth]).point, bluetooth.box)
    assert inside(ground("the Wi-Fi switch", read, [wifi, bluetooth]).point, wifi.box)
    with pytest.raises(NotOnScreen, match="label without a checkbox"):
        ground("the Wi-Fi switch", read, [bluetooth, Widget("checkbox", (20, 40, 36, 56),
                                                              "Airplane")])  # another's mark
    # No mark found on the row: never the label alone (clicking it toggles nothing; issue 13's
    # trial); the label only with a mark-like drawing just left of it (test_rank_marks.py)
    with pytest.raises(NotOnScreen, match="label without a checkbox"):
        ground("the Bluetooth toggle", read, [wifi])


def test_a_near_text_that_scores_as_high_as_the_exact_one_is_a_rival() -> None:
    """"Logon" on a button outscores "Login" in plain words (kind first): neither is clicked."""
    logon = Widget("button", (400, 400, 500, 436), "Logon")
    read = words(100, 40, "Login")
    with pytest.raises(GroundingError, match="ambiguous"):
        ground("the Login button", read, [logon])
    misread = Widget("button", (400, 400, 500, 436), "L0gin")
    sentence = words(100, 40, "Please Login below to continue")
    assert inside(ground("the Login button", sentence, [misread]).point, misread.box)


def test_an_element_far_off_is_not_below_or_next_to_the_anchor() -> None:
    """The field meant was not found: a field far down the page is not "below Username"."""
    far = Widget("field", (40, 700, 340, 732))
    read = words(200, 40, "Username")
    with pytest.raises(NotOnScreen):
        ground("the field below Username", read, [far])
    with pytest.raises(NotOnScreen):
        ground("the checkbox next to Username", read, [Widget("checkbox", (40, 400, 56, 416))])


def test_the_big_text_box() -> None:
    line_field = Widget("field", (16, 42, 194, 63))
    area = Widget("field", (16, 87, 378, 147))
    assert inside(ground("the big text box", [], [line_field, area]).point, area.box)
    assert inside(ground("the smallest text field", [], [line_field, area]).point, line_field.box)


def test_a_field_the_finder_missed_is_found_by_its_edges_unless_another_widget_is_there() -> None:
    image = Image.new("RGB", (640, 200), "#d9d9d9")
    ImageDraw.Draw(image).rectangle((120, 36, 380, 62), fill="white", outline="#7f7f7f")
    read = words(41, 12, "Name")
    elsewhere = Widget("button", (500, 150, 600, 180), "OK")
    found = ground("the Name field", read, [elsewhere], image)
    assert found.kind == "field" and inside(found.point, (120, 36, 380, 62))
    covering = Widget("link", (110, 30, 390, 68), "margaret@example.org")  # taken for a link
    with pytest.raises(NotOnScreen, match="label without a field"):
        ground("the Name field", read, [covering], image)


def test_a_unit_with_a_slash_read_with_a_look_alike_letter_names_its_field() -> None:
    """The forty-seventh trial's spraying log: "Rate (l/ha)" read "Rate (I/ha)"."""
    rate = Widget("field", (220, 180, 390, 210), "Rate (I/ha)", (100, 186, 200, 202))
    water = Widget("field", (220, 240, 390, 270), "Water volume (l/ha)", (60, 246, 210, 262))
    found = ground("the Rate (l/ha) field", [], [rate, water])
    assert found.kind == "field" and inside(found.point, rate.box)


def test_a_small_box_among_a_titles_letters_does_not_take_the_titles_words() -> None:
    """The fiftieth trial's freezer dialog: its bold title "Move box "Plasmid preps 3""
    held a small box taken for a "+" button under the words' middle; it read "Move box" as
    surely as the dialog's own Move box button did."""
    plus = Widget("button", (633, 307, 651, 325), "+")
    move = Widget("button", (1199, 731, 1350, 781), "Move box", (1226, 747, 1324, 764))
    title = words(302, 572, "Move box Plasmid preps 3", char=16, height=22)
    found = ground('the "Move box" button', [*title, *words(747, 1226, "Move box")], [plus, move])
    assert inside(found.point, move.box)
    with pytest.raises(GroundingError):
        ground('the "Move box" button', title, [plus])
