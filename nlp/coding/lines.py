"""Level counting and claim-line construction (Engine conventions, R-LEVEL, R-ADDON, R-REGION).

A *session* is the set of distinct joints reported under one primary code: one per CPT region
(cervical/thoracic, lumbar/sacral), except the Medicare T12-L1 + L1-L2 junction, which is one
session coded 64490 + 64494 (R-REGION-2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nlp.coding.evidence import merge_evidence
from nlp.coding.modifiers import kx_applies, laterality_modifiers, order_modifiers
from nlp.coding.models import PayerProfile, RegionGroup
from nlp.coding.tables import RuleTables
from nlp.schema import ClaimLine, Evidence, IntentValue, Level, Modality, Region, Side

# Keys of line_rules.csv this module attaches to lines (validated on load).
LINE_RULE_KEYS = frozenset(
    {"count_levels", "nerve_map", "second_level", "third_plus", "bilateral_50", "bilateral_rt_lt", "one_side",
     "mixed_sides", "kx_diagnostic", "junction", "lone_t12_l1", "ultrasound"}
)
JUNCTION_JOINTS = frozenset({"T11-T12", "T12-L1", "L1-L2"})
_SPINE = {"C": 0, "T": 7, "L": 19, "S": 24}
_VERTEBRA_RE = re.compile(r"^([CTLS])(\d{1,2})")
_GROUP_LABEL = {"cervical_thoracic": "cervical/thoracic", "lumbar_sacral": "lumbar/sacral"}
_SIDE_LABEL = {"bilateral": "bilateral", "left": "left", "right": "right", "unspecified": "side not documented"}


@dataclass(frozen=True)
class MergedLevel:
    """One distinct joint in a session, all mentions of it merged."""

    joint: str
    region: Region
    side: Side
    from_nerves: bool
    evidence: tuple[Evidence, ...]
    side_evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Session:
    """Distinct joints billed under one primary code, in rank order (primary first)."""

    levels: tuple[MergedLevel, ...]
    code_groups: tuple[RegionGroup, RegionGroup, RegionGroup]  # CPT region used for rank 1, 2, 3+
    junction: bool = False

    @property
    def group(self) -> RegionGroup:
        return self.code_groups[1]

    @property
    def label(self) -> str:
        return "thoracolumbar junction (T12-L1 + L1-L2)" if self.junction else _GROUP_LABEL[self.group]

    @property
    def joints(self) -> list[str]:
        return [lv.joint for lv in self.levels]


def joint_order(joint: str) -> tuple[int, str]:
    """Cranial-to-caudal sort key of a normalized joint such as 'L4-L5' or 'C7-T1'."""
    match = _VERTEBRA_RE.match(joint)
    if not match:
        return (99, joint)
    return (_SPINE[match.group(1)] + int(match.group(2)), joint)


def region_group(region: Region) -> RegionGroup:
    """CPT region of an anatomical region: C and T joints -> 64490 family, L joints -> 64493 family."""
    return "lumbar_sacral" if region == "lumbar" else "cervical_thoracic"


def combine_sides(sides: Sequence[Side]) -> Side:
    """Side of one joint (or of a 3rd+ line) from all its mentions; left + right = bilateral."""
    known = {s for s in sides if s != "unspecified"}
    if "bilateral" in known or {"left", "right"} <= known:
        return "bilateral"
    if known:
        return next(iter(known))
    return "unspecified"


def merge_levels(levels: Sequence[Level]) -> list[MergedLevel]:
    """Distinct joints (R-LEVEL-1: a joint counts once whatever the side), in anatomical order."""
    by_joint: dict[str, list[Level]] = {}
    for level in levels:
        by_joint.setdefault(level.joint, []).append(level)
    merged = [
        MergedLevel(
            joint=joint,
            region=mentions[0].region,
            side=combine_sides([m.side for m in mentions]),
            from_nerves=all(m.source == "nerve_map" for m in mentions),
            evidence=tuple(merge_evidence(*(m.evidence for m in mentions))),
            side_evidence=tuple(merge_evidence(*(m.side_evidence for m in mentions))),
        )
        for joint, mentions in by_joint.items()
    ]
    return sorted(merged, key=lambda lv: joint_order(lv.joint))


def rank_levels(levels: Sequence[MergedLevel]) -> list[MergedLevel]:
    """Primary first: a bilateral level takes the primary code when sides are mixed, then cranial to caudal."""
    return sorted(levels, key=lambda lv: (lv.side != "bilateral", joint_order(lv.joint)))


def build_sessions(levels: Sequence[Level], profile: PayerProfile) -> list[Session]:
    """Group distinct joints into sessions by CPT region, applying the payer's T12-L1 junction rule."""
    merged = merge_levels(levels)
    ct = [lv for lv in merged if region_group(lv.region) == "cervical_thoracic"]
    ls = [lv for lv in merged if region_group(lv.region) == "lumbar_sacral"]
    if (
        profile.thoracolumbar_junction == "combine"
        and [lv.joint for lv in ct] == ["T12-L1"]
        and any(lv.joint == "L1-L2" for lv in ls)
    ):
        return [Session(tuple(ct + rank_levels(ls)), ("cervical_thoracic", "lumbar_sacral", "lumbar_sacral"), True)]
    sessions = []
    for group, members in (("cervical_thoracic", ct), ("lumbar_sacral", ls)):
        if members:
            sessions.append(Session(tuple(rank_levels(members)), (group, group, group)))  # type: ignore[arg-type]
    return sessions


def rank_slots(session: Session) -> list[tuple[int, list[MergedLevel]]]:
    """(rank, levels) per line: rank 1 primary, rank 2 second level, rank 3 = all further levels on one line."""
    levels = list(session.levels)
    slots = [(rank, [lv]) for rank, lv in zip((1, 2), levels, strict=False)]
    if len(levels) > 2:
        slots.append((3, levels[2:]))
    return slots


def guidance_of(modality: Modality) -> str | None:
    """Which code family the imaging allows: none -> no facet line at all (R-IMG-2)."""
    return {"fluoroscopy": "fluoroscopy_ct", "ct": "fluoroscopy_ct", "ultrasound": "ultrasound"}.get(modality)


def session_lines(
    session: Session,
    guidance: str,
    intent: IntentValue,
    profile: PayerProfile,
    tables: RuleTables,
    icd10: Callable[[Session], list[str]],
    shared_evidence: Sequence[Evidence] = (),
    kx_evidence: Sequence[Evidence] = (),
) -> list[ClaimLine]:
    """Claim lines of one session: primary, second-level add-on, one 3rd+ add-on line; 1 unit each."""
    kx = kx_applies(intent, profile)
    pointers = icd10(session)
    mixed = len({lv.side for lv in session.levels}) > 1
    lines: list[ClaimLine] = []
    for rank, levels in rank_slots(session):
        row = tables.cpt[(guidance, session.code_groups[rank - 1], rank)]
        side = combine_sides([lv.side for lv in levels])
        keys = ["count_levels"]
        keys += {1: [], 2: ["second_level"], 3: ["third_plus"]}[rank]
        if side == "bilateral":
            keys.append("bilateral_50" if profile.bilateral_format == "modifier_50" else "bilateral_rt_lt")
        elif side in ("left", "right"):
            keys.append("one_side")
        if mixed:
            keys.append("mixed_sides")
        if session.junction:
            keys.append("junction")
        elif session.joints == ["T12-L1"]:
            keys.append("lone_t12_l1")
        if any(lv.from_nerves for lv in levels):
            keys.append("nerve_map")
        if guidance == "ultrasound":
            keys.append("ultrasound")
        if kx:
            keys.append("kx_diagnostic")
        rule_ids = [*row.rule_ids, *(r for r in tables.rule_ids(*keys) if r not in row.rule_ids)]
        evidence = merge_evidence(
            *(lv.evidence for lv in levels), *(lv.side_evidence for lv in levels), shared_evidence, kx_evidence if kx else ()
        )
        joints = [lv.joint for lv in levels]
        for lat in laterality_modifiers(side, profile.bilateral_format):
            mods = order_modifiers([*lat, *(["KX"] if kx else [])])
            lines.append(
                ClaimLine(
                    cpt=row.code,
                    modifiers=mods,
                    units=1,
                    icd10=list(pointers),
                    description=f"{row.description}: {', '.join(joints)} ({_SIDE_LABEL[side]})",
                    levels=joints,
                    rule_ids=rule_ids,
                    evidence=evidence,
                )
            )
    return lines
