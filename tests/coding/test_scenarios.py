"""Scenario table: facts -> claim lines and flags, for every Engine convention and every flag.

Each scenario states the lines it expects (code + modifiers, in claim order), the flags that
must fire and the flags that must not. A meta-test checks every flag id in flags.csv is
exercised both ways.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from nlp.coding import code_note, load_profile, rule_tables
from nlp.schema import ClaimLine, NoteResult

Facts = Callable[..., NoteResult]

CERV = ("cervical spondylosis without myelopathy or radiculopathy",)
THOR = ("thoracic spondylosis without myelopathy or radiculopathy",)
TL = ("thoracolumbar spondylosis",)
BOTH = CERV + ("lumbar facet arthropathy",)
BIL = "bilateral"


@dataclass
class S:
    name: str
    kw: dict[str, Any]
    lines: list[str] | None = None  # expected lines, in order (None: not asserted)
    fires: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    payer: str = "medicare"
    levels: list[list[str]] | None = None  # expected levels per line
    icd: list[list[str]] | None = None  # expected diagnosis pointers per line
    severity: dict[str, str] = field(default_factory=dict)
    exact_flags: bool = False  # the flags that fire are exactly `fires`


SCENARIOS: list[S] = [
    # --- clean notes: no flag at all -------------------------------------------------------
    S("clean lumbar bilateral diagnostic", {}, ["64493-50-KX"], exact_flags=True, icd=[["M47.816"]]),
    S("clean cervical bilateral diagnostic", {"levels": [("C5-C6", BIL)], "dx": CERV}, ["64490-50-KX"], exact_flags=True, icd=[["M47.812"]]),
    S("clean lumbar commercial", {"care_weeks": 8}, ["64493-RT", "64493-LT"], payer="commercial", exact_flags=True),
    # --- laterality (R-BILAT-1, R-BILAT-5) ----------------------------------------------------
    S("one side right", {"levels": [("L4-L5", "right")]}, ["64493-RT-KX"], absent={"LATERALITY_MISSING"}),
    S("one side left", {"levels": [("L4-L5", "left")]}, ["64493-LT-KX"]),
    S("two levels bilateral", {"levels": [("L4-L5", BIL), ("L5-S1", BIL)]}, ["64493-50-KX", "64494-50-KX"],
      absent={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}, levels=[["L4-L5"], ["L5-S1"]]),
    S("two levels same side use add-on not 50", {"levels": [("L3-L4", "left"), ("L4-L5", "left")]}, ["64493-LT-KX", "64494-LT-KX"]),
    S("left and right mentions of one joint = one bilateral level", {"levels": [("L4-L5", "left"), ("L4-L5", "right")]},
      ["64493-50-KX"], absent={"LEVELS_OVER_LIMIT", "LATERALITY_MISSING"}),
    S("level counted once per region whatever the side (R-LEVEL-6)", {"levels": [("L4-L5", "left"), ("L4-L5", "right"), ("L5-S1", BIL)]},
      ["64493-50-KX", "64494-50-KX"], absent={"LEVELS_OVER_LIMIT"}),
    S("mixed sides: bilateral level takes the primary", {"levels": [("L4-L5", "right"), ("L5-S1", BIL)]},
      ["64493-50-KX", "64494-RT-KX"], levels=[["L5-S1"], ["L4-L5"]]),
    S("mixed one-sided levels stay anatomical", {"levels": [("L4-L5", "right"), ("L3-L4", "left")]},
      ["64493-LT-KX", "64494-RT-KX"], levels=[["L3-L4"], ["L4-L5"]]),
    S("commercial bilateral two levels = RT and LT lines", {"levels": [("L4-L5", BIL), ("L5-S1", BIL)], "care_weeks": 8},
      ["64493-RT", "64493-LT", "64494-RT", "64494-LT"], payer="commercial"),
    S("commercial one side", {"levels": [("L4-L5", "left")], "care_weeks": 8}, ["64493-LT"], payer="commercial"),
    S("commercial mixed sides", {"levels": [("L4-L5", "right"), ("L5-S1", BIL)], "care_weeks": 8},
      ["64493-RT", "64493-LT", "64494-RT"], payer="commercial", levels=[["L5-S1"], ["L5-S1"], ["L4-L5"]]),
    S("side unspecified: no laterality modifier", {"levels": [("L4-L5", "unspecified")]}, ["64493-KX"], fires={"LATERALITY_MISSING"},
      severity={"LATERALITY_MISSING": "error"}),
    S("one side unspecified among others", {"levels": [("L4-L5", "unspecified"), ("L5-S1", BIL)]}, ["64493-50-KX", "64494-KX"],
      fires={"LATERALITY_MISSING"}),
    # --- add-ons (R-ADDON-1..3) and level limits (R-MCR-LVL-1/2) -----------------------------
    S("three lumbar levels", {"levels": [("L3-L4", BIL), ("L4-L5", BIL), ("L5-S1", BIL)]},
      ["64493-50-KX", "64494-50-KX", "64495-50-KX"], fires={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}),
    S("four lumbar levels: one 64495 line", {"levels": [("L2-L3", "right"), ("L3-L4", "right"), ("L4-L5", "right"), ("L5-S1", "right")]},
      ["64493-RT-KX", "64494-RT-KX", "64495-RT-KX"], fires={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"},
      levels=[["L2-L3"], ["L3-L4"], ["L4-L5", "L5-S1"]]),
    S("commercial three levels within cap", {"levels": [("L3-L4", "right"), ("L4-L5", "right"), ("L5-S1", "right")], "care_weeks": 8},
      ["64493-RT", "64494-RT", "64495-RT"], payer="commercial", absent={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}),
    S("commercial four levels over cap", {"levels": [("L2-L3", "left"), ("L3-L4", "left"), ("L4-L5", "left"), ("L5-S1", "left")], "care_weeks": 8},
      ["64493-LT", "64494-LT", "64495-LT"], payer="commercial", fires={"LEVELS_OVER_LIMIT"}, absent={"NON_COVERED_LEVEL"}),
    # --- regions (R-REGION-1..4) -------------------------------------------------------------
    S("cervical two levels one side", {"levels": [("C4-C5", "right"), ("C5-C6", "right")], "dx": CERV}, ["64490-RT-KX", "64491-RT-KX"]),
    S("cervical three levels", {"levels": [("C3-C4", BIL), ("C4-C5", BIL), ("C5-C6", BIL)], "dx": CERV},
      ["64490-50-KX", "64491-50-KX", "64492-50-KX"], fires={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}),
    S("thoracic level uses 64490", {"levels": [("T7-T8", "right")], "dx": THOR}, ["64490-RT-KX"], absent={"DIAGNOSIS_REGION_MISMATCH"}),
    S("C7-T1 and T1-T2 are one region", {"levels": [("C7-T1", BIL), ("T1-T2", BIL)], "dx": CERV}, ["64490-50-KX", "64491-50-KX"],
      absent={"MULTIPLE_REGIONS"}),
    S("lone T12-L1 Medicare: 64490, no verify flag", {"levels": [("T12-L1", BIL)], "dx": TL}, ["64490-50-KX"],
      absent={"REGION_VERIFY_T12_L1", "DIAGNOSIS_REGION_MISMATCH"}),
    S("lone T12-L1 commercial: 64490 and verify", {"levels": [("T12-L1", "right")], "dx": TL, "care_weeks": 8}, ["64490-RT"],
      payer="commercial", fires={"REGION_VERIFY_T12_L1"}),
    S("T12-L1 + L1-L2 Medicare junction: 64490 + 64494", {"levels": [("T12-L1", BIL), ("L1-L2", BIL)], "dx": TL},
      ["64490-50-KX", "64494-50-KX"], absent={"MULTIPLE_REGIONS", "REGION_VERIFY_T12_L1", "DIAGNOSIS_REGION_MISMATCH", "LEVELS_OVER_LIMIT"}),
    S("junction plus L2-L3: third level 64495", {"levels": [("T12-L1", "left"), ("L1-L2", "left"), ("L2-L3", "left")], "dx": TL},
      ["64490-LT-KX", "64494-LT-KX", "64495-LT-KX"], fires={"LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}, absent={"MULTIPLE_REGIONS"}),
    S("T12-L1 + L1-L2 commercial: two primaries", {"levels": [("T12-L1", "right"), ("L1-L2", "right")], "dx": TL, "care_weeks": 8},
      ["64490-RT", "64493-RT"], payer="commercial", fires={"REGION_VERIFY_T12_L1"}, absent={"MULTIPLE_REGIONS"}),
    S("T11-T12 + T12-L1 + L1-L2 is not the junction case", {"levels": [("T11-T12", "right"), ("T12-L1", "right"), ("L1-L2", "right")], "dx": TL},
      ["64490-RT-KX", "64491-RT-KX", "64493-RT-KX"], fires={"MULTIPLE_REGIONS"}),
    S("cervical + lumbar Medicare", {"levels": [("C5-C6", BIL), ("L4-L5", BIL)], "dx": BOTH}, ["64490-50-KX", "64493-50-KX"],
      fires={"MULTIPLE_REGIONS"}, absent={"DIAGNOSIS_REGION_MISMATCH"}, icd=[["M47.812"], ["M47.816"]]),
    S("cervical + lumbar commercial", {"levels": [("C5-C6", "left"), ("L4-L5", "left")], "dx": BOTH, "care_weeks": 8},
      ["64490-LT", "64493-LT"], payer="commercial", absent={"MULTIPLE_REGIONS"}),
    # --- intent and KX (R-MOD-KX, R-MCR-TX-2) ------------------------------------------------
    S("therapeutic intra-articular: no KX", {"family": "facet_joint_injection", "intent": "therapeutic", "agents": [("triamcinolone", "steroid")]},
      ["64493-50"], absent={"THERAPEUTIC_MBB", "STEROID_IN_DIAGNOSTIC", "INTENT_MISSING"}),
    S("therapeutic MBB Medicare", {"intent": "therapeutic"}, ["64493-50"], fires={"THERAPEUTIC_MBB"}),
    S("therapeutic MBB commercial", {"intent": "therapeutic", "care_weeks": 8}, ["64493-RT", "64493-LT"], payer="commercial",
      absent={"THERAPEUTIC_MBB"}),
    S("intent unknown Medicare: no KX, error", {"intent": "unknown"}, ["64493-50"], fires={"INTENT_MISSING"},
      severity={"INTENT_MISSING": "error"}),
    S("intent unknown commercial: warning", {"intent": "unknown", "care_weeks": 8}, ["64493-RT", "64493-LT"], payer="commercial",
      fires={"INTENT_MISSING"}, severity={"INTENT_MISSING": "warning"}),
    S("diagnostic intra-articular keeps KX", {"family": "facet_joint_injection"}, ["64493-50-KX"], absent={"THERAPEUTIC_MBB"}),
    # --- imaging (R-IMG-1..4) ----------------------------------------------------------------
    S("CT guidance codes like fluoroscopy", {"modality": "ct"}, ["64493-50-KX"], absent={"IMAGING_MISSING", "IMAGING_ULTRASOUND"}),
    S("ultrasound lumbar bilateral", {"modality": "ultrasound"}, ["0216T-50-KX"], fires={"IMAGING_ULTRASOUND"}, absent={"IMAGING_MISSING"}),
    S("ultrasound cervical three levels", {"modality": "ultrasound", "dx": CERV, "levels": [("C3-C4", "right"), ("C4-C5", "right"), ("C5-C6", "right")]},
      ["0213T-RT-KX", "0214T-RT-KX", "0215T-RT-KX"], fires={"IMAGING_ULTRASOUND", "LEVELS_OVER_LIMIT", "NON_COVERED_LEVEL"}),
    S("ultrasound lumbar two levels commercial", {"modality": "ultrasound", "levels": [("L4-L5", BIL), ("L5-S1", "left")], "care_weeks": 8},
      ["0216T-RT", "0216T-LT", "0217T-LT"], payer="commercial", fires={"IMAGING_ULTRASOUND"}),
    S("no imaging: no facet line", {"modality": "none"}, [], fires={"IMAGING_MISSING"}, severity={"IMAGING_MISSING": "error"}),
    S("fluoroscopy 77003 written: unbundled", {"cpt_written": ["64493", "77003"]}, ["64493-50-KX"], fires={"IMAGING_UNBUNDLED"}),
    S("CT 77012 written: unbundled", {"modality": "ct", "cpt_written": ["77012"]}, ["64493-50-KX"], fires={"IMAGING_UNBUNDLED"}),
    S("radiograph interpretation 72020 written: unbundled", {"cpt_written": ["72020"]}, fires={"IMAGING_UNBUNDLED"}),
    S("only facet codes written: not unbundled", {"cpt_written": ["64493", "64494"]}, absent={"IMAGING_UNBUNDLED"}),
    # --- levels ------------------------------------------------------------------------------
    S("no levels: no line", {"levels": []}, [], fires={"LEVELS_MISSING"}, absent={"LATERALITY_MISSING"}),
    S("levels from nerves", {"levels": [], "nerve_levels": [("L4-L5", BIL)]}, ["64493-50-KX"], fires={"LEVEL_FROM_NERVES"},
      absent={"LEVELS_MISSING"}),
    S("explicit joint is not a nerve-derived level", {"levels": [("L4-L5", BIL)], "nerve_levels": [("L4-L5", BIL)]}, ["64493-50-KX"],
      absent={"LEVEL_FROM_NERVES"}),
    # --- non-facet procedures (R-NBR-*) ------------------------------------------------------
    S("radiofrequency ablation", {"family": "radiofrequency_ablation"}, [], fires={"NOT_FACET_PROCEDURE"}, exact_flags=True,
      severity={"NOT_FACET_PROCEDURE": "info"}),
    S("epidural", {"family": "epidural_injection", "radic": "affirmed"}, [], fires={"NOT_FACET_PROCEDURE"}, exact_flags=True),
    S("sacroiliac", {"family": "sacroiliac_joint"}, [], fires={"NOT_FACET_PROCEDURE"}, exact_flags=True),
    S("other procedure", {"family": "other_procedure", "modality": "none"}, [], fires={"NOT_FACET_PROCEDURE"}, exact_flags=True),
    S("consult note: no documentation-gap noise", {"family": "no_procedure", "modality": "none", "levels": [], "intent": "unknown",
      "pre": None, "post": None, "months": None, "care_failed": False, "dx": ()}, [], fires={"NOT_FACET_PROCEDURE"}, exact_flags=True),
    S("facet plus epidural same session", {"other_families": ["epidural_injection"]}, ["64493-50-KX"], fires={"SAME_DAY_PROCEDURE"},
      absent={"NOT_FACET_PROCEDURE"}),
    S("facet with only facet other family", {"other_families": ["facet_joint_injection"]}, ["64493-50-KX"], absent={"SAME_DAY_PROCEDURE"}),
    # --- pain scores (R-DOC-1) ---------------------------------------------------------------
    S("no post score", {"post": None}, ["64493-50-KX"], fires={"PAIN_SCORE_MISSING"}),
    S("no pre score", {"pre": None}, fires={"PAIN_SCORE_MISSING"}),
    S("diagnostic scores on different scales", {"pre": (7, "NRS"), "post": (10, "VAS")}, fires={"PAIN_SCORE_MISSING"}),
    S("therapeutic scores on different scales are tolerated", {"family": "facet_joint_injection", "intent": "therapeutic", "pre": (7, "NRS"),
      "post": (10, "VAS")}, absent={"PAIN_SCORE_MISSING"}),
    S("untimed scores alone: no post-procedure score", {"pre": None, "post": None, "unspecified_scores": [(7, "NRS"), (2, "NRS")]},
      fires={"PAIN_SCORE_MISSING"}),
    S("untimed score stands for the baseline", {"pre": None, "unspecified_scores": [(7, "NRS")]}, absent={"PAIN_SCORE_MISSING"}),
    # --- duration and conservative care (R-MCR-IND-2) ----------------------------------------
    S("pain duration missing", {"months": None}, fires={"PAIN_DURATION_MISSING"}),
    S("pain duration written but not converted ('since 2019')", {"months": None, "duration_text": "since 2019"},
      absent={"PAIN_DURATION_MISSING"}),
    S("pain duration under 3 months", {"months": 2}, fires={"PAIN_DURATION_MISSING"}),
    S("pain duration exactly 3 months", {"months": 3}, absent={"PAIN_DURATION_MISSING"}),
    S("conservative care missing", {"care_failed": False}, fires={"CONSERVATIVE_CARE_MISSING"}),
    S("care items tried without failure", {"care_failed": False, "care_items": [("physical_therapy", None)]}, fires={"CONSERVATIVE_CARE_MISSING"}),
    S("failed care item counts", {"care_failed": False, "care_items": [("physical_therapy", True)]}, absent={"CONSERVATIVE_CARE_MISSING"}),
    S("commercial: 4 weeks of care is short", {"care_weeks": 4}, payer="commercial", fires={"CONSERVATIVE_CARE_MISSING"}),
    S("commercial: care weeks unknown", {"care_weeks": None}, payer="commercial", fires={"CONSERVATIVE_CARE_MISSING"}),
    S("Medicare: no week count needed", {"care_weeks": None}, absent={"CONSERVATIVE_CARE_MISSING"}),
    # --- diagnoses (R-ICD-*) -----------------------------------------------------------------
    S("no diagnosis", {"dx": ()}, ["64493-50-KX"], fires={"DIAGNOSIS_MISSING"}, absent={"ICD10_UNMAPPED"}, icd=[[]]),
    S("unmappable diagnosis phrase", {"dx": ("status post motor vehicle collision",)}, fires={"ICD10_UNMAPPED"},
      absent={"DIAGNOSIS_MISSING"}, icd=[[]]),
    S("unmappable phrase beside a billable code", {"dx": ("chronic pain syndrome",), "codes": ["M47.816"]}, absent={"ICD10_UNMAPPED"}),
    S("written valid code", {"dx": (), "codes": ["M47.816"]}, ["64493-50-KX"], exact_flags=True, icd=[["M47.816"]]),
    S("written code without dot, lower case", {"dx": (), "codes": ["m47816"]}, icd=[["M47.816"]], absent={"ICD10_INVALID"}),
    S("category header M47.81", {"dx": (), "codes": ["M47.81"]}, fires={"ICD10_INVALID"}, absent={"DIAGNOSIS_MISSING"}, icd=[[]]),
    S("M54.5 no longer valid", {"dx": (), "codes": ["M54.5"]}, fires={"ICD10_INVALID"}),
    S("not an ICD-10-CM code", {"codes": ["Q99.999"]}, fires={"ICD10_INVALID"}, absent={"DIAGNOSIS_MISSING"}, icd=[["M47.816"]]),
    S("pain-only diagnosis Medicare", {"dx": ("low back pain",)}, fires={"DIAGNOSIS_NOT_SUPPORTED"}, icd=[["M54.50"]],
      severity={"DIAGNOSIS_NOT_SUPPORTED": "error"}),
    S("pain-only diagnosis commercial", {"dx": ("low back pain",), "care_weeks": 8}, payer="commercial", fires={"DIAGNOSIS_NOT_SUPPORTED"},
      severity={"DIAGNOSIS_NOT_SUPPORTED": "warning"}),
    S("covered plus pain code is supported", {"dx": ("lumbar facet syndrome", "low back pain")}, absent={"DIAGNOSIS_NOT_SUPPORTED"},
      icd=[["M47.816", "M54.50"]]),
    S("cervical code on lumbar levels", {"dx": (), "codes": ["M47.812"]}, fires={"DIAGNOSIS_REGION_MISMATCH"}, icd=[["M47.812"]]),
    S("thoracolumbar code on L4-L5", {"dx": TL}, fires={"DIAGNOSIS_REGION_MISMATCH"}),
    S("lumbosacral code on L5-S1", {"levels": [("L5-S1", BIL)], "dx": (), "codes": ["M47.817"]}, absent={"DIAGNOSIS_REGION_MISMATCH"}),
    # --- radiculopathy (R-MCR-IND-3, R-ICD-4) ------------------------------------------------
    S("radiculopathy affirmed", {"radic": "affirmed"}, fires={"RADICULOPATHY"}),
    S("radicular diagnosis code", {"radic": "not_documented", "codes": ["M54.16"]}, fires={"RADICULOPATHY"}),
    S("radiculopathy negated", {"radic": "negated"}, absent={"RADICULOPATHY"}),
    S("radiculopathy from a facet synovial cyst", {"radic": "affirmed", "dx": ("L4-L5 facet synovial cyst",)}, absent={"RADICULOPATHY"},
      icd=[["M53.86"]]),
    # --- sedation, agents, relief ------------------------------------------------------------
    S("IV sedation Medicare", {"sedation": ["midazolam", "fentanyl"]}, fires={"SEDATION"}),
    S("local only is not sedation", {"sedation": ["local_only"]}, absent={"SEDATION"}),
    S("sedation commercial", {"sedation": ["midazolam"], "care_weeks": 8}, payer="commercial", absent={"SEDATION"}),
    S("steroid in diagnostic block", {"agents": [("bupivacaine", "local_anesthetic"), ("dexamethasone", "steroid")]}, fires={"STEROID_IN_DIAGNOSTIC"}),
    S("relief below threshold", {"relief": [50]}, fires={"RELIEF_BELOW_THRESHOLD"}, severity={"RELIEF_BELOW_THRESHOLD": "info"}),
    S("relief at threshold", {"relief": [80]}, absent={"RELIEF_BELOW_THRESHOLD"}),
    S("therapeutic relief not judged", {"family": "facet_joint_injection", "intent": "therapeutic", "relief": [30]},
      absent={"RELIEF_BELOW_THRESHOLD"}),
]


def line_str(line: ClaimLine) -> str:
    """'64493-50-KX': the code and its modifiers in claim order."""
    return "-".join([line.cpt, *line.modifiers])


def _run(facts: Facts, s: S) -> NoteResult:
    return code_note(facts(**s.kw), s.payer)


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(facts: Facts, s: S) -> None:
    out = _run(facts, s)
    ids = {f.id for f in out.flags}
    if s.lines is not None:
        assert [line_str(ln) for ln in out.claim_lines] == s.lines
    if s.levels is not None:
        assert [ln.levels for ln in out.claim_lines] == s.levels
    if s.icd is not None:
        assert [ln.icd10 for ln in out.claim_lines] == s.icd
    assert s.fires <= ids, f"missing flags {s.fires - ids}"
    assert not (s.absent & ids), f"unexpected flags {s.absent & ids}"
    if s.exact_flags:
        assert ids == s.fires
    for fid, sev in s.severity.items():
        assert {f.severity for f in out.flags if f.id == fid} == {sev}
    assert out.payer == s.payer


def test_scenario_count() -> None:
    assert len(SCENARIOS) >= 60


def test_every_flag_fires_and_stays_quiet_somewhere() -> None:
    """Each flag id of flags.csv is expected to fire in one scenario and to stay quiet in another."""
    all_ids = set(rule_tables().flags)
    fired = set().union(*(s.fires for s in SCENARIOS))
    quiet = set().union(*(s.absent for s in SCENARIOS)) | {fid for s in SCENARIOS if s.exact_flags for fid in all_ids - s.fires}
    assert all_ids - fired == set()
    assert all_ids - quiet == set()


def test_every_line_is_one_unit(facts: Facts) -> None:
    for s in SCENARIOS:
        assert all(ln.units == 1 for ln in _run(facts, s).claim_lines), s.name


def test_kx_only_on_diagnostic_medicare_lines(facts: Facts) -> None:
    for s in SCENARIOS:
        out = _run(facts, s)
        want_kx = s.payer == "medicare" and out.intent.value == "diagnostic"
        for ln in out.claim_lines:
            assert ("KX" in ln.modifiers) == want_kx, s.name


def test_no_facet_line_on_non_facet_or_unguided_notes(facts: Facts) -> None:
    facet_codes = {row.code for row in rule_tables().cpt.values()}
    for s in SCENARIOS:
        out = _run(facts, s)
        if out.procedure.family not in ("facet_joint_injection", "medial_branch_block") or out.imaging.modality == "none":
            assert not any(ln.cpt in facet_codes for ln in out.claim_lines), s.name


def test_modifier_order_laterality_then_kx(facts: Facts) -> None:
    for s in SCENARIOS:
        for ln in _run(facts, s).claim_lines:
            if "KX" in ln.modifiers and len(ln.modifiers) > 1:
                assert ln.modifiers[-1] == "KX" and ln.modifiers[0] in ("50", "RT", "LT"), s.name


def test_add_on_never_stands_alone(facts: Facts) -> None:
    primaries = {row.code for row in rule_tables().cpt.values() if row.rank == 1}
    for s in SCENARIOS:
        lines = _run(facts, s).claim_lines
        if lines:
            assert lines[0].cpt in primaries, s.name
            assert sum(1 for ln in lines if ln.cpt in {"64492", "64495", "0215T", "0218T"}) <= 2, s.name


def test_profile_object_and_name_agree(facts: Facts) -> None:
    note = facts()
    assert code_note(note, load_profile("commercial")) == code_note(note, "commercial")


def test_every_line_and_flag_names_rule_ids_and_evidence(facts: Facts) -> None:
    known = rule_tables().known_rule_ids
    for s in SCENARIOS:
        out = code_note(facts(**s.kw), s.payer)
        for ln in out.claim_lines:
            assert ln.rule_ids and set(ln.rule_ids) <= known, s.name
            assert ln.evidence and ln.levels and ln.description, s.name
            for joint in ln.levels:  # the level spans themselves
                assert any(joint in ev.text for ev in ln.evidence), s.name
        for flag in out.flags:
            assert flag.rule_ids and set(flag.rule_ids) <= known, s.name
            assert flag.message and flag.fix and "{" not in flag.message + flag.fix, s.name


def test_batch_speed(facts: Facts) -> None:
    notes = [facts(**s.kw) for s in SCENARIOS]
    code_note(notes[0])
    start = time.perf_counter()
    for _ in range(10):
        for note in notes:
            code_note(note)
    per_note_ms = (time.perf_counter() - start) * 1000 / (10 * len(notes))
    assert per_note_ms < 5
