"""Blind trials of 2026-12-07, evening (a bridal boutique, a removals company, a chess club,
a hearing clinic, …): each test a wrong click before. A label that is a verb of acting
with its particle ("Check in"), and a row's widget reading the words said only in part
while its kind reads them whole on the other rows."""

from __future__ import annotations

import pytest

from agent.grounding.ocr.describe import parse
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.rank import Ambiguous
from tests.grounding.ocr.test_rank import Widget, ground, inside, words

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
