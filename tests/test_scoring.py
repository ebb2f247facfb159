"""nlp.scoring on a 5-note gold/prediction example whose numbers can be recomputed by hand."""

from __future__ import annotations

import math

import pytest

from nlp.scoring import (bootstrap_ci, gold_flag_ids, months_match, paired_difference, prf, restrict_flags, score,
                         set_items)

MBB, FJI, ESI = "medial_branch_block", "facet_joint_injection", "epidural_injection"


def lv(joint: str, side: str) -> dict:
    return {"joint": joint, "side": side}


def line(cpt: str, *mods: str, units: int = 1) -> dict:
    return {"cpt": cpt, "modifiers": list(mods), "units": units}


GOLD = [
    {"note_id": "n1", "procedure": {"family": MBB}, "imaging": {"modality": "fluoroscopy"},
     "levels": [lv("L4-L5", "bilateral"), lv("L5-S1", "bilateral")], "intent": {"value": "diagnostic"},
     "pain_scores": [{"timing": "pre", "value": 7, "scale": "NRS"}, {"timing": "post", "value": 1, "scale": "NRS"}],
     "conservative_care": {"failed": True}, "pain_duration": {"months": 6},
     "claim_lines": [line("64493", "50", "KX"), line("64494", "50", "KX")], "flags": []},
    {"note_id": "n2", "procedure": {"family": FJI}, "imaging": {"modality": "ct"}, "levels": [lv("C5-C6", "right")],
     "intent": {"value": "therapeutic"}, "pain_scores": [{"timing": "pre", "value": 6, "scale": "NRS"}],
     "conservative_care": {"failed": False}, "pain_duration": {"months": 12},
     "claim_lines": [line("64490", "RT")], "flags": ["PAIN_SCORE_MISSING"]},
    {"note_id": "n3", "procedure": {"family": MBB}, "imaging": {"modality": "fluoroscopy"}, "levels": [lv("L3-L4", "left")],
     "intent": {"value": "diagnostic"}, "pain_duration": {"months": 3},
     "claim_lines": [line("64493", "LT", "KX")], "flags": []},
    {"note_id": "n4", "procedure": {"family": ESI}, "imaging": {"modality": "fluoroscopy"}, "levels": [],
     "claim_lines": [], "flags": [{"id": "NOT_FACET_PROCEDURE"}]},  # flags as objects are accepted too
    {"note_id": "n5", "procedure": {"family": MBB}, "imaging": {"modality": "none"}, "levels": [lv("L4-L5", "bilateral")],
     "intent": {"value": "unknown"}, "flags": ["IMAGING_MISSING", "INTENT_MISSING"]},
]
PRED = {
    "n1": {"note_id": "n1", "procedure": {"family": MBB, "evidence": [{"start": 0, "end": 5, "text": "MBB x"}]},
           "imaging": {"modality": "fluoroscopy"}, "levels": [lv("L5-S1", "bilateral"), lv("L4-L5", "bilateral")],
           "intent": {"value": "diagnostic"},
           "pain_scores": [{"timing": "pre", "value": 7.0, "scale": "NRS"}, {"timing": "post", "value": 2.0, "scale": "NRS"}],
           "conservative_care": {"failed": True}, "pain_duration": {"months": 6.5},
           "claim_lines": [line("64493", "50", "KX"), line("64494", "50", "KX")], "flags": []},
    "n2": {"note_id": "n2", "procedure": {"family": MBB, "evidence": [{"start": 10, "end": 29, "text": "medial branch block"}]},
           "imaging": {"modality": "ct"}, "levels": [lv("C5-C6", "bilateral")], "intent": {"value": "therapeutic"},
           "pain_scores": [{"timing": "pre", "value": 6.0, "scale": "NRS"}], "conservative_care": {"failed": True},
           "pain_duration": {"months": 12.0}, "claim_lines": [line("64490", "50")],
           "flags": [{"id": "PAIN_SCORE_MISSING", "severity": "warning"}]},
    "n3": {"note_id": "n3", "procedure": {"family": MBB}, "imaging": {"modality": "fluoroscopy"},
           "levels": [lv("L3-L4", "left"), lv("L4-L5", "left")], "intent": {"value": "therapeutic"},
           "pain_duration": {"months": 5.0},
           "claim_lines": [line("64493", "KX", "LT"), line("64494", "LT")],  # modifier order is not scored
           "flags": [{"id": "SAME_DAY_PROCEDURE"}]},
    "n4": {"note_id": "n4", "procedure": {"family": ESI}, "imaging": {"modality": "fluoroscopy"}, "levels": [],
           "claim_lines": [], "flags": [{"id": "NOT_FACET_PROCEDURE"}]},
    # n5: no prediction at all -> scored as an empty prediction
}


@pytest.fixture(scope="module")
def report():
    return score(GOLD, PRED, resamples=200, seed=1)


def test_categorical_accuracy_by_hand(report):
    f = report.fields
    # family: n1 ok, n2 FJI->MBB wrong, n3 ok, n4 ok, n5 missing wrong -> 3/5
    assert (f["procedure.family"].correct, f["procedure.family"].n_notes, f["procedure.family"].score) == (3, 5, 0.6)
    # imaging: only n5 (gold none, no prediction) wrong -> 4/5
    assert (f["imaging.modality"].correct, f["imaging.modality"].score) == (4, 0.8)
    # intent scored on n1,n2,n3,n5 (absent in n4): n3 diag->ther and n5 unknown->missing wrong -> 2/4
    assert (f["intent.value"].correct, f["intent.value"].n_notes, f["intent.value"].score) == (2, 4, 0.5)
    # months (tolerance 1): n1 6 vs 6.5 ok, n2 12 ok, n3 3 vs 5 wrong -> 2/3
    assert (f["pain_duration.months"].correct, f["pain_duration.months"].n_notes) == (2, 3)
    assert f["pain_duration.months"].score == pytest.approx(2 / 3)
    # conservative care on n1 (ok), n2 (False -> True wrong) -> 1/2
    assert (f["conservative_care.failed"].correct, f["conservative_care.failed"].n_notes) == (1, 2)
    # no gold record has radiculopathy or sedation -> nothing scored
    assert f["radiculopathy.status"].n_notes == 0 and math.isnan(f["radiculopathy.status"].score)


def test_set_fields_by_hand(report):
    f = report.fields
    # levels (joint+side): n1 tp2; n2 C5-C6 right vs bilateral fp1 fn1; n3 tp1 fp1 (L4-L5); n4 -; n5 fn1
    assert (f["levels"].tp, f["levels"].fp, f["levels"].fn) == (3, 2, 2)
    assert (f["levels"].precision, f["levels"].recall, f["levels"].score) == (0.6, 0.6, 0.6)  # 3/5, 3/5, 6/10
    # joints only: n2 now matches -> tp4 fp1 fn1 -> P = R = F1 = 0.8
    assert (f["levels.joint"].tp, f["levels.joint"].fp, f["levels.joint"].fn) == (4, 1, 1)
    assert f["levels.joint"].score == pytest.approx(0.8)
    # pain scores scored on n1, n2 only: n1 post 1 vs 2 -> tp1 fp1 fn1; n2 tp1 -> tp2 fp1 fn1, F1 = 4/6
    assert (f["pain_scores"].tp, f["pain_scores"].fp, f["pain_scores"].fn) == (2, 1, 1)
    assert f["pain_scores"].score == pytest.approx(2 / 3)
    # claim lines on n1..n4: n1 tp2; n2 64490-RT vs 64490-50 fp1 fn1; n3 tp1 (+64494-LT fp1) -> tp3 fp2 fn1
    cl = f["claim_lines"]
    assert (cl.tp, cl.fp, cl.fn) == (3, 2, 1)
    assert (cl.precision, cl.recall) == (0.6, 0.75) and cl.score == pytest.approx(6 / 9)  # 2*3/(2*3+2+1)
    # exact claim match per note: n1 and n4 exact, n2 and n3 not -> 2/4
    assert (f["claim_lines.exact"].correct, f["claim_lines.exact"].n_notes) == (2, 4)
    # flags: n2 tp1, n3 fp1 (SAME_DAY), n4 tp1, n5 fn2 -> tp2 fp1 fn2; P 2/3, R 2/4, F1 4/7
    fl = f["flags"]
    assert (fl.tp, fl.fp, fl.fn) == (2, 1, 2) and fl.score == pytest.approx(4 / 7)


def test_flags_per_id(report):
    by = report.flags_by_id
    assert set(by) == {"PAIN_SCORE_MISSING", "NOT_FACET_PROCEDURE", "SAME_DAY_PROCEDURE", "IMAGING_MISSING", "INTENT_MISSING"}
    assert by["PAIN_SCORE_MISSING"].score == 1.0 and by["NOT_FACET_PROCEDURE"].tp == 1
    same_day = by["SAME_DAY_PROCEDURE"]
    assert (same_day.tp, same_day.fp, same_day.precision, same_day.recall, same_day.score) == (0, 1, 0.0, None, 0.0)
    im = by["IMAGING_MISSING"]
    assert (im.fn, im.precision, im.recall, im.score) == (1, None, 0.0, 0.0)


def test_confusion_and_missing(report):
    assert report.missing_predictions == ["n5"]
    assert report.confusion["procedure.family"] == {
        ESI: {ESI: 1}, FJI: {MBB: 1}, MBB: {"(none)": 1, MBB: 2}}
    # within-tolerance months count as the gold value in the matrix
    assert report.confusion["pain_duration.months"] == {"12": {"12": 1}, "3": {"5": 1}, "6": {"6": 1}}


def test_error_table(report):
    rows = {(e.note_id, e.field): e for e in report.errors}
    # 2 family + 1 imaging + 2 intent + 1 months + 1 care + 3 levels + 2 joints + 1 pain + 2 lines + 2 exact + 2 flags
    assert len(report.errors) == 19
    fam = rows[("n2", "procedure.family")]
    assert (fam.gold, fam.predicted, fam.evidence) == (FJI, MBB, "medial branch block")
    lev = rows[("n2", "levels")]
    assert (lev.gold, lev.predicted) == ("missed: C5-C6 right", "extra: C5-C6 bilateral")
    assert rows[("n3", "claim_lines.exact")].predicted == "64493-KX-LT x1; 64494-LT x1"


def test_intervals_are_seeded_and_bracket_the_score(report):
    again = score(GOLD, PRED, resamples=200, seed=1)
    for name, s in report.fields.items():
        if s.n_notes:
            assert (again.fields[name].ci_low, again.fields[name].ci_high) == (s.ci_low, s.ci_high)
            assert 0.0 <= s.ci_low <= s.score <= s.ci_high <= 1.0
    assert report.fields["imaging.modality"].ci_high == 1.0  # some resamples miss n5


def test_helpers():
    assert prf(0, 0, 0) == (None, None, 1.0)
    assert months_match(None, None) and not months_match(6, None) and months_match(6, 7) and not months_match(6, 7.5)
    assert set_items({"claim_lines": [line("64493", "KX", "50")]}, "claim_lines") == set_items(
        {"claim_lines": [line("64493", "50", "KX")]}, "claim_lines")
    assert all(math.isnan(x) for x in bootstrap_ci(lambda ix: 0.0, 0))  # no notes -> no interval


def test_paired_difference():
    better = {k: dict(v) for k, v in PRED.items()}
    better["n3"] = {**PRED["n3"], "intent": {"value": "diagnostic"}}
    delta, lo, hi, n = paired_difference(GOLD, PRED, better, "intent.value", resamples=200, seed=1)
    assert (delta, n) == (0.25, 4)  # 2/4 -> 3/4
    assert 0.0 <= lo <= delta <= hi


def test_flags_limited_to_the_annotated_ids():
    ids = gold_flag_ids(GOLD)
    assert ids == ["IMAGING_MISSING", "INTENT_MISSING", "NOT_FACET_PROCEDURE", "PAIN_SCORE_MISSING"]
    rep = score(GOLD, PRED, ["flags"], resamples=0, flag_ids=ids)
    # SAME_DAY_PROCEDURE (n3) is outside the annotated ids and dropped: tp2 fp0 fn2 -> P 1, R 2/4, F1 4/6
    fl = rep.fields["flags"]
    assert (fl.tp, fl.fp, fl.fn, fl.precision, fl.recall) == (2, 0, 2, 1.0, 0.5) and fl.score == pytest.approx(2 / 3)
    assert "SAME_DAY_PROCEDURE" not in rep.flags_by_id and rep.flag_ids == ids
    assert restrict_flags({"note_id": "x"}, ids) == {"note_id": "x"}  # no flags key: still not scored
