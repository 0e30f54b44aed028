"""What heads a table's column: a heading over a widget of the column, or left-aligned in the
column's cell while the widget stands centred in it (ground.py's cells by row and column)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from agent.grounding.ocr.candidate import centre, inside
from agent.grounding.ocr.engines import SLIVER, Box, OcrWord
from agent.grounding.ocr.textforms import UNSURE
from agent.grounding.ocr.textmatch import MIN_SIMILARITY, Run, norm, runs

__all__ = ["SAME_HEADING", "headed", "said_level", "said_over"]

SAME_HEADING = 0.9  # a column's heading read this alike the words described
HEADING_WORDS = 6  # a phrase of more words is a sentence, no heading


def headed(box: Box, heading: str, words: Sequence[OcrWord]) -> bool:
    """Whether text reading `heading` stands above `box`, over its column: a phrase of its own
    (not a title's last word: "Food parcel referral" heads no column), on one line or stacked
    on lines one under another ("Wed" over "15 Oct" over "10:00")."""
    if any(_alike(run, words) and run.whole and run.box[3] <= box[1]
           and ((run.box[0] < box[2] and box[0] < run.box[2]) or _in_its_cell(run, box, words))
           for run in runs(words, heading)):
        return True
    return " " in heading and said_over(box, heading, words)


def said_level(box: Box, heading: str | None, words: Sequence[OcrWord]) -> bool:
    """Whether words reading `heading` stand level with `box`, beside it on its own line: then
    they are its row's, no heading over its column ("the Accept button in the Tom Becker row",
    the row's green Accept button not found: not its Reject button, as if under "Accept")."""
    if heading is None:
        return False
    middle = (box[1] + box[3]) / 2
    return any(run.similarity >= SAME_HEADING and run.box[1] <= middle <= run.box[3]
               and not (box[0] <= run.centre[0] <= box[2]) and _alone(run, words)
               for run in runs(words, heading))


def _alone(run: Run, words: Sequence[OcrWord]) -> bool:
    """Whether the run stands alone on its line but for specks read as letters (a button's
    corner read "f"): no part of another phrase ("cover" of a row's "Needs cover" badge)."""
    height = run.box[3] - run.box[1]
    near = [w for w in words if w.box[1] < run.centre[1] < w.box[3]
            and run.box[0] - height < w.box[2] and w.box[0] < run.box[2] + height
            and not inside(centre(w.box), run.box)]
    return all(w.box[3] - w.box[1] < SLIVER * height for w in near)


def said_over(box: Box, words_said: str, words: Sequence[OcrWord]) -> bool:
    """Whether the phrases over `box`'s column say `words_said` as whole words, as a heading's
    last word ("notes" of "Condition notes"); looser than `headed`, for one widget in a row."""
    return f" {words_said} " in f" {_column_text(box, words)} "


def _alike(run: Run, words: Sequence[OcrWord]) -> bool:
    """Whether the run reads the heading: but for a look-alike letter, or a letter short where
    OCR was unsure of all it read ("ty" for "Qty", at 49%)."""
    if run.similarity >= SAME_HEADING:
        return True
    own = [w for w in words if inside(centre(w.box), run.box)]
    return run.similarity >= MIN_SIMILARITY and bool(own) and \
        all(w.confidence < UNSURE for w in own)


def _column_text(box: Box, words: Sequence[OcrWord]) -> str:
    """The phrases above `box` that stand over it, top to bottom, as one normalised text (a
    line's words a gap of 1.5 text heights apart are phrases of their own: a table's
    header row may be read as one line); no sentence ("… describe the control measures.")."""
    lines: dict[tuple[int, ...], list[OcrWord]] = {}
    for word in sorted(words, key=lambda w: w.box[0]):
        if word.box[3] <= box[1]:
            lines.setdefault(word.line, []).append(word)
    phrases: list[list[OcrWord]] = []
    for line in lines.values():
        phrases.append([line[0]])
        for word in line[1:]:
            last = phrases[-1][-1]
            if word.box[0] - last.box[2] > 1.5 * (last.box[3] - last.box[1]):
                phrases.append([word])
            else:
                phrases[-1].append(word)
    over = [p for p in phrases if p[0].box[0] < box[2] and box[0] < p[-1].box[2]
            and len(p) <= HEADING_WORDS and not p[-1].text.endswith(".")]
    over.sort(key=lambda phrase: min(w.box[1] for w in phrase))
    return norm(" ".join(w.text for phrase in over for w in phrase))


def _in_its_cell(run: Run, box: Box, words: Sequence[OcrWord]) -> bool:
    """Whether `box` stands just right of a heading at its column's left, before the next
    heading on its line and under none (a checkbox centred in a "Kit fee" column: the heading
    ends left of it; a field under the next column's heading set flush right is that column's;
    a row's button far right, under no heading, is no column's)."""
    height = run.box[3] - run.box[1]
    line = [w for w in words if w.box[1] < run.centre[1] < w.box[3]]
    end = min((w.box[0] for w in line if w.box[0] > run.box[2] + 0.5 * height),
              default=math.inf)
    # (the last column, no heading after it: a little further, a checkbox centred in it
    # under its short heading, "Flash")
    reach = run.box[2] + (6 if end == math.inf else 4) * height
    return run.box[0] <= box[0] <= reach and centre(box)[0] < end and \
        not any(w.box[0] < box[2] and box[0] < w.box[2] for w in line)
