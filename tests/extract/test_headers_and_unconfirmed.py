"""Where a note names today's procedure when its headers are not the usual ones, and what a coder is told when a
facet procedure is named but nothing says it was done (issue 10). Sentences are our own.

- a known header with a qualifier in parentheses ("PROCEDURE (performed in suite B):", "Procedure
  description (as dictated)" alone on its line) opens its section like the bare header;
- a note with no PROCEDURE section names its procedure at the start of its technique section
  ("DESCRIPTION OF PROCEDURE: ..."): that headline decides the family over later passing words;
- a clause saying what a code or payer requires ("64493 includes imaging guidance", "the policy requires
  fluoroscopy") is not guidance used today;
- PROCEDURE_UNCONFIRMED: a document that names a current facet procedure with no performed statement (a charge
  sheet, a bare list) stays no_procedure and goes to review; past, planned and ordered ones do not.
"""

from __future__ import annotations

import pytest

HISTORY = "History: axial low back pain for 9 months, worse with extension, failed physical therapy.\n\n"
BODY = ("Under fluoroscopy a 22 gauge needle was placed at each target and 0.5 mL of 0.5% bupivacaine was "
        "injected. Diagnostic block.\n")


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("PROCEDURE (performed in suite B):", "procedure"),
        ("Procedure (left side only):", "procedure"),
        ("Procedure description (as dictated)", "technique"),
        ("DESCRIPTION OF PROCEDURE (resident assisting):", "technique"),
        ("   PROCEDURE, DOS 04/21/2025:", "procedure"),
        ("Procedure, dated 11/3:", "procedure"),
    ],
)
def test_a_header_with_a_qualifier_opens_its_section(view_of, header, category) -> None:
    text = HISTORY + header + "\nLeft L4-L5 medial branch block. " + BODY
    view = view_of(text)
    assert view.section_at(text.index("Left L4-L5")) == category
    assert view.section_at(text.index("22 gauge")) == category


@pytest.mark.parametrize(
    "line",
    [
        "Medication given (see MAR) was recorded.",  # words before the parenthesis are no header
        "Left L4-L5 medial branch block (diagnostic):",  # a procedure line, not a header name
    ],
)
def test_a_parenthesis_after_other_words_opens_no_section(view_of, line) -> None:
    text = HISTORY + line + "\n" + BODY
    view = view_of(text)
    at = text.index(line)
    assert not any(at <= sp.start < at + len(line) for sp in view.sections)


def test_qualified_procedure_header_ends_the_history_and_codes_today(analyzer) -> None:
    text = HISTORY + "PROCEDURE (performed in suite B):\nRight L4-L5 and L5-S1 medial branch blocks. " + BODY
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert result.imaging.modality == "fluoroscopy"
    assert [c.cpt for c in result.claim_lines] == ["64493", "64494"]


TECHNIQUE_TITLED = (
    "Op note 03/03/2026\nIndications: right lumbar facet pain.\n"
    "DESCRIPTION OF PROCEDURE: Right L4-L5 facet joint injection, intra-articular.\n"
    "Prone. Under fluoroscopy a 22 gauge needle entered the right L4-L5 joint; 1 mL bupivacaine with 20 mg "
    "triamcinolone was injected. A medial branch block may be considered later if relief is short.\n"
)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        (TECHNIQUE_TITLED, "facet_joint_injection"),
        ("Coder worksheet\nHistory: axial pain for 6 months.\n\nProcedure description (as dictated)\n"
         "Right lumbar facet joint medial branch nerve blocks for the L4-L5 and L5-S1 facet joints, fluoroscopy.\n"
         "Each facet joint was reached at its SAP/TP junction target; facet joint levels confirmed on AP view; "
         "0.5 mL bupivacaine per facet joint target. Diagnostic.\n", "medial_branch_block"),
    ],
)
def test_technique_headline_decides_the_family_over_later_words(analyzer, text, family) -> None:
    result = analyzer.analyze(text)
    assert result.procedure.family == family, result.procedure.reason


def test_technique_headline_names_the_procedure_when_there_is_no_procedure_section(analyzer, view_of) -> None:
    view = view_of(TECHNIQUE_TITLED)
    assert not any(sp.category == "procedure" for sp in view.sections)
    result = analyzer.analyze(TECHNIQUE_TITLED)
    assert result.procedure.family == "facet_joint_injection", result.procedure.reason
    ev = result.procedure.evidence
    assert ev and all(e.text == TECHNIQUE_TITLED[e.start:e.end] for e in ev)
    assert any(e.start < TECHNIQUE_TITLED.index("Prone.") for e in ev)


NO_IMAGING = ("PROCEDURE: Right L5-S1 facet joint injection by palpation.\n"
              "A 22 gauge needle was placed into the joint and 1 mL bupivacaine with 20 mg triamcinolone was "
              "injected. Therapeutic.\n")


@pytest.mark.parametrize(
    "clause",
    [
        "Billing note: 64493 includes fluoroscopic guidance, so no separate imaging code.",
        "The payer policy requires fluoroscopy for this code.",
        "Per the LCD, the code mandates CT or fluoroscopic guidance.",
        "The CPT descriptor of 64493 covers fluoroscopy or CT guidance.",
    ],
)
def test_what_a_code_or_payer_requires_is_not_guidance_used_today(analyzer, clause) -> None:
    result = analyzer.analyze(NO_IMAGING + clause + "\n")
    assert result.imaging.modality == "none", result.imaging.reason


def test_guidance_stated_as_used_still_counts_beside_a_policy_clause(analyzer) -> None:
    text = NO_IMAGING.replace("by palpation", "under fluoroscopy") + "The payer policy requires fluoroscopy.\n"
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy"


UNCONFIRMED = [
    "CHARGE SHEET 10/14/2026\nItems:\n- Bilateral L4-L5 lumbar facet joint injection\n- Fluoroscopic guidance\n"
    "Dx M47.816\n",
    "Superbill 11/20/2026\nCPT 64490 - cervical medial branch block, right C5-C6, fluoroscopic guidance\n"
    "Rendering: Dr. Lund\n",
]


@pytest.mark.parametrize("text", UNCONFIRMED)
def test_a_named_facet_procedure_with_no_performed_statement_goes_to_review(analyzer, text) -> None:
    result = analyzer.analyze(text)
    assert result.procedure.family == "no_procedure"
    assert result.claim_lines == []
    assert result.review.status == "needs_review"
    reasons = [r for r in result.review.reasons if r.id == "PROCEDURE_UNCONFIRMED"]
    assert len(reasons) == 1
    assert reasons[0].evidence and all(e.text == text[e.start:e.end] for e in reasons[0].evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Follow-up visit\nShe had bilateral L4-L5 facet joint injections last spring with good relief.\n"
        "Exam: tender lumbar paraspinals. Plan: continue PT.\n",
        "Follow-up visit\nWe will schedule a left L5-S1 medial branch block next month. Exam stable.\n",
        "PROCEDURE ORDER\nPlease schedule right L3-L4 facet joint injection under fluoroscopy.\n",
        "Clinic note. No facet injection is indicated; radicular pain predominates.\n",
        HISTORY + "PROCEDURE:\nRight L4-L5 medial branch block. " + BODY,
    ],
)
def test_past_planned_ordered_negated_or_performed_procedures_are_not_unconfirmed(analyzer, text) -> None:
    result = analyzer.analyze(text)
    assert "PROCEDURE_UNCONFIRMED" not in [r.id for r in result.review.reasons]


BLOCK_WITH_RFA_TALK = (
    "proc: left l3-4 facet mbb, fluoro\n"
    "h/o left l2 and l3 mb rfa in 2024 with 70% relief, now back\n"
    "this is the 1st dx block of a new series before repeat rfa\n"
    "needles to the left l2 and l3 medial branches under fluoro, 0.5 ml bupivacaine each, diagnostic\n"
    "plan if 80% relief then a second block, the payer wants two blocks before repeat rfa\n"
)


def test_rfa_plans_do_not_override_the_block_the_procedure_line_names(analyzer) -> None:
    result = analyzer.analyze(BLOCK_WITH_RFA_TALK)
    assert result.procedure.family == "medial_branch_block", result.procedure.reason


def test_an_ablation_named_on_the_procedure_line_is_an_ablation(analyzer) -> None:
    text = BLOCK_WITH_RFA_TALK.replace("proc: left l3-4 facet mbb, fluoro", "proc: left l3-4 medial branch rfa, fluoro")
    result = analyzer.analyze(text)
    assert result.procedure.family == "radiofrequency_ablation", result.procedure.reason


@pytest.mark.parametrize(
    ("other", "other_family"),
    [("right sacroiliac joint injection", "sacroiliac_joint"),
     ("right L5 transforaminal epidural steroid injection", "epidural_injection")],
)
def test_a_facet_block_beside_another_procedure_is_the_family_coded(analyzer, other, other_family) -> None:
    other_word = "SI joint" if other_family == "sacroiliac_joint" else "transforaminal epidural"
    text = (f"Two procedures this session: (1) {other}, (2) left L3-L4 facet medial branch blocks.\n"
            f"Under fluoroscopy the {other_word} needle was placed and 1 mL bupivacaine with 40 mg "
            f"triamcinolone injected; the {other_word} contrast pattern was confirmed. Then 22 gauge needles "
            f"went to the left L2 and L3 medial branches and 0.5 mL bupivacaine was injected at each. "
            f"Diagnostic block. The {other_word} was tolerated.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block", result.procedure.reason
    assert other_family in result.procedure.other_families
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["LT", "KX"])]  # medicare, diagnostic


@pytest.mark.parametrize(
    ("header", "category"),
    [("III. PROCEDURE", "procedure"), ("   D. Technique", "technique"), ("IV) POST-PROCEDURE:", "post_procedure"),
     ("b. Technique:", "technique")],
)
def test_an_outline_numbered_header_opens_its_section_to_the_next_header(view_of, header, category) -> None:
    text = ("II. HISTORY\n   A. Low back pain for 8 months.\n\n" + header +
            "\n   1. Prone, prepped.\n   2. Under fluoroscopy a 22 gauge needle entered the right L4-L5 joint.\n\n"
            "V. IMPRESSION\n   A. Right L4-L5 facet joint injection.\n")
    view = view_of(text)
    assert view.section_at(text.index("Prone")) == category
    assert view.section_at(text.index("22 gauge")) == category
    assert view.section_at(text.index("Low back")) == "history"


def test_an_outline_item_that_is_no_header_opens_no_section(view_of) -> None:
    text = "II. HISTORY\n   A. Low back pain for 8 months.\n   B. Prior therapy failed.\n"
    view = view_of(text)
    assert view.section_at(text.index("Prior therapy")) == "history"
