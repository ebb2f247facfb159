"""Procedure family (R-NBR-*) and imaging modality (R-IMG-*) extractors."""

from __future__ import annotations

import pytest

from nlp.extract.imaging import extract_imaging
from nlp.extract.procedure import extract_procedure

TECH = "The patient was placed prone and prepped and draped in sterile fashion. A 22-gauge spinal needle was advanced."


@pytest.mark.parametrize(
    ("text", "family"),
    [
        # facet procedures
        (f"PROCEDURE: Bilateral L4-5 medial branch blocks.\nTECHNIQUE: {TECH}", "medial_branch_block"),
        (f"PROCEDURE: Right L5-S1 intra-articular facet joint injection.\nTECHNIQUE: {TECH}", "facet_joint_injection"),
        (f"LUMBAR FACET JOINT INJECTIONS L4-5 AND L5-S1\n{TECH} Kenalog was injected into the facet joint.", "facet_joint_injection"),
        (f"Cervical MBB C3-4, C4-5 left. {TECH} 0.3 mL bupivacaine was injected at each medial branch.", "medial_branch_block"),
        (f"PROCEDURE: Left third occipital nerve block.\n{TECH}", "medial_branch_block"),
        # neighbours: RFA names the medial branches it lesions
        (f"PROCEDURE: Radiofrequency ablation of the right L3, L4 medial branches and L5 dorsal ramus.\n{TECH} Lesioned at 80 C for 90 seconds.", "radiofrequency_ablation"),
        (f"PROCEDURE: L5-S1 interlaminar epidural steroid injection.\nTECHNIQUE: {TECH} Loss of resistance was obtained.", "epidural_injection"),
        (f"PROCEDURE: Right transforaminal epidural steroid injection L4-5.\nPREOP DIAGNOSIS: lumbar facet arthropathy.\n{TECH}", "epidural_injection"),
        (f"PROCEDURE: Right sacroiliac joint injection.\n{TECH}", "sacroiliac_joint"),
        (f"PROCEDURE: Trigger point injections, bilateral trapezius.\n{TECH}", "other_procedure"),
        # consult notes only mention past or planned procedures
        ("HPI: s/p bilateral L4-5 medial branch blocks in 2023 with 80% relief.\nPLAN: We will schedule radiofrequency ablation.", "no_procedure"),
        ("Assessment: lumbar facet arthropathy. We discussed facet injections; she will consider them.", "no_procedure"),
        ("Follow-up visit. Pain 6/10. Continue meloxicam and home exercise.", "no_procedure"),
    ],
)
def test_procedure_family(view_of, text, family):
    proc = extract_procedure(view_of(text))
    assert proc.family == family
    for ev in proc.evidence:
        assert text[ev.start : ev.end] == ev.text


def test_procedure_evidence_points_at_the_procedure_phrase(view_of):
    text = f"PROCEDURE: Bilateral L4-5 medial branch blocks.\nTECHNIQUE: {TECH}"
    proc = extract_procedure(view_of(text))
    assert proc.evidence and proc.evidence[0].text.lower() == "medial branch blocks"


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        (f"MBB L4-5. {TECH} Under fluoroscopic guidance the needle was placed.", "fluoroscopy"),
        (f"MBB L4-5. {TECH} The C-arm was rotated to an oblique view.", "fluoroscopy"),
        (f"MBB L4-5. {TECH} The Scottie dog was identified.", "fluoroscopy"),
        (f"MBB L4-5. {TECH} Position confirmed in AP and lateral views.", "fluoroscopy"),
        (f"Facet injection L4-5 under CT guidance. {TECH}", "ct"),
        (f"MBB L4-5. {TECH} Ultrasound-guided, in-plane technique with a curvilinear transducer.", "ultrasound"),
        (f"MBB L4-5. {TECH} Needle placed by palpation of landmarks.", "none"),
        (f"MBB L4-5. {TECH} No fluoroscopy was used.", "none"),
        (f"MBB L4-5. {TECH}", "none"),
        # a CT or MRI study in the history is not guidance
        (f"HISTORY: CT scan and MRI of the lumbar spine showed facet arthropathy.\nMBB L4-5. {TECH}", "none"),
        # fluoroscopy only in the plan
        (f"PLAN: repeat under fluoroscopy next month.\nMBB L4-5. {TECH}", "none"),
    ],
)
def test_imaging_modality(view_of, text, modality):
    img = extract_imaging(view_of(text))
    assert img.modality == modality
    if modality != "none":
        assert img.evidence and all(text[e.start : e.end] == e.text for e in img.evidence)


def test_imaging_not_documented_says_so(view_of):
    img = extract_imaging(view_of(f"MBB L4-5. {TECH}"))
    assert img.reason == "not documented" and img.evidence == []
