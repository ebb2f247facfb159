"""Diagnostic vs therapeutic intent of today's block (R-DESC-7, R-MOD-KX, R-MCR-DX-*, R-MCR-TX-*).

Engine conventions (decided 2026-12-03): intent is what the note says about today's procedure.

1. Intent words decide: "diagnostic", "prognostic", "confirmatory", block numbers ("first / second
   block", "1st", "2nd dx block", "MBB #1", "block #2") -> diagnostic; "therapeutic" -> therapeutic.
   A steroid in a block so called keeps it diagnostic (coding raises STEROID_IN_DIAGNOSTIC).
2. Only words about today's block count. A word is dropped when
   - its template option is unchecked (`[ ] Diagnostic [x] Therapeutic` reads as therapeutic: a box
     governs the text up to the next box on its line), or it is negated ("not a diagnostic block");
   - its clause describes a prior block ("prior", "ago", "s/p", "had a", "underwent", a date, a
     "Prior blocks:" line), unless the clause itself says today ("today", "this block", "current");
   - its clause is a plan or a condition ("if", "consider", "will", a plan section);
   - it stands in a history section without a word tying it to today ("referred for", "here for");
   - it names something else ("diagnostic imaging", "Diagnostic & Interventional Radiology",
     "therapeutic exercise", "diagnostic and therapeutic options", "therapeutic RFA / epidural").
   ConText's sentence-wide "historical" scope is not used: "2nd block - MBB #1 was 2 wk ago" has a
   past clause and a present one, and only the clause decides.
3. "Diagnostic and therapeutic" (in one phrase, or as two statements about today) -> `unknown`, no KX,
   and `intent_doubts` raises INTENT_CONFLICT with the evidence of both words.
4. A signed addendum wins: when it states the intent, the body's words are set aside; when its intent
   differs from the body's (or, the body stating none, from what its injectate gives), `intent_doubts` raises
   ADDENDUM_CHANGES_FACT. One that only writes down what the body already implied changes no fact.
5. Without intent words the injectate decides: local anaesthetic only -> diagnostic, a steroid ->
   therapeutic. Radiofrequency ablation is always therapeutic.

`extract_intent(view, agents, family)` gives the fact; `intent_doubts(view, intent, agents)` the review
reasons of the same reading; `extract_intent_and_doubts(...)` both at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nlp.coding.review import doubt
from nlp.extract.doubts import ADDENDUM_CHANGES_FACT, INTENT_CONFLICT
from nlp.extract.view import NoteView, box_state
from nlp.schema import Agent, Evidence, Intent, ReviewReason

Kind = Literal["diagnostic", "therapeutic", "both"]
_RFA_RULE = "R-NBR-RFA"

# ---- intent words -------------------------------------------------------------------------------
_BLOCK_NOUN = r"(?:blocks?|blk|MBBs?|nerve\s+blocks?)"
_ORDINAL = r"(?:first|second|1st|2nd)"
_NUMBER = r"(?:#|no\.?|number)\s*[12](?!\d)"
# "Dx #1 cervical facet arthropathy" numbers a diagnosis, not a block.
_DIAGNOSIS_AFTER = (r"\s*[:.)-]?\s+(?:[A-Za-z]+\s+){0,3}(?:arthropathy|syndrome|spondylosis|pain|disease|stenosis|"
                    r"radiculopathy|arthritis|osteoarthritis|degeneration|neuralgia|headache)\b")
_DIAG_WORDS = (
    rf"diagnostic(?:ally)?|prognostic|confirmatory|comparative\s+(?:local\s+anesthetic\s+)?{_BLOCK_NOUN}"
    rf"|{_ORDINAL}\s+(?:\(?(?:diagnostic|dx|confirmatory|comparative|controlled)\)?\s+)?"
    rf"(?:(?:lumbar|cervical|thoracic|facet|medial\s+branch|MB|IA|intra-?articular|set\s+of)\s+){{0,3}}{_BLOCK_NOUN}"
    rf"|(?:MBB|block|blk)\s*{_NUMBER}|(?:dx|diag)\s*{_NUMBER}(?!{_DIAGNOSIS_AFTER})"
    rf"|dx(?=\.?\s+(?:blk|blocks?|MBBs?|inj\w*|IA|medial|series|#(?!\s*\d{{1,2}}{_DIAGNOSIS_AFTER})))"
    rf"|diag\.?(?=\s+(?:blk|blocks?|MBBs?|inj\w*))"
)
_THER_WORDS = r"therapeutic(?:ally)?|treatment\s+(?:blocks?|injections?)|ther\.?(?=\s+(?:blk|blocks?|MBBs?|inj\w*))"
_BOTH = r"(?:both\s+)?(?:diagnostic\s*(?:and|&|/|\+)\s*therapeutic|therapeutic\s*(?:and|&|/|\+)\s*diagnostic)"
_WORD = re.compile(rf"(?<![\w-])(?:(?P<both>{_BOTH})|(?P<diag>{_DIAG_WORDS})|(?P<ther>{_THER_WORDS}))(?![\w])", re.I)
# Inside an "Intent:" / "Block sequence:" field the short forms are intent words too.
_FIELD_LABEL = re.compile(
    r"^[ \t>*-]*(?:intent(?:ion)?|purpose|block(?:\s+(?:type|sequence|series|number|#))?|series(?:\s*#)?"
    r"|type\s+of\s+block)"
    r"\s*(?:\([^)\n]{0,30}\))?\s*[:=]", re.I | re.M)
_FIELD_WORD = re.compile(r"(?<![\w-])(?:(?P<diag>dx|diag|#\s*[12](?!\d))|(?P<ther>ther|tx))(?![\w])", re.I)

# A word followed by one of these names something other than today's block.
_NOT_BLOCK_AFTER = {
    "diagnostic": re.compile(
        r"\s*(?:(?:&|and)\s*interventional|imaging|radiology|radiologist|ultrasound|sonograph\w*|stud(?:y|ies)|"
        r"tests?|testing|work-?up|evaluation|criteria|images?|mri|ct\b|x-?rays?|services?|cent(?:er|re)|"
        r"department|dept|accuracy|value|utility|of\b|response|results?|findings?|arthroscopy|discogra\w*|"
        r"(?:(?:lumbar|cervical|caudal|interlaminar|transforaminal)\s+)?(?:epidural|ESI|TFESI|ILESI)|"
        r"(?:selective\s+)?nerve\s+root|SI\s+joint|sacroiliac|trigger\s+point|genicular|hip|knee|shoulder)", re.I),
    "therapeutic": re.compile(
        r"\s*(?:exercises?|massage|activit(?:y|ies)|modalit(?:y|ies)|ultrasound|heat|cold|range|options?|"
        r"alternatives?|benefits?|effects?|response|relief|window|levels?|doses?|drugs?|trials?|alliance|class|"
        r"interventions?|inr\b|anticoagulation|RFA|radio\s*-?frequency|ablation|neurotomy|rhizotomy|"
        r"(?:(?:lumbar|cervical|caudal|interlaminar|transforaminal)\s+)?(?:epidural|ESI|TFESI|ILESI)|"
        r"SI\s+joint|sacroiliac|trigger\s+point|genicular)", re.I),
}
_NOT_BLOCK_AFTER["both"] = _NOT_BLOCK_AFTER["therapeutic"]

# ---- status of a word: checkbox, negation, tense, plan -----------------------------------------
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|non|without|nor|neither|rather\s+than|instead\s+of)\b(?:\s+(?:a|an|the|as|considered|"
    r"intended|meant|been|being|truly|strictly|purely|really))*|\bnon-?)\s*$", re.I)
# Words that put a clause in today's session, even next to a past cue ("MBB #1 was 2 wk ago, today block #2").
_STRONG_TODAY = re.compile(
    r"\b(?:today(?:'s)?|this\s+(?:procedure|block|injection|session|visit|treatment|MBB|set|series)|"
    r"current\s+(?:procedure|block|injection|request|session|visit)|the\s+present\s+(?:procedure|block|injection))\b",
    re.I)
# Words that tie a history sentence to today's block but do not outweigh a past cue in the same clause.
_WEAK_TODAY = re.compile(
    r"\b(?:(?:presents?|presenting|here|referred|returns?|returning|comes?|came|scheduled|brought|admitted)"
    r"\s+(?:(?:back|in|today)\s+)?(?:for|to\s+undergo)|requests?|requested|performed\s+as|undergoing|"
    r"this\s+(?:is|was|will\s+be)|currently|intent(?:ion)?|purpose)\b", re.I)
_PAST = re.compile(
    r"(?<!\bno\s)(?<!\bnot\s)(?<!\bwithout\s)"  # "no prior injections" is no history at all
    r"\b(?:prior(?!\s+to\b)|previous(?:ly)?|ago|last\s+(?:week|month|year|visit|time|block|injection|procedure)|"
    r"earlier|in\s+the\s+past|history\s+of|h/o|s/p|status\s+post|(?:has|have)\s+had|"
    r"had\s+(?:a|an|two|three|his|her|their|the|\d+|bilateral|left|right|one|prior)\b|underwent|"
    r"wore\s+off|back\s+to\s+baseline|in\s+(?:19|20)\d\d)\b", re.I)
# Statements about what a procedure generally is ("MBBs are most often used in a diagnostic capacity") say nothing
# about today's intent.
_GENERIC = re.compile(r"\b(?:most\s+often|usually|typically|classically|generally|commonly|traditionally|in\s+general)\b|"
                      r"\b(?:capacity|paradigm|precursors?)\b", re.I)
_CONDITION_BEFORE = re.compile(r"\b(?:if|unless|should)\b", re.I)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|discuss|options?|consider(?:s|ing|ed)?|would|will|may|might|could|next|future|candidate|"
    r"recommend(?:s|ed)?|"
    r"plan(?:s|ned)?|proceed\s+(?:to|with)|schedule|pending|possible|possibly|to\s+be\s+(?:done|performed|scheduled)|"
    r"refer(?:ral)?\s+(?:to|for))\b", re.I)
# A line labelled as today's procedure is about today whatever section runs over it.
_TODAY_LABEL = re.compile(
    r"[ \t>*-]*(?:procedures?(?:\s+(?:\d|performed|done|name|title))?|proc|operations?|title|intent(?:ion)?|purpose|"
    r"block(?:\s+(?:type|sequence|series|number))?|impression|indications?)\b[^:\n]{0,12}:", re.I)
_PAST_LABEL = re.compile(r"[ \t>*-]*(?:prior|previous|past)\b[^:\n]{0,40}:", re.I)

# Clause and sentence ends (absolute offsets; a newline ends a clause when the next line is a new item).
_NEW_ITEM_LINE = r"\n(?=[ \t]*(?:[A-Za-z][\w /&()#.'-]{0,40}:|[\[(☐☑☒]|[-*•=]|\d{1,2}[.)]\s|\d{3,4}\s|\n|$))"
_SENTENCE_END = re.compile(rf"[.!?][\"')\]]?(?=\s|$)|\n[ \t]*\n|{_NEW_ITEM_LINE}|[|]")
_CLAUSE_END = re.compile(
    r"[,;]|\s[-–—]{1,2}\s|->|→|\s{3,}|\b(?:but|while|whereas|although|however)\b"
    r"|\band\b(?=\s+(?:today|now|this|then|is|presents?|returns?|here|she|he|they|the\s+patient|pt)\b)", re.I)
_ADDENDUM = re.compile(r"(?<![\w-])addendum\b(?=\s*(?:\(|:|\d|by\b|[-=—–]|late\b|$))", re.I | re.M)

_HISTORY_SECTIONS = frozenset({"history"})
_PLAN_SECTIONS = frozenset({"plan"})


@dataclass(frozen=True)
class Claim:
    """An intent word about today's block; `spans` are absolute offsets in `view.text`."""

    kind: Kind
    spans: tuple[tuple[int, int], ...]
    in_addendum: bool


@dataclass(frozen=True)
class _Reading:
    body: tuple[Claim, ...]
    addendum: tuple[Claim, ...]

    @property
    def deciding(self) -> tuple[Claim, ...]:
        return self.addendum or self.body


def _bounds(text: str, pos: int, end: int, rx: re.Pattern[str], lo: int, hi: int) -> tuple[int, int]:
    left = max((m.end() for m in rx.finditer(text, lo, pos)), default=lo)
    right_m = rx.search(text, end, hi)
    return left, right_m.start() if right_m else hi


def _line(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


_ITEM_START = re.compile(r"[ \t]*(?:[A-Za-z][\w /&()#.'-]{0,40}:|[\[(☐☑☒]|[-*•=]|\d{1,2}[.)]\s|\d{3,4}\s|$)")


def _item_start(text: str, line_start: int, max_lines: int = 3) -> int:
    """Start of the item a wrapped line continues ("Procedure 1: ... facet\njoint injections, diagnostic.")."""
    for _ in range(max_lines):
        if line_start == 0 or _ITEM_START.match(text, line_start) or text[line_start - 2 : line_start] == "\n\n":
            break
        line_start = text.rfind("\n", 0, line_start - 1) + 1
    return line_start


def _about_today(view: NoteView, start: int, end: int, in_addendum: bool) -> bool:
    text = view.text
    line_start, line_end = _line(text, start)
    if box_state(text, start) is False:
        return False
    s_lo, s_hi = _bounds(text, start, end, _SENTENCE_END, max(0, start - 600), min(len(text), end + 600))
    c_lo, c_hi = _bounds(text, start, end, _CLAUSE_END, s_lo, s_hi)
    if _NEGATION_BEFORE.search(text, c_lo, start):
        return False
    clause = text[c_lo:c_hi]
    strong, weak = bool(_STRONG_TODAY.search(clause)), bool(_WEAK_TODAY.search(clause))
    past_label = bool(_PAST_LABEL.match(text, line_start, line_end))
    if (_PAST.search(clause) or past_label) and not strong:
        return False
    if not (strong or weak) and _PAST.search(text, s_lo, c_lo):
        return False  # "Two weeks ago, a first diagnostic block was done"
    if _HYPOTHETICAL.search(clause) and not (strong or weak):
        return False
    if _CONDITION_BEFORE.search(text, s_lo, c_lo) and not strong:
        return False  # "if relief is good but short, discuss a diagnostic MBB": the clause after "if ..," is the plan
    if _GENERIC.search(clause) and not strong:
        return False
    if in_addendum:
        return True
    if _TODAY_LABEL.match(text, _item_start(text, line_start), line_end):
        return True  # "Procedure 1: ..., diagnostic." under a running "Hx:" section
    section = view.section_at(start)
    if section in _PLAN_SECTIONS:
        return strong
    if section in _HISTORY_SECTIONS:
        return strong or weak
    return True


def _names_something_else(text: str, kind: Kind, word: str, end: int) -> bool:
    """Only the bare adjectives can name something else ("diagnostic imaging"); "block #2" cannot."""
    if kind != "both" and not word.lower().startswith(("diagnostic", "therapeutic")):
        return False
    return bool(_NOT_BLOCK_AFTER[kind].match(text, end))


def _word_spans(m: re.Match[str], kind: Kind) -> tuple[tuple[int, int], ...]:
    if kind != "both":
        return ((m.start(), m.end()),)
    inner = re.finditer(r"diagnostic|therapeutic", m.group(0), re.I)
    return tuple((m.start() + w.start(), m.start() + w.end()) for w in inner)


def addendum_start(text: str) -> int | None:
    """Offset where a signed addendum begins ("ADDENDUM 06/02/2025 ...", "Addendum: ..."), or None."""
    m = _ADDENDUM.search(text)
    return m.start() if m else None


def _claims(view: NoteView) -> _Reading:
    text = view.text
    add_at = addendum_start(text)
    found: list[Claim] = []
    taken: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        kind: Kind = "both" if m.group("both") else "diagnostic" if m.group("diag") else "therapeutic"
        if _names_something_else(text, kind, m.group(0), m.end()):
            continue
        in_add = add_at is not None and m.start() >= add_at
        taken.append((m.start(), m.end()))
        if _about_today(view, m.start(), m.end(), in_add):
            found.append(Claim(kind, _word_spans(m, kind), in_add))
    for label in _FIELD_LABEL.finditer(text):  # "INTENT: [x] dx #1  [ ] dx #2  [ ] ther"
        _, line_end = _line(text, label.end())
        for m in _FIELD_WORD.finditer(text, label.end(), line_end):
            if any(s <= m.start() < e for s, e in taken):
                continue
            kind = "diagnostic" if m.group("diag") else "therapeutic"
            in_add = add_at is not None and m.start() >= add_at
            if _about_today(view, m.start(), m.end(), in_add):
                found.append(Claim(kind, ((m.start(), m.end()),), in_add))
    found.sort(key=lambda c: c.spans[0])
    return _Reading(body=tuple(c for c in found if not c.in_addendum),
                    addendum=tuple(c for c in found if c.in_addendum))


def _value(claims: tuple[Claim, ...]) -> Literal["diagnostic", "therapeutic", "conflict"] | None:
    kinds = {k for c in claims for k in (("diagnostic", "therapeutic") if c.kind == "both" else (c.kind,))}
    if not kinds:
        return None
    return "conflict" if len(kinds) == 2 else next(iter(kinds))  # type: ignore[return-value]


def _evidence(view: NoteView, claims: tuple[Claim, ...], limit: int = 3) -> list[Evidence]:
    spans = [s for c in claims for s in c.spans]
    return [view.evidence(s, e) for s, e in spans[:limit]]


def _conflict_evidence(view: NoteView, claims: tuple[Claim, ...]) -> list[Evidence]:
    """The words on both sides: up to two diagnostic and two therapeutic spans."""
    text = view.text
    diag = [s for c in claims for s in c.spans if not text[s[0]:s[1]].lower().startswith(("ther", "tx", "treat"))]
    ther = [s for c in claims for s in c.spans if text[s[0]:s[1]].lower().startswith(("ther", "tx", "treat"))]
    return [view.evidence(s, e) for s, e in sorted(diag[:2] + ther[:2])]


def _read(view: NoteView, agents: list[Agent], family: str | None) -> tuple[Intent, _Reading]:
    empty = _Reading((), ())
    if family == "radiofrequency_ablation":
        return Intent(value="therapeutic", reason="radiofrequency ablation is a treatment, not a block", confidence=0.9,
                      rule_ids=[_RFA_RULE]), empty
    reading = _claims(view)
    claims = reading.deciding
    where = "in the addendum" if reading.addendum else "for today's block"
    value = _value(claims)
    if value == "diagnostic":
        return Intent(value="diagnostic", reason=f"documented as a diagnostic block {where}", confidence=0.95,
                      evidence=_evidence(view, claims), rule_ids=["R-MOD-KX", "R-MCR-DX-1"]), reading
    if value == "therapeutic":
        return Intent(value="therapeutic", reason=f"documented as therapeutic {where}", confidence=0.95,
                      evidence=_evidence(view, claims), rule_ids=["R-MCR-TX-1"]), reading
    if value == "conflict":
        return Intent(value="unknown", reason=f"documented as both diagnostic and therapeutic {where}: needs review, "
                      "no KX", confidence=0.5, evidence=_conflict_evidence(view, claims),
                      rule_ids=["R-MOD-KX", "R-DOC-5"]), reading
    steroids = [a for a in agents if a.kind == "steroid"]
    locals_ = [a for a in agents if a.kind == "local_anesthetic"]
    if steroids:
        return Intent(value="therapeutic", reason="no intent words for today's block; steroid in the injectate",
                      confidence=0.8, evidence=[e for a in steroids for e in a.evidence[:2]],
                      rule_ids=["R-MCR-TX-1"]), reading
    if locals_:
        return Intent(value="diagnostic",
                      reason="no intent words for today's block; local anaesthetic only, no steroid",
                      confidence=0.75, evidence=[e for a in locals_ for e in a.evidence[:2]],
                      rule_ids=["R-MCR-DX-4"]), reading
    return Intent(value="unknown", reason="not documented: no intent words and no injectate named"), reading


def extract_intent(view: NoteView, agents: list[Agent], family: str | None = None) -> Intent:
    return _read(view, agents, family)[0]


def _injectate_value(agents: list[Agent]) -> Kind | None:
    """What the injectate says when no words do (Engine conventions): a steroid therapeutic, local only diagnostic."""
    kinds = {a.kind for a in agents}
    return "therapeutic" if "steroid" in kinds else "diagnostic" if "local_anesthetic" in kinds else None


def _doubts(view: NoteView, intent: Intent, reading: _Reading, agents: list[Agent]) -> list[ReviewReason]:
    if _RFA_RULE in intent.rule_ids:
        return []
    out: list[ReviewReason] = []
    claims = reading.deciding
    if _value(claims) == "conflict" and intent.value == "unknown":
        out.append(doubt(INTENT_CONFLICT, _conflict_evidence(view, claims),
                         "diagnostic and therapeutic" + (" (addendum)" if reading.addendum else "")))
    if reading.addendum:
        body, added = _value(reading.body), _value(reading.addendum)
        # An addendum that only writes down what the injectate already said changes no coded fact.
        if body != added and not (body is None and added == _injectate_value(agents)):
            words = {"conflict": "diagnostic and therapeutic", None: "not stated"}
            detail = f"intent: body {words.get(body, body)}, addendum {words.get(added, added)}"
            out.append(doubt(ADDENDUM_CHANGES_FACT, _evidence(view, reading.addendum) + _evidence(view, reading.body),
                             detail))
    return out


def intent_doubts(view: NoteView, intent: Intent, agents: list[Agent]) -> list[ReviewReason]:
    """Review reasons for the intent: INTENT_CONFLICT ("diagnostic and therapeutic" for today's block, intent
    left unknown) and ADDENDUM_CHANGES_FACT (a signed addendum states another intent than the body, or, when the
    body states none, another one than its injectate gives)."""
    return _doubts(view, intent, _claims(view), agents)


def extract_intent_and_doubts(view: NoteView, agents: list[Agent],
                              family: str | None = None) -> tuple[Intent, list[ReviewReason]]:
    """`extract_intent` and `intent_doubts` from one reading of the note."""
    intent, reading = _read(view, agents, family)
    return intent, _doubts(view, intent, reading, agents)
