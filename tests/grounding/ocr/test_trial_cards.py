"""Blind trials of 2026-12-07, late evening (an optician, a plumber, an estate agent, …): option
cards and switches drawn as real sites draw them. A plus sign of a price ("+ £120") taken for
a radio button, then clicked for another card's option (a wrong click); a radio button level
with its card's lighter hint, under the title that names it; a radio button centred over its
label; a switch with its state said just left of it ("Off"); a field named by a later word of
its placeholder ("Write your message…"); blue underlined links in a table's boxed rows; a
placeholder ending "member no."; a slot named by its day ("the 10:30 slot on Thursday"); a
count of rows with a row's link missed, and not a sidebar's marks level with the rows; a label
read with a space lost ("Send ona date"); the second field of a section under its heading ("the
Max price field"); an item's title and a noun for it ("the Afternoon Tea hamper"), not its
words in any order along a grid's row (a wrong click); a near word ("Massage") counted before
the nth of the words said (a wrong click)."""

from __future__ import annotations

import pytest
from PIL import ImageDraw, ImageFont

from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.ground import ground_in
from agent.grounding.ocr.rank import Ambiguous
from agent.grounding.ocr.textmatch import similarity
from tests.grounding.ocr.test_rank import Widget, ground, inside, words
from tests.grounding.ocr.test_widgets import Canvas, of_kind
from tests.grounding.ocr.test_widgets_marks import ring

BOLD = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 16)
HINT = "#6b7280"  # a hint's grey, lighter than a title's near-black


def _title(canvas: Canvas, x: int, y: int, text: str) -> None:
    """A card's bold title, read as words."""
    canvas.draw.text((x, y), text, font=BOLD, fill="#111827")
    cursor = x
    for word in text.split():
        left, top, right, bottom = (float(v) for v in
                                    canvas.draw.textbbox((cursor, y), word, font=BOLD))
        canvas.words.append(OcrWord(word, (left, top, right, bottom), (y,), 95.0))
        cursor = round(canvas.draw.textbbox((cursor, y), word + " ", font=BOLD)[2])


def _grown(box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """`box` two pixels wider all round (a point on a ring's anti-aliased edge is on it)."""
    return box[0] - 2.0, box[1] - 2.0, box[2] + 2.0, box[3] + 2.0


def _lens_cards() -> tuple[Canvas, list[tuple[int, int, int, int]]]:
    """Two option cards side by side, each a radio button level with the lighter hint under
    its title; the second card's price "+ £120" at its top right, level with the titles."""
    canvas = Canvas((1200, 300))
    cards = [(40, 40, 560, 130), (580, 40, 1100, 130)]
    for (left, top, right, bottom), title, hint in zip(
            cards, ("Distance or reading", "Varifocals"),
            ("Single vision lenses for one distance", "Near, middle and far in one lens"),
            strict=True):
        canvas.box((left, top, right, bottom), border="#d1d5db")
        _title(canvas, left + 48, top + 14, title)
        canvas.image.paste(ring(15), (left + 20, top + 38))
        canvas.text(left + 48, top + 36, hint, HINT)
    canvas.text(1030, 54, "+ £120")
    return canvas, [(c[0] + 20, c[1] + 38, c[0] + 35, c[1] + 53) for c in cards]


def test_a_plus_sign_of_a_price_is_no_radio_button() -> None:
    """"the Distance or reading option" clicked the "+" of the other card's "+ £120": drawn
    level with the title, it was taken for a radio button on the title's row."""
    canvas, rings = _lens_cards()
    radios = of_kind(canvas.find(), "radio")
    assert len(radios) == 2 and all(inside(((r[0] + r[2]) / 2, (r[1] + r[3]) / 2), w.box)
                                    for r, w in zip(rings, radios, strict=True))
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the Distance or reading option").best
    assert found.kind == "radio" and inside(found.point, _grown(rings[0]))


def test_a_radio_button_level_with_its_cards_hint_is_named_by_the_title_over_it() -> None:
    """"the Varifocals option": the radio button's nearest words were the lighter hint, so
    the title was a label without a radio button."""
    canvas, rings = _lens_cards()
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the Varifocals option").best
    assert found.kind == "radio" and inside(found.point, _grown(rings[1]))



def test_a_radio_button_centred_over_its_label_on_a_card_is_named_by_it() -> None:
    """"the Detached house option": a wizard's cards, each a radio button centred over its
    label; only a label starting under the mark was taken for its own."""
    canvas = Canvas((1000, 200))
    rings = []
    for k, label in enumerate(("Flat", "Terraced house", "Detached house", "Bungalow")):
        left = 40 + 220 * k
        canvas.box((left, 40, left + 200, 130), border="#d1d5db")
        width = canvas.draw.textlength(label, font=ImageFont.truetype(
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 16))
        canvas.image.paste(ring(15), (left + 93, 56))
        canvas.text(round(left + 100 - width / 2), 74, label)
        rings.append((left + 93, 56, left + 108, 71))
    analysis = Analysis(canvas.words, canvas.find(), 0.0)
    for k, label in enumerate(("Terraced house", "Detached house")):
        found = ground_in(analysis, canvas.image, f"the {label} option").best
        assert found.kind == "radio" and inside(found.point, _grown(rings[k + 1]))


def test_a_switch_with_its_state_said_just_left_of_it_is_found() -> None:
    """"the switch next to Contact lens reorder reminders": each switch had "On" or "Off" a
    few pixels to its left, so it was taken for a letter of a word and none was found."""
    canvas = Canvas((1000, 200))
    draw = ImageDraw.Draw(canvas.image)
    tracks = []
    for k, (label, state) in enumerate((("Appointment reminders", "On"),
                                        ("Contact lens reorder reminders", "Off"))):
        y = 40 + 60 * k
        canvas.text(40, y + 4, label)
        canvas.text(800 - 8 - round(canvas.draw.textlength(state, font=BOLD)), y + 6, state,
                    HINT)
        on = state == "On"
        draw.rounded_rectangle((800, y, 846, y + 26), radius=13,
                               fill="#0f8a5f" if on else "#d1d5db")
        knob = 822 if on else 802
        draw.ellipse((knob, y + 2, knob + 22, y + 24), fill="white")
        tracks.append((800.0, float(y), 846.0, y + 26.0))
    switches = [w for w in of_kind(canvas.find(), "checkbox") if w.box[2] - w.box[0] > 30]
    assert len(switches) == 2
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the switch next to Contact lens reorder reminders").best
    assert inside(found.point, tracks[1])


def test_a_field_is_named_by_a_later_word_of_its_placeholder() -> None:
    """"the message box": the field's placeholder "Write your message…" was matched from its
    start only, as a label is, so only "Write" could name it."""
    field = Widget("field", (1174.0, 474.0, 1847.0, 561.0), "Write your message...",
                   (1188.0, 488.0, 1390.0, 506.0))
    read = [*words(384, 1110, "Send us a message"), *words(488, 1188, "Write your message...")]
    found = ground("the message box", read, [field])
    assert found.kind == "field" and inside(found.point, field.box)


def test_blue_underlined_links_in_a_boxed_table_row_are_links() -> None:
    """"the Freeze link next to Aisha Khan": each table row was a box of its own, and no words
    on a box that is no control were taken for links (an open list's digits look underlined)."""
    canvas = Canvas((1400, 260))
    freezes = []
    for k, name in enumerate(("Jamie Park", "Aisha Khan", "Olivia Brown")):
        top = 20 + 70 * k
        canvas.box((20, top, 980, top + 64), border="#c8ccd2")  # the row's box: a panel
        canvas.text(40, top + 22, name)
        canvas.text(700, top + 22, "Edit", "#2563eb", underline=True)
        freezes.append(canvas.text(760, top + 22, "Freeze", "#2563eb", underline=True))
        canvas.text(850, top + 22, "Remove", "#b91c1c", underline=True)
    links = of_kind(canvas.find(), "link")
    assert sorted(w.text for w in links) == ["Edit"] * 3 + ["Freeze"] * 3
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the Freeze link next to Aisha Khan").best
    assert found.kind == "link" and inside(found.point, freezes[1])


def test_a_placeholder_ending_in_an_abbreviation_is_no_sentence() -> None:
    """"the search members box": its placeholder "Search by name, email or member no." ended
    with a full stop, so the field was taken for a notice's box."""
    canvas = Canvas((900, 160))
    canvas.box((20, 40, 480, 80), border="#d1d5db")
    canvas.text(34, 50, "Search by name, email or member no.", "#6b7280")
    fields = of_kind(canvas.find(), "field")
    assert len(fields) == 1 and fields[0].text.startswith("Search by name")


def _slots() -> tuple[list[OcrWord], list[Widget]]:
    """A booking form's times: each day's label over its row of pills, 10:30 on both days."""
    read, pills = [], []
    for k, (day, times) in enumerate((("Thursday 13 March", ("09:15", "10:30", "11:45")),
                                      ("Friday 14 March", ("09:00", "10:30", "13:00")))):
        top = 250 + 55 * k
        read += words(top, 74, day)
        for j, time in enumerate(times):
            left = 74.0 + 80 * j
            read += words(top + 25, left + 14, time)
            pills.append(Widget("button", (left, top + 18, left + 70, top + 48), time,
                                (left + 14, top + 25, left + 59, top + 41)))
    return read, pills


def test_a_slot_on_a_day_is_the_one_under_that_days_label() -> None:
    """"the 10:30 slot on Thursday 13 March": "on" and a date were taken for words of the
    slot's text, which no widget says."""
    read, pills = _slots()
    assert inside(ground("the 10:30 slot on Thursday 13 March", read, pills).point, pills[1].box)
    assert inside(ground("the 10:30 slot on Friday 14 March", read, pills).point, pills[4].box)
    assert parse("click on Monday").text == "monday"  # the day itself is the target
    assert parse("the Cancel link on the Friday row").relation == "row"


def test_a_count_of_rows_doubts_a_row_whose_own_action_stands_in_the_column() -> None:
    """"the View link in the third row" clicked the fourth row's: OCR read no "View" on the
    first row, whose button ("Write estimate") differs from the other rows' ("Mark ready",
    "Send reminder"), so no row looked uncounted."""
    read, widgets = [], []
    for k, (ticket, action) in enumerate((("R-2047", "Write estimate"), ("R-2046", "Mark ready"),
                                          ("R-2045", "Send reminder"), ("R-2044", "Notify"))):
        y = 210 + 44 * k
        read += words(y, 40, ticket) + words(y, 1542, action)
        widgets.append(Widget("button", (1532.0, y - 6, 1532.0 + 9 * len(action) + 20, y + 20),
                              action, (1542.0, y, 1542.0 + 9 * len(action), y + 16)))
        if k:  # the first row's View link, missed
            read += words(y, 1487, "View")
            widgets.append(Widget("link", (1487.0, y, 1523.0, y + 16), "View",
                                  (1487.0, y, 1523.0, y + 16)))
    with pytest.raises(Ambiguous, match="counts items"):
        ground("the View link in the third row", read, widgets)


def test_a_label_read_with_a_space_lost_is_the_label() -> None:
    """"the Send on a date option": OCR read the label "Send ona date", and the description
    was then taken for "date" alone, the label's other words dropped as filler."""
    now = Widget("radio", (550.0, 578.0, 570.0, 598.0), "Send now", (584.0, 578.0, 656.0, 594.0))
    dated = Widget("radio", (726.0, 578.0, 746.0, 598.0), "Send ona date",
                   (761.0, 577.0, 918.0, 593.0))
    read = [*words(578, 584, "Send now"), *words(577, 761, "Send ona date")]
    found = ground("the Send on a date option", read, [now, dated])
    assert found.kind == "radio" and inside(found.point, dated.box)
    assert similarity("send ona date", "send on a date") == 1.0
    assert similarity("send on a date", "send on the date") < 1.0


def test_a_sidebars_marks_level_with_the_rows_are_no_rows_own_actions() -> None:
    """The count's doubt above, kept to the rows' own actions: a filter sidebar's checkboxes
    stand level with the results, one above the first ("Freestyle"), far from the links."""
    read, widgets = [], []
    for k, stroke in enumerate(("Freestyle", "Backstroke", "Breaststroke", "Butterfly")):
        y = 133 + 25 * k
        read += words(y, 412, stroke)
        widgets.append(Widget("checkbox", (390.0, y, 405.0, y + 15), stroke,
                              (412.0, y, 412.0 + 9 * len(stroke), y + 16)))
    links = []
    for k in range(3):
        y = 158 + 65 * k
        read += words(y, 1355, "View splits") + words(y, 1462, "Compare")
        links.append(Widget("link", (1355.0, y, 1454.0, y + 16), "View splits",
                            (1355.0, y, 1454.0, y + 16)))
        widgets += [links[-1], Widget("button", (1448.0, y - 8, 1533.0, y + 19), "Compare",
                                      (1462.0, y, 1525.0, y + 16))]
    found = ground("the View splits link in the third result", read, widgets)
    assert inside(found.point, links[2].box)


def test_a_fields_own_word_under_a_heading_reaches_the_sections_second_field() -> None:
    """"the Max price field": Min, then Max, labelled beside their fields under "Price (£)";
    the Max field started four text heights below the heading, past a section's reach."""
    read = [*words(88, 52, "Price (£)"), *words(123, 52, "Min"), *words(175, 52, "Max"),
            *words(70, 1090, "Price")]  # a table's column heading, far off
    fields = [Widget("field", (94.0, 112.0 + 52 * k, 232.0, 140.0 + 52 * k), label,
                     (52.0, 123.0 + 52 * k, 79.0, 139.0 + 52 * k))
              for k, label in enumerate(("Min", "Max"))]
    found = ground("the Max price field", read, fields)
    assert found.kind == "field" and inside(found.point, fields[1].box)


def test_an_items_title_and_a_noun_for_it_name_its_card_not_a_grid_row() -> None:
    """"the Details button for the Afternoon Tea hamper" clicked the Grand Truffle Hamper's:
    the three words were found in any order on the grid's screen row ("Hamper" of the card
    beside), and the card of the first of them taken, before the title said whole."""
    canvas = Canvas((1920, 400))
    buttons = []
    for k, title in enumerate(("Christmas Classic", "Grand Truffle Hamper", "Afternoon Tea")):
        left = 40 + 620 * k
        canvas.box((left, 40, left + 600, 200), border="#e8d9cf")  # the card
        _title(canvas, left + 114, 60, title)
        buttons.append((left + 114, 130, left + 186, 160))
        canvas.box(buttons[-1], border="#5a2e1c")
        canvas.text(left + 122, 136, "Details")
    found = ground_in(Analysis(canvas.words, canvas.find(), 0.0), canvas.image,
                      "the Details button for the Afternoon Tea hamper").best
    assert inside(found.point, _grown(buttons[2]))


def test_a_near_word_counted_before_the_nth_makes_the_count_unsure() -> None:
    """"the Message button on the third card" clicked the second card's: a filter chip
    reading "Massage" over the staff cards was counted as one of the Message buttons."""
    chip = Widget("button", (857.0, 71.0, 940.0, 98.0), "Massage", (868.0, 77.0, 929.0, 93.0))
    buttons = [Widget("button", (47.0 + 468 * k, 239.0, 134.0 + 468 * k, 267.0), "Message",
                      (58.0 + 468 * k, 245.0, 123.0 + 468 * k, 261.0)) for k in range(4)]
    read = [*words(77, 868, "Massage")]
    for k in range(4):
        read += words(245, 58 + 468 * k, "Message")
    with pytest.raises(Ambiguous, match="counted"):
        ground("the Message button on the third card", read, [chip, *buttons])
    found = ground("the third Message button", read, buttons)  # no chip: the third
    assert inside(found.point, buttons[2].box)
