"""Rule tables and payer profiles: packaged ones load; broken ones fail with a message naming the problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nlp import resources
from nlp.coding import available_profiles, code_note, load_profile, rule_tables
from nlp.coding.defaults import CODING_DIR, TABLE_FILES, build_tables
from nlp.errors import RuleTableError
from nlp.schema import NoteResult

Facts = Callable[..., NoteResult]

FIXTURES = Path(__file__).parent / "fixtures"


def _packaged_raw() -> dict[str, list[dict[str, str]]]:
    return {file: resources.read_csv(f"{CODING_DIR}/{file}") for file in TABLE_FILES}


def test_packaged_tables_load_and_are_cached() -> None:
    tables = rule_tables()
    assert tables is rule_tables()
    assert set(tables.checksums) == set(TABLE_FILES)
    assert len(tables.flags) >= 20


def test_every_packaged_row_cites_known_rule_ids_and_has_provenance() -> None:
    tables = rule_tables()
    rows = [*tables.cpt.values(), *tables.bundled.values(), *tables.line_rules.values(), *tables.families.values(),
            *tables.flags.values(), *tables.checklist, *(p.row for p in tables.phrases), *tables.concept_codes.values(),
            *(t.row for t in tables.region_terms), *tables.support.values()]
    for row in rows:
        assert row.rule_ids and set(row.rule_ids) <= tables.known_rule_ids
        assert row.description and row.source and row.effective_from


def test_available_profiles() -> None:
    assert available_profiles() == ["commercial", "medicare"]


@pytest.mark.parametrize(
    ("fixture", "target", "expected"),
    [
        ("cpt_codes_unknown_column.csv", "cpt_codes.csv", ["cpt_codes_unknown_column.csv", "unknown column 'modifier'"]),
        ("cpt_codes_bad_rank.csv", "cpt_codes.csv", ["code='64495'", "'rank'", "less than or equal to 3", "'4'"]),
        ("cpt_codes_missing_slot.csv", "cpt_codes.csv", ["slots mismatch", "lumbar_sacral', 3"]),
        ("cpt_codes_empty.csv", "cpt_codes.csv", ["expected at least one data row"]),
        ("flags_unknown_rule_id.csv", "flags.csv", ["id='SEDATION'", "unknown rule id(s) ['R-FOO-9']"]),
        ("flags_bad_severity.csv", "flags.csv", ["id='SEDATION'", "'severity'", "'critical'"]),
        ("flags_unknown_placeholder.csv", "flags.csv", ["id='SEDATION'", "unknown placeholder(s) ['patient_name']"]),
        ("flags_missing_row.csv", "flags.csv", ["flag ids mismatch", "missing [", "'SEDATION'"]),
        ("icd10_concept_codes_header_code.csv", "icd10_concept_codes.csv", ["concept='facet_spondylosis'", "'M47.81'", "category header"]),
        ("icd10_phrases_bad_regex.csv", "icd10_phrases.csv", ["concept='stenosis'", "valid regular expression", "(stenosis"]),
        ("line_rules_bad_dates.csv", "line_rules.csv", ["key='kx_diagnostic'", "effective_to 2020-01-01 is before effective_from 2021-04-25"]),
        ("checklist_unknown_id.csv", "checklist.csv", ["checklist ids mismatch", "unknown ['signature']"]),
        ("bundled_codes_extra_cell.csv", "bundled_codes.csv", ["code='77001'", "more cells than header columns", "surplus"]),
    ],
)
def test_broken_table_fails_with_named_problem(fixture: str, target: str, expected: list[str]) -> None:
    raw = _packaged_raw()
    raw[target] = resources.read_csv(FIXTURES / fixture)
    with pytest.raises(RuleTableError) as info:
        build_tables(raw, names={target: fixture})
    message = str(info.value)
    assert message.startswith(fixture)
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("profile_unknown_key.yaml", ["profile_unknown_key.yaml", "unknown key 'kx_on_diagnostics'", "kx_on_diagnostic"]),
        ("profile_bad_bilateral.yaml", ["key 'bilateral_format'", "'modifier_50' or 'rt_lt'", "'both_sides'"]),
        ("profile_bad_override.yaml", ["key 'severity_overrides'", "unknown flag id(s) ['NOT_A_FLAG']"]),
        ("profile_bad_non_covered.yaml", ["key 'non_covered.1'", "'acupuncture'"]),
        ("profile_list.yaml", ["expected a mapping", "received list"]),
        ("profile_bad_base.yaml", ["key 'base'", "'tricare'", "commercial", "medicare"]),
        ("profile_missing_key.yaml", ["missing key 'bilateral_format'"]),
        ("profile_bad_threshold.yaml", ["key 'positive_block_percent'", "150"]),
        ("profile_unknown_rule_id.yaml", ["key 'rule_ids'", "R-MOD-ZZ"]),
    ],
)
def test_broken_profile_fails_with_named_problem(fixture: str, expected: list[str]) -> None:
    with pytest.raises(RuleTableError) as info:
        load_profile(FIXTURES / fixture)
    for part in expected:
        assert part in str(info.value)


def test_unknown_profile_name() -> None:
    with pytest.raises(RuleTableError, match="unknown payer profile 'tricare'.*commercial.*medicare"):
        load_profile("tricare")


def test_user_profile_inherits_from_base() -> None:
    profile = load_profile(str(FIXTURES / "user_profile.yaml"))
    medicare = load_profile("medicare")
    assert profile.id == "my_ma_plan"
    assert profile.bilateral_format == "rt_lt" and profile.max_levels_per_region == 1
    assert profile.kx_on_diagnostic == medicare.kx_on_diagnostic
    assert profile.severity_overrides == {**medicare.severity_overrides, "SEDATION": "error"}


def test_user_profile_changes_coding(facts: Facts) -> None:
    note = facts(levels=[("L4-L5", "bilateral"), ("L5-S1", "right")], sedation=["midazolam"])
    out = code_note(note, load_profile(FIXTURES / "user_profile.yaml"))
    assert ["-".join([ln.cpt, *ln.modifiers]) for ln in out.claim_lines] == ["64493-RT-KX", "64493-LT-KX", "64494-RT-KX"]
    flags = {f.id: f for f in out.flags}
    assert "LEVELS_OVER_LIMIT" in flags and "allows 1 per region" in flags["LEVELS_OVER_LIMIT"].message
    assert flags["SEDATION"].severity == "error"
    assert out.payer == "my_ma_plan"


def test_standalone_user_profile_thresholds(facts: Facts) -> None:
    profile = load_profile(FIXTURES / "user_full_profile.yaml")
    note = facts(relief=[60], care_weeks=5, sedation=["midazolam"])
    out = code_note(note, profile)
    ids = {f.id for f in out.flags}
    assert ["-".join([ln.cpt, *ln.modifiers]) for ln in out.claim_lines] == ["64493-50"]  # modifier 50, no KX
    assert "RELIEF_BELOW_THRESHOLD" not in ids  # 60% passes a 50% threshold
    assert "CONSERVATIVE_CARE_MISSING" not in ids  # 5 weeks >= 4
    assert "SEDATION" not in ids  # sedation covered by this plan
    short = code_note(facts(care_weeks=3), profile)
    assert "CONSERVATIVE_CARE_MISSING" in {f.id for f in short.flags}


def test_profile_by_path_string_and_path_agree() -> None:
    assert load_profile(str(FIXTURES / "user_full_profile.yaml")) == load_profile(FIXTURES / "user_full_profile.yaml")


def test_medicare_and_commercial_settings() -> None:
    medicare, commercial = load_profile("medicare"), load_profile("commercial")
    assert load_profile() == medicare  # the default profile
    assert (medicare.bilateral_format, commercial.bilateral_format) == ("modifier_50", "rt_lt")
    assert medicare.kx_on_diagnostic and not commercial.kx_on_diagnostic
    assert medicare.max_levels_per_region == 2
    assert medicare.conservative_care_weeks is None and commercial.conservative_care_weeks == 6
    assert medicare.positive_block_percent == 80
    assert {"ultrasound", "third_plus_level", "therapeutic_mbb"} <= set(medicare.non_covered)
    assert (medicare.lone_t12_l1, commercial.lone_t12_l1) == ("cervical_thoracic", "verify")
