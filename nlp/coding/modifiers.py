"""Modifier choice and order (R-BILAT-1/5, R-MOD-KX; Engine conventions: 50/RT/LT, then KX, then others)."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.coding.models import PayerProfile
from nlp.schema import IntentValue, Side

_ORDER = {"50": 0, "RT": 0, "LT": 0, "KX": 1}
LATERALITY = frozenset(m for m, rank in _ORDER.items() if rank == 0)  # the modifiers that say the side


def laterality_modifiers(side: Side, bilateral_format: str) -> list[list[str]]:
    """Laterality modifiers per line for one level slot; a bilateral level gives two lines under 'rt_lt'."""
    if side == "bilateral":
        return [["50"]] if bilateral_format == "modifier_50" else [["RT"], ["LT"]]
    if side == "right":
        return [["RT"]]
    if side == "left":
        return [["LT"]]
    return [[]]  # side not documented: no laterality modifier, LATERALITY_MISSING is raised


def kx_applies(intent: IntentValue, profile: PayerProfile) -> bool:
    """KX goes on every line of a diagnostic block when the payer requires it (Medicare, R-MOD-KX)."""
    return profile.kx_on_diagnostic and intent == "diagnostic"


def order_modifiers(modifiers: Sequence[str]) -> list[str]:
    """Laterality first, then KX, then anything else; duplicates removed, otherwise stable."""
    unique = list(dict.fromkeys(modifiers))
    return sorted(unique, key=lambda m: _ORDER.get(m, 2))
