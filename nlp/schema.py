"""Output schema v1: the typed records that cross every module boundary.

One `NoteResult` per note. Every fact carries `evidence` (character offsets into the
original note text) and the `rule_ids` behind it; a fact that the note does not document
says so with an empty evidence list and a `not_documented`-style value, never a guess.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

ProcedureFamily = Literal[
    "facet_joint_injection",
    "medial_branch_block",
    "radiofrequency_ablation",
    "epidural_injection",
    "sacroiliac_joint",
    "other_procedure",
    "no_procedure",
]
Modality = Literal["fluoroscopy", "ct", "ultrasound", "none"]
Region = Literal["cervical", "thoracic", "lumbar"]
Side = Literal["left", "right", "bilateral", "unspecified"]
IntentValue = Literal["diagnostic", "therapeutic", "unknown"]
PainScale = Literal["NRS", "VAS", "verbal"]
PainTiming = Literal["pre", "post", "unspecified"]
AgentKind = Literal["local_anesthetic", "steroid", "contrast", "other"]
SedationKind = Literal["iv_sedation", "midazolam", "fentanyl", "mac", "general", "local_only", "other"]
Severity = Literal["error", "warning", "info"]
Assertion = Literal["affirmed", "negated", "not_documented"]
ReviewStatus = Literal["auto", "needs_review"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """A character span [start, end) of the original note text, and that text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @classmethod
    def of(cls, note: str, start: int, end: int) -> Evidence:
        return cls(start=start, end=end, text=note[start:end])


class ModelReading(_Model):
    """What a calibrated model reads for a fact (it never replaces the rules' value; it can route to review)."""

    value: str
    p: float


class Procedure(_Model):
    family: ProcedureFamily = "no_procedure"
    # Other families also performed in the same note (e.g. an MBB plus an SI injection).
    other_families: list[ProcedureFamily] = Field(default_factory=list)
    reason: str = "not documented"
    confidence: float | None = None
    model: ModelReading | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)


class Imaging(_Model):
    modality: Modality = "none"
    reason: str = "not documented"
    evidence: list[Evidence] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)


class Level(_Model):
    joint: str  # normalized, e.g. "L4-L5", "C7-T1", "L5-S1"
    region: Region
    side: Side = "unspecified"
    source: Literal["joint", "nerve_map"] = "joint"
    evidence: list[Evidence] = Field(default_factory=list)
    side_evidence: list[Evidence] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)


class Intent(_Model):
    value: IntentValue = "unknown"
    reason: str = "not documented"
    confidence: float | None = None
    model: ModelReading | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)


class PainScore(_Model):
    value: float
    scale: PainScale
    max_value: float | None = None  # 10 for NRS, 100 for VAS mm
    timing: PainTiming = "unspecified"
    evidence: list[Evidence] = Field(default_factory=list)


class PercentRelief(_Model):
    percent: float
    duration: str | None = None  # as written, e.g. "6 hours"
    evidence: list[Evidence] = Field(default_factory=list)


class CareItem(_Model):
    name: str  # physical_therapy, nsaids, medications, chiropractic, home_exercise, activity_modification, prior_injections, ...
    failed: bool | None = None  # True documented failure, False documented not tried/helpful, None unknown
    duration: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class ConservativeCare(_Model):
    failed: bool = False
    items: list[CareItem] = Field(default_factory=list)
    duration: str | None = None
    duration_weeks: float | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class PainDuration(_Model):
    months: float | None = None
    text: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Radiculopathy(_Model):
    status: Assertion = "not_documented"
    evidence: list[Evidence] = Field(default_factory=list)


class Diagnosis(_Model):
    text: str
    icd10: str | None = None
    source: Literal["code_written", "phrase"] = "phrase"
    evidence: list[Evidence] = Field(default_factory=list)


class Agent(_Model):
    kind: AgentKind
    name: str
    evidence: list[Evidence] = Field(default_factory=list)


class Sedation(_Model):
    given: bool = False
    kinds: list[SedationKind] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class WrittenCode(_Model):
    """A CPT/HCPCS code written in the note itself (e.g. an imaging code listed with the injection)."""

    code: str
    evidence: list[Evidence] = Field(default_factory=list)


class ClaimLine(_Model):
    cpt: str
    modifiers: list[str] = Field(default_factory=list)
    units: int = 1
    icd10: list[str] = Field(default_factory=list)
    description: str = ""
    levels: list[str] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class Flag(_Model):
    id: str
    severity: Severity
    message: str
    fix: str
    rule_ids: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class ChecklistItem(_Model):
    id: str
    label: str
    present: bool
    rule_ids: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class ReviewReason(_Model):
    """Why a person should read the note before the lines are sent: a doubt, not a documentation gap."""

    id: str
    detail: str = ""  # what disagrees, in the note's own terms (levels, sides, values)
    message: str = ""
    rule_ids: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class Review(_Model):
    """`auto`: nothing in the note contradicts the reading; `needs_review`: see `reasons`."""

    status: ReviewStatus = "auto"
    reasons: list[ReviewReason] = Field(default_factory=list)


class NoteResult(_Model):
    note_id: str
    schema_version: str = SCHEMA_VERSION
    procedure: Procedure = Field(default_factory=Procedure)
    imaging: Imaging = Field(default_factory=Imaging)
    levels: list[Level] = Field(default_factory=list)
    intent: Intent = Field(default_factory=Intent)
    pain_scores: list[PainScore] = Field(default_factory=list)
    percent_relief: list[PercentRelief] = Field(default_factory=list)
    conservative_care: ConservativeCare = Field(default_factory=ConservativeCare)
    pain_duration: PainDuration = Field(default_factory=PainDuration)
    radiculopathy: Radiculopathy = Field(default_factory=Radiculopathy)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    sedation: Sedation = Field(default_factory=Sedation)
    cpt_codes_written: list[WrittenCode] = Field(default_factory=list)
    payer: str = "medicare"
    claim_lines: list[ClaimLine] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    checklist: list[ChecklistItem] = Field(default_factory=list)
    review: Review = Field(default_factory=Review)
    # Set only when the note could not be analysed (batch error rows); facts are then empty.
    error: str | None = None


def region_of_joint(joint: str) -> Region:
    """Anatomical region of a normalized joint, by its upper vertebra (T12-L1 is thoracic)."""
    return {"C": "cervical", "T": "thoracic", "L": "lumbar"}[joint[0]]  # type: ignore[return-value]
