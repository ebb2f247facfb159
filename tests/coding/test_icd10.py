"""ICD-10-CM: code normalisation, validity from simple_icd_10_cm, phrase -> code table, coverage and region."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nlp.coding import code_note, rule_tables
from nlp.coding.icd10 import billable_children, is_billable, normalize_code, resolve, suggest_code
from nlp.schema import Diagnosis, Level, NoteResult, region_of_joint

Facts = Callable[..., NoteResult]


def _levels(*joints: str) -> list[Level]:
    return [Level(joint=j, region=region_of_joint(j), side="bilateral") for j in joints]


@pytest.mark.parametrize(
    ("raw", "code"),
    [("M47.816", "M47.816"), ("m47816", "M47.816"), (" M54.50 ", "M54.50"), ("M545", "M54.5"), ("M96.1", "M96.1"), ("M542", "M54.2")],
)
def test_normalize_code(raw: str, code: str) -> None:
    assert normalize_code(raw) == code


@pytest.mark.parametrize(
    ("code", "billable"),
    [("M47.816", True), ("M47.812", True), ("M54.50", True), ("M47.81", False), ("M54.5", False), ("M53.8", False), ("Q99.999", False)],
)
def test_billable_per_simple_icd_10_cm(code: str, billable: bool) -> None:
    assert is_billable(code) is billable


def test_header_children_are_the_replacements() -> None:
    assert billable_children("M54.5") == ["M54.50", "M54.51", "M54.59"]
    assert "M47.816" in billable_children("M47.81")


@pytest.mark.parametrize(
    ("phrase", "joints", "code"),
    [
        ("lumbar spondylosis without myelopathy or radiculopathy", ("L4-L5",), "M47.816"),
        ("Lumbar Spondylosis Without Myelopathy Or Radiculopathy", ("L4-L5",), "M47.816"),
        ("cervical facet arthropathy", ("C5-C6",), "M47.812"),
        ("lumbar facet syndrome", ("L4-L5",), "M47.816"),
        ("lumbosacral spondylosis", ("L5-S1",), "M47.817"),
        ("facet arthropathy", ("L5-S1",), "M47.817"),  # region from the levels: lone L5-S1 -> lumbosacral
        ("facet arthropathy", ("C5-C6", "C6-C7"), "M47.812"),
        ("facet-mediated pain", ("T12-L1",), "M47.815"),
        ("thoracic facet arthropathy", ("T7-T8",), "M47.814"),
        ("low back pain", ("L4-L5",), "M54.50"),
        ("vertebrogenic low back pain", ("L4-L5",), "M54.51"),
        ("neck pain", ("C5-C6",), "M54.2"),
        ("lumbar radiculopathy", ("L4-L5",), "M54.16"),
        ("lumbar spondylosis with radiculopathy", ("L4-L5",), "M47.26"),
        ("L4-L5 facet synovial cyst", ("L4-L5",), "M53.86"),
        ("lumbar spinal stenosis", ("L4-L5",), "M48.061"),
        ("chronic pain syndrome", ("L4-L5",), None),
    ],
)
def test_phrase_suggestions(phrase: str, joints: tuple[str, ...], code: str | None) -> None:
    assert suggest_code(phrase, _levels(*joints), rule_tables())[1] == code


def test_every_suggested_code_is_billable() -> None:
    assert all(is_billable(row.code) for row in rule_tables().concept_codes.values())


@pytest.mark.parametrize(
    ("code", "category"),
    [("M47.816", "covered"), ("M47.812", "covered"), ("M53.86", "covered"), ("M48.16", "covered"), ("M47.818", "other"),
     ("M54.16", "radicular"), ("M51.16", "radicular"), ("M54.50", "pain_only"), ("M54.2", "pain_only"), ("M96.1", "other")],
)
def test_support_category(code: str, category: str) -> None:
    [dx] = resolve([Diagnosis(text=code, icd10=code, source="code_written")], _levels("L4-L5"), rule_tables())
    assert dx.category == category and dx.origin == "written"


def test_written_code_wins_over_its_text() -> None:
    [dx] = resolve([Diagnosis(text="low back pain", icd10="M47.816", source="code_written")], _levels("L4-L5"), rule_tables())
    assert dx.code == "M47.816"


def test_invalid_code_fix_names_the_billable_children(facts: Facts) -> None:
    out = code_note(facts(dx=(), codes=["M54.5"]))
    [flag] = [f for f in out.flags if f.id == "ICD10_INVALID"]
    assert "M54.5" in flag.message and "category header" in flag.message
    assert "M54.50" in flag.fix and "M54.59" in flag.fix
    assert flag.evidence[0].text == "M54.5"


def test_pointers_follow_the_line_region(facts: Facts) -> None:
    out = code_note(facts(levels=[("C5-C6", "right"), ("L4-L5", "right")], dx=(), codes=["M47.816", "M47.812", "M54.50"]))
    by_code = {ln.cpt: ln.icd10 for ln in out.claim_lines}
    assert by_code["64490"] == ["M47.812"]
    assert by_code["64493"] == ["M47.816", "M54.50"]  # covered first


def test_at_most_four_pointers(facts: Facts) -> None:
    codes = ["M47.816", "M47.817", "M53.86", "M48.16", "M47.896", "M54.50"]
    out = code_note(facts(dx=(), codes=codes))
    assert out.claim_lines[0].icd10 == codes[:4]


def test_code_index_matches_the_package_and_is_cached(tmp_path, monkeypatch):
    """The compact index answers like simple_icd_10_cm and is re-read from its cache file."""
    import simple_icd_10_cm as cm

    from nlp.coding import icd10_index

    monkeypatch.setenv("FACETCODER_CACHE", str(tmp_path))
    icd10_index.code_index.cache_clear()
    try:
        first = icd10_index.code_index()
        cached = list(tmp_path.glob("facetcoder/icd10cm-*.tsv"))
        assert len(cached) == 1
        for code in ("M47.816", "M54.5", "M54.50", "M47.81", "S33.5XXA", "T12", "M40-M54"):
            assert first.is_valid(code) == cm.is_valid_item(code)
            if cm.is_valid_item(code):
                assert first.is_billable(code) == cm.is_leaf(code)
        assert first.billable_children("M54.5") == [c for c in cm.get_descendants("M54.5") if cm.is_leaf(c)]
        icd10_index.code_index.cache_clear()
        again = icd10_index.code_index()  # read back from the file
        assert again.leaf == first.leaf
    finally:
        icd10_index.code_index.cache_clear()
