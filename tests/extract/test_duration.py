"""Pain duration, end to end through the real pipeline (`view_of`)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from nlp.extract.duration import DurationCues, extract_pain_duration

# (id, note text, expected months (None = kept as text only), expected text)
DURATIONS = [
    # --- "for" / "x" forms ---
    ("for_the_past", "INDICATIONS: Axial low back pain for the past 8 months.", 8, "for the past 8 months"),
    ("x_years", "HPI: 48 y/o F with low back pain x 2 years.", 24, "x 2 years"),
    ("x_no_space", "- Pt: 57F, mid-back pain x10 months, worse w/ twisting\n", 10, "x10 months"),
    ("over_a_year", "Chronic neck pain for over a year.", 12, "for over a year"),
    ("about", "She has had the pain for about 14 months after a collision.", 14, "for about 14 months"),
    ("more_than", "Neck pain and low back pain, each for more than 2 years.", 24, "for more than 2 years"),
    ("weeks", "Right-sided neck pain for 6 weeks.", 6 / 4.345, "for 6 weeks"),
    ("decimal_years", "Low back pain for 1.5 years.", 18, "for 1.5 years"),
    ("and_a_half", "Low back pain for a year and a half.", 18, "for a year and a half"),
    ("plus", "Neck pain for 2+ years.", 24, "for 2+ years"),
    ("since_quantity", "Neck pain since 2 years.", 24, "since 2 years"),
    ("hx_abbreviation", "HPI: 2 yr hx of LBP.", 24, "2 yr hx of LBP"),
    ("after_relief_clause", "Prior block gave 80% relief; low back pain for 3 years.", 36, "for 3 years"),
    ("range_lower_bound", "Low back pain for 6-8 months.", 6, "for 6-8 months"),
    ("words_between", "Left buttock and posterior leg pain into the lateral foot for 5 months.", 5, "for 5 months"),
    ("present_for", "HPI: Low back pain that has been present for 18 months.", 18, "for 18 months"),
    # --- history / duration phrasing ---
    ("year_history", "A 2-year history of low back pain.", 24, "2-year history of low back pain"),
    ("months_duration", "Low back pain of 6 months' duration.", 6, "6 months' duration"),
    ("label_pain_duration", "Pain duration: 7 months\n", 7, "Pain duration: 7 months"),
    ("label_template_line", "Duration: 6 months\nLocation: low back\n", 6, "Duration: 6 months"),
    # --- vague: kept as text, months None ---
    ("several_years", "Low back pain for several years.", None, "for several years"),
    ("bare_years", "He has had neck pain for years.", None, "for years"),
    # --- the first pain duration in the note wins ---
    ("first_wins", "HPI: Neck pain for 3 years. Low back pain for 6 months.", 36, "for 3 years"),
    ("run_on",
     "the patient was taken to the procedure suite, she is a 48 year old woman with low back pain x 3 years "
     "that is worse on the right, she has done PT twice", 36, "x 3 years"),
]

# Durations that are not of pain.
NOT_PAIN_DURATIONS = [
    ("pt_duration", "He had PT for 3 months."),
    ("care_between", "Low back pain, failed PT for 3 months."),
    ("relief_duration", "She reported 80% pain relief for 6 hours."),
    ("pain_diary", "Pain diary for 8 hours."),
    ("relief_of_pain", "He had a 50% reduction in his low back pain for 3 days."),
    ("ago", "Neck pain started 3 months ago."),
    ("for_ago", "Neck pain for 3 months ago resolved."),
    ("pain_free", "She was pain-free for 2 years after her ablation."),
    ("plan", "PLAN: Return in 6 weeks if the pain persists for 2 weeks."),
    ("age", "67-year-old man with back pain."),
    ("technique", "TECHNIQUE: Pressure was held for 2 minutes over the painful area."),
]


@pytest.mark.parametrize(("text", "months", "written"), [c[1:] for c in DURATIONS], ids=[c[0] for c in DURATIONS])
def test_pain_duration(view_of, text, months, written):
    view = view_of(text)
    d = extract_pain_duration(view)
    assert d.text == written
    if months is None:
        assert d.months is None
    else:
        assert d.months == pytest.approx(months, abs=0.05)
    assert d.evidence and all(view.text[e.start : e.end] == e.text for e in d.evidence)


@pytest.mark.parametrize("text", [c[1] for c in NOT_PAIN_DURATIONS], ids=[c[0] for c in NOT_PAIN_DURATIONS])
def test_not_pain_duration(view_of, text):
    d = extract_pain_duration(view_of(text))
    assert (d.months, d.text, d.evidence) == (None, None, [])


def _months_between(start: date, end: date) -> float:
    return (end - start).days / 30.4375


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("DATE: 05/06/2025\n\nHISTORY: Low back pain since 2019.", date(2019, 1, 1), date(2025, 5, 6)),
        ("Date of service: 09/15/2024\nHPI: Neck pain since March 2024.", date(2024, 3, 1), date(2024, 9, 15)),
        ("DOB: 01/02/1950\nDOS: 2024-10-02\nHPI: Back pain since 03/2023.", date(2023, 3, 1), date(2024, 10, 2)),
        ("HPI: 58-year-old with low back pain since a fall in 2021.\nDate of service: 03/14/2024", date(2021, 1, 1), date(2024, 3, 14)),
        ("Visit date 2024-01-10. HPI: Low back pain since a motor vehicle accident in March 2022.", date(2022, 3, 1), date(2024, 1, 10)),
        ("DOS: 2024-01-10. HPI: Neck pain since his MVA on 06/2023, worse with extension.", date(2023, 6, 1), date(2024, 1, 10)),
    ],
    ids=["year", "month_year", "numeric_month_dob_ignored", "event_in_year", "event_in_month_year", "event_on_numeric"],
)
def test_since_uses_the_note_date(view_of, text, start, end):
    d = extract_pain_duration(view_of(text))
    assert d.text.startswith("since ")
    assert d.months == pytest.approx(_months_between(start, end), abs=0.2)


@pytest.mark.parametrize("text", [
    "DOS: 2024-01-10. HPI: Neck pain since the injury. Seen in 2019 for knee pain.",
    "DOS: 2024-01-10. HPI: Back pain since starting a new job, treated in 2019 for other issues.",
    "DOS: 2024-01-10. HPI: Low back pain since the patient moved to the city with her family in 2019.",
], ids=["date_in_next_sentence", "date_after_comma", "event_too_long"])
def test_since_event_needs_its_date_close_by(view_of, text):
    assert extract_pain_duration(view_of(text)).months is None


def test_since_without_a_date_keeps_text(view_of):
    view = view_of("HISTORY: Mr. Dunmore has low back pain since 2019.")
    d = extract_pain_duration(view)
    assert (d.months, d.text) == (None, "since 2019")
    assert [view.text[e.start : e.end] for e in d.evidence] == ["since 2019"]


def test_not_documented(view_of):
    assert extract_pain_duration(view_of("PROCEDURE: Right L4-5 facet injection.")).evidence == []


def test_cue_file_rejects_unknown_keys():
    fields = {name: [] for name in DurationCues.model_fields}
    fields["number_words"] = {}
    DurationCues.model_validate(fields)
    with pytest.raises(ValidationError):
        DurationCues.model_validate({**fields, "surprise": []})
