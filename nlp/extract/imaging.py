"""Imaging guidance modality (R-IMG-2, R-IMG-3, R-IMG-5).

Fluoroscopy or CT guidance makes a 6449x service; ultrasound has its own codes; landmark,
palpation, negated or missing guidance is `none`. An MRI or CT *study* reviewed in the history
is not guidance: CT cues in the lexicon are guidance phrases only.

Only guidance used for today's needle placement counts. A guidance cue is set aside when
- ConText reads it negated, historical, planned or about a relative, or a template box before it is
  unchecked;
- its device is said to be unavailable ("C-arm out of service", "the fluoro room was booked");
- its clause plans or requests it ("CT guidance requested", "fluoroscopy (planned)", "please approve ...
  under fluoroscopy", "you are scheduled for ... using fluoroscopy");
- it only labels a form field left blank ("Fluoro time: ______", "Fluoroscopy: [ ]", "CT dose: N/A");
- its clause states what a code or payer requires ("64493 includes imaging guidance", "the LCD requires
  fluoroscopy"): a coder's query or a policy quote, not today's needle;
- its field or line says so: a line-start "Order:", "Requested procedure:", "Booked:" or "Hx:" field
  (and the lines that continue it) is a plan or a history even where the sectionizer did not see a
  header; a "Proc:"/"P/PROC:" field is today's procedure even inside a history or assessment section;
- it sits in a history, indication, plan, exam, impression or consent section (an imaging-review
  section holds studies, which are no guidance cue, so a guidance phrase there is a field value:
  "Imaging: fluoro");
- the document records no injection today (a consent, order, request, query or cancelled case, as
  `nlp.extract.document` reads it for the procedure family: the gold is `none` for such documents).
Bare "CT"/"US" count only as a guidance field's value ("Guidance: CT") or a checked choice in a
guidance template line ("[ ] fluoro [x] CT [ ] US").

Two modalities used for today's needle guidance keep the order fluoroscopy > CT > ultrasound and
raise IMAGING_CONFLICT (`imaging_doubts`). View names that ultrasound uses too ("oblique view",
"lateral view") and a fluoroscopic scout that only counted levels count as fluoroscopy only when no
ultrasound/CT guidance (or, for the scout, no landmark technique) is documented.

The cue lists below are regex fragments, joined into one alternation each; they belong in
`lexicons/cues.yaml` (section `imaging`) once `nlp/extract/cues.py` accepts that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nlp.extract.cues import alternation
from nlp.extract.document import NotPerformed, not_performed_document
from nlp.extract.doubts import IMAGING_CONFLICT, doubt
from nlp.extract.view import NOT_PERFORMED_SECTIONS, Mention, NoteView, SectionSpan
from nlp.schema import Evidence, Imaging, Modality, ReviewReason

_LABELS: dict[str, Modality] = {"IMG_FLUORO": "fluoroscopy", "IMG_CT": "ct", "IMG_US": "ultrasound"}
_ORDER: tuple[Modality, ...] = ("fluoroscopy", "ct", "ultrasound")
_RULES: dict[Modality, list[str]] = {
    "fluoroscopy": ["R-IMG-1", "R-IMG-5"],
    "ct": ["R-IMG-1", "R-IMG-5"],
    "ultrasound": ["R-IMG-3", "R-NBR-US"],
    "none": ["R-IMG-2"],
}
# An imaging-review section reports studies (MRI, CT scan), which are no guidance cue: a guidance
# phrase there is the value of an "Imaging:" field.
_BLOCKING_SECTIONS = NOT_PERFORMED_SECTIONS - {"imaging_review"}
# Fluoroscopic view names that a sonographer uses as well ("parasagittal oblique view").
_SHARED_VIEWS = frozenset({"oblique view", "oblique views", "lateral view", "lateral views", "oblique imaging"})

# IMG_NONE words that fluoroscopic notes use as well ("bony landmarks were identified").
_FLUORO_LANDMARK_WORDS = frozenset({"landmark", "landmarks"})

# --- cue lists (regex fragments) -------------------------------------------------------------------
# After a device word: the device could not be used ("C-arm out of service", "fluoro room was booked").
UNAVAILABLE = [
    r"out of (?:service|order|commission)", r"down for (?:service|repair|repairs|maintenance)",
    r"(?:is|was|were|being|went) (?:down|broken|booked|occupied|in use|unavailable|not available|not working|"
    r"under repair)",
    r"unavailable", r"not available", r"not working", r"broken", r"under repair", r"malfunction\w*",
    r"down(?=[ \t]+today\b|[ \t]*[-\u2013,;.)])",  # "Fluoro room down today - done in CT"
]
# Words allowed between the device word and UNAVAILABLE ("Fluoroscopy unit in Suite B down ...").
_FILLER_STOP = (r"(?:used|using|since|because|as|so|while|but|and|then|after|with|confirmed|showed|guided|guidance|"
                r"images?|films?|views?|time|report\w*|record\w*|saved|stored)")
# After a guidance cue, in its clause: it is planned or requested ("CT guidance requested by ...").
PLANNED_AFTER = [
    r"\(\s*(?:planned|requested|ordered|pending|proposed)\s*\)",
    r"planned", r"requested", r"ordered", r"pending", r"proposed",
    r"(?:is|are|was|were|has been|have been) (?:requested|planned|ordered|proposed|scheduled)",
    r"(?:will|would|shall) be (?:requested|planned|ordered|proposed|scheduled|needed|required|used|done|performed)",
    r"to be (?:used|done|performed|decided|scheduled|arranged|determined)",
    r"(?:is|are) required", r"must be used", r"if (?:needed|necessary|available)",
]
# Before a guidance cue, in its clause: a plan, request, order or instruction.
PLANNED_BEFORE = [
    r"will", r"would", r"shall", r"(?<!as )plan(?:s|ned|ning)?", r"request(?:s|ed|ing)?",
    r"order(?:s|ed|ing)?(?!\s+to\b)", r"(?<!as )schedul\w*", r"sched", r"booked", r"approv\w*", r"authori[sz]\w*",
    r"candidate", r"future", r"recommend\w*", r"propos\w*", r"pending", r"you are", r"you will",
    r"to be (?:done|performed)",
]
# Before a guidance cue, in its clause: it was another day's procedure.
HISTORY_BEFORE = [
    r"prior(?!\s+to\b)", r"previous(?:ly)?", r"s/p", r"h/o", r"history of", r"hx of", r"ago",
    r"in (?:19|20)\d\d", r"last (?:time|year|month|week)",
]
# Before a guidance cue, in its clause: what a code or a payer requires, not what was done today ("64493
# includes imaging guidance", "the LCD requires fluoroscopy").
RULE_BEFORE = [r"includes?", r"requires?", r"mandates?", r"bundles?", r"descriptor\w*", r"covers?"]
NEGATION_BEFORE = [r"no", r"not", r"without", r"w/o", r"never", r"rather than", r"instead of", r"in lieu of"]
# A fluoroscopic image that only counted or marked levels.
SCOUT = [
    r"scout", r"survey", r"for counting", r"to count", r"count(?:ed|ing)? (?:the )?(?:levels?|vertebra\w*|up|down)",
    r"level (?:check|count|counting)", r"locali[sz]\w* (?:the )?(?:levels?|vertebra\w*)",
    r"mark(?:ed|ing)? (?:the )?(?:skin|levels?)",
]

# Field keys at the start of a line ("Order:", "P/PROC:", "Hx:"), classified: a key is one of these words,
# optionally followed by more words ("Requested procedure", "Prior inj"); one-letter SOAP keys stand alone.
_PLAN_KEY = re.compile(
    r"(?:p|q|(?:orders?|ordered|request\w*|planned|plan|booked|sched\w*|recommend\w*|next|f/?u|follow[- ]?up|rtc|"
    r"return|consent|informed consent|instructions?|patient instructions|auth\w*|prior auth\w*|approval|referral|"
    r"future|question|query|pending|proposed|to be done)(?:[ /].*)?)",
    re.IGNORECASE,
)
_HISTORY_KEY = re.compile(
    r"(?:s|cc|(?:subj\w*|hx|h/o|hpi|pmh|psh|chief complaint|history|prior|previous|past|interval|indications?|reason|"
    r"why|background|tx tried|treatment history|conservative|mri|studies|radiology)(?:[ /].*)?|.*\bhistory)",
    re.IGNORECASE,
)
_PROCEDURE_KEY = re.compile(
    r"(?:(?:proc|procs|p/proc|procedures?|procedure\(s\)|op|operation|technique|tech|description|narrative|details?|"
    r"needle|approach|intra-?procedure|performed)(?:[ /].*)?|.*\bprocedure (?:note|details?|performed|today|done))",
    re.IGNORECASE,
)
_GUIDANCE_KEY = re.compile(r"(?:guid\w*|imaging(?: guidance| modality)?|image guidance|modality|guided by)",
                           re.IGNORECASE)
_LINE_KEY = re.compile(r"[ \t]*(?:[-*\u2022>]\s*)?(?P<key>[A-Za-z][A-Za-z/&'.#() -]{0,30}?)[ \t]*:(?!\d)")
_KEY_MAX_WORDS = 4
_ENDS_SENTENCE = re.compile(r"[.!?;]\s*$")
_INHERIT_LINES = 6

_CHECKED = r"(?:\[\s*[xX\u2713\u2714]\s*\]|\(\s*[xX]\s*\)|[\u2612\u2611])"
_BOX = r"(?:\[[^\]\n]{0,3}\]|\([ xX]?\)|[\u2610\u2612\u2611])"
# Bare "CT"/"US" as the value of a guidance field, or as a checked choice. A database export writes its
# fields "GUIDANCE;CT" or "012|GUIDANCE|CT" (record number, key, value): the same field.
_FIELD_VALUE = re.compile(
    r"^[ \t]*(?:[-*\u2022>]\s*)?(?:\d{1,4}[ \t]*[;|][ \t]*)?"
    r"(?:guid\w*|imaging[ _]guidance|imaging[ _]modality|image[ _]guidance|modality|guided[ _]by)"
    r"[ \t]*[:;|=][ \t]*"
    r"(?P<value>CT|ct|US|U/S|u/s)(?=[ \t]*(?:$|[.,;(]|-?\s*guid))",
    re.IGNORECASE | re.MULTILINE,
)
_CHECKED_CHOICE = re.compile(_CHECKED + r"[ \t]*(?P<value>CT|ct|Ct|US|U/S|u/s)\b(?![-/]?\w)")
_OTHER_CHOICE = re.compile(_BOX + r"[ \t]*(?:fluoro\w*|c-arm|ultrasound|us\b|ct\b|landmark\w*|none)", re.IGNORECASE)
_STUDY_CHOICE = re.compile(_BOX + r"[ \t]*(?:mri|x-?rays?|radiographs?|emg|bone scan|myelogram)", re.IGNORECASE)

_CLAUSE_STOP = re.compile(r"[.;!?\n\[\]\u2610\u2612\u2611]|\s[-\u2013]\s|,\s*(?:but|then)\b")


def _rx(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b" + alternation(patterns) + r"\b", re.IGNORECASE)


_UNAVAILABLE_RX = re.compile(
    r"^[ \t]*(?:(?!" + _FILLER_STOP + r"\b)[\w#/-]+[ \t]+){0,4}?" + alternation(UNAVAILABLE) + r"\b", re.IGNORECASE
)
_PLANNED_AFTER_RX = re.compile(
    r"^[ \t]*(?:(?!" + _FILLER_STOP + r"\b)[\w#/-]+[ \t]+){0,3}?" + alternation(PLANNED_AFTER), re.IGNORECASE
)
# A guidance word that only labels a form field left blank ("Fluoro time: ______", "Fluoroscopy: [ ]",
# "CT dose: ***", "Fluoro (min): N/A"): the form offered it, nothing says it was used.
_BLANK_FIELD_RX = re.compile(
    r"^[ \t]*(?:(?:time|dose|images?|used|guidance|mode|minutes|min|sec|seconds|mGy|DAP)[ \t]*)?"
    r"(?:\([^()\n]{0,20}\)[ \t]*)?[:=][ \t]*(?:_{2,}|\*{2,}|\[[ \t]*\]|\{[^{}\n]{0,20}\}|n/?a\b|--|\?{2,})",
    re.IGNORECASE,
)
_PLANNED_BEFORE_RX = _rx(PLANNED_BEFORE)
_HISTORY_BEFORE_RX = _rx(HISTORY_BEFORE)
_RULE_BEFORE_RX = _rx(RULE_BEFORE)
_NEGATION_BEFORE_RX = _rx(NEGATION_BEFORE)
_SCOUT_RX = _rx(SCOUT)


Status = Literal["used", "negated", "not_today"]


@dataclass(frozen=True)
class GuidanceCue:
    """One statement that names guidance, with what it says about today."""

    modality: Modality
    start: int
    end: int
    status: Status
    shared_view: bool = False  # a view name ultrasound uses too
    scout: bool = False  # a fluoroscopic scout/count image


# --- text windows ----------------------------------------------------------------------------------

def _clause_before(text: str, start: int, limit: int = 120) -> str:
    lo = max(0, start - limit)
    seg = text[lo:start]
    stops = list(_CLAUSE_STOP.finditer(seg))
    return seg[stops[-1].end():] if stops else seg


def _after(text: str, end: int, limit: int = 70) -> str:
    """The rest of the line after a cue (the after-cue patterns anchor at its start)."""
    seg = text[end : end + limit]
    nl = seg.find("\n")
    return seg if nl < 0 else seg[:nl]


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def _line_key(text: str, line_start: int) -> tuple[str, int, int] | None:
    """A "Key:" field opening the line: (key, key start, offset just after the colon)."""
    m = _LINE_KEY.match(text, line_start)
    if not m or "\n" in m.group(0):
        return None
    key = " ".join(m.group("key").split())
    if not key or len(key.split()) > _KEY_MAX_WORDS:
        return None
    return key, m.start("key"), m.end()


def _key_class(key: str, *, own_line: bool) -> str | None:
    if _PLAN_KEY.fullmatch(key):
        return "plan"
    if _HISTORY_KEY.fullmatch(key):
        return "history"
    if _PROCEDURE_KEY.fullmatch(key):
        return "procedure"
    if own_line and _GUIDANCE_KEY.fullmatch(key):
        return "procedure"  # "Imaging: fluoro", "Guidance: CT"
    return None


def _field_context(text: str, pos: int) -> tuple[str, int, int] | None:
    """(class, key start, key end) of the field the cue belongs to: its own line's key, else the key of the
    line that opens its block. A bare key line ("P/PROC:") heads the lines below it up to a blank line; a key with a
    value continues only onto wrapped lines (a line that does not end a sentence)."""
    line_start, _ = _line_bounds(text, pos)
    found = _line_key(text, line_start)
    if found:
        cls = _key_class(found[0], own_line=True)
        return (cls, found[1], found[2]) if cls else None
    wrapped = True  # every line between the key line and the cue's line runs on
    for _ in range(_INHERIT_LINES):
        if line_start == 0:
            return None
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        line = text[prev_start : line_start - 1]
        if not line.strip():
            return None
        ends_sentence = bool(_ENDS_SENTENCE.search(line))
        found = _line_key(text, prev_start)
        if found:
            header = not text[found[2] : line_start - 1].strip()
            if not header and (ends_sentence or not wrapped):
                return None
            cls = _key_class(found[0], own_line=False)
            return (cls, found[1], found[2]) if cls else None
        wrapped = wrapped and not ends_sentence
        line_start = prev_start
    return None


def _innermost_section(sections: list[SectionSpan], pos: int) -> SectionSpan | None:
    found = None
    for sp in sections:
        if sp.start > pos:
            break
        if pos < sp.end:
            found = sp
    return found


# --- cues ------------------------------------------------------------------------------------------

def _status(view: NoteView, start: int, end: int, section: str | None, mention: Mention | None) -> Status:
    text = view.text
    before = _clause_before(text, start)
    if _RULE_BEFORE_RX.search(before):
        return "not_today"  # what a code or payer covers or requires, negated or not, says nothing of today
    if mention is not None:
        if mention.negated or mention.family:
            return "negated"
        if mention.historical or mention.hypothetical:
            return "not_today"
    after = _after(text, end)
    if _UNAVAILABLE_RX.match(after):
        return "negated"
    if _BLANK_FIELD_RX.match(after):
        return "not_today"
    if mention is None and _NEGATION_BEFORE_RX.search(before):
        return "negated"
    if _PLANNED_AFTER_RX.match(after) or _PLANNED_BEFORE_RX.search(before) or _HISTORY_BEFORE_RX.search(before):
        return "not_today"
    field = _field_context(text, start)
    if field is not None:
        cls, key_start, key_end = field
        sec = _innermost_section(view.sections, start)
        # The key decides where the sectionizer missed it (its section opened earlier) or saw only part of it
        # ("procedure:" of "Requested procedure:"); where it is the section's own header, the view decides.
        if sec is None or not sec.title or sec.start < key_start or key_start < sec.start <= key_end:
            return "used" if cls == "procedure" else "not_today"
    return "not_today" if section in _BLOCKING_SECTIONS else "used"


# How far (characters) either side of a fluoroscopy cue its clause is read for scout wording: a note pasted
# as one line must not make every cue scan the whole note (quadratic).
SCOUT_REACH = 240


def _is_scout(view: NoteView, start: int, end: int) -> bool:
    """The cue's clause (its line, between clause stops) says the image only counted or marked levels."""
    text = view.text
    line_start, line_end = _line_bounds(text, start)
    line_start, line_end = max(line_start, start - SCOUT_REACH), min(line_end, end + SCOUT_REACH)
    stops = [m.end() for m in _CLAUSE_STOP.finditer(text, line_start, start)]
    lo = stops[-1] if stops else line_start
    nxt = _CLAUSE_STOP.search(text, end, line_end)
    hi = nxt.start() if nxt else line_end
    return bool(_SCOUT_RX.search(text, lo, hi))


def _bare_choice_cues(view: NoteView) -> list[tuple[Modality, int, int]]:
    """Bare CT/US as a guidance field's value or a checked choice of a guidance template line."""
    text = view.text
    out: list[tuple[Modality, int, int]] = []
    for m in _FIELD_VALUE.finditer(text):
        out.append(("ct" if m.group("value").lower() == "ct" else "ultrasound", m.start("value"), m.end("value")))
    for m in _CHECKED_CHOICE.finditer(text):
        line_start, line_end = _line_bounds(text, m.start())
        line = text[line_start:line_end]
        key = _line_key(text, line_start)
        guidance_line = bool(key and _GUIDANCE_KEY.fullmatch(key[0])) or len(_OTHER_CHOICE.findall(line)) >= 2
        if not guidance_line or _STUDY_CHOICE.search(line):
            continue
        value = m.group("value").lower()
        if not any(s == m.start("value") for _, s, _ in out):
            out.append(("ct" if value == "ct" else "ultrasound", m.start("value"), m.end("value")))
    return out


_CT_BEFORE = re.compile(r"\bCT[ \t-]*$", re.I)


def guidance_cues(view: NoteView) -> list[GuidanceCue]:
    """Every guidance statement of the note (lexicon mentions and bare template values), in text order."""
    cues: list[GuidanceCue] = []
    for m in view.mentions:
        modality = _LABELS.get(m.label)
        if modality is None:
            continue
        if modality == "fluoroscopy" and _CT_BEFORE.search(view.text, max(0, m.start - 8), m.start):
            modality = "ct"  # "CT fluoroscopy", "intermittent CT fluoro-mode": CT guidance
        cues.append(GuidanceCue(
            modality, m.start, m.end, _status(view, m.start, m.end, m.section, m),
            shared_view=m.text.lower() in _SHARED_VIEWS,
            scout=modality == "fluoroscopy" and _is_scout(view, m.start, m.end),
        ))
    covered = [(c.start, c.end) for c in cues]
    for modality, start, end in _bare_choice_cues(view):
        if any(a <= start < b for a, b in covered):
            continue
        cues.append(GuidanceCue(modality, start, end, _status(view, start, end, view.section_at(start), None)))
    return sorted(cues, key=lambda c: c.start)


# Words that name imaging equipment or guidance in general, not how today's needle was placed: next to a
# stated landmark technique ("the C-arm was out of service", "image guidance carries less risk") they are no guidance.
_GENERIC_GUIDANCE = frozenset({"image guidance", "imaging guidance", "c-arm", "image intensifier", "imaging", "x-ray"})


_OTHER_PROCEDURE_LABELS = ("PROC_OTHER", "PROC_ESI", "PROC_SI")


def _landmark_today(view: NoteView) -> list[Mention]:
    """Asserted statements that today's facet needles went in without imaging (landmark, palpation); not one in a
    sentence about another procedure of the same session ("bursa injection, landmark guided")."""
    out = []
    for m in view.by_label("IMG_NONE"):
        if not m.performed or m.text.lower() in _FLUORO_LANDMARK_WORDS:
            continue
        sentence = view.sentence_at(m.start)
        if sentence is not None and any(x.label.startswith(_OTHER_PROCEDURE_LABELS) for x in sentence.mentions):
            continue
        out.append(m)
    return out


def _today(view: NoteView, cues: list[GuidanceCue]) -> list[GuidanceCue]:
    """The cues that guided today's needles. View names ultrasound shares and scout images count only
    when no other modality guided the needle (and, for a scout, no landmark technique was used)."""
    used = [c for c in cues if c.status == "used"]
    # "bony landmarks" are seen under fluoroscopy too; a technique word says the needle went in without imaging
    landmark = bool(_landmark_today(view))
    if landmark:
        used = [c for c in used if view.text[c.start:c.end].lower() not in _GENERIC_GUIDANCE]
    primary = [c for c in used if not c.shared_view and not c.scout]
    others = {c.modality for c in primary} - {"fluoroscopy"}
    if others and any(c.modality == "fluoroscopy" and c.status == "negated" for c in cues):
        # "No fluoro used - US chosen ... claustrophobic under the C-arm": the device named is not the guidance
        used = [c for c in used if view.text[c.start:c.end].lower() not in _GENERIC_GUIDANCE]
        primary = [c for c in primary if c in used]
    kept = list(primary)
    if not others:
        kept += [c for c in used if (c.scout and not landmark) or (c.shared_view and not c.scout)]
    return sorted(kept, key=lambda c: c.start)


def extract_imaging(view: NoteView) -> Imaging:
    return imaging_of(view, not_performed_document(view))


def imaging_of(view: NoteView, document: NotPerformed | None) -> Imaging:
    """`extract_imaging` with the document check already read: a document that records no injection today
    (consent, order, request, query, cancelled case) has no guidance, whatever it plans."""
    if document is not None:
        return Imaging(modality="none", reason="the document records no injection today; guidance is only planned",
                       evidence=document.evidence[:1], rule_ids=_RULES["none"])
    cues = guidance_cues(view)
    kept = _today(view, cues)
    for modality in _ORDER:
        found = [c for c in kept if c.modality == modality]
        if found:
            return Imaging(
                modality=modality,
                reason=f"{modality} guidance documented",
                evidence=[view.evidence(c.start, c.end) for c in found[:4]],
                rule_ids=_RULES[modality],
            )
    negated = [c for c in cues if c.status == "negated"]
    landmark_spans = [m for m in view.by_label("IMG_NONE") if m.asserted]
    if landmark_spans or negated:
        spans = [(m.start, m.end) for m in landmark_spans] + [(c.start, c.end) for c in negated]
        reason = "landmark/palpation guidance only" if landmark_spans else "imaging guidance documented as not used"
        return Imaging(modality="none", reason=reason,
                       evidence=[view.evidence(a, b) for a, b in spans[:4]], rule_ids=_RULES["none"])
    return Imaging(modality="none", reason="not documented", rule_ids=_RULES["none"])


_DENIED_RIGHT_BEFORE_RX = re.compile(
    r"(?<![A-Za-z/])" + alternation(NEGATION_BEFORE) + r"[ \t]+(?:\w+[ \t]+)?$", re.IGNORECASE)


def _plainly_denied(text: str, cue: GuidanceCue) -> bool:
    """The device is said to be unavailable, or a negation stands right before the cue ("no fluoro", "without
    CT"); a "no" further back in the clause ("no sedation, under CT guidance") is not a denial of guidance."""
    return bool(_UNAVAILABLE_RX.match(_after(text, cue.end))
                or _DENIED_RIGHT_BEFORE_RX.search(text[max(0, cue.start - 40) : cue.start]))


def imaging_doubts(view: NoteView, imaging: Imaging) -> list[ReviewReason]:
    """IMAGING_CONFLICT when two modalities are documented as used for today's needle guidance, or the coded one
    is also documented as not used today (landmark technique, "no fluoro", "C-arm out of service"). The value
    stays the one `extract_imaging` gives (first of fluoroscopy, CT, ultrasound); a person checks it."""
    if imaging.modality == "none":
        return []
    landmark = _landmark_today(view)
    if landmark:
        detail = f"landmark technique and {imaging.modality} both documented for today; coded as {imaging.modality}"
        return [doubt(IMAGING_CONFLICT, [view.evidence(landmark[0].start, landmark[0].end), *imaging.evidence[:1]], detail)]
    cues = guidance_cues(view)
    denied = [c for c in cues if c.status == "negated" and c.modality == imaging.modality and not c.scout
              and _plainly_denied(view.text, c)]
    if denied:
        # "Imaging: fluoroscopy" in one copy of a template, "NONE - C-arm out for service" in its edited copy
        detail = f"{imaging.modality} documented both as used and as not used for today; coded as {imaging.modality}"
        return [doubt(IMAGING_CONFLICT, [*imaging.evidence[:1], view.evidence(denied[0].start, denied[0].end)],
                      detail)]
    first: dict[Modality, GuidanceCue] = {}
    for c in _today(view, cues):
        if not c.shared_view and not c.scout:
            first.setdefault(c.modality, c)
    modalities = [m for m in _ORDER if m in first]
    if len(modalities) < 2:
        return []
    detail = f"{' and '.join(modalities)} both documented as used; coded as {imaging.modality}"
    return [doubt(IMAGING_CONFLICT, [view.evidence(first[m].start, first[m].end) for m in modalities], detail)]
