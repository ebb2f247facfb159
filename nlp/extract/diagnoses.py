"""Diagnoses as written: ICD-10-CM codes found in the note, and diagnosis phrases.

Codes are taken as written (validation against ICD-10-CM happens in the coding engine).
Phrases come from diagnosis-type sections (one per line/numbered item); when the note has no
diagnosis section, known diagnosis phrases (DX targets) from anywhere in the note are used.
"""

from __future__ import annotations

import re

from nlp.extract.view import NoteView
from nlp.schema import Diagnosis, WrittenCode

# Letter, two characters, a dot and 1-4 more: M47.816, M54.50, S33.5XXA. A dot is required so
# that vertebrae (T12, L5) and joints never read as codes.
ICD10_RE = re.compile(r"(?<![A-Za-z0-9.])([A-TV-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4})(?![A-Za-z0-9])")
# (?=[02679G]): the first characters of the codes below; skips most positions before the alternation (3x faster).
CPT_RE = re.compile(
    r"(?=[02679G])(?<![\d.\-/])(6449[0-5]|021[3-8]T|7700[23]|77012|76942|7202[0-9]|7210[0-9]|6463[3-6]|6232[1-3]|6447[9]|6448[0-4]"
    r"|27096|G0260|64451|64625|2055[0-3]|9915[2-7]|0199[12])(?![\d/])(?!-\d(?!\d))"
)
_ITEM_SPLIT = re.compile(r"\n|;|(?<=\D)\s(?=\d{1,2}[.)]\s)")
_ITEM_CLEAN = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s*")
_DX_SECTIONS = {"diagnosis"}
# Without a diagnosis section, phrases from these sections describe studies, exams or plans, not the diagnosis.
_NOT_DX_SECTIONS = {"history", "imaging_review", "exam", "plan", "medications", "consent"}


def _phrase_items(view: NoteView) -> list[Diagnosis]:
    items: list[Diagnosis] = []
    for sec in view.sections:
        if sec.category not in _DX_SECTIONS:
            continue
        body = view.text[sec.body_start : sec.end]
        pos = 0
        for piece in _ITEM_SPLIT.split(body):
            start = body.find(piece, pos)
            pos = start + len(piece)
            cleaned = _ITEM_CLEAN.sub("", piece)
            lead = len(piece) - len(cleaned)
            cleaned_strip = ICD10_RE.sub("", cleaned).strip(" \t,.:()-[]")
            if len(cleaned_strip) < 4 or cleaned_strip.lower().startswith(("same", "as above", "***")):
                continue
            a = sec.body_start + start + lead
            b = a + len(cleaned.rstrip())
            items.append(Diagnosis(text=" ".join(cleaned_strip.split()), source="phrase", evidence=[view.evidence(a, b)]))
    if items:
        return items
    seen: set[str] = set()
    for m in view.by_label("DX"):
        if not m.asserted or m.section in _NOT_DX_SECTIONS or m.text.lower() in seen:
            continue
        seen.add(m.text.lower())
        items.append(Diagnosis(text=m.text, source="phrase", evidence=[view.evidence(m.start, m.end)]))
    return items


def extract_diagnoses(view: NoteView) -> list[Diagnosis]:
    codes: dict[str, Diagnosis] = {}
    for m in ICD10_RE.finditer(view.text):
        code = m.group(1).upper()
        if code not in codes:
            codes[code] = Diagnosis(text=code, icd10=code, source="code_written")
        codes[code].evidence.append(view.evidence(m.start(1), m.end(1)))
    return list(codes.values()) + _phrase_items(view)


def extract_written_codes(view: NoteView) -> list[WrittenCode]:
    """CPT/HCPCS codes written in the note (e.g. 77003 listed beside 64493)."""
    found: dict[str, WrittenCode] = {}
    for m in CPT_RE.finditer(view.text):
        found.setdefault(m.group(1), WrittenCode(code=m.group(1))).evidence.append(view.evidence(m.start(1), m.end(1)))
    return list(found.values())
