"""Radiculopathy or radicular symptoms, affirmed or negated (R-MCR-IND-3, R-ICD-4)."""

from __future__ import annotations

import re

from nlp.extract.view import NoteView
from nlp.schema import Radiculopathy


_RADICULAR_DX = re.compile(r"radicul|sciatica", re.IGNORECASE)


def extract_radiculopathy(view: NoteView) -> Radiculopathy:
    mentions = [
        m for m in view.mentions
        if (m.label == "RADIC" or (m.label == "DX" and _RADICULAR_DX.search(m.text))) and not (m.family or m.hypothetical)
    ]
    affirmed = [m for m in mentions if not m.negated and not m.uncertain]
    if affirmed:
        return Radiculopathy(status="affirmed", evidence=[view.evidence(m.start, m.end) for m in affirmed[:4]])
    negated = [m for m in mentions if m.negated]
    if negated:
        return Radiculopathy(status="negated", evidence=[view.evidence(m.start, m.end) for m in negated[:4]])
    return Radiculopathy()
