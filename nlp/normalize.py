"""Layout-neutral text for the pipeline, with a map back to the note as written.

Text pasted from PDFs, faxes and EHR exports differs from clean typing in ways that carry no meaning:
doubled spaces, tabs, non-breaking and other Unicode spaces, zero-width characters and soft hyphens,
CR/CRLF line ends, trailing blanks, en/em dashes and minus signs in `L4–L5`, curly quotes. spaCy
tokenises each of these differently (two spaces become a whitespace token, so the phrase
`joint  injection` no longer matches), and the answer must not change with them. `normalize()` rewrites
them to one canonical form and keeps, for every character of the new text, the offset of the character
it came from, so evidence is always reported against the original note (`restore_evidence`).

Then unambiguous clinical shorthand is written out (`lexicons/shorthand.yaml`: `jt inj` -> `joint
injection`, `ndl` -> `needle`, `L5 DR` -> `L5 dorsal ramus`, `x 9 mo` -> `x 9 months`), so every
extractor reads one vocabulary; an expansion's characters map back to the short form they replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from nlp.extract.cues import alternation
from nlp.schema import Evidence
from nlp.validation import Regex

# Characters that carry nothing: zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Characters that stand for a plain space.
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
# One character for one character (same length: offsets do not move).
_ONE_FOR_ONE = str.maketrans({
    **{c: " " for c in _SPACES},
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
})
# A line break inside a sentence (PDF and fax hard wraps): the next line goes on in lower case and is not a
# `field:` header. It becomes a space (same length), so phrases split by the wrap match again. Only in a
# paragraph that was wrapped: a greedy wrap breaks a line only where the next word would not have fitted, so at
# every such break the line plus that word is longer than the paragraph's longest line. A paragraph whose lines
# end short of that (a lowercase note without periods, one statement a line: "... no sedation" / "prone,
# prepped") keeps its breaks, so the ConText scope of "no" does not run on into the next line.
_WRAP_END = re.compile(r"[A-Za-z0-9,)\]]$")
_WRAP_NEXT = re.compile(r"(?![a-z][a-z /()-]{0,30}:)[a-z]")
# A run of punctuation (rules, leader dots, fax noise: `=====`, `......`, `(((((`) carries no more meaning
# after its first characters, and spaCy's tokenizer is quadratic in the length of such a run (24 KB of `=`
# took minutes): everything past the first PUNCT_RUN_KEPT characters of a run is dropped.
_PUNCT = r"[^\w\s|]|_"  # a pipe is kept: it separates table cells
PUNCT_RUN_KEPT = 12
_NEEDS_WORK = re.compile("[" + re.escape(_INVISIBLE + _SPACES) + "\u2010-\u2015\u2212\u2018-\u201e\u2032\u2033"
                         "\u2028\u2029\x85\r]|  | \n| $|\\?\n|[A-Za-z0-9,)\\]-]\n[a-z]"
                         + rf"|(?:{_PUNCT}){{{PUNCT_RUN_KEPT + 1}}}")
# After the one-for-one pass, deleted: invisible characters; then CR before LF, blanks at line end and
# every space but the first of a run, and the tail of a punctuation run.
_LONE_CR = re.compile(r"\r(?!\n)")
# An HL7 interface export: a segment prefix per line ("OBX|5|TX|PROC^Procedure^L||") and escapes for a line break
# ("\.br\") and an ampersand ("\T\"); same length, the blanks go with the other layout blanks.
_HL7 = re.compile(r"^(?:OBX|NTE|TXA)\|[^\n]{0,60}?\|\|", re.M)
_HL7_ESCAPE = re.compile(r"\\\.br\\|\\T\\")
_HL7_AS = {"\\.br\\": "    \n", "\\T\\": " & "}
# A segment's trailing empty fields and result status ("|||||||F"); a word cut between two segments is joined.
_HL7_SUFFIX = re.compile(r"[ \t]*\|{2,}[A-Z]?[ \t]*$", re.M)
# A note written as a two-column "Field | Value" table: each row is a "Field: value" line (same length).
_FIELD_ROW = re.compile(r"^([ \t]*[A-Za-z][A-Za-z0-9 /&()'.,#-]{0,40}?)[ \t]+\|[ \t]+(?=\S)(?=[^|\n]*$)", re.M)
FIELD_ROWS_MIN = 4


def _field_value_rows(text: str) -> str:
    rows = list(_FIELD_ROW.finditer(text))
    if len(rows) < FIELD_ROWS_MIN:
        return text
    out, pos = [], 0
    for m in rows:
        bar = text.index("|", m.end(1))  # "Consent | Signed" -> "Consent:  Signed"
        out.append(text[pos : m.end(1)] + ":" + text[m.end(1) + 1 : bar] + " ")
        pos = bar + 1
    out.append(text[pos:])
    return "".join(out)


# A note exported as CSV, one "field,value" line per field ('procedure_title,"Right C5-C6, C6-C7 ..."'): each line
# is a "Field: value" line (the field name capitalised, its underscores spaces, the quotes around a value blanks;
# same length). Only when most lines of the note are such rows.
_CSV_ROW = re.compile(r'^([A-Za-z][A-Za-z0-9_/]{0,30}(?: [A-Za-z0-9_/]{1,20}){0,2}),("?)(.*?)("?)[ \t]*$', re.M)
CSV_ROWS_MIN = 6
CSV_ROWS_SHARE = 0.6


def _csv_export(text: str) -> bool:
    rows = len(_CSV_ROW.findall(text))
    return rows >= CSV_ROWS_MIN and rows >= CSV_ROWS_SHARE * sum(1 for line in text.split("\n") if line.strip())


def _csv_rows(text: str) -> str:
    if not _csv_export(text):
        return text
    rows = list(_CSV_ROW.finditer(text))
    out, pos = [], 0
    for m in rows:
        quoted = bool(m.group(2)) and bool(m.group(4))
        key = m.group(1).replace("_", " ")  # a capital, as a typed "Field:" label has
        out.append(text[pos : m.start()] + key[0].upper() + key[1:] + ":" + (" " if quoted else m.group(2))
                   + m.group(3) + (" " if quoted else m.group(4)))
        pos = m.end(4)
    out.append(text[pos:])
    return "".join(out)


# A note exported as JSON ('"technique": "Prone, ..."', '"procedure": {'): each key that opens its line is a
# "Key: value" label (the key capitalised, its underscores spaces; its closing quote becomes the colon and the colon a
# blank, every other unescaped quote a blank; same length). Only when several lines are such keys.
_JSON_KEY = re.compile(r'^([ \t]*)"([A-Za-z][A-Za-z0-9_ ]{0,40})"([ \t]*):([ \t]*)(?:"((?:[^"\\\n]|\\.)*)"(,?)[ \t]*$)?', re.M)
JSON_KEYS_MIN = 6


def _json_export(text: str) -> bool:
    return len(_JSON_KEY.findall(text)) >= JSON_KEYS_MIN


def _json_keys(text: str) -> str:
    if not _json_export(text):
        return text
    keys = list(_JSON_KEY.finditer(text))
    out, pos = [], 0
    for m in keys:
        key = m.group(2).replace("_", " ")
        camel = _CAMEL.search(key)  # "priorEncounters": the opening quote's place takes the one blank it needs
        lead = " " if camel is None else ""
        if camel is not None:
            key = key[: camel.start() + 1] + " " + key[camel.start() + 1].lower() + key[camel.start() + 2 :]
        head = m.group(1) + lead + key[0].upper() + key[1:] + m.group(3) + ": " + m.group(4)
        if m.group(5) is None:
            out.append(text[pos : m.start()] + head)
        else:
            out.append(text[pos : m.start()] + head + " " + m.group(5) + " " + m.group(6))
        pos = m.end() if m.group(5) is not None else m.end(4)
    out.append(text[pos:])
    return _JSON_QUOTE.sub(" ", "".join(out))  # the quotes of inline objects: '{"joint": "C2-C3"}'


_JSON_QUOTE = re.compile(r'(?<!\\)"')
_CAMEL = re.compile(r"[a-z][A-Z]")


# Fax OCR reads the digits 1 and 0 as the letters l and O ("L5-Sl", "T9-TlO", "O.3 mL", "2O25", "9/1O"). In a note
# that shows the confusion at least OCR_SIGNS_MIN times, an l or O that sits among digits or ends a vertebra is the
# digit (same length). Letters inside words ("Omnipaque", "SpO2", "left") are never touched.
_OCR_SIGN = re.compile(r"(?<=\d)O(?![a-z])|(?<![A-Za-z])O(?=\d)")  # an O among digits: "l" may be a vertebra ("l5-s1")
_OCR_ONE = re.compile(r"(?<=[\d/:.#-])l(?![a-z])|(?<![A-Za-z])l(?=[\dO/])(?![1-5][ \t]*[-/][ \t]*(?:[lsLS]?[1-5]|[sS]1)\b)"
                      r"(?![1-5][ \t]+(?:mbs?|medial|dorsal|dr|facets?|joints?|jts?|and|&|,)\b)"
                      r"|(?<=\b[CTLS])l(?![a-z])|(?<=\d)l")
_OCR_ZERO = re.compile(r"(?<=[\d/:.-])O(?![a-km-z])|(?<![A-Za-z])O(?=[\d/]|\.\d)|(?<=\d)O")
OCR_SIGNS_MIN = 3


def _ocr_confused(text: str) -> bool:
    return len(_OCR_SIGN.findall(text)) >= OCR_SIGNS_MIN


def _ocr_digits(text: str) -> str:
    if not _ocr_confused(text):
        return text
    for pattern, digit in ((_OCR_ONE, "1"), (_OCR_ZERO, "0"), (_OCR_ONE, "1")):
        text = pattern.sub(digit, text)
    return text


# A question-and-answer form's prompt is a field label: a short line-opening prompt that ends in "?" with its
# answer on the next line or after a run of spaces ("Guidance?" / "Ultrasound.", "Date of service?   08/21/2025").
_PROMPT = re.compile(r"^([ \t]*[A-Z][A-Za-z/&()'-]*(?:[ \t][A-Za-z/&()'-]+){0,3})\?(?=[ \t]*\n[ \t]*\S|[ \t]{2,}\S)",
                     re.M)
_INVISIBLE_RUN = re.compile("[" + _INVISIBLE + "]+")
_DROP = re.compile(r"\r(?=\n)| +(?=\r?\n|$)|(?<= ) +" + rf"|(?<=(?:{_PUNCT}){{{PUNCT_RUN_KEPT}}})(?:{_PUNCT})+")


@dataclass(frozen=True)
class NormalizedText:
    """`text` is what the pipeline reads; `origin[i]` is the original offset of `text[i]`."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: the text is unchanged (the common case, no map kept)

    @property
    def changed(self) -> bool:
        return self.origin is not None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of a normalized span (an empty span stays empty)."""
        if self.origin is None:
            return start, end
        n = len(self.text)
        o_start = self.origin[start] if start < n else len(self.original)
        if end <= start:
            return o_start, o_start
        o_end = self.origin[min(end, n) - 1] + 1
        return o_start, o_end


SHORTHAND = "lexicons/shorthand.yaml"


class ShorthandRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: Regex
    expansion: str
    why: str
    case_sensitive: bool = False
    anchor: str | None = None  # lower-case letters every match contains (required unless the rule is one word)


class Spelling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    keep: list[str]
    real_word_errors: list[str]  # English words corrected anyway (checked by tests/nlp/test_normalize.py)


class Retraction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cues: list[Regex]  # what a dictating author says to take the last words back
    fillers: list[Regex]  # hesitation words that may come before the cue
    removed_words: list[Regex]  # an editor's bracketed note that text was taken out


class DictatedMark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: Regex  # what the author said ("full stop")
    mark: str  # what they meant (".")
    unambiguous: bool  # never an ordinary English word in a note: counts toward `min_words`


class DictatedPunctuation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_words: int
    marks: list[DictatedMark]
    not_after: list[str]
    not_before: list[str]


class ShorthandLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ShorthandRule]
    spelling: Spelling
    retraction: Retraction
    dictated_punctuation: DictatedPunctuation


MIN_CORRECTED = 6
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{%d,}" % (MIN_CORRECTED - 1))


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from `word`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    return out


@lru_cache(maxsize=1)
def _corrections() -> dict[str, str]:
    """Misspelling -> the one domain word it is an edit away from (ambiguous and real words left out: `keep`)."""
    spelling = _lexicon().spelling
    words = {w.lower() for w in spelling.words}
    seen: dict[str, set[str]] = {}
    for word in words:
        for typo in _one_edit(word):
            seen.setdefault(typo, set()).add(word)
    keep = words | {w.lower() for w in spelling.keep} | _lexicon_words()
    return {typo: next(iter(c)) for typo, c in seen.items()
            if len(c) == 1 and typo not in keep and len(typo) >= MIN_CORRECTED}


def _lexicon_words() -> set[str]:
    """Every word the target, ConText and section lexicons know: never "corrected" ("procedures")."""
    from nlp.pipeline import CONTEXT_RULES, SECTION_RULES, TARGET_RULES
    from nlp.resources import read_json, read_jsonl

    literals = [r["literal"] for r in read_jsonl(TARGET_RULES)]
    literals += [r["literal"] for r in read_json(CONTEXT_RULES)["context_rules"]]
    literals += [r["literal"] for r in read_json(SECTION_RULES)["section_rules"]]
    return {w.lower() for lit in literals for w in re.findall(r"[A-Za-z][A-Za-z-]+", lit)}


def _correct(text: str) -> tuple[str, list[int]] | None:
    """Misspelt domain words written right (case as written); None when there is none."""
    table = _corrections()
    hits = [m for m in _WORD.finditer(text) if m.group().lower() in table]
    if not hits:
        return None
    pieces: list[str] = []
    where: list[int] = []
    pos = 0
    for m in hits:
        short = m.group()
        fixed = table[short.lower()]
        if short.isupper():
            fixed = fixed.upper()
        elif short[0].isupper():
            fixed = fixed[0].upper() + fixed[1:]
        pieces.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        pieces.append(fixed)
        n = len(short)
        where.extend(m.start() + min(i, n - 1) for i in range(len(fixed) - 1))
        where.append(m.end() - 1)
        pos = m.end()
    pieces.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(pieces), where


@lru_cache(maxsize=1)
def _lexicon() -> ShorthandLexicon:
    from nlp.coding.loader import validate_mapping
    from nlp.resources import read_yaml

    return validate_mapping(read_yaml(SHORTHAND), ShorthandLexicon, SHORTHAND)


_PLAIN_WORD = re.compile(r"^\\b([A-Za-z/]+)\\b$")
_WORDS = re.compile(r"[A-Za-z][A-Za-z/]*")


@dataclass(frozen=True)
class _Shorthand:
    """Rules split for speed: a plain-word rule (`\\bjt\\b`) is a dict look-up per word; a rule with context
    (`(?<=L5 )DR`, `dx` before a procedure word) runs only on a note that contains its anchor."""

    words: dict[str, tuple[str, bool]]  # lower-cased short form (or exact, when case-sensitive) -> expansion
    exact: frozenset[str]  # short forms that only match as written ("MB", "IA")
    contextual: tuple[ShorthandRule, ...]


@lru_cache(maxsize=1)
def _shorthand() -> _Shorthand:
    from nlp.errors import RuleTableError

    words: dict[str, tuple[str, bool]] = {}
    exact: set[str] = set()
    contextual: list[ShorthandRule] = []
    for i, rule in enumerate(_lexicon().rules, start=1):
        plain = _PLAIN_WORD.match(rule.pattern)
        if plain is None:
            if not rule.anchor or rule.anchor != rule.anchor.lower():
                raise RuleTableError(f"{SHORTHAND} rule {i} ({rule.pattern!r}): expected a lower-case 'anchor' for a "
                                     f"rule that is not one plain word, received {rule.anchor!r}")
            contextual.append(rule)
        elif rule.case_sensitive:
            exact.add(plain.group(1))
            words[plain.group(1)] = (rule.expansion, True)
        else:
            words[plain.group(1).lower()] = (rule.expansion, False)
    return _Shorthand(words, frozenset(exact), tuple(contextual))


@lru_cache(maxsize=256)
def _contextual_pattern(active: tuple[int, ...]) -> re.Pattern[str]:
    rules = _shorthand().contextual
    parts = [f"(?P<r{i}>{rules[i].pattern if rules[i].case_sensitive else '(?i:' + rules[i].pattern + ')'})" for i in active]
    return re.compile("|".join(parts))


def _shorthand_matches(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, expansion, acronym) of every short form in the text, in order, without overlaps."""
    sh = _shorthand()
    found: list[tuple[int, int, str, bool]] = []
    for m in _WORDS.finditer(text):
        word = m.group()
        hit = sh.words.get(word) if word in sh.exact else sh.words.get(word.lower())
        if hit is not None and (word in sh.exact or not hit[1]):
            found.append((m.start(), m.end(), hit[0], hit[1]))
    lowered = text.lower()
    active = tuple(i for i, rule in enumerate(sh.contextual) if rule.anchor in lowered)
    if active:
        for m in _contextual_pattern(active).finditer(text):
            if m.end() > m.start():
                rule = sh.contextual[int(m.lastgroup[1:])]  # type: ignore[index]
                found.append((m.start(), m.end(), rule.expansion, rule.case_sensitive))
    return _without_overlaps(sorted(found))


def _without_overlaps(hits: list[tuple[int, int, str, bool]]) -> list[tuple[int, int, str, bool]]:
    out: list[tuple[int, int, str, bool]] = []
    for hit in hits:
        if not out or hit[0] >= out[-1][1]:
            out.append(hit)
    return out


@lru_cache(maxsize=1)
def _spoken_patterns() -> tuple[re.Pattern[str], re.Pattern[str], tuple[DictatedMark, ...], int, frozenset[str]]:
    """(any unambiguous spoken mark, every spoken mark with the blanks before it, the mark of each group,
    min_words, not_after) from `dictated_punctuation` in the shorthand table."""
    d = _lexicon().dictated_punctuation
    sure = re.compile(r"\b(?:" + "|".join(m.words for m in d.marks if m.unambiguous) + r")\b", re.I)
    groups = "|".join(f"({m.words})" for m in d.marks)
    every = re.compile(r"[ \t]*(?<![\w-])(?:" + groups + r")\b(?![ \t]+(?:" + "|".join(d.not_before) + r")\b)"
                       r"(?:[ \t]*[.,](?=\s|$))?", re.I)
    return sure, every, tuple(d.marks), d.min_words, frozenset(w.lower() for w in d.not_after)


_WORD_BEFORE = re.compile(r"([A-Za-z]+)[ \t]*$")
_LOWER_NEXT = re.compile(r"[ \t]*([a-z])")


def _spoken_marks(text: str) -> list[tuple[int, int, str, bool]]:
    """Punctuation said as words in a dictated note ("pain 8 out of 10 full stop"), as shorthand hits that write
    the mark; none unless the note says at least `min_words` unambiguous ones."""
    sure, every, marks, min_words, not_after = _spoken_patterns()
    if len(sure.findall(text)) < min_words:
        return []
    out: list[tuple[int, int, str, bool]] = []
    for m in every.finditer(text):
        mark = marks[(m.lastindex or 1) - 1]
        before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.start())
        if not mark.unambiguous and before is not None and before.group(1).lower() in not_after:
            continue
        nxt = (_LOWER_NEXT.match(text, m.end()) if mark.mark.strip() in (".", "") and not every.match(text, m.end())
               else None)
        if nxt is None:
            out.append((m.start(), m.end(), mark.mark, True))
        else:  # a new sentence starts with a capital, as the sentence splitter expects: ". He had"
            capital = mark.mark + (" " if mark.mark == "." else "") + nxt.group(1).upper()
            out.append((m.start(), nxt.end(), capital, True))
    return out


def _unwrap(text: str) -> str:
    """Hard wraps written as spaces (see `_WRAP_NEXT`); one pass over the lines, same length as `text`."""
    lines = text.split("\n")
    joins: set[int] = set()  # i: the break after lines[i] is a wrap
    start = 0
    for i in range(len(lines) + 1):
        if i < len(lines) and lines[i].strip():
            continue
        joins.update(_wrap_breaks(lines, start, i))
        start = i + 1
    if not joins:
        return text
    pieces = [lines[0]]
    for i in range(1, len(lines)):
        pieces.append(" " if i - 1 in joins else "\n")
        pieces.append(lines[i])
    return "".join(pieces)


def _wrap_breaks(lines: list[str], start: int, end: int) -> list[int]:
    """The wrap breaks of paragraph lines[start:end]: all its candidate breaks, when every one of them is a break a
    greedy wrap makes; else none."""
    breaks = [i for i in range(start, end - 1) if _WRAP_END.search(lines[i]) and _WRAP_NEXT.match(lines[i + 1])]
    if not breaks:
        return []
    width = max(len(lines[i]) for i in range(start, end))
    if any(next_word_fits(lines[i], lines[i + 1], width) for i in breaks):
        return []
    return breaks


def next_word_fits(line: str, next_line: str, width: int) -> bool:
    """The first word of `next_line` would have fitted on `line` within `width`: a greedy wrap never breaks
    there, so the author ended the line (also read by the sentence splitter)."""
    return len(line.rstrip()) + 1 + len(next_line.strip().split(" ", 1)[0]) <= width


def normalize(text: str) -> NormalizedText:
    """Canonical layout and vocabulary for `text` (see the module docstring); identity when nothing changes."""
    if (_NEEDS_WORK.search(text) or _HL7_ESCAPE.search(text) or " | " in text or _csv_export(text)
            or _json_export(text) or _ocr_confused(text)):
        one = _LONE_CR.sub("\n", text.translate(_ONE_FOR_ONE))  # same length: one[i] came from text[i]
        one = _PROMPT.sub(lambda m: m.group(1) + ":", one)  # "Guidance?" / "Fluoro used?" -> a field label
        one = _HL7_ESCAPE.sub(lambda m: _HL7_AS[m.group()], one)
        one = _ocr_digits(_json_keys(_csv_rows(_field_value_rows(one))))
        visible, kept = _delete(one, _INVISIBLE_RUN)  # first, so blanks around an invisible character meet
        canonical, kept2 = _delete(visible, _DROP)
        origin: list[int] | None = [kept[i] for i in kept2]
        joined = _dehyphenate(canonical)
        if joined is not None:
            canonical, kept3 = joined
            origin = [origin[i] for i in kept3]
        canonical = _unwrap(canonical)
    else:
        canonical, origin = text, None
    retracted = _merged(_retracted(canonical) + _quote_marks(canonical) + _hl7_segments(canonical))
    if retracted:
        canonical, kept4 = _delete_spans(canonical, retracted)
        base = origin if origin is not None else range(len(text))
        origin = [base[i] for i in kept4]
    corrected = _correct(canonical)
    if corrected is not None:
        canonical, where = corrected
        base = origin if origin is not None else range(len(text))
        origin = [base[i] for i in where]
    hits = _shorthand_matches(canonical)
    spoken = _spoken_marks(canonical)
    if spoken:
        hits = _without_overlaps(sorted(hits + spoken))
    if not hits:
        return NormalizedText(text, canonical, None if origin is None else tuple(origin))
    out, where = _expand(canonical, hits)
    base = origin if origin is not None else range(len(canonical))
    return NormalizedText(text, out, tuple(base[i] for i in where))


def _expand(text: str, hits: list[tuple[int, int, str, bool]]) -> tuple[str, list[int]]:
    """Every short form replaced by its expansion (case follows the short form, except for acronyms, whose
    rules are case-sensitive); the source offset of every character.

    The characters of an expansion map onto the short form in order, the last one onto its last character,
    so a span over the expansion maps back to exactly the short form.
    """
    pieces: list[str] = []
    where: list[int] = []
    pos = 0
    for start, end, expansion, acronym in hits:
        short = text[start:end]
        if not acronym and short.isupper() and len(short) > 1 and short.strip().isalpha():
            expansion = expansion.upper()
        elif not acronym and short[:1].isupper() and expansion[:1].islower():
            expansion = expansion[0].upper() + expansion[1:]
        pieces.append(text[pos:start])
        where.extend(range(pos, start))
        n = end - start
        pieces.append(expansion)
        where.extend(start + min(i, n - 1) for i in range(len(expansion) - 1))
        where.append(end - 1)
        pos = end
    pieces.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(pieces), where


# Text the author took back, as written: struck through ("~~L5-S1~~ L4-L5", "~~[X]~~ [ ]"), an editor's note
# that it was removed ("[L4/5 template text removed]"), or retracted in
# dictation ("C5-C6, no, scratch that, C6-C7", "the right side, actually both sides", "on the R, sorry, L side").
# Only a short clause that names a level or a side, replaced right after the cue by another level or side, is
# taken as retracted, from its first level or side word to the cue; everything else stays as written. The cue and
# editor's-note words are in `lexicons/shorthand.yaml` (`retraction`).


@lru_cache(maxsize=1)
def _retraction_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Struck-through text and editor's notes; dictated retraction cues (`retraction` in the shorthand table)."""
    r = _lexicon().retraction
    struck = re.compile(r"~~[^~\n]{1,80}~~[ \t]?|[ \t]?\[[^\]\n]{0,60}\b" + alternation(r.removed_words) + r"\]", re.I)
    cue = re.compile(
        r",[ \t]*(?:" + alternation(r.fillers) + r"[ \t]*,[ \t]*)?(?:(?:no|nope)[ \t]*,[ \t]*)?"
        + alternation(r.cues) + r"\b[ \t]*[,:;-]?[ \t]*|,[ \t]*(?:no|nope)[ \t]*,[ \t]*", re.I)
    return struck, cue


_TAKEN_BACK = re.compile(
    r"\b[CTLS][ \t]?\d|\b(?:right|left|bilat\w*|both[ \t]+sides)\b|(?<![\w/])(?-i:R|L|Rt|Lt)(?![\w/])", re.I)
_CLAUSE_START = re.compile(r"[,.;:(\n*]")
_LIST_BEFORE = re.compile(r"\b[CTLS]\d{1,2}(?:[ \t]*[-/][ \t]*[CTLS]?\d{1,2})?[ \t]*(?:,|and|&)[ \t]*$", re.I)
RETRACTED_MAX_CHARS = 48
REPLACEMENT_WITHIN = 30


# E-mail quoting: the "> " / ">> " that opens every line of a quoted message (two or more lines in a row).
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)


def _quote_marks(text: str) -> list[tuple[int, int]]:
    """The quote marks of quoted e-mail lines, so the quoted note reads as written (headers, sentences)."""
    found = list(_QUOTED_LINE.finditer(text)) if ">" in text else []
    if len(found) < 2:
        return []
    marks, line, pos = [], 0, 0
    for m in found:  # line numbers counted once, left to right
        line += text.count("\n", pos, m.start())
        pos = m.start()
        marks.append((line, m.span()))
    lines = {n for n, _ in marks}
    return [span for line, span in marks if line - 1 in lines or line + 1 in lines]


def _hl7_segments(text: str) -> list[tuple[int, int]]:
    """Segment prefixes and suffixes of an HL7 text export, and the break inside a word cut between segments."""
    if "||" not in text or _HL7.search(text) is None:
        return []
    spans = [m.span() for m in _HL7.finditer(text)]
    for m in _HL7_SUFFIX.finditer(text):
        nxt = _HL7.match(text, m.end() + 1) if m.end() < len(text) else None
        cut = nxt is not None and m.start() > 0 and text[m.start() - 1].isalpha()
        if cut and nxt is not None and text[nxt.end() : nxt.end() + 1].islower():
            spans.append((m.start(), nxt.end()))  # "medial bran|||||||F" / "OBX|7|TX|...||ches": one word
        else:
            spans.append(m.span())
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _retracted(text: str) -> list[tuple[int, int]]:
    """Spans of struck-through and retracted words (see `_retraction_patterns`), in order."""
    struck, cues = _retraction_patterns()
    spans = [m.span() for m in struck.finditer(text)] if "~~" in text or "[" in text else []
    for cue in cues.finditer(text):
        lo = max(cue.start() - RETRACTED_MAX_CHARS, 0)
        start = max((m.end() for m in _CLAUSE_START.finditer(text, lo, cue.start())), default=lo)
        while start < cue.start() and text[start] in " \t":
            start += 1
        taken = _TAKEN_BACK.search(text, start, cue.start())
        if taken is None:
            continue  # the clause names no level or side
        start = taken.start()  # from the first level or side word: the clause's other words stay
        while (m := _LIST_BEFORE.search(text, max(0, start - 16), start)) is not None:
            start = m.start()  # "L2-3, L3-4, L4-5, no, scratch that, ...": the whole list is taken back
        if not _TAKEN_BACK.match(text, cue.end()) and not _TAKEN_BACK.search(
                text, cue.end(), min(len(text), cue.end() + REPLACEMENT_WITHIN)):
            continue
        spans.append((start, cue.end()))
    return _merged(spans)


# A word hyphenated across a line break by a word processor ("medi-" / "al branch").
_BROKEN_WORD = re.compile(r"([A-Za-z]{2,})-\n[ \t]*([a-z]{2,})")


def _dehyphenate(text: str) -> tuple[str, list[int]] | None:
    """Words split by a hyphen at a line end written whole, when the whole word is one the lexicons know
    and the halves are not (so "post-" / "procedure" and "medial-" / "branch" keep their hyphen)."""
    known = _known_words()
    spans = [(m.end(1), m.start(2)) for m in _BROKEN_WORD.finditer(text)
             if (m.group(1) + m.group(2)).lower() in known
             and not (m.group(1).lower() in known and m.group(2).lower() in known)]
    return _delete_spans(text, spans) if spans else None


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    spelling = _lexicon().spelling
    return frozenset({w.lower() for w in spelling.words} | _lexicon_words())


def _delete(text: str, pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """`text` without the matches of `pattern`, and the source offset of each kept character."""
    return _delete_spans(text, [m.span() for m in pattern.finditer(text)])


def _delete_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` without the (ordered, disjoint) `spans`, and the source offset of each kept character."""
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for start, end in spans:
        pieces.append(text[pos:start])
        kept.extend(range(pos, start))
        pos = end
    pieces.append(text[pos:])
    kept.extend(range(pos, len(text)))
    return "".join(pieces), kept


def restore_evidence(model: BaseModel, norm: NormalizedText) -> None:
    """Rewrite, in place, every Evidence inside `model` to offsets and text of the original note.

    Facts share Evidence objects (an agent's span is also the intent's evidence), so each object is
    rewritten once.
    """
    if not norm.changed:
        return
    _walk(model, norm, set())


def _walk(obj: object, norm: NormalizedText, done: set[int]) -> None:
    if isinstance(obj, Evidence):
        if id(obj) in done:
            return
        done.add(id(obj))
        start, end = norm.span(obj.start, obj.end)
        obj.start, obj.end, obj.text = start, end, norm.original[start:end]
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _walk(getattr(obj, name), norm, done)
    elif isinstance(obj, list):
        for item in obj:
            _walk(item, norm, done)
