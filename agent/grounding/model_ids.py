"""The family a served model's id names (CONTRACTS §5: no `--grounder` with an endpoint).

Ids are matched case-insensitively against the published names of each family's checkpoints
(Hugging Face repository ids, as vLLM serves them by default, or a served name containing
them). The first matching row wins, so fine-tunes come before the base model they extend
(GTA1-2510 before GTA1, UI-TARS-1.5 before UI-TARS, Qwen2.5-VL before Qwen2-VL). An id that
names no family (a local checkpoint path, say) matches nothing: the caller asks for --grounder.
"""

from __future__ import annotations

import re

__all__ = ["MODEL_ID_PATTERNS", "family_for_model"]

_SEP = r"[-_.\s]?"  # "Qwen2.5-VL", "qwen2_5_vl", "qwen25vl"

MODEL_ID_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern, re.IGNORECASE)) for family, pattern in [
        # GTA1 of 2025-10 (Salesforce/GTA1-32B-2510 …) answers like OpenCUA, whose data trained it
        ("opencua", r"opencua|gta1.*2510"),
        ("gta1", r"gta1"),
        ("uground", r"uground"),
        ("gelato", r"gelato"),
        ("holo2", rf"holo{_SEP}2(?!\d)"),
        ("holo15", rf"holo{_SEP}1(?:{_SEP}5)?(?!\d)"),
        ("uivenus15", rf"ui{_SEP}venus{_SEP}1{_SEP}5"),
        ("uivenus", rf"ui{_SEP}venus"),
        ("maiui", rf"mai{_SEP}ui"),
        ("infigui", rf"infigui{_SEP}g1"),
        ("phiground", rf"phi{_SEP}ground"),
        ("glm45v", rf"glm{_SEP}4(?:\.?\d)?{_SEP}v"),
        ("internvl", r"internvl"),
        ("gemini", r"gemini"),
        ("osatlas", rf"os{_SEP}atlas"),
        ("aguvis", r"aguvis"),
        ("seeclick", r"seeclick"),
        ("uitars15", rf"ui{_SEP}tars{_SEP}1{_SEP}5"),
        ("uitars", rf"ui{_SEP}tars"),
        ("qwen3vl", rf"qwen{_SEP}3{_SEP}vl"),
        ("qwen25vl", rf"qwen{_SEP}2{_SEP}5{_SEP}vl|zonui"),
        ("qwen2vl", rf"qwen{_SEP}2{_SEP}vl"),
        ("qwenvl", rf"qwen{_SEP}vl"),
    ]
)


def family_for_model(model_id: str) -> str | None:
    """The family `model_id` names, or None."""
    for family, pattern in MODEL_ID_PATTERNS:
        if pattern.search(model_id):
            return family
    return None
