"""Everything the flag and checklist checks look at for one note, computed once."""

from __future__ import annotations

from dataclasses import dataclass

from nlp.coding.icd10 import ResolvedDx
from nlp.coding.lines import MergedLevel, Session
from nlp.coding.models import PayerProfile
from nlp.coding.tables import RuleTables
from nlp.schema import ClaimLine, NoteResult


@dataclass(frozen=True)
class CodingContext:
    result: NoteResult
    profile: PayerProfile
    tables: RuleTables
    levels: list[MergedLevel]
    sessions: list[Session]
    lines: list[ClaimLine]
    diagnoses: list[ResolvedDx]
