"""The validated rule tables, as one immutable bundle passed to every mechanism function."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.coding.models import (
    BundledCodeRow,
    ChecklistRow,
    ConceptCodeRow,
    CptRow,
    FamilyRow,
    FlagRow,
    ReviewReasonRow,
    LineRuleRow,
    PhraseRow,
    RegionTermRow,
    SupportRow,
)


@dataclass(frozen=True)
class CompiledPhrase:
    row: PhraseRow
    regex: re.Pattern[str]


@dataclass(frozen=True)
class CompiledRegionTerm:
    row: RegionTermRow
    regex: re.Pattern[str]


@dataclass(frozen=True)
class RuleTables:
    cpt: dict[tuple[str, str, int], CptRow]  # (guidance, region_group, rank) -> row
    bundled: dict[str, BundledCodeRow]
    line_rules: dict[str, LineRuleRow]
    families: dict[str, FamilyRow]
    flags: dict[str, FlagRow]  # in table order
    review_reasons: dict[str, ReviewReasonRow]
    checklist: list[ChecklistRow]
    phrases: list[CompiledPhrase]
    concept_codes: dict[tuple[str, str], ConceptCodeRow]  # (concept, region) -> row
    region_terms: list[CompiledRegionTerm]
    support: dict[str, SupportRow]  # prefix -> row
    known_rule_ids: frozenset[str] = frozenset()
    checksums: dict[str, str] = field(default_factory=dict)

    def rule_ids(self, *keys: str) -> list[str]:
        """Rule ids of the named line rules, in order, without duplicates."""
        out: list[str] = []
        for key in keys:
            for rid in self.line_rules[key].rule_ids:
                if rid not in out:
                    out.append(rid)
        return out
