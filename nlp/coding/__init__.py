"""Coding engine: claim lines, modifiers, ICD-10 and denial-risk flags from extracted facts.

Rules are data (`nlp/resources/coding/*.csv`, payer profiles in `nlp/resources/payers/*.yaml`),
validated and cached on first use; `code_note` is a pure function of a `NoteResult`'s facts.
"""

from __future__ import annotations

from nlp.coding.defaults import available_profiles, load_profile, rule_tables
from nlp.coding.engine import code_note
from nlp.coding.models import PayerProfile
from nlp.coding.tables import RuleTables

__all__ = ["PayerProfile", "RuleTables", "available_profiles", "code_note", "load_profile", "rule_tables"]
