"""Notes forwarded by e-mail, formal transcription and shorthand forms (classes seen on blind batch H).

Classes: quote marks of a forwarded message are layout; a reply written above the quoted message is an addendum
only up to that message; cervical medial branches named by their articular pillars; "were targeted" says what was
done; a negation runs on through a slash list; "R+L" is both sides; "Prep:" opens the procedure detail; treatment
options discussed are not today's intent. Sentences are our own.
"""

from __future__ import annotations

from nlp.extract.levels import parse_nerve_mentions
from nlp.normalize import normalize


def lines(result) -> list[tuple[str, list[str]]]:
    return [(c.cpt, c.modifiers) for c in result.claim_lines]


def test_quote_marks_of_a_forwarded_message_are_not_read() -> None:
    text = "Please file.\n> PROCEDURE: Left L4-L5 facet injection\n>> Technique: needle into the joint\n"
    norm = normalize(text)
    assert norm.text == "Please file.\nPROCEDURE: Left L4-L5 facet injection\nTechnique: needle into the joint\n"
    assert [text[i] for i in norm.origin or ()] == list(norm.text)
    assert normalize("relief > 80% for 6 hours").text == "relief > 80% for 6 hours"  # not a quoted line


REPLY = ("Subject: RE: left thoracic facet 3/2\n"
         "> ADDENDUM: I left out the score after: 2/10 at 20 minutes. - Dr K\n"
         ">\n"
         ">> From: Dr K\n"
         ">> Sent: Monday 1:40 PM\n"
         ">> Operation: Left T6-T7, T7-T8 and T8-T9 facet joint injections, fluoroscopy.\n"
         ">> Procedure: Prone, prepped. The needle was advanced into the left T6-T7 and T7-T8 joints under "
         "fluoroscopy and 1 mL of lidocaine with 40 mg triamcinolone was injected into each.\n")


def test_a_reply_above_the_quoted_message_is_an_addendum_only_up_to_it(analyzer) -> None:
    result = analyzer.analyze(REPLY)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("T6-T7", "left"), ("T7-T8", "left")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"], "the title names T8-T9 too"
    assert [s.value for s in result.pain_scores if s.timing == "post"] == [2.0]


def test_cervical_articular_pillars_name_their_medial_branches() -> None:
    text = "25 g needles advanced to the right C4 and C5 articular pillars at the waist."
    assert [n.vertebra for n in parse_nerve_mentions(text)] == ["C4", "C5"]
    listed = "R C4 medial branch - waist of C4 articular pillar; R C5 medial branch - waist of C5 articular pillar"
    assert [n.vertebra for n in parse_nerve_mentions(listed)] == ["C4", "C5"], "a pillar of a named nerve is its target"


def test_pillars_in_the_technique_against_a_longer_title(analyzer) -> None:
    text = ("PROCEDURE: Right C4, C5 and C6 cervical medial branch blocks, fluoroscopy, diagnostic.\n"
            "DETAIL: Time-out. Under fluoroscopy 25 g needles advanced to the right C4 and C5 articular pillars; "
            "0.5 mL bupivacaine at each.\n")
    result = analyzer.analyze(text)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("C4-C5", "right")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]


def test_medial_branches_that_were_targeted_were_done(analyzer) -> None:
    text = ("Proc: Bilateral T10-T11 and T11-T12 facet joint medial branch blocks, fluoroscopy.\n"
            "The patient was made to lie prone; under fluoroscopy the medial branches supplying the T11-T12 facet "
            "joints were targeted bilaterally, 0.5 mL bupivacaine at each target point.\n")
    result = analyzer.analyze(text)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("T11-T12", "bilateral")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]


def test_a_negation_runs_on_through_a_slash_list(analyzer) -> None:
    text = ("Clinic 71F, axial pain 5 yr; no PT/NSAIDs/TFESI/MBB/RFA to date.\n"
            "Proc: IA facet inj R+L L3/4 under fluoroscopy; bupivacaine 0.5 mL each joint; no complications.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "facet_joint_injection", result.procedure.reason
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L3-L4", "bilateral")]
    assert lines(result) == [("64493", ["50", "KX"])]


def test_prep_opens_the_procedure_detail(analyzer) -> None:
    text = ("PROCEDURE: Bilateral L4-L5 facet joint injections.\n"
            "Consent: signed, time-out done.\n"
            "Prep: prone, chlorhexidine, drape. Fluoroscopy, oblique view to open each joint.\n"
            "Needle into each L4-L5 joint, 0.5 mL bupivacaine injected.\n")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy", result.imaging.reason


def test_options_discussed_are_not_todays_intent(analyzer) -> None:
    text = ("s/p MBB #1 last month. Discussed options incl MBB #2 -> RFA vs IA facet injection; pt chose IA.\n"
            "PROCEDURE: Bilateral L4-L5 intra-articular facet injections under fluoroscopy, lidocaine with "
            "dexamethasone 10 mg, 0.5 mL per joint injected.\n")
    assert analyzer.analyze(text).intent.value == "therapeutic"


HL7 = ("MSH|^~\\&|PAINAPP|CLINIC|ARCHIVE|CLINIC|20260301||ORU^R01|X1|P|2.3\n"
       "OBX|1|TX|PROC^Procedure^L||PROCEDURE: Lumbar medial branch blocks, left L3, L4, L5 medial bran|||||||F\n"
       "OBX|2|TX|PROC^Procedure^L||ches, under fluoroscopy.\\.br\\Prepped \\T\\ draped. Needles were advanced to the "
       "left L3, L4 and L5 medial branches; 0.5 mL bupivacaine each.|||||||F\n")


def test_an_hl7_text_export_reads_as_the_note_it_carries(analyzer) -> None:
    norm = normalize(HL7)
    assert "medial branches, under fluoroscopy.\nPrepped & draped." in norm.text
    assert "OBX|" not in norm.text and "|||" not in norm.text
    result = analyzer.analyze(HL7)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L4-L5", "left"), ("L5-S1", "left")]
    assert all(HL7[e.start:e.end] == e.text for lv in result.levels for e in lv.evidence)


def test_levels_found_before_a_sentence_that_says_what_was_done_there_are_the_technique(analyzer) -> None:
    text = ("Operation: BILATERAL L3/4 AND L4/5 FACET JOINT INJECTIONS under image intensifier.\n"
            "Procedure: Prone. With the image intensifier the right L3/4 and L4/5 joints were identified in the "
            "oblique projection. A 22 g spinal needle was passed into each joint and 1 ml of bupivacaine injected.\n")
    result = analyzer.analyze(text)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L3-L4", "right"), ("L4-L5", "right")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]


def test_a_two_line_note_with_a_dose_per_joint_records_a_performed_injection(analyzer) -> None:
    text = ("3/3/26 Mr T, 70, Medicare. LBP 2 yr. Pre 7/10.\n"
            "1st diagnostic zygapophyseal jt inj: Lt L3/4 + Lt L4/5, image intensifier. Bupivacaine 0.5% 0.5ml/jt. "
            "Post 2/10.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "facet_joint_injection", result.procedure.reason
    assert lines(result) == [("64493", ["LT", "KX"]), ("64494", ["LT", "KX"])]


def test_without_a_dose_or_a_verb_the_procedure_stays_unconfirmed(analyzer) -> None:
    text = "3/3/26 Mr T, 70, Medicare. LBP 2 yr.\n1st diagnostic zygapophyseal jt inj: Lt L3/4, image intensifier.\n"
    assert analyzer.analyze(text).procedure.family == "no_procedure"


def test_both_sides_and_one_side_only_written_for_the_same_joints_is_reviewed(analyzer) -> None:
    text = ("BILAT C4/5, C5/6 facet block (therap.) - image intensifier: Rt C4, C5, C6 med br, 0.5ml/site bupivacaine "
            "with triamcinolone 40mg. Uneventful.\n")
    result = analyzer.analyze(text)
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]
    assert "right only" in result.review.reasons[0].detail


def test_per_site_records_are_the_technique_not_a_procedure_line(analyzer) -> None:
    text = ("PROCEDURE: Bilateral third occipital nerve, C3, C4 and C5 medial branch blocks under fluoroscopy.\n"
            "Time-out done. The third occipital nerve was blocked on each side under fluoroscopy; the other sites "
            "as below, 0.5 mL bupivacaine at each.\n\n"
            "Site 1: Nerve: C3 medial branch. Side: Right. Volume: 0.5 mL\n"
            "Site 2: Nerve: C4 medial branch. Side: Right. Volume: 0.5 mL\n"
            "Site 3: Nerve: C3 medial branch. Side: Left. Volume: 0.5 mL\n"
            "Site 4: Nerve: C4 medial branch. Side: Left. Volume: 0.5 mL\n")
    result = analyzer.analyze(text)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("C2-C3", "bilateral"), ("C3-C4", "bilateral")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"], "the procedure line names C4-C5 too"
