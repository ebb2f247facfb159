"""Packaged data files resolve through one resolver and are validated on load."""

from __future__ import annotations

import json

import pytest

from nlp.errors import ResourceError, RuleTableError
from nlp.pipeline import CONTEXT_RULES, SECTION_RULES, TARGET_RULES, load_target_rules
from nlp.resources import read_json, read_jsonl, resource_path


@pytest.mark.parametrize("name", [SECTION_RULES, CONTEXT_RULES, TARGET_RULES])
def test_packaged_tables_resolve(name):
    assert resource_path(name).is_file()


def test_missing_resource_names_what_was_expected():
    with pytest.raises(ResourceError, match="no_such_table.csv"):
        resource_path("no_such_table.csv")


def test_target_rules_load_and_cover_every_fact_family():
    categories = {r.category for r in load_target_rules()}
    for prefix in ("PROC_MBB", "PROC_FACET_IA", "PROC_RFA", "PROC_ESI", "PROC_SI", "IMG_FLUORO", "IMG_CT", "IMG_US",
                   "INTENT_DIAG", "INTENT_THER", "AGENT_LOCAL", "AGENT_STEROID", "AGENT_CONTRAST", "SED_IV", "RADIC", "CARE_PT"):
        assert prefix in categories


def test_target_rule_with_unknown_key_fails_with_the_row(tmp_path):
    bad = tmp_path / "targets.jsonl"
    bad.write_text('{"literal": "mbb", "category": "PROC_MBB"}\n{"literal": "x", "category": "Y", "colour": "red"}\n')
    with pytest.raises(RuleTableError, match=r"row 2.*colour"):
        load_target_rules(str(bad))


def test_case_sensitive_flag_is_validated(tmp_path):
    bad = tmp_path / "targets.jsonl"
    bad.write_text('{"literal": "PT", "category": "CARE_PT", "case_sensitive": "yes"}\n')
    with pytest.raises(RuleTableError, match=r"row 1: case_sensitive must be true"):
        load_target_rules(str(bad))
    bad.write_text('{"literal": "PT", "category": "CARE_PT", "case_sensitive": true, "pattern": [{"TEXT": "PT"}]}\n')
    with pytest.raises(RuleTableError, match=r"without a pattern"):
        load_target_rules(str(bad))


@pytest.mark.parametrize("text, label, expected", [
    ("Failed 6 weeks of PT and NSAIDs.", "CARE_PT", ["PT"]),
    ("Pt tolerated the procedure well. pt was discharged.", "CARE_PT", []),
    ("Sedation: MAC by anesthesia.", "SED_MAC", ["MAC"]),
    ("Sedation: none. Mac from radiology reviewed the films.", "SED_MAC", []),
])
def test_case_sensitive_literals_keep_only_the_exact_spelling(view_of, text, label, expected):
    assert [m.text for m in view_of(text).mentions if m.label == label] == expected


def test_invalid_jsonl_line_names_file_and_line(tmp_path):
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"a": 1}\n{not json}\n')
    with pytest.raises(ResourceError, match=r"t.jsonl:2"):
        read_jsonl(str(bad))


def test_section_and_context_rules_are_medspacy_format():
    sections = read_json(SECTION_RULES)["section_rules"]
    assert {"procedure", "technique", "indication", "diagnosis", "plan", "findings", "medications", "anesthesia"} <= {
        r["category"] for r in sections
    }
    context = read_json(CONTEXT_RULES)["context_rules"]
    assert {"NEGATED_EXISTENCE", "HISTORICAL", "HYPOTHETICAL", "FAMILY"} <= {r["category"] for r in context}
    assert json.dumps(context)  # serialisable as shipped


def test_each_context_trigger_is_one_rule():
    """ConText keeps one of two modifiers on the same words (prune_on_modifier_overlap), so a trigger written as a
    FORWARD and a BACKWARD rule silently loses one direction: one BIDIRECTIONAL rule says both."""
    literals = [r["literal"].lower() for r in read_json(CONTEXT_RULES)["context_rules"]]
    assert sorted(x for x in set(literals) if literals.count(x) > 1) == []


@pytest.mark.parametrize(("text", "status"), [
    ("RFA pending insurance review.", "hypothetical"),
    ("Proceed with RFA once authorized.", "hypothetical"),
    ("rtc 2 wk, then rfa if concordant.", "hypothetical"),
    ("Lumbar RFA prior to consideration of surgery.", None),  # the trigger speaks of what follows it
    ("A prior to consideration of radiofrequency ablation.", "hypothetical"),
    ("Fluoroscopy was not used.", "negated"),
    ("Not used: fluoroscopy.", "negated"),
    ("The MBB was done previously.", "historical"),
    ("Previously, an MBB was done.", "historical"),
])
def test_context_triggers_reach_the_way_they_are_written(view_of, text, status):
    mention = next(m for m in view_of(text).mentions if m.label.startswith(("PROC_", "IMG_")))
    found = {"negated": mention.negated, "historical": mention.historical, "hypothetical": mention.hypothetical}
    assert [k for k, v in found.items() if v] == ([status] if status else [])


def test_pipeline_records_table_checksums(pipeline):
    tables = pipeline.meta["facetcoder"]["tables"]
    assert set(tables) == {SECTION_RULES, CONTEXT_RULES, TARGET_RULES}
    assert all(len(v) == 12 for v in tables.values())
