"""Typed rows of the coding rule tables and the payer profile.

Every model forbids unknown keys, so a typo in a column or profile key fails on load instead of
being ignored. CSV cells arrive as strings: list cells are ';'-separated, booleans are
true/false, an empty `effective_to` means "still in effect".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nlp.validation import Regex

from nlp.schema import ProcedureFamily, Severity

RULE_ID_RE = re.compile(r"^R-[A-Z0-9]+(?:-[A-Z0-9]+)*$")

RegionGroup = Literal["cervical_thoracic", "lumbar_sacral"]
Guidance = Literal["fluoroscopy_ct", "ultrasound"]
CodeRegion = Literal[
    "cervical", "cervicothoracic", "thoracic", "thoracolumbar", "lumbar", "lumbosacral", "sacral", "any"
]
DxRegionGroup = Literal["cervical_thoracic", "lumbar_sacral", "thoracolumbar", "none"]
DxCategory = Literal["covered", "radicular", "pain_only", "other"]
NonCovered = Literal["ultrasound", "third_plus_level", "therapeutic_mbb", "sedation", "multiple_regions"]


def _check_rule_ids(value: list[str]) -> list[str]:
    bad = [v for v in value if not RULE_ID_RE.match(v)]
    if bad:
        raise ValueError(f"expected rule ids like R-ADDON-2, got {bad}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class RuleRow(_Strict):
    """Columns every rule-table row carries: provenance and validity window."""

    rule_ids: list[str] = Field(min_length=1)
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None

    @field_validator("rule_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator("rule_ids")
    @classmethod
    def _check_ids(cls, value: list[str]) -> list[str]:
        return _check_rule_ids(value)

    @field_validator("effective_to", mode="before")
    @classmethod
    def _empty_to_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _dates_ordered(self) -> RuleRow:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} is before effective_from {self.effective_from}")
        return self


class RuleIdRow(_Strict):
    rule_id: str = Field(pattern=RULE_ID_RE.pattern)
    section: str = Field(min_length=1)


class CptRow(RuleRow):
    code: str = Field(pattern=r"^[0-9]{4}[0-9T]$")
    guidance: Guidance
    region_group: RegionGroup
    rank: int = Field(ge=1, le=3)
    add_on: bool


class BundledCodeRow(RuleRow):
    code: str = Field(pattern=r"^[0-9]{4}[0-9A-Z]$")


class LineRuleRow(RuleRow):
    key: str = Field(pattern=r"^[a-z0-9_]+$")


class FamilyRow(RuleRow):
    family: ProcedureFamily
    in_scope: bool
    label: str = Field(min_length=1)
    codes: str


class FlagRow(RuleRow):
    id: str = Field(pattern=r"^[A-Z0-9_]+$")
    severity: Severity
    message: str = Field(min_length=1)
    fix: str = Field(min_length=1)


class ReviewReasonRow(RuleRow):
    id: str = Field(pattern=r"^[A-Z0-9_]+$")
    raised_by: Literal["extract", "coding"]
    message: str = Field(min_length=1)


class ChecklistRow(RuleRow):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)


class PhraseRow(RuleRow):
    concept: str = Field(pattern=r"^[a-z0-9_]+$")
    pattern: Regex = Field(min_length=1)


class ConceptCodeRow(RuleRow):
    concept: str = Field(pattern=r"^[a-z0-9_]+$")
    region: CodeRegion
    code: str = Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


class RegionTermRow(RuleRow):
    pattern: Regex = Field(min_length=1)
    region: CodeRegion


class SupportRow(RuleRow):
    prefix: str = Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{0,4})?$")
    category: DxCategory
    region_group: DxRegionGroup


class PayerProfile(_Strict):
    """What a payer decides that CPT does not (coding-rules.md section 12, 'Where sources disagree')."""

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    rule_ids: list[str] = Field(min_length=1)
    source: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    bilateral_format: Literal["modifier_50", "rt_lt"]
    kx_on_diagnostic: bool
    max_levels_per_region: int = Field(ge=1, le=10)
    conservative_care_weeks: float | None = Field(default=None, ge=0)
    min_pain_months: float = Field(default=3, ge=0)
    positive_block_percent: float = Field(gt=0, le=100)
    non_covered: list[NonCovered] = Field(default_factory=list)
    thoracolumbar_junction: Literal["combine", "separate"]
    lone_t12_l1: Literal["cervical_thoracic", "verify"]
    severity_overrides: dict[str, Severity] = Field(default_factory=dict)

    @field_validator("rule_ids")
    @classmethod
    def _check_ids(cls, value: list[str]) -> list[str]:
        return _check_rule_ids(value)

    def covers(self, item: NonCovered) -> bool:
        """True when the payer pays for `item` (it is not in `non_covered`)."""
        return item not in self.non_covered
