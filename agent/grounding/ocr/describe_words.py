"""The words a description is read by (describe.py): the kinds of element and the phrases
naming them, ordinals, colours, places on the screen, sizes, and the words that carry no text
to look for."""

from __future__ import annotations

__all__ = ["ARTICLES", "CENTRES", "COLOURS", "CUT", "FILLER", "FRAMES", "FRAME_SIDES", "KINDS",
           "LABEL_NOUNS", "MENU_KINDS", "ORDINALS", "ORDINAL_FOLLOWERS", "PLACES", "POLITE",
           "SEARCH_KINDS", "SECTIONS", "SIGN_NAMES", "SIZES", "SUBJECTS", "SYMBOLS", "TEXT",
           "one_sign"]

TEXT = "text"  # the kind of plain words: a label, a heading, a sentence

# The words for a drop-down: a field or, looking like one, a button (GOV.UK's grey <select>)
MENU_KINDS = frozenset({"dropdown", "drop-down", "drop down", "pull-down", "list box", "listbox",
                        "combobox", "combo box", "select"})
# Phrases naming a kind, longest first; the value is the widget kinds it accepts.
KINDS: dict[str, frozenset[str]] = {
    "radio button": frozenset({"radio"}), "radio": frozenset({"radio"}),
    "option button": frozenset({"radio"}),
    "check box": frozenset({"checkbox"}), "checkbox": frozenset({"checkbox"}),
    "tick box": frozenset({"checkbox"}), "toggle": frozenset({"checkbox"}),
    "switch": frozenset({"checkbox"}),
    "option": frozenset({"radio"}),  # a checkbox is a related kind: it still fits
    "text field": frozenset({"field"}), "text box": frozenset({"field"}),
    "text area": frozenset({"field"}), "text input": frozenset({"field"}),
    "input field": frozenset({"field"}), "input box": frozenset({"field"}),
    "entry field": frozenset({"field"}), "search box": frozenset({"field"}),
    "search field": frozenset({"field"}), "search bar": frozenset({"field"}),
    "field": frozenset({"field"}), "textbox": frozenset({"field"}),
    "textfield": frozenset({"field"}), "textarea": frozenset({"field"}),
    "input": frozenset({"field"}), "entry": frozenset({"field"}),
    "box": frozenset({"field", "checkbox"}),
    "area": frozenset({"field"}), "editor": frozenset({"field"}),
    **dict.fromkeys(MENU_KINDS, frozenset({"field", "button"})),
    "button": frozenset({"button"}), "btn": frozenset({"button"}),
    "link": frozenset({"link"}), "hyperlink": frozenset({"link"}),
    "tab": frozenset({"tab"}), "icon": frozenset({"icon"}),
    "label": frozenset({TEXT}), "text": frozenset({TEXT}), "heading": frozenset({TEXT}),
    "title": frozenset({TEXT}), "word": frozenset({TEXT}), "message": frozenset({TEXT}),
}
SEARCH_KINDS = frozenset({"search box", "search field", "search bar"})  # "search" is its text
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
            "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
            "9th": 9, "10th": 10}
COLOURS = {"red": "red", "green": "green", "blue": "blue", "yellow": "yellow",
           "orange": "orange", "purple": "purple", "violet": "purple", "pink": "pink",
           "black": "black", "white": "white", "gray": "grey", "grey": "grey"}
PLACES = {"top": (0, -1), "upper": (0, -1), "bottom": (0, 1), "lower": (0, 1),
          "left": (-1, 0), "right": (1, 0), "leftmost": (-1, 0), "rightmost": (1, 0),
          "topmost": (0, -1), "bottommost": (0, 1)}
CENTRES = frozenset({"middle", "centre", "center"})
SIZES = {"big": 1, "bigger": 1, "biggest": 1, "larger": 1, "largest": 1,
         "smaller": -1, "smallest": -1, "tiny": -1}
# Words that carry no text: articles, verbs of acting, fillers.
FILLER = frozenset([
    "a", "an", "the", "this", "that", "these", "those", "its", "please", "then", "now", "and",
    "or", "to", "on", "onto", "in", "into", "at", "of", "for", "from", "click", "tap", "press",
    "hit", "select", "choose", "pick", "check", "tick", "uncheck", "untick", "type", "enter",
    "write", "fill", "focus", "double", "right-click", "use", "find", "go", "open", "toggle",
    "called", "named", "labeled", "labelled", "titled", "marked", "saying", "says", "reading",
    "reads", "which", "shows", "showing", "with", "containing", "contains", "text",
    "placeholder", "corner", "side", "edge", "part", "screen", "page", "window", "dialog",
    "form", "row", "row's", "rows", "column", "element", "control", "widget", "item", "one",
    "is", "it", "little", "wide", "long", "tall", "tiny", "main", "primary", "empty",
    "blank", "visible", "focused", "active", "current", "only", "lone", "single", "editable",
])
# Fillers that begin a label when a lowercase word follows ("the control measures field", "the
# item code field"); alone, or before a name ("the item Milk"), they carry no text
LABEL_NOUNS = frozenset(["control", "item", "element", "widget"])
# A label said as a sentence: the verb after its subject is no filler ("the I use a wheelchair
# option": not "the … wheelchair option")
SUBJECTS = frozenset(["I", "We", "You"])
ARTICLES = frozenset(["a", "an", "the", "this", "that", "these", "those", "its"])
POLITE = frozenset(["please", "now", "then", "again"])
CUT = frozenset([  # after the kind
    "in", "of", "on", "at", "from", "inside", "within", "under", "for", "near",
])
SYMBOLS = "×✕✖+−›‹»«…☰⚙"  # buttons whose text is one sign
# What people call a button whose text is one sign.
SIGN_NAMES = {"×": ("close", "x"), "✕": ("close", "x"), "✖": ("close", "x"), "+": ("plus",),
              "-": ("minus",), "☰": ("menu",), "⚙": ("settings",)}
# The screen's frame: no item named by a title ("in the Settings dialog" names no item)
FRAMES = frozenset({
    "dialog", "window", "page", "screen", "form", "section", "toolbar", "menu", "bar",
    "header", "footer", "sidebar", "list", "table", "column", "row", "tab", "pane", "modal",
    "popup", "pop-up", "area", "group", "fieldset", "view", "app", "site", "banner", "region",
    "nav", "navbar", "navigation", "menubar",
})
FRAME_SIDES = frozenset({"side", "main", "top", "left", "right", "bottom", "left-hand",
                         "right-hand"})  # "the side menu", "the left-hand menu"
# Words after an ordinal that keep it an ordinal ("the second one", "the first of")
ORDINAL_FOLLOWERS = frozenset({"one", "of", "row", "row's", "column", "item", "entry"})
# Frames named by a title: "in the Child section" (describe.parse: a frame, no item)
SECTIONS = frozenset({"section", "fieldset", "group", "form", "area", "pane", "region"})


def one_sign(text: str) -> str:
    """"the × close button": a sign said with its name is the sign."""
    words = text.split()
    signs = [w for w in words if w in SIGN_NAMES]
    if len(words) > 1 and len(signs) == 1 and \
            all(w == signs[0] or w in SIGN_NAMES[signs[0]] for w in words):
        return signs[0]
    return text
