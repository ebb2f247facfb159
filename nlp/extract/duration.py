"""Pain duration: how long the pain has been present ("low back pain for the past 8 months").

Also turns a written quantity ("a year", "6-8 weeks") into months for the care extractor.

Forms: `pain ... for|x|over [the past|about|more than] N <unit>`, `N-year history of ... pain`,
`pain of N months' duration`, `pain duration: N months` / `Duration: N months`,
`pain ... since 2019|March 2023|03/2024|a fall in 2021` (months counted to the note's date when one is written),
and vague quantities (`for several years`, `for years`: months None, text kept). Durations
followed by `ago`, or with relief/therapy/medication words or a care mention between the pain word
and the duration, are not pain durations. Sentences in procedure, post-procedure and plan sections
are skipped. The first duration with numeric months wins, else the first one found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.view import NoteView, Sentence
from nlp.schema import PainDuration
from nlp.validation import Regex

DAYS_PER_MONTH = 30.4375
WEEKS_PER_MONTH = 4.345


class Unit(StrictModel):
    pattern: Regex
    months: float


class DurationCues(StrictModel):
    units: list[Unit]
    number_words: dict[str, float]
    vague: list[Regex]
    pain_words: list[Regex]
    qualifiers: list[Regex]
    blockers: list[Regex]
    date_labels: list[Regex]
    skip_sections: list[str]


CUES = load_cues("duration", DurationCues)

_NUMBER = r"\d+(?:\.\d+)?\+?"  # "2+ years" reads as 2
_WORD_NUMBER = alternation(re.escape(w) for w in CUES.number_words)
_ONE_NUMBER = rf"(?:{_NUMBER}|{_WORD_NUMBER})"
_VAGUE = alternation(CUES.vague)
# A written quantity: "8", "1.5", "two", "6-8", "6 to 8", "one and a half", "several".
QTY = rf"(?:{_ONE_NUMBER}(?:\s*(?:-|–|to)\s*{_ONE_NUMBER})?(?:\s+and\s+a\s+half)?|{_VAGUE})"
UNIT = alternation(f"(?:{u.pattern})" for u in CUES.units) + r"(?![\w/])"
_UNIT_RES = [(re.compile(rf"(?:{u.pattern})$", re.I), u.months) for u in CUES.units]
_QUAL = alternation(CUES.qualifiers)
_PAIN = r"\b" + alternation(CUES.pain_words) + r"\b"
# "N <unit>", "N-<unit>", "a year and a half", with an optional qualifier in front.
TIME = rf"(?:{_QUAL}\s+)?(?:{QTY})\s*-?\s*{UNIT}(?:\s+and\s+a\s+half)?"

_RANGE_SPLIT = re.compile(r"\s*(?:-|–|\bto\b)\s*")
_HALF = re.compile(r"\band\s+a\s+half\b", re.I)
_QTY_HEAD = re.compile(rf"^(?:{_QUAL}\s+)?(?P<q>{QTY})\s*-?\s*(?P<u>{UNIT})", re.I)
_AGO = re.compile(r"^\s*(?:ago|back|earlier|before)\b", re.I)
_BLOCK = re.compile(r"\b" + alternation(CUES.blockers) + r"\b", re.I)
_RELIEF_BEFORE = re.compile(r"(?:%|\bper\s*cent\b|\b(?:relief|reduction|improvement)\b)[^.;%]*$", re.I)

_FOR_FORM = re.compile(
    rf"{_PAIN}(?P<between>[^.;]{{0,60}}?)(?P<phrase>(?:\bfor|(?<![\w])x|×|\bover|\blasting|\bsince)\s*"
    rf"(?:(?P<time>{TIME})|(?:{_QUAL}\s+)?(?:(?:the\s+)?(?:last|past)\s+)?(?P<bare>years|months|weeks)\b))",
    re.I,
)
_HISTORY_FORM = re.compile(
    rf"(?P<phrase>(?P<time>(?:{QTY})\s*-?\s*{UNIT})(?:[- ]long)?\s+(?:history|hx|h/o)\s+of\s+"
    rf"(?:[\w/-]+\s+){{0,5}}?{_PAIN})",
    re.I,
)
_OF_DURATION_FORM = re.compile(
    rf"{_PAIN}\s+of\s+(?P<phrase>(?P<time>{TIME})(?:'|’|s'|s’)?\s+(?:duration|standing))", re.I
)
_LABEL_FORM = re.compile(
    rf"(?P<phrase>(?:(?:{_PAIN}|onset)\s+duration|duration\s+of\s+(?:the\s+)?{_PAIN}|^\W*duration)"
    rf"\s*(?::|=|-|\bis\b|\bof\b)?\s*(?P<time>{TIME}))",
    re.I,
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_MONTH_NAME = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
               r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
# "since 2019", "since March 2024", "since 03/2023", and an onset event before the date: "since a fall
# in 2021", "since his MVA in March 2022" (up to four words, no punctuation, then in/on/during).
_SINCE_EVENT = r"(?:(?:a|an|the|his|her|their|my)\s+)?(?:(?!since\b)[\w/'-]+\s+){1,4}?(?:in|on|during)\s+"
_SINCE_FORM = re.compile(
    rf"{_PAIN}(?P<between>[^.;]{{0,60}}?)(?P<phrase>\bsince\s+(?:{_SINCE_EVENT})?"
    rf"(?P<when>(?:(?P<mon>{_MONTH_NAME})\.?)?\s*(?P<year>(?:19|20)\d\d)\b"
    rf"|(?P<nmon>\d{{1,2}})/(?P<nyear>(?:19|20)?\d\d)\b(?!/)|(?P<mon_only>{_MONTH_NAME})(?![\w])))",
    re.I,
)
_DATE = re.compile(
    rf"\b(?:(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}}|\d\d)|(?P<iy>\d{{4}})-(?P<im>\d\d)-(?P<id>\d\d)"
    rf"|(?P<mname>{_MONTH_NAME})\.?\s+(?P<md>\d{{1,2}}),?\s+(?P<my>\d{{4}}))\b",
    re.I,
)
_DATE_LABEL = re.compile(r"\b" + alternation(CUES.date_labels) + r"\s*[:#-]?\s*$", re.I)
_DOB_LABEL = re.compile(r"\b(?:dob|date of birth|born|birth ?date)\s*[:#-]?\s*$", re.I)
SKIP_SECTIONS = frozenset(CUES.skip_sections)


def _number(token: str) -> float | None:
    token = token.strip().lower().rstrip("+")
    if token in CUES.number_words:
        return CUES.number_words[token]
    try:
        return float(token)
    except ValueError:
        return None


def quantity_value(qty: str) -> float | None:
    """Numeric value of a written quantity; ranges give their lower bound, vague words None."""
    half = 0.5 if _HALF.search(qty) else 0.0
    head = _HALF.sub("", qty).strip()
    first = _RANGE_SPLIT.split(head)[0]
    value = _number(first)
    return None if value is None else value + half


def unit_months(unit: str) -> float | None:
    """Months in one written unit ("yrs" -> 12)."""
    for rx, months in _UNIT_RES:
        if rx.match(unit.strip()):
            return months
    return None


def time_months(time_text: str) -> float | None:
    """Months in a time expression like "over 2 years", "6-week", "a year and a half"."""
    m = _QTY_HEAD.match(time_text.strip())
    if not m:
        return None
    qty, per = quantity_value(m.group("q")), unit_months(m.group("u"))
    if qty is None or per is None:
        return None
    if _HALF.search(time_text[m.end():]):
        qty += 0.5
    return round(qty * per, 2)


def _parse_date(m: re.Match[str]) -> date | None:
    try:
        if m.group("y"):
            year = int(m.group("y"))
            year = year + (2000 if year < 70 else 1900) if year < 100 else year
            return date(year, int(m.group("m")), int(m.group("d")))
        if m.group("iy"):
            return date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        return date(int(m.group("my")), _month_number(m.group("mname")), int(m.group("md")))
    except (ValueError, TypeError):
        return None


def _month_number(name: str) -> int:
    return _MONTHS.split("|").index(name.lower()[:3]) + 1


def note_date(text: str) -> date | None:
    """The note's own date: a labelled date (DOS, Date of service, Date:) first, else the latest date."""
    labelled: list[date] = []
    others: list[date] = []
    for m in _DATE.finditer(text):
        found = _parse_date(m)
        if found is None:
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        if _DOB_LABEL.search(before):
            continue
        (labelled if _DATE_LABEL.search(before) else others).append(found)
    if labelled:
        return labelled[0]
    return max(others) if others else None


def _since_months(m: re.Match[str], ref: date | None) -> float | None:
    if ref is None:
        return None
    if m.group("year"):
        start = date(int(m.group("year")), _month_number(m.group("mon")) if m.group("mon") else 1, 1)
    elif m.group("nyear"):
        year = int(m.group("nyear"))
        year = year + 2000 if year < 100 else year
        if not 1 <= int(m.group("nmon")) <= 12:
            return None
        start = date(year, int(m.group("nmon")), 1)
    else:
        month = _month_number(m.group("mon_only"))
        start = date(ref.year if month <= ref.month else ref.year - 1, month, 1)
    days = (ref - start).days
    return round(days / DAYS_PER_MONTH, 1) if days >= 0 else None


def _blocked(view: NoteView, sent: Sentence, m: re.Match[str]) -> bool:
    """Relief/therapy words or a care mention between the pain word and the duration, or a relief
    statement the pain word belongs to ("50% reduction in his back pain for 3 days")."""
    if "between" not in m.re.groupindex:
        return False
    if _RELIEF_BEFORE.search(sent.text, max(0, m.start() - 60), m.start()):
        return True
    between = m.group("between")
    if _BLOCK.search(between):
        return True
    lo, hi = sent.start + m.start("between"), sent.start + m.end("between")
    return any(x.label.startswith("CARE_") and lo <= x.start < hi for x in sent.mentions)


def _candidates(view: NoteView, sent: Sentence, ref: date | None) -> Iterator[PainDuration]:
    for rx in (_HISTORY_FORM, _OF_DURATION_FORM, _LABEL_FORM, _FOR_FORM, _SINCE_FORM):
        for m in rx.finditer(sent.text):
            if _AGO.match(sent.text[m.end() :]) or _blocked(view, sent, m):
                continue
            start, end = sent.start + m.start("phrase"), sent.start + m.end("phrase")
            if rx is _SINCE_FORM:
                months = _since_months(m, ref)
            else:
                time = m.groupdict().get("time")
                months = time_months(time) if time else None
            yield PainDuration(months=months, text=view.text[start:end], evidence=[view.evidence(start, end)])


def extract_pain_duration(view: NoteView) -> PainDuration:
    """How long the pain has been present, with evidence; an empty PainDuration when not documented."""
    ref: date | None = None
    ref_done = False
    found: list[PainDuration] = []
    for sent in view.sentences:
        if sent.section in SKIP_SECTIONS or not (_PAIN_RE.search(sent.text) or _LABEL_START.match(sent.text)):
            continue
        if not ref_done and "since" in sent.text.lower():
            ref, ref_done = note_date(view.text), True
        found.extend(_candidates(view, sent, ref))
        if any(d.months is not None for d in found):
            break
    numeric = [d for d in found if d.months is not None]
    if numeric:
        return min(numeric, key=lambda d: d.evidence[0].start)
    return min(found, key=lambda d: d.evidence[0].start) if found else PainDuration()


_PAIN_RE = re.compile(_PAIN, re.I)
_LABEL_START = re.compile(r"^\W*duration\b", re.I)
