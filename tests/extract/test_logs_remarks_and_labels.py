"""Log entries, carried-forward remarks, labelled history, Title-case headers (classes seen on blind batch L).

Classes: a bracketed remark that says its own line was carried forward and not done today; ablation technique
words that only such a line carries; a header after a log entry's stamp ("[08:40 | JMW, NP] PROCEDURE:"); a device
"down today"; a clause that is the value of a historical label ("Previous block, 7 weeks ago: left L3 and L4
medial branches"); a known header alone on its line in Title case ("Actions"); "then the same two on the right".
Sentences are our own.
"""

from __future__ import annotations


def lines(result) -> list[tuple[str, list[str]]]:
    return [(c.cpt, c.modifiers) for c in result.claim_lines]


def sides(result) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in result.levels]


MBB_TODAY = ("PROCEDURE: Right L4-L5 medial branch block, fluoroscopic guidance, diagnostic.\n"
             "TECHNIQUE: Under fluoroscopy 22 gauge needles to the right L3 and L4 medial branches; bupivacaine "
             "0.5% 0.5 mL injected at each site.\n")


def test_a_line_marked_carried_forward_is_not_todays(analyzer) -> None:
    text = ("Riverside Spine Clinic - procedure note\n"
            "Because over a year has passed we re-establish the diagnosis with MBBs before repeat RFA.\n" + MBB_TODAY
            + "Lesion settings: 80 C for 90 s, 2 lesions [copied forward from the 2024 RFA note - not done today]\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert lines(result) == [("64493", ["RT", "KX"])]
    unmarked = text.replace(" [copied forward from the 2024 RFA note - not done today]", "")
    assert analyzer.analyze(unmarked).procedure.family == "radiofrequency_ablation"  # lesioning written as today's


def test_a_header_after_a_log_stamp_opens_its_section(analyzer) -> None:
    text = ("[07:50 | AB, RN] Arrived, pain 6/10.\n"
            "[08:05 | CD, NP] H&P updated.\n"
            "  Plan: bilateral L4-5 facet injections with steroid. Consent signed.\n"
            "[08:40 | CD, NP] PROCEDURE: Bilateral L4-L5 intra-articular facet joint injections under fluoroscopy. "
            "22 gauge needle into each L4-5 joint, 1 mL bupivacaine with 40 mg triamcinolone injected into each.\n")
    result = analyzer.analyze(text)
    assert sides(result) == [("L4-L5", "bilateral")]
    assert lines(result) == [("64493", ["50"])]


def test_a_device_down_today_is_not_the_guidance(analyzer) -> None:
    text = ("PROCEDURE: Left T5-T6 facet joint injection, CT-guided. Fluoro room down today - done in CT. 25 gauge "
            "needle into the left T5-T6 joint under intermittent CT, 0.5 mL bupivacaine with 40 mg triamcinolone.")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "ct" and result.review.status == "auto"


def test_a_clause_under_a_historical_label_is_not_treated(analyzer) -> None:
    text = ("Findings\n- Today Dr. Roe performed a right medial branch block at the L1 and L2 medial branches under "
            "fluoroscopy, 0.5 mL bupivacaine per site.\n"
            "- Previous block, about 6 weeks ago: right L3 and L4 medial branches, 40% relief.\n")
    assert sides(analyzer.analyze(text)) == [("L2-L3", "right")]


def test_a_title_case_header_alone_on_its_line(analyzer) -> None:
    text = ("Findings\n- Neck pain for a year.\n- Conservative care: physical therapy for 3 months, failed.\n"
            "- Pre-procedure pain 7/10.\n\n"
            "Actions\n- Bilateral C4-C5 facet joint medial branch blocks, therapeutic, under fluoroscopy.\n"
            "- Two targets per side, 4 sites.\n"
            "- Injectate: bupivacaine 0.5% with 4 mg dexamethasone, 0.5 mL per site. Negative aspiration each site.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert lines(result) == [("64490", ["50"])]


def test_the_same_joints_on_the_other_side(analyzer) -> None:
    text = ("Facet joint injections under fluoroscopy. For each joint (L3-4, L4-5 on the left, then the same two on "
            "the right) a 22 gauge needle was placed and 1 mL bupivacaine with 40 mg triamcinolone injected.")
    assert sides(analyzer.analyze(text)) == [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]


def test_a_template_that_marks_its_choice_with_chevrons(analyzer) -> None:
    text = ("Procedure: left L4-L5 facet joint injection under fluoroscopy, needle into the left L4-L5 joint.\n"
            "Injectate:  [ ] Lido 1%   [ ] Bupi 0.25%   >> Bupi 0.75%\n"
            "Steroid:    [ ] none   >> Kenalog 40 mg   [ ] Dexamethasone\n"
            "Volume per joint: >> 1 mL   [ ] 2 mL\n")
    result = analyzer.analyze(text)
    assert result.intent.value == "therapeutic"
    assert [e.text for e in result.intent.evidence] == ["Kenalog"]


def test_one_word_labels_with_values_on_the_next_lines(analyzer) -> None:
    text = ("Procedure\n    left L3-L4 facet joint injection, intra-articular, therapeutic\n"
            "Sedation\n    \"none\"\n"
            "Imaging\n    \"fluoro, oblique view\"\n"
            "Injectate\n    bupivacaine 0.5% with 40 mg triamcinolone, 1 mL into the joint\n")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy"  # the "none" under Sedation stays there
    assert lines(result) == [("64493", ["LT"])]


def test_each_row_of_an_event_table_is_its_own_statement(analyzer) -> None:
    text = ("| Time | Event | Detail |\n|---|---|---|\n"
            "| 0830 | Plan | TENS trial x 6 weeks, bilateral neck pain |\n"
            "| 0840 | Procedure | right C4-C5 and C5-C6 facet joint injections under fluoroscopy |\n"
            "| 0845 | Injectate | 1 mL bupivacaine with 40 mg triamcinolone into each joint |\n")
    assert sides(analyzer.analyze(text)) == [("C4-C5", "right"), ("C5-C6", "right")]


def test_an_outside_procedure_reviewed_is_history(analyzer) -> None:
    text = ("| 1300 | Outside procedure reviewed | City Pain Clinic 11/2024: bilateral L4-5, L5-S1 facet injections under "
            "fluoro, little relief |\n"
            "| 1320 | Procedure | Caudal epidural steroid injection under fluoroscopy, 20 gauge Tuohy needle through the "
            "sacral hiatus, dexamethasone 10 mg injected |\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "epidural_injection" and result.claim_lines == []


def test_a_summary_says_both_sides_but_the_technique_did_one(analyzer) -> None:
    text = ("| 1300 | Title | Bilateral L3 and L4 medial branch blocks, diagnostic, fluoroscopy |\n"
            "| 1316 | R L3 MB | 22 gauge needle to the R L3 medial branch under fluoroscopy |\n"
            "| 1320 | R L4 MB | 22 gauge needle to the R L4 medial branch under fluoroscopy |\n"
            "| 1322 | Injectate | bupivacaine 0.5% 0.5 mL each site |\n")
    result = analyzer.analyze(text)
    assert sides(result) == [("L4-L5", "right")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]
    repeated = text.replace("| 1322 |", "| 1321 | Left | Same on L L3 and L4 medial branches |\n| 1322 |")
    result = analyzer.analyze(repeated)
    assert sides(result) == [("L4-L5", "bilateral")] and result.review.status == "auto"


def test_a_parenthesised_aside_after_a_full_stop_ends_the_sentence(analyzer) -> None:
    text = ("PROCEDURE: Bilateral L4-L5 medial branch blocks.\nNo skin wheals, pt preference. (no local)\n"
            "22 gauge needles to the L3 and L4 medial branches each side. (bilat, 4 sites)\n"
            "Oblique views under fluoroscopy confirmed the tips. (fluoro)\n"
            "Bupivacaine 0.75% 0.5 mL at each site. (diagnostic)\n")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy"  # the "no" of "(no local)" stops at its own line
    assert lines(result) == [("64493", ["50", "KX"])]


def test_hx_in_an_aside_makes_its_procedure_history(analyzer) -> None:
    text = ("Celiac plexus block today for chronic pancreatitis pain.\n"
            "Remote lumbar injections here in 2022 for another pain. (hx L4-5 bilat facet inj)\n"
            "Ultrasound probe on the epigastrium, 22 gauge needle in plane above the celiac trunk, bupivacaine 20 mL "
            "with triamcinolone 40 mg injected.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "other_procedure" and result.claim_lines == []
