"""Metamorphic relations: text transformations whose effect on the claim lines is known in advance.

Each transformation is a pure, deterministic `str -> str` function. An *invariant* one (layout, case,
headers, shorthand, typos, distractor sentences) must leave the claim lines unchanged; a *must-change*
one (side flip, imaging negation, one-sided -> bilateral) must change them exactly as its `expect`
function says. Claim lines are compared as the sorted multiset of (cpt, modifiers, units).

    from pipelines.metamorphic import RELATIONS, analyze_originals, check_relation
    originals = analyze_originals(analyzer, items)          # note_id -> NoteResult, computed once
    report = check_relation(analyzer, "upper_case", items, originals)

A relation applies to a note only where it is meaningful: the transformed text must differ from the
original, and a must-change relation must predict a different set of lines. Every other note is
recorded as skipped, with the reason. Reports hold note ids and claim lines only, never note text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nlp.api import Analyzer
from nlp.schema import NoteResult

Line = tuple[str, tuple[str, ...], int]
Lines = tuple[Line, ...]
Transform = Callable[[str], str]
Expect = Callable[[Lines], Lines]
Applies = Callable[[str, NoteResult], str | None]  # None when the relation applies, else the skip reason

FACET_CODES = frozenset({"64490", "64491", "64492", "64493", "64494", "64495",
                         "0213T", "0214T", "0215T", "0216T", "0217T", "0218T"})
PASS_RATE = 0.99


def claim_key(result: NoteResult) -> Lines:
    """The claim lines of a result as a sorted multiset of (cpt, modifiers, units)."""
    return tuple(sorted((c.cpt, tuple(c.modifiers), c.units) for c in result.claim_lines))


# ----------------------------------------------------------------------------- helpers

def _case_like(source: str, replacement: str) -> str:
    """`replacement` written in the case of `source` (UPPER, Capitalised or lower)."""
    if source.isupper() and len(source) > 1:
        return replacement.upper()
    if source[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _sub_words(text: str, table: Sequence[tuple[str, str]]) -> str:
    """Replace each regex of `table` (case-insensitive) by its replacement, keeping the source's case."""
    for pattern, replacement in table:
        text = re.sub(pattern, lambda m, r=replacement: _case_like(m.group(0), r), text, flags=re.IGNORECASE)
    return text


def _append(text: str, paragraph: str) -> str:
    """`text` with `paragraph` added as a new last paragraph."""
    return text.rstrip("\n") + "\n\n" + paragraph + "\n"


# A spinal level or a range of levels as written: L4-L5, L4-5, L45, L5S1, L4/5, C7 - T1.
_LEVEL = re.compile(r"\b[CTLS]\d{1,2}(?:\s*[-/\u2013]\s*[CTLS]?\d{1,2}|[CTLS]\d)?\b")
# Where a clause ends: a sentence stop, a line end, or a run-on comma before a capitalised word.
_CLAUSE_END = re.compile(r"\.(?=\s|$)|;|\n|,\s+(?=[A-Z][a-z])")

# ----------------------------------------------------------------------------- section headers

_LABEL_LINE = re.compile(r"^(?P<lead>[ \t]*(?:[-*\u2022][ \t]+)?)(?P<label>[A-Za-z][A-Za-z /&()#'-]{0,45}?)"
                         r"(?P<colon>[ \t]*:[ \t]*|[ \t]*$)", re.MULTILINE)
# Narrative section headers whose content reads on its own once the label is gone.
_DROPPABLE = re.compile(
    r"(?:pre-?|post-?)?(?:operative |procedure |op )?diagnos[ie]s|preop diagnoses|dx|"
    r"procedures?(?: performed| description| details?| in detail)?|description(?: of procedure)?|technique|"
    r"indications?|(?:clinical |interval |social |past medical )?history(?: / indication)?|hpi|hx|"
    r"history of present illness|chief complaint|reason for consultation|findings|assessment|plan|"
    r"follow[- ]?up|post[- ]?procedure|post|consent|informed consent|(?:focused |physical )?exam(?:ination)?|"
    r"(?:current )?medications|meds|allergies|all|disposition|dispo|(?:discharge )?instructions|instr|"
    r"review of systems", re.IGNORECASE)
_INDICATION = re.compile(r"indications?|(?:clinical |interval )?history(?: / indication)?|hpi|hx|"
                         r"history of present illness|reason for (?:procedure|consultation)", re.IGNORECASE)
_TECHNIQUE = re.compile(r"technique|procedure description|procedure details?|procedure in detail|"
                        r"description(?: of procedure)?", re.IGNORECASE)
# Header synonyms common in procedure notes (lower-case label -> synonym).
HEADER_SYNONYMS: dict[str, str] = {
    "procedure": "operation", "procedures": "operation", "procedure performed": "operation",
    "procedures performed": "operation",
    "indication": "reason for procedure", "indications": "reason for procedure",
    "history / indication": "reason for procedure", "hpi": "history of present illness", "hx": "history",
    "history": "clinical history",
    "technique": "description of procedure", "procedure description": "description of procedure",
    "procedure details": "description of procedure", "procedure in detail": "description of procedure",
    "description of procedure": "technique", "description": "technique",
    "preoperative diagnosis": "pre-op diagnosis", "pre-procedure diagnosis": "pre-op diagnosis",
    "postoperative diagnosis": "post-op diagnosis", "diagnosis": "diagnoses",
    "sedation": "anesthesia", "anesthesia": "sedation", "complications": "adverse events",
    "disposition": "discharge", "plan": "recommendations", "consent": "informed consent",
    "informed consent": "consent", "exam": "physical examination", "physical exam": "physical examination",
    "physical examination": "exam", "post-procedure": "recovery", "post procedure": "recovery",
    "postprocedure": "recovery", "medications": "home medications", "current medications": "home medications",
}


def _is_header(match: re.Match[str], vocabulary: re.Pattern[str] | None = None) -> bool:
    """Whether a `_LABEL_LINE` match is a section header (of `vocabulary` when given)."""
    label = match.group("label").strip()
    if not label:
        return False
    if vocabulary is not None:
        return vocabulary.fullmatch(label) is not None
    if match.group("colon").strip():
        return len(label.split()) <= 5
    words = label.split()  # a standalone line: every word capitalised, no sentence punctuation
    return len(words) <= 5 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _style_like(label: str, synonym: str) -> str:
    """`synonym` in the style of `label`: UPPER, Title Case or Sentence case."""
    if label.isupper():
        return synonym.upper()
    words = [w for w in label.split() if w[:1].isalpha()]
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in synonym.split())
    return synonym[:1].upper() + synonym[1:]


# ----------------------------------------------------------------------------- invariant transformations

def doubled_spaces(text: str) -> str:
    """Every single space between two words becomes two spaces."""
    return re.sub(r"(?<=\S) (?=\S)", "  ", text)


def tabs_for_spaces(text: str) -> str:
    """Every third space between two words becomes a tab."""
    count = 0

    def repl(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "\t" if count % 3 == 0 else " "

    return re.sub(r"(?<=\S) (?=\S)", repl, text)


def nbsp_for_spaces(text: str) -> str:
    """Every space becomes a non-breaking space (U+00A0)."""
    return text.replace(" ", "\u00a0")


def trailing_blanks(text: str) -> str:
    """Three trailing spaces on every line (blank lines become whitespace-only lines)."""
    return re.sub(r"(?m)$", "   ", text.rstrip("\n")) + ("\n" if text.endswith("\n") else "")


def crlf_line_endings(text: str) -> str:
    """Windows CRLF line endings instead of LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def drop_header_labels(text: str) -> str:
    """Narrative section labels ('PROCEDURE:', 'Indications') are removed; their content stays."""

    def repl(m: re.Match[str]) -> str:
        if not _is_header(m, _DROPPABLE):
            return m.group(0)
        rest = m.string[m.end():m.end() + 1]
        if m.group("colon").strip() and rest not in ("", "\n"):
            return m.group("lead")
        return "\0"  # a header alone on its line: the line is removed with its newline below

    out = _LABEL_LINE.sub(repl, text)
    return re.sub(r"[ \t]*(?:[-*\u2022][ \t]+)?\0[ \t]*\n?", "", out)


def rename_headers(text: str) -> str:
    """Section headers are renamed to common synonyms ('Procedure performed' -> 'Operation')."""

    def repl(m: re.Match[str]) -> str:
        label = m.group("label").strip()
        synonym = HEADER_SYNONYMS.get(label.lower())
        if synonym is None or not _is_header(m):
            return m.group(0)
        return m.group("lead") + _style_like(label, synonym) + m.group("colon")

    return _LABEL_LINE.sub(repl, text)


def one_paragraph(text: str) -> str:
    """All line breaks (and blank lines) become single spaces: one paragraph."""
    return re.sub(r"[ \t]*\n\s*", " ", text.strip()) + "\n"


def hard_wrap_60(text: str) -> str:
    """Every line is hard-wrapped at 60 columns (words and level names are never split)."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= 60:
            out.append(line)
            continue
        indent = re.match(r"[ \t]*(?:[-*\u2022][ \t]+)?", line).group(0)  # type: ignore[union-attr]
        out.extend(textwrap.wrap(line, 60, subsequent_indent=" " * len(indent), break_long_words=False,
                                 break_on_hyphens=False))
    return "\n".join(out)


def upper_case(text: str) -> str:
    """The whole note in UPPER CASE."""
    return text.upper()


def lower_case(text: str) -> str:
    """The whole note in lower case."""
    return text.lower()


def bullets(text: str) -> str:
    """'- ' before every non-empty line that is not already a bullet."""
    return re.sub(r"(?m)^([ \t]*)(?![-*\u2022][ \t])(?=\S)", r"\1- ", text)


def en_dash_ranges(text: str) -> str:
    """Hyphens inside level ranges become en dashes (L4-L5 -> L4\u2013L5, C5-6 -> C5\u20136)."""
    pattern = re.compile(r"\b([CTLS]\d{1,2})(\s*)-(\s*)(?=[CTLS]?\d{1,2}\b)")
    previous = None
    while previous != text:  # chains such as L3-L4-L5
        previous, text = text, pattern.sub("\\1\\2\u2013\\3", text)
    return text


_HISTORY_LEVELS = {"thoracic": "T6-T7", "cervical": "C3-C4", "lumbar": "L2-L3"}


def _regions_named(text: str) -> set[str]:
    """Spinal regions a note names, by vertebra letters and region words."""
    named = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "lumbar"}
    regions = {named[m.group(0)[0]] for m in re.finditer(r"\b[CTLS]\d{1,2}\b|\b[CTLS]\d(?=[CTLS]\d)", text)}
    lowered = text.lower()
    regions |= {r for r in ("cervical", "thoracic", "lumbar") if r in lowered}
    if "thoracolumbar" in lowered:
        regions |= {"thoracic", "lumbar"}
    if "neck" in lowered or "occipital" in lowered:
        regions.add("cervical")
    if "low back" in lowered or "sacr" in lowered:
        regions.add("lumbar")
    return regions


def append_history(text: str) -> str:
    """Appends a history paragraph of prior blocks (both intents) at levels of a region the note never names."""
    free = [r for r in ("thoracic", "cervical", "lumbar") if r not in _regions_named(text)]
    if not free:
        return text
    level = _HISTORY_LEVELS[free[0]]
    return _append(text, f"History: two prior diagnostic medial branch blocks at {level} in 2022 gave 40% "
                         f"relief, and a therapeutic intra-articular facet injection at {level} in 2023 gave "
                         "50% relief for 2 months.")


LOCALIZER = "Scout localizer images were obtained from T10 through S1."


def insert_localizer(text: str) -> str:
    """Inserts a localizer sentence with a level range before the positioning ('prone') sentence, else appends it."""
    m = re.search(r"[^.\n,]*\bprone\b", text, re.IGNORECASE)
    if m is None:
        return _append(text, LOCALIZER)
    lead = re.match(r"[ \t]*(?:[-*\u2022][ \t]+)?(?:[A-Za-z][A-Za-z /-]{0,40}:)?[ \t]*", m.group(0))
    start = m.start() + len(lead.group(0))  # type: ignore[union-attr]
    return text[:start] + LOCALIZER + " " + text[start:]


# Shorthand a coder reads without hesitation. Each is word-bounded and keeps the source's case.
SHORTHAND: tuple[tuple[str, str], ...] = (
    (r"\bbilaterally\b|\bbilateral\b", "bilat"),                 # "bilat L4-5 MBB"
    (r"\bfluoroscopic\b|\bfluoroscopy\b", "fluoro"),             # "under fluoro guidance"
    (r"\bmedial branch blocks\b", "MBBs"),                       # standard abbreviation
    (r"\bmedial branch block\b", "MBB"),
    (r"\bbupivacaine\b", "bupi"),                                # injectate shorthand
    (r"\blidocaine\b", "lido"),
    (r"\bphysical therapy\b", "PT"),
    (r"\bwithout\b", "w/o"),
    (r"\bwith\b", "w/"),
)


def shorthand(text: str) -> str:
    """Common shorthand: bilat, fluoro, MBB, bupi, lido, PT, w/ and w/o, Rt/Lt directly before a level."""
    out = _sub_words(text, SHORTHAND)
    # Rt/Lt only directly before a level ("Rt L5-S1", "Rt and Lt L4-5"), always in this case (never "RT", the
    # modifier); a pair joined by "and" is abbreviated together, never as "right and Lt".
    side = r"\b(?:right|left)(?:\s+and\s+(?:right|left))?(?= [CTL]\d)"
    return re.sub(side, lambda m: re.sub(r"(?i)right", "Rt", re.sub(r"(?i)left", "Lt", m.group(0))), out,
                  flags=re.IGNORECASE)


# Misspellings a reader still reads at once (each kept in the source's case).
TYPOS: tuple[tuple[str, str], ...] = (
    (r"\bfluoroscop(?=\w)", "fluroscop"),       # fluroscopy, fluroscopic
    (r"\bmedial branch", "medial brnach"),
    (r"\bbilateral\b", "bilatral"),
    (r"\binjection", "injeciton"),
    (r"\blumbar\b", "lumber"),
)


def typos(text: str) -> str:
    """Common typos: fluroscopy, medial brnach, bilatral, injeciton, lumber."""
    return _sub_words(text, TYPOS)


def _header_lines(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, indent width, label) of every section-header line."""
    found = []
    for i, line in enumerate(lines):
        m = _LABEL_LINE.match(line)
        if m is not None and _is_header(m) and (m.group("colon").strip() or i == 0 or not lines[i - 1].strip()):
            found.append((i, len(m.group("lead")), m.group("label").strip()))
    return found


def _section(headers: list[tuple[int, int, str]], n_lines: int, vocabulary: re.Pattern[str]) -> tuple[int, int] | None:
    """[start, end) line range of the first section whose header is in `vocabulary`."""
    for k, (start, indent, label) in enumerate(headers):
        if vocabulary.fullmatch(label):
            end = next((i for i, ind, _ in headers[k + 1:] if ind <= indent), n_lines)
            return start, end
    return None


def reorder_sections(text: str) -> str:
    """The indication/history section is moved after the technique section (notes with headers only)."""
    lines = text.split("\n")
    headers = _header_lines(lines)
    indication = _section(headers, len(lines), _INDICATION)
    technique = _section(headers, len(lines), _TECHNIQUE)
    if indication is None or technique is None or indication[1] > technique[0]:
        return text
    (i0, i1), (_, t1) = indication, technique
    moved, technique_block = lines[i0:i1], lines[i1:t1]
    if moved and not moved[-1].strip() and technique_block and technique_block[-1].strip():
        moved, technique_block = moved[:-1], [*technique_block, ""]  # keep the blank line between sections
    return "\n".join(lines[:i0] + technique_block + moved + lines[t1:])


ADDENDUM = "Addendum: the above procedure note is reviewed and accurate."


def append_addendum(text: str) -> str:
    """Appends an addendum paragraph that only restates the note is accurate."""
    return _append(text, ADDENDUM)


# ----------------------------------------------------------------------------- must-change transformations

_NOT_SIDE = r"(?!\s+(?:in place|home|the (?:room|clinic|department|office|building)))"


def flip_side(text: str) -> str:
    """'right' and 'left' are swapped everywhere (case kept); 'bilateral' is untouched."""
    return re.sub(r"\b(right|left)\b" + _NOT_SIDE,
                  lambda m: _case_like(m.group(1), "left" if m.group(1).lower() == "right" else "right"),
                  text, flags=re.IGNORECASE)


def expect_flipped(lines: Lines) -> Lines:
    """RT and LT modifiers swapped; everything else unchanged."""
    swap = {"RT": "LT", "LT": "RT"}
    return tuple(sorted((cpt, tuple(swap.get(m, m) for m in mods), units) for cpt, mods, units in lines))


_SIDE = r"(?:right|left)"
_BILATERAL: tuple[tuple[str, str], ...] = (
    (rf"\b(?:on|to) the {_SIDE}(?: and (?:the )?{_SIDE})?(?: sides?)?\b", "on both sides"),
    (rf"\b{_SIDE} and {_SIDE}\b", "bilateral"),
    (rf"\b{_SIDE}[- ]sided\b", "bilateral"),
    (rf"\b{_SIDE}\b(?! of\b){_NOT_SIDE}", "bilateral"),
)


def make_bilateral(text: str) -> str:
    """Every one-sided side word becomes bilateral ('on the right' -> 'on both sides', 'left' -> 'bilateral')."""
    return _sub_words(text, _BILATERAL)


def expect_bilateral(lines: Lines) -> Lines:
    """Every RT or LT modifier becomes 50; codes, other modifiers and units unchanged."""
    return tuple(sorted((cpt, tuple("50" if m in ("RT", "LT") else m for m in mods), units)
                        for cpt, mods, units in lines))


NO_IMAGING = "No fluoroscopy or other imaging guidance was used."
_MODALITY = (r"(?:fluoroscop\w*|fluoro\b|CT\b|computed tomography|ultrasound|sonograph\w*|image intensifier|"
             r"C-arm)")
_VIEW = (r"(?:AP|lateral|oblique|contralateral|ipsilateral|axial|intermittent|live|continuous|real-time|pulsed|"
         r"planning|in-plane|out-of-plane|biplanar|and|,|\+)")
# (pattern, replacement): each removal leaves a mark where the negation sentence may go.
_IMAGING_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(?:fluoroscop\w*|CT) table\b", "procedure table"),
    (rf"\b(?:{_MODALITY} was used to identify|(?:{_VIEW}\s*)*fluoroscopic images? identified)",
     "The operator identified"),
    (r"[^.\n]*\b(?:ultrasound probe|transducer)\b[^.\n]*\.?", ""),  # a sentence about placing the probe
    (r"\b(?:the )?C-arm (?:was )?(?:positioned|brought in|rotated(?: to the (?:left|right))?)(?: and)?,?", ""),
    ((r"\b(?:an? )?(?:scout|planning) (?:image|scan)s?(?: and (?:axial )?images)?(?: through [CTLS][\d-]+)?"
      r"(?: (?:was|were) obtained(?:,? and)?| with a grid on the skin,?)|\bafter\s*(?=\x01)"), ""),
    (r"\bthe Scottie dog was identified and\b|\bto bring the Scottie dog into profile\b", ""),
    # a guidance clause: "under AP and oblique fluoroscopic guidance (AP and oblique views)", "using CT guidance"
    ((rf"\b(?:under|with|using|via|by|on)\s+(?:the\s+|an?\s+)?(?:{_VIEW}\s*)*{_MODALITY}"
      r"(?:[ -](?:guidance|guided|control|imaging|images?|views?|visualization|and digital subtraction|"
      r"with contralateral oblique tilt))*(?:\s*\([^()]*\b(?:views?|probe|approach|plane)\b[^()]*\))?"), ""),
    (rf"\b{_MODALITY}[- ]guided\b|\bfluoroscopically guided\b", ""),
    # views and images named without the modality: "in AP and oblique views", "and then a lateral view"
    ((rf"\b(?:in|on|with|using|under|and then|then)\s+(?:the\s+|an?\s+)?(?:(?:{_VIEW}|ultrasound|CT)\s*)*"
      r"(?:views?|images?)(?: (?:was |were )?obtained)?\b"), ""),
    (rf"\ban? (?:(?:{_VIEW})\s*)+views? (?:was )?obtained\b", "the needle was directed"),
    (r"\b(?:CPT\s*)?(?:77003|77012|76942)\b", ""),
    (r"(?<=[;,])\s*(?:fluoroscopy|fluoro)(?=\s*[,;)\n])", ""),                  # list items: "...; fluoroscopy, CPT"
)
# A clause that still reports imaging but names no level is removed whole.
_IMAGING_ONLY = re.compile(r"\b(?:images?|views?|c-arm|image intensifier|fluoroscop\w*|fluoro|ultrasound|CT|"
                           r"scottie dog|digital subtraction|radiograph\w*|planning scan)\b", re.IGNORECASE)
_CUT = "\x01"  # marks a removal until the negation sentence is placed


def _clauses(line: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a line, its separator included."""
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(line):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


def _tidy(line: str) -> str:
    """A line after removals: no marks, doubled spaces or orphaned punctuation."""
    line = re.sub(rf"[ \t]*{_CUT}+[ \t]*", " ", line)
    line = re.sub(r"^([ \t]*(?:[-*][ \t]+)?)[ \t]*[,;][ \t]*", r"\1", line)
    line = re.sub(r"[ \t]+(?=[,.;:)])|(?<=\()[ \t]+|\(\s*\)", "", line)
    line = re.sub(r",(?:\s*,)+", ",", line)
    line = re.sub(r",\s*(?=[.;)])|(?<=\(),\s*", "", line)
    line = re.sub(r";\s*,\s*", "; ", line)
    line = re.sub(r"(?<=[:.])[ \t]*,[ \t]*", " ", line)
    return re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", line).rstrip()


def negate_imaging(text: str) -> str:
    """Imaging-guidance mentions are removed and one sentence says no fluoroscopy or imaging guidance was used."""
    out = text
    for pattern, replacement in _IMAGING_PHRASES:
        out = re.sub(pattern, _CUT + replacement, out, flags=re.IGNORECASE)
    lines = []
    for line in out.split("\n"):
        kept = [line[s:e] if not (_IMAGING_ONLY.search(line[s:e]) and not _LEVEL.search(line[s:e])) else _CUT
                for s, e in _clauses(line)]
        lines.append("".join(kept))
    out = "\n".join(lines)
    first = out.find(_CUT)
    if first < 0:
        return text
    stop = re.compile(r"\.(?=\s|$)|;|\n").search(out, first)
    comma = out.find(", ", first)
    if (stop is None or stop.start() - first > 300) and comma >= 0:  # run-on note: a clause of the same kind
        out = out[:comma] + ", no fluoroscopy or other imaging guidance was used" + out[comma:]
    elif stop is None or stop.group(0) == "\n":  # the line ends the clause: close it with a full stop
        at = len(out) if stop is None else stop.start()
        out = out[:at] + _CUT + ". " + NO_IMAGING + out[at:]
    elif stop.group(0) == ";":
        out = out[:stop.end()] + " no fluoroscopy or other imaging guidance was used;" + out[stop.end():]
    else:
        out = out[:stop.end()] + " " + NO_IMAGING + out[stop.end():]
    lines = [_tidy(line) if _CUT in line else line for line in out.split("\n")]
    # a line that held only imaging (e.g. a bullet) goes with its removal
    lines = [line for line, before in zip(lines, out.split("\n"), strict=True)
             if not (_CUT in before and not re.sub(r"[-*\s]", "", line))]
    return "\n".join(lines).replace("..", ".")


def expect_no_facet_lines(lines: Lines) -> Lines:
    """No facet line (64490-64495, 0213T-0218T) is left; other lines unchanged."""
    return tuple(line for line in lines if line[0] not in FACET_CODES)


# ----------------------------------------------------------------------------- registry

def _same(lines: Lines) -> Lines:
    return lines


def _always(text: str, original: NoteResult) -> str | None:
    return None


def _documents_guidance(text: str, original: NoteResult) -> str | None:
    return None if original.imaging.modality in ("fluoroscopy", "ct") else "no fluoroscopy or CT documented"


@dataclass(frozen=True)
class Relation:
    """A transformation with its expected effect on the claim lines."""

    name: str
    transform: Transform
    kind: Literal["invariant", "must_change"] = "invariant"
    expect: Expect = _same
    applies: Applies = _always


RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("doubled_spaces", doubled_spaces),
    Relation("tabs_for_spaces", tabs_for_spaces),
    Relation("nbsp_for_spaces", nbsp_for_spaces),
    Relation("trailing_blanks", trailing_blanks),
    Relation("crlf_line_endings", crlf_line_endings),
    Relation("drop_header_labels", drop_header_labels),
    Relation("rename_headers", rename_headers),
    Relation("one_paragraph", one_paragraph),
    Relation("hard_wrap_60", hard_wrap_60),
    Relation("upper_case", upper_case),
    Relation("lower_case", lower_case),
    Relation("bullets", bullets),
    Relation("en_dash_ranges", en_dash_ranges),
    Relation("append_history", append_history),
    Relation("insert_localizer", insert_localizer, applies=_documents_guidance),
    Relation("shorthand", shorthand),
    Relation("typos", typos),
    Relation("reorder_sections", reorder_sections),
    Relation("append_addendum", append_addendum),
    Relation("flip_side", flip_side, "must_change", expect_flipped),
    Relation("negate_imaging", negate_imaging, "must_change", expect_no_facet_lines),
    Relation("make_bilateral", make_bilateral, "must_change", expect_bilateral),
)}
TRANSFORMS: dict[str, Transform] = {name: r.transform for name, r in RELATIONS.items()}


# ----------------------------------------------------------------------------- running

@dataclass
class TransformReport:
    """How one relation held over a set of notes (ids and claim lines only)."""

    name: str
    kind: str
    notes: int = 0  # notes the relation applied to
    held: int = 0  # unchanged (invariant) or changed exactly as expected (must-change)
    failed: list[dict[str, Any]] = field(default_factory=list)  # {note_id, original, transformed, expected}
    skipped: list[dict[str, str]] = field(default_factory=list)  # {note_id, reason}

    @property
    def changed(self) -> int:
        return self.notes - self.held

    @property
    def rate(self) -> float:
        return self.held / self.notes if self.notes else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "notes": self.notes, "held": self.held,
                "changed": self.changed, "rate": round(self.rate, 4), "failed": self.failed,
                "skipped": self.skipped}


def _as_json(lines: Lines) -> list[list[Any]]:
    return [[cpt, list(mods), units] for cpt, mods, units in lines]


def bundled_notes(root: str | Path) -> list[tuple[str, str]]:
    """(note_id, text) of the golden fixtures and the development corpus under a repository root."""
    root = Path(root)
    paths = sorted((root / "tests" / "fixtures" / "golden").glob("*.txt"))
    paths += sorted((root / "data" / "corpus" / "notes").glob("*.txt"))
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def analyze_originals(analyzer: Analyzer, items: Iterable[tuple[str, str]]) -> dict[str, NoteResult]:
    """note_id -> result on the original text (compute once, share across relations)."""
    return {r.note_id: r for r in analyzer.analyze_many(items)}


def check_relation(analyzer: Analyzer, name: str, items: Sequence[tuple[str, str]],
                   originals: Mapping[str, NoteResult]) -> TransformReport:
    """Apply relation `name` to every note it is meaningful for and compare the claim lines."""
    relation = RELATIONS[name]
    report = TransformReport(name, relation.kind)
    todo: list[tuple[str, str]] = []
    expected: dict[str, Lines] = {}
    for note_id, text in items:
        original = originals[note_id]
        transformed = relation.transform(text)
        reason = relation.applies(text, original)
        if reason is None and transformed == text:
            reason = "transformation leaves the text unchanged"
        want = relation.expect(claim_key(original))
        if reason is None and relation.kind == "must_change" and want == claim_key(original):
            reason = "expected lines equal the original lines"
        if reason is not None:
            report.skipped.append({"note_id": note_id, "reason": reason})
            continue
        todo.append((note_id, transformed))
        expected[note_id] = want
    for result in analyzer.analyze_many(todo):
        report.notes += 1
        got = claim_key(result)
        if got == expected[result.note_id]:
            report.held += 1
        else:
            report.failed.append({"note_id": result.note_id, "original": _as_json(claim_key(originals[result.note_id])),
                                  "transformed": _as_json(got), "expected": _as_json(expected[result.note_id])})
    return report


def run_metamorphic(analyzer: Analyzer, items: Sequence[tuple[str, str]],
                    names: Iterable[str] | None = None) -> dict[str, TransformReport]:
    """Every relation (or those named) over `items`, each original analysed once."""
    originals = analyze_originals(analyzer, items)
    return {name: check_relation(analyzer, name, items, originals) for name in (names or RELATIONS)}
