"""What kind of document this is, when it is one that records no injection performed today.

Engine conventions (decided 2026-12-03): only a performed injection is coded. A consent, an order or
schedule request, an authorization request or decision, patient instructions, a case cancelled or aborted
before any injection, a coding query gets no line, whatever procedure words it contains. Such documents say
what they are, in their title ("PRIOR AUTHORIZATION REQUEST", "SCHEDULING ORDER") or in words ("no
procedure performed today", "case cancelled prior to any injection"); cue patterns are in
`lexicons/cues.yaml` (section `document`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.doubts import NOT_PERFORMED_CONFLICT, doubt
from nlp.extract.families import FACET_FAMILIES, family_of
from nlp.extract.view import WEAK_PERFORMED_CUES, NoteView
from nlp.schema import Evidence, ReviewReason
from nlp.validation import Regex


class DocumentCues(StrictModel):
    nothing_today: list[Regex]
    quoting_title: list[Regex]
    title: list[Regex]
    title_line: Regex
    facet_names: list[Regex]
    done_status: Regex
    banner: list[Regex]
    other_targets: list[Regex]


CUES = load_cues("document", DocumentCues)
_NOTHING_TODAY = re.compile(alternation(CUES.nothing_today), re.I | re.M)
_QUOTING_TITLE = re.compile(alternation(CUES.quoting_title), re.I)
_TITLE = re.compile(alternation(CUES.quoting_title + CUES.title), re.I)
_TITLE_LINE = re.compile(CUES.title_line, re.I | re.M)
_DONE_STATUS = re.compile(CUES.done_status, re.I)
FACET_NAMED = re.compile(alternation(CUES.facet_names), re.I)
TITLE_LINES = 2


@dataclass(frozen=True)
class NotPerformed:
    """Why the document records no injection today, with the words that say so."""

    reason: str
    evidence: list[Evidence]


_BANNER = re.compile(alternation(CUES.banner), re.I)
_OTHER_TARGET = re.compile(alternation(CUES.other_targets), re.I)
_SENTENCE_END = re.compile(r"[.;\n]")


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 160), start)), default=max(0, start - 160))
    right = _SENTENCE_END.search(text, end)
    return text[left : right.start() if right else min(len(text), end + 160)]


def _title_spans(text: str) -> list[tuple[int, int]]:
    """The first TITLE_LINES non-empty lines (fax and page banners skipped), and any `RE:` / `Subject:` line."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(spans) < TITLE_LINES and pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text[pos:end].strip() and not _BANNER.search(text[pos:end]):
            spans.append((pos, end))
        pos = end + 1
    for m in _TITLE_LINE.finditer(text):
        end = text.find("\n", m.start())
        spans.append((m.start(), len(text) if end < 0 else end))
    return spans


# A statement that only the facet procedure was not done ("decision on lumbar facet MBBs deferred"), in a
# document that records another procedure as done, is about the facet procedure, not the visit.
def _other_procedure_done(view: NoteView) -> bool:
    return any((fam := family_of(m.label)) is not None and fam not in FACET_FAMILIES and not m.label.endswith("_WEAK")
               for m in view.by_label("PROC_", performed=True))


def not_performed_document(view: NoteView) -> NotPerformed | None:
    """The document's own statement that nothing was done today, else its title naming a non-procedure
    document; None for anything else (a procedure note, or a consult that the procedure rules judge).
    Read once per note (`nlp.extract.facts`); the procedure, imaging and doubt steps take the answer."""
    text = view.text
    for said in _NOTHING_TODAY.finditer(text):
        sentence = _sentence_around(text, said.start(), said.end())
        if _OTHER_TARGET.search(sentence) or (FACET_NAMED.search(said.group()) and _other_procedure_done(view)):
            continue
        return NotPerformed(f"the document says no injection was performed today ({said.group().strip()!r})",
                            [view.evidence(said.start(), said.end())])
    if _DONE_STATUS.search(text):
        return None  # an order or charge document that records the procedure as done
    for start, end in _title_spans(text):
        m = _TITLE.search(text, start, end)
        if m:
            return NotPerformed(f"the document is a {m.group().strip().lower()}, not a procedure record",
                                [view.evidence(m.start(), m.end())])
    return None


# A document that says nothing was done but describes this many distinct steps of an injection as done.
CONFLICT_CUES = 2


def document_doubts(view: NoteView, document: NotPerformed | None) -> list[ReviewReason]:
    """A not-performed document that also reports the steps of an injection as done: a person decides (not for a
    document whose title says it quotes a record: a coding query, a payer letter, an authorization request)."""
    if document is None or any(_QUOTING_TITLE.search(view.text, a, b) for a, b in _title_spans(view.text)):
        return []  # a query, letter or authorization request quotes the steps of the record it is about
    cues = {m.text.lower(): m for m in view.by_label("PERFORMED_CUE", performed=True)
            if m.text.lower() not in WEAK_PERFORMED_CUES}
    if len(cues) < CONFLICT_CUES:
        return []
    steps = sorted(cues.values(), key=lambda m: m.start)[:3]
    detail = f"{document.reason}; yet it reports {', '.join(repr(m.text) for m in steps)}"
    return [doubt(NOT_PERFORMED_CONFLICT, document.evidence + [view.evidence(m.start, m.end) for m in steps], detail)]
