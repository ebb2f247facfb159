"""Pain scores (NRS, VAS, verbal) with pre/post timing, and percent relief with its duration.

Scores: `7/10`, `7 out of 10`, `pain score of 7`, `pain is a 7`, `Pain: 7`, `NRS 7`, `VAS 70 mm`
(max 100; `VAS 7` / `VAS 7/10` / `VAS 7 cm` max 10), `verbal pain score 6` (scale verbal),
`rates her pain as 10, with 0 being no pain`, transitions `from 8/10 to 2/10` / `8/10 -> 2/10` /
`pain went from 8 to 2` / `Pain 8 -> 6` / `VAS 70 -> 30 mm` (pre 8, post 2), the reverse `0/10 from 7/10`,
and a continuation sharing the first score's scale (`NRS 6 before, 3 after`). Template forms: bracketed
values read as bare numbers (`[6]`, `[5 v]/10`), a scale note in the label (`pain (VAS 0-100 mm): 70`),
and `Pre: 5  Post: 1` rows after a pain keyword on the line or under a pain heading line
(`PAIN SCORE (NRS 0-10)`). Millimetres in a clause with a pain or VAS word are a 0-100 VAS (`Pain before:
90 mm`, `80 mm on a 100 mm visual analog scale`); scores stay on the scale written (Engine conventions).
Not scores: dates (`03/29/10`, `3/10/2024`, `on 3/10`, `seen 3/10`), `5/5`, `2/3`, `120/80`, doses,
device sizes (`10 mm active tips`), and goals/thresholds in a conditional sentence (`if pain is above 5/10`).

Ranges (`4-6/10`, `pain score 4-6`) are skipped: `PainScore` holds one number and R-DOC-2 says a
range is not a baseline, so we neither invent a midpoint nor pass a bound off as the score.
Percent ranges (`50-60% relief`) are skipped for the same reason.

Timing, nearest evidence first: a cue written right before the score (`pre 7/10`, `Pain NRS post
(15 min): 5/10`, `in PACU was 2/10`), then a cue in its own clause after it (`7/10 before the procedure`),
then earlier in its clause (`post-procedure pain at rest, 2/10`), then earlier in the sentence
(`Post: neck 2/10, back 2/10`); a cue between two scores belongs to the nearer one (`2/10 NRS (pre 9/10)`,
`9/10 before and 1/10 after`); arrows and table gaps end a clause. Then the nearest heading or section
above: capitalised headings of a combined record (`PRE-OP NURSING`, `== PACU ==`, `PACU (RN) 0830:`;
any other capitalised heading ends their reach) and sections (history, indication, exam, pre_procedure
-> pre; post_procedure -> post), else `unspecified`. Last, an `unspecified` score written before the
note's first `post` score becomes `pre` (the baseline of that pair); a lone score with no cue stays
`unspecified`. A signed addendum that states another or a missing pre/post score wins over the body
(`pain_doubts` raises ADDENDUM_CHANGES_FACT). Percentages in a conditional clause or written as a
threshold (`if relief is 80% or greater`, `>=80%`) are goals, not relief. Cue lists live in
`lexicons/cues.yaml` (section `pain`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from nlp.coding.review import doubt
from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.doubts import ADDENDUM_CHANGES_FACT
from nlp.extract.intent import addendum_start
from nlp.extract.view import EARLIER_NOTE, NoteView, Sentence
from nlp.schema import PainScale, PainScore, PainTiming, PercentRelief, ReviewReason
from nlp.validation import Regex


class PainCues(StrictModel):
    pre: list[Regex]
    post: list[Regex]
    pre_sections: list[str]
    post_sections: list[str]
    conditional: list[Regex]
    threshold_after: list[Regex]
    date_before: list[Regex]
    relief_words: list[Regex]
    relief_duration_units: list[Regex]
    not_pain_items: list[Regex]
    not_pain_items_after: list[Regex]
    pre_headings: list[Regex]
    post_headings: list[Regex]
    not_cues: list[Regex]


CUES = load_cues("pain", PainCues)


def _words(patterns: list[str]) -> str:
    return r"(?<![\w-])" + alternation(patterns) + r"(?![\w])"


_PRE = re.compile(_words(CUES.pre), re.I)
_POST = re.compile(_words(CUES.post), re.I)
_NOT_CUE = re.compile(_words(CUES.not_cues), re.I)
_CONDITIONAL = re.compile(_words(CUES.conditional), re.I)
_THRESHOLD_AFTER = re.compile(r"^\s*" + alternation(CUES.threshold_after), re.I)
_THRESHOLD_BEFORE = re.compile(r"(?:>=|≥|=>)\s*$")
_DATE_BEFORE = re.compile(_words(CUES.date_before) + r"\s*:?\s*$", re.I)
_NOT_PAIN = re.compile(_words(CUES.not_pain_items), re.I)
_NOT_PAIN_AFTER = re.compile(r"[ \t]*(?:\([ \t]*)?" + _words(CUES.not_pain_items_after), re.I)
_PRE_SECTIONS = frozenset(CUES.pre_sections)
_POST_SECTIONS = frozenset(CUES.post_sections)

# ---- score patterns (compiled once) ----
_N10 = r"(?:10(?:\.0)?|\d(?:\.\d)?)(?!\d)"  # 0..10 with an optional decimal
_OUT10 = r"(?:\s*/\s*10|\s+(?:out\s+)?of\s+(?:10|ten))(?![\d])(?!/\d)(?!\.\d)"  # "7/10", "7 out of 10", "7 of 10"
# A written scale after the keyword: "Pain (0-10): 6", "pain score (NRS): 6", "pain (VAS 0-100 mm): 70".
_SCALE_NOTE = (r"(?:\s*\(\s*(?P<note>(?:NRS|NPRS|VAS|VRS|numeric|verbal|visual\s+analog(?:ue)?)?[\s,]*"
               r"(?:(?:scale\s+)?0\s*(?:-|–|to)\s*(?:10|100))?\s*(?:mm|cm)?)\s*\))?")
_SEP = (_SCALE_NOTE + r"(?:\s*(?:[:=]|-(?!\s*\d)|\b(?:of|is|was|at|as|currently|rated|reported)\b)){0,2}"
        r"\s*(?:(?:an?|at)\s+)?")
_LEFT = r"(?<![\w./-])"
# After a keyword score: units, ranges or fractions that make it something else.
_BAD_AFTER = re.compile(
    r"^(?:\s*(?:%|percent|years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|mg|mcg|ml|cc|"
    r"levels?|times|tabs?|tablets?|pills?|doses?|sites?|needles?|x\b|(?:-|–|to)\s*\d|/\s*(?!10\b)\d)|\.\d|,\d)",
    re.I,
)
_DOSE_AFTER = re.compile(r"^\s*(?:mg|mcg|ml|cc|units?)\b", re.I)

_TRANSITION = re.compile(
    rf"(?P<from>\bfrom\s+)?(?:(?:an?)\s+)?{_LEFT}(?P<a>{_N10})(?P<as>{_OUT10})?\s*"
    rf"(?P<conn>-->|->|→|=>|-|–|\bto\b)\s*(?:(?:an?)\s+)?(?P<b>{_N10})(?P<bs>{_OUT10})?",
    re.I,
)
_SLASH = re.compile(rf"{_LEFT}(?P<v>{_N10}){_OUT10}", re.I)
_NO_UNIT_AFTER = (r"(?![\d/%]|\.\d|\s*(?:mm|%|percent|years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|min\w*|"
                  r"levels?|mg|mcg|ml|cc|times|x\b))")
# "pain went from 8 to 2", "Pain 8 -> 6", "NRS 7->3": bare numbers after a pain keyword in the same clause.
_KW_TRANSITION = re.compile(
    rf"\b(?:pain|NRS|NPRS|VRS)\b[^.;,\n\d]{{0,30}}?(?P<from>\bfrom\s+)?{_LEFT}(?P<a>{_N10})\s*"
    rf"(?P<conn>-->|->|→|=>|\bto\b)\s*(?:an?\s+)?{_LEFT}(?P<b>{_N10}){_NO_UNIT_AFTER}",
    re.I,
)
# "0/10 from 7/10", "2/10, down from 8/10": the later-written number is the baseline.
_REVERSE = re.compile(
    rf"{_LEFT}(?P<b>{_N10})(?P<bs>{_OUT10})?,?\s*\(?\s*(?:(?:down|improved|decreased|reduced|dropped)\s+)?from\s+"
    rf"(?:(?:an?|the|a\s+baseline\s+of|baseline(?:\s+of)?|pre-?procedure(?:\s+of)?)\s+)?"
    rf"{_LEFT}(?P<a>{_N10})(?P<as>{_OUT10})?",
    re.I,
)

_VAS_KW = r"\b(?:VAS|visual\s+analog(?:ue)?\s+(?:pain\s+)?scale)(?:\s+(?:pain\s+)?score)?"
_NRS_KW = (r"\b(?:NRS|NPRS|numeric(?:al)?\s+(?:pain\s+)?rating\s+scale|numeric\s+pain\s+(?:rating|scale|score)"
           r"(?:\s+scale)?)(?:\s+(?:pain\s+)?score)?")
_VERBAL_KW = (r"\b(?:VRS|verbal\s+(?:numeric\s+)?(?:pain\s+)?(?:rating\s+)?(?:scale|score)|verbal\s+pain\s+rating)"
              r"(?:\s+(?:pain\s+)?score)?")
_VAS_UNIT = (r"(?P<unit>\s*(?:mm\b|millimet(?:er|re)s?\b|cm\b|centimet(?:er|re)s?\b|/\s*100\b|/\s*10\b"
             r"|out\s+of\s+(?:100|10|ten)\b))?")
# "VAS 70 -> 30 mm", "VAS 90 to 40": a VAS transition, kept on the scale written.
_VAS_TRANSITION = re.compile(
    rf"{_VAS_KW}\s*[:=]?\s*{_LEFT}(?P<a>\d{{1,3}})(?P<au>\s*mm)?\s*(?P<conn>-->|->|→|=>|\bto\b)\s*"
    rf"{_LEFT}(?P<b>\d{{1,3}})(?!\d)(?P<unit>\s*(?:mm\b|/\s*100\b))?",
    re.I,
)
# "Pain before: 90 mm", "rated 80 mm on a 100 mm visual analog scale": millimetres are a 0-100 VAS.
_MM = re.compile(
    rf"{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)\s*(?P<unit>mm|millimet(?:er|re)s?)\b"
    rf"(?!\s*(?:VAS|visual|scale|needle|spinal|gauge|probe|long|length|hg|quincke|tuohy|curved))",
    re.I,
)
_MM_NOT_SCORE_BEFORE = re.compile(r"(?:0\s*(?:-|–|to)\s*|\bon\s+(?:an?|the)\s+|\d\s*(?:g|ga|gauge)\s*,?\s*|[x×]\s*)$",
                                  re.I)
_VAS_CONTEXT = re.compile(r"\bVAS\b|visual\s+analog|\bpain\b", re.I)
# Under a pain heading or after a pain keyword on the line: "Pre: [5]  Post: [1]", "Pre-procedure:  6".
_TIMING_LABEL = re.compile(
    rf"(?<![\w-])(?P<tw>pre|post|before|after|baseline)(?:[- ]?(?:procedure|procedural|op|operative|injection|block|"
    rf"treatment))?(?:\s*\([^)\n]{{0,20}}\))?\s*[:=]?\s*{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?!\d|\.\d)"
    rf"(?P<unit>\s*/\s*100\b|\s*/\s*10\b|\s*mm\b)?",
    re.I,
)
_PAIN_CONTEXT = re.compile(r"\bpain\b|\bNRS\b|\bNPRS\b|\bVAS\b|\bVRS\b|numeric\s+rating|visual\s+analog", re.I)
_SCALE_IN_CONTEXT_VAS = re.compile(r"\bVAS\b|visual\s+analog", re.I)
# "NRS 6 before, 3 after": a bare number after a score, with its own cue, shares the score's scale.
_CONTINUATION = re.compile(
    rf"(?:\s+(?:before|pre(?:-?procedure)?|prior|at\s+baseline|after|post(?:-?procedure)?)"
    rf"(?:\s+(?:the\s+)?(?:procedure|injection|block))?)?\s*(?:,|;|\band\b|&)\s*(?:(?:then|now)\s+)?"
    rf"{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?![\d/%]|\.\d)(?P<unit>\s*mm\b)?"
    rf"(?=\s+(?:after|afterwards|post|before|pre|prior|at\s+\d|@|in\s+(?:recovery|pacu)|on\s+(?:arrival|discharge)))",
    re.I,
)
# "Pain was 8 and is now 3": a bare number after "now" is the later (post) score of the same scale.
_NOW_CONTINUATION = re.compile(
    rf"\s*(?:,|;|\band\b)\s*(?:(?:it|pain)\s+)?(?:is\s+|was\s+)?now\s+(?:(?:down\s+)?(?:to|at)\s+)?(?:an?\s+)?"
    rf"{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?![\d/%]|\.\d)(?P<unit>\s*mm\b)?(?!\s*(?:%|percent|mg|ml|min|hours?|days?))",
    re.I,
)
# A bracketed template value ("[6]", "[5 ▼]/10", "[30 v]") reads as the bare number (same offsets).
_BRACKETED = re.compile(r"\[\s*\d{1,3}(?:\.\d)?\s*(?:▼|▾|v|V)?\s*\]")

# (pattern, scale, named): `named` forms name the scale ("NRS 7/10", "pain score 7"), so the keyword is
# part of the evidence; the others ("pain was 8/10") keep only the number and its scale text when written.
_KEYWORD_FORMS: list[tuple[re.Pattern[str], PainScale, bool]] = [
    (re.compile(rf"{_VAS_KW}{_SEP}{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?!\d){_VAS_UNIT}", re.I), "VAS", True),
    (re.compile(rf"{_VERBAL_KW}{_SEP}{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "verbal", True),
    (re.compile(rf"{_NRS_KW}{_SEP}{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "NRS", True),
    (re.compile(rf"\bpain\s+(?:score|level|rating|intensity)s?{_SEP}{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?!\d)"
                rf"(?P<unit>{_OUT10}|\s*/\s*100\b|\s*mm\b)?", re.I), "NRS", True),
    (re.compile(rf"\bpain{_SCALE_NOTE}\s*(?:[:=]|\b(?:is|was|remains|of|at|rated|reported|currently)\b"
                rf"(?:\s+(?:at|as))?)"
                rf"\s*(?:(?:an?|at)\s+)?{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?!\d)(?P<unit>{_OUT10}|\s*/\s*100\b|\s*mm\b)?",
                re.I), "NRS", False),
    (re.compile(rf"\brat(?:es|ed|ing)\s+(?:(?:his|her|their|the|this|its)\s+)?(?:[\w-]+\s+){{0,3}}?(?:pain|it)\s+"
                rf"(?:as|at)?\s*(?:an?\s+)?{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "NRS", False),
]

# ---- percent relief ----
_RELIEF = alternation(CUES.relief_words)
_PCT = r"(?<![\d.\-–])(?P<p>\d{1,3}(?:\.\d+)?)\s*(?P<pu>%|percent\b|per\s*cent\b)"
_NUMW = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a\s+few|an?)"
_DUR = (
    rf"(?:\s*,?\s*(?:for|lasting|that\s+lasted|which\s+lasted|x|×|over)\s+"
    rf"(?P<dur>(?:(?:about|approximately|approx\.?|~|roughly|"
    rf"nearly|over|more\s+than|at\s+least|almost)\s*)?{_NUMW}(?:\s*(?:-|–|to)\s*{_NUMW})?\s*-?\s*"
    rf"{alternation(CUES.relief_duration_units)}\b|the\s+(?:full\s+|entire\s+|expected\s+)?duration\s+of\s+the\s+"
    rf"(?:local\s+)?(?:anesthetic|anaesthetic)(?:\s+agent)?))?"
)
_OF_PAIN = r"(?:\s+(?:in|of)\s+(?:(?:his|her|their|the)\s+)?(?:[\w-]+\s+){0,2}?(?:pain|symptoms))?"
_PCT_FIRST = re.compile(
    rf"{_PCT}\s+(?:(?:pain|symptom|symptomatic|overall|of|in|the|his|her|their)\s+){{0,3}}?{_RELIEF}\b"
    rf"{_OF_PAIN}{_DUR}",
    re.I,
)
_PCT_AFTER = re.compile(
    rf"\b(?:relief|improvement|improved|better|reduction|reduced|decrease|decreased|benefit|relieved)\s+"
    rf"(?:(?:of|by|was|is|at|about|approximately|approx\.|roughly|nearly|around|over|greater\s+than|more\s+than|~|>|"
    rf"in\s+pain|pain)\s*){{0,3}}{_PCT}{_DUR}",
    re.I,
)


class _Score(NamedTuple):
    value: float
    scale: PainScale
    max_value: float
    timing: PainTiming | None  # fixed by the form (transitions, "Pre: 5") or None: decided from context
    spans: tuple[tuple[int, int], ...]  # sentence-relative evidence spans


@dataclass(frozen=True)
class _Hit:
    """One match in a sentence (sentence-relative); no scores = consumed but not a score (a range)."""

    start: int
    end: int
    scores: tuple[_Score, ...]


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets (in `text`) of the clause around [start, end). Going left "and" also ends it;
    going right it does not ("2/10 with extension and rotation afterward")."""
    floor, ceiling = max(0, start - CLAUSE_REACH), min(len(text), end + CLAUSE_REACH)
    left = max((m.end() for m in _CLAUSE_BREAK_LEFT.finditer(text, floor, start)), default=floor)
    right_m = _CLAUSE_BREAK.search(text, end, ceiling)
    return left, right_m.start() if right_m else ceiling


# The farthest (characters) a clause reaches either side of a score: text with no clause break at all must
# not make every score scan the whole note.
CLAUSE_REACH = 600


# Arrows and table gaps (3+ spaces) also end a clause: "pre 7/10 -> post 0/10", "NRS pre: 10/10      NRS post: 5/10".
_CLAUSE_BREAK = re.compile(r"[,;\n]|\.(?=\s|$)|\b(?:but|while|whereas|then)\b|-->|->|→|=>|[ \t]{3,}", re.I)
_CLAUSE_BREAK_LEFT = re.compile(_CLAUSE_BREAK.pattern + r"|\band\b", re.I)


def _cues(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, PainTiming]]:
    hi = len(text) if hi is None else hi
    out: list[tuple[int, int, PainTiming]] = []
    for rx, timing in ((_PRE, "pre"), (_POST, "post")):
        out.extend((m.start(), m.end(), timing) for m in rx.finditer(text, lo, hi))  # type: ignore[misc]
    if out:
        blocked = [(m.start(), m.end()) for m in _NOT_CUE.finditer(text, max(0, lo - 20), min(len(text), hi + 40))]
        out = [c for c in out if not any(s <= c[0] < e for s, e in blocked)]
    return out


def _last_cue(text: str, lo: int = 0, hi: int | None = None) -> PainTiming | None:
    """Timing of the cue nearest the end of text[lo:hi] (the longer cue on a tie)."""
    found = _cues(text, lo, hi)
    return max(found, key=lambda c: (c[1], -c[0]))[2] if found else None


def _first_cue(text: str, lo: int = 0, hi: int | None = None) -> PainTiming | None:
    """Timing of the cue nearest the start of text[lo:hi] (the longer cue on a tie: "before discharge")."""
    found = _cues(text, lo, hi)
    return min(found, key=lambda c: (c[0], -c[1]))[2] if found else None


_PARENS = re.compile(r"\([^()\n]{0,30}\)")
ADJACENT_MAX_CHARS = 32


def _adjacent_cue(text: str, lo: int, start: int) -> tuple[int, PainTiming] | None:
    """A cue written right before the score ("pre 7/10", "Pain NRS post (15 min): 5/10", "in PACU was 2/10"):
    at most a few words, no other number, between them. Returns (cue start, timing)."""
    found = [c for c in _cues(text, lo, start) if c[1] <= start]
    if not found:
        return None
    c_start, c_end, timing = max(found, key=lambda c: (c[1], -c[0]))
    gap = _PARENS.sub("", text[c_end:start])
    if len(gap) > ADJACENT_MAX_CHARS or _DIGIT.search(gap):
        return None
    return c_start, timing


def _split(text: str, end: int, next_start: int) -> tuple[int, int]:
    """(right bound of a score, left bound of the next one) for two scores in a sentence.

    A cue between them belongs to the nearer one, and to the next one only within its clause:
    "2/10 NRS (pre 9/10)": pre is 9/10's; "9/10 before and 1/10 after": before is 9/10's."""
    adjacent = _adjacent_cue(text, end, next_start)
    if adjacent is None:
        return next_start, end
    cue_start = adjacent[0]
    cue_end = max(c[1] for c in _cues(text, cue_start, next_start) if c[0] == cue_start)
    if not _CLAUSE_BREAK.search(text, cue_end, next_start):
        gap_before, gap_after = len(text[end:cue_start].strip()), len(text[cue_end:next_start].strip())
        if gap_after < gap_before or _CLAUSE_BREAK.search(text, end, cue_start):
            return cue_start, cue_start  # the next score's own cue
    return next_start, cue_end  # this score's cue: the next one must not read it


def _timing(text: str, start: int, end: int, prev_end: int, next_start: int) -> PainTiming | None:
    """Timing from the words of the sentence around a score at [start, end) (sentence-relative), or None.

    Nearest evidence first: a cue right before the score, then a cue after it in its clause (up to the next
    score and the cue that belongs to it), then a cue earlier in its clause, then earlier in the sentence."""
    left, right = _clause_bounds(text, start, end)
    left, right = max(left, prev_end), min(right, next_start)
    adjacent = _adjacent_cue(text, left, start)
    if adjacent:
        return adjacent[1]
    return _first_cue(text, end, right) or _last_cue(text, left, start) or _last_cue(text, prev_end, start)


def _conditional(text: str, start: int) -> bool:
    """A goal/threshold: a conditional cue earlier in the same clause ("If relief is 80% or more")."""
    head = text[max(0, start - 80) : start]
    cut = max(head.rfind(ch) for ch in ",;\n")
    return bool(_CONDITIONAL.search(head[cut + 1 :]))


_PAIN_WORD = re.compile(r"\bpain\b", re.I)


def _other_item(text: str, start: int, end: int, others: list[tuple[int, int]]) -> bool:
    """A 0-10 rating of something other than pain intensity: a PEG / BPI interference item named in
    the clause before the number, back to the previous score ("Enjoyment of life interference 8/10",
    "General activity interference: 7/10"), or on the same line right after a number that no pain word
    precedes ("PEG: 7/10 pain, 8/10 enjoyment of life"; "Pain: 8/10 enjoyment ..." stays a pain score)."""
    left = max([_clause_bounds(text, start, end)[0]] + [e for s, e in others if e <= start])
    if _NOT_PAIN.search(text, left, start):
        return True
    return bool(_NOT_PAIN_AFTER.match(text, end)) and not _PAIN_WORD.search(text, left, end)


def _transition(m: re.Match[str]) -> tuple[_Score, ...] | None:
    """Scores of a `from 8/10 to 2/10` match; None for a range (or a non-score)."""
    a, b = float(m.group("a")), float(m.group("b"))
    conn, has_from = m.group("conn"), bool(m.group("from"))
    scale_a, scale_b = m.group("as"), m.group("bs")
    if not (scale_a or scale_b):
        return None
    arrow = conn in ("->", "-->", "→", "=>")
    if not (arrow or has_from or (scale_a and scale_b) or (conn.lower() == "to" and a > b)):
        return ()  # a range like 4-6/10: consumed, not a score
    a_span = [(m.start("a"), m.end("as") if scale_a else m.end("a"))]
    b_span = [(m.start("b"), m.end("bs") if scale_b else m.end("b"))]
    if not scale_a:
        a_span.append((m.start("bs"), m.end("bs")))
    return (_Score(a, "NRS", 10.0, "pre", tuple(a_span)), _Score(b, "NRS", 10.0, "post", tuple(b_span)))


def _kw_transition(m: re.Match[str]) -> tuple[_Score, ...] | None:
    """`pain went from 8 to 2`, `Pain 8 -> 6`: a bare pair after a pain keyword (a range `pain 4 to 6` is not)."""
    a, b = float(m.group("a")), float(m.group("b"))
    if m.group("conn").lower() == "to" and not (m.group("from") or a > b):
        return None
    return (_Score(a, "NRS", 10.0, "pre", ((m.start("a"), m.end("a")),)),
            _Score(b, "NRS", 10.0, "post", ((m.start("b"), m.end("b")),)))


def _vas_transition(m: re.Match[str]) -> tuple[_Score, ...] | None:
    a, b = float(m.group("a")), float(m.group("b"))
    top = 100.0 if (m.group("unit") or m.group("au") or max(a, b) > 10) else 10.0
    if max(a, b) > top or (m.group("conn").lower() == "to" and a <= b):
        return None
    b_end = m.end("unit") if m.group("unit") else m.end("b")
    return (_Score(a, "VAS", top, "pre", ((m.start(), m.end("au") if m.group("au") else m.end("a")),)),
            _Score(b, "VAS", top, "post", ((m.start("b"), b_end),)))


def _reverse(m: re.Match[str]) -> tuple[_Score, ...] | None:
    """`0/10 from 7/10`: post first in the text, its baseline after "from"."""
    if not (m.group("bs") or m.group("as")):
        return None
    b_span = (m.start("b"), m.end("bs") if m.group("bs") else m.end("b"))
    a_span = (m.start("a"), m.end("as") if m.group("as") else m.end("a"))
    return (_Score(float(m.group("b")), "NRS", 10.0, "post", (b_span,)),
            _Score(float(m.group("a")), "NRS", 10.0, "pre", (a_span,)))


def _vas_max(value: float, unit: str | None) -> float:
    unit = (unit or "").strip().lower()
    if unit.startswith(("mm", "milli")) or "100" in unit or value > 10:
        return 100.0
    return 10.0


_DIGIT = re.compile(r"\d")
_HAS_PERCENT = re.compile(r"%|per\s*cent", re.I)
_HAS_SCALE = re.compile(r"/\s*10|(?:out\s+)?of\s+(?:10|ten)\b", re.I)
_HAS_KEYWORD = re.compile(r"pain|\b(?:vas|nrs|nprs|vrs|verbal|numeric|visual|rat(?:es|ed|ing))\b", re.I)


def _candidates(text: str, pain_context: str, line_prefix: str = "") -> Iterator[_Hit]:
    """All score-like matches in a sentence, sentence-relative offsets; may overlap.

    `pain_context` is the text of the lines just above the sentence (a "PAIN SCORE (NRS 0-10)" heading),
    `line_prefix` the part of the sentence's first line written before the sentence ("Pain scores -")."""
    if _HAS_SCALE.search(text):
        yield from _scale_candidates(text)
    if _HAS_KEYWORD.search(text):
        yield from _keyword_candidates(text)
    yield from _labelled_candidates(text, pain_context, line_prefix)


def _scale_candidates(text: str) -> Iterator[_Hit]:
    """`N/10`, `N out of 10` and transitions between two of them."""
    for m in _TRANSITION.finditer(text):
        scores = _transition(m)
        if scores is not None:
            yield _Hit(m.start(), m.end(), scores)
    for m in _REVERSE.finditer(text):
        scores = _reverse(m)
        if scores is not None:
            yield _Hit(m.start(), m.end(), scores)
    for m in _SLASH.finditer(text):
        if _DOSE_AFTER.match(text, m.end()) or _DATE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            yield _Hit(m.start(), m.end(), ())
            continue
        yield _Hit(m.start(), m.end(), (_Score(float(m.group("v")), "NRS", 10.0, None, ((m.start(), m.end()),)),))


def _keyword_scale(scale: PainScale, value: float, note: str | None,
                   unit: str | None) -> tuple[PainScale, float] | None:
    """Scale and maximum of a keyword score; a written "(VAS 0-100 mm)" or "mm" makes a pain score a VAS."""
    if scale == "VAS":
        return "VAS", _vas_max(value, unit)
    note, unit = (note or "").lower(), (unit or "").strip().lower()
    if "vas" in note or "visual" in note or unit.startswith("mm") or "100" in unit:
        top = 100.0 if ("100" in note or "mm" in note or unit.startswith("mm") or "100" in unit or value > 10) else 10.0
        return "VAS", top
    return (scale, 10.0) if value <= 10 else None


def _keyword_candidates(text: str) -> Iterator[_Hit]:
    """`pain score of 7`, `NRS 7`, `VAS 70 mm`, `rates her pain as 10`, `pain (VAS 0-100 mm): 70`, ..."""
    for rx, scale, named in _KEYWORD_FORMS:
        for m in rx.finditer(text):
            value, unit = float(m.group("v")), m.group("unit")
            if not unit and _BAD_AFTER.match(text[m.end() :]):
                continue
            note = m.groupdict().get("note")
            read = _keyword_scale(scale, value, note, unit)
            if read is None or value > read[1]:
                continue
            span = (m.start() if named or not unit else m.start("v"), m.end())
            yield _Hit(m.start(), m.end(), (_Score(value, read[0], read[1], None, (span,)),))
    for m in _KW_TRANSITION.finditer(text):
        scores = _kw_transition(m)
        if scores is not None:
            yield _Hit(m.start(), m.end(), scores)
    for m in _VAS_TRANSITION.finditer(text):
        scores = _vas_transition(m)
        if scores is not None:
            yield _Hit(m.start(), m.end(), scores)
    if _VAS_CONTEXT.search(text):
        for m in _MM.finditer(text):
            value = float(m.group("v"))
            left, right = _clause_bounds(text, m.start(), m.end())
            if (value > 100 or _MM_NOT_SCORE_BEFORE.search(text, 0, m.start())
                    or not (_VAS_CONTEXT.search(text, left, m.start())
                            or _SCALE_IN_CONTEXT_VAS.search(text, m.end(), right))):
                continue  # "10 mm active tips": millimetres with no pain or VAS word in their clause
            yield _Hit(m.start(), m.end(), (_Score(value, "VAS", 100.0, None, ((m.start(), m.end()),)),))


def _labelled_candidates(text: str, pain_context: str, line_prefix: str = "") -> Iterator[_Hit]:
    """`Pre: [5]   Post: [1]` after a pain keyword on the line, or under a pain heading line."""
    for m in _TIMING_LABEL.finditer(text):
        newline = text.rfind("\n", 0, m.start())
        line_head = text[newline + 1 : m.start()] if newline >= 0 else line_prefix + text[: m.start()]
        context = line_head if _PAIN_CONTEXT.search(line_head) else pain_context
        if not _PAIN_CONTEXT.search(context) or _BAD_AFTER.match(text[m.end("v") :]) and not m.group("unit"):
            continue
        value, unit = float(m.group("v")), (m.group("unit") or "").strip().lower()
        vas = bool(_SCALE_IN_CONTEXT_VAS.search(context)) or unit.startswith("mm") or "100" in unit
        top = 100.0 if vas and (unit.startswith("mm") or "100" in unit or "100" in context or value > 10) else 10.0
        if value > top:
            continue
        tw = m.group("tw").lower()
        timing: PainTiming = "post" if tw in ("post", "after") else "pre"
        yield _Hit(m.start(), m.end(), (_Score(value, "VAS" if vas else "NRS", top, timing,
                                               ((m.start("v"), m.end()),)),))


def _select(hits: list[_Hit]) -> list[_Hit]:
    """Leftmost-longest non-overlapping matches."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    return chosen


def _continuations(text: str, hits: list[_Hit]) -> list[_Hit]:
    """`NRS 6 before, 3 after`, `VAS 70 mm before and 30 mm after`: the second number shares the scale."""
    out: list[_Hit] = []
    starts = [h.start for h in hits]
    for hit in hits:
        if not hit.scores:
            continue
        m = _CONTINUATION.match(text, hit.end)
        fixed: PainTiming | None = None
        if not m:
            m, fixed = _NOW_CONTINUATION.match(text, hit.end), "post"
        if not m or any(hit.end < s < m.end() for s in starts):
            continue
        last = hit.scores[-1]
        value = float(m.group("v"))
        if value > last.max_value:
            continue
        out.append(_Hit(m.start("v"), m.end(), (_Score(value, last.scale, last.max_value, fixed,
                                                       ((m.start("v"), m.end()),)),)))
    return out


def _unbracket(text: str) -> str:
    """`[6]` -> ` 6 `, `[5 ▼]/10` -> ` 5  /10`: template values read as bare numbers, offsets unchanged."""
    def blank(m: re.Match[str]) -> str:
        return "".join(ch if ch.isdigit() or ch == "." else " " for ch in m.group(0))
    return _BRACKETED.sub(blank, text)


# ---- headings of a combined record: "PRE-OP NURSING", "== PACU ==", "PACU (RN) 0830:" ----
_HEADING_AT = r"(?:(?<=\n)|^|(?<=\s[-–|]\s)|(?<=\|\s))[ \t=#*>\[-]*"
_TIMING_HEADING = re.compile(
    _HEADING_AT + r"(?:(?P<pre>" + "|".join(CUES.pre_headings) + r")|(?P<post>" + "|".join(CUES.post_headings) + r"))"
    r"(?![\w-])(?![ \t]*(?:DX|DIAGNOS\w*|Dx|diagnos\w*)\b)")
_NEUTRAL_HEADING = re.compile(
    _HEADING_AT + r"[A-Z][A-Z&/-]{2,}(?:[ \t]+[A-Z][A-Z&/-]*){0,5}(?=[ \t]*(?:\(|\d{1,2}:?\d{2}\b|:|=|\]|-{2,}|\n|$))",
    re.M)


def _headings(text: str) -> list[tuple[int, PainTiming | None]]:
    """(offset, timing) of every capitalised heading; a heading without a timing word ends the reach of one."""
    found: dict[int, PainTiming | None] = {m.start(): None for m in _NEUTRAL_HEADING.finditer(text)}
    for m in _TIMING_HEADING.finditer(text):
        found[m.start()] = "pre" if m.group("pre") else "post"
    return sorted(found.items())


def _context_timing(view: NoteView, headings: list[tuple[int, PainTiming | None]], pos: int) -> PainTiming | None:
    """Timing of the nearest heading or section above `pos` (whichever starts later)."""
    section_start, category = -1, None
    for sp in view.sections:
        if sp.start > pos:
            break
        if pos < sp.end and sp.start >= section_start:
            section_start, category = sp.start, sp.category
    heading_at, heading = -1, None
    for at, timing in headings:
        if at > pos:
            break
        heading_at, heading = at, timing
    if heading_at > section_start or (heading_at == section_start and heading is not None):
        return heading
    if category in _PRE_SECTIONS:
        return "pre"
    if category in _POST_SECTIONS:
        return "post"
    return None


def _pain_context_above(text: str, start: int, max_lines: int = 3) -> str:
    """The few non-blank lines right above `start` (a pain-score heading and its other rows)."""
    lines: list[str] = []
    end = text.rfind("\n", 0, start)
    while end > 0 and len(lines) < max_lines:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if not line.strip():
            break
        lines.append(line)
        end = begin - 1
    return "\n".join(lines)


def _sentence_scores(view: NoteView, sent: Sentence,
                     headings: list[tuple[int, PainTiming | None]]) -> Iterator[PainScore]:
    text = _unbracket(sent.text)
    context = _pain_context_above(view.text, sent.start)
    prefix = view.text[view.text.rfind("\n", 0, sent.start) + 1 : sent.start]
    hits = [h for h in _select(list(_candidates(text, context, prefix))) if h.scores]
    hits = sorted(hits + _continuations(text, hits), key=lambda h: h.start)
    spans = [(h.start, h.end) for h in hits]
    for i, hit in enumerate(hits):
        others = [s for s in spans if s != (hit.start, hit.end)]
        if _conditional(text, hit.start) or _other_item(text, hit.start, hit.end, others):
            continue
        prev_end = _split(text, hits[i - 1].end, hit.start)[1] if i else 0
        next_start = _split(text, hit.end, hits[i + 1].start)[0] if i + 1 < len(hits) else len(text)
        for value, scale, top, fixed, ev in hit.scores:
            timing = (fixed or _timing(text, hit.start, hit.end, prev_end, next_start)
                      or _context_timing(view, headings, sent.start + hit.start) or "unspecified")
            yield PainScore(value=value, scale=scale, max_value=top, timing=timing,
                            evidence=[view.evidence(sent.start + s, sent.start + e) for s, e in ev])


def _sentence_relief(view: NoteView, sent: Sentence) -> Iterator[PercentRelief]:
    text = sent.text
    seen: list[tuple[int, int]] = []
    for rx in (_PCT_FIRST, _PCT_AFTER):
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in seen):
                continue
            seen.append((m.start(), m.end()))
            if (_conditional(text, m.start()) or _THRESHOLD_AFTER.match(text, m.end("pu"))
                    or _THRESHOLD_BEFORE.search(text[: m.start("p")])):
                continue
            percent = float(m.group("p"))
            if percent > 100:
                continue
            dur = m.group("dur")
            yield PercentRelief(percent=percent, duration=dur.strip() if dur else None,
                                evidence=[view.evidence(sent.start + m.start(), sent.start + m.end())])


def _all_scores(view: NoteView) -> list[PainScore]:
    headings = _headings(view.text)
    scores: list[PainScore] = []
    for sent in view.sentences:
        if _DIGIT.search(sent.text) and sent.section != EARLIER_NOTE:  # an older pasted note's scores are not today's
            scores.extend(_sentence_scores(view, sent, headings))
    scores.sort(key=lambda s: s.evidence[0].start)
    return _baseline_before_first_post(scores)


def extract_pain_scores(view: NoteView) -> tuple[list[PainScore], list[PercentRelief]]:
    """Pain scores and percent-relief statements, in note order, each with evidence.

    A signed addendum wins: when it states a pre or post score that differs from the body's, the body's
    scores of that timing are dropped (`pain_doubts` then raises ADDENDUM_CHANGES_FACT)."""
    relief: list[PercentRelief] = []
    for sent in view.sentences:
        if _DIGIT.search(sent.text) and _HAS_PERCENT.search(sent.text):
            relief.extend(_sentence_relief(view, sent))
    relief.sort(key=lambda r: r.evidence[0].start)
    scores = _all_scores(view)
    at = addendum_start(view.text)
    if at is not None:
        for timing, body, added in _addendum_changes(scores, at):
            if body is not None:
                scores = [s for s in scores if not (s.timing == timing and s.evidence[0].start < at)]
    return scores, relief


def _first(scores: list[PainScore], timing: str) -> PainScore | None:
    return next((s for s in scores if s.timing == timing), None)


def _addendum_changes(scores: list[PainScore], at: int) -> list[tuple[str, PainScore | None, PainScore]]:
    """(timing, body score or None, addendum score) where the addendum states another (or a missing) score."""
    body = [s for s in scores if s.evidence[0].start < at]
    added = [s for s in scores if s.evidence[0].start >= at]
    out = []
    for timing in ("pre", "post"):
        b, a = _first(body, timing), _first(added, timing)
        if a is not None and (b is None or (b.value, b.scale) != (a.value, a.scale)):
            out.append((timing, b, a))
    return out


def pain_doubts(view: NoteView) -> list[ReviewReason]:
    """ADDENDUM_CHANGES_FACT when a signed addendum states a pre/post score otherwise than the body (the scores
    follow the addendum). One that supplies a score the body left out corrects nothing: the score is taken, with
    the addendum as its evidence, and no review is raised."""
    at = addendum_start(view.text)
    if at is None:
        return []
    out = []
    for timing, body, added in _addendum_changes(_all_scores(view), at):
        if body is None:
            continue  # the addendum supplies what the body left out
        detail = f"{timing}-procedure pain: body {body.value:g} {body.scale}, addendum {added.value:g} {added.scale}"
        out.append(doubt(ADDENDUM_CHANGES_FACT, added.evidence + body.evidence, detail))
    return out


def _baseline_before_first_post(scores: list[PainScore]) -> list[PainScore]:
    """A score with no timing cue written before the note's first post-procedure score is the baseline."""
    first_post = next((s.evidence[0].start for s in scores if s.timing == "post"), None)
    if first_post is None:
        return scores
    return [s.model_copy(update={"timing": "pre"}) if s.timing == "unspecified" and s.evidence[0].start < first_post
            else s for s in scores]
