"""The `text` readiness condition's matching of OCR words."""

from __future__ import annotations

from agent.grounding.ocr.engines import OcrWord
from agent.suites.probe import text_in


def words(*texts: str) -> list[OcrWord]:
    return [OcrWord(t, (10.0 * i, 0.0, 10.0 * i + 8, 10.0), (0,)) for i, t in enumerate(texts)]


def test_words_in_order_match_despite_case_punctuation_and_a_misread_letter() -> None:
    assert text_in(words("From", "Search", "flights", "Book"), "Search flights")
    assert text_in(words("SEARCH", "Flights!"), "search flights")
    assert text_in(words("Seareh", "flights"), "Search flights")


def test_missing_or_out_of_order_words_do_not_match() -> None:
    assert not text_in(words("flights", "Search"), "Search flights")
    assert not text_in(words("Search", "now", "flights"), "Search flights")
    assert not text_in(words(), "Search")
    assert not text_in(words("Book", "now"), "Search")
    assert not text_in(words("Book"), "  ")
