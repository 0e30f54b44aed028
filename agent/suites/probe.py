"""`python -m agent.suites.probe TEXT SECONDS`: exit 0 once OCR reads TEXT on $DISPLAY, 1 when
SECONDS pass first.

A process of its own because screen capture binds one display per process, and each episode
waits on its own display; it reads with the `ocr` grounder's engine.
"""

from __future__ import annotations

import difflib
import re
import sys
import time
from collections.abc import Sequence

from agent.backends.mss_screen import MssScreen
from agent.grounding.ocr.engines import OcrWord, make_engine

POLL_S = 0.3
SIMILAR = 0.8  # per word: OCR misreads a letter now and then ("Search" as "Seareh")


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def text_in(words: Sequence[OcrWord], text: str) -> bool:
    """Whether the words of `text` appear one after another among `words` (reading order)."""
    wanted = [w for w in (_norm(part) for part in text.split()) if w]
    seen = [w for w in (_norm(word.text) for word in words) if w]
    if not wanted:
        return False
    for start in range(len(seen) - len(wanted) + 1):
        window = seen[start:start + len(wanted)]
        if all(difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR
               for a, b in zip(window, wanted, strict=True)):
            return True
    return False


def main(argv: list[str]) -> int:
    text, seconds = argv[0], float(argv[1])
    engine_name = argv[2] if len(argv) > 2 else "auto"
    deadline = time.monotonic() + seconds
    screen, engine = MssScreen(), make_engine(engine_name)
    while True:
        if text_in(engine.read(screen.capture().image), text):
            return 0
        if time.monotonic() + POLL_S > deadline:
            return 1
        time.sleep(POLL_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
