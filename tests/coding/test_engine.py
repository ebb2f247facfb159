"""code_note as a whole: explanations on every output, purity, non-facet and error rows, checklist, speed."""

from __future__ import annotations

from collections.abc import Callable

from nlp.coding import code_note, rule_tables
from nlp.schema import NoteResult

Facts = Callable[..., NoteResult]


def test_evidence_spans_match_the_note_text(facts: Facts) -> None:
    note = facts(levels=[("L4-L5", "right")], cpt_written=["77003"], codes=["M47.81"])
    out = code_note(note)
    [line] = out.claim_lines
    texts = [ev.text for ev in line.evidence]
    assert "L4-L5" in texts and "right" in texts and "under fluoroscopy guidance" in texts
    flags = {f.id: f for f in out.flags}
    assert [ev.text for ev in flags["IMAGING_UNBUNDLED"].evidence] == ["77003"]
    assert [ev.text for ev in flags["ICD10_INVALID"].evidence] == ["M47.81"]


def test_kx_line_cites_r_mod_kx_and_bilateral_cites_r_bilat_1(facts: Facts) -> None:
    [line] = code_note(facts()).claim_lines
    assert "R-MOD-KX" in line.rule_ids and "R-BILAT-1" in line.rule_ids and "R-DESC-4" in line.rule_ids


def test_junction_and_ultrasound_lines_cite_their_rules(facts: Facts) -> None:
    lines = code_note(facts(levels=[("T12-L1", "bilateral"), ("L1-L2", "bilateral")])).claim_lines
    assert all("R-REGION-2" in ln.rule_ids for ln in lines)
    [us] = code_note(facts(modality="ultrasound")).claim_lines
    assert "R-IMG-3" in us.rule_ids


def test_input_is_not_mutated_and_coding_is_repeatable(facts: Facts) -> None:
    note = facts(levels=[("L4-L5", "right"), ("L5-S1", "bilateral")], intent="unknown")
    before = note.model_dump()
    first = code_note(note)
    assert note.model_dump() == before
    assert code_note(first) == first  # coding a coded note recomputes the same output
    assert code_note(note, "commercial").payer == "commercial"


def test_error_rows_get_no_coding_output(facts: Facts) -> None:
    out = code_note(facts(error="EMPTY_NOTE"))
    assert out.claim_lines == [] and out.flags == [] and out.checklist == []


def test_non_facet_note_flag_names_the_family_and_its_codes(facts: Facts) -> None:
    out = code_note(facts(family="radiofrequency_ablation"))
    [flag] = out.flags
    assert flag.id == "NOT_FACET_PROCEDURE" and flag.severity == "info"
    assert "radiofrequency" in flag.message and "64633" in flag.message and "64635" in flag.message
    assert out.claim_lines == [] and out.checklist == []
    sij = code_note(facts(family="sacroiliac_joint")).flags[0]
    assert "27096" in sij.message and "64451" in sij.message
    esi = code_note(facts(family="epidural_injection")).flags[0]
    assert "62321" in esi.message


def test_imaging_missing_names_the_alternative_codes(facts: Facts) -> None:
    out = code_note(facts(modality="none"))
    [flag] = [f for f in out.flags if f.id == "IMAGING_MISSING"]
    assert "20552/20553" in flag.fix and flag.severity == "error"
    assert out.claim_lines == []


def test_flags_are_sorted_errors_first(facts: Facts) -> None:
    out = code_note(facts(modality="none", levels=[("L4-L5", "unspecified")], pre=None, relief=[10], months=None))
    ranks = [{"error": 0, "warning": 1, "info": 2}[f.severity] for f in out.flags]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2


def test_messages_fill_their_placeholders(facts: Facts) -> None:
    out = code_note(facts(levels=[("L3-L4", "left"), ("L4-L5", "left"), ("L5-S1", "left")], months=2, relief=[40]))
    msgs = {f.id: f.message for f in out.flags}
    assert msgs["LEVELS_OVER_LIMIT"].startswith("3 levels in the lumbar/sacral region") and "Medicare allows 2" in msgs["LEVELS_OVER_LIMIT"]
    assert "64495" in msgs["NON_COVERED_LEVEL"]
    assert "2 months" in msgs["PAIN_DURATION_MISSING"] and "at least 3 months" in msgs["PAIN_DURATION_MISSING"]
    assert "40%" in msgs["RELIEF_BELOW_THRESHOLD"] and "80%" in msgs["RELIEF_BELOW_THRESHOLD"]


def test_checklist_complete_note(facts: Facts) -> None:
    items = {c.id: c for c in code_note(facts()).checklist}
    assert [c.id for c in rule_tables().checklist] == list(items)
    assert all(c.present for c in items.values())
    assert items["levels"].evidence[0].text == "L4-L5"
    assert items["imaging"].evidence[0].text == "under fluoroscopy guidance"


def test_checklist_gaps_are_missing(facts: Facts) -> None:
    note = facts(levels=[("L4-L5", "unspecified")], modality="ultrasound", intent="unknown", pre=None, post=(2, "NRS"),
                 months=1, care_failed=False, radic="not_documented", dx=("low back pain",), agents=(), relief=(),
                 sedation=[])
    items = {c.id: c.present for c in code_note(note).checklist}
    missing = {k for k, v in items.items() if not v}
    assert missing == {"laterality", "intent", "imaging", "agents", "sedation", "pre_pain_score", "pain_duration",
                       "conservative_care", "no_radiculopathy", "diagnosis", "relief"}
    assert items["levels"] and items["procedure_type"] and items["post_pain_score"]


def test_checklist_post_score_on_another_scale_is_missing(facts: Facts) -> None:
    items = {c.id: c.present for c in code_note(facts(post=(20, "VAS"))).checklist}
    assert items["pre_pain_score"] and not items["post_pain_score"]


def test_profile_may_be_a_path(facts: Facts) -> None:
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "user_full_profile.yaml"
    assert code_note(facts(), path).payer == "regional_plan"
    assert code_note(facts(), str(path)).payer == "regional_plan"


def test_no_file_access_per_note(facts: Facts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """After the first call, coding reads no table or profile file (the batch runs per note)."""
    from pathlib import Path

    from nlp import resources

    profile_path = str(Path(__file__).parent / "fixtures" / "user_profile.yaml")
    note = facts(codes=["M47.81"])
    warm = [code_note(note, p) for p in ("medicare", "commercial", profile_path)]

    def _no_io(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("file access while coding a note")

    for name in ("read_csv", "read_yaml", "read_text", "resource_path", "checksum"):
        monkeypatch.setattr(resources, name, _no_io)
    monkeypatch.setattr(Path, "is_file", _no_io)
    assert [code_note(note, p) for p in ("medicare", "commercial", profile_path)] == warm
