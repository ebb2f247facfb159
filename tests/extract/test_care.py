"""Conservative care items, failure and duration, end to end through the real pipeline (`view_of`)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nlp.extract.care import CareCues, extract_conservative_care

# (id, note text, {item name: (failed, duration as written)})
ITEMS = [
    # --- documented failure, cue before the items ---
    ("failed_list", "HISTORY: He failed 3 months of physical therapy, chiropractic care and naproxen.",
     {"physical_therapy": (True, "3 months"), "chiropractic": (True, None), "nsaids": (True, None)}),
    ("failed_colon_bullets", "- Failed: PT x 8 wks, meloxicam, lidocaine patch\n",
     {"physical_therapy": (True, "8 wks"), "nsaids": (True, None), "medications": (True, None)}),
    ("refractory", "Refractory to NSAIDs and muscle relaxants.", {"nsaids": (True, None), "medications": (True, None)}),
    ("persistent_despite", "Pain persistent despite chiropractic care and activity modification.",
     {"chiropractic": (True, None), "activity_modification": (True, None)}),
    ("no_improvement_with", "No improvement with physical therapy.", {"physical_therapy": (True, None)}),
    ("side_effects", "HISTORY: Gabapentin caused sedation.", {"medications": (True, None)}),
    ("ongoing_care_not_failed", "HPI: tried and failed PT, currently doing a home exercise program.",
     {"physical_therapy": (True, None), "home_exercise": (None, None)}),
    ("could_not_tolerate", "She could not tolerate gabapentin.", {"medications": (True, None)}),
    # --- documented failure, cue after the items ---
    ("have_failed", "Physical therapy for 3 months and diclofenac have failed.",
     {"physical_therapy": (True, "3 months"), "nsaids": (True, None)}),
    ("without_relief", "He completed 8 weeks of formal physical therapy without relief and has failed naproxen.",
     {"physical_therapy": (True, "8 weeks"), "nsaids": (True, None)}),
    ("did_not_help", "PT did not help.", {"physical_therapy": (True, None)}),
    ("none_of_which_helped", "She has tried physical therapy for 10 weeks, massage and gabapentin, none of which helped.",
     {"physical_therapy": (True, "10 weeks"), "other": (True, None), "medications": (True, None)}),
    ("with_no_improvement", "He took ibuprofen for 2 months with no improvement.", {"nsaids": (True, "2 months")}),
    ("course_hyphen_unit", "A 6-week course of physical therapy and naproxen gave no relief.",
     {"physical_therapy": (True, "6-week"), "nsaids": (True, None)}),
    ("dose_pack", "He has done 6 weeks of physical therapy and a methylprednisolone dose pack without lasting relief.",
     {"physical_therapy": (True, "6 weeks"), "medications": (True, None)}),
    # --- generic phrases are a failed "other" item ---
    ("failed_conservative_care", "INDICATIONS: Failed conservative care.", {"other": (True, None)}),
    ("exhausted_measures", "He has exhausted conservative measures.", {"other": (True, None)}),
    # --- not tried / declined / helped: failed is False ---
    ("has_not_tried", "She has not tried PT.", {"physical_therapy": (False, None)}),
    ("declined", "He declined chiropractic care.", {"chiropractic": (False, None)}),
    ("no_prior_injections", "No prior injections.", {"prior_injections": (False, None)}),
    ("contraindicated", "Failed 12 weeks of physical therapy and acetaminophen; NSAIDs are contraindicated.",
     {"physical_therapy": (True, "12 weeks"), "medications": (True, None), "nsaids": (False, None)}),
    ("helped", "Ibuprofen helped.", {"nsaids": (False, None)}),
    ("no_pt_yet_only_ibuprofen",
     "HPI: She has had no physical therapy yet and has only taken ibuprofen occasionally. No prior injections.",
     {"physical_therapy": (False, None), "nsaids": (None, None), "prior_injections": (False, None)}),
    ("no_benefit_then_list", "She completed 6 weeks of PT with no benefit, and gabapentin has not helped.",
     {"physical_therapy": (True, "6 weeks"), "medications": (True, None)}),
    ("but_splits_clauses", "He has not tried PT but failed NSAIDs.", {"physical_therapy": (False, None), "nsaids": (True, None)}),
    # --- only mentioned ---
    ("mentioned_with_duration", "She had 6 weeks of PT.", {"physical_therapy": (None, "6 weeks")}),
    ("mentioned", "She is doing a home exercise program.", {"home_exercise": (None, None)}),
    ("template_placeholder", "Prior conservative treatment: PT ***, NSAIDs failed, home exercise program failed\n",
     {"physical_therapy": (None, None), "nsaids": (True, None), "home_exercise": (True, None)}),
    # --- plans and procedure text are not care history ---
    ("plan_section", "PLAN: Will start physical therapy for 6 weeks. Continue home exercise program.", {}),
    ("hypothetical_in_history", "HPI: She has not tried PT. We will start PT.", {"physical_therapy": (False, None)}),
    ("post_procedure_instructions", "POST-PROCEDURE: Hold ibuprofen for 24 hours.", {}),
    # --- lexicon false positives ---
    ("pt_inr", "PT/INR within normal limits.", {}),
    ("hepatitis", "History of hep C.", {}),
    ("ros_weight_loss", "Denies fever, chills or weight loss.", {}),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in ITEMS], ids=[c[0] for c in ITEMS])
def test_care_items(view_of, text, expected):
    view = view_of(text)
    care = extract_conservative_care(view)
    assert {i.name: (i.failed, i.duration) for i in care.items} == expected
    assert care.failed == any(failed is True for failed, _ in expected.values())
    for item in care.items:
        assert item.evidence
        for e in item.evidence:
            assert view.text[e.start : e.end] == e.text


def test_longest_duration_wins(view_of):
    care = extract_conservative_care(view_of("HISTORY: 6 weeks of PT and ibuprofen for 3 months, both without relief."))
    assert care.failed is True
    assert care.duration == "3 months"
    assert care.duration_weeks == pytest.approx(3 * 4.345, abs=0.1)


def test_not_tried_is_not_failed(view_of):
    care = extract_conservative_care(view_of("She has not tried physical therapy or chiropractic."))
    assert care.failed is False
    assert all(item.failed is False for item in care.items)


def test_consult_note(view_of):
    note = (
        "NEW PATIENT CONSULTATION\n\n"
        "HPI: 47-year-old with neck pain for 5 months. She has had no physical therapy yet and takes ibuprofen.\n\n"
        "PLAN: Because she has not tried physical therapy, we will start with 6-8 weeks of PT and a home "
        "exercise program.\n"
    )
    care = extract_conservative_care(view_of(note))
    assert care.failed is False
    assert {i.name: i.failed for i in care.items} == {"physical_therapy": False, "nsaids": None}
    assert care.duration is None


def test_failure_evidence_includes_the_cue(view_of):
    care = extract_conservative_care(view_of("Physical therapy did not help."))
    assert [e.text for e in care.items[0].evidence] == ["Physical therapy", "did not help"]


def test_cue_file_rejects_unknown_keys():
    fields = {name: [] for name in CareCues.model_fields}
    fields["names"] = {}
    CareCues.model_validate(fields)
    with pytest.raises(ValidationError):
        CareCues.model_validate({**fields, "surprise": []})
