"""Guidance written as a template field or checkbox: "Imaging: fluoro", "GUID: [ ] fluoro [x] CT [ ] US",
"Guidance: CT", a "Proc:" line inside a history section. Sentences are our own."""

from __future__ import annotations

import pytest

from nlp.extract.imaging import extract_imaging

DONE = "Prone, sterile prep. A 22g spinal needle was advanced to each target; 0.5 mL bupivacaine injected per site."


def _modality(view_of, text: str) -> str:
    img = extract_imaging(view_of(text))
    assert all(text[e.start : e.end] == e.text for e in img.evidence)
    if img.modality != "none":
        assert img.evidence
    return img.modality


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # key: value fields (an "Imaging:" field of a procedure template names the guidance, not a study)
        (f"Procedure: left L4-L5 MBB\nImaging: fluoro\nNeedle: 22g\n{DONE}", "fluoroscopy"),
        (f"Proc: R C5-C6 facet inj\nImaging: Fluoroscopy\nTechnique: {DONE}", "fluoroscopy"),
        (f"Procedure: bilateral L5-S1 MBB\nImaging guidance: C-arm\n{DONE}", "fluoroscopy"),
        (f"Procedure: right L3-L4 facet injection\nGuidance: CT\nNeedle: 22g\n{DONE}", "ct"),
        (f"Procedure: right L3-L4 facet injection\nModality: US\n{DONE}", "ultrasound"),
        (f"Procedure: right L3-L4 facet injection\nGuid: U/S\n{DONE}", "ultrasound"),
        # checked template boxes; bare CT/US count only as a choice of a guidance line
        (f"Procedure: L4-L5 MBB\nImaging: [x] Fluoro [ ] CT [ ] US\n{DONE}", "fluoroscopy"),
        (f"Procedure: L4-L5 MBB\nGUIDANCE: [ ] fluoroscopy [x] CT [ ] ultrasound\n{DONE}", "ct"),
        (f"Procedure: L4-L5 MBB\nGUID: [ ] fluoro [ ] CT [X] US\n{DONE}", "ultrasound"),
        (f"Procedure: L4-L5 MBB\n[ ] C-arm [x] CT [ ] landmark\n{DONE}", "ct"),
        # controls: unchecked boxes, study lists and study fields are no guidance
        (f"Procedure: L4-L5 MBB by palpation\nImaging: [ ] Fluoro [ ] CT [ ] US\n{DONE}", "none"),
        (f"Procedure: L4-L5 MBB by palpation\nStudies: [x] MRI [x] CT [ ] X-ray\n{DONE}", "none"),
        (f"Procedure: L4-L5 MBB, landmark technique\nImaging: CT\n{DONE}", "none"),
        (f"Imaging: CT of the lumbar spine 2024 showed facet arthropathy.\nProcedure: L4-L5 MBB by palpation.\n{DONE}",
         "none"),
    ],
)
def test_guidance_fields_and_checkboxes(view_of, text, modality):
    assert _modality(view_of, text) == modality


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a "Proc:" / "P/PROC:" field is today's procedure even inside a history or assessment block
        (f"S: axial low back pain 8/10, worse with extension.\nProc: right L4-L5 MBB, CT guided.\n{DONE}", "ct"),
        (f"A: lumbar spondylosis, suspect facet pain\nP/PROC:\n [x] consent [x] time out\n Prone. Needle placed "
         f"into the right L4-L5 joint under intermittent CT; bupivacaine 1 mL.", "ct"),
        (f"A: facet arthropathy L3-L4\nP/PROC:\n Linear probe placed, needle advanced in plane into the joint under "
         f"real time US, 0.5 mL bupivacaine.", "ultrasound"),
        # a continued (wrapped) field keeps its key; a field that ended its sentence does not run on
        ("Requested procedure: right L2-L3 and L3-L4 medial\nbranch blocks, right L1, L2 and L3 medial branches,\n"
         "CPT 64493, 64494, under fluoroscopic guidance\nDiagnosis: M47.816", "none"),
        (f"Hx: low back pain since a fall in 2023.\nProne, sterile prep, fluoro oblique, 22g into the R L4-5 joint, "
         f"0.5 mL lidocaine.", "fluoroscopy"),
        # controls: the same words in a history field, in the history section, or in an order field
        (f"Hx: prior L4-L5 MBB under fluoro 2023 with 80% relief.\nProcedure: L4-L5 MBB by palpation.\n{DONE}", "none"),
        (f"HISTORY: She had bilateral L4-L5 medial branch blocks under fluoroscopy in 2024.\n"
         f"PROCEDURE: Right L4-L5 MBB, landmark technique.\n{DONE}", "none"),
        (f"Procedure: L4-L5 MBB by palpation.\n{DONE}\nOrder: repeat L4-L5 MBB, fluoro, in 4 weeks.", "none"),
        (f"Procedure: L4-L5 MBB by palpation.\n{DONE}\nBooked: confirmatory block, CT guidance.", "none"),
    ],
)
def test_field_keys_decide_which_statement_is_today(view_of, text, modality):
    assert _modality(view_of, text) == modality
