"""Check the sign-up form's state: exit 0 when it matches every condition given, else 1.

    python3 checks/signup.py STATE.json [--name NAME] [--email EMAIL] [--newsletter yes|no]
                             [--password-from-env VAR] [--submitted | --not-submitted]

`--password-from-env AGENT_SECRET_PASSWORD`: the password the app received must be the value of
that environment variable (the app keeps only its SHA-256; the value is never printed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from typing import Any


def problems(state: dict[str, Any], args: argparse.Namespace) -> list[str]:
    # what was submitted, when the task submits; else what the form holds now
    seen = state["submitted"] if args.submitted else {**state["fields"], **state}
    if args.submitted and seen is None:
        return [f"not submitted (status: {state['status']!r})"]
    if args.not_submitted and state["submitted"] is not None:
        return ["submitted, although it should not be"]
    wrong = [f"{name} is {seen[name]!r}, expected {want!r}"
             for name, want in (("Name", args.name), ("Email", args.email))
             if want is not None and seen[name].strip() != want]
    if args.newsletter is not None and seen["newsletter"] != (args.newsletter == "yes"):
        wrong.append(f"newsletter is {seen['newsletter']}, expected {args.newsletter}")
    if args.password_from_env:
        expected = os.environ.get(args.password_from_env)
        if expected is None:
            wrong.append(f"{args.password_from_env} is not set: cannot check the password")
        elif seen["password_sha256"] != hashlib.sha256(expected.encode()).hexdigest():
            wrong.append("the password the app received is not the secret's value")
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("state")
    parser.add_argument("--name")
    parser.add_argument("--email")
    parser.add_argument("--newsletter", choices=("yes", "no"))
    parser.add_argument("--password-from-env", metavar="VAR")
    submitted = parser.add_mutually_exclusive_group()
    submitted.add_argument("--submitted", action="store_true")
    submitted.add_argument("--not-submitted", action="store_true")
    args = parser.parse_args()
    with open(args.state, encoding="utf-8") as file:
        wrong = problems(json.load(file), args)
    for reason in wrong:
        print(reason, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
