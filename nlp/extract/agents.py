"""Injected agents (local anaesthetic, steroid, contrast) and sedation.

Only agents given in this procedure count: home medications, plans and negated mentions
("no steroid was used", "declined sedation") do not.
"""

from __future__ import annotations

import re

from nlp.extract.view import Mention, NoteView
from nlp.schema import Agent, AgentKind, Sedation, SedationKind

_AGENT_LABELS: dict[str, AgentKind] = {
    "AGENT_LOCAL": "local_anesthetic",
    "AGENT_STEROID": "steroid",
    "AGENT_CONTRAST": "contrast",
}
_SEDATION_LABELS: dict[str, SedationKind] = {
    "SED_IV": "iv_sedation",
    "SED_MIDAZOLAM": "midazolam",
    "SED_FENTANYL": "fentanyl",
    "SED_MAC": "mac",
    "SED_GENERAL": "general",
    "SED_LOCAL": "local_only",
}
_NOT_GIVEN_SECTIONS = {"history", "indication", "plan", "exam", "imaging_review", "impression", "consent"}


def _given(m: Mention, view: NoteView | None = None) -> bool:
    """Asserted and outside history/plan-type sections; with a view, its reading of the section is used (a
    sentence under a history header that reports today's procedure reads as technique)."""
    section = view.section_at(m.start) if view is not None else m.section
    return m.asserted and section not in _NOT_GIVEN_SECTIONS


# A class word ("steroid", "local anesthetic") names a drug only when it is not a template label or a risk.
_CLASS_WORDS = frozenset({"steroid", "steroids", "corticosteroid", "corticosteroids", "particulate steroid",
                          "local anesthetic", "local anaesthetic"})
# "Steroid:" / "Steroid: [none]" / "Steroid: [x] None  [ ] ***" / "Steroid: ***": a template label left empty or
# answered none, or a blank to fill ("Steroid: ___ [none written]"); "Steroid: 40 mg" and "Steroid: Kenalog"
# still name one.
_EMPTY_LABEL_AFTER = re.compile(
    r"[ \t]*:[ \t]*(?:$|\n|\*{2,}|_{2,}|\[[ \t]*(?:none|nil|blank)\b[^\]\n]{0,20}\]|\[[ \t]*\]"
    r"|(?:[\[(][ \t]*[xX][ \t]*[\])][ \t]*)?[\[(]?[ \t]*(?:none|no|nil|n/?a|0|-+)"
    r"[ \t]*[\])]?(?![\w/])|[A-Z][\w /-]{0,25}:)", re.I | re.M)
_RISK_AFTER = re.compile(r"\s*(?:side[- ]effects?|flares?|precautions?|risks?|reactions?|allerg\w*|induced|"
                         r"hyperglycemia|related)\b", re.I)
# A steroid in a medications list is an injectate when its line names a volume, a site count or a local anaesthetic.
_INJECTATE_LINE = re.compile(r"inject|\b(?:ml|cc)\b|\bper\s+(?:joint|site|level|nerve|side|needle)|\beach\b|"
                             r"\bmixture\b|caine\b", re.I)


def _class_word_not_a_drug(view: NoteView, m: Mention) -> bool:
    if m.text.lower() not in _CLASS_WORDS:
        return False
    return bool(_EMPTY_LABEL_AFTER.match(view.text, m.end) or _RISK_AFTER.match(view.text, m.end))


def _line_of(text: str, start: int, end: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return text[lo : len(text) if hi < 0 else hi]


def extract_agents(view: NoteView) -> list[Agent]:
    """One Agent per kind and normalized name, with all its evidence spans."""
    found: dict[tuple[str, str], Agent] = {}
    for m in view.mentions:
        kind = _AGENT_LABELS.get(m.label)
        if kind is None or not _given(m, view) or _class_word_not_a_drug(view, m):
            continue
        # "medications" sections list home medicines only when they are not injectates.
        if (m.section == "medications" and kind == "steroid"
                and "inject" not in view.text[max(0, m.start - 80) : m.end + 80].lower()
                and not _INJECTATE_LINE.search(_line_of(view.text, m.start, m.end))):
            continue
        name = m.text.lower()
        key = (kind, name)
        if key not in found:
            found[key] = Agent(kind=kind, name=name)
        found[key].evidence.append(view.evidence(m.start, m.end))
    return list(found.values())


def extract_sedation(view: NoteView) -> Sedation:
    kinds: list[SedationKind] = []
    evidence = []
    for m in view.mentions:
        kind = _SEDATION_LABELS.get(m.label)
        if kind is None or not _given(m):
            continue
        if kind not in kinds:
            kinds.append(kind)
        evidence.append(view.evidence(m.start, m.end))
    given = any(k != "local_only" for k in kinds)
    if not given:
        negated = [m for m in view.mentions if m.label.startswith("SED_") and m.negated]
        evidence += [view.evidence(m.start, m.end) for m in negated]
    return Sedation(given=given, kinds=kinds, evidence=evidence)
