"""Blind trials of 2026-12-07, evening (a golf club, a ski resort, a day nursery, a car
garage, a board game café, an angling club, a planetarium, a volunteer portal): each a wrong
click or an error before."""

from __future__ import annotations

import pytest

from agent.errors import GroundingError
from tests.grounding.ocr.test_rank import Widget, ground, inside, words


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
