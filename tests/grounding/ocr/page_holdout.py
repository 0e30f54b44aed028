"""Held-out pages (pages/holdout/, Tk `tk-find`): ordinary pages the grounder was not developed
on, with steps written from a task's words only, to check that the suite's figures carry over
(issue #13: "trying ordinary pages and forms as a new user would"). Run them with
`bench/ocr_pages.py --set holdout`; they are not part of the CI goal.
"""

from __future__ import annotations

from tests.grounding.ocr.page_steps import Step, click, events, type_into

HOLDOUT: dict[str, tuple[Step, ...]] = {
    "holdout/checkout": (
        type_into("the Full name field", "Ada Lovelace", "fullname"),
        type_into("the Card number field", "4111111111111111", "card"),
        type_into("the MM/YY field", "12/30", "expiry"),
        type_into("the CVC field", "123", "cvc"),
        click('the "Save this card" checkbox', checked_savecard=True),
        click("the Pay now button", "#paynow", **events("submit:pay")),
    ),
    "holdout/contact": (
        type_into("the Email field", "a@b.org", "email"),
        type_into("the Message box", "Hello", "message"),
        click("the privacy notice link", **events("privacy")),
        click("the Send message button", "#send", **events("submit:contact")),
    ),
    "holdout/todo": (
        type_into('the "What needs to be done?" field', "Call mom", "task"),
        click("the Add button", "#addbtn", **events("submit:add")),
        click("the checkbox next to Walk the dog", checked_dog=True),
        click("the Remove button next to Pay bills", **events("remove:bills")),
        click("the first Remove button", **events("remove:milk")),
    ),
    "holdout/cookies": (
        click("the Accept all button", **events("accept")),
        click("the Reject all button", **events("reject")),
        click("the Settings button", **events("settings")),
    ),
    "holdout/pager": (
        click("the Next link", **events("next")),
        click("the Previous link", **events("prev")),
        click('the "2" link', **events("page2")),
    ),
    "holdout/network": (  # switches at the far right of their row
        click("the Bluetooth toggle", checked_bluetooth=True),
        click("the Wi-Fi switch", checked_wifi=False),
        click("the Advanced settings link", **events("advanced")),
    ),
    "holdout/wizard": (
        click("the Pro option", checked_pro=True),
        click("the Team radio button", checked_team=True),
        click("the Next button", **events("next")),
        click("the Back button", **events("back")),
    ),
    "holdout/intranet": (  # labels right-aligned beside their fields
        type_into("the User name field", "jdoe", "user"),
        type_into("the Password field", "pw", "pass"),
        click("the Remember me checkbox", checked_remember=True),
        click("the Sign in button", "#signinbtn", **events("submit:signin")),
        click("the Cancel button", **events("cancel")),
    ),
    "tk-prefs": (  # ttk: themed widgets, notebook tabs
        click("the Editor tab", "tab-editor", tab="Editor"),
        Step("the Name field", {"value:name": "Ada"}, "name", "Ada"),
        click("the Show line numbers checkbox", "lines", checked_lines=True),
        click("the Apply button", "apply", **events("apply")),
        click("the OK button", "ok", **events("ok")),
    ),
    "tk-find": (
        Step("the Find what field", {"value:findwhat": "needle"}, "findwhat", "needle"),
        click("the Match case checkbox", "matchcase", checked_matchcase=True),
        click("the Find next button", "findnext", **events("findnext")),
        click("the Close button", "close", **events("close")),
    ),
}
