"""Mechanism functions for levels and modifiers, called directly with tables and profiles as parameters."""

from __future__ import annotations

import pytest

from nlp.coding import load_profile
from nlp.coding.lines import build_sessions, combine_sides, joint_order, merge_levels, rank_levels, rank_slots
from nlp.coding.modifiers import kx_applies, laterality_modifiers, order_modifiers
from nlp.schema import Level, region_of_joint


def _lv(joint: str, side: str = "bilateral") -> Level:
    return Level(joint=joint, region=region_of_joint(joint), side=side)  # type: ignore[arg-type]


def test_joint_order_is_cranial_to_caudal() -> None:
    joints = ["L5-S1", "C2-C3", "T12-L1", "C7-T1", "L1-L2", "T1-T2", "C5-C6"]
    assert sorted(joints, key=joint_order) == ["C2-C3", "C5-C6", "C7-T1", "T1-T2", "T12-L1", "L1-L2", "L5-S1"]


@pytest.mark.parametrize(
    ("sides", "side"),
    [(["left", "right"], "bilateral"), (["left"], "left"), (["unspecified", "right"], "right"), (["unspecified"], "unspecified"),
     (["bilateral", "left"], "bilateral"), (["left", "left"], "left")],
)
def test_combine_sides(sides: list[str], side: str) -> None:
    assert combine_sides(sides) == side  # type: ignore[arg-type]


def test_merge_levels_counts_a_joint_once() -> None:
    merged = merge_levels([_lv("L4-L5", "left"), _lv("L5-S1", "right"), _lv("L4-L5", "right")])
    assert [(m.joint, m.side) for m in merged] == [("L4-L5", "bilateral"), ("L5-S1", "right")]


def test_rank_levels_bilateral_first() -> None:
    ranked = rank_levels(merge_levels([_lv("L3-L4", "left"), _lv("L4-L5", "right"), _lv("L5-S1")]))
    assert [m.joint for m in ranked] == ["L5-S1", "L3-L4", "L4-L5"]


def test_rank_slots_third_plus_share_one_slot() -> None:
    [session] = build_sessions([_lv(j) for j in ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")], load_profile("medicare"))
    slots = rank_slots(session)
    assert [(rank, [m.joint for m in lv]) for rank, lv in slots] == [
        (1, ["L1-L2"]), (2, ["L2-L3"]), (3, ["L3-L4", "L4-L5", "L5-S1"])
    ]


def test_sessions_split_by_region_and_junction_depends_on_profile() -> None:
    levels = [_lv("T12-L1"), _lv("L1-L2")]
    [junction] = build_sessions(levels, load_profile("medicare"))
    assert junction.junction and junction.code_groups == ("cervical_thoracic", "lumbar_sacral", "lumbar_sacral")
    separate = build_sessions(levels, load_profile("commercial"))
    assert [s.group for s in separate] == ["cervical_thoracic", "lumbar_sacral"]
    assert not any(s.junction for s in separate)


@pytest.mark.parametrize(
    ("side", "fmt", "mods"),
    [("bilateral", "modifier_50", [["50"]]), ("bilateral", "rt_lt", [["RT"], ["LT"]]), ("right", "modifier_50", [["RT"]]),
     ("left", "rt_lt", [["LT"]]), ("unspecified", "modifier_50", [[]])],
)
def test_laterality_modifiers(side: str, fmt: str, mods: list[list[str]]) -> None:
    assert laterality_modifiers(side, fmt) == mods  # type: ignore[arg-type]


def test_order_modifiers() -> None:
    assert order_modifiers(["KX", "50"]) == ["50", "KX"]
    assert order_modifiers(["GA", "KX", "RT"]) == ["RT", "KX", "GA"]
    assert order_modifiers(["KX", "KX", "LT"]) == ["LT", "KX"]


def test_kx_applies_only_to_diagnostic_under_medicare() -> None:
    medicare, commercial = load_profile("medicare"), load_profile("commercial")
    assert kx_applies("diagnostic", medicare)
    assert not kx_applies("therapeutic", medicare) and not kx_applies("unknown", medicare)
    assert not kx_applies("diagnostic", commercial)
