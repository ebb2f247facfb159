"""Imaging guidance modality (R-IMG-2, R-IMG-3, R-IMG-5).

Fluoroscopy or CT guidance makes a 6449x service; ultrasound has its own codes; landmark,
palpation, negated or missing guidance is `none`. An MRI or CT *study* reviewed in the history
is not guidance: CT cues in the lexicon are guidance phrases only.
"""

from __future__ import annotations

from nlp.extract.view import NoteView
from nlp.schema import Imaging, Modality

_ORDER: list[tuple[str, Modality]] = [("IMG_FLUORO", "fluoroscopy"), ("IMG_CT", "ct"), ("IMG_US", "ultrasound")]
_RULES: dict[Modality, list[str]] = {
    "fluoroscopy": ["R-IMG-1", "R-IMG-5"],
    "ct": ["R-IMG-1", "R-IMG-5"],
    "ultrasound": ["R-IMG-3", "R-NBR-US"],
    "none": ["R-IMG-2"],
}


def extract_imaging(view: NoteView) -> Imaging:
    for label, modality in _ORDER:
        found = [m for m in view.by_label(label) if m.performed]
        if found:
            return Imaging(
                modality=modality,
                reason=f"{modality} guidance documented",
                evidence=[view.evidence(m.start, m.end) for m in found[:4]],
                rule_ids=_RULES[modality],
            )
    negated = [m for m in view.mentions if m.label in {"IMG_FLUORO", "IMG_CT", "IMG_US"} and m.negated]
    landmark = [m for m in view.by_label("IMG_NONE") if m.asserted]
    if landmark or negated:
        spans = landmark + negated
        reason = "landmark/palpation guidance only" if landmark else "imaging guidance documented as not used"
        return Imaging(modality="none", reason=reason,
                       evidence=[view.evidence(m.start, m.end) for m in spans[:4]], rule_ids=_RULES["none"])
    return Imaging(modality="none", reason="not documented", rule_ids=_RULES["none"])
