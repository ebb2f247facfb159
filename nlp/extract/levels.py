"""Spinal levels + laterality: the facet joints treated in a note, each with its side and evidence.

Two layers:
* pure text parsing, testable without a pipeline: `parse_level_mentions` (joints, ranges, lists),
  `parse_nerve_mentions` (medial-branch / dorsal-ramus / third-occipital nerve lists),
  `nerves_to_joints` (nerve -> joint anatomy, R-LEVEL-3..5), `parse_side_phrases`, `attach_sides`;
* `extract_levels(view)`: keeps the mentions of sentences that describe today's facet procedure,
  merges them per joint and settles sides stated elsewhere (procedure header, "Side:" field,
  "repeated on the left", "the other side", a short side-only sentence right after the levels:
  "These were all done on the left."). In a note that blocks the sacroiliac lateral branches the
  L5 dorsal ramus is an SI target and maps to no facet joint. Survey / localizer / scout images
  ("AP scout L1 to S1 for level count") give no levels.
* `extract_levels_and_doubts(view)`: the same levels and the review reasons they raise. Every item
  has a role: the procedure line (title, "Procedure:" line, time-out, level/side/nerve fields), the
  technique (a sentence that says what was done), another statement about today's block, or a
  signed addendum. When the procedure line and the technique disagree, the technique wins and
  LEVELS_CONFLICT is raised; an addendum that corrects a level or side wins over the body and raises
  ADDENDUM_CHANGES_FACT; one that only restates changes nothing (Engine conventions, 2026-12-03).

Lookup data lives in `lexicons/levels.yaml`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from nlp.extract.doubts import ADDENDUM_CHANGES_FACT, LEVELS_CONFLICT, doubt
from nlp.extract.procedure import performs_si_lateral_branch_block, si_nerve_sentence
from nlp.extract.view import (
    EARLIER_NOTE,
    NOT_PERFORMED_SECTIONS,
    PROCEDURE_SECTIONS,
    Mention,
    NoteView,
    Sentence,
    box_state,
    header_categories,
    labels_box_row,
    option_list_spans,
    quoted_message_start,
    unticked_row,
)
from nlp.resources import read_yaml
from nlp.validation import Regex
from nlp.schema import Evidence, Level, ReviewReason, Side, region_of_joint

LEXICON = "lexicons/levels.yaml"

SideValue = Literal["left", "right", "bilateral"]
# Where an item is written: the procedure line ("title"), a sentence that says what was done (a
# performed cue: "needles were advanced to ..."), any other sentence about today's block, an addendum.
Role = Literal["title", "technique", "body", "addendum"]
NerveKind = Literal["medial_branch", "dorsal_ramus", "third_occipital"]


# --------------------------------------------------------------------------- lexicon


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _lower_case(value: str) -> str:
    """A pattern matched against the lower-cased note must not need an upper-case letter."""
    if re.search(r"(?<!\\)[A-Z]", value):
        raise ValueError(f"expected a lower-case pattern (it is matched against the lower-cased note), got {value!r}")
    return value


LowerRegex = Annotated[Regex, AfterValidator(_lower_case)]
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """The text with A-Z lower-cased and every other character kept: offsets stay the same."""
    return text.translate(_ASCII_LOWER)


class _SidePattern(_Strict):
    pattern: Regex
    side: SideValue
    form: Literal["adj", "adv"]


class _NerveNoun(_Strict):
    pattern: Regex
    kind: Literal["medial_branch", "dorsal_ramus"]


class _RuleIds(_Strict):
    joint: list[str]
    nerve_lumbar: list[str]
    nerve_cervical: list[str]
    third_occipital: list[str]


class LevelLexicon(_Strict):
    """Validated contents of lexicons/levels.yaml."""

    vertebrae: list[str]
    nerve_position_alias: dict[str, str]
    max_range_joints: int
    range_words: list[str]
    filler_words: list[str]
    sides: list[_SidePattern]
    nerve_nouns: list[_NerveNoun]
    third_occipital: list[Regex]
    nerve_list_words: list[str]
    nerve_region_words: list[str]
    non_side_nouns: list[Regex]
    repeat_cues: list[Regex]
    other_side_cues: list[Regex]
    other_side_verbs: list[Regex]
    facet_anchors: list[Regex]
    disqualifiers: list[Regex]
    context_cues: list[Regex]
    hypothetical_cues: list[Regex]
    generic_openers: list[str]
    facet_labels: list[str]
    strong_facet_labels: list[str]
    other_procedure_labels: list[str]
    performed_cue_labels: list[str]
    skip_sections: list[str]
    core_sections: list[str]
    field_sections: list[str]
    side_fields: list[str]
    side_statements: list[Regex]
    side_statement_max_chars: int
    side_statement_reach: int
    negated_side_prefix: Regex
    localizer_cues: list[Regex]
    localizer_gap_words: list[Regex]
    localizer_reach: int
    untreated_level_suffix: Regex
    untreated_level_prefix: Regex
    title_headers: list[LowerRegex]
    title_exam_headers: list[LowerRegex]
    site_record: LowerRegex
    title_max_chars: int
    addendum_word: LowerRegex
    addendum_ends_at: Regex
    addendum_restates: list[Regex]
    addendum_corrects: list[Regex]
    addendum_additive: list[Regex]
    negated_level_prefix: Regex
    row_not_done: Regex
    rule_ids: _RuleIds

    @field_validator("vertebrae")
    @classmethod
    def _vertebrae(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not re.fullmatch(r"[CTLS]\d{1,2}", v)]
        if bad or len(set(value)) != len(value):
            raise ValueError(f"expected unique vertebra names like L4, got {bad or value}")
        return value


def _words_re(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of the patterns as whole words."""
    body = "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.I)


@dataclass(frozen=True)
class _Compiled:
    lex: LevelLexicon
    order: dict[str, int]
    sides: tuple[tuple[re.Pattern[str], SideValue, str], ...]
    nerve_nouns: tuple[tuple[re.Pattern[str], str], ...]
    third_occipital: re.Pattern[str]
    repeat: re.Pattern[str]
    other_side: re.Pattern[str]
    other_side_verbs: re.Pattern[str]
    anchor: re.Pattern[str]
    disqualifier: re.Pattern[str]
    context: re.Pattern[str]
    hypothetical: re.Pattern[str]
    range_gap: re.Pattern[str]
    filler: frozenset[str]
    nerve_list_words: frozenset[str]
    any_side: re.Pattern[str]  # union of the side patterns: a cheap "no side word here" test
    side_field: re.Pattern[str]  # "Side:" style field names, matched at the start of a lower-cased line
    worth_parsing: re.Pattern[str]  # a joint/vertebra, third occipital nerve, repeat or other-side cue
    generic: re.Pattern[str]
    side_statement: re.Pattern[str]  # a short sentence that only states a side ("All on the left.")
    negated_side: re.Pattern[str]  # "not " right before a side phrase
    localizer: re.Pattern[str]
    localizer_gap: re.Pattern[str]  # the whole gap between a survey cue and a level is survey wording
    untreated_after: re.Pattern[str]
    untreated_before: re.Pattern[str]
    title_header: re.Pattern[str]
    title_exam_header: re.Pattern[str]
    site_record: re.Pattern[str]
    addendum: re.Pattern[str]
    addendum_ends_at: re.Pattern[str]
    addendum_restates: re.Pattern[str]
    addendum_corrects: re.Pattern[str]
    addendum_additive: re.Pattern[str]
    negated_level: re.Pattern[str]
    row_not_done: re.Pattern[str]


def _any_of(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One case-insensitive regex that matches where any of the patterns (flags i/x kept per part) would."""
    parts = [f"(?{'x' if p.flags & re.X else ''}:{p.pattern})" for p in patterns]
    return re.compile("|".join(parts), re.I)


@lru_cache(maxsize=1)
def _lexicon() -> _Compiled:
    lex = LevelLexicon.model_validate(read_yaml(LEXICON))
    wrap = r"(?<![A-Za-z0-9])(?:{})(?![A-Za-z])"
    not_patient = "|".join(f"(?:{n})" for n in lex.non_side_nouns)
    side_wrap = wrap + rf"(?![\s-]+(?:sided?[\s-]+)?(?:{not_patient})(?![A-Za-z]))"
    sides = tuple((re.compile(side_wrap.format(s.pattern), re.I), s.side, s.form) for s in lex.sides)
    nouns = tuple((re.compile(wrap.format(n.pattern), re.I), n.kind) for n in lex.nerve_nouns)
    range_words = "|".join(re.escape(w) for w in lex.range_words)
    third_occipital, repeat, other_side = (
        _words_re(lex.third_occipital), _words_re(lex.repeat_cues), _words_re(lex.other_side_cues))
    return _Compiled(
        lex=lex,
        order={v: i for i, v in enumerate(lex.vertebrae)},
        sides=sides,
        nerve_nouns=nouns,
        third_occipital=third_occipital,
        repeat=repeat,
        other_side=other_side,
        other_side_verbs=_words_re(lex.other_side_verbs),
        anchor=_words_re(lex.facet_anchors),
        disqualifier=_words_re(lex.disqualifiers),
        context=_words_re(lex.context_cues),
        hypothetical=_words_re(lex.hypothetical_cues),
        range_gap=re.compile(rf"\s*(?:{range_words}|[-\u2010-\u2014\u2212])\s*", re.I),
        filler=frozenset(w.lower() for w in lex.filler_words),
        nerve_list_words=frozenset(w.lower() for w in lex.nerve_list_words),
        generic=re.compile("|".join(f"(?:{p})" for p in lex.generic_openers), re.I),
        any_side=re.compile("|".join(f"(?:{p.pattern})" for p, _, _ in sides), re.I),
        side_field=re.compile("(?:" + "|".join(re.escape(f) for f in lex.side_fields) + r")\s*:"),
        worth_parsing=_any_of(_ATOM, third_occipital, repeat, other_side),
        side_statement=re.compile("|".join(f"(?:{p})" for p in lex.side_statements), re.I),
        negated_side=re.compile(lex.negated_side_prefix, re.I),
        localizer=_words_re(lex.localizer_cues),
        localizer_gap=re.compile(
            r"(?:[\s/]|(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{w})" for w in lex.localizer_gap_words)
            + r")(?![A-Za-z0-9]))*", re.I),
        untreated_after=re.compile(lex.untreated_level_suffix, re.I),
        untreated_before=re.compile(lex.untreated_level_prefix, re.I),
        # matched against the lower-cased note: case-sensitive scans of a 200 KB text are ~4x faster
        title_header=re.compile("(?<![a-z])(?:" + "|".join(f"(?:{p})" for p in lex.title_headers) + ")"),
        title_exam_header=re.compile("(?<![a-z])(?:" + "|".join(f"(?:{p})" for p in lex.title_exam_headers) + ")"),
        site_record=re.compile(lex.site_record),
        addendum=re.compile(rf"(?<![a-z])(?:{lex.addendum_word})(?![a-z])(?=\s*(?:[:(\-\u2013]|={{2}}|\d|by\b))"),
        addendum_ends_at=re.compile(lex.addendum_ends_at, re.M),
        addendum_restates=_words_re(lex.addendum_restates),
        addendum_corrects=_words_re(lex.addendum_corrects),
        addendum_additive=_words_re(lex.addendum_additive),
        negated_level=re.compile(lex.negated_level_prefix, re.I),
        row_not_done=re.compile(lex.row_not_done, re.I),
    )


# --------------------------------------------------------------------------- level notation

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_ATOM = re.compile(
    rf"""(?<![A-Za-z0-9.])
    (?P<l1>[CTLS])(?P<n1>\d{{1,2}})
    (?:[ \t]*(?P<sep>[{_DASH}/\\])[ \t]*(?P<l2>[CTLS])?(?P<n2>\d{{1,2}})
      |(?P<l3>[CTLS])(?P<n3>\d{{1,2}}))?
    (?![A-Za-z0-9])""",
    re.X | re.I,
)
_BARE_PAIR = re.compile(
    rf"(?P<n1>\d{{1,2}})[ \t]*[{_DASH}/][ \t]*(?P<l2>[CTLS])?(?P<n2>\d{{1,2}})(?![A-Za-z0-9])", re.I
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|&\s*)?|and\s+|&\s*|/\s*)", re.I)


@dataclass(frozen=True)
class LevelMention:
    """An explicitly written joint, range or list item: the joints it names and its span."""

    joints: tuple[str, ...]
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    upper: str  # vertebra, or the upper vertebra of a joint/range
    lower: str | None  # None for a lone vertebra


def _vertebra(letter: str, number: str) -> str:
    return f"{letter.upper()}{int(number)}"


def joint_name(upper: str, lower: str) -> str:
    """Normalized joint name, e.g. ("L4", "L5") -> "L4-L5"."""
    return f"{upper}-{lower}"


def _joints_between(first: str, last: str) -> tuple[str, ...]:
    """Joints from vertebra `first` down to vertebra `last` (empty if not a valid range)."""
    order, names = _lexicon().order, _lexicon().lex.vertebrae
    if first not in order or last not in order:
        return ()
    lo, hi = order[first], order[last]
    if hi <= lo or hi - lo > _lexicon().lex.max_range_joints:
        return ()
    return tuple(joint_name(names[i], names[i + 1]) for i in range(lo, hi))


def _atom_from_match(m: re.Match[str], offset: int) -> _Atom | None:
    order = _lexicon().order
    l1, n1 = m["l1"], m["n1"]
    first = _vertebra(l1, n1)
    if m["n2"] is not None:
        second = _vertebra(m["l2"] or l1, m["n2"])
    elif m["n3"] is not None:
        second = _vertebra(m["l3"], m["n3"])
    elif first not in order and len(n1) == 2:  # run-together "L45", "C56", "T89"
        first, second = _vertebra(l1, n1[0]), _vertebra(l1, n1[1])
    else:
        second = None
    if first not in order and second is not None:
        return None
    if second is not None and not _joints_between(first, second):
        return None
    return _Atom(m.start() + offset, m.end() + offset, first, second)


def unchecked(text: str, pos: int) -> bool:
    """True when an empty template box ("[ ]", "( )", "\u2610") governs `pos` (`nlp.extract.view.box_state`)."""
    return box_state(text, pos) is False


def _atoms(text: str, offset: int = 0) -> list[_Atom]:
    """Every vertebra, joint and vertebra-range token in `text`, except unticked template options."""
    out = []
    options = option_list_spans(text)
    for m in _ATOM.finditer(text):
        atom = _atom_from_match(m, offset)
        if atom is None or unchecked(text, m.start()) or unticked_row(text, m.start(), m.end()) \
                or any(a < m.start() < b for a, b in options):
            continue
        if m["sep"] == "/" and m["l2"] and (_SLASH_NEXT.match(text, m.end()) or _SLASH_BEFORE.search(text, 0, m.start())):
            # "L2/L3/L4 medial branches": a slash list of vertebrae, not the L2-L3 joint
            out.append(_Atom(m.start() + offset, m.start("n1") + len(m["n1"]) + offset, atom.upper, None))
            out.append(_Atom(m.start("l2") + offset, m.end() + offset, _vertebra(m["l2"], m["n2"]), None))
            continue
        out.append(atom)
    return out


_SLASH_NEXT = re.compile(r"[ \t]*/[ \t]*[CTLS]\d", re.I)
_SLASH_BEFORE = re.compile(r"[CTLS]\d{1,2}[ \t]*/[ \t]*$", re.I)


def _atom_joints(atom: _Atom) -> tuple[str, ...]:
    return _joints_between(atom.upper, atom.lower) if atom.lower else ()


def _bare_chain(text: str, offset: int, prev: _Atom) -> list[LevelMention]:
    """List items without a region letter ("L3-4, 4-5 and L5-S1"): they inherit the region of `prev`."""
    out: list[LevelMention] = []
    pos, region = prev.end - offset, (prev.lower or prev.upper)[0]
    while True:
        gap = _LIST_GAP.match(text, pos)
        if not gap:
            return out
        m = _BARE_PAIR.match(text, gap.end())
        if not m:
            return out
        joints = _joints_between(f"{region}{int(m['n1'])}", _vertebra(m["l2"] or region, m["n2"]))
        if len(joints) != 1:
            return out
        out.append(LevelMention(joints, m.start() + offset, m.end() + offset, m.group()))
        pos, region = m.end(), joints[0].split("-")[1][0]


def parse_level_mentions(text: str, offset: int = 0) -> list[LevelMention]:
    """Joints written in `text` (offsets shifted by `offset`): `C5-6`, `C5/6`, `L5S1`, `L45`,
    ranges (`L3-4 through L5-S1`, `L3 to S1`, `L2-L5`) and region-less list items (`, 4-5`).
    Lone vertebrae ("L4", "at the L4 and L5 levels") are not joints and are not returned."""
    atoms = _atoms(text, offset)
    out: list[LevelMention] = []
    i = 0
    while i < len(atoms):
        atom, nxt = atoms[i], atoms[i + 1] if i + 1 < len(atoms) else None
        if nxt is not None and _lexicon().range_gap.fullmatch(text, atom.end - offset, nxt.start - offset):
            joints = _joints_between(atom.upper, nxt.lower or nxt.upper)
            if joints:
                out.append(LevelMention(joints, atom.start, nxt.end, text[atom.start - offset : nxt.end - offset]))
                out.extend(_bare_chain(text, offset, nxt))
                i += 2
                continue
        joints = _atom_joints(atom)
        if joints:
            out.append(LevelMention(joints, atom.start, atom.end, text[atom.start - offset : atom.end - offset]))
            out.extend(_bare_chain(text, offset, atom))
        i += 1
    return out


# --------------------------------------------------------------------------- nerves


@dataclass(frozen=True)
class NerveMention:
    """One nerve named in a nerve list: `vertebra` (C3 for the third occipital nerve), its kind,
    the span of its vertebra label (`start`, `end`) and of the phrase up to the nerve noun.
    `by_process` marks a lumbar/thoracic medial branch named by the transverse process it crosses,
    seen when the same text names a vertebra's medial branch and its dorsal ramus ("L4 and L5 medial
    branches and L5 dorsal ramus"): "L5 medial branch" is then the L4 nerve, "L4" the L3 nerve."""

    vertebra: str
    kind: NerveKind
    start: int
    end: int
    phrase_start: int
    phrase_end: int
    by_process: bool = False


@dataclass(frozen=True)
class NerveJoint:
    """A joint implied by a nerve list, with the nerves that supply it and the rules used."""

    joint: str
    nerves: tuple[NerveMention, ...]
    rule_ids: tuple[str, ...]


def _nerve_vertebra(atom: _Atom) -> bool:
    lex = _lexicon()
    return atom.lower is None and (atom.upper in lex.order or atom.upper in lex.lex.nerve_position_alias)


def _is_list_gap(gap: str) -> bool:
    words = re.findall(r"[A-Za-z]+|[^\sA-Za-z]", gap)
    return all(w.lower() in _lexicon().nerve_list_words or w in {",", "&", "/"} for w in words)


def _vertebrae_before(text: str, offset: int, atoms: Sequence[_Atom], end: int) -> list[_Atom]:
    """The vertebra list that ends right before relative position `end` ("L2, L3 and L4 ...")."""
    found: list[_Atom] = []
    k = max((i for i, a in enumerate(atoms) if a.end - offset <= end), default=-1)
    while k >= 0 and _nerve_vertebra(atoms[k]):
        gap = text[atoms[k].end - offset : end]
        region_word_only = gap.strip().lower() in _lexicon().lex.nerve_region_words  # "C7 cervical medial"
        if (not found and gap.strip() and not region_word_only) or (found and not _is_list_gap(gap)):
            break
        found.append(atoms[k])
        end, k = atoms[k].start - offset, k - 1
    return found[::-1]


_AFTER_NOUN = re.compile(r"(?:\s*[,:]|\s+(?:of|at|to|from|de|del|a\s+las?))\s+(?:the\s+)?"
                         r"(?:(?:right|left|bilateral)\s+)?|[ \t]+(?=[CTLS][ \t]?\d)", re.I)


def _vertebrae_after(text: str, offset: int, atoms: Sequence[_Atom], start: int, owned: set[int]) -> list[_Atom]:
    """The vertebra list after a nerve noun: "medial branches of/at (the) L3, L4 and L5", "ramas mediales L3 y
    L4"; stops at a
    vertebra `owned` by the noun right after it ("... L4 and L5 dorsal ramus")."""
    m = _AFTER_NOUN.match(text, start)
    if not m:
        return []
    found: list[_Atom] = []
    pos = m.end()
    for atom in (a for a in atoms if a.start - offset >= pos):
        gap = text[pos : atom.start - offset]
        if not _nerve_vertebra(atom) or atom.start in owned or (found and not _is_list_gap(gap)) or (not found and gap):
            break
        found.append(atom)
        pos = atom.end - offset
    return found


_PILLAR = re.compile(r"pillar", re.I)


def parse_nerve_mentions(text: str, offset: int = 0) -> list[NerveMention]:
    """Nerves of medial-branch nerve lists: `L3, L4 medial branches and L5 dorsal ramus`,
    `medial branches of L3 and L4 and L5 dorsal ramus`, `third occipital nerve`. A joint name before
    the noun (`L4-5 medial branch block`) is a joint, not a nerve, and is left to `parse_level_mentions`."""
    lex = _lexicon()
    atoms = _atoms(text, offset)
    nouns = sorted(((m, kind) for pattern, kind in lex.nerve_nouns for m in pattern.finditer(text)),
                   key=lambda x: x[0].start())
    before = {id(m): _vertebrae_before(text, offset, atoms, m.start()) for m, _ in nouns}
    owned = {verts[-1].start for verts in before.values() if verts}
    after = {id(m): [] if before[id(m)] else _vertebrae_after(text, offset, atoms, m.end(), owned) for m, _ in nouns}
    taken = {a.start for verts in after.values() for a in verts}
    out: dict[tuple[str, str, int], NerveMention] = {}
    pillar: set[tuple[str, str, int]] = set()
    for noun, kind in nouns:
        verts = [a for a in before[id(noun)] if a.start not in taken] or after[id(noun)]
        for v in verts:
            if _PILLAR.search(noun.group()):
                pillar.add((v.upper, kind, v.start))
            lo, hi = min(v.start, noun.start() + offset), max(v.end, noun.end() + offset)
            out[(v.upper, kind, v.start)] = NerveMention(v.upper, kind, v.start, v.end, lo, hi)
    for m in lex.third_occipital.finditer(text):
        s, e = m.start() + offset, m.end() + offset
        out[("C3", "third_occipital", s)] = NerveMention("C3", "third_occipital", s, e, s, e)
    # "R C6 medial branch - waist of C6 articular pillar": a pillar is the target of a nerve named already
    named = {key[:2] for key in out if key not in pillar}
    out = {key: n for key, n in out.items() if key not in pillar or key[:2] not in named}
    return sorted(_mark_by_process(list(out.values())), key=lambda n: (n.start, n.kind))


def _mark_by_process(nerves: list[NerveMention]) -> list[NerveMention]:
    """When a text names one vertebra as both medial branch and dorsal ramus, its lumbar/thoracic
    medial branches are named by transverse process: mark them all `by_process`."""
    branch = {n.vertebra for n in nerves if n.kind == "medial_branch" and n.vertebra[0] != "C"}
    if not branch & {n.vertebra for n in nerves if n.kind == "dorsal_ramus"}:
        return nerves
    return [replace(n, by_process=True) if n.kind == "medial_branch" and n.vertebra[0] != "C" else n for n in nerves]


def _nerve_position(nerve: NerveMention) -> int | None:
    """Index in the vertebra order (a medial branch named by its transverse process moves up one)."""
    lex = _lexicon()
    pos = lex.order.get(lex.lex.nerve_position_alias.get(nerve.vertebra, nerve.vertebra))
    if pos is not None and nerve.by_process:
        pos -= 1
    return pos if pos is not None and pos >= 0 else None


def _nerve_node(nerve: NerveMention) -> int | None:
    """Place in the nerve chain C2..C7, C8, T1..S1 (twice the vertebra index, C8 the odd node between C7
    and T1): the C8 medial branch pairs with C7 for the C7-T1 joint and with T1 for the T1-T2 joint."""
    pos = _nerve_position(nerve)
    if pos is None:
        return None
    alias = _lexicon().lex.nerve_position_alias.get(nerve.vertebra)
    return 2 * pos - 1 if alias is not None and not nerve.by_process else 2 * pos


def nerves_to_joints(nerves: Sequence[NerveMention]) -> list[NerveJoint]:
    """Joints supplied by a set of nerves (one side), R-LEVEL-3..5: cervical Cn + C(n+1) -> Cn-C(n+1)
    (C7 + C8 -> C7-T1); thoracic/lumbar L(n-1) + Ln -> Ln-L(n+1) (C8 + T1 -> T1-T2), L4 + L5 dorsal ramus ->
    L5-S1; third occipital -> C2-C3. N consecutive nerves give N-1 joints; a lone nerve gives none."""
    lex = _lexicon()
    names, rules = lex.lex.vertebrae, lex.lex.rule_ids
    out = [NerveJoint("C2-C3", (n,), tuple(rules.third_occipital)) for n in nerves if n.kind == "third_occipital"]
    by_node: dict[int, list[NerveMention]] = defaultdict(list)
    for n in (n for n in nerves if n.kind != "third_occipital"):
        node = _nerve_node(n)
        if node is not None:
            by_node[node].append(n)
    for a in sorted(by_node):
        # the next node: C7 -> C8 (or T1 when no C8 is named), C8 -> T1, otherwise the next vertebra
        b = a + 1 if a + 1 in by_node else a + 2
        if b not in by_node:
            continue
        lower = a // 2 if a % 2 == 0 else (a + 1) // 2 - 1  # vertebra index of the upper nerve (C8 -> C7's slot)
        cervical = a % 2 == 0 and names[lower][0] == "C"
        upper = lower if cervical else (b + 1) // 2
        if upper + 1 >= len(names):
            continue
        rule = rules.nerve_cervical if cervical else rules.nerve_lumbar
        out.append(NerveJoint(joint_name(names[upper], names[upper + 1]), tuple(by_node[a] + by_node[b]), tuple(rule)))
    return out


# --------------------------------------------------------------------------- sides


@dataclass(frozen=True)
class SidePhrase:
    side: SideValue
    form: Literal["adj", "adv"]
    start: int
    end: int


def parse_side_phrases(text: str, offset: int = 0) -> list[SidePhrase]:
    """Side words and phrases (`right`, `bilaterally`, `on the left`, `R`, `Lt`, `right and left`),
    longest match first, non-overlapping."""
    lex = _lexicon()
    if not lex.any_side.search(text):
        return []
    found = []
    for pattern, side, form in lex.sides:
        found += [SidePhrase(side, form, m.start() + offset, m.end() + offset) for m in pattern.finditer(text)]
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    out: list[SidePhrase] = []
    for p in found:
        if not out or p.start >= out[-1].end:
            out.append(p)
    neg = lex.negated_side
    # a side word that labels a row of two or more ticked options ("LEFT  C4 MB [ ]  C5 MB [X]") is not the first
    # option's: the box after it belongs to the option next to it
    return [p for p in out if (not unchecked(text, p.start - offset) or labels_box_row(text, p.start - offset, 2))
            and not neg.search(text, max(0, p.start - offset - 24), p.start - offset)]


def combine_sides(sides: Iterable[str]) -> Side:
    """left + right -> bilateral; a specific side beats unspecified."""
    s = set(sides) - {"unspecified"}
    if "bilateral" in s or {"left", "right"} <= s:
        return "bilateral"
    return s.pop() if s else "unspecified"  # type: ignore[return-value]


# A free side phrase reaches this far (characters) back within one stretch of text, and a side all
# free phrases agree on applies only in sentences up to this length.
FREE_SIDE_REACH = 150
FREE_SIDE_SENTENCE = 400
_STRETCH_END = re.compile(r"[;.]\s|\n\s*\n")
_LEVELISH = re.compile(rf"[ctls]?\d{{1,2}}(?:[{_DASH}/]?[ctls]?\d{{1,2}})?\.?", re.I)


def _is_filler(gap: str) -> bool:
    """True when `gap` holds only list connectors, level tokens and words like 'facet joint'."""
    filler = _lexicon().filler
    for tok in re.findall(rf"[A-Za-z0-9][A-Za-z0-9{_DASH}/]*|[^\sA-Za-z0-9]", gap):
        low = tok.lower().rstrip(".")
        if low in filler or tok in {",", "(", ")", "&", "/", "-", "\u2013"} or _LEVELISH.fullmatch(tok):
            continue
        return False
    return True


class _Item(Protocol):
    """Anything a side can modify: a level mention or a nerve mention (absolute offsets)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def _chains(text: str, offset: int, items: Sequence[_Item], phrases: Sequence[SidePhrase]) -> list[list[int]]:
    """Group item indices (sorted by start) into lists joined by filler only, with no side word between."""
    chains: list[list[int]] = []
    for i, item in enumerate(items):
        if chains:
            prev = items[chains[-1][-1]]
            between = any(prev.end <= p.start and p.end <= item.start for p in phrases)
            if not between and prev.end <= item.start and _is_filler(text[prev.end - offset : item.start - offset]):
                chains[-1].append(i)
                continue
        chains.append([i])
    return chains


def _gap(text: str, offset: int, start: int, end: int) -> str:
    return text[start - offset : end - offset]


def _chain_for(text: str, offset: int, p: SidePhrase, chains: list[list[int]], items: Sequence[_Item],
               phrases: Sequence[SidePhrase]) -> list[int] | None:
    """The list a side phrase modifies: the one right after it (adj) or right before it (adv),
    joined to it by filler words only with no other side word between; None if neither."""
    others = [q for q in phrases if q is not p]
    before = next((c for c in reversed(chains) if items[c[-1]].end <= p.start), None)
    after = next((c for c in chains if items[c[0]].start >= p.end), None)
    if before is not None and (not _is_filler(_gap(text, offset, items[before[-1]].end, p.start))
                               or any(items[before[-1]].end <= q.start < p.start for q in others)):
        before = None
    if after is not None and (not _is_filler(_gap(text, offset, p.end, items[after[0]].start))
                              or any(p.end <= q.start < items[after[0]].start for q in others)):
        after = None
    if p.form == "adj" and before is not None and _CLOSES.match(text, p.end - offset):
        return before  # written after its item and closing it: "T12 medial branch bilat, L1 ..."
    return (after or before) if p.form == "adj" else (before or after)


_CLOSES = re.compile(r"[ \t]*[,;.)]")


def _table_row(text: str, offset: int, p: SidePhrase, items: Sequence[_Item]) -> list[int] | None:
    """In a pipe-table row ("| L4-L5 | Left | 1 mL |") a side cell belongs to the levels of its own row; so does
    the side that labels a row of ticked options ("LEFT   C4 MB [ ]   C5 MB [X]   C6 MB [X]")."""
    lo = text.rfind("\n", 0, p.start - offset) + 1
    hi = text.find("\n", p.end - offset)
    hi = len(text) if hi < 0 else hi
    if text.count("|", lo, hi) < 2 and not labels_box_row(text, p.start - offset, 1):
        return None
    row = [i for i, item in enumerate(items) if lo <= item.start - offset < hi]
    return row or None


def attach_sides(
    text: str, offset: int, items: Sequence[_Item], phrases: Sequence[SidePhrase]
) -> list[list[SidePhrase]]:
    """For each item (sorted by start) the side phrases that modify it: a phrase attached to its
    list, else a free phrase nearby (`_free_side`)."""
    chains = _chains(text, offset, items, phrases)
    result: list[list[SidePhrase]] = [[] for _ in items]
    free: list[SidePhrase] = []
    chosen = [(p, _table_row(text, offset, p, items) or _chain_for(text, offset, p, chains, items, phrases))
              for p in phrases]
    led = {id(c) for p, c in chosen if c is not None and p.form == "adj" and p.end <= items[c[0]].start}
    own: dict[int, SidePhrase] = {}  # item -> the side written right after it, in a list with its side in front
    for p, chain in chosen:
        if chain is None:
            free.append(p)
        elif p.form != "adj" and id(chain) in led and p.start >= items[chain[-1]].end:
            # "the right L4-L5 and the L5-S1 joint on each side": the list has its side in front; the
            # trailing phrase speaks of its last item only, and for that item it is the side
            chain = chain[-1:]
            own[chain[0]] = p
        for i in chain or ():
            result[i].append(p)
    for i, p in own.items():
        result[i] = [q for q in result[i] if q is p or q.end > items[i].start]
    for i, item in enumerate(items):
        if not result[i]:
            result[i] = _free_side(text, offset, item, free)
    return result


def _free_side(text: str, offset: int, item: _Item, free: Sequence[SidePhrase]) -> list[SidePhrase]:
    """A side phrase attached to nothing: the nearest one before the item in the same stretch of
    text, else the one side all of them agree on (short sentences only; run-on notes are long)."""
    prior = [
        p for p in free
        if 0 <= item.start - p.end <= FREE_SIDE_REACH and not _STRETCH_END.search(_gap(text, offset, p.end, item.start))
    ]
    if prior:
        return [prior[-1]]
    if free and len({p.side for p in free}) == 1 and len(text) <= FREE_SIDE_SENTENCE:
        return [free[0]]
    return []


# --------------------------------------------------------------------------- sentence context


_BULLET = re.compile(r"^\s*(?:[-*\u2022>]|\d{1,2}[.)]|\[[^\]\n]{1,40}\])\s*")  # also a log stamp "[08:40 | JW]"


def _header_of(sentence: Sentence) -> str | None:
    """The category of a section header the sentence starts with ("- Imaging: ..."), if any."""
    head = _BULLET.sub("", sentence.text[:80]).lower()
    colon = head.find(":")
    if colon <= 0:
        return None
    return header_categories().get(head[:colon].rstrip())


def _effective_section(view: NoteView, sentence: Sentence) -> str | None:
    """The sentence's section, or the category of a header it starts with; a field-like section
    ("Vital signs: ...") does not reach a later paragraph that describes the procedure being done. Inside an older
    pasted note every header is that note's, not today's."""
    if sentence.section == EARLIER_NOTE:
        return EARLIER_NOTE
    header = _header_of(sentence)
    if header is not None:
        return header
    if sentence.section in _lexicon().lex.field_sections and _has_performed_cue(sentence):
        span = next((sp for sp in reversed(view.sections)
                     if sp.start <= sentence.start and sp.category == sentence.section), None)
        if span is not None and re.search(r"\n[ \t]*\n", view.text[span.body_start : sentence.start]):
            return None
    return sentence.section


def _skipped(section: str | None) -> bool:
    return section in NOT_PERFORMED_SECTIONS


def _listed_procedure(sentence: Sentence, start: int, end: int) -> bool:
    """In a diagnosis section, only a procedure line left under it ("1. Bilateral facet injections
    at L34, L45") counts: not the header line, and its clause names the facet procedure."""
    if _header_of(sentence) is not None:
        return False
    lo, hi = _clause(sentence, start, end)
    m = _nearest(_SentenceIndex.of(sentence).procedures_in(lo, hi), start, end)
    return m is not None and m.label in _lexicon().lex.strong_facet_labels and m.asserted


_CLAUSE_BREAK = re.compile(
    r"[;:!?\n]|\.(?=\s|$)"
    # a comma splits, except inside a level list, a side word or letter may open the next item ("R C5, R C6")
    r"|,(?!\s*(?:(?:and|or|&)\s*)?(?:(?:bilateral|bilat|right|left)\s+|(?-i:(?:R|L|Rt|Lt|RT|LT)\.?)\s+)?"
    r"(?:[CTLS]\d|\d{1,2}\s*[-\u2013/]\s*(?:[CTLS]?\d)))",
    re.I,
)


@lru_cache(maxsize=64)
def _breaks(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Starts and ends of a sentence's clause breaks, found once per sentence (a run-on dictation is
    one sentence with many levels; its hash is computed once, then cached by the string)."""
    found = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(text)]
    return tuple(a for a, _ in found), tuple(b for _, b in found)


def _label_before(text: str, rel: int) -> str:
    """The label a clause is the value of ("Previous block, 7 weeks ago: left L3 and L4 medial branches"): the words
    before a colon that ends right before it, back to the last comma, semicolon or full stop; "" when none."""
    before = text[:rel].rstrip()
    if not before.endswith(":"):
        return ""
    return re.split(r"[;.]", before[:-1])[-1]


def _clause(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """Absolute bounds of the clause holding [start, end): commas inside level lists do not split."""
    rel_s, rel_e = start - sentence.start, end - sentence.start
    starts, ends = _breaks(sentence.text)
    i = bisect_right(ends, rel_s) - 1  # the last break ending at or before the item
    lo = ends[i] if i >= 0 else 0
    j = bisect_left(starts, rel_e, lo=max(i + 1, 0))  # the first later break starting at or after its end
    hi = starts[j] if j < len(starts) else len(sentence.text)
    return lo + sentence.start, hi + sentence.start


def _nearest(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """The mention closest to [start, end); on a tie the one after it. `mentions` are in text order, so
    only those around the item's place can be nearest (a window, not the whole list: a run-on list can
    hold hundreds)."""
    if not mentions:
        return None
    window = mentions
    if len(mentions) > 2 * _NEAREST_WINDOW:
        i = bisect_left(mentions, start, key=lambda m: m.start)
        window = mentions[max(0, i - _NEAREST_WINDOW): i + _NEAREST_WINDOW]
    return min(window, key=lambda m: (max(m.start - end, start - m.end, 0), m.start < start))


_NEAREST_WINDOW = 8  # mentions either side of an item's place that may overlap or reach it


def _procedures(sentence: Sentence) -> list[Mention]:
    lex = _lexicon().lex
    labels = set(lex.facet_labels) | set(lex.other_procedure_labels)
    other = set(lex.other_procedure_labels)
    return [m for m in sentence.mentions if m.label in labels and not (m.label in other and m.negated)]


def _is_facet(m: Mention | None) -> bool:
    return m is not None and m.label in _lexicon().lex.facet_labels and m.asserted


def _has_performed_cue(sentence: Sentence) -> bool:
    """An asserted "needle was advanced"-type cue (the section is judged separately)."""
    return any(m.label in _lexicon().lex.performed_cue_labels and m.asserted for m in sentence.mentions)


@dataclass(frozen=True)
class _Context:
    """Per-note facts the sentence filter needs."""

    title_facet: bool
    si_lateral: bool = False  # the note performs a sacroiliac lateral-branch block
    title_starts: tuple[int, ...] = ()  # procedure-line spans (sorted, non-overlapping): starts ...
    title_ends: tuple[int, ...] = ()  # ... and ends
    exam_titles: frozenset[int] = frozenset()  # starts of "EXAM:" procedure lines
    addendum_start: int | None = None  # where a signed addendum begins ...
    addendum_end: int = 1 << 62  # ... and ends: the end of the text, or the quoted message an e-mail reply sits on
    section_starts: tuple[int, ...] = ()  # sorted starts of the note's sections

    def in_title(self, pos: int) -> bool:
        i = bisect_right(self.title_starts, pos) - 1
        return i >= 0 and pos < self.title_ends[i]

    def role(self, pos: int) -> Role:
        """Addendum, procedure line, or "body" (the sentence decides whether it is the technique)."""
        if self.addendum_start is not None and self.addendum_start <= pos < self.addendum_end:
            return "addendum"
        return "title" if self.in_title(pos) else "body"


def _localizer_clause(sentence: Sentence, clause: str, lo: int, hi: int) -> bool:
    """The clause (or the header the sentence opens with) describes survey/localizer images: the
    levels there were imaged to count them, not treated. A clause that itself names the facet
    procedure or a nerve keeps its levels."""
    lex = _lexicon()
    head = sentence.text[:48]
    colon = head.find(":")
    if not (lex.localizer.search(clause) or (colon > 0 and lex.localizer.search(head[:colon]))):
        return False
    strong = lex.lex.strong_facet_labels
    named = any(lo <= m.start < hi and m.label in strong and m.asserted for m in sentence.mentions)
    return not (named or any(p.search(clause) for p, _ in lex.nerve_nouns))


# The rest of a level list after one item ("... and C5-C6", ", L4/5 or L5-S1"): a statement after the
# list speaks of every item in it.
_LIST_TAIL = re.compile(
    rf"(?:\s*(?:,|and|&|or|/)\s*(?:(?:the\s+)?(?:right|left|bilateral|R|L)\s+)?[CTLS]?\d{{1,2}}"
    rf"(?:\s*[{_DASH}/]\s*[CTLS]?\d{{1,2}})?(?![A-Za-z0-9]))*", re.I)


def _survey_or_untreated(sentence: Sentence, start: int, end: int) -> bool:
    """The level at [start, end) is next to a survey cue with only survey wording between them ("scout
    series obtained L1 through S1 for counting"), or is said right there not to be treated ("L3-L4 not
    treated", "nothing at C4-C6"). Unlike the clause test this holds inside a run-on sentence that
    also names the procedure."""
    lex = _lexicon()
    text, rel_s, rel_e = sentence.text, start - sentence.start, end - sentence.start
    tail_end = _SentenceIndex.of(sentence).list_tail_end(rel_e)
    if lex.untreated_after.match(text, tail_end) or lex.untreated_before.search(text, max(0, rel_s - 40), rel_s):
        return True
    reach = lex.lex.localizer_reach
    lo = max(0, rel_s - reach)
    for m in lex.localizer.finditer(text, lo, rel_s):
        if lex.localizer_gap.fullmatch(text, m.end(), rel_s):
            return True
    m = lex.localizer.search(text, rel_e, min(len(text), rel_e + reach))
    return m is not None and lex.localizer_gap.fullmatch(text, rel_e, m.start()) is not None


def _done_next(view: NoteView, sentence: Sentence, index: int, section: str | None) -> bool:
    """In a procedure section, a sentence that finds the levels ("the right L2/3 and L3/4 joints were identified")
    is the technique when the next one, in the same section and naming no level, says what was done there ("A 22 g
    needle was passed into each joint")."""
    if section not in PROCEDURE_SECTIONS or index + 1 >= len(view.sentences):
        return False
    nxt = view.sentences[index + 1]
    return (nxt.section == sentence.section and _says_done(nxt) and (
        not _lexicon().worth_parsing.search(nxt.text)
        or not (parse_level_mentions(nxt.text) or parse_nerve_mentions(nxt.text))))


def _says_done(sentence: Sentence) -> bool:
    """The sentence says something was done: a performed cue that is not negated ("needles were
    advanced", "injected"); a past-tense cue counts even where ConText scoped a planning word over it."""
    cues = _lexicon().lex.performed_cue_labels
    return any(m.label in cues and not m.negated and (m.asserted or " " in m.text) for m in sentence.mentions)


def _past_cue(sentence: Sentence, lo: int, hi: int, proc: Mention) -> bool:
    """A facet procedure mention that ConText read as planned, in a clause whose performed cue says it was
    done ("needles were advanced to ..."): a planning word elsewhere in the sentence scoped too far."""
    if proc.label not in _lexicon().lex.facet_labels or proc.negated or proc.historical or proc.family:
        return False
    cues = _lexicon().lex.performed_cue_labels
    return any(lo <= m.start < hi and m.label in cues and not m.negated and " " in m.text for m in sentence.mentions)


# How far (characters) outside its clause a procedure mention still decides what a level belongs to.
PROCEDURE_REACH = 240


def _accepted(sentence: Sentence, section: str | None, start: int, end: int, ctx: _Context,
              carried: bool = False) -> bool:
    """Is the level at [start, end) in `sentence` a level treated today? The procedure mention of
    its clause (else of its sentence) decides; without one, the clause must not be about a disc,
    an image or the past/future, and the section or a performed cue must place it in today's procedure."""
    lex = _lexicon()
    if _skipped(section):
        return False
    if section in lex.lex.skip_sections:
        return _listed_procedure(sentence, start, end)
    index = _SentenceIndex.of(sentence)
    lo, hi = _clause(sentence, start, end)
    clause = index.clause(lo, hi)
    if clause.localizer or _survey_or_untreated(sentence, start, end):
        return False
    cue = carried or index.has_performed_cue
    if clause.disqualified and not clause.facet_named:
        return False
    if clause.context and not (clause.local and section in PROCEDURE_SECTIONS) or clause.label_context:
        return False
    if clause.local:
        nearest = _nearest(clause.local, start, end)
        if nearest is not None and nearest.hypothetical and _past_cue(sentence, lo, hi, nearest) \
                and section in PROCEDURE_SECTIONS:
            return True  # "after a planning scan, needles were advanced to the medial branches of L2, L3 ..."
        return _is_facet(nearest)
    near = index.procedures_near(start, end, PROCEDURE_REACH)
    if near:  # in a run-on dictation a procedure named far away says nothing about this level
        return _is_facet(_nearest(near, start, end))
    if section in lex.lex.core_sections:
        return True
    if section in PROCEDURE_SECTIONS:
        return cue or clause.anchor
    return cue or (ctx.title_facet and clause.anchor)


@dataclass(frozen=True)
class _ClauseFacts:
    """What `_accepted` asks of one clause, whichever of its levels is being judged."""

    local: tuple[Mention, ...]  # procedure mentions inside the clause, in text order
    localizer: bool
    facet_named: bool
    disqualified: bool
    context: bool
    anchor: bool
    label_context: bool = False  # the label the clause is the value of is historical or planned ("Prior block:")


class _SentenceIndex:
    """One sentence's procedure mentions, cues and clause verdicts, computed once.

    A run-on list of hundreds of levels is one sentence (often one clause); asking the same questions of
    the whole clause again for every level made level extraction quadratic in the note length. The index
    answers per clause and by bisection, so the extractor stays linear. It lives only while its sentence
    is being read (the last one is kept).
    """

    _last: tuple[Sentence, _SentenceIndex] | None = None

    def __init__(self, sentence: Sentence) -> None:
        lex = _lexicon()
        self.sentence = sentence
        self.procs = _procedures(sentence)
        self.proc_starts = [m.start for m in self.procs]
        self.longest_proc = max((m.end - m.start for m in self.procs), default=0)
        cues = lex.lex.performed_cue_labels
        self.cue_starts = sorted(m.start for m in sentence.mentions if m.label in cues and m.asserted)
        self.has_performed_cue = bool(self.cue_starts)
        self._clauses: dict[tuple[int, int], _ClauseFacts] = {}
        self._tails: list[tuple[int, int]] = []  # (from, to) of list tails matched so far, in text order

    @classmethod
    def of(cls, sentence: Sentence) -> _SentenceIndex:
        last = cls._last
        if last is not None and last[0] is sentence:
            return last[1]
        index = cls(sentence)
        cls._last = (sentence, index)
        return index

    def procedures_in(self, lo: int, hi: int) -> list[Mention]:
        return self.procs[bisect_left(self.proc_starts, lo): bisect_left(self.proc_starts, hi)]

    def procedures_near(self, start: int, end: int, reach: int) -> list[Mention]:
        """Procedure mentions within `reach` characters of [start, end)."""
        window = self.procs[bisect_left(self.proc_starts, start - reach - self.longest_proc):
                            bisect_right(self.proc_starts, end + reach)]
        return [m for m in window if max(m.start - end, start - m.end) <= reach]

    def clause(self, lo: int, hi: int) -> _ClauseFacts:
        found = self._clauses.get((lo, hi))
        if found is None:
            found = self._clauses[(lo, hi)] = self._judge(lo, hi)
        return found

    def _judge(self, lo: int, hi: int) -> _ClauseFacts:
        lex = _lexicon()
        sentence = self.sentence
        text = sentence.text[lo - sentence.start: hi - sentence.start]
        local = tuple(self.procedures_in(lo, hi))
        i = bisect_left(self.cue_starts, lo)
        local_cue = i < len(self.cue_starts) and self.cue_starts[i] < hi
        anchor = bool(lex.anchor.search(text))
        return _ClauseFacts(
            local=local,
            localizer=_localizer_clause(sentence, text, lo, hi),
            facet_named=any(_is_facet(m) for m in local) or (local_cue and anchor),
            disqualified=bool(lex.disqualifier.search(text)),
            context=bool(lex.context.search(text)),
            label_context=bool(lex.context.search(_label_before(sentence.text, lo - sentence.start))),
            anchor=anchor,
        )

    def list_tail_end(self, rel_end: int) -> int:
        """Where the rest of the level list after an item ending at `rel_end` ends (sentence-relative).
        Items of one list share the tail's end, so it is matched once per list."""
        i = bisect_right(self._tails, (rel_end, 1 << 62)) - 1
        if i >= 0 and self._tails[i][0] <= rel_end <= self._tails[i][1]:
            return self._tails[i][1]
        m = _LIST_TAIL.match(self.sentence.text, rel_end)
        to = m.end() if m else rel_end
        self._tails.insert(i + 1, (rel_end, to))
        return to


def _title_has_facet(view: NoteView) -> bool:
    """The note opens with a performed facet procedure (headerless-note rule): named in the first
    `TITLE_OPENING_CHARS` characters of the first sentence (a pasted header line may run on with the
    patient's details after it)."""
    if not view.sentences:
        return False
    first = view.sentences[0]
    strong = _lexicon().lex.strong_facet_labels
    return any(m.label in strong and m.performed and m.start - first.start <= TITLE_OPENING_CHARS
               for m in first.mentions)


TITLE_OPENING_CHARS = 160


# --------------------------------------------------------------------------- assembly


@dataclass
class _Acc:
    """Everything gathered for one joint."""

    joint: str
    source: Literal["joint", "nerve_map"]
    rule_ids: tuple[str, ...]
    evidence: set[tuple[int, int]] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)
    side_spans: set[tuple[int, int]] = field(default_factory=set)
    first: int = 1 << 30

    def add(self, span: tuple[int, int], sides: Iterable[SidePhrase]) -> None:
        self.evidence.add(span)
        self.first = min(self.first, span[0])
        for p in sides:
            self.sides.add(p.side)
            self.side_spans.add((p.start, p.end))

    def side(self) -> Side:
        return combine_sides(self.sides)

    def copy(self) -> _Acc:
        return _Acc(self.joint, self.source, self.rule_ids, set(self.evidence), set(self.sides),
                    set(self.side_spans), self.first)

    def absorb(self, other: _Acc) -> None:
        self.evidence |= other.evidence
        self.sides |= other.sides
        self.side_spans |= other.side_spans
        self.first = min(self.first, other.first)


# How far (characters) before a level its denial may start ("nothing done at L2-L3 or L3-L4").
NEGATED_LEVEL_REACH = 48

# How far (characters) after / before a repeat cue its side word may stand ("repeated ... on the right").
CUE_SIDE_AFTER = 60
CUE_SIDE_BEFORE = 40


@dataclass
class _Cue:
    kind: Literal["repeat", "other_side"]
    start: int
    end: int
    side: SidePhrase | None
    named: set[str]


ROLES: tuple[Role, ...] = ("title", "technique", "body", "addendum")


@dataclass
class _Gathered:
    """Items of the note by role (see `Role`)."""

    explicit: dict[Role, dict[str, _Acc]] = field(default_factory=lambda: {r: {} for r in ROLES})
    nerves: list[tuple[NerveMention, list[SidePhrase], Role]] = field(default_factory=list)
    header_sides: list[SidePhrase] = field(default_factory=list)
    cues: list[tuple[_Cue, Role]] = field(default_factory=list)
    recent: list[_Recent] = field(default_factory=list)
    statements: list[tuple[SidePhrase, set[tuple[int, int]]]] = field(default_factory=list)
    denied: set[str] = field(default_factory=set)  # joints an addendum says were not treated ("not L3-L4")
    last_technique: tuple[int, int, str | None] | None = None  # index, end, section of the last one
    additive: set[tuple[str, str]] = field(default_factory=set)  # addendum items that add ("also"): (name, kind)
    technique_sides: set[str] = field(default_factory=set)  # side words of the sentences that say what was done

    def nerves_of(self, *roles: Role) -> list[_SidedNerve]:
        return [(n, ps) for n, ps, r in self.nerves if r in roles]

    def cues_of(self, *roles: Role) -> list[_Cue]:
        return [c for c, r in self.cues if r in roles]


@dataclass(frozen=True)
class _Recent:
    """A sentence that gave levels: its index, section, the spans of its items without a side, and
    whether any of its items had a side (a stated side closes the reach of a later side statement)."""

    index: int
    section: str | None
    unsided: tuple[tuple[int, int], ...]
    sided: bool


def _header_side_source(sentence: Sentence, section: str | None, index: int) -> bool:
    """Sentences whose side applies to levels listed without one: a "Side:" field, or the procedure
    header / title line when it names the facet procedure and no other one."""
    lex = _lexicon()
    head = sentence.text.lstrip(" -*\u2022").lower()
    if lex.side_field.match(head):
        return True
    if section != "procedure" and not (index == 0 and section is None):
        return False
    procs = _procedures(sentence)
    facet = any(_is_facet(m) for m in procs) or (not procs and bool(lex.anchor.search(sentence.text)))
    other = any(m.label in lex.lex.other_procedure_labels for m in procs)
    return facet and not other and not lex.hypothetical.search(sentence.text)


def _find_cues(sentence: Sentence, phrases: Sequence[SidePhrase], named: set[str]) -> list[_Cue]:
    """Repeat / other-side cues of a performed sentence."""
    lex = _lexicon()
    if lex.hypothetical.search(sentence.text):
        return []
    kinds: tuple[tuple[Literal["repeat", "other_side"], re.Pattern[str]], ...] = (
        ("other_side", lex.other_side), ("repeat", lex.repeat))
    for kind, pattern in kinds:
        for m in pattern.finditer(sentence.text):
            s, e = m.start() + sentence.start, m.end() + sentence.start
            side = next((p for p in phrases if e <= p.start <= e + CUE_SIDE_AFTER), None)
            side = side or next((p for p in reversed(phrases) if s - CUE_SIDE_BEFORE <= p.end <= s), None)
            if (kind == "other_side" and lex.other_side_verbs.search(sentence.text)) or side is not None:
                return [_Cue(kind, s, e, side, set(named))]
    return []


# A short sentence right after a technique sentence, in the same paragraph, goes on with it
# ("22g needle into the R T5-T6 joint under CT, ... 0.5 mL injected. Same R T6-T7, R T7-T8.").
CONTINUATION_MAX_CHARS = 100
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _continues_technique(g: _Gathered, view: NoteView, sentence: Sentence, index: int) -> tuple[str | None] | None:
    """The section of the technique sentence this one continues, or None when it does not."""
    last = g.last_technique
    if last is None or last[0] != index - 1 or len(sentence.text) > CONTINUATION_MAX_CHARS:
        return None
    lex = _lexicon()
    if _BLANK_LINE.search(view.text, last[1], sentence.start) or _header_of(sentence) is not None \
            or not all(_is_facet(m) for m in _procedures(sentence)) or lex.context.search(sentence.text) \
            or lex.disqualifier.search(sentence.text):  # a list item naming the nerve it targets continues
        return None
    return (last[2],)


def _role(ctx: _Context, pos: int, title_line: bool, technique: bool) -> Role:
    """The role of an item at `pos` of a sentence that is the note's title line / says what was done."""
    role = ctx.role(pos)
    if role != "body":
        return role
    return "technique" if technique else "title" if title_line else "body"


def _row_not_done(text: str, pos: int) -> bool:
    """The pipe-table row holding `pos` says it was not done."""
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    hi = len(text) if hi < 0 else hi
    return text.count("|", lo, hi) >= 2 and _lexicon().row_not_done.search(text, lo, hi) is not None


def _gather_sentence(g: _Gathered, view: NoteView, sentence: Sentence, index: int, ctx: _Context) -> None:
    section = _effective_section(view, sentence)
    carried = _continues_technique(g, view, sentence, index)
    if carried is not None:
        section = carried[0]
    elif section == "exam" and any(sentence.start <= s < sentence.start + 48 for s in ctx.exam_titles):
        section = "procedure"  # a radiology report's "EXAM: <the facet procedure>" title
    elif ctx.addendum_start is not None and ctx.addendum_start <= sentence.start < ctx.addendum_end \
            and _header_of(sentence) is None \
            and bisect_right(ctx.section_starts, sentence.start) <= bisect_right(ctx.section_starts,
                                                                                 ctx.addendum_start - 1):
        section = None  # the addendum ends the section it follows ("IMPRESSION: ... ADDENDUM 05/20: ...")
    if _skipped(section) or _lexicon().generic.match(sentence.text):
        return  # also generic technique text: "For C3 to C6, the medial branch lies ..."
    lex = _lexicon()
    if sentence.text.rstrip().endswith(":") and _says_done(sentence):
        g.last_technique = (index, sentence.end, section)  # "needles were placed at:" + a list of targets
    header = _header_side_source(sentence, section, index)
    if not (header or lex.worth_parsing.search(sentence.text)):
        if len(sentence.text) <= lex.lex.side_statement_max_chars:
            _side_statement(g, sentence, section, index)
        return  # no level, nerve, repeat cue or header side here (most sentences of a note)
    phrases = parse_side_phrases(sentence.text, sentence.start)
    if header:
        g.header_sides.extend(phrases)
    levels = parse_level_mentions(sentence.text, sentence.start)
    nerves = parse_nerve_mentions(sentence.text, sentence.start)
    if nerves and (ctx.si_lateral or si_nerve_sentence(sentence)):
        # "L5 dorsal ramus and S1-S3 lateral branch blocks": the dorsal ramus is an SI target, not L5-S1
        # (R-NBR-SIJ); a note that blocks the SI lateral branches maps no dorsal ramus to a facet joint.
        nerves = [n for n in nerves if n.kind != "dorsal_ramus"]
    items = sorted([*levels, *nerves], key=lambda x: x.start)
    sides = attach_sides(sentence.text, sentence.start, items, phrases)
    named: set[str] = set()
    unsided: list[tuple[int, int]] = []
    sided = False
    title_line = index == 0 and ctx.title_facet
    technique = (carried is not None or _says_done(sentence)
                 or (bool(items) and _done_next(view, sentence, index, section)))
    if technique:
        g.technique_sides.update(p.side for p in phrases)
    adds = bool(lex.addendum_additive.search(sentence.text))
    for item, item_sides in zip(items, sides):
        if not _accepted(sentence, section, item.start, item.end, ctx, carried is not None):
            continue
        if _row_not_done(view.text, item.start):
            continue  # "| L1-L2 | R | -- NOT DONE -- |"
        role = _role(ctx, item.start, title_line, technique)
        sided |= bool(item_sides)
        if isinstance(item, LevelMention):
            rel = item.start - sentence.start
            if lex.negated_level.search(sentence.text, max(0, rel - NEGATED_LEVEL_REACH), rel):
                if role == "addendum":
                    g.denied.update(item.joints)  # "C3-C4 was treated on the right, not L3-L4 as written"
                continue  # "L2-3, L3-4, L4-5 bilat. NOT L5-S1": not a treated level
            if role == "addendum" and adds:
                g.additive.update((joint, "joint") for joint in item.joints)
            for joint in item.joints:
                explicit = g.explicit[role]
                acc = explicit.setdefault(joint, _Acc(joint, "joint", tuple(_lexicon().lex.rule_ids.joint)))
                acc.add((item.start, item.end), item_sides)
                named.add(joint)
            span = (item.start, item.end)
        else:
            g.nerves.append((item, item_sides, role))
            if role == "addendum" and adds:
                g.additive.add((item.vertebra, item.kind))
            span = (item.phrase_start, item.phrase_end)
        if role == "technique":
            g.last_technique = (index, sentence.end, section)
        if not item_sides:
            unsided.append(span)
    if unsided or sided:
        g.recent.append(_Recent(index, section, tuple(unsided), sided))
    here = [n for n, _, _ in g.nerves if sentence.start <= n.start < sentence.end]
    named.update(nj.joint for nj in nerves_to_joints(here))
    cues = _find_cues(sentence, phrases, named)
    g.cues.extend((cue, _role(ctx, cue.start, title_line, technique)) for cue in cues)
    for cue in cues:  # "repeated on the left" names a side that was done; "the other side" means both
        g.technique_sides.add(cue.side.side if cue.kind == "repeat" and cue.side is not None else "bilateral")


def _side_statement(g: _Gathered, sentence: Sentence, section: str | None, index: int) -> None:
    """A short sentence that only states a side ("These were all done on the left.", "All on the right
    side.", "Left side only."): its side goes to the items without a side of the sentences just before
    it (same section, at most `side_statement_reach` sentences back, up to one that states a side)."""
    low = sentence.text.lower()
    if "left" not in low and "right" not in low and "bilat" not in low and "both sides" not in low:
        return  # most short sentences: no side word at all
    lex = _lexicon()
    body = _BULLET.sub("", sentence.text).strip().rstrip(".!").strip()
    if not lex.side_statement.fullmatch(body) or set(re.findall(r"[a-z]+", body.lower())) <= {"left", "right"}:
        return  # a bare "Left." may be a field answer or a column: not a statement
    phrases = parse_side_phrases(sentence.text, sentence.start)
    if len({p.side for p in phrases}) != 1:
        return
    targets: set[tuple[int, int]] = set()
    for recent in reversed(g.recent):
        if recent.section != section or index - recent.index > lex.lex.side_statement_reach or recent.sided:
            break
        targets.update(recent.unsided)
    # The statement closes the reach of the next one ("L4-5 ... All on the left. L5-S1 ... All on the right.").
    g.recent.append(_Recent(index, section, (), True))
    if targets:
        g.statements.append((phrases[0], targets))


def _apply_side_statements(levels: dict[str, _Acc], statements: Sequence[tuple[SidePhrase, set[tuple[int, int]]]]) -> None:
    """Levels with no side anywhere in the note take the side of a statement that follows their mention."""
    for phrase, spans in statements:
        for acc in levels.values():
            if acc.side() == "unspecified" and acc.evidence & spans:
                acc.sides.add(phrase.side)
                acc.side_spans.add((phrase.start, phrase.end))


_SidedNerve = tuple[NerveMention, list[SidePhrase]]


def _nerve_groups(nerves: Sequence[_SidedNerve]) -> list[tuple[str, list[_SidedNerve]]]:
    """Split nerves by side: each stated side gets its nerves, the bilateral ones and the unsided ones."""
    stated = {p.side for _, ps in nerves for p in ps}
    groups = [s for s in ("left", "right") if s in stated or "bilateral" in stated]
    if not groups:
        return [("unspecified", list(nerves))]
    out = []
    for side in groups:
        members = [(n, ps) for n, ps in nerves if not ps or any(p.side in (side, "bilateral") for p in ps)]
        out.append((side, members))
    return out


def _nerve_accs(nerves: Sequence[_SidedNerve]) -> dict[str, _Acc]:
    """Joints implied by the note's nerve lists, per side group."""
    accs: dict[str, _Acc] = {}
    for side, members in _nerve_groups(nerves):
        sides_of = {id(n): ps for n, ps in members}
        for nj in nerves_to_joints([n for n, _ in members]):
            acc = accs.setdefault(nj.joint, _Acc(nj.joint, "nerve_map", nj.rule_ids))
            stated = [p for n in nj.nerves for p in sides_of[id(n)] if p.side in (side, "bilateral")]
            for n in nj.nerves:
                acc.add((n.phrase_start, n.phrase_end), [])
            for p in stated:
                acc.sides.add(side if side != "unspecified" else p.side)
                acc.side_spans.add((p.start, p.end))
    return accs


def _merge_nerves(explicit: dict[str, _Acc], nerve: dict[str, _Acc]) -> tuple[dict[str, _Acc], dict[str, list[_Acc]]]:
    """Combine named joints with joints mapped from nerve lists (R-LEVEL-3..5).

    In a region where the note names joints, the nerve map only adds joints when the named ones are
    all among the mapped ones ("L2, L3, L4 medial branches and L5 dorsal ramus ... the L5-S1 joint"
    is L3-L4, L4-L5 and L5-S1). When they disagree (clinician shorthand: "L4-5 MBB, L4 and L5 medial
    branches"), the named joints win. The third occipital nerve always counts.
    Returns the levels and, per region, the nerve joints that lost (their sides are a fallback)."""
    out = dict(explicit)
    regions = {region_of_joint(j) for j in explicit}
    mapped_by_region: dict[str, set[str]] = defaultdict(set)
    for joint in nerve:
        mapped_by_region[region_of_joint(joint)].add(joint)
    consistent = {
        region for region in regions
        if {j for j in explicit if region_of_joint(j) == region} <= mapped_by_region.get(region, set())
    }
    lost: dict[str, list[_Acc]] = defaultdict(list)
    for joint, acc in nerve.items():
        region = region_of_joint(joint)
        if joint in out:
            target = out[joint]
            target.evidence |= acc.evidence
            target.sides |= acc.sides
            target.side_spans |= acc.side_spans
        elif region in regions and region not in consistent and acc.rule_ids != tuple(_lexicon().lex.rule_ids.third_occipital):
            lost[region].append(acc)
        else:
            out[joint] = acc
    return out, lost


def _fill_unspecified(levels: dict[str, _Acc], lost: dict[str, list[_Acc]], header: Sequence[SidePhrase]) -> None:
    """Levels with no side take the side of the region's nerve list, else of the procedure header."""
    for acc in levels.values():
        if acc.side() != "unspecified":
            continue
        pool = lost.get(region_of_joint(acc.joint), [])
        nerve_sides = {combine_sides(a.sides) for a in pool} - {"unspecified"}
        if len(nerve_sides) == 1:
            acc.sides |= nerve_sides
            acc.side_spans |= {s for a in pool for s in a.side_spans}
        elif len({p.side for p in header}) == 1:
            acc.sides.add(header[0].side)
            acc.side_spans |= {(p.start, p.end) for p in header}


def _apply_cues(levels: dict[str, _Acc], cues: Sequence[_Cue]) -> None:
    """'repeated on the left' / 'the other side': the levels named there (else all levels so far)
    are done on both sides."""
    for cue in cues:
        targets = [levels[j] for j in cue.named if j in levels] or [a for a in levels.values() if a.first < cue.start]
        for acc in targets:
            if cue.kind == "repeat" and cue.side is not None and acc.side() == cue.side.side:
                continue
            acc.sides.add("bilateral")
            acc.side_spans.add((cue.start, cue.end))
            if cue.side is not None:
                acc.side_spans.add((cue.side.start, cue.side.end))


def _outermost(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not inside another one (one sweep: start ascending, longest first)."""
    kept: list[tuple[int, int]] = []
    reach = -1
    for s in sorted(set(spans), key=lambda x: (x[0], -x[1])):
        if s[1] > reach:
            kept.append(s)
            reach = s[1]
    return kept


def _to_level(view: NoteView, acc: _Acc) -> Level:
    kept = sorted(_outermost(acc.evidence))
    return Level(
        joint=acc.joint,
        region=region_of_joint(acc.joint),
        side=acc.side(),
        source=acc.source,
        evidence=[view.evidence(s, e) for s, e in kept],
        side_evidence=[view.evidence(s, e) for s, e in sorted(acc.side_spans)],
        rule_ids=list(acc.rule_ids),
    )


def _joint_key(joint: str) -> int:
    return _lexicon().order.get(joint.split("-")[0], 99)


# --------------------------------------------------------------------------- procedure line, technique, addendum

# A header opens a statement when it stands at the start of the text or right after a delimiter.
_STATEMENT_START = re.compile(r"(?:^|[\n|;.,:=\]>*\u2022)]|\s-{1,2}|^[ \t]*\"|\n[ \t]*\")[ \t]*$")
# A procedure line ends at a full stop (not one of a numbered list), a blank line, a new "Label:" line,
# a new line that opens a sentence ("\nThe patient was ..."), a "|" or "--" field separator.
_TITLE_END = re.compile(
    r"(?<![\s\d])\.(?=\s|$)(?!\s*\n[ \t]*\d{1,2}[.)]\s)|\n[ \t]*\n"
    r"|\n(?=[ \t]*(?!(?:Left|Right|Bilateral|And|Or)\b)[A-Z][a-z]+\s)"
    r"|\n(?=[ \t]*(?:[-*\u2022]\s*)?[A-Za-z][A-Za-z0-9 /()&'-]{0,40}:)|\s\|\s|\s--\s|\s=="
)
# After an inline header ("..., procedure bilateral L4-L5 facet injections, indication ...") a semicolon
# or a comma that does not go on with the level list ends the procedure line too.
_TITLE_END_INLINE = re.compile(
    rf";|,\s+(?!(?:and\s+|&\s*)?(?:(?:bilateral|bilat|right|left|rt|lt|r|l)\.?\s+)?"
    rf"(?:[CTLS]\d|\d{{1,2}}\s*[{_DASH}/]))",
    re.I,
)
_LINE_HEAD = re.compile(r"(?:^|\n)[ \t]*(?:[-*\u2022>]\s*|\d{1,2}[.)]\s*|\[[ xX]?\]\s*)?$")


def _statement_start(text: str, pos: int) -> bool:
    return bool(_STATEMENT_START.search(text, max(0, pos - 8), pos))


def _title_spans(view: NoteView) -> tuple[list[tuple[int, int]], frozenset[int]]:
    """Spans of the note's procedure lines (header to the end of its statement) and the starts of the
    "EXAM:" ones. A span that holds a performed cue ("... was advanced", "injected") is narrative,
    not a procedure line."""
    lex = _lexicon()
    text = view.text
    starts = [m.start for m in view.mentions]
    cue_labels, facet = set(lex.lex.performed_cue_labels), set(lex.lex.facet_labels)

    def labels_in(lo: int, hi: int) -> set[str]:
        a, b = bisect_right(starts, lo - 1), bisect_right(starts, hi - 1)
        return {m.label for m in view.mentions[a:b] if m.asserted}

    spans: list[tuple[int, int]] = []
    exam: set[int] = set()
    low = ascii_lower(text)
    for pattern, is_exam in ((lex.title_header, False), (lex.title_exam_header, True)):
        for m in pattern.finditer(low):
            if not _statement_start(text, m.start()) or lex.site_record.match(low, low.rfind("\n", 0, m.start()) + 1):
                continue
            body = m.end() + len(text[m.end() : m.end() + 40]) - len(text[m.end() : m.end() + 40].lstrip())
            end = min(len(text), m.end() + lex.lex.title_max_chars)
            stop = _TITLE_END.search(text, body + 1, end)
            end = stop.start() if stop else end
            if not _LINE_HEAD.search(text, max(0, m.start() - 12), m.start()):
                stop = _TITLE_END_INLINE.search(text, body, end)
                end = stop.start() if stop else end
            found = labels_in(body, end)
            if found & cue_labels or (is_exam and not found & facet):
                continue
            spans.append((m.start(), end))
            if is_exam:
                exam.add(m.start())
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged, frozenset(exam)


def _addendum_start(view: NoteView) -> int | None:
    """Where a signed addendum begins: "ADDENDUM 05/20/2025 ...", "Addendum by Dr. X", "== ADDENDUM ==" at
    the start of a statement; None when the note has none (or one that is the whole note)."""
    lex = _lexicon()
    for m in lex.addendum.finditer(ascii_lower(view.text)):
        if m.start() > 0 and _statement_start(view.text, m.start()):
            return m.start()
    return None


def _addendum_end(view: NoteView, start: int | None) -> int:
    """An addendum runs to the end of the note, or to a titled rule line after it ("--- AUDITOR SUMMARY ---"); an
    e-mail reply written above the message it answers ends where the quoted message's header begins."""
    if start is None:
        return len(view.text)
    ends = [e for e in (quoted_message_start(view.text, start),) if e is not None]
    line_end = view.text.find("\n", start)
    rule = _lexicon().addendum_ends_at.search(view.text, line_end) if line_end >= 0 else None
    if rule is not None:
        ends.append(rule.start())
    return min(ends, default=len(view.text))


def _note_context(view: NoteView) -> _Context:
    spans, exam = _title_spans(view)
    start = _addendum_start(view)
    return _Context(
        title_facet=_title_has_facet(view),
        si_lateral=performs_si_lateral_branch_block(view),
        title_starts=tuple(lo for lo, _ in spans),
        title_ends=tuple(hi for _, hi in spans),
        exam_titles=exam,
        addendum_start=start,
        addendum_end=_addendum_end(view, start),
        section_starts=tuple(sorted(sp.start for sp in view.sections)),
    )


def _union(*groups: dict[str, _Acc]) -> dict[str, _Acc]:
    out: dict[str, _Acc] = {}
    for group in groups:
        for joint, acc in group.items():
            if joint in out:
                out[joint].absorb(acc)
            else:
                out[joint] = acc.copy()
    return out


def _assemble(explicit: dict[str, _Acc], nerves: Sequence[_SidedNerve], g: _Gathered,
              header: Sequence[SidePhrase], cues: Sequence[_Cue]) -> dict[str, _Acc]:
    """Levels from one set of items: named joints merged with the nerve map, then side statements,
    fallback sides and repeat / other-side cues."""
    levels, lost = _merge_nerves({j: a.copy() for j, a in explicit.items()}, _nerve_accs(nerves))
    _apply_side_statements(levels, g.statements)
    _fill_unspecified(levels, lost, header)
    _apply_cues(levels, sorted(cues, key=lambda c: c.start))
    return levels


@dataclass
class _Disagreement:
    """Procedure line and technique disagree in one region (joints, or the side of a joint)."""

    title: list[_Acc]
    technique: list[_Acc]


ONE_SIDE = frozenset({"left", "right"})

# Joints at most this many levels apart belong to one stretch of spine: one block, whose procedure line
# and technique are compared (a note that also treats the neck compares that block on its own).
STRETCH_GAP = 2


def _stretches(joints: Iterable[str]) -> list[set[str]]:
    out: list[set[str]] = []
    last = None
    for joint in sorted(joints, key=_joint_key):
        key = _joint_key(joint)
        if last is None or key - last > STRETCH_GAP:
            out.append(set())
        out[-1].add(joint)
        last = key
    return out


def _within(levels: dict[str, _Acc], stretch: set[str]) -> dict[str, _Acc]:
    return {j: a for j, a in levels.items() if j in stretch}


def _direct_joints(nerves: Sequence[_SidedNerve], stretch: set[str]) -> list[str] | None:
    """The joints a nerve list names when read as the clinician's shorthand, each vertebra's nerve for the
    joint below it ("L4, L5 and S1 medial branches" = L4-L5, L5-S1); None when the nerves near the stretch
    are not one run of consecutive vertebrae."""
    lex = _lexicon()
    keys = [_joint_key(j) for j in stretch]
    lo, hi = min(keys) - STRETCH_GAP, max(keys) + STRETCH_GAP
    positions = sorted({p for n, _ in nerves if n.kind != "third_occipital"
                        for p in [lex.order.get(lex.lex.nerve_position_alias.get(n.vertebra, n.vertebra))]
                        if p is not None and lo <= p <= hi + 1})
    if len(positions) < 2 or positions[-1] - positions[0] != len(positions) - 1:
        return None
    names = lex.lex.vertebrae
    return [joint_name(names[p], names[p + 1]) for p in positions[:-1]]


def _decide(title: dict[str, _Acc], technique: dict[str, _Acc], body: dict[str, _Acc], all_: dict[str, _Acc],
            nerves: Sequence[_SidedNerve] = (), technique_sides: frozenset[str] = frozenset()
            ) -> tuple[dict[str, _Acc], list[_Disagreement]]:
    """Per stretch of spine, when the procedure line and the technique (sentences that say what was done) both
    give levels and they share a joint, what was done wins (Engine conventions, 2026-12-03): the
    technique's joints, plus the procedure line's joints that another statement about today's block
    supports; sides from the technique and those statements, else from the procedure line (a statement that
    only says "bilateral" does not add the side a one-sided technique never names). Any
    difference is recorded. The exception is the clinician's shorthand: named joints and a nerve list of
    one more nerve than joints ("L4-5 MBB"; L4 and L5 medial branches) describe the same block, and the
    named joints win (R-LEVEL-4); they disagree only when the nerves, read one per joint below them, name
    other joints. When the two share no joint, or one of them is silent, all
    items count (a technique that adds "the L3-4 joint was also entered" adds a level)."""
    if not title or not technique:
        return all_, []
    out: dict[str, _Acc] = {}
    disagreements: list[_Disagreement] = []
    for stretch in _stretches({*title, *technique, *body, *all_}):
        t, d = _within(title, stretch), _within(technique, stretch)
        b, a = _within(body, stretch), _within(all_, stretch)
        if not t or not d:
            out.update(a or t or b)
            if d and not t and all(b[j].evidence <= d[j].evidence for j in d if j in b):
                # the technique treats a stretch of spine that nothing but the technique names
                disagreements.append(_Disagreement(list(title.values()), [d[j] for j in sorted(d, key=_joint_key)]))
            continue
        tj, dj = sorted(t, key=_joint_key), sorted(d, key=_joint_key)
        direct = _direct_joints(nerves, stretch) if all(d[j].source == "nerve_map" for j in dj) else None
        shorthand = (tj != dj and direct is not None and len(direct) == len(tj)
                     and all(t[j].source == "joint" for j in tj))
        if not shorthand and not set(tj) & set(dj):
            out.update(a)
            disagreements.append(_Disagreement([t[j] for j in tj], [d[j] for j in dj]))
            continue
        pairs: Sequence[tuple[str, _Acc | None, _Acc, _Acc | None]]  # joint, procedure line, today, technique
        if shorthand:
            last = dj[-1]  # one nerve list: one side story
            pairs = [(jt, t[jt], b.get(jd) or d[jd], d[jd]) for jt, jd in zip(tj, dj)] + [
                (jt, t[jt], b.get(last) or d[last], d[last]) for jt in tj[len(dj):]]  # named joints, the nerves' sides
            joints_differ = direct != tj
        else:
            kept = sorted(set(dj) | (set(b) & set(tj)), key=_joint_key)
            pairs = [(j, t.get(j), b.get(j) or d[j], d.get(j)) for j in kept]
            joints_differ = kept != tj
        sides_differ = False
        done: list[_Acc] = []
        for joint, ta, ba, da in pairs:  # ba: the joint as the technique and the other statements about today give it
            acc = ba.copy()
            acc.joint = joint
            if da is not None and da.side() in ONE_SIDE and acc.side() == "bilateral" \
                    and technique_sides <= {da.side()}:
                sides_differ = True  # the technique did one side and names no other; another statement says both
                if not ONE_SIDE - {da.side()} <= acc.sides:  # ... only as "bilateral": what was done wins
                    acc.sides, acc.side_spans = set(da.sides), set(da.side_spans)
            done.append(acc.copy())
            if ta is not None:
                acc.joint, acc.source, acc.rule_ids = joint, ta.source, ta.rule_ids
                acc.evidence |= ta.evidence
                acc.first = min(acc.first, ta.first)
                stated, technique_side = ta.side(), acc.side()
                sides_differ |= "unspecified" not in (stated, technique_side) and stated != technique_side
            if acc.side() == "unspecified":
                src = ta if ta is not None and ta.side() != "unspecified" else a.get(joint)
                if src is not None:
                    acc.sides |= src.sides
                    acc.side_spans |= src.side_spans
            out[joint] = acc
        if joints_differ or sides_differ:
            disagreements.append(_Disagreement([t[j] for j in tj], done))
    return out, disagreements


def describe_levels(levels: Iterable[tuple[str, str]]) -> str:
    """"bilateral L4-L5, L5-S1, left C3-C4": joints in order, each side word before its run."""
    parts, current = [], None
    for joint, side in sorted(levels, key=lambda x: _joint_key(x[0])):
        word = "" if side == "unspecified" else side
        parts.append(f"{word} {joint}".strip() if word != current else joint)
        current = word
    return ", ".join(parts) or "none"


def _spans_of(accs: Iterable[_Acc]) -> set[tuple[int, int]]:
    return {s for acc in accs for s in (*acc.evidence, *acc.side_spans)}


def _amend(base: dict[str, _Acc], nerves: Sequence[_SidedNerve], g: _Gathered
           ) -> tuple[dict[str, _Acc], list[_SidedNerve]]:
    """The body's items as the addendum corrects them: a joint or nerve it names with a side takes that
    side (or adds it: "also on the right"), one it names that the body lacks is added, one it denies
    ("not L3-L4") is dropped."""
    explicit = {j: a.copy() for j, a in base.items() if j not in g.denied}
    for joint, acc in g.explicit["addendum"].items():
        if joint in explicit and acc.sides:
            target = explicit[joint]
            if (joint, "joint") in g.additive:
                target.sides |= acc.sides
                target.side_spans |= acc.side_spans
            else:
                target.sides, target.side_spans = set(acc.sides), set(acc.side_spans)
            target.evidence |= acc.evidence
        elif joint not in explicit:
            explicit[joint] = acc.copy()
    added = g.nerves_of("addendum")
    resided = {(n.vertebra, n.kind) for n, ps in added if ps and (n.vertebra, n.kind) not in g.additive}
    kept = [(n, ps) for n, ps in nerves if (n.vertebra, n.kind) not in resided]
    have = {(n.vertebra, n.kind) for n, _ in kept}
    kept += [(n, ps) for n, ps in added if ps or (n.vertebra, n.kind) not in have]
    return explicit, kept


def _addendum_corrects(view: NoteView, start: int, end: int) -> bool:
    """An addendum that says it restates or clarifies (and corrects nothing) changes no fact."""
    lex = _lexicon()
    text = view.text[start:end]
    return bool(lex.addendum_corrects.search(text)) or not lex.addendum_restates.search(text)


def _key(levels: dict[str, _Acc]) -> list[tuple[str, str]]:
    return sorted((j, a.side()) for j, a in levels.items())


def _both_and_one_side(levels: dict[str, _Acc], g: _Gathered) -> list[_Acc]:
    """Joints written both "bilateral" and with one side only, the other side never named and no repeat cue
    ("BILAT C3/4, C4/5 facet block: Rt C3, C4, C5 med br"): which was done is for a person to say."""
    if g.cues or "bilateral" in g.technique_sides:
        return []
    out = []
    for acc in levels.values():
        one = acc.sides & ONE_SIDE
        if "bilateral" in acc.sides and len(one) == 1:
            out.append(acc)
    named = {s for acc in levels.values() for s in acc.sides & ONE_SIDE}
    return out if len(named) == 1 else []


def _technique_one_side(levels: dict[str, _Acc], technique: dict[str, _Acc], g: _Gathered) -> list[_Acc]:
    """Joints read on both sides although the technique, which names every side it treats, did one side only and no
    repeat cue carries it to the other: the other side came from a summary, a title row or a plan."""
    if g.cues or not technique or "bilateral" in g.technique_sides or len(g.technique_sides & ONE_SIDE) != 1:
        return []
    out = []
    for joint, acc in levels.items():
        done = technique.get(joint)
        if done is not None and combine_sides(acc.sides) == "bilateral" and len(done.sides & ONE_SIDE) == 1 \
                and "bilateral" not in done.sides:
            out.append(acc)
    return out


def _settle(view: NoteView, g: _Gathered, ctx: _Context) -> tuple[dict[str, _Acc], list[ReviewReason]]:
    """The treated levels, and the doubts: the procedure line against the technique, the addendum
    against the body."""
    title_x = g.explicit["title"]
    title = _assemble(title_x, g.nerves_of("title"), g, g.header_sides, g.cues_of("title"))

    def settled(tech_x: dict[str, _Acc], tech_n: list[_SidedNerve], body_x: dict[str, _Acc],
                body_n: list[_SidedNerve], extra: tuple[Role, ...] = ()
                ) -> tuple[dict[str, _Acc], list[_Disagreement], dict[str, _Acc]]:
        done = ("technique", *extra)
        technique = _assemble(tech_x, tech_n, g, (), g.cues_of(*done))
        body = _assemble(_union(tech_x, body_x), [*tech_n, *body_n], g, (), g.cues_of("body", *done))
        all_ = _assemble(_union(title_x, tech_x, body_x), [*g.nerves_of("title"), *tech_n, *body_n], g,
                         g.header_sides, g.cues_of("title", "body", *done))
        return (*_decide(title, technique, body, all_, tech_n, frozenset(g.technique_sides)), technique)

    tech_x, body_x = g.explicit["technique"], g.explicit["body"]
    tech_n, body_n = g.nerves_of("technique"), g.nerves_of("body")
    levels, disagreements, technique = settled(tech_x, tech_n, body_x, body_n)
    doubts: list[ReviewReason] = []
    if disagreements:
        stated = [a for d in disagreements for a in d.title]
        done = [a for d in disagreements for a in d.technique]
        detail = (f"procedure line: {describe_levels((a.joint, a.side()) for a in stated)}; "
                  f"technique: {describe_levels((a.joint, a.side()) for a in done)}")
        doubts.append(doubt(LEVELS_CONFLICT, _evidence(view, _spans_of(stated) | _spans_of(done)), detail))
    elif (one_sided := _both_and_one_side(levels, g)):
        side = sorted(one_sided[0].sides & ONE_SIDE)[0]
        detail = f"both sides and {side} only are written for {describe_levels((a.joint, '') for a in one_sided)}"
        doubts.append(doubt(LEVELS_CONFLICT, _evidence(view, _spans_of(one_sided)), detail))
    elif (narrowed := _technique_one_side(levels, technique, g)):
        # "Title (per Dr): Bilateral L2 and L3 medial branch blocks" against needles to the right L2 and L3 only
        detail = (f"elsewhere: {describe_levels((a.joint, a.side()) for a in narrowed)}; technique: "
                  f"{describe_levels((j, technique[j].side()) for j in (a.joint for a in narrowed))}")
        doubts.append(doubt(LEVELS_CONFLICT, _evidence(view, _spans_of(narrowed)), detail))
        levels = {j: (technique[j].copy() if any(a.joint == j for a in narrowed) else acc) for j, acc in levels.items()}
    has_addendum = bool(g.explicit["addendum"] or g.nerves_of("addendum") or g.denied)
    if has_addendum and not levels:  # only the addendum names the levels ("restating: bilateral L4-L5 ...")
        return _assemble(g.explicit["addendum"], g.nerves_of("addendum"), g, g.header_sides,
                         g.cues_of("addendum")), doubts
    if not has_addendum or ctx.addendum_start is None \
            or not _addendum_corrects(view, ctx.addendum_start, ctx.addendum_end):
        return levels, doubts
    if tech_x or tech_n or body_x or body_n:
        tech2_x, tech2_n = _amend(tech_x, tech_n, g)
        body2_x, body2_n = _amend(body_x, body_n, g)
        final, _, technique2 = settled(tech2_x, tech2_n, body2_x, body2_n, ("addendum",))
    else:
        amended_x, amended_n = _amend(title_x, g.nerves_of("title"), g)
        final = _assemble(amended_x, amended_n, g, g.header_sides, g.cues_of("title", "addendum"))
        technique2 = technique
    # What changed: the levels coded, else the technique the addendum corrects (another statement of the
    # body may already have said what the addendum says; the body still disagreed with itself).
    for old, new in ((levels, final), (technique, technique2)):
        before, after = dict(_key(old)), dict(_key(new))
        changed = sorted(set(before) ^ set(after) | {j for j in before if j in after and before[j] != after[j]},
                         key=_joint_key)
        if changed:
            break
    else:
        return levels, doubts
    added = [a for a in g.explicit["addendum"].values()] + [
        _Acc(n.vertebra, "nerve_map", (), {(n.phrase_start, n.phrase_end)}, set(), {(p.start, p.end) for p in ps})
        for n, ps in g.nerves_of("addendum")]
    detail = (f"body: {describe_levels((j, before[j]) for j in changed if j in before)}; "
              f"addendum: {describe_levels((j, after[j]) for j in changed if j in after)}")
    spans = _spans_of(added) | _spans_of(old[j] for j in changed if j in old)
    doubts.append(doubt(ADDENDUM_CHANGES_FACT, _evidence(view, spans), detail))
    return final, doubts


def _evidence(view: NoteView, spans: Iterable[tuple[int, int]]) -> list[Evidence]:
    return [view.evidence(s, e) for s, e in sorted(spans)]


def extract_levels_and_doubts(view: NoteView) -> tuple[list[Level], list[ReviewReason]]:
    """The facet joints treated in this note, cranial to caudal, with side and evidence, and the review
    reasons the levels raise: LEVELS_CONFLICT (procedure line and technique disagree; the technique
    wins) and ADDENDUM_CHANGES_FACT (a signed addendum corrects a level or side; the addendum wins)."""
    ctx = _note_context(view)
    g = _Gathered()
    for index, sentence in enumerate(view.sentences):
        _gather_sentence(g, view, sentence, index, ctx)
    levels, doubts = _settle(view, g, ctx)
    return [_to_level(view, levels[j]) for j in sorted(levels, key=_joint_key)], doubts


def extract_levels(view: NoteView) -> list[Level]:
    """The facet joints treated in this note, cranial to caudal, with side and evidence."""
    return extract_levels_and_doubts(view)[0]
