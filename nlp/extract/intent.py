"""Diagnostic vs therapeutic intent (R-DESC-7, R-MOD-KX, R-MCR-DX-*, R-MCR-TX-*).

Explicit words win (diagnostic / first / second / confirmatory block vs therapeutic); otherwise
the injectate decides: local anaesthetic only -> diagnostic, a steroid -> therapeutic.
"""

from __future__ import annotations

from nlp.extract.view import NOT_PERFORMED_SECTIONS, Mention, NoteView
from nlp.schema import Agent, Intent


def _about_this_block(m: Mention) -> bool:
    """Intent words describe today's block also in the indication ("This is a second diagnostic block")."""
    return m.asserted and (m.section is None or m.section == "indication" or m.section not in NOT_PERFORMED_SECTIONS)


def extract_intent(view: NoteView, agents: list[Agent], family: str | None = None) -> Intent:
    if family == "radiofrequency_ablation":
        return Intent(value="therapeutic", reason="radiofrequency ablation is a treatment, not a block", confidence=0.9,
                      rule_ids=["R-NBR-RFA"])
    diag = [m for m in view.by_label("INTENT_DIAG") if _about_this_block(m)]
    ther = [m for m in view.by_label("INTENT_THER") if _about_this_block(m)]
    steroids = [a for a in agents if a.kind == "steroid"]
    locals_ = [a for a in agents if a.kind == "local_anesthetic"]
    if diag and not ther:
        return Intent(value="diagnostic", reason="documented as a diagnostic block", confidence=0.95,
                      evidence=[view.evidence(m.start, m.end) for m in diag[:3]], rule_ids=["R-MOD-KX", "R-MCR-DX-1"])
    if ther and not diag:
        return Intent(value="therapeutic", reason="documented as therapeutic", confidence=0.95,
                      evidence=[view.evidence(m.start, m.end) for m in ther[:3]], rule_ids=["R-MCR-TX-1"])
    if diag and ther:
        # "diagnostic and therapeutic": the injectate breaks the tie.
        value = "therapeutic" if steroids else "diagnostic"
        spans = diag[:2] + ther[:2]
        return Intent(value=value, reason="documented as both diagnostic and therapeutic; "
                      + ("steroid injected" if steroids else "local anaesthetic only"), confidence=0.6,
                      evidence=[view.evidence(m.start, m.end) for m in spans],
                      rule_ids=["R-MCR-TX-1"] if steroids else ["R-MOD-KX"])
    if steroids:
        return Intent(value="therapeutic", reason="steroid in the injectate", confidence=0.8,
                      evidence=[e for a in steroids for e in a.evidence[:2]], rule_ids=["R-MCR-TX-1"])
    if locals_:
        return Intent(value="diagnostic", reason="local anaesthetic only, no steroid", confidence=0.75,
                      evidence=[e for a in locals_ for e in a.evidence[:2]], rule_ids=["R-MCR-DX-4"])
    return Intent(value="unknown", reason="not documented: no intent words and no injectate named")
