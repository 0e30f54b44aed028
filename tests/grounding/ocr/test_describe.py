"""What the `ocr` grounder understands of a description (agent/grounding/ocr/describe.py)."""

from __future__ import annotations

import pytest

from agent.grounding.ocr.describe import TEXT, Query, parse


@pytest.mark.parametrize(("description", "text", "kinds"), [
    ('the "Search flights" button', "search flights", {"button"}),
    ("the 'Book now' button", "book now", {"button"}),
    ("the “Book now” button", "book now", {"button"}),
    ("click ‘OK’", "ok", set()),
    ("the `Save as…` menu item", "save as", set()),
    ("the Browse… button", "browse", {"button"}),  # an ellipsis is no word of its own
    ("the Browse ... button", "browse", {"button"}),
    ("the user's name field", "user's name", {"field"}),  # an apostrophe is not a quote
    ("the Life of a Star radio button", "life of a star", {"radio"}),  # a title's "of a"
    ("the Lord of the Rings link", "lord of the rings", {"link"}),
    ("the Search flights button", "search flights", {"button"}),
    ("the To text field", "to", {"field"}),  # "to" is a filler, "To" capitalised is text
    ("click on the From label", "from", {TEXT}),
    ("The Menu button", "menu", {"button"}),
    ("the button", "", {"button"}),
    ("the text field", "", {"field"}),
    ("the Sign in link", "sign in", {"link"}),
    ("Add to cart button", "add to cart", {"button"}),
    ("please click on Submit button", "submit", {"button"}),
    ("Type into the Password field", "password", {"field"}),
    ("the button labelled Save", "save", {"button"}),
    ('the "Search box" button', "search box", {"button"}),  # quoted text is not a kind
    ("the search box", "search", {"field"}),
    ("the Newsletter checkbox", "newsletter", {"checkbox"}),
    ("the Express radio button", "express", {"radio"}),
    ("the Express option", "express", {"radio"}),
    ("the Billing tab", "billing", {"tab"}),
    ("the settings icon", "settings", {"icon"}),
    ("Booked", "booked", set()),
    ("Terms of use", "terms of use", set()),
    ("the × button", "×", {"button"}),  # a sign is text
    ("the empty text field", "", {"field"}),
    ("the only input", "", {"field"}),
    ("the dropdown labelled Country", "country", {"field", "button"}),
    ("the Remember me checkbox", "remember me", {"checkbox"}),
    ("the I accept the terms checkbox", "i accept the terms", {"checkbox"}),
    ("click the Save button", "save", {"button"}),
    ("Type Ada into the Name field", "name", {"field"}),
    ("click Sign in", "sign in", set()),
    ("Submit at the bottom", "submit", set()),
    ("click Save please", "save", set()),
    ("the first name field", "first name", {"field"}),  # a field's name, not an ordinal
    # a slash inside a word stays, as on the screen (the forty-seventh trial's spraying log)
    ("the Rate (l/ha) field", "rate l/ha", {"field"}),
])
def test_text_and_kind(description: str, text: str, kinds: set[str]) -> None:
    query = parse(description)
    assert (query.text, set(query.kinds)) == (text, kinds)


def test_words_not_understood_are_ignored_not_looked_for() -> None:
    """Only the words next to the kind are its text: "of the form", "in the dialog" are not."""
    assert parse("the Submit button of the form").text == "submit"
    assert parse("the 'Save' button in the settings dialog").text == "save"
    assert parse("the Search flights button in the top toolbar").text == "search flights"


@pytest.mark.parametrize("description", ["the Speed drop-down", "the Speed drop down",
                                         "the Speed dropdown", "the Speed pull-down"])
def test_a_drop_down_however_spelled(description: str) -> None:
    query = parse(description)
    assert (query.text, query.kinds) == ("speed", frozenset({"field", "button"}))


@pytest.mark.parametrize(("description", "text"), [
    ("the 15:30 time slot button", "15:30"),  # the slot is what the button is, not its text
    ("the 9:00 slot button", "9:00"),
    ('the "Time slot" button', "time slot"),  # quoted: its text
])
def test_a_slot_names_no_text_and_a_time_keeps_its_colon(description: str, text: str) -> None:
    assert parse(description).text == text


@pytest.mark.parametrize(("description", "ordinal", "text"), [
    ("the second Submit button", 2, "submit"),
    ("the 3rd link", 3, ""),
    ("the first button", 1, ""),
    ("the last row's Delete button", -1, "delete"),
    ("the last Delete button", -1, "delete"),
    ('the second "Edit" link', 2, "edit"),
    ("the First name field", None, "first name"),
])
def test_ordinals(description: str, ordinal: int | None, text: str) -> None:
    query = parse(description)
    assert (query.ordinal, query.text) == (ordinal, text)


@pytest.mark.parametrize(("description", "relation", "anchor", "target"), [
    ("the field below Username", "below", "username", ""),
    ('the field under the "Username" label', "below", "username", ""),
    ("the checkbox next to Newsletter", "next", "newsletter", ""),
    ("the Delete button in the row with Bob", "row", "bob", "delete"),
    ('the "Edit" link in the same row as "Alice Smith"', "row", "alice smith", "edit"),
    ("the button right of Cancel", "right", "cancel", ""),
    ("the field to the left of Search", "left", "search", ""),
    ("the label above the Email field", "above", "email", ""),
    ("the Delete button for Bob", "for", "bob", "delete"),  # "for" and a name: its row
    ("the Delete button in the budget.xlsx row", "row", "budget.xlsx", "delete"),  # its dot
    # a card named by its title; an item known by a name it shows (the eleventh blind trial)
    ('the "Select" button on the Early bird card', "for", "early bird", "select"),
    ("the on/off switch on the Dark Reader card", "for", "dark reader", ""),
    ('the "Approve" button under the comment by Maria Lopez', "below", "maria lopez",
     "approve"),
    ('the "Add to cart" button in the brightfern.io row', "row", "brightfern.io",
     "add to cart"),
    ('the "Remove" button in the dialog', None, None, "remove"),
    # an item by its title and any noun but the screen's frame's (the twelfth blind trial)
    ("the Select button on the Comfort ride", "for", "comfort", "select"),
    ("the + button in the Study card", "for", "study", "+"),
    ('the "Save" button in the Settings dialog', None, None, "save"),
    # a dialog whose title ends with "card" (the ninety-seventh blind trial): no card's
    ('the "Damaged" radio button in the Replace key card dialog', None, None, "damaged"),
    ("the Email field in the Contact section", None, None, "email"),
    ("the Submit button in the Login form", None, None, "submit"),
    # a cell by its column's heading and its row
    ("the checkbox under Wed 15 Oct in the Your name row", "row", "your name", "wed 15 oct"),
    ('the checkbox for "Buy milk"', "for", "buy milk", ""),
    ("the Search field for flights", None, None, "search"),  # "for" and no name: ignored
    ("the Rebook button for #1044", "for", "1044", "rebook"),  # a number names a row too
    ("the Book button in the 18:45 Spin row", "row", "18:45 spin", "book"),  # a time
    # a question as a form's row: longer, with a file type and its question mark
    ("the No radio button in the Associate .pho files? row", "row", "associate pho files", "no"),
    ("the Yes option in the Create a desktop shortcut row", "row", "create a desktop shortcut",
     "yes"),
    # a row's name is its words, a kind's or a size's among them (the tenth blind trial)
    ("the Counted field in the Cardboard box, large row", "row", "cardboard box large",
     "counted"),
    ("the Flag issue link in the Packing tape, brown row", "row", "packing tape brown",
     "flag issue"),
    # a cell said column first (the twenty-second blind trial's scorecard)
    ('the radio button in the "4" column of the Communication row', "row", "communication",
     "4"),
    ("the checkbox in the Wed column of the Your name row", "row", "your name", "wed"),
    # a row's name with a size or count in brackets (the forty-second blind trial)
    ("the Picked checkbox in the Wood Screws 4x40 (200) row", "row", "wood screws 4x40 200",
     "picked"),
    ("the Damaged checkbox in the Safety gloves (L) row", "row", "safety gloves l", "damaged"),
    # and with an apostrophe inside (the forty-third trial's referrals), a possessive at its end
    ("the Decline button in the St Anne's Surgery row", "row", "st anne's surgery", "decline"),
    ("the Accept button in Bob's row", "row", "bob", "accept"),
    # what is in an item known by the name it shows (the fortieth blind trial's comments)
    ("the Resolve button in Maria Lopez's comment", "for", "maria lopez", "resolve"),
    ("the Reply field in the comment by James Chen", "for", "james chen", "reply"),
    ("the Reply link on Tom's post", "for", "tom", "reply"),
    # a target whose own words hold "in" (the thirty-ninth blind trial's guest list)
    ("the Check in button in the Priya Nair row", "row", "priya nair", "check in"),
    ("the Check in button in the row with Priya Nair", "row", "priya nair", "check in"),
    ("the Sign in button in Bob's row", "row", "bob", "sign in"),
    ("the Delete button in the Log in as admin row", "row", "log in as admin", "delete"),
    ("the Check in button on the Early bird card", "for", "early bird", "check in"),
    ("the Check in button in the Status column", "column", "status", "check in"),
    # a page's path names its row (the twentieth blind trial's analytics table)
    ('the "View report" link in the /pricing row', "row", "pricing", "view report"),
    ("the View report link in the /blog/launch-week row", "row", "blog/launch-week",
     "view report"),
    # and a sender's address (the twenty-fourth trial's mail quarantine)
    ('the "Release" button in the billing@northwind.co row', "row", "billing@northwind.co",
     "release"),
    # the kind after the name: "for" is in the label (the fourth blind trial)
    ("the Require two-factor authentication for Admins checkbox", None, None,
     "require two-factor authentication for admins"),
    ("the Under £25 radio button", None, None, "under 25"),  # a label, not "below £25"
    ("the Above 18 checkbox", None, None, "above 18"),
    ("the one below the Email field", "below", "email", ""),
])
def test_relations(description: str, relation: str | None, anchor: str | None,
                   target: str) -> None:
    query = parse(description)
    assert query.relation == relation
    assert (query.anchor.text if query.anchor else None) == anchor
    assert query.text == target


def test_a_cells_button_by_its_row_and_its_column_either_way_round() -> None:
    """The twenty-first trial's timetable: a button's own words, its row and its column."""
    for description in ('the "Book" button in the 11:00 row under Wednesday 15 July',
                        "the Book button under Wednesday 15 July in the 11:00 row",
                        "the Book button in the 11:00 row, in the Wednesday 15 July column",
                        "the Book button in the Wednesday 15 July column of the 11:00 row"):
        query = parse(description)
        assert (query.text, query.relation) == ("book", "row"), description
        assert query.anchor is not None and query.anchor.text == "11:00", description
        assert query.column is not None and query.column.text == "wednesday 15 july"


def test_a_row_relation_spelled_other_ways() -> None:
    for description in ("the Delete button in the row of Bob", "the Delete button on the row "
                        "containing Bob", "the Delete button in the same row as Bob",
                        "the Delete button in the Bob row", "the Delete button in Bob's row",
                        'the Delete button in the "Bob" row'):
        query = parse(description)
        assert query.relation == "row" and query.anchor and query.anchor.text == "bob"


def test_a_row_named_with_an_ampersand() -> None:
    """The fifty-fourth trial's "the write-off field in the Hollis & Daughters row": the "&"
    was no word of a row's name, and the row was dropped (the field answered was another)."""
    query = parse("the write-off field in the Hollis & Daughters row")
    assert query.anchor is not None
    assert (query.text, query.relation, query.anchor.text) == (
        "write-off", "row", "hollis & daughters")
    assert parse("the Terms & conditions link").text == "terms & conditions"


@pytest.mark.parametrize(("row", "name"), [
    ("Smith + Jones", "smith + jones"), ("£20 notes", "20 notes"), ("50% off", "50 off"),
    ("£1,204.60", "1,204.60"), ("A/B test", "a/b test"), ("(L)", "l")])
def test_a_row_named_with_signs_keeps_its_row(row: str, name: str) -> None:
    """A sign the row's pattern did not know dropped the row silently, as "&" did."""
    query = parse(f"the Edit button in the {row} row")
    assert query.anchor is not None
    assert (query.text, query.relation, query.anchor.text) == ("edit", "row", name)


def test_an_ordinal_row_is_no_named_row() -> None:
    query = parse("the Delete button in the last row")
    assert (query.relation, query.ordinal, query.text) == (None, -1, "delete")


@pytest.mark.parametrize(("description", "place", "colour"), [
    ("the button at the bottom right", (1, 1), None),
    ("the Sign in link in the top right corner", (1, -1), None),
    ("the red button", None, "red"),
    ("the blue Search flights button", None, "blue"),
    ("the grey button on the left", (-1, 0), "grey"),
    ("the button in the middle of the screen", (0, 0), None),
    ("the Red Hat link", None, None),  # capitalised: the link's text
    ("the Strong white flour field", None, None),  # amid a name's words: the name's
    ("the Save white button", None, "white"),
])
def test_places_and_colours(description: str, place: tuple[int, int] | None,
                            colour: str | None) -> None:
    query = parse(description)
    assert (query.place, query.colour) == (place, colour)


def test_a_colour_word_amid_a_names_words_is_the_names() -> None:
    """The fifty-first trial's "the quantity field next to Strong white flour (kg)": the
    anchor had been "Strong", coloured white."""
    anchor = parse("the quantity field next to Strong white flour (kg)").anchor
    assert anchor is not None and (anchor.text, anchor.colour) == ("strong white flour kg", None)


def test_sizes_and_option_texts() -> None:
    assert parse("the big text box").size == 1 and parse("the smallest button").size == -1
    assert (parse("the small option").text, parse("the small option").size) == ("small", None)
    assert (parse("the Large option").text, parse("the Large option").size) == ("large", None)


def test_a_relation_with_no_element_after_it_is_a_place() -> None:
    query = parse("the button on the right of the screen")
    assert query.relation is None and query.place == (1, 0)


def test_search_is_a_guess_for_a_search_field_but_quoted_it_is_the_text() -> None:
    assert parse("the search input").soft and parse("the search box").soft
    assert not parse('the "Search" field').soft and not parse("the Search button").soft


def test_nothing_to_look_for() -> None:
    assert parse("click it please").empty
    assert not parse("the button").empty


def test_dashes_are_hyphens_as_ocr_reads_them() -> None:
    """The fourteenth trial's "in the 24 Aug – 28 Aug row": OCR reads the en dash "-"."""
    query = parse("the Cancel button in the 24 Aug – 28 Aug row")
    assert (query.relation, query.anchor and query.anchor.text) == ("row", "24 aug - 28 aug")
    assert parse("the 8am — 10am slot").text == parse("the 8am - 10am slot").text


def test_a_named_column() -> None:
    query = parse('the "+ Add card" button in the To do column')
    assert (query.text, query.relation) == ("+ add card", "column")
    assert query.anchor is not None and query.anchor.text == "to do"
    assert parse("the button in the same column").relation != "column"


def test_a_named_persons_item_is_known_by_the_name() -> None:
    """The fifteenth trial's "the Helpful button next to Priya's review": the review
    shows the name, not the words "Priya's review"."""
    query = parse("the \"Helpful\" button next to Priya's review")
    assert (query.text, query.relation) == ("helpful", "next")
    assert query.anchor is not None and query.anchor.text == "priya"
    assert parse("the user's name field").text == "user's name"  # no name: the words


def test_a_relations_word_capitalised_is_part_of_a_name() -> None:
    """The seventeenth trial's "the Register button on the Under 11s card"."""
    query = parse("the Register button on the Under 11s card")
    assert (query.text, query.relation) == ("register", "for")
    assert query.anchor is not None and query.anchor.text == "under 11s"
    assert parse("the Above average radio button").text == "above average"
    assert parse("the field below Username").relation == "below"


def test_for_a_noun_and_a_code_names_the_item_showing_the_code() -> None:
    """The sixty-first trial's "the Start button for job JT-4121": "for" and a lowercase noun
    before a code was read as no relation, the row's words dropped, and every Start button
    tied; the noun before a plain word still names nothing ("for all users")."""
    query = parse('the "Start" button for job JT-4121')
    assert (query.text, query.relation) == ("start", "for")
    assert query.anchor is not None and query.anchor.text == "job jt-4121"
    assert parse("the Delete button for order 1042").relation == "for"
    assert parse("the Save button for all users").relation is None


def test_a_fillers_noun_before_a_lowercase_word_begins_the_label() -> None:
    """The sixty-fifth trial's "the control measures field" (its column's heading): "control"
    was dropped as a word carrying no text and "measures" looked for."""
    assert parse("the control measures field").text == "control measures"
    assert parse("the item code field").text == "item code"
    assert parse("the control field").text == ""  # alone: no text
    assert parse("the item Milk").text == "milk"  # before a name: the name


def test_on_a_capitalised_noun_and_its_number_names_the_item() -> None:
    """The sixty-ninth trial's "the Swap button on Desk 3": every desk's card has a Swap
    button; "Desk 3" is the card's title. Said alone ("click on Desk 3") it is the text."""
    query = parse("the Swap button on Desk 3")
    assert (query.text, query.relation) == ("swap", "for")
    assert query.anchor is not None and query.anchor.text == "desk 3"
    assert parse("the Book button in Room 12").relation == "for"
    assert (parse("click on Desk 3").text, parse("click on Desk 3").relation) == ("desk 3", None)
    assert parse("click on the Comfort ride").relation is None


def test_a_relation_to_the_screens_frame_is_no_anchor_to_look_for() -> None:
    """The seventy-first trial's "the "Mould" filter button above the table": no text says
    "table"; the words ask for the filter, and the table is where it stands."""
    query = parse('the "Mould" filter button above the table')
    assert (query.text, query.relation) == ("mould", None)
    assert parse("the button above the Table tab").relation == "above"  # a tab, named


def test_a_frame_named_by_its_title_is_kept_apart_from_the_target() -> None:
    """"in the "Father / second parent" section": a quote naming the frame is not the field's
    text (the hundredth trial: its First name(s) field was typed into for the Surname)."""
    query = parse('the Surname field in the "Father / second parent" section')
    assert (query.text, query.relation) == ("surname", None)
    assert query.frame is not None and query.frame.text == "father / second parent"
    assert parse("the Email field in the Contact section").frame == Query(text="contact")
