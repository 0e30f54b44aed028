"""A table's row named by the words in its cells ("the 18:45 Spin row", "the running
pipeline row", "the row for cycle 2287"), and which of several places such words name."""

from __future__ import annotations

from collections.abc import Sequence

from agent.grounding.ocr.candidate import Candidate, centre
from agent.grounding.ocr.columns import headed
from agent.grounding.ocr.describe import TEXT
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.rank import NEAR_MARGIN, Ambiguous
from agent.grounding.ocr.textmatch import Run, norm, row_runs, row_sets, runs

__all__ = ["ITEM_NOUNS", "across_row", "one_row", "under_its_heading"]

# What a table's row may be called after the words it shows ("the running pipeline row")
ITEM_NOUNS = frozenset({
    "pipeline", "job", "build", "run", "webhook", "hook", "record", "entry", "order", "item",
    "request", "booking", "appointment", "ticket", "task", "issue", "invoice", "payment",
    "transaction", "file", "user", "account", "subscription", "rule", "flag", "key", "token",
    "event", "message", "review", "comment", "revision", "version", "release", "deployment",
    "backup", "report", "line", "product", "plan", "package", "tier", "bundle", "policy",
    "quote", "listing", "session", "class", "course", "slot", "shift", "visit", "claim", "case",
    "group", "team", "lesson", "trip", "tour", "route",
})


def one_row(found: list[Candidate]) -> Candidate:
    """The best of candidates that all lie on one row (a row's words read as overlapping
    runs: "15:00 Riverside v Harbour City", "Riverside v Harbour City Mill"): it names the
    row as well as any; else the ambiguity stands."""
    best = max(found, key=lambda c: c.score)
    rivals = [c for c in found if c.score >= best.score - NEAR_MARGIN]
    height = max(best.box[3] - best.box[1], 8.0)
    if any(abs(centre(c.box)[1] - centre(best.box)[1]) > 0.5 * height for c in rivals):
        # (each row's best: the row relation keeps the one where the element described is)
        rows: list[Candidate] = []
        for rival in sorted(rivals, key=lambda c: -c.score):
            if all(abs(centre(rival.box)[1] - centre(r.box)[1]) > 0.5 * height for r in rows):
                rows.append(rival)
        raise Ambiguous(f"the rows of {len(rivals)} places match about equally well: "
                        + "; ".join(c.describe() for c in rivals[:6]), close=rows)
    return best


def across_row(name: str, words: Sequence[OcrWord]) -> list[Candidate]:
    """The row named by words in its cells: in order across two cells ("in the 18:45 Spin
    row"), in any order ("the failed develop row (#411)"), a code inside a longer token
    ("the hooks.slack.com row"); else without a last word no row holds, a noun for the row's
    item ("the running pipeline row"); else a value under its column's heading ("the row for
    cycle 2287": "2287" under "Cycle"). The cells' words."""
    head, _, noun = name.rpartition(" ")
    found = (row_runs(words, name) if " " in name else []) or _titled(head, noun, words) or \
        row_sets(words, name)
    if not found and head and noun in ITEM_NOUNS:
        if " " in head:
            found = row_sets(words, head)
        else:  # a title ("Complete" over its card) rather than a sentence's first word
            exact = [run for run in runs(words, head) if run.similarity == 1.0]
            found = [run for run in exact if run.whole] or exact
    if not found:
        found = under_its_heading(name, words)
    if not found:
        found = _in_its_group(head if noun in ITEM_NOUNS else name, words)
    return [Candidate(TEXT, run.box, run.text, run.centre, run.similarity, run.similarity,
                      run.similarity == 1.0) for run in found]


def _titled(head: str, noun: str, words: Sequence[OcrWord]) -> list[Run]:
    """"the Afternoon Tea hamper": a title of two words or more said whole, and a noun for its
    item after it (not the words in any order across a grid's row: "Hamper" of the "Grand
    Truffle Hamper" card beside it; not a time or code, "Mill Hill 14:32", a row's cells)."""
    if " " not in head or not noun.isalpha():
        return []
    return [run for run in runs(words, head) if run.similarity == 1.0 and run.whole]


def under_its_heading(name: str, words: Sequence[OcrWord]) -> list[Run]:
    """The cells reading the end of `name` under a column headed by its start ("cycle 2287":
    "2287" under "Cycle"); else a code after a noun the screen does not say ("job JT-4121")."""
    parts = name.split()
    found = [run for k in range(1, len(parts)) for run in runs(words, " ".join(parts[k:]))
             if run.similarity == 1.0 and run.whole and headed(run.box, " ".join(parts[:k]), words)]
    if found or len(parts) < 2 or not parts[0].isalpha() or not any(c.isdigit() for c in parts[1]):
        return found
    values = [run for run in runs(words, " ".join(parts[1:])) if run.similarity == 1.0]
    # "channel 1": "1" under a heading that shortens the noun ("Ch", "Qty", "No.")
    short = {text for w in words if _shortens(text := norm(w.text), parts[0])}
    # (with no such heading, only a code stands out alone: "JT-4121", "2287"; a "6" somewhere
    # is no tap 6's row)
    return [run for run in values if run.whole and any(
        headed(run.box, heading, words) for heading in short)] or \
        [run for run in values if not norm(run.text).isdigit() or len(norm(run.text)) >= 3]


def _in_its_group(name: str, words: Sequence[OcrWord]) -> list[Run]:
    """The row reading one part of `name` in a group of rows whose first row says the other
    part in a column left of it, blank on the group's later rows ("the Wednesday afternoon
    shift": "Afternoon 1–5" on the row under "Wednesday", whose day cell is empty)."""
    parts = name.split()
    found: list[Run] = []
    for k in range(1, len(parts)):
        for group, item in ((parts[:k], parts[k:]), (parts[k:], parts[:k])):
            headings = [run for run in runs(words, " ".join(group))
                        if run.similarity == 1.0 and run.whole]
            items = runs(words, " ".join(item)) if headings else []
            for heading in headings:
                found += _grouped(heading, items, words)
    return found


def _grouped(heading: Run, items: Sequence[Run], words: Sequence[OcrWord]) -> list[Run]:
    """The first of `items` right of the group's `heading` and below it, with nothing in the
    heading's column from the heading's row down to the item's."""
    height = heading.box[3] - heading.box[1]
    below = [item for item in items if item.similarity == 1.0
             and item.box[0] > heading.box[2] and item.centre[1] > heading.box[3]]
    if not below:
        return []
    item = min(below, key=lambda run: run.centre[1])
    bottom = item.box[3] + 0.5 * height
    between = [w for w in words if heading.box[3] < centre(w.box)[1] <= bottom
               and w.box[0] < heading.box[2] and heading.box[0] < w.box[2]]
    return [] if between else [item]


def _shortens(short: str, noun: str) -> bool:
    """Whether `short` may abbreviate `noun`: its first letter, then some of its letters in
    order ("ch" for channel, "qty" for quantity, "no" for number)."""
    if not (short.isalpha() and 2 <= len(short) < len(noun) and short[0] == noun[0]):
        return False
    rest = iter(noun[1:])
    return all(letter in rest for letter in short[1:])
