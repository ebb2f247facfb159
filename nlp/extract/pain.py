"""Pain scores (NRS, VAS, verbal) with pre/post timing, and percent relief with its duration.

Scores: `7/10`, `7 out of 10`, `pain score of 7`, `pain is a 7`, `Pain: 7`, `NRS 7`, `VAS 70 mm`
(max 100; `VAS 7` / `VAS 7/10` / `VAS 7 cm` max 10), `verbal pain score 6` (scale verbal),
`rates her pain as 10, with 0 being no pain`, transitions `from 8/10 to 2/10` / `8/10 -> 2/10`
(pre 8, post 2). Not scores: dates (`03/29/10`, `3/10/2024`, `on 3/10`), `5/5`, `2/3`, `120/80`,
doses, and goals/thresholds in a conditional sentence (`if pain is above 5/10`).

Ranges (`4-6/10`, `pain score 4-6`) are skipped: `PainScore` holds one number and R-DOC-2 says a
range is not a baseline, so we neither invent a midpoint nor pass a bound off as the score.
Percent ranges (`50-60% relief`) are skipped for the same reason.

Timing, nearest evidence first: a cue in the score's own clause after it (`7/10 before the
procedure`), then before it (`post-procedure pain 2/10`, `decreased to 2/10`), then the nearest cue
earlier in the sentence (`Post: neck 2/10, back 2/10`), then the section (history, indication,
exam, pre_procedure -> pre; post_procedure -> post), else `unspecified`. Last, an `unspecified`
score written before the note's first `post` score becomes `pre` (the baseline of that pair); a
lone score with no cue stays `unspecified`. Percentages in a conditional clause or written as a
threshold (`if relief is 80% or greater`, `>=80%`) are goals, not relief. Cue lists live in
`lexicons/cues.yaml` (section `pain`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.view import NoteView, Sentence
from nlp.schema import PainScale, PainScore, PainTiming, PercentRelief
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


CUES = load_cues("pain", PainCues)


def _words(patterns: list[str]) -> str:
    return r"(?<![\w-])" + alternation(patterns) + r"(?![\w])"


_PRE = re.compile(_words(CUES.pre), re.I)
_POST = re.compile(_words(CUES.post), re.I)
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
_OUT10 = r"(?:\s*/\s*10|\s+out\s+of\s+(?:10|ten))(?![\d])(?!/\d)(?!\.\d)"
# A written scale after the keyword: "Pain (0-10): 6", "pain score (NRS): 6".
_SCALE_NOTE = r"(?:\s*\(\s*(?:0\s*(?:-|–|to)\s*10|NRS|VAS|numeric|verbal)\s*\))?"
_SEP = (_SCALE_NOTE + r"(?:\s*(?:[:=]|-(?!\s*\d)|\b(?:of|is|was|at|as|currently|rated|reported)\b)){0,2}"
        r"\s*(?:(?:an?|at)\s+)?")
_LEFT = r"(?<![\w./-])"
# After a keyword score: units, ranges or fractions that make it something else.
_BAD_AFTER = re.compile(
    r"^(?:\s*(?:%|percent|years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|mg|mcg|ml|cc|"
    r"levels?|times|x\b|(?:-|–|to)\s*\d|/\s*(?!10\b)\d)|\.\d|,\d)",
    re.I,
)
_DOSE_AFTER = re.compile(r"^\s*(?:mg|mcg|ml|cc|units?)\b", re.I)

_TRANSITION = re.compile(
    rf"(?P<from>\bfrom\s+)?(?:(?:an?)\s+)?{_LEFT}(?P<a>{_N10})(?P<as>{_OUT10})?\s*"
    rf"(?P<conn>-->|->|→|=>|-|–|\bto\b)\s*(?:(?:an?)\s+)?(?P<b>{_N10})(?P<bs>{_OUT10})?",
    re.I,
)
_SLASH = re.compile(rf"{_LEFT}(?P<v>{_N10}){_OUT10}", re.I)

_VAS_KW = r"\b(?:VAS|visual\s+analog(?:ue)?\s+(?:pain\s+)?scale)(?:\s+(?:pain\s+)?score)?"
_NRS_KW = (r"\b(?:NRS|NPRS|numeric(?:al)?\s+(?:pain\s+)?rating\s+scale|numeric\s+pain\s+(?:rating|scale|score)"
           r"(?:\s+scale)?)(?:\s+(?:pain\s+)?score)?")
_VERBAL_KW = (r"\b(?:VRS|verbal\s+(?:numeric\s+)?(?:pain\s+)?(?:rating\s+)?(?:scale|score)|verbal\s+pain\s+rating)"
              r"(?:\s+(?:pain\s+)?score)?")
_VAS_UNIT = (r"(?P<unit>\s*(?:mm\b|millimet(?:er|re)s?\b|cm\b|centimet(?:er|re)s?\b|/\s*100\b|/\s*10\b"
             r"|out\s+of\s+(?:100|10|ten)\b))?")

# (pattern, scale, named): `named` forms name the scale ("NRS 7/10", "pain score 7"), so the keyword is
# part of the evidence; the others ("pain was 8/10") keep only the number and its scale text when written.
_KEYWORD_FORMS: list[tuple[re.Pattern[str], PainScale, bool]] = [
    (re.compile(rf"{_VAS_KW}{_SEP}{_LEFT}(?P<v>\d{{1,3}}(?:\.\d)?)(?!\d){_VAS_UNIT}", re.I), "VAS", True),
    (re.compile(rf"{_VERBAL_KW}{_SEP}{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "verbal", True),
    (re.compile(rf"{_NRS_KW}{_SEP}{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "NRS", True),
    (re.compile(rf"\bpain\s+(?:score|level|rating|intensity)s?{_SEP}{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I),
     "NRS", True),
    (re.compile(rf"\bpain{_SCALE_NOTE}\s*(?:[:=]|\b(?:is|was|remains|of|at|rated|reported|currently)\b"
                rf"(?:\s+(?:at|as))?)"
                rf"\s*(?:(?:an?|at)\s+)?{_LEFT}(?P<v>{_N10})(?P<unit>{_OUT10})?", re.I), "NRS", False),
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
    timing: PainTiming | None  # fixed by the form (transitions) or None: decided from context
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
    left = max((m.end() for m in _CLAUSE_BREAK_LEFT.finditer(text, 0, start)), default=0)
    right_m = _CLAUSE_BREAK.search(text, end)
    return left, right_m.start() if right_m else len(text)


_CLAUSE_BREAK = re.compile(r"[,;\n]|\.(?=\s|$)|\b(?:but|while|whereas|then)\b", re.I)
_CLAUSE_BREAK_LEFT = re.compile(_CLAUSE_BREAK.pattern + r"|\band\b", re.I)


def _last_cue(text: str) -> PainTiming | None:
    """Timing of the cue nearest the end of `text` (the longer cue on a tie)."""
    best: tuple[int, int, PainTiming] | None = None
    for rx, timing in ((_PRE, "pre"), (_POST, "post")):
        for m in rx.finditer(text):
            key = (m.end(), -m.start())
            if best is None or key > best[:2]:
                best = (*key, timing)
    return best[2] if best else None


def _first_cue(text: str) -> PainTiming | None:
    """Timing of the cue nearest the start of `text` (the longer cue on a tie: "before discharge")."""
    best: tuple[int, int, PainTiming] | None = None
    for rx, timing in ((_PRE, "pre"), (_POST, "post")):
        m = rx.search(text)
        if m and (best is None or (m.start(), -m.end()) < best[:2]):
            best = (m.start(), -m.end(), timing)
    return best[2] if best else None


def _timing(sent: Sentence, start: int, end: int, others: list[tuple[int, int]]) -> PainTiming:
    """Timing of a score at sentence-relative [start, end)."""
    text = sent.text
    left, right = _clause_bounds(text, start, end)
    left = max([left] + [e for s, e in others if e <= start])
    right = min([right] + [s for s, e in others if s >= end])
    timing = _first_cue(text[end:right]) or _last_cue(text[left:start]) or _last_cue(text[:start])
    if timing:
        return timing
    if sent.section in _PRE_SECTIONS:
        return "pre"
    if sent.section in _POST_SECTIONS:
        return "post"
    return "unspecified"


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


def _vas_max(value: float, unit: str | None) -> float:
    unit = (unit or "").strip().lower()
    if unit.startswith(("mm", "milli")) or "100" in unit or value > 10:
        return 100.0
    return 10.0


_DIGIT = re.compile(r"\d")
_HAS_PERCENT = re.compile(r"%|per\s*cent", re.I)
_HAS_SCALE = re.compile(r"/\s*10|out\s+of\s+(?:10|ten)", re.I)
_HAS_KEYWORD = re.compile(r"pain|\b(?:vas|nrs|nprs|vrs|verbal|numeric|visual|rat(?:es|ed|ing))\b", re.I)


def _candidates(text: str) -> Iterator[_Hit]:
    """All score-like matches in a sentence, sentence-relative offsets; may overlap."""
    if _HAS_SCALE.search(text):
        yield from _scale_candidates(text)
    if _HAS_KEYWORD.search(text):
        yield from _keyword_candidates(text)


def _scale_candidates(text: str) -> Iterator[_Hit]:
    """`N/10`, `N out of 10` and transitions between two of them."""
    for m in _TRANSITION.finditer(text):
        scores = _transition(m)
        if scores is not None:
            yield _Hit(m.start(), m.end(), scores)
    for m in _SLASH.finditer(text):
        if _DOSE_AFTER.match(text, m.end()) or _DATE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            yield _Hit(m.start(), m.end(), ())
            continue
        yield _Hit(m.start(), m.end(), (_Score(float(m.group("v")), "NRS", 10.0, None, ((m.start(), m.end()),)),))


def _keyword_candidates(text: str) -> Iterator[_Hit]:
    """`pain score of 7`, `NRS 7`, `VAS 70 mm`, `rates her pain as 10`, ..."""
    for rx, scale, named in _KEYWORD_FORMS:
        for m in rx.finditer(text):
            value, unit = float(m.group("v")), m.group("unit")
            if not unit and _BAD_AFTER.match(text[m.end() :]):
                continue
            top = _vas_max(value, unit) if scale == "VAS" else 10.0
            if value > top:
                continue
            span = (m.start() if named or not unit else m.start("v"), m.end())
            yield _Hit(m.start(), m.end(), (_Score(value, scale, top, None, (span,)),))


def _select(hits: list[_Hit]) -> list[_Hit]:
    """Leftmost-longest non-overlapping matches."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    return chosen


def _sentence_scores(view: NoteView, sent: Sentence) -> Iterator[PainScore]:
    hits = [h for h in _select(list(_candidates(sent.text))) if h.scores]
    spans = [(h.start, h.end) for h in hits]
    for hit in hits:
        others = [s for s in spans if s != (hit.start, hit.end)]
        if _conditional(sent.text, hit.start) or _other_item(sent.text, hit.start, hit.end, others):
            continue
        for value, scale, top, fixed, ev in hit.scores:
            timing = fixed or _timing(sent, hit.start, hit.end, others)
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


def extract_pain_scores(view: NoteView) -> tuple[list[PainScore], list[PercentRelief]]:
    """Pain scores and percent-relief statements, in note order, each with evidence."""
    scores: list[PainScore] = []
    relief: list[PercentRelief] = []
    for sent in view.sentences:
        if _DIGIT.search(sent.text):
            scores.extend(_sentence_scores(view, sent))
            if _HAS_PERCENT.search(sent.text):
                relief.extend(_sentence_relief(view, sent))
    scores.sort(key=lambda s: s.evidence[0].start)
    relief.sort(key=lambda r: r.evidence[0].start)
    return _baseline_before_first_post(scores), relief


def _baseline_before_first_post(scores: list[PainScore]) -> list[PainScore]:
    """A score with no timing cue written before the note's first post-procedure score is the baseline."""
    first_post = next((s.evidence[0].start for s in scores if s.timing == "post"), None)
    if first_post is None:
        return scores
    return [s.model_copy(update={"timing": "pre"}) if s.timing == "unspecified" and s.evidence[0].start < first_post
            else s for s in scores]
