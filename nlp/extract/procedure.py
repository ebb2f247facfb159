"""Procedure family performed in this note (R-NBR-*: neighbours are told apart here).

Each performed target mention votes for its family; mentions in the procedure/title position
weigh most. A note with no performed procedure mention and no performance cue (needle placed,
prepped and draped, injected...) is a consult or plan: `no_procedure`. A facet named only in a
diagnosis or as a landmark does not make a facet procedure: only procedure phrases vote.
The L5 dorsal ramus is also a target of sacroiliac lateral-branch blocks ("L5 dorsal ramus and S1-S3
lateral branch blocks"): there it votes for `sacroiliac_joint`, never for a medial branch block.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from nlp.extract.cues import StrictModel, alternation, load_cues
from nlp.extract.document import FACET_NAMED, NotPerformed, not_performed_document
from nlp.extract.doubts import PROCEDURE_UNCONFIRMED, doubt
from nlp.extract.families import FACET_FAMILIES, family_of
from nlp.extract.view import NOT_PERFORMED_SECTIONS, PROCEDURE_SECTIONS, Mention, NoteView, Sentence, reports_today
from nlp.schema import Procedure, ProcedureFamily, ReviewReason
from nlp.validation import Regex

RULE_IDS: dict[ProcedureFamily, list[str]] = {
    "medial_branch_block": ["R-DESC-7"],
    "facet_joint_injection": ["R-DESC-7"],
    "radiofrequency_ablation": ["R-NBR-RFA"],
    "epidural_injection": ["R-NBR-ESI"],
    "sacroiliac_joint": ["R-NBR-SIJ"],
    "other_procedure": ["R-NBR-NOIMG"],
    "no_procedure": [],
}
_STRONG, _WEAK = 1.0, 0.3
TITLE_MAX_CHARS = 240
# RFA cues outrank block cues: an ablation note always names the medial branches it lesions.
_PRIORITY: dict[ProcedureFamily, float] = {"radiofrequency_ablation": 1.6, "sacroiliac_joint": 1.0}


class ProcedureCues(StrictModel):
    """`procedure` section of lexicons/cues.yaml: sacroiliac nerve-block cues (R-NBR-SIJ)."""

    dorsal_ramus: list[Regex]
    lateral_branch: list[Regex]
    sacral_targets: list[Regex]
    facet_words: list[Regex]
    spine_level: Regex
    other_joints: list[Regex]
    si_words: list[Regex]
    injection_words: list[Regex]
    ablation_technique: list[Regex]
    dosed_injectate: Regex


CUES = load_cues("procedure", ProcedureCues)
_DORSAL_RAMUS = re.compile(alternation(CUES.dorsal_ramus), re.I)
_LATERAL_BRANCH = re.compile(alternation(CUES.lateral_branch), re.I)
_SACRAL = re.compile(alternation(CUES.sacral_targets), re.I)
_FACET_WORD = re.compile(alternation(CUES.facet_words), re.I)
_SPINE_LEVEL = re.compile(CUES.spine_level)
_OTHER_JOINT = re.compile(alternation(CUES.other_joints), re.I)
_SI_WORD = re.compile(alternation(CUES.si_words), re.I)
_INJECTION_WORD = re.compile(alternation(CUES.injection_words), re.I)
_ABLATION_TECHNIQUE = re.compile(alternation(CUES.ablation_technique), re.I)


def _ablation_today(view: NoteView) -> bool:
    """Lesioning, temperature or stimulation written outside a history, plan or carried-forward block."""
    return any(view.section_at(m.start()) not in NOT_PERFORMED_SECTIONS
               for m in _ABLATION_TECHNIQUE.finditer(view.text))
_DOSED = re.compile(CUES.dosed_injectate, re.I)


def is_dorsal_ramus(m: Mention) -> bool:
    """A facet-family mention that names the dorsal ramus ("L5 dorsal ramus block")."""
    return m.label.removesuffix("_WEAK") == "PROC_MBB" and bool(_DORSAL_RAMUS.search(m.text))


def names_si_lateral_branch(m: Mention, sentence: Sentence | None) -> bool:
    """A sacroiliac lateral-branch mention: "lateral branch blocks", "sacral lateral branches", or a bare
    "lateral branches" in a sentence that names a sacral target ("S1, S2 and S3 lateral branches")."""
    if m.label.removesuffix("_WEAK") != "PROC_SI" or not m.asserted or not _LATERAL_BRANCH.search(m.text):
        return False
    return not m.label.endswith("_WEAK") or bool(_SACRAL.search(m.text if sentence is None else sentence.text))


def si_nerve_sentence(sentence: Sentence) -> bool:
    """A sentence about sacroiliac nerve targets: it names the SI lateral branches, or it names the SI
    joint and no medial branch ("right SI joint nerve blocks: L5 dorsal ramus, S1, S2, S3"). The L5
    dorsal ramus in such a sentence belongs to the SI block (R-NBR-SIJ), not to the L5-S1 facet."""
    ms = [m for m in sentence.mentions if m.asserted]
    if any(names_si_lateral_branch(m, sentence) for m in ms):
        return True
    si = any(m.label.removesuffix("_WEAK") == "PROC_SI" for m in ms)
    medial = any(m.label.removesuffix("_WEAK") == "PROC_MBB" and not is_dorsal_ramus(m) for m in ms)
    return si and not medial


def performs_si_lateral_branch_block(view: NoteView) -> bool:
    """The note documents a performed sacroiliac lateral-branch block."""
    return any(m.performed and names_si_lateral_branch(m, view.sentence_at(m.start)) for m in view.by_label("PROC_SI"))


def _si_dorsal_rami(view: NoteView, performed: list[Mention]) -> set[tuple[int, int]]:
    """Dorsal-ramus mentions that vote for the sacroiliac family: all of them when the note performs an
    SI lateral-branch block, else those in a sentence about SI nerve targets (`si_nerve_sentence`)."""
    rami = [m for m in performed if is_dorsal_ramus(m)]
    if not rami:
        return set()
    if performs_si_lateral_branch_block(view):
        return {(m.start, m.end) for m in rami}
    out = set()
    for m in rami:
        sentence = view.sentence_at(m.start)
        if sentence is not None and si_nerve_sentence(sentence):
            out.add((m.start, m.end))
    return out


def _promote_weak_ia(m: Mention, sentence: Sentence | None) -> Mention:
    """A weak intra-articular mention in a sentence naming a facet or spinal joint level (and no other joint) is a
    facet joint injection: "bilateral L3-L4 facet IA injection", "intra-articular injection of the right C5-6".
    A weak SI joint mention with an injection word in its sentence is an SI joint injection ("R SIJ, intra-articular
    injection")."""
    if sentence is None:
        return m
    if m.label == "PROC_SI_WEAK" and not _LATERAL_BRANCH.search(m.text) and _INJECTION_WORD.search(sentence.text):
        return replace(m, label="PROC_SI")
    if m.label != "PROC_FACET_IA_WEAK":
        return m
    words = sentence.text
    spinal = bool(_FACET_WORD.search(words) or _SPINE_LEVEL.search(words))
    if spinal and not _OTHER_JOINT.search(words):
        return replace(m, label="PROC_FACET_IA")
    if _SI_WORD.search(words) and not spinal:
        return replace(m, label="PROC_SI")
    return m  # both kinds of joint in one sentence: the phrase itself must say which


def _injected_facets(view: NoteView) -> list[Mention]:
    """A facet joint named in a sentence that reports today's injection step ("a needle was advanced into the
    left L4-L5 facet joint") is an intra-articular facet injection, when no procedure phrase in that sentence
    names another target (a medial branch, an epidural space, the SI joint)."""
    out = []
    for m in view.by_label("ANAT_FACET", performed=True):
        sentence = view.sentence_at(m.start)
        if sentence is None or not reports_today(list(sentence.mentions)) or _OTHER_JOINT.search(sentence.text):
            continue
        if any(x.label.startswith("PROC_") and family_of(x.label) != "facet_joint_injection" for x in sentence.mentions):
            continue  # the sentence names another target; a facet injection phrase read as planned does not count
        out.append(replace(m, label="PROC_FACET_IA"))
    return out


def _weight(m: Mention, title: _Title) -> float:
    base = _WEAK if m.label.endswith("_WEAK") else _STRONG
    if title(m):
        return base * 3
    if m.section in PROCEDURE_SECTIONS:
        return base * 1.5
    return base


def _as_si(m: Mention) -> Mention:
    return replace(m, label="PROC_SI_WEAK" if m.label.endswith("_WEAK") else "PROC_SI")


def _first_line_end(text: str, start: int, limit: int) -> int:
    """Where the first non-blank line from `start` ends (at most `limit`): a title is one line."""
    lead = start + len(text[start:limit]) - len(text[start:limit].lstrip())
    end = text.find("\n", lead, limit)
    return limit if end < 0 else end


class _Title:
    """Where the note names its procedure: the start of a PROCEDURE section, or the untitled first line (a title
    such as "LUMBAR MBB L4-5"). Both are short: in a note run together into one paragraph a PROCEDURE header
    can open a section that holds the whole note, history included. A note with no PROCEDURE section (a charge
    sheet's "PROCEDURE DESCRIPTION", an op note's "DESCRIPTION OF PROCEDURE:") names it at the start of its
    technique section."""

    def __init__(self, view: NoteView) -> None:
        text = view.text
        lead = len(text) - len(text.lstrip())
        line_end = text.find("\n", lead)
        self.first_line_end = min(len(text) if line_end < 0 else line_end, lead + TITLE_MAX_CHARS)
        has_line = any(sp.category == "procedure" for sp in view.sections)
        self.category = "procedure" if has_line else "technique"
        self.windows = [
            (sp.body_start, _first_line_end(text, sp.body_start, min(sp.end, sp.body_start + TITLE_MAX_CHARS)))
            for sp in view.sections if sp.category == self.category]

    def __call__(self, m: Mention) -> bool:
        if m.section == "procedure" and self.category == "procedure":
            return any(a <= m.start < b for a, b in self.windows) or not self.windows
        if self.category == "technique" and any(a <= m.start < b for a, b in self.windows):
            return True
        return m.section is None and m.start < self.first_line_end


def extract_procedure(view: NoteView) -> Procedure:
    return procedure_of(view, not_performed_document(view))



def _facet_technique_header(view: NoteView, m: Mention) -> bool:
    """The mention is in (or is) the title of a technique section that names a facet procedure ("TECHNIQUE -
    MBB:", "Technique, medial branch blocks:")."""
    for sp in view.sections:
        if sp.category == "technique" and sp.start <= m.start < sp.end:
            return bool(FACET_NAMED.search(sp.title))
    return False


def procedure_of(view: NoteView, document: NotPerformed | None) -> Procedure:
    """`extract_procedure` with the document check already read (`nlp.extract.document`)."""
    if document is not None:  # an order, request, query, consent or cancelled case: nothing to code
        return Procedure(family="no_procedure", reason=document.reason, evidence=document.evidence)
    title = _Title(view)
    performed = [m for m in view.by_label("PROC_", performed=True) if family_of(m.label) is not None]
    performed = [_promote_weak_ia(m, view.sentence_at(m.start)) for m in performed] + _injected_facets(view)
    # The L5 dorsal ramus of a sacroiliac lateral-branch block is an SI target, not a facet nerve.
    si_rami = _si_dorsal_rami(view, performed)
    performed = [_as_si(m) if (m.start, m.end) in si_rami else m for m in performed]
    strong_mentions = [m for m in performed if not m.label.endswith("_WEAK")]
    headline = [m for m in strong_mentions if title(m)]
    # What the procedure line names decides; the technique only when there is no procedure line, or when the
    # procedure line names no facet procedure and a technique section of its own describes one (a two-procedure
    # session whose procedure list was flattened from two columns: "1. Bilateral lumbar medial  2. Left SI ...").
    pool = [m for m in performed if title(m)] if headline else performed
    if headline and not any(family_of(m.label) in FACET_FAMILIES for m in pool):
        pool += [m for m in strong_mentions
                 if family_of(m.label) in FACET_FAMILIES and _facet_technique_header(view, m)]
    scores: dict[ProcedureFamily, float] = defaultdict(float)
    strong: dict[ProcedureFamily, bool] = defaultdict(bool)
    evidence: dict[ProcedureFamily, list[Mention]] = defaultdict(list)
    for m in pool:
        fam = family_of(m.label)
        assert fam is not None
        scores[fam] += _weight(m, title) * _PRIORITY.get(fam, 1.0)
        strong[fam] |= not m.label.endswith("_WEAK")
        evidence[fam].append(m)
    performed_cues = view.by_label("PERFORMED_CUE", performed=True)
    candidates = {f: sc for f, sc in scores.items() if strong[f]}
    if not candidates or not (performed_cues or headline or _DOSED.search(view.text)):
        planned = [m for m in view.by_label("PROC_") if not m.performed]
        reason = (
            "procedures are only mentioned as past, planned or negated"
            if planned
            else "no procedure is documented as performed"
        )
        return Procedure(family="no_procedure", reason=reason, evidence=[view.evidence(m.start, m.end) for m in planned[:3]])
    # An ablation note names the medial branches it lesions: RFA decides when the ablation itself is documented
    # (named in the procedure line, named twice, or with its technique: lesioning, temperature, stimulation).
    # A single "RFA" elsewhere is usually the plan or the history of a block note; so are two of them when the
    # procedure line names another procedure ("proc: L2-3 MBB" ... "before repeat RFA" ... "then RFA").
    rfa = [m for m in strong_mentions if family_of(m.label) == "radiofrequency_ablation"]
    other_headline = any(family_of(m.label) != "radiofrequency_ablation" for m in headline)
    rfa_documented = (any(title(m) for m in rfa) or (len(rfa) >= 2 and not other_headline)
                      or (bool(rfa) and _ablation_today(view)))
    if "radiofrequency_ablation" in candidates and not rfa_documented and len(candidates) > 1:
        del candidates["radiofrequency_ablation"]
    if rfa_documented or set(candidates) == {"radiofrequency_ablation"}:
        family: ProcedureFamily = "radiofrequency_ablation"
        evidence["radiofrequency_ablation"] = evidence["radiofrequency_ablation"] or rfa
    else:
        def best(families: Iterable[ProcedureFamily]) -> ProcedureFamily:  # highest score, then named first
            return max(families, key=lambda f: (candidates[f], -min(m.start for m in evidence[f])))

        family = best(candidates)
        # ... when the facet procedure is named where procedures are (its line, a procedure or technique section, or
        # a note without headers)
        facet = [f for f in candidates if f in FACET_FAMILIES
                 and any(title(m) or m.section is None or m.section in PROCEDURE_SECTIONS for m in evidence[f])]
        if family not in FACET_FAMILIES and facet and not (
                family == "sacroiliac_joint" and performs_si_lateral_branch_block(view)):
            # Two procedures in one session (an MBB and an SI joint injection or a TFESI): the facet one is the
            # one facetcoder codes; the other stays in other_families and is flagged, not silently dropped. An SI
            # lateral-branch block names the L4 medial branch among its own targets: that is no second procedure.
            family = best(facet)
    others = sorted(
        (f for f in candidates if f != family and candidates[f] >= 1.5
         and {f, family} != {"medial_branch_block", "facet_joint_injection"}
         and not ({f, family} <= {"medial_branch_block", "facet_joint_injection", "radiofrequency_ablation"})),
        key=lambda f: -candidates[f],
    )
    ev = sorted(evidence[family], key=lambda m: m.start)[:4]
    return Procedure(
        family=family,
        other_families=others,
        reason=f"performed {family.replace('_', ' ')} documented ({len(evidence[family])} mention(s))",
        evidence=[view.evidence(m.start, m.end) for m in ev],
        rule_ids=RULE_IDS[family],
    )


def procedure_doubts(view: NoteView, procedure: Procedure, document: NotPerformed | None) -> list[ReviewReason]:
    """PROCEDURE_UNCONFIRMED: no procedure was read as performed, and the document is no order, query or consent,
    yet it names a facet injection or medial branch block that is neither past, planned nor negated (a charge
    sheet or a bare procedure list with no performed verb). The result stays no_procedure; a person decides."""
    if procedure.family != "no_procedure" or document is not None:
        return []
    named = [m for m in view.by_label("PROC_", performed=True)
             if family_of(m.label) in FACET_FAMILIES and not m.label.endswith("_WEAK")]
    if not named:
        return []
    detail = ", ".join(repr(m.text) for m in named[:3])
    return [doubt(PROCEDURE_UNCONFIRMED, [view.evidence(m.start, m.end) for m in named[:3]], detail)]
