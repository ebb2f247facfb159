"""Documents that record no injection today get no line, whatever procedure words they contain.

Engine conventions (decided 2026-12-03): consent, order, schedule, authorization request or decision,
patient instructions, a case cancelled before any injection, a coding question. Sentences are our own.
"""

from __future__ import annotations

import pytest

NOT_PERFORMED = {
    "order": "PROCEDURE ORDER 03/02/2026\nPlease schedule left L4-L5 and L5-S1 medial branch blocks under fluoroscopy "
             "at the surgery center. Diagnosis M47.816. Pain 8/10.",
    "order_slash": "Order/sched request - right C5-C6 facet injection w/ fluoro, next available. Pt seen today.",
    "auth_letter": "RE: Request for prior authorization\nDear reviewer, I request approval of bilateral L3-L4 facet "
                   "joint injections under fluoroscopic guidance for lumbar spondylosis after failed PT.",
    "necessity": "Letter of medical necessity for Mr. Doe, who needs bilateral L5-S1 medial branch blocks "
                 "(64493-50) with fluoroscopy.\nHe has failed 12 weeks of therapy.",
    "query": "Coding query to Dr. Roe\nThe op note lists bilateral L4-L5 facet injections under fluoroscopy; "
             "please confirm both sides were injected.",
    "instructions": "Patient instructions\nYou are scheduled for a right T7-T8 facet joint injection with x-ray "
                    "guidance on 4/2. Bring a driver.",
    "nothing_today": "Clinic visit. Bilateral L4-L5 MBB discussed and scheduled under fluoroscopy. "
                     "No procedure performed today.",
    "cancelled": "Procedure note\nPlanned: right L3-L4, L4-L5 medial branch blocks under fluoroscopy.\n"
                 "The case was cancelled before any injection: INR 2.9.",
    "aborted": "Left C6-C7 facet injection. Patient positioned prone, fluoroscopy used to count levels; "
               "procedure aborted prior to injection because of a vasovagal episode.",
    "shorthand": "Pre-proc visit, no inj/proc done today. Planned bilat L4-L5 facet jt inj under fluoro 5/1.",
    "consult_table": "Note type | New patient consultation (no procedure today)\nPrior | right T2-T3 facet injections "
                     "05/2023, 50% relief\nPlan | schedule right T2-T3 medial branch blocks under CT guidance",
    "none_today": "Field | Value\nPrior interventions (outside records reviewed) | 1) right \"upper thoracic facet "
                  "injections T1/2 and T2/3\" 05/2023, about 50% relief.\nProcedures performed today | None",
}


@pytest.mark.parametrize("name", sorted(NOT_PERFORMED))
def test_document_without_a_performed_injection_gets_no_line(analyzer, name) -> None:
    text = NOT_PERFORMED[name]
    result = analyzer.analyze(text)
    assert result.procedure.family == "no_procedure", result.procedure.reason
    assert result.claim_lines == []
    ev = result.procedure.evidence
    assert ev and all(e.text == text[e.start:e.end] for e in ev)


PERFORMED = ("PROCEDURE: Bilateral L4-L5 facet joint injections under fluoroscopy.\n"
             "Prior authorization #: 55-1234 on file. Medicare.\n"
             "TECHNIQUE: Time-out. Prepped and draped. A 22-gauge needle was advanced into each L4-L5 facet joint under "
             "fluoroscopy, negative aspiration, 0.5 mL of 0.5% bupivacaine with 10 mg triamcinolone injected per joint.\n")


def test_a_procedure_note_that_mentions_its_authorization_number_still_codes(analyzer) -> None:
    result = analyzer.analyze(PERFORMED)
    assert result.procedure.family == "facet_joint_injection"
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["50"])]
    assert result.review.status == "auto"


def test_nothing_done_wording_beside_injection_steps_routes_to_review(analyzer) -> None:
    text = PERFORMED + "The L5-S1 injection was not performed because of anatomy.\n"
    result = analyzer.analyze(text)
    assert result.claim_lines == []  # the document's own statement is not overridden by a guess
    assert result.review.status == "needs_review"
    assert [r.id for r in result.review.reasons] == ["NOT_PERFORMED_CONFLICT"]
    assert all(e.text == text[e.start:e.end] for e in result.review.reasons[0].evidence)


@pytest.mark.parametrize("aside", [
    "Left knee: genicular block discussed, nothing done for the knee today.",
    "The trochanteric bursa injection on the schedule was deferred; patient declined.",
    "Right SI joint injection was not performed today and will be booked separately.",
    # "nothing done" about the levels a survey passed over, and a cancelled guidance charge
    "Scout views from L2 to S1 to count, nothing done at L2-L3 or L3-L4, survey only.",
    "77003  FLUORO GUIDANCE SPINE INJ     0    CANCELLED - bundled into the facet code",
    # words that only look like a "nothing today" statement
    "Levels above marked on screen only, not for treatment today.",
    "Post-block pain score deferred to the recovery nurse.",
])
def test_nothing_done_about_another_site_does_not_cancel_the_facet_procedure(analyzer, aside) -> None:
    result = analyzer.analyze(PERFORMED + aside + "\n")
    assert result.procedure.family == "facet_joint_injection"
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["50"])]


def test_a_fax_banner_naming_the_payer_desk_is_not_the_title(analyzer) -> None:
    text = ("FAX 03/02/2026 10:14 -> PAYER PRECERT FAX# 555-0100  P.01/02\n"
            "Procedure note\n" + PERFORMED)
    result = analyzer.analyze(text)
    assert result.procedure.family == "facet_joint_injection" and result.claim_lines


@pytest.mark.parametrize("head", [
    "PROCEDURE ORDER / DOCUMENTATION\nOrder #55-7 entered 03/01/2026\n",
    "SPINE CENTER - PROCEDURE ORDER & CHARGE DOCUMENT\n",
    "PROCEDURE ORDER\nORDER #A-19   STATUS: COMPLETE\n",
    "# Procedure order / charge capture\n- **ORD-1** 64493 facet injection **Status:** RESULTED\n",
])
def test_an_order_or_charge_document_that_records_the_procedure_as_done_is_coded(analyzer, head) -> None:
    result = analyzer.analyze(head + PERFORMED)
    assert result.procedure.family == "facet_joint_injection", result.procedure.reason
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["50"])]


def test_a_coding_query_that_quotes_the_steps_is_not_a_conflict(analyzer) -> None:
    text = ("CODING QUERY / PROVIDER CLARIFICATION\nQuery date 03/05/2026. No procedure performed on the query date.\n"
            "The note of 03/01 reads: time-out done, prepped and draped, a 22-gauge needle was advanced into the left "
            "L4-L5 facet joint under fluoroscopy and 1 mL was injected. Please confirm the side.\n")
    result = analyzer.analyze(text)
    assert result.claim_lines == [] and result.review.status == "auto"


SI_DONE = ("PRACTICE SYSTEM - CHARGE / DOCUMENTATION\n"
           "ORDER #A-1   STATUS: COMPLETED\n  RIGHT SACROILIAC JOINT INJECTION W/ FLUORO   20611-RT\n\n"
           "Time-out. Prepped and draped. A 22-gauge needle was advanced into the right SI joint, contrast confirmed, "
           "2 mL bupivacaine with 40 mg triamcinolone injected.\n")


@pytest.mark.parametrize("facet_words", [
    "Decision on lumbar facet MBBs deferred to follow-up.",
    "ORDER #B-2   STATUS: PENDING - NOT PERFORMED THIS DOS\n  BILATERAL L4-L5 L5-S1 MEDIAL BRANCH BLOCK 64493-50\n",
    "DX: sacroiliitis. The exam points to the SI joint; the medial branch blocks also ordered will be decided "
    "later.",
])
def test_a_facet_procedure_not_done_beside_another_one_done_leaves_the_other(analyzer, facet_words) -> None:
    result = analyzer.analyze(SI_DONE + facet_words + "\n")
    assert result.procedure.family == "sacroiliac_joint", result.procedure.reason
    assert result.claim_lines == [] and result.review.status == "auto"
