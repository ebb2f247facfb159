"""A plain, spaCy-free view of an analysed note that every extractor reads.

The spaCy pipeline (sentences, sections, target matches, ConText) runs once; `note_view()`
copies what the extractors need into small frozen records so each extractor is a pure function
of (`NoteView`) and can be tested without knowing spaCy internals.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from spacy.tokens import Doc, Span

from nlp.components.context import STATUS_KEY
from nlp.components.sentences import TEXT_KEY
from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.pipeline import SECTION_RULES, SPAN_GROUP, case_sensitive_literals
from nlp.resources import read_json
from nlp.schema import Evidence
from nlp.validation import Regex

# An older document pasted below today's note: from its separator line to the end of the text.
EARLIER_NOTE = "earlier_note"
# Sections whose content describes the past, the reason or the future, not what was done today.
NOT_PERFORMED_SECTIONS = frozenset({"indication", "history", "plan", "exam", "imaging_review", "impression", "consent",
                                    EARLIER_NOTE})
# Where a sentence under such a header reports an action of today's procedure ("22g needle advanced",
# "negative aspiration", "technically successful") it is read as technique: a header reaches only as far as its
# content plausibly does. Not for plan/consent text, and not on cues that a history states as well.
TODAY_OVERRIDE_SECTIONS = frozenset({"indication", "history", "exam", "imaging_review", "impression"})
WEAK_PERFORMED_CUES = frozenset({"performed", "did", "was done", "were done", "is performed", "was performed",
                                 "were performed", "consent was obtained", "informed consent was obtained", "gauge",
                                 "tolerated", "needle", "needles"})
# A sentence after today's technique sentence continues it ("Position confirmed on CT.") unless it dates
# itself or speaks of the past ("She had a CT in 2023.", "prior blocks ...").
_DATED_OR_PAST = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:ago|prior|previous(?:ly)?|had|"
                            r"history|last\s+(?:year|month|week|time))\b", re.I)
# Sections that describe the procedure performed in this note.
PROCEDURE_SECTIONS = frozenset({"procedure", "technique", "procedure_detail", "findings", "post_procedure", "anesthesia", "medications", "complications"})


@dataclass(frozen=True)
class Mention:
    """One target-matcher span with its ConText status and section."""

    label: str
    start: int
    end: int
    text: str
    section: str | None = None
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    uncertain: bool = False

    @property
    def asserted(self) -> bool:
        """Not negated, historical, hypothetical/planned or about a family member."""
        return not (self.negated or self.historical or self.hypothetical or self.family)

    @property
    def performed(self) -> bool:
        """Asserted and not in a history/indication/plan-type section."""
        return self.asserted and self.section not in NOT_PERFORMED_SECTIONS


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    section: str | None
    mentions: tuple[Mention, ...] = ()

    def labels(self, prefix: str, *, performed: bool | None = None) -> list[Mention]:
        out = [m for m in self.mentions if m.label.startswith(prefix)]
        if performed is not None:
            out = [m for m in out if m.performed == performed]
        return out


@dataclass(frozen=True)
class SectionSpan:
    category: str | None
    start: int  # start of the title (or body when untitled)
    body_start: int
    end: int
    title: str


@dataclass
class NoteView:
    text: str
    sentences: list[Sentence]
    sections: list[SectionSpan]
    mentions: list[Mention] = field(default_factory=list)
    # Sentences under a history-type header that report today's procedure (read as technique).
    today_spans: list[tuple[int, int]] = field(default_factory=list)

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence(start=start, end=end, text=self.text[start:end])

    def section_at(self, offset: int) -> str | None:
        """The section category at an offset, as the extractors should read it (see `today_spans`)."""
        category = _section_at(self.sections, offset)
        if category in TODAY_OVERRIDE_SECTIONS and any(a <= offset < b for a, b in self.today_spans):
            return "technique"
        return category

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Sentence | None:
        i = bisect_right(self._sentence_starts, offset) - 1
        return self.sentences[i] if i >= 0 else None

    def by_label(self, prefix: str, *, performed: bool | None = None) -> list[Mention]:
        out = [m for m in self.mentions if m.label.startswith(prefix)]
        if performed is not None:
            out = [m for m in out if m.performed == performed]
        return out

    def has_section(self, *categories: str) -> bool:
        return any(s.category in categories for s in self.sections)


_ANSWERED_NO = re.compile(
    r"^\s*(?:[:=-]\s*(?:no|none|denies|denied|negative|absent|n)\b|(?:no|none)\s*(?:[.,;\n]|$)"
    # a form prompt with a word or two after the item, answered no on its own ("Fluoro used:\nNo.")
    r"|(?:[A-Za-z]+[ \t]+){0,1}[A-Za-z]+[ \t]*[:=][ \t]*\n?[ \t]*(?:no|none)[ \t]*(?:[.;\n]|$))", re.IGNORECASE
)
ANSWER_REACH = 32


# A checkbox governs the words after it on its line, up to a field separator or the next field label:
# "[ ] Cervical RFA", "Intent: [x] diagnostic [ ] therapeutic".
# A box and its state; a template that lists every option marks the chosen one with ">>" ("[ ] Lido 1%  >> Bupi 0.75%").
_BOX = re.compile(r"\[\s*(?P<x>[xX\u2713\u2714*])?\s*\]|\(\s*(?P<y>[xX\u2713\u2714*])?\s*\)|(?P<u>\u2610)|(?P<c>[\u2611\u2612]"
                  r"|(?<=[ \t])>>(?=[ \t]))")
_BOX_ENDS = re.compile(r"[|;]|[A-Za-z)][ \t]*:(?!\d)")
BOX_REACH = 40


def box_state(text: str, pos: int) -> bool | None:
    """True/False when the checkbox governing `pos` is checked/unchecked; None when no box governs it.

    A box governs the text after it ("[x] L4-5  [ ] L5-S1"), except on a line of boxes written after their
    labels, one that starts with words and ends with a box ("RIGHT  C3 MB [X]  C4 MB [X]", "Consent [X]"):
    there the first box after `pos` does. A paper form typed up marks its choice "(circled)" (`_circled`)."""
    line_start = text.rfind("\n", 0, pos) + 1
    trailing = _trailing_box(text, pos, line_start)
    if trailing is not None:
        return trailing
    circled = _circled(text, pos, line_start)
    if circled is not None:
        return circled
    last = None
    for m in _BOX.finditer(text, max(line_start, pos - BOX_REACH), pos):
        last = m
    if last is None or _BOX_ENDS.search(text, last.end(), pos):
        return None
    return bool(last.group("x") or last.group("y") or last.group("c"))


_EMPTY_BOXES_AFTER = re.compile(
    r"[ \t|]*(?:(?:\[[ \t]*\]|\([ \t]*\)|\u2610)[ \t|]*)+"
    r"(?![^\n]*(?:\[\s*[xX\u2713\u2714*]\s*\]|\(\s*[xX\u2713\u2714*]\s*\)|[\u2611\u2612]))")


ROW_LABEL_INDENT = 12  # a row's label stands at most this far into its line


def _starts_row(text: str, pos: int) -> tuple[int, int] | None:
    """The span of the line `pos` opens (only blanks or a bullet before it), or None."""
    line_start = text.rfind("\n", 0, pos) + 1
    if pos - line_start > ROW_LABEL_INDENT or text[line_start:pos].strip(" \t-*\u2022"):
        return None
    line_end = text.find("\n", pos)
    return line_start, len(text) if line_end < 0 else line_end


def unticked_row(text: str, start: int, end: int) -> bool:
    """A grid row whose label (at the start of its line, `start:end`) is followed only by empty boxes: the
    option was not done ("L1-2    [ ]    [ ]" under the columns R and L)."""
    return _starts_row(text, start) is not None and bool(_EMPTY_BOXES_AFTER.match(text, end))


def labels_box_row(text: str, pos: int, boxes: int) -> bool:
    """The word at `pos` opens a line with at least `boxes` checkboxes: it labels that row of options."""
    row = _starts_row(text, pos)
    return row is not None and sum(1 for _ in zip(range(boxes), _BOX.finditer(text, *row))) >= boxes


_LINE_ENDS_WITH_BOX = re.compile(
    r"(?:\[[ \t]*[xX\u2713\u2714*]?[ \t]*\]|\([ \t]*[xX\u2713\u2714*]?[ \t]*\)|[\u2610\u2611\u2612])[ \t]*"
    r"(?:<-[^\n]*|-{1,2}[ \t][^\n]*)?$", re.M)


# A form typed from paper marks the chosen option: "Type: Diagnostic (circled) / Therapeutic", "Ins: Medicare
# (circled)  Comm  WC", "Sedation: None  Local  IV mod (circled)".
_CIRCLED = re.compile(r"\((?:circled|circ\.?|selected|chosen)\)", re.I)
_FIELD_LABEL_END = re.compile(r"[A-Za-z)*][ \t]*\**:(?!\d)\**")
_FIELD_STOP = re.compile(r"\s[-\u2013\u2014]\s|[\"\u201c;]|[A-Za-z)][ \t]*:(?!\d)")
CIRCLED_WORDS = 2  # space-separated options: the mark follows its option's words (at most this many)


@lru_cache(maxsize=8)
def _box_lines(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """Starts of the lines with a "(circled)" mark and of the lines that end with a box, found in one pass (box_state
    is asked about every mention: it must not rescan a long line each time)."""
    def start_of(pos: int) -> int:
        return text.rfind("\n", 0, pos) + 1
    circled = frozenset(start_of(m.start()) for m in _CIRCLED.finditer(text)) if "(" in text else frozenset()
    boxed = frozenset(start_of(m.start()) for m in _LINE_ENDS_WITH_BOX.finditer(text))
    return circled, boxed


def _circled(text: str, pos: int, line_start: int) -> bool | None:
    """In a field with a "(circled)" mark, whether the option at `pos` is the one marked; None elsewhere."""
    if line_start not in _box_lines(text)[0]:
        return None
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    lo = max((m.end() for rx in (_FIELD_LABEL_END, _FIELD_STOP) for m in rx.finditer(text, line_start, pos)),
             default=line_start)
    stop = _FIELD_STOP.search(text, pos, line_end)
    hi = stop.start() if stop else line_end
    marks = [m for m in _CIRCLED.finditer(text, lo, hi)]
    if not marks or any(m.start() <= pos < m.end() for m in marks):
        return None
    separators = [i for i in range(lo, hi) if text[i] in "/|"]
    if separators:
        seg_lo = max((i + 1 for i in separators if i < pos), default=lo)
        seg_hi = min((i for i in separators if i >= pos), default=hi)
        return any(seg_lo <= m.start() < seg_hi for m in marks)
    after = next((m for m in marks if m.start() >= pos), None)
    if after is None:
        return False
    words = text[pos:after.start()].split()
    # a one-letter option ("Y  N (circled)") is marked only right after it; longer ones may run to two words
    return len(words) <= (1 if len(words[0]) == 1 else CIRCLED_WORDS)


def _trailing_box(text: str, pos: int, line_start: int) -> bool | None:
    """On a line of boxes after their labels, the state of the first box after `pos`; None on other lines."""
    if line_start not in _box_lines(text)[1]:
        return None
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    first = _BOX.search(text, line_start, line_end)
    if first is None or not text[line_start:first.start()].strip(" \t-*\u2022"):
        return None  # the line opens with a box: boxes govern the words after them
    after = _BOX.search(text, pos, line_end)
    if after is None or _BOX_ENDS.search(text, pos, after.start()):
        return None
    return bool(after.group("x") or after.group("y") or after.group("c"))


def _unchecked(text: str, start: int, end: int) -> bool:
    """A template field answered no: `[ ] IV sedation`, `[ ] Cervical RFA` or `Radicular symptoms: No`."""
    return box_state(text, start) is False or bool(_ANSWERED_NO.match(text[end : end + ANSWER_REACH]))


# A line start, after a bullet, an outline number or a log entry's stamp ("[08:40 | JMW, NP] PROCEDURE: ...").
_LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:[-*\u2022>]\s*|(?:\d{1,2}|[IVX]{1,5}|[A-Za-z])[.)]\s*"
                         r"|\[[^\]\n]{1,40}\][ \t]*)?$")
# A known header alone on its line, in capitals ("PROCEDURE IN DETAIL") or in Title case ("Actions", "Plan").
_CAPS_HEADER_LINE = re.compile(r"^[ \t]*([A-Z][A-Z0-9 /&()'-]{1,50}?|[A-Z][a-z]+(?:[ \t][A-Za-z][a-z]+){0,2})[ \t]*$",
                               re.MULTILINE)
# A known header numbered as an outline item, alone on its line or before a colon: "III. PROCEDURE",
# "D. Technique", "IV) POST-PROCEDURE:".
_OUTLINE_HEADER = re.compile(
    r"^[ \t]*(?:[IVX]{1,5}|[A-Za-z]|\d{1,2})[.)][ \t]+(?P<name>[A-Za-z][A-Za-z /&'-]{1,40}?)[ \t]*(?::|$)",
    re.MULTILINE)
# A known header with a qualifier before its colon, or alone on its line: "PROCEDURE (words):",
# "Medications (per MAR):", "PROCEDURE DESCRIPTION (as documented)"; or with its date: "PROCEDURE, DOS 04/21/2025:";
# or with the procedure it is about after a dash: "TECHNIQUE - MBB:", "Technique - L SIJ:".
_QUALIFIED_HEADER = re.compile(
    r"^[ \t]*(?P<name>[A-Za-z][A-Za-z /&'-]{1,40}?)[ \t]*(?:\([^()\n]{1,40}\)(?:[ \t]*:|[ \t]*$)"
    r"|,[ \t]*(?:DOS|date|dated)\b[^:\n]{0,24}:|[ \t]+-{1,2}[ \t]+[A-Za-z][^:\n-]{0,24}:)", re.MULTILINE)
# A known header in square brackets alone on its line: "[PROCEDURE]", "[Plan]", "[PROCEDURE 2]".
_BRACKET_HEADER = re.compile(r"^[ \t]*\[(?P<name>[A-Za-z][A-Za-z /&'-]{1,40}?)(?:[ \t]+#?\d{1,2})?\][ \t]*$",
                             re.MULTILINE)
# A known header in capitals that opens its line with a date after it and no colon: "ADDENDUM 09/12/2024 16:50 -
# A. Szabo", "PROCEDURE NOTE 2025-03-04".
_DATED_HEADER = re.compile(
    r"^[ \t]*(?P<name>[A-Z][A-Z /&'-]{2,40}?)[ \t]+(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d\d-\d\d)\b"
    r"(?:[^:\n]|(?<=\d):(?=\d))*$",
    re.MULTILINE)


@lru_cache(maxsize=1)
def header_categories() -> dict[str, str]:
    """Section title (lower case, no colon) -> category, from the packaged section rules."""
    rules = read_json(SECTION_RULES)["section_rules"]
    return {r["literal"].rstrip(":").lower(): r["category"] for r in rules}


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_RawHeader = tuple[str | None, int, int, int, str]  # category, title start, body start, end, title


class LayoutCues(StrictModel):
    earlier_note: list[Regex]
    carried_forward_start: Regex
    carried_forward_end: Regex
    carried_forward_remark: Regex
    pending_order: Regex
    order_entry_end: Regex
    message_header: Regex
    plan_opens_today: Regex
    op_note_intro: Regex
    history_header: list[Regex]
    option_list: Regex
    credential: Regex
    credential_before: Regex
    credential_after: Regex


_LAYOUT = load_cues("layout", LayoutCues)
_EARLIER_NOTE = re.compile(alternation(_LAYOUT.earlier_note), re.I | re.M)
_HISTORY_HEADER = re.compile(alternation(_LAYOUT.history_header), re.I | re.M)
_CARRIED_START = re.compile(_LAYOUT.carried_forward_start, re.I | re.M)
_CARRIED_END = re.compile(_LAYOUT.carried_forward_end, re.I | re.M)
_CARRIED_REMARK = re.compile(_LAYOUT.carried_forward_remark, re.I)
_PENDING_ORDER = re.compile(_LAYOUT.pending_order, re.I | re.M)
_ENTRY_END = re.compile(_LAYOUT.order_entry_end, re.I)
_MESSAGE_HEADER = re.compile(_LAYOUT.message_header, re.I | re.M)
_PLAN_OPENS_TODAY = re.compile(_LAYOUT.plan_opens_today, re.I)
_OP_NOTE_INTRO = re.compile(_LAYOUT.op_note_intro, re.I | re.M)
_OPTION_LIST = re.compile(_LAYOUT.option_list, re.I)
_CREDENTIAL = re.compile(_LAYOUT.credential)
_CREDENTIAL_BEFORE = re.compile(_LAYOUT.credential_before)
_CREDENTIAL_AFTER = re.compile(_LAYOUT.credential_after)


def option_list_spans(text: str) -> list[tuple[int, int]]:
    """Bracketed lists of level choices a template left in (`cues.yaml`, layout: option_list)."""
    return [(m.start(), m.end()) for m in _OPTION_LIST.finditer(text)]


def _credential(text: str, start: int, end: int) -> bool:
    """A degree such as MBBS in a signature or beside another credential, not the procedure it spells."""
    if not _CREDENTIAL.match(text[start:end]):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    after = text[end : len(text) if line_end < 0 else line_end]
    return bool(_CREDENTIAL_BEFORE.search(text[line_start:start]) or _CREDENTIAL_AFTER.match(after))


def quoted_message_start(text: str, pos: int) -> int | None:
    """Where the header of a quoted e-mail message after `pos` begins ("From: ...", "-----Original Message-----")."""
    m = _MESSAGE_HEADER.search(text, pos)
    return m.start() if m else None


def _pending_orders(text: str, sections: list[SectionSpan]) -> list[SectionSpan]:
    """Order or charge entries whose status says not done this visit, made `plan` regions (see `pending_order`)."""
    regions = []
    for m in _PENDING_ORDER.finditer(text):
        end = _ENTRY_END.search(text, m.end())
        regions.append(SectionSpan("plan", m.start(), m.end(), end.start() if end else len(text), m.group().strip()))
    return sorted(sections + regions, key=lambda sp: sp.start) if regions else sections


def _carried_forward(text: str, sections: list[SectionSpan]) -> list[SectionSpan]:
    """Marked blocks carried forward from an earlier visit made `earlier_note` regions (start marker to end marker,
    else to the next blank line); the sections that start inside one take its category."""
    regions: list[SectionSpan] = []
    for m in _CARRIED_START.finditer(text):
        if regions and m.start() < regions[-1].end:
            continue
        end_m = _CARRIED_END.search(text, m.end())
        blank = _BLANK_LINE.search(text, m.end())
        end = end_m.end() if end_m else (blank.start() if blank else len(text))
        regions.append(SectionSpan(EARLIER_NOTE, m.start(), m.end(), end, m.group().strip()))
    remarks: list[SectionSpan] = []  # "... 3 lesions [carried fwd from 02/2024 -- NOT performed today]": its line only
    for m in _CARRIED_REMARK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not any(r.start <= line_start < r.end for r in regions):
            remarks.append(SectionSpan(EARLIER_NOTE, line_start, line_start, m.end(), ""))
    if not regions and not remarks:
        return sections
    inside = [replace(sp, category=EARLIER_NOTE) if any(r.start <= sp.start < r.end for r in regions) else sp
              for sp in sections]
    return sorted(inside + regions + remarks, key=lambda sp: sp.start)  # stable: a remark wins over its line's header


def _earlier_note(text: str, sections: list[SectionSpan]) -> list[SectionSpan]:
    """Sections with an older pasted document (see `lexicons/cues.yaml`, `layout`) made one `earlier_note` region.

    The region runs from the separator line to the end of the text; the sections inside it keep their spans but
    take its category, so a "Procedure:" header of the older note does not describe today's procedure."""
    m = _EARLIER_NOTE.search(text)
    if m is None or not text[: m.start()].strip():
        return sections  # nothing above the separator: there is no "today's note" before it
    cut = m.start()
    kept = [replace(sp, end=min(sp.end, cut)) for sp in sections if sp.start < cut]
    older = [replace(sp, category=EARLIER_NOTE) for sp in sections if sp.start >= cut]
    region = SectionSpan(EARLIER_NOTE, cut, m.end(), len(text), m.group().strip())
    return kept + [region] + older
# Short field-like sections: their scope ends at the next blank line.
FIELD_SECTIONS = frozenset({"other", "exam", "consent", "procedure_detail", "anesthesia", "medications", "complications"})
_INLINE_END = re.compile(r"[.;\n]|,\s+[A-Z]")
INLINE_SECTION_MAX_CHARS = 160


def _section_at(sections: list[SectionSpan], offset: int) -> str | None:
    """Category of the innermost section (latest start) that contains the offset."""
    found = None
    for sp in sections:  # sorted by start; a handful per note
        if sp.start > offset:
            break
        if offset < sp.end:
            found = sp.category
    return found


def _at_line_start(text: str, pos: int) -> bool:
    return pos == 0 or bool(_LINE_START.search(text[max(0, pos - 48) : pos]))


def _inline_end(text: str, body_start: int, end: int) -> int:
    """An inline header's section ends at the next sentence/clause end or after a short stretch."""
    m = _INLINE_END.search(text, body_start + 1, min(end, body_start + INLINE_SECTION_MAX_CHARS))
    return m.start() + 1 if m else min(end, body_start + INLINE_SECTION_MAX_CHARS)


_NO_STATUS: dict[str, object] = {}
_STATUS_ATTRS = ("is_negated", "is_historical", "is_hypothetical", "is_family", "is_uncertain")


def _status(span: Span) -> dict[str, object]:
    """ConText attributes read from the span (a pipeline with medSpaCy's stock ConText)."""
    return {attr: getattr(span._, attr) for attr in _STATUS_ATTRS}


def reports_today(mentions: list[Mention]) -> bool:
    """An asserted action of the procedure itself (not a weak word such as "performed" that a history repeats)."""
    return any(m.label == "PERFORMED_CUE" and m.asserted and m.text.lower() not in WEAK_PERFORMED_CUES for m in mentions)


def _title_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """The note's first line names the procedure even under a radiology-style "EXAM:" header."""
    first = len(text) - len(text.lstrip())
    line_end = text.find("\n", first)
    line_end = len(text) if line_end < 0 else line_end
    return [replace(m, section="procedure") if m.start < line_end and m.section == "exam" and m.label.startswith("PROC_")
            else m for m in mentions]


def _outside_titles(raw: list[_RawHeader]) -> list[_RawHeader]:
    """Drop a header word inside a longer header's title ("RESULTS:" of "PRIOR BLOCK RESULTS:"): it is part of
    that title. `raw` is sorted by start; one pass, so a note of thousands of headers stays linear."""
    kept: list[_RawHeader] = []
    reach = -1  # the furthest title end among headers that start before the current one
    i = 0
    while i < len(raw):
        j = i
        while j < len(raw) and raw[j][1] == raw[i][1]:
            j += 1
        group = raw[i:j]
        if raw[i][1] >= reach:
            kept += group
        reach = max(reach, *(r[2] for r in group))
        i = j
    return kept


_SLASH_ONLY = re.compile(r"[ \t]*/[ \t]*")


def _slash_negation(text: str, mentions: list[Mention]) -> list[Mention]:
    """A negation runs on through a slash list ("no PT/meds/TFESI/MBB/RFA to date"): ConText's scope counts each
    slash as a word and stops short; a mention joined to a negated one by a slash alone is negated too."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (prev is not None and prev.negated and not m.negated and prev.end <= m.start
                and _SLASH_ONLY.fullmatch(text, prev.end, m.start)):
            m = replace(m, negated=True)
        out.append(m)
    return out


def _negated_only_by_unticked_options(doc: Doc, text: str, target: Span) -> bool:
    """Every negation of the target is an option left unticked ("Steroid: [ ] none  >> Kenalog 40 mg"): the
    template did not say "none", so the target is not negated by it."""
    if "[" not in text and "(" not in text and "\u2610" not in text:
        return False
    negations = [m for m in getattr(target._, "modifiers", ()) if m.category == "NEGATED_EXISTENCE"]
    return bool(negations) and all(box_state(text, doc[m.modifier_span[0]].idx) is False for m in negations)


def note_view(doc: Doc) -> NoteView:
    """Copy sentences, sections and ConText-annotated targets out of a processed Doc."""
    text = doc.user_data.get(TEXT_KEY) or doc.text  # Doc.text joins every token on each access
    n_chars = len(text)
    raw: list[_RawHeader] = []
    for sec in getattr(doc._, "sections", []) or []:
        title_start = doc[sec.title_start].idx if sec.title_end > sec.title_start else None
        body_start_char = doc[sec.body_start].idx if sec.body_start < len(doc) else n_chars
        end_char = doc[sec.body_end - 1].idx + len(doc[sec.body_end - 1]) if sec.body_end > 0 else n_chars
        start = title_start if title_start is not None else body_start_char
        title = text[start:body_start_char].strip() if title_start is not None else ""
        raw.append((sec.category, start, body_start_char, end_char, title))
    known = {r[1] for r in raw}
    for m in _CAPS_HEADER_LINE.finditer(text):  # "PROCEDURE IN DETAIL" alone on its line, no colon
        category = header_categories().get(" ".join(m.group(1).lower().split()))
        if category is not None and m.start(1) not in known:
            raw.append((category, m.start(1), m.end(1), n_chars, m.group(1)))
    for m in (*_OUTLINE_HEADER.finditer(text), *_QUALIFIED_HEADER.finditer(text), *_DATED_HEADER.finditer(text),
              *_BRACKET_HEADER.finditer(text), *_OP_NOTE_INTRO.finditer(text)):
        name = " ".join(m.group("name").lower().split())
        category = "procedure" if m.re is _OP_NOTE_INTRO else header_categories().get(name)
        start = m.start("name") - 1 if m.re is _BRACKET_HEADER else m.start("name")  # "[PROCEDURE]" from its "["
        if category is not None and start not in known:
            raw.append((category, start, m.end(), n_chars, text[start : m.end()]))
    known = {r[1] for r in raw if r[4]}  # an untitled span is the text before any header, not a header
    paragraph_only: set[int] = set()  # headers found by their words, not a rule: they reach to the next blank line
    history: list[_RawHeader] = []
    for m in _HISTORY_HEADER.finditer(text):  # "PRIOR BLOCK RESULTS:", "Injection history" (no section rule)
        start = m.start(m.lastindex or 0)
        if start not in known:
            history.append(("history", start, m.end(), n_chars, m.group(m.lastindex or 0)))
            paragraph_only.add(start)
    raw = [r for r in raw if r[4] or r[1] not in paragraph_only] + history
    raw = _outside_titles(sorted(raw, key=lambda r: r[1]))
    # A header at the start of a line opens a section that runs to the next such header. A header
    # inside running text ("..., Exam: tender, ...") only covers a short stretch after it.
    line_starts = [r for r in raw if _at_line_start(text, r[1])]
    inline = [r for r in raw if not _at_line_start(text, r[1])]
    sections: list[SectionSpan] = []
    for i, (cat, start, body, _end, title) in enumerate(line_starts):
        end = line_starts[i + 1][1] if i + 1 < len(line_starts) else n_chars
        if cat in FIELD_SECTIONS or start in paragraph_only:  # "Vital signs: ..." covers its own paragraph
            blank = _BLANK_LINE.search(text, body, end)
            end = blank.start() if blank else end
        sections.append(SectionSpan(cat, start, body, end, title))
    inline_spans = [
        SectionSpan(cat, start, body, _inline_end(text, body, end), title) for cat, start, body, end, title in inline
    ]
    sections = sorted(sections + inline_spans, key=lambda sp: sp.start)
    # "P: PROCEDURE TODAY - right C5-C6 medial branch block": a plan section that reports today's procedure
    sections = [replace(sp, category="procedure")
                if sp.category == "plan" and _PLAN_OPENS_TODAY.match(text, sp.body_start) else sp for sp in sections]
    sections = _earlier_note(text, _carried_forward(text, _pending_orders(text, sections)))

    def section_for(offset: int) -> str | None:
        return _section_at(sections, offset)
    titles = [(s.start, s.body_start) for s in sections if s.body_start > s.start]

    def in_title(start: int) -> bool:
        return any(a <= start < b for a, b in titles)

    statuses = doc.user_data.get(STATUS_KEY)
    exact = case_sensitive_literals()
    mentions = []
    spans = [(sp.start_char, sp.end_char, sp.label_, sp) for sp in doc.spans[SPAN_GROUP]]
    for start, end, label, ent in sorted(spans, key=lambda row: (row[0], -row[1])):
        if in_title(start):
            continue  # a header word ("SEDATION:") is not a mention
        words = text[start:end]
        spelling = exact.get((label, words.lower())) if exact else None
        if spelling is not None and words != spelling:
            continue  # "Pt tolerated" is the patient, not PT
        if _credential(text, start, end):
            continue  # "Dr Roe MBBS FRCA" is a degree, not medial branch blocks
        status = _status(ent) if statuses is None else statuses.get((start, end), _NO_STATUS)
        negated = bool(status.get("is_negated")) and not _negated_only_by_unticked_options(doc, text, ent)
        mentions.append(Mention(
            label=label, start=start, end=end, text=words, section=section_for(start),
            negated=negated or _unchecked(text, start, end),
            historical=bool(status.get("is_historical")), hypothetical=bool(status.get("is_hypothetical")),
            family=bool(status.get("is_family")), uncertain=bool(status.get("is_uncertain")),
        ))
    mentions = _title_mentions(text, _slash_negation(text, mentions))
    mention_starts = [m.start for m in mentions]
    sentences: list[Sentence] = []
    today_spans: list[tuple[int, int]] = []
    carry: tuple[str | None, int] | None = None  # (section, end) of the last sentence read as today's
    for sent in doc.sents:
        sent_text = text[sent.start_char : sent.end_char]
        if not sent_text.strip():
            continue
        lo = bisect_right(mention_starts, sent.start_char - 1)
        hi = bisect_right(mention_starts, sent.end_char - 1)
        section = section_for(sent.start_char)
        own = mentions[lo:hi]
        # The rest of the technique paragraph ("Tip position confirmed on CT.") continues today's
        # injection until a blank line, another section or a past/planned statement.
        continues = (carry is not None and carry[0] == section and not _BLANK_LINE.search(text, carry[1], sent.start_char)
                     and not any(m.historical or m.hypothetical for m in own) and not _DATED_OR_PAST.search(sent_text))
        carry = None
        if section in TODAY_OVERRIDE_SECTIONS and (reports_today(own) or continues):
            carry = (section, sent.start_char + len(sent_text.rstrip()))
            section = "technique"
            today_spans.append((sent.start_char, sent.end_char))
            own = [replace(m, section=section) if m.section in TODAY_OVERRIDE_SECTIONS else m for m in own]
            mentions[lo:hi] = own
        sentences.append(Sentence(sent.start_char, sent.end_char, sent_text, section, tuple(own)))
    return NoteView(text=text, sentences=sentences, sections=sections, mentions=mentions, today_spans=today_spans)
