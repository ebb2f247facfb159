"""Spinal levels + laterality: the facet joints treated in a note, each with its side and evidence.

Two layers:
* pure text parsing, testable without a pipeline: `parse_level_mentions` (joints, ranges, lists),
  `parse_nerve_mentions` (medial-branch / dorsal-ramus / third-occipital nerve lists),
  `nerves_to_joints` (nerve -> joint anatomy, R-LEVEL-3..5), `parse_side_phrases`, `attach_sides`;
* `extract_levels(view)`: keeps the mentions of sentences that describe today's facet procedure,
  merges them per joint and settles sides stated elsewhere (procedure header, "Side:" field,
  "repeated on the left", "the other side", a short side-only sentence right after the levels:
  "These were all done on the left."). In a note that blocks the sacroiliac lateral branches the
  L5 dorsal ramus is an SI target and maps to no facet joint.

Lookup data lives in `lexicons/levels.yaml`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, field_validator

from nlp.extract.procedure import performs_si_lateral_branch_block, si_nerve_sentence
from nlp.extract.view import NOT_PERFORMED_SECTIONS, PROCEDURE_SECTIONS, Mention, NoteView, Sentence, header_categories
from nlp.resources import read_yaml
from nlp.validation import Regex
from nlp.schema import Level, Side, region_of_joint

LEXICON = "lexicons/levels.yaml"

SideValue = Literal["left", "right", "bilateral"]
NerveKind = Literal["medial_branch", "dorsal_ramus", "third_occipital"]


# --------------------------------------------------------------------------- lexicon


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


_UNCHECKED_BOX = re.compile(r"(?:\[\s?\]|\(\s?\)|\u2610)[ \t]*$")


def unchecked(text: str, pos: int) -> bool:
    """True when an empty template box ("[ ]", "( )", "\u2610") stands right before `pos`."""
    return bool(_UNCHECKED_BOX.search(text[max(0, pos - 6) : pos]))


def _atoms(text: str, offset: int = 0) -> list[_Atom]:
    """Every vertebra, joint and vertebra-range token in `text`, except unticked template options."""
    out = []
    for m in _ATOM.finditer(text):
        atom = _atom_from_match(m, offset)
        if atom is not None and not unchecked(text, m.start()):
            out.append(atom)
    return out


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
        if (not found and gap.strip()) or (found and not _is_list_gap(gap)):
            break
        found.append(atoms[k])
        end, k = atoms[k].start - offset, k - 1
    return found[::-1]


_AFTER_NOUN = re.compile(r"(?:\s*[,:]|\s+(?:of|at|to|from))\s+(?:the\s+)?(?:(?:right|left|bilateral)\s+)?", re.I)


def _vertebrae_after(text: str, offset: int, atoms: Sequence[_Atom], start: int, owned: set[int]) -> list[_Atom]:
    """The vertebra list after a nerve noun: "medial branches of/at (the) L3, L4 and L5"; stops at a
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
    for noun, kind in nouns:
        verts = [a for a in before[id(noun)] if a.start not in taken] or after[id(noun)]
        for v in verts:
            lo, hi = min(v.start, noun.start() + offset), max(v.end, noun.end() + offset)
            out[(v.upper, kind, v.start)] = NerveMention(v.upper, kind, v.start, v.end, lo, hi)
    for m in lex.third_occipital.finditer(text):
        s, e = m.start() + offset, m.end() + offset
        out[("C3", "third_occipital", s)] = NerveMention("C3", "third_occipital", s, e, s, e)
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


def nerves_to_joints(nerves: Sequence[NerveMention]) -> list[NerveJoint]:
    """Joints supplied by a set of nerves (one side), R-LEVEL-3..5: cervical Cn + C(n+1) -> Cn-C(n+1);
    thoracic/lumbar L(n-1) + Ln -> Ln-L(n+1), L4 + L5 dorsal ramus -> L5-S1; third occipital -> C2-C3.
    N consecutive nerves give N-1 joints; a lone nerve gives none."""
    lex = _lexicon()
    names, rules = lex.lex.vertebrae, lex.lex.rule_ids
    out = [NerveJoint("C2-C3", (n,), tuple(rules.third_occipital)) for n in nerves if n.kind == "third_occipital"]
    by_pos: dict[int, list[NerveMention]] = defaultdict(list)
    for n in (n for n in nerves if n.kind != "third_occipital"):
        pos = _nerve_position(n)
        if pos is not None:
            by_pos[pos].append(n)
    for a in sorted(by_pos):
        if a + 1 not in by_pos:
            continue
        cervical = names[a][0] == "C"
        upper = a if cervical else a + 1
        if upper + 1 >= len(names):
            continue
        rule = rules.nerve_cervical if cervical else rules.nerve_lumbar
        joint = joint_name(names[upper], names[upper + 1])
        out.append(NerveJoint(joint, tuple(by_pos[a] + by_pos[a + 1]), tuple(rule)))
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
    return [p for p in out if not unchecked(text, p.start - offset)]


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
    return (after or before) if p.form == "adj" else (before or after)


def attach_sides(
    text: str, offset: int, items: Sequence[_Item], phrases: Sequence[SidePhrase]
) -> list[list[SidePhrase]]:
    """For each item (sorted by start) the side phrases that modify it: a phrase attached to its
    list, else a free phrase nearby (`_free_side`)."""
    chains = _chains(text, offset, items, phrases)
    result: list[list[SidePhrase]] = [[] for _ in items]
    free: list[SidePhrase] = []
    for p in phrases:
        chain = _chain_for(text, offset, p, chains, items, phrases)
        if chain is None:
            free.append(p)
        for i in chain or ():
            result[i].append(p)
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


_BULLET = re.compile(r"^\s*(?:[-*\u2022>]|\d{1,2}[.)])\s*")


def _header_of(sentence: Sentence) -> str | None:
    """The category of a section header the sentence starts with ("- Imaging: ..."), if any."""
    head = _BULLET.sub("", sentence.text[:80]).lower()
    colon = head.find(":")
    if colon <= 0:
        return None
    return header_categories().get(head[:colon].rstrip())


def _effective_section(view: NoteView, sentence: Sentence) -> str | None:
    """The sentence's section, or the category of a header it starts with; a field-like section
    ("Vital signs: ...") does not reach a later paragraph that describes the procedure being done."""
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
    m = _nearest([m for m in _procedures(sentence) if lo <= m.start < hi], start, end)
    return m is not None and m.label in _lexicon().lex.strong_facet_labels and m.asserted


_CLAUSE_BREAK = re.compile(
    r"[;:!?\n]|\.(?=\s|$)|,(?!\s*(?:(?:and|or|&)\s*)?(?:[CTLS]\d|\d{1,2}\s*[-\u2013/]\s*(?:[CTLS]?\d)))", re.I
)


def _clause(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """Absolute bounds of the clause holding [start, end): commas inside level lists do not split."""
    rel_s, rel_e = start - sentence.start, end - sentence.start
    lo, hi = 0, len(sentence.text)
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        if m.end() <= rel_s:
            lo = m.end()
        elif m.start() >= rel_e:
            hi = m.start()
            break
    return lo + sentence.start, hi + sentence.start


def _nearest(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """The mention closest to [start, end); on a tie the one after it."""
    if not mentions:
        return None
    return min(mentions, key=lambda m: (max(m.start - end, start - m.end, 0), m.start < start))


def _procedures(sentence: Sentence) -> list[Mention]:
    lex = _lexicon().lex
    labels = set(lex.facet_labels) | set(lex.other_procedure_labels)
    return [m for m in sentence.mentions if m.label in labels]


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


def _accepted(sentence: Sentence, section: str | None, start: int, end: int, ctx: _Context) -> bool:
    """Is the level at [start, end) in `sentence` a level treated today? The procedure mention of
    its clause (else of its sentence) decides; without one, the clause must not be about a disc,
    an image or the past/future, and the section or a performed cue must place it in today's procedure."""
    lex = _lexicon()
    if _skipped(section):
        return False
    if section in lex.lex.skip_sections:
        return _listed_procedure(sentence, start, end)
    lo, hi = _clause(sentence, start, end)
    clause = sentence.text[lo - sentence.start : hi - sentence.start]
    procs = _procedures(sentence)
    local = [m for m in procs if lo <= m.start < hi]
    cue = _has_performed_cue(sentence)
    local_cue = any(lo <= m.start < hi and m.label in lex.lex.performed_cue_labels and m.asserted
                    for m in sentence.mentions)
    facet_named = any(_is_facet(m) for m in local) or (local_cue and bool(lex.anchor.search(clause)))
    if lex.disqualifier.search(clause) and not facet_named:
        return False
    if lex.context.search(clause) and not (local and section in PROCEDURE_SECTIONS):
        return False
    if local:
        return _is_facet(_nearest(local, start, end))
    if procs:
        return _is_facet(_nearest(procs, start, end))
    if section in lex.lex.core_sections:
        return True
    if section in PROCEDURE_SECTIONS:
        return cue or bool(lex.anchor.search(clause))
    return cue or (ctx.title_facet and bool(lex.anchor.search(clause)))


def _title_has_facet(view: NoteView) -> bool:
    """The note's first line names a performed facet procedure (headerless-note rule)."""
    if not view.sentences:
        return False
    first = view.sentences[0]
    strong = _lexicon().lex.strong_facet_labels
    return len(first.text) <= 160 and any(m.label in strong and m.performed for m in first.mentions)


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


@dataclass
class _Gathered:
    explicit: dict[str, _Acc] = field(default_factory=dict)
    nerves: list[_SidedNerve] = field(default_factory=list)
    header_sides: list[SidePhrase] = field(default_factory=list)
    cues: list[_Cue] = field(default_factory=list)
    recent: list[_Recent] = field(default_factory=list)
    statements: list[tuple[SidePhrase, set[tuple[int, int]]]] = field(default_factory=list)


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


def _gather_sentence(g: _Gathered, view: NoteView, sentence: Sentence, index: int, ctx: _Context) -> None:
    section = _effective_section(view, sentence)
    if _skipped(section) or _lexicon().generic.match(sentence.text):
        return  # also generic technique text: "For C3 to C6, the medial branch lies ..."
    lex = _lexicon()
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
    for item, item_sides in zip(items, sides):
        if not _accepted(sentence, section, item.start, item.end, ctx):
            continue
        sided |= bool(item_sides)
        if isinstance(item, LevelMention):
            for joint in item.joints:
                acc = g.explicit.setdefault(joint, _Acc(joint, "joint", tuple(_lexicon().lex.rule_ids.joint)))
                acc.add((item.start, item.end), item_sides)
                named.add(joint)
            span = (item.start, item.end)
        else:
            g.nerves.append((item, item_sides))
            span = (item.phrase_start, item.phrase_end)
        if not item_sides:
            unsided.append(span)
    if unsided or sided:
        g.recent.append(_Recent(index, section, tuple(unsided), sided))
    here = [n for n, _ in g.nerves if sentence.start <= n.start < sentence.end]
    named.update(nj.joint for nj in nerves_to_joints(here))
    g.cues.extend(_find_cues(sentence, phrases, named))


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


def _to_level(view: NoteView, acc: _Acc) -> Level:
    spans = sorted(acc.evidence)
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
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


def extract_levels(view: NoteView) -> list[Level]:
    """The facet joints treated in this note, cranial to caudal, with side and evidence."""
    ctx = _Context(title_facet=_title_has_facet(view),
                   si_lateral=performs_si_lateral_branch_block(view))
    g = _Gathered()
    for index, sentence in enumerate(view.sentences):
        _gather_sentence(g, view, sentence, index, ctx)
    levels, lost = _merge_nerves(g.explicit, _nerve_accs(g.nerves))
    _apply_side_statements(levels, g.statements)
    _fill_unspecified(levels, lost, g.header_sides)
    _apply_cues(levels, sorted(g.cues, key=lambda c: c.start))
    return [_to_level(view, levels[j]) for j in sorted(levels, key=_joint_key)]

