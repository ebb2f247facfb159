"""The one place that knows which rule tables and payer profiles ship with facetcoder.

Tables are read through `nlp.resources`, validated (unknown keys rejected, rule ids checked
against the registry, codes checked against ICD-10-CM, cross-references checked) and cached for
the life of the process: coding a note does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

from nlp import resources
from nlp.coding import checklist as checklist_checks
from nlp.coding import flags as flag_checks
from nlp.coding.icd10 import is_billable, is_valid
from nlp.coding.lines import LINE_RULE_KEYS
from nlp.coding.loader import unique, validate_mapping, validate_rows
from nlp.coding.models import (
    BundledCodeRow,
    ChecklistRow,
    ConceptCodeRow,
    CptRow,
    FamilyRow,
    FlagRow,
    ReviewReasonRow,
    Guidance,
    LineRuleRow,
    PayerProfile,
    PhraseRow,
    RegionGroup,
    RegionTermRow,
    RuleIdRow,
    SupportRow,
)
from nlp.coding.tables import CompiledPhrase, CompiledRegionTerm, RuleTables
from nlp.errors import ResourceError, RuleTableError
from nlp.schema import ProcedureFamily

CODING_DIR = "coding"
PAYERS_DIR = "payers"
DEFAULT_PROFILE = "medicare"
# file name -> (row model, column identifying a row in error messages)
TABLE_FILES: dict[str, tuple[type, str]] = {
    "rule_ids.csv": (RuleIdRow, "rule_id"),
    "cpt_codes.csv": (CptRow, "code"),
    "bundled_codes.csv": (BundledCodeRow, "code"),
    "line_rules.csv": (LineRuleRow, "key"),
    "procedure_families.csv": (FamilyRow, "family"),
    "flags.csv": (FlagRow, "id"),
    "review_reasons.csv": (ReviewReasonRow, "id"),
    "checklist.csv": (ChecklistRow, "id"),
    "icd10_phrases.csv": (PhraseRow, "concept"),
    "icd10_concept_codes.csv": (ConceptCodeRow, "concept"),
    "icd10_region_terms.csv": (RegionTermRow, "pattern"),
    "icd10_support.csv": (SupportRow, "prefix"),
}


def _expect_same(file: str, what: str, found: Iterable[str], expected: Iterable[str]) -> None:
    found_set, expected_set = set(found), set(expected)
    if found_set != expected_set:
        missing = sorted(expected_set - found_set)
        unknown = sorted(found_set - expected_set)
        raise RuleTableError(f"{file}: {what} mismatch; missing {missing}, unknown {unknown} (expected exactly {sorted(expected_set)})")


def _check_rule_ids(file: str, rows: Iterable[Any], known: set[str], key: str) -> None:
    for row in rows:
        bad = [rid for rid in row.rule_ids if rid not in known]
        if bad:
            raise RuleTableError(f"{file}: row {key}={getattr(row, key)!r}: unknown rule id(s) {bad}; expected ids defined in coding-rules.md (rule_ids.csv)")


def _cpt_slots(rows: list[CptRow], file: str) -> dict[tuple[str, str, int], CptRow]:
    """One code per (guidance, CPT region, rank); ranks 2 and 3 are add-ons."""
    by_slot: dict[tuple[str, str, int], CptRow] = {}
    for row in unique(rows, "code", file).values():
        slot = (row.guidance, row.region_group, row.rank)
        if slot in by_slot:
            raise RuleTableError(f"{file}: codes {by_slot[slot].code} and {row.code} both claim {slot}; expected one code per guidance/region/rank")
        if row.add_on != (row.rank > 1):
            raise RuleTableError(f"{file}: row code={row.code!r}: expected add_on={row.rank > 1} for rank {row.rank}, received {row.add_on}")
        by_slot[slot] = row
    expected = [(g, r, k) for g in get_args(Guidance) for r in get_args(RegionGroup) for k in (1, 2, 3)]
    _expect_same(file, "guidance/region/rank slots", map(str, by_slot), map(str, expected))
    return by_slot


def _flag_rows(rows: list[FlagRow], file: str) -> dict[str, FlagRow]:
    """Exactly the flag ids the checks raise, with templates using only known placeholders."""
    flags = unique(rows, "id", file)
    for row in flags.values():
        unknown = (flag_checks.template_fields(row.message) | flag_checks.template_fields(row.fix)) - flag_checks.TEMPLATE_FIELDS
        if unknown:
            raise RuleTableError(f"{file}: row id={row.id!r}: unknown placeholder(s) {sorted(unknown)}; expected some of {sorted(flag_checks.TEMPLATE_FIELDS)}")
    _expect_same(file, "flag ids", flags, [*flag_checks.CHECKS, *flag_checks.ENGINE_FLAGS])
    return flags


def _review_rows(rows: list[ReviewReasonRow], file: str) -> dict[str, ReviewReasonRow]:
    """Exactly the reason ids the extractors and review checks raise, each at its stated stage."""
    from nlp.coding import review
    from nlp.extract.doubts import EXTRACT_REASONS

    reasons = unique(rows, "id", file)
    for row in reasons.values():
        unknown = flag_checks.template_fields(row.message) - review.TEMPLATE_FIELDS
        if unknown:
            raise RuleTableError(f"{file}: row id={row.id!r}: unknown placeholder(s) {sorted(unknown)}; expected some of {sorted(review.TEMPLATE_FIELDS)}")
    for stage, ids in (("extract", EXTRACT_REASONS), ("coding", review.REVIEW_CHECKS)):
        _expect_same(file, f"review reason ids raised by {stage}", [r.id for r in reasons.values() if r.raised_by == stage], ids)
    return reasons


def _concept_codes(rows: list[ConceptCodeRow], concepts: set[str], file: str) -> dict[tuple[str, str], ConceptCodeRow]:
    """(concept, region) -> billable ICD-10-CM code, for exactly the concepts of the phrase table."""
    out: dict[tuple[str, str], ConceptCodeRow] = {}
    for row in rows:
        if (row.concept, row.region) in out:
            raise RuleTableError(f"{file}: duplicate concept/region ({row.concept!r}, {row.region!r}); expected each pair once")
        if not is_billable(row.code):
            state = "a category header, not billable" if is_valid(row.code) else "not an ICD-10-CM code"
            raise RuleTableError(f"{file}: row concept={row.concept!r} region={row.region!r}: expected a billable ICD-10-CM code, received {row.code!r} ({state})")
        out[(row.concept, row.region)] = row
    _expect_same(file, "concepts (vs icd10_phrases.csv)", {c for c, _ in out}, concepts)
    return out


def _support(rows: list[SupportRow], file: str) -> dict[str, SupportRow]:
    support = unique(rows, "prefix", file)
    for prefix in support:
        if not is_valid(prefix):
            raise RuleTableError(f"{file}: row prefix={prefix!r}: expected an ICD-10-CM category or code, received {prefix!r} (not in ICD-10-CM)")
    return support


def build_tables(raw: Mapping[str, list[dict[str, str]]], names: Mapping[str, str] | None = None) -> RuleTables:
    """Validate raw table rows (keyed by file name) into `RuleTables`; `names` maps file name -> display name."""
    show = {file: (names or {}).get(file, file) for file in TABLE_FILES}
    rows: dict[str, list[Any]] = {}
    for file, (model, key) in TABLE_FILES.items():
        if file not in raw:
            raise RuleTableError(f"{file}: rule table missing")
        rows[file] = validate_rows(raw[file], model, show[file], key)
    known = {r.rule_id for r in rows["rule_ids.csv"]}
    for file, (_, key) in TABLE_FILES.items():
        if file != "rule_ids.csv":
            _check_rule_ids(show[file], rows[file], known, key)

    line_rules = unique(rows["line_rules.csv"], "key", show["line_rules.csv"])
    _expect_same(show["line_rules.csv"], "keys", line_rules, LINE_RULE_KEYS)
    families = unique(rows["procedure_families.csv"], "family", show["procedure_families.csv"])
    _expect_same(show["procedure_families.csv"], "families", families, get_args(ProcedureFamily))
    checklist = list(unique(rows["checklist.csv"], "id", show["checklist.csv"]).values())
    _expect_same(show["checklist.csv"], "checklist ids", [r.id for r in checklist], checklist_checks.CHECKS)
    phrases = [CompiledPhrase(r, re.compile(r.pattern, re.IGNORECASE)) for r in rows["icd10_phrases.csv"]]
    return RuleTables(
        cpt=_cpt_slots(rows["cpt_codes.csv"], show["cpt_codes.csv"]),
        bundled=unique(rows["bundled_codes.csv"], "code", show["bundled_codes.csv"]),
        line_rules=line_rules,
        families=families,
        flags=_flag_rows(rows["flags.csv"], show["flags.csv"]),
        review_reasons=_review_rows(rows["review_reasons.csv"], show["review_reasons.csv"]),
        checklist=checklist,
        phrases=phrases,
        concept_codes=_concept_codes(rows["icd10_concept_codes.csv"], {p.row.concept for p in phrases}, show["icd10_concept_codes.csv"]),
        region_terms=[CompiledRegionTerm(r, re.compile(r.pattern, re.IGNORECASE)) for r in rows["icd10_region_terms.csv"]],
        support=_support(rows["icd10_support.csv"], show["icd10_support.csv"]),
        known_rule_ids=frozenset(known),
    )


@lru_cache(maxsize=1)
def rule_tables() -> RuleTables:
    """The packaged rule tables, validated once per process."""
    raw = {file: resources.read_csv(f"{CODING_DIR}/{file}") for file in TABLE_FILES}
    tables = build_tables(raw)
    sums = {file: resources.checksum(f"{CODING_DIR}/{file}") for file in TABLE_FILES}
    return RuleTables(**{**tables.__dict__, "checksums": sums})


@lru_cache(maxsize=1)
def _packaged_profiles() -> tuple[str, ...]:
    folder = resources.resource_path(f"{PAYERS_DIR}/{DEFAULT_PROFILE}.yaml").parent
    return tuple(sorted(p.stem for p in folder.glob("*.yaml")))


def available_profiles() -> list[str]:
    """Names of the packaged payer profiles."""
    return list(_packaged_profiles())


def _read_profile(name_or_path: str | Path) -> tuple[Any, str]:
    text = str(name_or_path)
    if text in available_profiles():
        return resources.read_yaml(f"{PAYERS_DIR}/{text}.yaml"), f"{text}.yaml"
    path = Path(name_or_path)
    if not path.is_file():
        raise RuleTableError(f"unknown payer profile {text!r}: expected one of {available_profiles()} or a path to a YAML profile file")
    try:
        return resources.read_yaml(path), str(path)
    except ResourceError as exc:
        raise RuleTableError(str(exc)) from None


def profile_from_mapping(data: Any, file: str, tables: RuleTables) -> PayerProfile:
    """Validate a profile mapping; `base: <profile>` inherits every key the file does not set."""
    if isinstance(data, Mapping) and "base" in data:
        base_name = data["base"]
        if base_name not in available_profiles():
            raise RuleTableError(f"{file}: key 'base': expected one of {available_profiles()}, received {base_name!r}")
        base, _ = _read_profile(base_name)
        overrides = {k: v for k, v in data.items() if k != "base"}
        severity = {**(base.get("severity_overrides") or {}), **(overrides.pop("severity_overrides", None) or {})}
        data = {**base, **overrides, "severity_overrides": severity}
    profile = validate_mapping(data, PayerProfile, file)
    bad_ids = [rid for rid in profile.rule_ids if rid not in tables.known_rule_ids]
    if bad_ids:
        raise RuleTableError(f"{file}: key 'rule_ids': unknown rule id(s) {bad_ids}; expected ids defined in coding-rules.md")
    bad_flags = sorted(set(profile.severity_overrides) - set(tables.flags))
    if bad_flags:
        raise RuleTableError(f"{file}: key 'severity_overrides': unknown flag id(s) {bad_flags}; expected some of {sorted(tables.flags)}")
    return profile


@lru_cache(maxsize=64)
def _load_profile_cached(name_or_path: str) -> PayerProfile:
    data, file = _read_profile(name_or_path)
    return profile_from_mapping(data, file, rule_tables())


def load_profile(name_or_path: str | Path = DEFAULT_PROFILE) -> PayerProfile:
    """A payer profile by packaged name ('medicare', 'commercial') or by path to a YAML file (--payer-file).

    Cached by the name or path as given: a profile file is read once per process, so coding
    millions of notes with `code_note(note, "path/to/profile.yaml")` does no per-note I/O.
    """
    return _load_profile_cached(str(name_or_path))
