"""Cross-visit rules on small hand-made patient histories: each rule where it must fire and where it must not."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.schema import Level, NoteResult, PercentRelief, Procedure, Intent
from pipelines.longitudinal import LongFlag, Visit, duration_months, merge_flags, parse_day, patient_flags, visit_of

_row = iter(range(10_000))


def visit(day: str, family: str = "medial_branch_block", intent: str = "diagnostic", joints: str = "L4-L5",
          side: str = "bilateral", relief: tuple[tuple[float, str | None], ...] = (), patient: str = "p1",
          payer: str = "medicare", note_id: str | None = None) -> Visit:
    """A Visit built the way the batch builds it: from a NoteResult dump plus row/patient/date."""
    levels = [Level(joint=j, region={"C": "cervical", "T": "thoracic", "L": "lumbar"}[j[0]], side=side) for j in joints.split()]
    result = NoteResult(
        note_id=note_id or f"{patient}-{day}", payer=payer, procedure=Procedure(family=family),
        intent=Intent(value=intent), levels=levels,
        percent_relief=[PercentRelief(percent=p, duration=d) for p, d in relief],
    )
    obj = {"row": next(_row), **result.model_dump(mode="json"), "patient_id": patient, "date_of_service": day}
    v = visit_of(obj)
    assert v is not None
    return v


def ids(flags: list[LongFlag], v: Visit) -> list[str]:
    return sorted(f.id for f in flags if f.row == v.row)


# ------------------------------------------------------------------ SESSION_LIMIT


def test_session_limit_fires_on_fifth_diagnostic_session_in_12_months() -> None:
    days = ["2024-01-10", "2024-03-01", "2024-05-01", "2024-07-01", "2024-09-01"]
    visits = [visit(d, relief=((90, "6 hours"),)) for d in days]
    flags = patient_flags(visits)
    fifth = [f for f in flags if f.row == visits[4].row and f.id == "SESSION_LIMIT"]
    assert len(fifth) == 1
    assert fifth[0].rule_ids == ["R-MCR-FREQ-1", "R-MCR-FREQ-2"]
    assert fifth[0].severity == "error"
    assert [v["note_id"] for v in fifth[0].visits] == [v.note_id for v in visits[:4]]
    assert "5th diagnostic session in the lumbar region" in fifth[0].message and "allows 4" in fifth[0].message
    assert all("SESSION_LIMIT" not in ids(flags, v) for v in visits[:4])


@pytest.mark.parametrize("days, why", [
    (["2024-01-10", "2024-03-01", "2024-05-01", "2024-07-01", "2025-01-11"], "first session has left the rolling window"),
    (["2024-01-10", "2024-01-10", "2024-03-01", "2024-05-01", "2024-07-01"], "two notes on one day are one session"),
])
def test_session_limit_silent(days: list[str], why: str) -> None:
    visits = [visit(d, relief=((90, "6 hours"),), note_id=f"n{i}") for i, d in enumerate(days)]
    assert not any(f.id == "SESSION_LIMIT" for f in patient_flags(visits)), why


def test_session_limit_counts_categories_and_regions_separately() -> None:
    dx = [visit(d, relief=((90, "6 hours"),)) for d in ("2024-01-10", "2024-03-01", "2024-05-01", "2024-07-01")]
    tx = [visit("2024-08-01", family="facet_joint_injection", intent="therapeutic")]
    cervical = [visit("2024-09-01", joints="C4-C5", relief=((90, "6 hours"),))]
    assert not any(f.id == "SESSION_LIMIT" for f in patient_flags(dx + tx + cervical))


def test_rfa_limit_is_two_per_region() -> None:
    rfas = [visit(d, family="radiofrequency_ablation", intent="unknown") for d in ("2024-01-10", "2024-06-01", "2024-11-01")]
    flags = patient_flags(rfas)
    assert ids(flags, rfas[2]) == ["SESSION_LIMIT"]
    assert "R-MCR-FREQ-3" in flags[0].rule_ids


def test_commercial_has_no_therapeutic_session_cap() -> None:
    visits = [visit(f"2024-0{m}-01", family="facet_joint_injection", intent="therapeutic", payer="commercial",
                    relief=((70, "4 months"),)) for m in range(1, 7)]
    assert not any(f.id == "SESSION_LIMIT" for f in patient_flags(visits))


# ------------------------------------------------------------------ second diagnostic block


def test_second_dx_without_positive_first_fires() -> None:
    first = visit("2024-01-10", relief=((50, "2 hours"),))
    second = visit("2024-02-01")
    flags = patient_flags([first, second])
    flag = next(f for f in flags if f.id == "SECOND_DX_WITHOUT_POSITIVE_FIRST")
    assert flag.row == second.row and flag.rule_ids == ["R-MCR-DX-2"]
    assert first.note_id in flag.message and "2024-01-10" in flag.message and "50%" in flag.message
    assert flag.visits == [first.ref()]
    assert ids(flags, first) == []


@pytest.mark.parametrize("first_relief, second_relief", [
    (((85, "6 hours"),), ()),   # documented on the first note
    ((), ((90, "5 hours"),)),   # documented at the follow-up (the second note's history)
])
def test_second_dx_with_positive_first_is_silent(first_relief, second_relief) -> None:
    flags = patient_flags([visit("2024-01-10", relief=first_relief), visit("2024-02-01", relief=second_relief)])
    assert not any(f.id == "SECOND_DX_WITHOUT_POSITIVE_FIRST" for f in flags)


def test_first_dx_block_alone_is_silent() -> None:
    assert patient_flags([visit("2024-01-10")]) == []


def test_dx_in_other_region_is_not_a_second_block() -> None:
    flags = patient_flags([visit("2024-01-10"), visit("2024-01-15", joints="C5-C6")])
    assert flags == []


# ------------------------------------------------------------------ DX_INTERVAL_SHORT


def test_dx_interval_short_fires_under_two_weeks() -> None:
    first, second = visit("2024-01-10", relief=((90, "6 hours"),)), visit("2024-01-20")
    flags = patient_flags([first, second])
    assert ids(flags, second) == ["DX_INTERVAL_SHORT"]
    assert "10 day(s)" in flags[0].message and flags[0].rule_ids == ["R-MCR-DX-3"]


def test_dx_interval_of_two_weeks_is_silent() -> None:
    assert patient_flags([visit("2024-01-10", relief=((90, "6 hours"),)), visit("2024-01-24")]) == []


# ------------------------------------------------------------------ THERAPEUTIC_REPEAT_NO_RELIEF


def tx(day: str, relief=(), joints: str = "L4-L5") -> Visit:
    return visit(day, family="facet_joint_injection", intent="therapeutic", relief=relief, joints=joints)


@pytest.mark.parametrize("relief", [(), ((40, "4 months"),), ((70, "6 weeks"),), ((70, None),)])
def test_therapeutic_repeat_without_lasting_relief_fires(relief) -> None:
    first, repeat = tx("2024-01-10"), tx("2024-06-01", relief=relief)
    flags = patient_flags([first, repeat])
    assert ids(flags, repeat) == ["THERAPEUTIC_REPEAT_NO_RELIEF"]
    assert flags[0].rule_ids == ["R-MCR-TX-1"] and first.note_id in flags[0].message


@pytest.mark.parametrize("relief", [((60, "4 months"),), ((50, "3 months"),), ((75, "14 weeks"),)])
def test_therapeutic_repeat_with_lasting_relief_is_silent(relief) -> None:
    assert patient_flags([tx("2024-01-10"), tx("2024-06-01", relief=relief)]) == []


def test_therapeutic_at_another_site_is_not_a_repeat() -> None:
    assert patient_flags([tx("2024-01-10"), tx("2024-06-01", joints="L2-L3")]) == []


# ------------------------------------------------------------------ BLOCK_AFTER_RFA


def test_block_after_rfa_at_the_same_level_fires() -> None:
    rfa = visit("2023-06-01", family="radiofrequency_ablation", intent="unknown", joints="L4-L5 L5-S1")
    block = visit("2024-02-01", joints="L5-S1")
    flags = patient_flags([rfa, block])
    assert ids(flags, block) == ["BLOCK_AFTER_RFA"]
    assert "L5-S1" in flags[0].message and flags[0].visits == [rfa.ref()] and flags[0].rule_ids == ["R-MCR-DX-5"]


@pytest.mark.parametrize("rfa_day, joints, side", [
    ("2023-06-01", "L3-L4", "bilateral"),   # another level
    ("2021-06-01", "L5-S1", "bilateral"),   # RFA more than 2 years before: repeat blocks expected
    ("2023-06-01", "L5-S1", "left"),        # the other side
])
def test_block_after_rfa_silent(rfa_day: str, joints: str, side: str) -> None:
    rfa = visit(rfa_day, family="radiofrequency_ablation", intent="unknown", joints=joints, side=side)
    block = visit("2024-02-01", joints="L5-S1", side="right")
    assert patient_flags([rfa, block]) == []


# ------------------------------------------------------------------ DUPLICATE_SAME_DAY


def test_duplicate_same_day_flags_both_notes() -> None:
    a = visit("2024-03-03", note_id="a", relief=((90, "6 hours"),))
    b = visit("2024-03-03", note_id="b")
    flags = patient_flags([a, b])
    assert ids(flags, a) == ["DUPLICATE_SAME_DAY"] and ids(flags, b) == ["DUPLICATE_SAME_DAY"]
    assert "b (2024-03-03)" in next(f.message for f in flags if f.row == a.row)


@pytest.mark.parametrize("other", [
    dict(day="2024-03-04"), dict(day="2024-03-03", family="radiofrequency_ablation", intent="unknown"),
    dict(day="2024-03-03", joints="C5-C6"), dict(day="2024-03-03", patient="p2"),
])
def test_duplicate_same_day_silent(other: dict) -> None:
    a = visit("2024-03-03", note_id="a", relief=((90, "6 hours"),))
    b = visit(note_id="b", **other)
    assert not any(f.id == "DUPLICATE_SAME_DAY" for f in patient_flags([a, b] if b.patient_id == "p1" else [a]))


# ------------------------------------------------------------------ plumbing


def test_visit_of_skips_rows_that_cannot_take_part() -> None:
    base = {"row": 1, **NoteResult(note_id="x", procedure=Procedure(family="medial_branch_block")).model_dump(mode="json")}
    assert visit_of({**base, "patient_id": "p", "date_of_service": "03/04/2024"}).day == date(2024, 3, 4)
    assert visit_of({**base, "patient_id": None, "date_of_service": "2024-03-04"}) is None
    assert visit_of({**base, "patient_id": "p", "date_of_service": "soon"}) is None
    assert visit_of({**base, "patient_id": "p", "date_of_service": "2024-03-04", "error": "empty"}) is None


def test_parsers() -> None:
    assert parse_day("2024-03-04T10:00:00") == date(2024, 3, 4)
    assert parse_day("20240304") == date(2024, 3, 4)
    assert duration_months("6 hours") < 0.01 and duration_months("3 months") == 3 and duration_months(None) is None
    assert round(duration_months("12 weeks"), 1) == 2.8


def test_merge_flags_adds_evidence_and_related_visits() -> None:
    first, second = visit("2024-01-10"), visit("2024-01-15")
    flags = patient_flags([first, second])
    obj = {"row": second.row, **NoteResult(note_id="n").model_dump(mode="json"), "related_visits": []}
    merged = merge_flags(obj, [f for f in flags if f.row == second.row])
    assert [f["id"] for f in merged["flags"]] == ["SECOND_DX_WITHOUT_POSITIVE_FIRST", "DX_INTERVAL_SHORT"]
    assert merged["related_visits"][0]["visits"][0]["note_id"] == first.note_id
    NoteResult.model_validate({k: v for k, v in merged.items() if k not in ("row", "related_visits")})
