"""Intent (explicit words, then injectate), agents, sedation, radiculopathy, diagnoses, written codes."""

from __future__ import annotations

import pytest

from nlp.extract.agents import extract_agents, extract_sedation
from nlp.extract.diagnoses import extract_diagnoses, extract_written_codes
from nlp.extract.intent import extract_intent
from nlp.extract.radiculopathy import extract_radiculopathy

BASE = "PROCEDURE: Bilateral L4-5 medial branch blocks.\nTECHNIQUE: The needle was advanced under fluoroscopy. "


def intent_of(view_of, text: str):
    view = view_of(text)
    return extract_intent(view, extract_agents(view))


@pytest.mark.parametrize(
    ("tail", "value"),
    [
        # explicit words win
        ("This is a diagnostic block. 0.5 mL bupivacaine was injected.", "diagnostic"),
        ("Second diagnostic medial branch block. Lidocaine was injected.", "diagnostic"),
        ("This is a confirmatory block.", "diagnostic"),
        ("Therapeutic injection: 40 mg Kenalog with 1 mL lidocaine was injected.", "therapeutic"),
        ("Diagnostic block; 0.5 mL bupivacaine and 10 mg Kenalog injected.", "diagnostic"),
        # injectate decides when no words
        ("0.5 mL of 0.5% bupivacaine was injected at each level.", "diagnostic"),
        ("1 mL of 0.25% bupivacaine with 20 mg triamcinolone was injected.", "therapeutic"),
        ("A mixture of Depo-Medrol 40 mg and ropivacaine was injected.", "therapeutic"),
        # negated steroid does not count
        ("0.5 mL bupivacaine was injected, no steroid was used.", "diagnostic"),
        # nothing known
        ("The needles were removed.", "unknown"),
        # a plan for a future diagnostic block is not this block's intent
        ("The needles were removed.\nPLAN: if no relief, consider a diagnostic block at L3-4.", "unknown"),
    ],
)
def test_intent(view_of, tail, value):
    intent = intent_of(view_of, BASE + tail)
    assert intent.value == value
    assert intent.reason


@pytest.mark.parametrize(
    ("tail", "kinds"),
    [
        ("Lidocaine 1% for skin; 0.5 mL Marcaine per level; Omnipaque 180 confirmed spread.", {"local_anesthetic", "contrast"}),
        ("Kenalog 40 mg was injected.", {"steroid"}),
        ("No contrast was used. Bupivacaine injected.", {"local_anesthetic"}),
    ],
)
def test_agents(view_of, tail, kinds):
    agents = extract_agents(view_of(BASE + tail))
    assert {a.kind for a in agents} == kinds


def test_home_medications_are_not_injected_agents(view_of):
    text = "MEDICATIONS: prednisone, gabapentin.\n" + BASE + "Bupivacaine injected."
    assert {a.kind for a in extract_agents(view_of(text))} == {"local_anesthetic"}


@pytest.mark.parametrize(
    ("tail", "given", "kinds"),
    [
        ("IV sedation with 2 mg midazolam and 50 mcg fentanyl was given.", True, {"iv_sedation", "midazolam", "fentanyl"}),
        ("Monitored anesthesia care was provided by anesthesia.", True, {"mac"}),
        ("The procedure was done under general anesthesia.", True, {"general"}),
        ("No sedation was given. Local anesthetic only.", False, {"local_only"}),
        ("The patient declined sedation.", False, set()),
        ("Sedation: [ ] IV sedation [x] None", False, set()),
        ("Bupivacaine injected.", False, set()),
    ],
)
def test_sedation(view_of, tail, given, kinds):
    sed = extract_sedation(view_of(BASE + tail))
    assert sed.given is given
    assert set(sed.kinds) == kinds


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Axial low back pain with radiating leg pain to the foot.", "affirmed"),
        ("She has right L5 radiculopathy.", "affirmed"),
        ("PREOP DIAGNOSES: 1. Cervical radiculopathy, left C7.", "affirmed"),
        ("Denies radicular symptoms.", "negated"),
        ("No radiculopathy on exam.", "negated"),
        ("Lumbar spondylosis without myelopathy or radiculopathy.", "negated"),
        ("Radicular symptoms: No", "negated"),
        ("Neck pain radiating into the upper trapezius.", "not_documented"),
        ("Axial back pain.", "not_documented"),
    ],
)
def test_radiculopathy(view_of, text, status):
    assert extract_radiculopathy(view_of(text)).status == status


def test_diagnoses_codes_and_phrases(view_of):
    text = ("PREOPERATIVE DIAGNOSIS:\n1. Lumbar spondylosis without myelopathy or radiculopathy (M47.816)\n"
            "2. Low back pain, M54.5\nPROCEDURE: L4-5 MBB at T12 and L5 levels.")
    dx = extract_diagnoses(view_of(text))
    codes = {d.icd10 for d in dx if d.source == "code_written"}
    phrases = [d.text for d in dx if d.source == "phrase"]
    assert codes == {"M47.816", "M54.5"}  # vertebrae like T12 or L5 are never codes
    assert phrases == ["Lumbar spondylosis without myelopathy or radiculopathy", "Low back pain"]
    for d in dx:
        for e in d.evidence:
            assert text[e.start : e.end] == e.text


def test_diagnosis_phrases_without_a_diagnosis_section(view_of):
    dx = extract_diagnoses(view_of("Chronic axial low back pain from lumbar facet arthropathy. MBB performed."))
    assert any("facet arthropathy" in d.text for d in dx)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("CPT: 64493-50, 64494-50, 77003", {"64493", "64494", "77003"}),
        ("Fluoroscopic guidance (77003) was used.", {"77003"}),
        ("DOS 03/29/10, MRN 1234567, phone 555-64493-1", set()),
        ("64635 RFA lumbar", {"64635"}),
    ],
)
def test_written_cpt_codes(view_of, text, codes):
    assert {c.code for c in extract_written_codes(view_of(text))} == codes
