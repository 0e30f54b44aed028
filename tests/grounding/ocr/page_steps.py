"""The scripted pass's steps: for each page of the suite, what a user's script would say, the
effect each step must have on the page's state, and the element meant (for reports only).

A web page's `where` is a CSS selector; a desktop dialog's (page `tk-KIND` or `gtk-KIND`) the
widget's name as tests/apps/tk_dialogs.py or gtk_dialogs.py reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    """One line of a user's script: click `target`, or type `text` into it."""

    target: str
    expect: Mapping[str, Any]  # state keys → values after the step; nothing else may change
    where: str  # CSS selector of the element meant: its box is reported, never used to judge
    text: str | None = None  # typed after clicking the target

    def describe(self) -> str:
        return f"type {self.text!r} into {self.target}" if self.text else f"click {self.target}"


def click(target: str, where: str | None = None, **expect: Any) -> Step:
    """A click; `where` defaults to the element whose id the expected key names (checked:ID),
    or that records the expected event."""
    keys = _keys(expect)
    if where is None:
        key = next(iter(keys))
        where = f'[data-event="{keys[key][0]}"]' if key == "events" else f"#{key.split(':')[1]}"
    return Step(target, keys, where)


def type_into(target: str, text: str, field_id: str) -> Step:
    return Step(target, {f"value:{field_id}": text}, f"#{field_id}", text)


def _keys(expect: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword spelling of state keys: checked_x → checked:x, value_x → value:x."""
    return {k.replace("_", ":", 1) if k.startswith(("checked_", "value_")) else k: v
            for k, v in expect.items()}


def events(*names: str) -> dict[str, Any]:
    return {"events": list(names)}


SAVE_DIALOG = (  # "Save as": a field labelled beside, one labelled above, a check button
    Step("the File name field", {"value:filename": "report.txt"}, "filename", "report.txt"),
    Step("the Folder field", {"value:folder": "docs"}, "folder", "docs"),
    click("the Save button", "save", **events("save")),
    click("the Cancel button", "cancel", **events("cancel")),
    click("the Open after saving checkbox", "open", checked_open=True),
)
CONFIRM_DIALOG = (
    click("the Discard button", "discard", **events("discard")),
    click("the Cancel button", "cancel", **events("cancel")),
)

STEPS: dict[str, tuple[Step, ...]] = {
    "form": (
        type_into("the Name field", "Ada", "name"),
        type_into("the Email field", "ada@example.org", "email"),
        type_into("the Address field", "Main St 1", "address"),
        type_into("the field below the Address field", "Flat 2", "extra"),
        click("the Submit button", "#submit", **events("submit:signup")),
        click("the Newsletter checkbox", checked_newsletter=True),
        click('the "Accept terms" checkbox', checked_terms=True),
        click("the Large option", checked_large=True),
        click("the Medium radio button", checked_medium=True),
        click("the checkbox next to Newsletter", checked_newsletter=True),
    ),
    "login": (
        type_into("the Username field", "alice", "username"),
        type_into("the Password field", "hunter2", "password"),
        click("the Login button", "#login-button", **events("submit:login")),
        click("the Forgot password? link", **events("forgot")),
    ),
    "search": (
        type_into("the text field", "soup", "query"),
        type_into("the search box", "pie", "query"),
        click("the Search button", "#go", **events("submit:search")),
    ),
    "settings": (
        click("the Privacy tab", **events("tab:privacy"), tab="Privacy"),
        click("the Notifications tab", **events("tab:notifications"), tab="Notifications"),
        click("the Dark mode checkbox", checked_dark=True),
        click("the Auto update checkbox", checked_update=False),
        click("the Sounds toggle", checked_sounds=True),
    ),
    "table": (
        click("the second Delete button", **events("delete:bob")),
        click("the first Edit button", **events("edit:alice")),
        click("the Delete button next to Carol", **events("delete:carol")),
        click("the last Edit button", **events("edit:carol")),
        click("the Edit button in the Bob row", **events("edit:bob")),
    ),
    "dialog": (
        click("the OK button", **events("ok")),
        click("the Cancel button", **events("cancel")),
    ),
    "links": (
        click("the Privacy policy link", **events("privacy")),
        click("the Terms of use link", **events("terms")),
        click('the "Contact us" link', **events("contact")),
    ),
    "buttons": (
        click("the Save button", **events("save")),
        click("the Cancel button", **events("cancel")),
        click('the "Export" button', **events("export")),
    ),
    "profile": (  # fields named only by their placeholder; a coloured button
        type_into("the First name field", "Grace", "first"),
        type_into('the "Last name" field', "Hopper", "last"),
        type_into("the About you text box", "Hi", "about"),
        click("the Save changes button", **events("save")),
        click("the blue button", **events("save")),
        click("the Discard button", **events("discard")),
    ),
    "navbar": (  # light text on a dark bar; link and button words also in a sentence
        click("the Pricing link", **events("pricing")),
        click("the Products link", **events("products")),
        click("the Sign in button", **events("signin")),
        click("the Get started button", **events("start")),
    ),
    "preferences": (  # CSS switches taller than the text, at the far right of each row
        click("the Night theme switch", checked_night=True),
        click("the Weekly digest toggle", checked_digest=False),
        click("the Send crash reports switch", checked_crash=False),
    ),
    "signin": (  # a modal dialog over a dimmed page whose header has the same button
        type_into("the User field", "ada", "user"),
        click("the Sign in button", '[data-event="dialog-signin"]',
              **events("dialog-signin", "submit:signin")),
        click("the Close button", **events("close")),
    ),
    # Desktop dialogs, Tk and GTK 3 alike: `where` names the widget as the app reports it
    # (tests/apps/tk_dialogs.py, gtk_dialogs.py).
    "tk-save": SAVE_DIALOG,
    "tk-confirm": CONFIRM_DIALOG,
    "gtk-save": SAVE_DIALOG,
    "gtk-confirm": CONFIRM_DIALOG,
}
