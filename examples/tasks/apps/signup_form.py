"""A small Tk sign-up form for the sample task suite.

    python3 apps/signup_form.py STATE.json [--geometry +X+Y]

Fields "Name", "Email" and "Password" (shown as dots), checkboxes "Send me the newsletter" and
"I accept the terms", a "Submit" button and a status line. Submitting works only with a name,
an email containing "@" and the terms accepted; then the submitted values are kept. Whenever
anything changes the app rewrites STATE.json atomically:

    {"ready": true, "pid": 123, "fields": {"Name": "", "Email": ""},
     "password_sha256": "...", "newsletter": false, "terms": false, "submits": 0,
     "submitted": null | {"Name", "Email", "password_sha256", "newsletter"}, "status": "..."}

The password itself is never written, only its SHA-256 (a check compares it with the secret's).
"""

from __future__ import annotations

import hashlib
import os
import tkinter as tk
from pathlib import Path
from typing import Any

from agent.demo.flight_app import StateReporter, run_app

FONT = ("DejaVu Sans", 14)
TEXT_FIELDS = ("Name", "Email", "Password")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SignupForm(StateReporter):
    def __init__(self, root: tk.Tk, state_path: Path) -> None:
        super().__init__(root, state_path)
        self.values = {name: tk.StringVar() for name in TEXT_FIELDS}
        self.newsletter = tk.BooleanVar(value=False)
        self.terms = tk.BooleanVar(value=False)
        self.status = tk.StringVar(value="Create your account")
        self.submits = 0
        self.submitted: dict[str, Any] | None = None

        root.title("Sign up")
        root.configure(padx=24, pady=24, background="white")
        tk.Label(root, text="Create an account", font=("DejaVu Sans", 18, "bold"),
                 background="white").grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 16))
        for row, name in enumerate(TEXT_FIELDS, start=1):
            tk.Label(root, text=name, font=FONT, background="white", anchor="w",
                     width=10).grid(row=row, column=0, sticky="w", pady=6)
            entry = tk.Entry(root, textvariable=self.values[name], font=FONT, width=24,
                             show="•" if name == "Password" else "")
            entry.grid(row=row, column=1, sticky="we", pady=6)
            self.values[name].trace_add("write", lambda *_: self.write_state())
            self.widgets[name] = entry
        for row, (text, variable) in enumerate(
            (("Send me the newsletter", self.newsletter), ("I accept the terms", self.terms)),
            start=len(TEXT_FIELDS) + 1,
        ):
            box = tk.Checkbutton(root, text=text, variable=variable, font=FONT,
                                 background="white", command=self.write_state)
            box.grid(row=row, column=0, columnspan=2, sticky="w", pady=4)
            self.widgets[text] = box
        submit = tk.Button(root, text="Submit", font=FONT, command=self.submit, padx=12, pady=4)
        submit.grid(row=len(TEXT_FIELDS) + 3, column=0, sticky="w", pady=(16, 8))
        self.widgets["Submit"] = submit
        tk.Label(root, textvariable=self.status, font=FONT, background="white", anchor="w",
                 width=40).grid(row=len(TEXT_FIELDS) + 4, column=0, columnspan=2, sticky="we")

    def field(self, name: str) -> str:
        return self.values[name].get()

    def submit(self) -> None:
        self.submits += 1
        if not self.field("Name").strip() or "@" not in self.field("Email"):
            self.status.set("Enter your name and email")
        elif not self.terms.get():
            self.status.set("Please accept the terms")
        else:
            self.submitted = {
                "Name": self.field("Name"), "Email": self.field("Email"),
                "password_sha256": sha256(self.field("Password")),
                "newsletter": self.newsletter.get(),
            }
            self.status.set(f"Welcome, {self.field('Name').strip()}!")
        self.write_state()

    def state(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "pid": os.getpid(),
            "fields": {name: self.field(name) for name in ("Name", "Email")},
            "password_sha256": sha256(self.field("Password")),
            "newsletter": self.newsletter.get(),
            "terms": self.terms.get(),
            "submits": self.submits,
            "submitted": self.submitted,
            "status": self.status.get(),
            **self.layout(),
        }


if __name__ == "__main__":
    run_app(SignupForm, "+40+40", (__doc__ or "").splitlines()[0])
