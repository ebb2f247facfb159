"""Coding engine: claim lines, modifiers, ICD-10 and denial-risk flags from extracted facts.

Placeholder until the coding engine lands (issue 3): returns the facts unchanged.
"""

from __future__ import annotations

from nlp.schema import NoteResult


def code_note(result: NoteResult, payer: str = "medicare") -> NoteResult:
    return result
