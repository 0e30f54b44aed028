"""A bordered table's cells are no widgets (agent/grounding/ocr/widgets_cells.py): their words
are the table's headings and rows; joined buttons whose text is centred stay buttons."""

from __future__ import annotations

from agent.grounding.ocr.grounder import Analysis, ground_in
from tests.grounding.ocr.test_widgets import FONT, Canvas, centre_in, covers, of_kind

COLUMNS = ((20, 200), (200, 420), (420, 860))
HAZARDS = ("Sharp edges", "Trip hazards", "Allergic reaction")


def ruled_table() -> tuple[Canvas, list[tuple[int, int, int, int]]]:
    """A risk table drawn as HTML draws `border-collapse` cells: a grey heading row, then a
    row per hazard with a text field in its Control measures cell. The fields' boxes."""
    canvas = Canvas()
    fields = []
    for row, words in enumerate((("Hazard", "Likelihood", "Control measures"),
                                 *((h, "Low", "") for h in HAZARDS))):
        top = 20 + 44 * row
        for (left, right), text in zip(COLUMNS, words, strict=True):
            canvas.box((left, top, right, top + 44), fill="#eeeeee" if row == 0 else "white",
                       border="#cccccc")
            if text:
                canvas.text(left + 12, top + 12, text)
        if row:
            field = (432, top + 7, 700, top + 37)
            canvas.box(field)
            fields.append(field)
    return canvas, fields


def test_the_cells_of_a_ruled_table_are_no_buttons_or_fields() -> None:
    """Trial 77's risk assessment and trial 92's drop-off record: a heading cell ("Control
    measures") was found as a button, a row's first cell ("Sharp edges") as a filled field."""
    canvas, fields = ruled_table()
    found = canvas.find()
    boxed = [w for w in found if w.kind in ("button", "field", "tab")]
    assert len(boxed) == len(fields)
    assert all(any(covers(w, f) for w in boxed) for f in fields)


def test_a_field_is_found_by_its_rows_words_and_its_columns_heading() -> None:
    canvas, fields = ruled_table()
    analysis = Analysis(canvas.words, canvas.find(), 0.0)
    for hazard, field in zip(HAZARDS, fields, strict=True):
        point = ground_in(analysis, canvas.image,
                          f'the control measures field in the "{hazard}" row').best.point
        assert field[0] <= point[0] <= field[2] and field[1] <= point[1] <= field[3]


def test_joined_buttons_with_centred_text_stay_buttons() -> None:
    """A date picker's grid of days: cells that touch both ways, each a button."""
    canvas = Canvas()
    days = []
    for row in range(3):
        for column in range(4):
            left, top = 40 + 60 * column, 40 + 44 * row
            box = (left, top, left + 60, top + 44)
            canvas.box(box, fill="#f4f4f4", border="#999999")
            day = str(1 + column + 4 * row)
            width = canvas.draw.textlength(day, font=FONT)
            canvas.text(round(left + 30 - width / 2), top + 12, day)
            days.append(box)
    buttons = of_kind(canvas.find(), "button")
    assert len(buttons) == len(days)
    assert all(any(centre_in(d, b) for b in buttons) for d in days)


def booking_grid() -> tuple[Canvas, dict[tuple[str, str], tuple[int, int, int, int]]]:
    """Trial 103's mock interviews: a ruled grid, days centred in its heading cells and times
    in its first column, a Book button in some cells."""
    canvas = Canvas((900, 300))
    days, times = ("Time", "Monday", "Wednesday"), ("09:00", "11:00")
    books = {}
    for row, time in enumerate(("", *times)):
        top = 20 + 44 * row
        for column, day in enumerate(days):
            left = 20 + 200 * column
            canvas.box((left, top, left + 200, top + 44), fill="#e8eaf6" if row == 0 else "white",
                       border="#cccccc")
            text = day if row == 0 else time if column == 0 else ""
            if text:
                width = canvas.draw.textlength(text, font=FONT)
                canvas.text(round(left + 100 - width / 2), top + 12, text)
            elif (row, column) != (1, 1):
                button = (left + 60, top + 6, left + 140, top + 38)
                canvas.box(button, border="#3949ab")
                width = canvas.draw.textlength("Book", font=FONT)
                canvas.text(round(left + 100 - width / 2), top + 12, "Book", ink="#3949ab")
                books[(time, day)] = button
    return canvas, books


def test_a_grid_whose_cells_hold_buttons_is_a_table_whatever_its_texts_alignment() -> None:
    canvas, books = booking_grid()
    found = canvas.find()
    assert sorted(w.text for w in of_kind(found, "button")) == ["Book"] * len(books)
    analysis = Analysis(canvas.words, found, 0.0)
    point = ground_in(analysis, canvas.image, "the Book button in the 11:00 row under Wednesday"
                      ).best.point
    box = books[("11:00", "Wednesday")]
    assert box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_a_tables_heading_cells_are_no_text_areas() -> None:
    """Trial 28's payroll run: grey capitals heading a ruled table whose cells hold fields;
    once its heading cells were known for a table's they passed for text areas with
    placeholders, and took "the Overtime hours field in the Chloe Dubois row"."""
    canvas = Canvas((900, 300))
    columns = ((20, 300, "EMPLOYEE"), (300, 560, "OVERTIME HOURS"), (560, 860, "HOLD"))
    for left, right, heading in columns:
        canvas.box((left, 20, right, 60), fill="#f9fafb", border="#e5e7eb")
        canvas.text(left + 14, 32, heading, ink="#6b7280")
    fields = {}
    for row, name in enumerate(("Aisha Khan", "Ben Carter", "Chloe Dubois")):
        top = 60 + 50 * row
        for left, right, _heading in columns:
            canvas.box((left, top, right, top + 50), border="#e5e7eb")
        canvas.text(34, top + 16, name)
        fields[name] = (314, top + 9, 414, top + 41)
        canvas.box(fields[name], border="#8f8f8f")
        canvas.text(324, top + 16, str(row * 3))
    found = canvas.find()
    assert all(w.box[1] >= 60 for w in of_kind(found, "field"))
    analysis = Analysis(canvas.words, found, 0.0)
    point = ground_in(analysis, canvas.image, "the Overtime hours field in the Chloe Dubois row"
                      ).best.point
    box = fields["Chloe Dubois"]
    assert box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_a_row_of_joined_tabs_one_holding_a_box_is_no_table() -> None:
    """Trial 96's call log: joined tabs (Benefits, Debt, Housing, Employment), the selected
    one drawn with a box inside it: one row of boxes is no lattice, so they stay tabs."""
    canvas = Canvas((900, 200))
    for k, name in enumerate(("Benefits", "Debt", "Housing", "Employment")):
        left = 20 + 140 * k
        canvas.box((left, 40, left + 140, 84), fill="#e8f0fe" if k == 0 else "white",
                   border="#cccccc")
        if k == 0:
            canvas.box((left + 4, 44, left + 136, 80), fill="#e8f0fe", border="#1a73e8")
        width = canvas.draw.textlength(name, font=FONT)
        canvas.text(round(left + 70 - width / 2), 52, name)
    texts = {w.text for w in canvas.find() if w.kind in ("tab", "button")}
    assert {"Debt", "Housing", "Employment"} <= texts
