"""Pain scores and percent relief, end to end through the real pipeline (`view_of`)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nlp.extract.pain import PainCues, extract_pain_scores

# (id, note text, expected [(value, scale, max_value, timing, evidence text), ...] in note order)
SCORES = [
    # --- slash and "out of" forms, timing from the section ---
    ("slash_unsectioned", "Pain 7/10.", [(7, "NRS", 10, "unspecified", "7/10")]),
    ("history_section_pre", "HISTORY: Low back pain for a year. Pain 7/10 today.", [(7, "NRS", 10, "pre", "7/10")]),
    ("indication_out_of", "INDICATIONS: Neck pain. Leg pain 7 out of 10.", [(7, "NRS", 10, "pre", "7 out of 10")]),
    ("post_section", "POST-PROCEDURE: Pain 2/10. Discharged home.", [(2, "NRS", 10, "post", "2/10")]),
    ("zero_is_valid", "POST-PROCEDURE: 0/10 pain with extension.", [(0, "NRS", 10, "post", "0/10")]),
    ("decimal", "Pain 7.5/10 before the procedure.", [(7.5, "NRS", 10, "pre", "7.5/10")]),
    # --- timing cues written next to the score ---
    ("header_post_not_a_section", "POST: Pain 4/10.", [(4, "NRS", 10, "post", "4/10")]),
    ("cue_after_pre", "Pain 7/10 before the procedure.", [(7, "NRS", 10, "pre", "7/10")]),
    ("on_arrival", "Pain rated 6/10 on arrival.", [(6, "NRS", 10, "pre", "6/10")]),
    ("at_baseline", "Pain score 7/10 at baseline.", [(7, "NRS", 10, "pre", "Pain score 7/10")]),
    ("in_recovery", "Pain 3/10 in recovery.", [(3, "NRS", 10, "post", "3/10")]),
    ("at_discharge", "Leg pain 3/10 at discharge.", [(3, "NRS", 10, "post", "3/10")]),
    ("improved_to", "Her pain improved to 2/10.", [(2, "NRS", 10, "post", "2/10")]),
    ("minutes_after", "Pain 1/10 with extension 30 minutes after the block.", [(1, "NRS", 10, "post", "1/10")]),
    ("bullet_pre_post", "- Pain pre: 7/10\n- Pain post: 2/10 at 30 min\n",
     [(7, "NRS", 10, "pre", "7/10"), (2, "NRS", 10, "post", "2/10")]),
    ("pre_and_post_in_one_clause", "Pain was 8/10 pre-procedure and 2/10 post-procedure.",
     [(8, "NRS", 10, "pre", "8/10"), (2, "NRS", 10, "post", "2/10")]),
    ("two_scores_one_header", "Post-procedure: Neck 2/10, back 3/10.",
     [(2, "NRS", 10, "post", "2/10"), (3, "NRS", 10, "post", "3/10")]),
    ("template_scale_note", "Pre-procedure pain (0-10): 6\nPost-procedure pain (0-10): 1\n",
     [(6, "NRS", 10, "pre", "pain (0-10): 6"), (1, "NRS", 10, "post", "pain (0-10): 1")]),
    # --- transitions ---
    ("from_to_slash", "Pain decreased from 8/10 to 2/10.", [(8, "NRS", 10, "pre", "8/10"), (2, "NRS", 10, "post", "2/10")]),
    ("from_to_shared_scale", "Pain went from 8 to 2/10.", [(8, "NRS", 10, "pre", "8"), (2, "NRS", 10, "post", "2/10")]),
    ("arrow", "Pain 8/10 -> 2/10.", [(8, "NRS", 10, "pre", "8/10"), (2, "NRS", 10, "post", "2/10")]),
    # --- keyword forms ---
    ("pain_score_of", "Pain score of 7 before the injection.", [(7, "NRS", 10, "pre", "Pain score of 7")]),
    ("pain_is_a", "Her pain is a 7.", [(7, "NRS", 10, "unspecified", "pain is a 7")]),
    ("pain_colon", "Pain: 5", [(5, "NRS", 10, "unspecified", "Pain: 5")]),
    ("pain_level_on_arrival", "Pain level of 5 on arrival.", [(5, "NRS", 10, "pre", "Pain level of 5")]),
    ("nrs", "NRS 7.", [(7, "NRS", 10, "unspecified", "NRS 7")]),
    ("nrs_slash", "NRS: 6/10 at presentation.", [(6, "NRS", 10, "pre", "NRS: 6/10")]),
    ("numeric_rating_scale", "Numeric rating scale score of 4.", [(4, "NRS", 10, "unspecified", "Numeric rating scale score of 4")]),
    ("vas_mm", "VAS 70 mm before the block.", [(70, "VAS", 100, "pre", "VAS 70 mm")]),
    ("vas_mm_post", "POST-PROCEDURE: VAS 20 mm at 15 minutes.", [(20, "VAS", 100, "post", "VAS 20 mm")]),
    ("vas_ten_point", "VAS 7.", [(7, "VAS", 10, "unspecified", "VAS 7")]),
    ("vas_slash", "VAS 7/10 pre-procedure.", [(7, "VAS", 10, "pre", "VAS 7/10")]),
    ("verbal", "Verbal pain score 6 on arrival.", [(6, "verbal", 10, "pre", "Verbal pain score 6")]),
    ("rates_with_anchor", "She rates her pain as 10, with 0 being no pain and 10 the worst pain imaginable.",
     [(10, "NRS", 10, "unspecified", "rates her pain as 10")]),
    # --- realistic snippets ---
    ("run_on_paragraph",
     "the patient was placed prone, she has low back pain x 3 years and rates it 8/10 before the injection "
     "and 3/10 after the injection, she tolerated it well",
     [(8, "NRS", 10, "pre", "8/10"), (3, "NRS", 10, "post", "3/10")]),
    ("template_placeholder", "PRE-PROCEDURE PAIN: 8/10\nPOST-PROCEDURE PAIN: ***/10\n", [(8, "NRS", 10, "pre", "8/10")]),
    ("intensity_of", "She reports pain intensity of 8/10 on arrival.", [(8, "NRS", 10, "pre", "pain intensity of 8/10")]),
    ("consult_lone_score_stays_unspecified", "NEW PATIENT CONSULTATION\nShe rates it a 6.", [(6, "NRS", 10, "unspecified", "rates it a 6")]),
    ("baseline_before_first_post",
     "- Hx: low back pain x 2 yrs\n- He rates his pain as 5, with 0 being no pain\n- Post: After the procedure he rates it a 2\n",
     [(5, "NRS", 10, "pre", "rates his pain as 5"), (2, "NRS", 10, "post", "rates it a 2")]),
    ("date_and_score_together", "HISTORY: Injury on 03/29/10. Strength 5/5. Pain 6/10.", [(6, "NRS", 10, "pre", "6/10")]),
]

# Text with numbers that are not pain scores.
NOT_SCORES = [
    # dates
    ("date_two_digit_year", "Lifting injury on 03/29/10 with neck pain."),
    ("date_full", "Last injection 3/10/2024."),
    ("date_month_day", "She was last seen on 3/10 for follow-up."),
    ("date_dos", "DOS: 5/10"),
    # other fractions
    ("strength", "Strength 5/5 in all myotomes."),
    ("two_thirds", "About 2/3 of the volume was injected."),
    ("blood_pressure", "BP 120/80, HR 72."),
    ("dose", "Norco 10/325 mg twice daily."),
    ("reflexes", "Reflexes 2/4 and symmetric."),
    # ranges are skipped (R-DOC-2: a range is not a baseline)
    ("range_slash", "Pain ranges 4-6/10."),
    ("range_en_dash", "Pain 2–8/10 depending on activity."),
    ("range_keyword", "Pain score 4-6 most days."),
    ("range_to", "Pain 4 to 6/10."),
    # durations and counts after pain words
    ("pain_of_months", "Low back pain of 6 months duration."),
    ("pain_at_levels", "Pain at 2 levels."),
    ("pain_percent", "Pain is 50% better."),
    # goals / thresholds
    ("conditional", "If pain returns to 7/10 or more, she will call the clinic."),
]

# (id, text, [(percent, duration, evidence text)])
RELIEF = [
    ("percent_relief", "She reports 80% relief.", [(80, None, "80% relief")]),
    ("percent_word", "80 percent improvement after the block.", [(80, None, "80 percent improvement")]),
    ("relief_of", "Relief of 80% was reported.", [(80, None, "Relief of 80%")]),
    ("with_duration", "She reports 100% pain relief for 6 hours.", [(100, "6 hours", "100% pain relief for 6 hours")]),
    ("two_blocks", "Blocks on 03/29/24 and 04/19/24 gave 90% relief for 6 hours and 85% relief for 7 hours respectively.",
     [(90, "6 hours", "90% relief for 6 hours"), (85, "7 hours", "85% relief for 7 hours")]),
    ("anesthetic_duration", "Each block gave 80% relief for the duration of the anesthetic.",
     [(80, "the duration of the anesthetic", "80% relief for the duration of the anesthetic")]),
    ("improved_by", "Her pain improved by 50% over the first day.", [(50, None, "improved by 50%")]),
    ("relief_of_pain_with_duration", "He had a 50% reduction in his low back pain for 3 days.",
     [(50, "3 days", "50% reduction in his low back pain for 3 days")]),
    ("more_than_history", "HISTORY: Two prior blocks, each with more than 80% relief.", [(80, None, "80% relief")]),
]

NOT_RELIEF = [
    ("threshold_if", "PLAN: If relief is 80% or greater, a confirmatory block will be scheduled."),
    ("threshold_symbol", "- Plan: f/u 2 wks; if >=80% relief -> confirmatory block"),
    ("threshold_or_better", "We will see her back and if she had 80 percent or better relief we will do the confirmatory block."),
    ("drug_concentration", "1 mL of 0.5% bupivacaine and 1% lidocaine were injected."),
    ("oxygen", "SpO2 98% on room air."),
    ("range_skipped", "She reports 50-60% relief."),
]


def _check_evidence(view, evidence) -> None:
    for e in evidence:
        assert view.text[e.start : e.end] == e.text


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SCORES], ids=[c[0] for c in SCORES])
def test_pain_scores(view_of, text, expected):
    view = view_of(text)
    scores, _ = extract_pain_scores(view)
    got = [(s.value, s.scale, s.max_value, s.timing, s.evidence[0].text) for s in scores]
    assert got == [(float(v), sc, float(mx), t, ev) for v, sc, mx, t, ev in expected]
    for s in scores:
        _check_evidence(view, s.evidence)


@pytest.mark.parametrize("text", [c[1] for c in NOT_SCORES], ids=[c[0] for c in NOT_SCORES])
def test_not_pain_scores(view_of, text):
    scores, _ = extract_pain_scores(view_of(text))
    assert scores == []


def test_shared_scale_is_evidence_of_the_first_score(view_of):
    view = view_of("Pain went from 8 to 2/10.")
    scores, _ = extract_pain_scores(view)
    assert [e.text for e in scores[0].evidence] == ["8", "/10"]
    _check_evidence(view, scores[0].evidence)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in RELIEF], ids=[c[0] for c in RELIEF])
def test_percent_relief(view_of, text, expected):
    view = view_of(text)
    _, relief = extract_pain_scores(view)
    assert [(r.percent, r.duration, r.evidence[0].text) for r in relief] == [(float(p), d, ev) for p, d, ev in expected]
    for r in relief:
        _check_evidence(view, r.evidence)


@pytest.mark.parametrize("text", [c[1] for c in NOT_RELIEF], ids=[c[0] for c in NOT_RELIEF])
def test_not_percent_relief(view_of, text):
    _, relief = extract_pain_scores(view_of(text))
    assert relief == []


def test_full_note(view_of):
    note = (
        "PROCEDURE: Right L4-5 and L5-S1 medial branch block.\n\n"
        "INDICATIONS: 58-year-old with low back pain for 9 months. Prior block gave 85% relief for 5 hours. "
        "Pain 7/10.\n\n"
        "TECHNIQUE: 22-gauge needles under fluoroscopy; 0.5 mL 0.5% bupivacaine at each level.\n\n"
        "POST-PROCEDURE: Pain 1/10 at 30 minutes.\n\n"
        "PLAN: Pain diary. If relief is 80% or more, repeat the block.\n"
    )
    scores, relief = extract_pain_scores(view_of(note))
    assert [(s.value, s.timing) for s in scores] == [(7.0, "pre"), (1.0, "post")]
    assert [(r.percent, r.duration) for r in relief] == [(85.0, "5 hours")]


def test_cue_file_rejects_unknown_keys():
    fields = {name: [] for name in PainCues.model_fields}
    PainCues.model_validate(fields)  # a complete section is fine
    with pytest.raises(ValidationError):
        PainCues.model_validate({**fields, "surprise": []})


def test_cue_file_rejects_bad_regex():
    fields = {name: [] for name in PainCues.model_fields}
    fields["pre"] = ["(unclosed"]
    with pytest.raises(ValidationError):
        PainCues.model_validate(fields)
