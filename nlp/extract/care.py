"""Conservative care tried before the procedure, with duration and documented failure (R-MCR-IND-2).

Items come from the CARE_* target mentions (lexicons/targets.jsonl), normalized to
physical_therapy, nsaids, medications, chiropractic, home_exercise, activity_modification,
prior_injections and other (generic "conservative care/treatment", TENS, acupuncture, ...).

`failed` per mention, from the cue nearest to it in its clause (clauses end at `;`, `but`,
`however`, ...; commas do not end one, so "failed PT, NSAIDs and HEP" covers the list):
  True   a failure cue before it (`failed`, `despite`, `refractory to`, `no relief with`) or after
         it (`... failed`, `without relief`, `did not help`, `none of which helped`);
  False  a not-tried cue before it (`has not tried`, `no`, `declined`, `never`), a not-tried cue
         after it (`contraindicated`), or a helped cue after it (`PT helped`); failing that, a
         ConText-negated mention in a clause with no cue of ours;
  None   only mentioned, or a template placeholder right after it (`PT ***`).
Skipped: mentions in technique/post-procedure/plan-type sections (discharge instructions, plans),
hypothetical mentions (`will start PT`) without a failure cue, family mentions, and lexicon false
positives (`PT/INR`, `hep C`, `denies ... weight loss`). Cues live in lexicons/cues.yaml (`care`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.duration import QTY, UNIT, WEEKS_PER_MONTH, time_months
from nlp.extract.view import Mention, NoteView, Sentence
from nlp.schema import CareItem, ConservativeCare, Evidence
from nlp.validation import Regex


class CareCues(StrictModel):
    names: dict[str, str]
    failure_forward: list[Regex]
    failure_backward: list[Regex]
    not_tried: list[Regex]
    not_tried_after: list[Regex]
    helpful_after: list[Regex]
    clause_breaks: list[Regex]
    not_tried_breaks: list[Regex]
    false_positive: list[Regex]
    skip_sections: list[str]


CUES = load_cues("care", CareCues)


def _words(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + alternation(patterns) + r"(?![\w])", re.I)


_FAIL_FWD = _words(CUES.failure_forward)
_FAIL_BACK = _words(CUES.failure_backward)
_NOT_TRIED = _words(CUES.not_tried)
_NOT_TRIED_AFTER = _words(CUES.not_tried_after)
_HELPED_AFTER = _words(CUES.helpful_after)
_CLAUSE_BREAK = re.compile(r";|(?<![\w-])" + alternation(CUES.clause_breaks) + r"(?![\w])", re.I)
_NOT_TRIED_BREAK = _words(CUES.not_tried_breaks)
_FALSE_POSITIVE = re.compile(alternation(CUES.false_positive), re.I)
_SKIP_SECTIONS = frozenset(CUES.skip_sections)
_PLACEHOLDER = re.compile(r"^\s*(?:\*{3}|_{3,}|\[\s*\])")

_TIME = rf"(?:{QTY})\s*-?\s*{UNIT}"
_DUR_BEFORE = re.compile(
    rf"(?<![\w-])(?P<t>{_TIME})\s+(?:(?:course|trial|program|regimen|sessions?)\s+)?of\s+"
    rf"(?:(?!(?:and|or|with|then)\b)[\w-]+\s+){{0,2}}$",
    re.I,
)
# Before a mention that itself reads "course of PT": "a 6-week course of physical therapy".
_DUR_BEFORE_COURSE = re.compile(rf"(?<![\w-])(?P<t>{_TIME})\s+$", re.I)
_COURSE_MENTION = re.compile(r"(?:course|trial|program)\b", re.I)
_DUR_AFTER = re.compile(
    rf"^(?:(?:\s+[\w-]+){{0,2}}?\s*,?\s*(?:for|x|×|over)\s*|\s*\(\s*)(?P<t>(?:(?:about|approximately|over|more\s+than|"
    rf"nearly|almost|at\s+least)\s+)?{_TIME})",
    re.I,
)
_AGO = re.compile(r"^\s*(?:ago|earlier|back)\b", re.I)


@dataclass(frozen=True)
class _Finding:
    name: str
    failed: bool | None
    duration: str | None
    weeks: float | None
    evidence: tuple[Evidence, ...]


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Sentence-relative bounds of the clause around [start, end)."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = _CLAUSE_BREAK.search(text, end)
    return left, right.start() if right else len(text)


Span = tuple[int, int]


@dataclass(frozen=True)
class _SentenceCues:
    """Every cue match in one sentence (sentence-relative spans), found once for all its mentions."""

    fail_fwd: tuple[Span, ...]
    fail_back: tuple[Span, ...]
    not_tried: tuple[Span, ...]
    not_tried_after: tuple[Span, ...]
    helped_after: tuple[Span, ...]
    not_tried_break: tuple[Span, ...]
    inside_failure: dict[Span, tuple[Span, ...]]  # not-tried cue -> failure cues whose span holds its start

    @classmethod
    def of(cls, text: str) -> _SentenceCues:
        def spans(rx: re.Pattern[str]) -> tuple[Span, ...]:
            return tuple(m.span() for m in rx.finditer(text))

        fail_fwd, fail_back, not_tried = spans(_FAIL_FWD), spans(_FAIL_BACK), spans(_NOT_TRIED)
        inside = {sp: tuple(f for f in fail_fwd + fail_back if f[0] <= sp[0] < f[1]) for sp in not_tried}
        return cls(fail_fwd, fail_back, not_tried, spans(_NOT_TRIED_AFTER), spans(_HELPED_AFTER),
                   spans(_NOT_TRIED_BREAK), inside)


def _within(spans: tuple[Span, ...], lo: int, hi: int) -> list[Span]:
    return [sp for sp in spans if lo <= sp[0] and sp[1] <= hi]


def _not_tried_before(cues: _SentenceCues, lo: int, start: int, hi: int) -> Span | None:
    """Nearest not-tried cue before `start`, ignoring the "no" of a failure cue ("with no benefit"),
    whose reach is not cut by a break ("no PT yet and has only taken ibuprofen")."""
    found = [sp for sp in _within(cues.not_tried, lo, start)
             if not any(lo <= f[0] and f[1] <= hi for f in cues.inside_failure[sp])]
    if not found or _within(cues.not_tried_break, found[-1][1], start):
        return None
    return found[-1]


def _failed(sent: Sentence, mention: Mention, cues: _SentenceCues) -> tuple[bool | None, Span | None]:
    """failed value for one mention and the span (sentence-relative) of the deciding cue."""
    start, end = mention.start - sent.start, mention.end - sent.start
    lo, hi = _clause(sent.text, start, end)
    scored: list[tuple[int, int, bool, Span]] = []  # (distance, tie-break: failure first, value, cue)
    fwd = _within(cues.fail_fwd, lo, start)
    not_tried = _not_tried_before(cues, lo, start, hi)
    if fwd:
        scored.append((start - fwd[-1][1], 0, True, fwd[-1]))
    if not_tried:
        scored.append((start - not_tried[1], 1, False, not_tried))
    for spans, value in ((cues.fail_back, True), (cues.not_tried_after, False), (cues.helped_after, False)):
        after = _within(spans, end, hi)
        if after:
            scored.append((after[0][0] - end, 0 if value else 1, value, after[0]))
    if scored:
        _, _, value, cue = min(scored, key=lambda s: (s[0], s[1]))
        return value, cue
    if mention.negated and not (_within(cues.not_tried, lo, hi) or _within(cues.fail_fwd, lo, hi)):
        return False, None  # ConText negation by a cue we do not list ("neither PT nor ...")
    return None, None


def _duration(text: str, start: int, end: int) -> str | None:
    """Duration written next to a mention: `6 weeks of PT`, `PT for 3 months`, `PT x 8 wks`."""
    rx = _DUR_BEFORE_COURSE if _COURSE_MENTION.match(text, start) else _DUR_BEFORE
    before = rx.search(text, max(0, start - 60), start)
    if before:
        return before.group("t")
    after = _DUR_AFTER.match(text[end : end + 60])
    if after and not _AGO.match(text[end + after.end() :]):
        return after.group("t")
    return None


def _false_positive(view: NoteView, mention: Mention) -> bool:
    lo = max(0, mention.start - 40)
    window = view.text[lo : mention.end + 40]
    return any(lo + m.start() < mention.end and mention.start < lo + m.end() for m in _FALSE_POSITIVE.finditer(window))


def _finding(view: NoteView, sent: Sentence, mention: Mention, cues: _SentenceCues) -> _Finding | None:
    name = CUES.names.get(mention.label, "other")
    if mention.family or _false_positive(view, mention):
        return None
    start, end = mention.start - sent.start, mention.end - sent.start
    evidence = [view.evidence(mention.start, mention.end)]
    if _PLACEHOLDER.match(sent.text[end:]):
        return _Finding(name, None, None, None, tuple(evidence))
    failed, cue = _failed(sent, mention, cues)
    if mention.hypothetical and failed is not True:
        return None
    if cue:
        evidence.append(view.evidence(sent.start + cue[0], sent.start + cue[1]))
    duration = _duration(sent.text, start, end)
    months = time_months(duration) if duration else None
    weeks = round(months * WEEKS_PER_MONTH, 1) if months is not None else None
    return _Finding(name, failed, duration, weeks, tuple(evidence))


def _merge(name: str, found: list[_Finding]) -> tuple[CareItem, float | None]:
    """One item per normalized name: True beats False beats None; the longest duration wins."""
    values = [f.failed for f in found]
    failed = True if True in values else False if False in values else None
    timed = [f for f in found if f.weeks is not None]
    longest = max(timed, key=lambda f: f.weeks or 0.0) if timed else None
    evidence: list[Evidence] = []
    for f in found:
        evidence.extend(e for e in f.evidence if e not in evidence)
    item = CareItem(name=name, failed=failed, duration=longest.duration if longest else None, evidence=evidence)
    return item, longest.weeks if longest else None


def extract_conservative_care(view: NoteView) -> ConservativeCare:
    """Conservative care items with failure status and duration; empty when none is documented."""
    by_name: dict[str, list[_Finding]] = {}
    for sent in view.sentences:
        if sent.section in _SKIP_SECTIONS:
            continue
        mentions = [m for m in sent.mentions if m.label.startswith("CARE_")]
        if not mentions:
            continue
        cues = _SentenceCues.of(sent.text)
        for mention in mentions:
            found = _finding(view, sent, mention, cues)
            if found:
                by_name.setdefault(found.name, []).append(found)
    items: list[CareItem] = []
    longest: tuple[float, str] | None = None
    for name, found in by_name.items():
        item, weeks = _merge(name, found)
        items.append(item)
        if weeks is not None and item.duration and (longest is None or weeks > longest[0]):
            longest = (weeks, item.duration)
    evidence = [e for item in items for e in item.evidence[:1]]
    return ConservativeCare(
        failed=any(item.failed for item in items),
        items=items,
        duration=longest[1] if longest else None,
        duration_weeks=longest[0] if longest else None,
        evidence=evidence,
    )
