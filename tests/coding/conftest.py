"""Coding-engine test fixtures: build `NoteResult` facts directly (no extraction).

A conftest (not an importable helper) because the suite runs with --import-mode=importlib.

Every fact gets evidence pointing into a synthetic note text assembled as the facts are added,
so offsets and texts are consistent and tests can assert which spans a line or flag cites.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from nlp.schema import (
    Agent,
    CareItem,
    ConservativeCare,
    Diagnosis,
    Evidence,
    Imaging,
    Intent,
    Level,
    NoteResult,
    PainDuration,
    PainScore,
    PercentRelief,
    Procedure,
    Radiculopathy,
    Sedation,
    WrittenCode,
    region_of_joint,
)


class _Text:
    def __init__(self) -> None:
        self.text = ""

    def span(self, fragment: str) -> list[Evidence]:
        start = len(self.text)
        self.text += fragment + "\n"
        return [Evidence(start=start, end=start + len(fragment), text=fragment)]


def build_facts(
    *,
    family: str = "medial_branch_block",
    other_families: Sequence[str] = (),
    modality: str = "fluoroscopy",
    levels: Sequence[tuple[str, str]] = (("L4-L5", "bilateral"),),
    nerve_levels: Sequence[tuple[str, str]] = (),
    intent: str = "diagnostic",
    pre: tuple[float, str] | None = (7, "NRS"),
    post: tuple[float, str] | None = (1, "NRS"),
    unspecified_scores: Sequence[tuple[float, str]] = (),
    months: float | None = 6,
    duration_text: str | None = None,
    care_failed: bool = True,
    care_items: Sequence[tuple[str, bool | None]] = (),
    care_weeks: float | None = None,
    radic: str = "negated",
    dx: Sequence[str] = ("lumbar spondylosis without myelopathy or radiculopathy",),
    codes: Sequence[str] = (),
    agents: Sequence[tuple[str, str]] = (("bupivacaine 0.5%", "local_anesthetic"),),
    sedation: Sequence[str] | None = None,
    cpt_written: Sequence[str] = (),
    relief: Sequence[float] = (90,),
    error: str | None = None,
) -> NoteResult:
    """A facet note that fires no flag under Medicare unless an argument says otherwise."""
    t = _Text()
    data: dict[str, Any] = {"note_id": "n1"}
    data["procedure"] = Procedure(family=family, other_families=list(other_families), evidence=t.span(f"procedure: {family}"))  # type: ignore[arg-type]
    imaging_ev = t.span(f"under {modality} guidance") if modality != "none" else []
    data["imaging"] = Imaging(modality=modality, evidence=imaging_ev)  # type: ignore[arg-type]
    lv = [
        Level(joint=j, region=region_of_joint(j), side=s, evidence=t.span(j), side_evidence=t.span(s) if s != "unspecified" else [])  # type: ignore[arg-type]
        for j, s in levels
    ]
    lv += [
        Level(joint=j, region=region_of_joint(j), side=s, source="nerve_map", evidence=t.span(f"medial branches for {j}"), side_evidence=t.span(s))  # type: ignore[arg-type]
        for j, s in nerve_levels
    ]
    data["levels"] = lv
    data["intent"] = Intent(value=intent, evidence=t.span(intent) if intent != "unknown" else [])  # type: ignore[arg-type]
    scores = []
    if pre:
        scores.append(PainScore(value=pre[0], scale=pre[1], timing="pre", evidence=t.span(f"pre {pre[0]} {pre[1]}")))  # type: ignore[arg-type]
    if post:
        scores.append(PainScore(value=post[0], scale=post[1], timing="post", evidence=t.span(f"post {post[0]} {post[1]}")))  # type: ignore[arg-type]
    scores += [PainScore(value=v, scale=s, evidence=t.span(f"pain {v} {s}")) for v, s in unspecified_scores]  # type: ignore[arg-type]
    data["pain_scores"] = scores
    data["percent_relief"] = [PercentRelief(percent=p, evidence=t.span(f"{p}% relief")) for p in relief]
    items = [CareItem(name=n, failed=f, evidence=t.span(n)) for n, f in care_items]
    care_ev = t.span("failed conservative care") if care_failed else []
    data["conservative_care"] = ConservativeCare(failed=care_failed, items=items, duration_weeks=care_weeks, evidence=care_ev)
    duration_ev = t.span(duration_text or f"pain for {months} months") if (months is not None or duration_text) else []
    data["pain_duration"] = PainDuration(months=months, text=duration_text, evidence=duration_ev)
    data["radiculopathy"] = Radiculopathy(status=radic, evidence=t.span(f"radiculopathy {radic}") if radic != "not_documented" else [])  # type: ignore[arg-type]
    diagnoses = [Diagnosis(text=d, source="phrase", evidence=t.span(d)) for d in dx]
    diagnoses += [Diagnosis(text=c, icd10=c, source="code_written", evidence=t.span(c)) for c in codes]
    data["diagnoses"] = diagnoses
    data["agents"] = [Agent(kind=k, name=n, evidence=t.span(n)) for n, k in agents]  # type: ignore[arg-type]
    if sedation is not None:
        data["sedation"] = Sedation(given=True, kinds=list(sedation), evidence=t.span("sedation " + " ".join(sedation)))  # type: ignore[arg-type]
    data["cpt_codes_written"] = [WrittenCode(code=c, evidence=t.span(c)) for c in cpt_written]
    data["error"] = error
    return NoteResult(**data)


@pytest.fixture(scope="session")
def facts():  # type: ignore[no-untyped-def]
    """The `build_facts` builder, for tests: `facts(levels=[("L4-L5", "right")], intent="unknown")`."""
    return build_facts
