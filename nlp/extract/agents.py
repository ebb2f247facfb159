"""Injected agents (local anaesthetic, steroid, contrast) and sedation.

Only agents given in this procedure count: home medications, plans and negated mentions
("no steroid was used", "declined sedation") do not.
"""

from __future__ import annotations

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


def _given(m: Mention) -> bool:
    return m.asserted and m.section not in _NOT_GIVEN_SECTIONS


def extract_agents(view: NoteView) -> list[Agent]:
    """One Agent per kind and normalized name, with all its evidence spans."""
    found: dict[tuple[str, str], Agent] = {}
    for m in view.mentions:
        kind = _AGENT_LABELS.get(m.label)
        if kind is None or not _given(m):
            continue
        # "medications" sections list home medicines only when they are not injectates.
        if m.section == "medications" and kind == "steroid" and "inject" not in view.text[max(0, m.start - 80) : m.end + 80].lower():
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
