"""Check the flight app's state: exit 0 when it matches every condition given, else 1.

    python3 checks/flight.py STATE.json [--from CITY] [--to CITY] [--passenger NAME]
                             [--searched] [--booked | --not-booked]
"""

from __future__ import annotations

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("state")
    parser.add_argument("--from", dest="origin")
    parser.add_argument("--to")
    parser.add_argument("--passenger")
    parser.add_argument("--searched", action="store_true")
    booked = parser.add_mutually_exclusive_group()
    booked.add_argument("--booked", action="store_true")
    booked.add_argument("--not-booked", action="store_true")
    args = parser.parse_args()
    with open(args.state, encoding="utf-8") as file:
        state = json.load(file)
    fields = state["fields"]
    wrong = [
        f"{name} is {fields[name]!r}, expected {want!r}"
        for name, want in (("From", args.origin), ("To", args.to), ("Passenger", args.passenger))
        if want is not None and fields[name].strip() != want
    ]
    if args.searched and not state["searched"]:
        wrong.append("no search was made")
    if args.booked and not state["booked"]:
        wrong.append(f"not booked (status: {state['status']!r})")
    if args.not_booked and state["booked"]:
        wrong.append("booked, although it should not be")
    for reason in wrong:
        print(reason, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
