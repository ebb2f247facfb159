"""Generate facetcoder's annotated development corpus (original synthetic notes + gold).

Every note is written from hand-made sentence templates with many alternative phrasings;
nothing is copied or paraphrased from public sample-note collections. The gold record of a
note is derived from the same sampled facts that render the text, so text and gold agree by
construction; the rules for deriving claim lines and flags are the Engine conventions of
`coding-rules.md` (Medicare profile).

    python data/corpus/make_corpus.py          # rewrites notes/, gold.jsonl, splits.json

Seeded: SEED below; re-running gives byte-identical output.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEED = 20261127
SPLIT_SEED = 7
N_NOTES = 176
HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------
# Anatomy and claim-line rules
# --------------------------------------------------------------------------------------
ORDER = [f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + ["S1"]


def jkey(joint: str) -> int:
    return ORDER.index(joint.split("-")[0])


def next_vert(v: str) -> str:
    return ORDER[ORDER.index(v) + 1]


def joints_from(upper: str, n: int) -> list[str]:
    out, v = [], upper
    for _ in range(n):
        w = next_vert(v)
        out.append(f"{v}-{w}")
        v = w
    return out


def region_code(joint: str) -> str:
    return "ct" if joint[0] in "CT" else "ls"


CODES = {
    ("ct", "fl"): ["64490", "64491", "64492"],
    ("ls", "fl"): ["64493", "64494", "64495"],
    ("ct", "us"): ["0213T", "0214T", "0215T"],
    ("ls", "us"): ["0216T", "0217T", "0218T"],
}
SIDEMOD = {"bilateral": "50", "right": "RT", "left": "LT"}
FACET = ("medial_branch_block", "facet_joint_injection")


def claim_lines(family, modality, levels, intent):
    """Medicare-profile claim lines; None = annotator omits the key (not certain)."""
    if family not in FACET or modality == "none" or not levels:
        return []
    if intent == "unknown" or any(lv["side"] not in SIDEMOD for lv in levels):
        return None
    kind = "us" if modality == "ultrasound" else "fl"
    out = []
    for reg in ("ct", "ls"):
        lvs = sorted([lv for lv in levels if region_code(lv["joint"]) == reg], key=lambda lv: jkey(lv["joint"]))
        if not lvs:
            continue
        bil = [lv for lv in lvs if lv["side"] == "bilateral"]
        if bil and len(bil) < len(lvs):
            lvs = [bil[0]] + [lv for lv in lvs if lv is not bil[0]]
        for code, grp in zip(CODES[(reg, kind)], [lvs[:1], lvs[1:2], lvs[2:]]):
            if not grp:
                continue
            if len({lv["side"] for lv in grp}) > 1:
                return None
            mods = [SIDEMOD[grp[0]["side"]]] + (["KX"] if intent == "diagnostic" else [])
            out.append({"cpt": code, "modifiers": mods, "units": 1})
    return out


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
R = random.Random(SEED)


def pick(seq):
    return R.choice(seq)


def chance(p: float) -> bool:
    return R.random() < p


def join_list(items: list[str], conj: str = "and") -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    sep = pick([", ", ", "])
    oxford = pick(["", ","])
    return sep.join(items[:-1]) + f"{oxford} {conj} {items[-1]}"


def lf(t: str) -> str:
    """Lower-case the first letter unless the text starts with an acronym or a level (L4, BP, IV, MAC)."""
    return t if re.match(r"[A-Z][A-Z0-9]", t) else t[:1].lower() + t[1:]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def fmt_joint(joint: str, notation: str) -> str:
    a, b = joint.split("-")
    if notation == "full":
        return f"{a}-{b}"
    if notation == "slash":
        return f"{a}/{b[1:]}" if a[0] == b[0] else f"{a}/{b}"
    if notation == "spaced":
        return f"{a} - {b}"
    if notation == "compact" and a[0] == "L":
        return f"{a}{b[1:]}" if b[0] == "L" else f"{a}{b}"
    # short (default)
    return f"{a}-{b[1:]}" if a[0] == b[0] else f"{a}-{b}"


def joints_phrase(joints: list[str], notation: str, allow_range: bool = True) -> tuple[str, str]:
    """Text for a contiguous joint list, and the tag describing the notation used."""
    if allow_range and len(joints) >= 3 and chance(0.8):
        first, last = joints[0], joints[-1]
        if chance(0.5):
            return f"{fmt_joint(first, notation)} through {fmt_joint(last, notation)}", "range"
        return f"{first.split('-')[0]} to {last.split('-')[1]}", "range_vertebrae"
    parts = [fmt_joint(j, notation) for j in joints]
    tag = "list" if len(parts) >= 3 else "joint_notation"
    return join_list(parts), tag


def nerves_for(joints: list[str]) -> list[str]:
    """Nerves supplying the joints by the Engine-convention anatomy (inverse of the mapping)."""
    nerves: list[str] = []
    for j in joints:
        a, b = j.split("-")
        if a[0] == "C":
            ns = ["TON"] if a == "C2" else [a, b]
        else:  # lumbar
            if b == "S1":
                ns = ["L4", "L5DR"]
            else:
                ns = [ORDER[ORDER.index(a) - 1], a]
        for n in ns:
            if n not in nerves:
                nerves.append(n)
    return nerves


def nerves_phrase(nerves: list[str]) -> str:
    mbs = [n for n in nerves if n not in ("TON", "L5DR")]
    parts = []
    if "TON" in nerves:
        parts.append("the third occipital nerve")
    if mbs:
        style = R.randint(0, 2)
        if style == 0:
            parts.append(f"{join_list(mbs)} medial branches")
        elif style == 1:
            parts.append(f"the medial branches of {join_list(mbs)}")
        else:
            parts.append(f"{', '.join(mbs)} medial branch nerves")
    if "L5DR" in nerves:
        parts.append(pick(["the L5 dorsal ramus", "L5 dorsal ramus", "the L5 dorsal primary ramus"]))
    return join_list(parts)


SIDE_WORDS = re.compile(r"\b(right|left|bilateral(ly)?|both sides|contralateral|RT|LT)\b", re.I)

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------
FIRST = ["Anna", "Beatriz", "Colm", "Dara", "Elias", "Farah", "Gideon", "Hollis", "Ines", "Jonah", "Keziah", "Lorcan",
         "Mireille", "Nils", "Odile", "Pavel", "Quentin", "Rosalind", "Soren", "Tamsin", "Ulric", "Vera", "Wendell", "Yusra"]
LAST = ["Achterberg", "Brannock", "Castellane", "Dunleavy", "Eskildsen", "Fairweather", "Gallimore", "Hartigan",
        "Iverach", "Jessop", "Kilbride", "Lachance", "Mortlock", "Nyberg", "Ormsby", "Pettigrew", "Quarles",
        "Rasmussen", "Stallworth", "Thorvaldsen", "Underhill", "Vasquez-Ruiz", "Whitcombe", "Yarborough"]
DOCS = ["A. Mensah, MD", "L. Brightwater, DO", "S. Takahashi, MD", "M. Oyelaran, MD", "E. Haugland, MD",
        "C. Ferreira-Lima, MD", "D. Kowalczyk, DO", "R. Abernethy, MD", "N. Iyengar, MD", "T. Vollmer, MD"]

LOCALS = {
    "lidocaine": ["1% lidocaine", "2% lidocaine", "lidocaine 2%", "preservative-free 1% lidocaine"],
    "bupivacaine": ["0.5% bupivacaine", "0.25% bupivacaine", "0.5% Marcaine", "bupivacaine 0.5%", "0.75% bupivacaine"],
    "ropivacaine": ["0.5% ropivacaine", "ropivacaine 0.2%", "0.75% ropivacaine"],
}
STEROIDS = {
    "triamcinolone": ["triamcinolone 40 mg", "40 mg of Kenalog", "20 mg triamcinolone (Kenalog)", "Kenalog-40, 40 mg"],
    "methylprednisolone": ["methylprednisolone 40 mg", "40 mg Depo-Medrol", "Depo-Medrol 80 mg", "methylprednisolone acetate 40 mg"],
    "dexamethasone": ["dexamethasone 4 mg", "10 mg dexamethasone", "dexamethasone sodium phosphate 10 mg", "Decadron 4 mg"],
    "betamethasone": ["betamethasone 6 mg", "Celestone Soluspan 6 mg", "3 mg Celestone", "betamethasone (Celestone) 6 mg"],
}
CONTRAST = ["Omnipaque 240", "Omnipaque 180", "Isovue-M 200", "Isovue-M 300", "iohexol 300"]


def local_name():
    return pick(LOCALS[pick(list(LOCALS))])


def steroid_name():
    return pick(STEROIDS[pick(list(STEROIDS))])


# --------------------------------------------------------------------------------------
# Fact sampling
# --------------------------------------------------------------------------------------
FAMILY_PLAN = (
    ["mbb"] * 58 + ["ia"] * 38 + ["rfa"] * 15 + ["esi"] * 22 + ["si"] * 10 + ["tpi"] * 8 + ["consult"] * 25
)
assert len(FAMILY_PLAN) >= N_NOTES - 0


def sample_levels(kind: str):
    """Return (joints, region_label) for a facet procedure."""
    r = R.random()
    if kind == "mbb":
        if r < 0.58:
            upper = pick(["L2", "L3", "L3", "L4", "L4", "L4"])
            n = pick([1, 2, 2, 2, 3]) if upper != "L4" else pick([1, 2, 2])
            n = min(n, {"L2": 3, "L3": 3, "L4": 2}[upper])
            return joints_from(upper, n), "lumbar"
        if r < 0.85:
            upper = pick(["C2", "C2", "C3", "C4", "C5", "C5", "C6"])
            n = pick([1, 2, 2, 3]) if upper in ("C2", "C3", "C4") else pick([1, 2])
            if upper == "C6":
                n = 1
            return joints_from(upper, n), "cervical"
        if r < 0.95:
            upper = pick(["T4", "T5", "T6", "T7", "T8", "T9", "T10"])
            return joints_from(upper, pick([1, 2, 2])), "thoracic"
        return ["T12-L1"], "thoracolumbar"
    # intra-articular
    if r < 0.55:
        upper = pick(["L3", "L4", "L4", "L5"])
        n = {"L3": pick([1, 2, 3]), "L4": pick([1, 2]), "L5": 1}[upper]
        return joints_from(upper, n), "lumbar"
    if r < 0.8:
        upper = pick(["C2", "C3", "C4", "C5", "C6", "C7"])
        n = 1 if upper == "C7" else pick([1, 1, 2])
        if upper == "C6":
            n = 1
        return joints_from(upper, n), "cervical"
    if r < 0.9:
        upper = pick(["T3", "T5", "T6", "T8", "T10", "T11"])
        return joints_from(upper, pick([1, 2])), "thoracic"
    return ["T12-L1"], "thoracolumbar"


def sample_facts(kind: str, idx: int, force: dict | None = None) -> dict:
    f: dict = {"kind": kind, "tags": [], "force": dict(force or {})}
    f["age"] = R.randint(34, 84)
    f["sex"] = pick(["M", "F"])
    f["name"] = f"{pick(FIRST)} {pick(LAST)}"
    f["doc"] = pick(DOCS)
    yy = pick([2022, 2023, 2024, 2025])
    f["date"] = f"{R.randint(1, 12):02d}/{R.randint(1, 28):02d}/{yy}"
    f["year"] = yy
    if kind in ("mbb", "ia"):
        sample_facet(f)
    else:
        f["levels"] = []
    sample_common(f)
    return f


def sample_facet(f: dict) -> None:
    kind = f["kind"]
    force = f["force"]
    multi = force.get("multi", chance(0.02) if not force else False)
    joints, reg = force["joints"] if "joints" in force else sample_levels(kind)
    joints = list(joints)
    if multi:
        joints = pick([["C5-C6"], ["C4-C5"], ["C6-C7"]]) + pick([["L4-L5"], ["L5-S1"], ["L3-L4"]])
        reg = "multi"
        f["tags"].append("multiple_regions")
    f["region"] = reg
    f["joints"] = joints
    # sides
    r = R.random()
    if "side_mode" in force:
        side_mode = force["side_mode"]
    elif len(joints) == 2 and not multi and r < 0.12:
        side_mode = "mixed"
    elif r < 0.6:
        side_mode = "bilateral"
    elif r < 0.71:
        side_mode = "elsewhere"  # bilateral, second side stated later in the technique
    elif r < 0.98:
        side_mode = pick(["left", "right"])
    else:
        side_mode = "missing"
    f["side_mode"] = side_mode
    if side_mode == "mixed":
        bil_idx = R.randint(0, 1)
        one = pick(["left", "right"])
        sides = [("bilateral" if i == bil_idx else one) for i in range(2)]
        f["tags"].append("mixed_sides")
    elif side_mode in ("bilateral", "elsewhere"):
        sides = ["bilateral"] * len(joints)
        if side_mode == "elsewhere":
            f["tags"].append("side_stated_elsewhere")
    elif side_mode == "missing":
        sides = ["unspecified"] * len(joints)
        f["tags"].append("side_missing")
    else:
        sides = [side_mode] * len(joints)
    f["sides"] = sides
    f["levels"] = [{"joint": j, "side": s} for j, s in zip(joints, sides)]
    f["levels_missing"] = bool(force.get("levels_missing")) and not multi and side_mode not in ("mixed", "missing")
    if f["levels_missing"]:
        f["levels"] = []
        f["tags"].append("levels_missing")
    # expression of levels (MBB may use nerve names)
    nerve_ok = kind == "mbb" and reg in ("lumbar", "cervical") and side_mode != "mixed"
    if nerve_ok and joints[0] != "L1-L2":
        f["level_expr"] = pick(["joint", "nerve", "nerve", "both"])
    else:
        f["level_expr"] = "joint"
    if f["level_expr"] in ("nerve", "both"):
        f["tags"].append("nerve_list")
        if "C2-C3" in joints:
            f["tags"].append("third_occipital")
    notations = ["short", "full", "slash", "spaced"] + (["compact"] if reg == "lumbar" else [])
    f["notation"] = pick(notations)
    f["tags"].append(f"notation_{f['notation']}")
    if reg == "thoracolumbar":
        f["tags"].append("t12_l1")
    if "C7-T1" in joints:
        f["tags"].append("c7_t1")
    if len(joints) >= 3:
        f["tags"].append("three_levels")
    # imaging
    r = R.random()
    if "modality" in force:
        mod = force["modality"]
    elif r < 0.86:
        mod = "fluoroscopy"
    elif r < 0.92:
        mod = "ct"
    elif r < 0.95:
        mod = "ultrasound"
    else:
        mod = "none"
    f["modality"] = mod
    f["img_style"] = {
        "fluoroscopy": pick(["fluoroscopy", "fluoroscopy", "c_arm", "image_intensifier", "fluoro_views"]),
        "ct": "ct",
        "ultrasound": "ultrasound",
        "none": pick(["landmark", "palpation", "negated", "undocumented"]),
    }[mod]
    f["tags"].append({"fluoroscopy": "fluoroscopy", "ct": "ct", "ultrasound": "ultrasound", "none": "no_imaging"}[mod])
    if mod == "none":
        f["tags"].append(f"imaging_{f['img_style']}")
    f["code77003"] = mod == "fluoroscopy" and chance(0.08)
    if f["code77003"]:
        f["tags"].append("imaging_code_written")
    # intent / injectate
    r = R.random()
    if force.get("intent_word") == "unknown":
        f["intent_word"], f["steroid"] = "unknown", None
    elif force.get("steroid_in_dx"):
        f["intent_word"] = pick(["first", "second", "diagnostic", "confirmatory"])
        f["steroid"] = steroid_name()
    elif kind == "mbb":
        if r < 0.55:
            f["intent_word"] = pick(["first", "first", "second", "confirmatory", "diagnostic"])
            f["steroid"] = steroid_name() if chance(0.1) else None
        elif r < 0.75:
            f["intent_word"] = None
            f["steroid"] = None
        elif r < 0.9:
            f["intent_word"] = pick(["therapeutic", None])
            f["steroid"] = steroid_name()
        else:
            f["intent_word"] = None
            f["steroid"] = steroid_name()
    else:
        if r < 0.15:
            f["intent_word"] = pick(["diagnostic", "first"])
            f["steroid"] = steroid_name() if chance(0.1) else None
        elif r < 0.85:
            f["intent_word"] = pick(["therapeutic", None, None])
            f["steroid"] = steroid_name()
        else:
            f["intent_word"] = None
            f["steroid"] = None
    f["local"] = None if f["intent_word"] == "unknown" else local_name()
    if f["intent_word"] == "unknown":
        intent = "unknown"
        f["tags"].append("intent_unknown")
    elif f["intent_word"] in ("first", "second", "confirmatory", "diagnostic"):
        intent = "diagnostic"
        f["tags"].append(f"intent_{f['intent_word']}")
    elif f["intent_word"] == "therapeutic":
        intent = "therapeutic"
        f["tags"].append("intent_therapeutic_explicit")
    else:
        intent = "therapeutic" if f["steroid"] else "diagnostic"
        f["tags"].append("intent_from_injectate")
    f["intent"] = intent
    if f["steroid"]:
        f["tags"].append("steroid")
    else:
        f["tags"].append("local_only_injectate" if f["local"] else "no_injectate_named")
    f["steroid_in_dx"] = intent == "diagnostic" and bool(f["steroid"])
    if f["steroid_in_dx"]:
        f["tags"].append("steroid_in_diagnostic")
    if f["intent_word"] in ("second", "confirmatory"):
        f["prior_relief"] = (pick([80, 85, 90, 95, 100]), pick(["6 hours", "5 hours", "4 hours", "8 hours", "the duration of the anesthetic"]))
    elif kind == "ia" and intent == "therapeutic" and chance(0.4):
        f["prior_relief"] = (pick([60, 70, 75]), pick(["4 months", "5 months", "3 months"]))
    else:
        f["prior_relief"] = None


def sample_common(f: dict) -> None:
    kind = f["kind"]
    if kind in ("rfa", "esi", "si", "tpi", "consult"):
        f["region"] = {
            "rfa": pick(["lumbar", "lumbar", "cervical"]),
            "esi": pick(["lumbar", "lumbar", "lumbar", "cervical"]),
            "si": "lumbar",
            "tpi": pick(["lumbar", "cervical"]),
            "consult": pick(["lumbar", "lumbar", "cervical", "thoracic"]),
        }[kind]
        f["modality"] = {
            "rfa": "fluoroscopy",
            "esi": "fluoroscopy",
            "si": pick(["fluoroscopy", "fluoroscopy", "fluoroscopy", "ultrasound"]),
            "tpi": "none",
            "consult": "none",
        }[kind]
        f["code77003"] = kind == "esi" and chance(0.15)
        if f["code77003"]:
            f["tags"].append("imaging_code_written")
    # pain scores
    facet = kind in ("mbb", "ia")
    r = R.random()
    force = f["force"]
    if facet and force.get("pain_none"):
        f["pain_fmt"] = "none"
    elif kind == "consult":
        f["pain_fmt"] = pick(["slash", "out_of", "score_of", "zero_being", "none"])
    else:
        f["pain_fmt"] = pick(["slash", "slash", "out_of", "score_of", "from_to", "vas", "zero_being", "nrs"])
    pre = R.randint(5, 9)
    post = max(0, pre - R.randint(3, 8)) if kind != "rfa" else R.randint(2, 5)
    f["pre"], f["post"] = pre, post
    if f["pain_fmt"] == "vas":
        f["pre"], f["post"] = pre * 10 + pick([0, 0, 5, -5]), post * 10 + pick([0, 0, 5])
        f["pre"] = min(f["pre"], 95)
    f["tags"].append(f"pain_{f['pain_fmt']}")
    f["range_distractor"] = f["pain_fmt"] not in ("none",) and chance(0.15)
    if f["range_distractor"]:
        f["tags"].append("range_distractor")
    f["strength_distractor"] = chance(0.35)
    if f["strength_distractor"]:
        f["tags"].append("strength_distractor")
    f["fraction_distractor"] = chance(0.08)
    if f["fraction_distractor"]:
        f["tags"].append("fraction_distractor")
    f["short_date_distractor"] = chance(0.2)
    if f["short_date_distractor"]:
        f["tags"].append("date_distractor")
    # conservative care
    r = R.random()
    if r < 0.72:
        f["cc"] = "failed"
    elif r < 0.82:
        f["cc"] = pick(["not_tried", "declined"])
    else:
        f["cc"] = "missing"
    if kind == "consult" and f["cc"] == "missing":
        f["cc"] = "not_tried"
    f["tags"].append(f"cc_{f['cc']}")
    # pain duration
    r = R.random()
    if force.get("dur_missing"):
        f["dur"] = ("missing", None)
    elif kind == "esi" and r < 0.3:
        f["dur"] = ("weeks", pick([6, 8, 10]))
    elif r < 0.45:
        f["dur"] = ("months", pick([4, 5, 6, 7, 8, 9, 10, 11, 14, 18]))
    elif r < 0.72:
        f["dur"] = ("years", pick([1, 2, 2, 3, 4, 5, 7]))
    elif r < 0.8:
        f["dur"] = ("since", f["year"] - R.randint(2, 6))
    elif r < 0.86:
        f["dur"] = ("vague", None)
    elif r < 0.93 or facet:
        f["dur"] = ("months", pick([3, 6, 12, 16, 20]))
    else:
        f["dur"] = ("missing", None)
    f["tags"].append(f"duration_{f['dur'][0]}")
    # radiculopathy
    r = R.random()
    if kind == "esi":
        f["radic"] = "affirmed"
    elif kind in ("rfa", "si", "tpi"):
        f["radic"] = "negated" if r < 0.75 else "not_documented"
    else:
        f["radic"] = "negated" if r < 0.72 else ("affirmed" if r < 0.8 else "not_documented")
    f["tags"].append(f"radic_{f['radic']}")
    # diagnosis
    r = R.random()
    if force.get("dx_missing") and facet:
        f["dx"] = "missing"
    elif r < 0.64:
        f["dx"] = "valid"
    elif r < 0.76:
        f["dx"] = "invalid"
    else:
        f["dx"] = "phrase"
    f["tags"].append(f"dx_{f['dx']}")
    # sedation
    r = R.random()
    if kind == "consult":
        f["sed"] = "na"
    elif kind == "rfa":
        f["sed"] = pick(["iv", "midazolam_fentanyl", "mac", "none", "local_only", "general"])
    elif r < 0.72:
        f["sed"] = pick(["none", "local_only", "none_field", "not_mentioned"])
    else:
        f["sed"] = pick(["iv", "midazolam", "midazolam_fentanyl", "mac", "versed"])
    f["sed_given"] = f["sed"] in ("iv", "midazolam", "midazolam_fentanyl", "mac", "versed", "general")
    f["tags"].append("sedation" if f["sed_given"] else "no_sedation")


# --------------------------------------------------------------------------------------
# Sentence builders
# --------------------------------------------------------------------------------------
def pron(f):
    return ("he", "his", "him") if f["sex"] == "M" else ("she", "her", "her")


def region_words(f):
    return {
        "lumbar": ("low back", "lumbar"),
        "cervical": ("neck", "cervical"),
        "thoracic": ("mid back", "thoracic"),
        "thoracolumbar": ("thoracolumbar junction", "thoracolumbar"),
        "multi": ("neck and low back", "cervical and lumbar"),
    }[f["region"]]


def side_loc(f) -> str:
    sm = f.get("side_mode")
    if sm in (None, "missing"):
        return ""
    if sm in ("bilateral", "elsewhere"):
        return pick(["bilateral ", "bilateral ", "", "axial "]) if sm == "bilateral" else pick(["", "axial ", "central "])
    if sm == "mixed":
        return ""
    return f"{f['side_mode']}-sided "


def duration_text(f) -> tuple[str, float | None]:
    kind, v = f["dur"]
    if kind == "months":
        return pick([f"for the past {v} months", f"for {v} months", f"x {v} months", f"for about {v} months",
                     f"over the last {v} months"]), float(v)
    if kind == "weeks":
        return pick([f"for {v} weeks", f"for the past {v} weeks"]), None
    if kind == "years":
        if v == 1:
            return pick(["for 1 year", "x 1 year", "for the past year", "for 12 months"]), 12.0
        return pick([f"for {v} years", f"x {v} years", f"for the past {v} years", f"for about {v} years",
                     f"for {v} yrs"]), float(12 * v)
    if kind == "since":
        return pick([f"since {v}", f"since a fall in {v}", f"ever since {v}"]), None
    if kind == "vague":
        return pick(["for several years", "for a long time", "for many years"]), None
    return "", None


def pain_pre_text(f, where: str = "") -> str:
    p, fmt = f["pre"], f["pain_fmt"]
    sp = pron(f)
    lbl = where
    return {
        "slash": pick([f"Pain {p}/10{lbl}.", f"Pain today is {p}/10.", f"Pre-procedure pain {p}/10.", f"Current pain {p}/10."]),
        "out_of": pick([f"{cap(sp[0])} rates the pain {p} out of 10.", f"Pain is {p} out of 10 today.", f"Pain before the procedure was {p} out of 10."]),
        "score_of": pick([f"{cap(sp[0])} reports a pain score of {p}.", f"Pain score of {p} at check-in.", f"Baseline pain score of {p}."]),
        "from_to": pick([f"Pain at arrival {p}/10.", f"Pre-procedure pain {p}/10."]),
        "vas": pick([f"VAS {p} mm (0-100 mm).", f"Baseline VAS {p} mm.", f"Visual analog scale {p} mm today."]),
        "zero_being": pick([f"{cap(sp[0])} rates {sp[1]} pain as {p}, with 0 being no pain and 10 the worst pain imaginable.",
                            f"On a 0 to 10 scale, with 0 being no pain, {sp[0]} rates it a {p}."]),
        "nrs": pick([f"NRS {p}/10.", f"Numeric rating scale {p}/10.", f"Pain {p}/10 on the numeric rating scale."]),
    }[fmt]


def pain_post_text(f) -> str:
    p, fmt = f["post"], f["pain_fmt"]
    sp = pron(f)
    return {
        "slash": pick([f"Post-procedure pain {p}/10.", f"Pain {p}/10 at 20 minutes.", f"Pain after the procedure {p}/10."]),
        "out_of": pick([f"Post-procedure pain {p} out of 10.", f"Pain was {p} out of 10 before discharge."]),
        "score_of": pick([f"Pain score of {p} after the procedure.", f"Post-procedure pain score of {p}."]),
        "from_to": f"Pain improved from {f['pre']}/10 to {p}/10 after the injection.",
        "vas": pick([f"VAS {p} mm at 15 minutes.", f"Post-procedure VAS {p} mm."]),
        "zero_being": pick([f"Afterward {sp[0]} rated {sp[1]} pain as {p} on the same scale.", f"After the procedure {sp[0]} rates it a {p}."]),
        "nrs": pick([f"Post-procedure NRS {p}/10.", f"NRS {p}/10 after the block."]),
    }[fmt]


def gold_pains(f) -> list[dict]:
    fmt = f["pain_fmt"]
    if fmt == "none":
        return []
    scale = "VAS" if fmt == "vas" else "NRS"
    out = [{"timing": "pre", "value": f["pre"], "scale": scale}]
    if f["kind"] != "consult":
        out.append({"timing": "post", "value": f["post"], "scale": scale})
    return out


def cc_text(f) -> str:
    sp = pron(f)
    c = f["cc"]
    wk = pick([4, 6, 6, 8, 10, 12])
    if c == "failed":
        items = R.sample([
            f"{wk} weeks of physical therapy without relief",
            f"a course of PT ({wk} weeks) that did not help",
            "NSAIDs (ibuprofen and naproxen) without benefit",
            "meloxicam 15 mg daily with no improvement",
            "gabapentin, which was stopped for sedation without benefit",
            "chiropractic care for 3 months without lasting relief",
            "a home exercise program and activity modification without improvement",
            "celecoxib without benefit",
            "acetaminophen and topical diclofenac, both of which failed",
            "a prior epidural injection that gave no relief",
        ], k=R.randint(2, 3))
        lead = pick([f"{cap(sp[0])} has failed ", "Conservative care has failed: ", f"{cap(sp[0])} has tried ", "Failed conservative treatment including "])
        s = lead + join_list(items) + "."
        return s
    if c == "not_tried":
        return pick([f"{cap(sp[0])} has not tried physical therapy and takes no regular medication for the pain.",
                     f"{cap(sp[0])} has not tried PT or NSAIDs yet.",
                     "No physical therapy or other conservative treatment has been tried so far."])
    if c == "declined":
        return pick([f"{cap(sp[0])} declined PT, citing work schedule, and has not tried anti-inflammatories.",
                     f"Physical therapy was offered and {sp[0]} declined PT; no medication trials so far."])
    return ""


def radic_text(f) -> str:
    sp = pron(f)
    limb = "arm" if f["region"] in ("cervical",) else "leg"
    if f["radic"] == "negated":
        return pick([f"{cap(sp[0])} denies radicular symptoms.", "No radiculopathy.", f"No radicular {limb} pain.",
                     f"{cap(sp[0])} denies radiating {limb} pain, numbness or tingling, and there is no radiculopathy on exam.",
                     "Negative for radicular symptoms."])
    if f["radic"] == "affirmed":
        side = pick(["left", "right"]) if f.get("side_mode") != "missing" else ""
        if f.get("side_mode") in ("left", "right"):
            side = f["side_mode"]
        side = (side + " ") if side else ""
        root = {"cervical": pick(["C6", "C7"]), "thoracic": "T8"}.get(f["region"], pick(["L5", "S1", "L4"]))
        return pick([f"{cap(sp[0])} also has {side}{root} radicular pain into the {limb} with paresthesias.",
                     f"There is a component of {side}{root} radiculopathy with radiating {limb} pain.",
                     f"{cap(sp[0])} reports radicular symptoms into the {side}{limb}."])
    return ""


DX = {
    "lumbar": [("Lumbar spondylosis", "M47.816"), ("Lumbosacral spondylosis", "M47.817"), ("Lumbar facet arthropathy", "M47.816")],
    "cervical": [("Cervical spondylosis", "M47.812"), ("Cervical facet arthropathy", "M47.812")],
    "thoracic": [("Thoracic spondylosis", "M47.814")],
    "thoracolumbar": [("Thoracolumbar spondylosis", "M47.815")],
    "multi": [("Cervical spondylosis", "M47.812")],
}
INVALID = {"lumbar": [("Low back pain", "M54.5"), ("Lumbar spondylosis", "M47.81"), ("Spondylosis", "M47.89")],
           "cervical": [("Cervical spondylosis", "M47.81"), ("Neck pain", "M54.2X")],
           "thoracic": [("Thoracic spondylosis", "M47.81")],
           "thoracolumbar": [("Spondylosis", "M47.81")],
           "multi": [("Spondylosis", "M47.81")]}


def dx_text(f) -> str:
    reg = f["region"]
    if f["dx"] == "missing":
        return ""
    if f["dx"] == "invalid":
        name, code = pick(INVALID[reg])
        return pick([f"{name} ({code})", f"{code} {name.lower()}", f"{name}, {code}"])
    name, code = pick(DX[reg])
    if reg == "multi":
        extra = "; lumbar spondylosis" + (" (M47.816)" if f["dx"] == "valid" else "")
    else:
        extra = ""
    qual = ""
    if f["radic"] == "negated" and chance(0.4):
        qual = " without myelopathy or radiculopathy"
    if f["dx"] == "valid":
        return pick([f"{name}{qual} ({code}){extra}", f"{code} - {name}{qual}{extra}", f"{name}{qual}, {code}{extra}"])
    return f"{name}{qual}{extra}"


def sedation_text(f) -> str:
    s = f["sed"]
    return {
        "none": pick(["None.", "No sedation was given.", "None; the patient remained awake."]),
        "local_only": pick(["Local only.", "Local anesthesia only, no IV sedation.", "Local anesthetic only."]),
        "none_field": "None",
        "not_mentioned": "",
        "iv": pick(["IV sedation with midazolam 2 mg and fentanyl 50 mcg, administered by the RN with continuous monitoring.",
                    "Moderate IV sedation (midazolam 1 mg IV) with pulse oximetry monitoring."]),
        "midazolam": pick(["Midazolam 2 mg IV for anxiety.", "Midazolam 1 mg IV prior to the procedure."]),
        "midazolam_fentanyl": "Midazolam 2 mg IV and fentanyl 50 mcg IV, titrated for comfort.",
        "mac": pick(["Monitored anesthesia care (MAC) provided by the anesthesia team with propofol.", "MAC by anesthesia."]),
        "versed": pick(["Versed 2 mg IV.", "1 mg Versed IV given for patient comfort."]),
        "general": "General anesthesia with LMA, provided by anesthesiology because of inability to tolerate prone positioning awake.",
        "na": "",
    }[s]


# --------------------------------------------------------------------------------------
# Facet procedure text
# --------------------------------------------------------------------------------------
def level_title(f) -> str:
    """Procedure line listing levels and sides (facet notes)."""
    joints, sm = f["joints"], f["side_mode"]
    proc = "medial branch block" if f["kind"] == "mbb" else "facet joint injection"
    procs = proc + "s" if (len(joints) > 1 or sm in ("bilateral",)) else proc
    if f["kind"] == "ia" and chance(0.5):
        procs = "intra-articular " + procs
    regword = region_words(f)[1]
    if f["levels_missing"]:
        side = {"bilateral": "bilateral ", "elsewhere": "", "left": "left ", "right": "right ", "missing": ""}[sm]
        return f"{cap(side)}{regword} {procs}".strip()
    if f["region"] == "multi":
        c, l = f["joints"]
        sidew = {"bilateral": "bilateral ", "elsewhere": "", "left": "left ", "right": "right ", "missing": ""}[sm]
        return f"{cap(sidew)}{fmt_joint(c, f['notation'])} cervical and {fmt_joint(l, f['notation'])} lumbar {procs}".strip()
    if sm == "mixed":
        parts = []
        for j, s in zip(joints, f["sides"]):
            parts.append(f"{s} {fmt_joint(j, f['notation'])}")
        return f"{cap(join_list(parts))} {regword} {procs}"
    expr = f["level_expr"]
    side = {"bilateral": pick(["bilateral ", "bilateral "]), "elsewhere": "", "left": "left ", "right": "right ", "missing": ""}[sm]
    jp, tag = joints_phrase(joints, f["notation"], allow_range=True)
    if tag.startswith("range") and expr != "nerve" and tag not in f["tags"]:
        f["tags"].append(tag)
    if expr == "nerve":
        np_ = nerves_phrase(nerves_for(joints))
        return cap(f"{side}{regword} medial branch blocks: {np_}".strip())
    if expr == "both":
        np_ = nerves_phrase(nerves_for(joints))
        return cap(f"{side}{jp} {regword} {procs} ({np_})")
    return cap(f"{side}{jp} {regword} {procs}")


def imaging_sentence(f) -> str:
    st = f["img_style"]
    reg = f["region"]
    if st == "fluoroscopy":
        return pick(["Under fluoroscopic guidance", "Using fluoroscopy", "With intermittent fluoroscopy",
                     "Under live fluoroscopy"])
    if st == "c_arm":
        return pick(["The C-arm was positioned and, under fluoroscopic imaging", "Using the C-arm"])
    if st == "image_intensifier":
        return "Using the image intensifier"
    if st == "fluoro_views":
        if reg in ("cervical",):
            return "Using lateral and AP fluoroscopic views"
        if reg in ("lumbar", "multi") and chance(0.5):
            return "Using an oblique fluoroscopic view to bring the Scottie dog into profile, confirmed with AP views"
        return "Using AP and oblique fluoroscopic views"
    if st == "ct":
        return pick(["Under CT guidance, after a planning scan with a grid on the skin", "Using CT guidance with axial images",
                     "With intermittent CT images (CT-guided)"])
    if st == "ultrasound":
        return pick(["Under real-time ultrasound guidance with a curvilinear probe",
                     "Using ultrasound guidance (linear high-frequency probe, in-plane approach)",
                     "Under sonographic guidance"])
    if st == "landmark":
        return "Using surface landmarks"
    if st == "palpation":
        return "By palpation of the point of maximal tenderness"
    if st == "negated":
        return "Without imaging (no fluoroscopy was used)"
    return "Then"


def target_sentence(f, joints, side_txt) -> str:
    """One sentence describing the targets on one side (side_txt '', 'right', 'left', 'right and left')."""
    s = f" on the {side_txt}" if side_txt else ""
    if f["kind"] == "mbb":
        if f["level_expr"] in ("nerve", "both"):
            return f"needles were advanced to {nerves_phrase(nerves_for(joints))}{s}"
        reg = f["region"]
        if reg in ("cervical",):
            where = "the waist of the articular pillar"
        elif reg in ("thoracic",):
            where = "the superolateral corner of the transverse process"
        else:
            where = "the junction of the superior articular process and transverse process"
        jp = join_list([fmt_joint(j, f["notation"]) for j in joints])
        return f"needles were placed at {where} for the medial branches supplying the {jp} facet joint{'s' if len(joints) > 1 else ''}{s}"
    jp = join_list([fmt_joint(j, f["notation"]) for j in joints])
    return pick([f"a spinal needle was advanced into the {jp} facet joint{'s' if len(joints) > 1 else ''}{s}",
                 f"the {jp} facet joint{'s were' if len(joints) > 1 else ' was'} entered{s}"])


def injectate_sentence(f) -> str:
    loc, st = f["local"], f["steroid"]
    unit = "per target" if f["kind"] == "mbb" else "per joint"
    if loc is None:
        return pick(["The medication was then injected without difficulty.", "The injectate was delivered per protocol.",
                     "The solution was injected slowly at each site."])
    vol = pick(["0.5 mL", "0.3 mL", "1 mL", "0.5 mL"]) if f["kind"] == "mbb" else pick(["1 mL", "1.5 mL", "0.8 mL"])
    if st:
        return pick([f"A mixture of {st} and {loc} was injected, {vol} {unit}.",
                     f"{cap(vol)} {unit} of {loc} with {st} was injected."])
    no = pick([" No steroid was used.", " No corticosteroid.", "", ""])
    return pick([f"{cap(vol)} of {loc} was injected {unit}.{no}", f"Each target received {vol} of {loc}.{no}"])


def technique_facet(f) -> list[str]:
    sp = pron(f)
    out = []
    mod = f["modality"]
    pos = "prone" if f["region"] != "cervical" or chance(0.7) else pick(["prone", "in the lateral decubitus position"])
    out.append(pick([f"The patient was placed {pos}.", f"Patient positioned {pos} on the table.", f"{cap(sp[0])} was positioned {pos}."]))
    out.append(pick(["The skin was prepped with chlorhexidine and draped in sterile fashion.", "Sterile prep and drape.",
                     "ChloraPrep, sterile drapes.", "The area was prepped with Betadine and draped."]))
    if f["intent_word"] == "unknown":
        out.append("Local skin anesthesia was obtained.")
    else:
        out.append(pick(["The skin was anesthetized with 1% lidocaine.", "Skin wheals with 1% lidocaine.", "Local infiltration with lidocaine."]))
    img = imaging_sentence(f)
    joints, sm = f["joints"], f["side_mode"]
    if f["levels_missing"]:
        side = {"bilateral": " bilaterally", "elsewhere": " bilaterally", "left": " on the left", "right": " on the right", "missing": ""}[sm]
        out.append(f"{img}, needles were advanced to the targets at the planned levels{side}.")
    elif f["region"] == "multi":
        c, l = joints
        sidetxt = {"bilateral": "right and left", "elsewhere": "right", "left": "left", "right": "right", "missing": ""}[sm]
        out.append(f"{img}, {target_sentence(f, [c], sidetxt)}.")
        out.append(f"Attention was then turned to the lumbar spine, and {target_sentence(f, [l], sidetxt)}.")
        if sm == "elsewhere":
            out.append("The same procedure was then carried out on the contralateral side at both levels.")
    elif sm == "mixed":
        for j, s in zip(joints, f["sides"]):
            st = "right and left" if s == "bilateral" else s
            out.append(f"{img if j == joints[0] else 'Then'}, {target_sentence(f, [j], st)}.")
    elif sm == "bilateral":
        st = pick(["right and left", "", ""])
        sent = f"{img}, {target_sentence(f, joints, st)}"
        if not st:
            sent += pick([" bilaterally", " on both sides"])
        out.append(sent + ".")
    elif sm == "elsewhere":
        first = pick(["right", "left"])
        other = "left" if first == "right" else "right"
        out.append(f"{img}, {target_sentence(f, joints, first)}.")
        f["_second_side"] = pick([
            "The same procedure was then carried out on the contralateral side.",
            f"This was repeated on the {other}.",
            f"The identical procedure was then performed on the {other} side.",
        ])
    elif sm == "missing":
        out.append(f"{img}, {target_sentence(f, joints, '')}.")
    else:
        out.append(f"{img}, {target_sentence(f, joints, sm)}.")
    if mod in ("fluoroscopy", "ct"):
        out.append(pick([f"Contrast ({pick(CONTRAST)}) confirmed appropriate spread without vascular uptake.",
                         f"{pick(CONTRAST)}, 0.2-0.5 mL per site, showed no intravascular flow.",
                         "Needle position was confirmed on the images before injection."]))
    elif mod == "ultrasound":
        out.append("Needle tip position was confirmed on the ultrasound image; no contrast was used.")
    if mod in ("fluoroscopy", "ct") and chance(0.6):
        out.append(pick(["There was no paresthesia during needle placement.", "Negative aspiration for blood and CSF was confirmed before injection.",
                         "Representative images were saved to the record."]))
    elif chance(0.5):
        out.append(pick(["There was no paresthesia during needle placement.", "Negative aspiration for blood and CSF was confirmed before injection."]))
    out.append(injectate_sentence(f))
    if f.get("_second_side"):
        out.append(f["_second_side"])
    out.append(pick(["The patient tolerated the procedure well.", "Vital signs remained stable throughout.",
                     "Blood pressure, heart rate and oxygen saturation were monitored throughout and remained stable.", ""]))
    out.append(pick(["The needles were removed and bandages applied.", "Needles withdrawn intact.", "All needles were removed."]))
    return out


def function_text(f) -> str:
    sp = pron(f)
    return " ".join(R.sample([
        f"The pain limits {sp[1]} ability to stand or walk for more than 20 minutes.",
        f"{cap(sp[0])} has trouble sleeping because of the pain and wakes when turning in bed.",
        f"{cap(sp[0])} has had to cut back on work hours and household chores.",
        f"Morning stiffness lasts about 30 minutes and the pain is worse at the end of the day.",
        f"Sitting for long periods and getting out of a car aggravate the pain; lying down and heat help.",
        f"{cap(sp[1])} goal is to return to walking and gardening without stopping.",
        f"{cap(sp[0])} works as a {pick(['bus driver', 'nurse', 'cashier', 'mechanic', 'teacher', 'accountant'])} and the pain makes a full shift difficult.",
        "Oswestry disability index today is 38%." if f["region"] != "cervical" else "Neck Disability Index today is 36%.",
        "There has been no recent trauma, fever, unexplained weight loss or bowel or bladder change.",
    ], k=R.randint(2, 4)))


def hpi_facet(f) -> list[str]:
    sp = pron(f)
    area, _ = region_words(f)
    dur, _ = duration_text(f)
    out = []
    who = pick([f"{f['age']}-year-old {'man' if f['sex'] == 'M' else 'woman'}", f"{f['age']} y/o {f['sex']}",
                f"{f['age']}-year-old {'male' if f['sex'] == 'M' else 'female'}"])
    loc = side_loc(f)
    s = f"{cap(who)} with {loc}{area} pain"
    if dur:
        s += f" {dur}"
    s += pick([", worse with extension and rotation.", ", worse with standing and twisting.", ", axial in nature.", "."])
    out.append(s)
    if f["region"] == "multi":
        pass
    elif not f["levels_missing"] and chance(0.5):
        js = f["joints"]
        extra = js + ([f"{js[-1].split('-')[1]}-{next_vert(js[-1].split('-')[1])}"] if js[-1].split("-")[1] not in ("S1", "T1") and js[-1][0] != "T" else [])
        out.append(pick(["MRI shows facet hypertrophy at ", "Imaging shows facet arthropathy at "]) + join_list([fmt_joint(j, "short") for j in extra]) + ".")
        if len(extra) > len(js):
            f["tags"].append("level_distractor")
    out.append(function_text(f))
    cc = cc_text(f)
    if cc:
        out.append(cc)
    rt = radic_text(f)
    if rt:
        out.append(rt)
    if f["strength_distractor"]:
        out.append(pick(["Strength 5/5 throughout.", "Motor 5/5 in all myotomes, reflexes 2+ and symmetric.", "5/5 strength bilaterally."])
                   if f["side_mode"] != "missing" else pick(["Strength 5/5 throughout.", "Motor 5/5 in all myotomes."]))
    if f["fraction_distractor"]:
        out.append(pick(["Extension is limited to about 2/3 of the way.", "Rotation is limited to 1/2 of normal."]))
    if f["short_date_distractor"]:
        out.append(pick([f"Last seen in clinic on {R.randint(1, 12)}/{R.randint(1, 28)}/{str(f['year'] - 1)[2:]}.",
                         f"Imaging dated {R.randint(1, 12):02d}/{R.randint(1, 28):02d}/{str(f['year'] - 1)[2:]} reviewed."]))
    if f.get("prior_relief"):
        pct, d = f["prior_relief"]
        out.append(pick([f"The prior block gave {pct}% relief for {d}.", f"After the last injection {sp[0]} reported {pct}% relief for {d}."]))
    if f["range_distractor"]:
        out.append(pick(["Pain ranges 4-6/10 at rest.", "Usual pain 3-5/10, higher with activity."]))
    if f["pain_fmt"] not in ("none", "from_to"):
        out.append(pain_pre_text(f))
    return out


def intent_sentence(f) -> str:
    w = f["intent_word"]
    blk = "block" if f["kind"] == "mbb" else "injection"
    return {
        "first": pick([f"This is the first diagnostic {blk}.", f"First diagnostic {blk}.", f"Diagnostic {blk} #1."]),
        "second": pick([f"This is the second diagnostic {blk}.", f"Second diagnostic {blk}."]),
        "confirmatory": pick([f"Confirmatory {blk}.", f"This is a confirmatory diagnostic {blk} following a positive first {blk}."]),
        "diagnostic": pick([f"Diagnostic {blk}.", f"The purpose of this {blk} is diagnostic."]),
        "therapeutic": pick([f"Therapeutic {blk}.", f"This is a therapeutic {blk}.", f"Intent: therapeutic."]),
        None: "",
        "unknown": "",
    }[w]


def plan_facet(f) -> str:
    if f["intent"] == "diagnostic":
        return pick(["Pain diary for 6-8 hours. Follow up in 2 weeks. If relief is 80% or greater, proceed as discussed.",
                     "Follow up 2 weeks with the pain diary.", "Return in 2 weeks to review the block response."])
    if f["intent"] == "therapeutic":
        return pick(["Follow up in 6 weeks.", "Return in 4-6 weeks to assess duration of relief.", "Clinic visit in 6 weeks."])
    return pick(["Follow up in 4 weeks.", "Return to clinic as scheduled."])


# --------------------------------------------------------------------------------------
# Non-facet procedures
# --------------------------------------------------------------------------------------
def rfa_text(f) -> tuple[str, list[str], list[str]]:
    if f["region"] == "cervical":
        joints = pick([["C4-C5", "C5-C6"], ["C5-C6"], ["C3-C4", "C4-C5"]])
        nerves = nerves_for(joints)
    else:
        joints = pick([["L4-L5", "L5-S1"], ["L3-L4", "L4-L5"], ["L5-S1"]])
        nerves = nerves_for(joints)
    side = pick(["bilateral", "right", "left"])
    jp = join_list([fmt_joint(j, pick(["short", "full"])) for j in joints])
    title = pick([f"{cap(side)} {jp} radiofrequency ablation of the medial branch nerves",
                  f"{cap(side)} {region_words(f)[1]} radiofrequency neurotomy, {nerves_phrase(nerves)}",
                  f"RFA {side} {jp}"])
    temp = pick(["80 C for 90 seconds", "80 degrees C for 90 seconds", "85 C for 90 seconds", "90 degrees Celsius for 60 seconds"])
    tech = [
        "Prone, sterile prep and drape.",
        f"Under fluoroscopic guidance (AP and oblique views), 18-gauge RF cannulae with 10 mm active tips were placed along {nerves_phrase(nerves)}"
        + (" bilaterally." if side == "bilateral" else f" on the {side}."),
        "Sensory stimulation at 50 Hz reproduced concordant pain below 0.6 V; motor stimulation at 2 Hz to 2 V showed multifidus contraction only, no extremity movement.",
        f"After 1 mL of {pick(['2% lidocaine', '1% lidocaine', '0.5% bupivacaine'])} at each site, each target was lesioned at {temp}.",
    ]
    if chance(0.3):
        tech.append(f"{pick(STEROIDS['dexamethasone'])} was injected through the cannulae after lesioning to reduce neuritis.")
    hist = [f"Two prior diagnostic medial branch blocks at these levels gave {pick([80, 85, 90])}% relief for {pick(['6 hours', '5 hours', '8 hours'])}."]
    f["percent_gold"] = None
    m = re.search(r"(\d+)% relief for ([\w ]+?)\.", hist[0])
    f["percent_gold"] = [{"percent": int(m.group(1)), "duration": m.group(2)}]
    f["tags"].extend(["rfa", "lesion_temperature", "percent_relief"])
    return title, tech, hist


def esi_text(f) -> tuple[str, list[str], list[str]]:
    sub = pick(["il", "tf", "tf", "caudal"]) if f["region"] == "lumbar" else "il_c"
    f["tags"].append({"il": "esi_interlaminar", "tf": "esi_transforaminal", "caudal": "esi_caudal", "il_c": "esi_interlaminar"}[sub])
    st = steroid_name()
    side = pick(["left", "right"])
    hist = []
    if chance(0.6):
        reg = "lumbar" if f["region"] == "lumbar" else "cervical"
        j = pick(["L4-5 and L5-S1", "L3-4 through L5-S1", "L4-L5"]) if reg == "lumbar" else pick(["C5-6 and C6-7", "C4-5"])
        hist.append(pick([f"MRI also shows facet arthropathy at {j}, which is not being treated today.",
                          f"Incidental {reg} facet arthropathy {j} noted.",
                          f"Facet injections at {j} were discussed but are not planned at this time."]))
        f["tags"].append("facet_distractor")
        if chance(0.5):
            f["extra_dx"] = f"{cap(reg)} facet arthropathy" + (" (M47.816)" if reg == "lumbar" else " (M47.812)")
    if sub == "il":
        lvl = pick(["L4-5", "L5-S1", "L3-4"])
        title = f"Lumbar interlaminar epidural steroid injection, {lvl}"
        tech = ["Prone with a pillow under the abdomen. Sterile prep and drape.",
                f"Under fluoroscopic guidance the {lvl} interlaminar space was identified in the AP view, slightly {side} of midline.",
                "A 20-gauge Tuohy needle was advanced using the loss-of-resistance technique with saline, with a contralateral oblique view to check depth.",
                f"Epidurogram with 2 mL {pick(CONTRAST)} showed epidural spread without vascular or intrathecal pattern.",
                f"{cap(st)} in 4 mL preservative-free saline was injected into the epidural space."]
    elif sub == "tf":
        lvl = pick(["L4-5", "L5-S1", "L3-4"])
        root = {"L4-5": "L4", "L5-S1": "L5", "L3-4": "L3"}[lvl]
        title = f"{cap(side)} {lvl} transforaminal epidural steroid injection ({side} {root} nerve root)"
        tech = ["Prone. Sterile prep and drape.",
                f"Under fluoroscopy the {side} {lvl} foramen was squared in an oblique view and a 22-gauge curved needle was advanced to the safe triangle below the {root} pedicle.",
                f"Lateral view confirmed position in the posterior foramen. {pick(CONTRAST)} outlined the {root} root and flowed into the epidural space with no vascular uptake under live fluoroscopy.",
                f"{cap(st)} with 1 mL preservative-free lidocaine was injected."]
    elif sub == "caudal":
        title = "Caudal epidural steroid injection"
        tech = ["Prone. Sterile prep.",
                "The sacral hiatus was identified by palpation and confirmed on lateral fluoroscopy.",
                "A 20-gauge Tuohy needle was advanced through the sacrococcygeal ligament into the caudal epidural space.",
                f"Epidurogram with 5 mL {pick(CONTRAST)} showed cephalad spread to L5 without intravascular flow.",
                f"{cap(st)} in 8 mL saline was injected."]
    else:
        lvl = pick(["C7-T1", "C6-7"])
        title = f"Cervical interlaminar epidural steroid injection at {lvl}"
        tech = ["Prone with the neck flexed. Sterile prep and drape.",
                f"Under AP fluoroscopy the {lvl} interlaminar space was identified; an 18-gauge Tuohy needle was advanced with contralateral oblique views and loss of resistance to saline.",
                f"Epidurography with 1.5 mL {pick(CONTRAST)} confirmed epidural spread.",
                f"{cap(st)} with 2 mL preservative-free saline was injected."]
    return title, tech, hist


def si_text(f) -> tuple[str, list[str], list[str]]:
    side = pick(["right", "left", "bilateral"])
    st = steroid_name() if chance(0.8) else None
    f["si_steroid"] = bool(st)
    loc = local_name()
    title = f"{cap(side)} sacroiliac joint injection{'s' if side == 'bilateral' else ''}"
    us = f["modality"] == "ultrasound"
    tech = ["Prone. Sterile prep and drape."]
    if us:
        tech.append("Under ultrasound guidance with a curvilinear probe the posterior superior iliac spine and the inferior SI joint cleft were identified.")
        tech.append("A 22-gauge spinal needle was advanced in-plane into the joint cleft.")
        f["tags"].append("ultrasound")
    else:
        tech.append("Under fluoroscopy with contralateral oblique tilt the inferior third of the SI joint was visualized.")
        tech.append(f"A 22-gauge spinal needle was advanced into the joint; an arthrogram with {pick(CONTRAST)} confirmed intra-articular spread.")
    tech.append(f"{'A mixture of ' + st + ' and ' + loc if st else cap(loc)}, 2 mL, was injected" + (" into each joint." if side == "bilateral" else "."))
    hist = [pick(["Positive thigh thrust, compression and FABER; 3 of 5 provocative tests positive.",
                  "Fortin finger sign positive; Gaenslen and distraction positive."])]
    if chance(0.5):
        hist.append(pick(["Prior L4-5 and L5-S1 medial branch blocks gave no relief.", "Lumbar facet arthropathy L4-5 on MRI is felt to be incidental."]))
        f["tags"].append("facet_distractor")
    f["tags"].append("si_joint")
    return title, tech, hist


def tpi_text(f) -> tuple[str, list[str], list[str]]:
    n = R.randint(2, 5)
    reg = f["region"]
    muscles = "lumbar paraspinal and quadratus lumborum" if reg == "lumbar" else "upper trapezius and levator scapulae"
    title = f"Trigger point injections, {n} muscles ({muscles})"
    tech = [pick(["Trigger points were identified by palpation as taut bands with a local twitch response.",
                  "Trigger points were marked by palpation."]),
            pick(["No fluoroscopy was used.", "No imaging guidance was needed.", ""]),
            f"After alcohol prep, a 27-gauge needle was inserted into each of {n} trigger points and, after negative aspiration, 1 mL of {local_name()} was injected at each.",
            "Pressure held; bandages applied."]
    hist = []
    if chance(0.5):
        hist.append("Prior facet injections at L4-5 helped only briefly." if reg == "lumbar" else "History of cervical facet arthropathy at C5-6, treated with RFA in the past.")
        f["tags"].append("facet_distractor")
    f["tags"].append("trigger_point")
    return title, [t for t in tech if t], hist


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
HEADERS = {
    "upper": {"proc": ["PROCEDURE", "PROCEDURE PERFORMED", "PROCEDURES"], "dx": ["PREOPERATIVE DIAGNOSIS", "DIAGNOSIS", "PRE-PROCEDURE DIAGNOSIS"],
              "ind": ["INDICATIONS", "HISTORY", "INDICATION"], "sed": ["SEDATION", "ANESTHESIA"],
              "tech": ["DESCRIPTION OF PROCEDURE", "TECHNIQUE", "PROCEDURE IN DETAIL"], "find": ["FINDINGS"],
              "comp": ["COMPLICATIONS"], "post": ["POST-PROCEDURE", "POSTPROCEDURE", "POST PROCEDURE"],
              "dispo": ["DISPOSITION"], "plan": ["PLAN", "FOLLOW-UP"], "meds": ["MEDICATIONS", "CURRENT MEDICATIONS"],
              "allergy": ["ALLERGIES"], "exam": ["PHYSICAL EXAMINATION", "EXAM", "FOCUSED EXAM"], "consent": ["CONSENT"],
              "vitals": ["PRE-PROCEDURE VITALS", "VITAL SIGNS"], "instr": ["DISCHARGE INSTRUCTIONS", "INSTRUCTIONS"]},
    "title": {"proc": ["Procedure", "Procedure Performed"], "dx": ["Diagnosis", "Pre-Procedure Diagnosis", "Preoperative Diagnosis"],
              "ind": ["Indications", "History", "Clinical History"], "sed": ["Sedation", "Anesthesia"],
              "tech": ["Technique", "Procedure Details", "Description"], "find": ["Findings"], "comp": ["Complications"],
              "post": ["Post-Procedure", "Post Procedure"], "dispo": ["Disposition"], "plan": ["Plan", "Follow-up"],
              "meds": ["Medications", "Current Medications"], "allergy": ["Allergies"], "exam": ["Physical Exam", "Exam"],
              "consent": ["Consent", "Informed Consent"], "vitals": ["Vitals", "Pre-Procedure Vitals"], "instr": ["Instructions", "Discharge Instructions"]},
}


def render_headers(f, sections: list[tuple[str, str]], case: str) -> str:
    lines = []
    if case == "upper":
        lines.append(pick(["PROCEDURE NOTE", "OPERATIVE REPORT", "INTERVENTIONAL PAIN PROCEDURE NOTE", "PAIN MANAGEMENT PROCEDURE NOTE"]))
        lines.append("")
        lines.append(f"DATE OF SERVICE: {f['date']}")
        if chance(0.5):
            lines.append(f"PATIENT: {f['name']}    PHYSICIAN: {f['doc']}")
        lines.append("")
    else:
        lines.append(pick([f"Procedure Note - {f['date']}", "Pain Procedure Note", "Spine Injection Procedure Note"]))
        lines.append(f"Date: {f['date']}")
        if chance(0.5):
            lines.append(f"Physician: {f['doc']}")
        lines.append("")
    inline = chance(0.6)
    for key, text in sections:
        if not text:
            continue
        h = pick(HEADERS[case][key])
        if inline or "\n" in text:
            lines.append(f"{h}: {text}" if "\n" not in text else f"{h}:\n{text}")
        else:
            lines.append(h)
            lines.append(text)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def render_run_on(f, sections) -> str:
    body = []
    for key, text in sections:
        if not text:
            continue
        if key == "proc":
            body.append(f"procedure today is {lf(text)}")
        elif key == "dx":
            body.append(f"diagnosis {text}")
        elif key == "sed":
            body.append(f"sedation {lf(text)}".rstrip("."))
        elif key == "comp":
            body.append(pick(["no complications", "complications none", "there were no complications"]))
        elif key in ("meds", "allergy", "vitals", "exam"):
            lab = {"meds": "meds", "allergy": "allergies", "vitals": "vitals", "exam": "exam"}[key]
            body.append(f"{lab} {text if key == 'vitals' else lf(text)}".rstrip("."))
        else:
            body.append(text.rstrip("."))
    s = ", ".join(x.strip() for x in body if x.strip())
    s = re.sub(r"\.\s+", ", ", s)
    opener = pick(["pt brought to the procedure room and consent confirmed, ", "the patient was identified and consent was signed, ",
                   "after time out, ", ""])
    return (opener + lf(s)).strip() + "\n"


def render_bullets(f, sections) -> str:
    lines = [pick([f"{region_words(f)[1].upper()} PROCEDURE - quick note", "Procedure note (brief)", "Proc note"]), f"- DOS: {f['date']}"]
    label = {"proc": "Procedure", "dx": "Dx", "ind": "Hx", "sed": "Sedation", "tech": "Technique", "find": "Findings",
             "comp": "Complications", "post": "Post", "dispo": "Dispo", "plan": "Plan", "meds": "Meds", "allergy": "All",
             "exam": "Exam", "consent": "Consent", "vitals": "VS", "instr": "Instr"}
    for key, text in sections:
        if not text:
            continue
        if key in ("ind", "tech"):
            sents = [s.strip() for s in re.split(r"(?<=\.)\s+", text) if s.strip()]
            lines.append(f"- {label[key]}:")
            for s in sents:
                lines.append(f"  - {s.rstrip('.')}")
        else:
            lines.append(f"- {label[key]}: {text.rstrip('.')}")
    return "\n".join(lines) + "\n"


def render_dictation(f, sections) -> str:
    sp = pron(f)
    paras = [pick([f"This is {f['doc'].split(',')[0]} dictating a procedure note for {f['name']}, date of service {f['date']}.",
                   f"Dictation for {f['name']}. Date of service {f['date']}. Dictating physician {f['doc']}."])]
    for key, text in sections:
        if not text:
            continue
        if key == "proc":
            paras.append(f"The procedure performed today was {lf(text)}.")
        elif key == "dx":
            paras.append(f"The diagnosis is {text}.")
        elif key == "sed":
            paras.append(f"Regarding sedation: {lf(text)}")
        elif key == "comp":
            paras.append(f"Complications: {text}")
        elif key in ("meds", "allergy", "vitals"):
            lab = {"meds": "Current medications", "allergy": "Allergies", "vitals": "Vital signs"}[key]
            paras.append(f"{lab}: {text}")
        else:
            paras.append(text)
    paras.append(pick(["End of dictation.", "That concludes the dictation. Thank you.", "End of report."]))
    return "\n\n".join(paras) + "\n"


def render_template(f, sections) -> str:
    d = dict(sections)
    lines = [pick(["INTERVENTIONAL SPINE PROCEDURE - TEMPLATE v3", "PROCEDURE NOTE [SmartText]", "PAIN CLINIC PROCEDURE RECORD"]),
             f"Date of service: {f['date']}", "Facility: ***", f"Referring provider: {pick(['***', f['doc']])}", ""]
    lines.append(f"Procedure: {d.get('proc') or '***'}")
    lines.append(f"Diagnosis: {d.get('dx') or '***'}")
    if f["kind"] in ("mbb", "ia"):
        w = f["intent_word"]
        box = lambda c: "[x]" if c else "[ ]"  # noqa: E731
        if w in (None, "unknown"):
            lines.append("Block type: ***")
        else:
            lines.append(f"Block type: {box(w in ('first', 'diagnostic'))} 1st diagnostic  {box(w in ('second', 'confirmatory'))} 2nd diagnostic  {box(w == 'therapeutic')} therapeutic")
    lines.append(f"Sedation: {d.get('sed') or '***'}")
    lines.append("")
    lines.append("History / indication:")
    lines.append(d.get("ind") or "***")
    lines.append(f"Medications: {d.get('meds') or '***'}")
    lines.append(f"Allergies: {d.get('allergy') or '***'}")
    lines.append(f"Exam: {d.get('exam') or '***'}")
    lines.append(f"Vitals: {d.get('vitals') or '***'}")
    lines.append(f"Consent: {d.get('consent') or '[ ] signed  ***'}")
    lines.append("")
    lines.append("Procedure description:")
    lines.append(d.get("tech") or "***")
    lines.append("")
    lines.append(f"Complications: {d.get('comp') or '***'}")
    lines.append(f"Post-procedure: {d.get('post') or '***'}")
    lines.append(f"Disposition: {d.get('dispo') or 'home'}")
    lines.append(f"Follow-up: {d.get('plan') or '*** weeks'}")
    lines.append("")
    lines.append("Electronically signed: ***")
    return "\n".join(lines) + "\n"


def exam_text(f) -> str:
    reg, sm = f["region"], f.get("side_mode")
    if sm in ("left", "right"):
        sw = f" on the {sm}"
    elif sm in ("bilateral", "elsewhere", "mixed"):
        sw = pick([" bilaterally", " on both sides", ""])
    else:
        sw = ""
    if reg in ("cervical",):
        pool = [f"Tenderness over the cervical facet columns{sw}.", f"Pain with extension and rotation{sw}.", "Spurling test negative.",
                "Shoulder range of motion full.", "Sensation intact in the upper extremities.", "No upper motor neuron signs."]
    elif reg in ("thoracic", "thoracolumbar"):
        pool = [f"Tenderness over the thoracic paraspinals{sw}.", "Pain with rotation and extension.", "No rib tenderness.",
                "No sensory level.", "Gait normal."]
    elif reg == "multi":
        pool = [f"Tenderness over the cervical and lumbar facets{sw}.", "Spurling and straight leg raise tests negative.", "Gait normal."]
    else:
        pool = [f"Tenderness over the lower lumbar facets{sw}.", f"Facet loading reproduces the pain{sw}.", "Straight leg raise negative.",
                "Hip range of motion full and painless.", "Sensation intact to light touch in the lower extremities.",
                pick(["Gait is normal.", "Gait is mildly antalgic."]), "No SI joint tenderness."]
    return " ".join(R.sample(pool, min(len(pool), R.randint(2, 4))))


def consent_text(f) -> str:
    return pick([
        "The risks, including bleeding, infection, nerve injury, increased pain, allergic reaction and failure to relieve pain, as well as benefits and alternatives, were discussed. All questions were answered and written consent was obtained.",
        "Informed consent was obtained after discussion of risks, benefits and alternatives. A time-out was performed to confirm identity, procedure and site.",
        "Consent signed. Universal protocol and time-out completed with the nurse and technologist.",
    ])


def vitals_text(f) -> str:
    f["tags"].append("vitals_distractor")
    return f"BP {R.randint(112, 168)}/{R.randint(62, 96)}, HR {R.randint(56, 98)}, SpO2 {R.randint(94, 100)}% on room air."


def meds_text(f) -> str:
    base = pick(["lisinopril, atorvastatin", "metformin, amlodipine", "levothyroxine, omeprazole", "sertraline, losartan", "no daily medications"])
    if f.get("cc") == "failed" and chance(0.5):
        base += ", " + pick(["acetaminophen as needed", "duloxetine 30 mg", "tramadol as needed"])
    return base + "."


def allergy_text(f) -> str:
    return pick(["NKDA.", "No known drug allergies.", "Penicillin (rash). No contrast allergy.", "Sulfa. No iodine or contrast allergy.",
                 "Codeine (nausea)."])


def instr_text(f) -> str:
    return pick(["Keep the bandages dry for 24 hours. No driving today. Call for fever, new weakness or severe pain.",
                 "Resume normal diet and medications. Ice as needed. Call the clinic for any signs of infection.",
                 "Written discharge instructions reviewed with the patient and driver."])


def extra_sections(f) -> dict:
    extra = {}
    if chance(0.85):
        extra["meds"] = meds_text(f)
    if chance(0.8):
        extra["allergy"] = allergy_text(f)
    if chance(0.9):
        extra["exam"] = exam_text(f)
    if chance(0.9):
        extra["consent"] = consent_text(f)
    if chance(0.65):
        extra["vitals"] = vitals_text(f)
    if chance(0.75):
        extra["instr"] = instr_text(f)
    return extra


def insert_extra(sections, extra):
    out = []
    for k, t in sections:
        out.append((k, t))
        if k == "ind":
            for key in ("meds", "allergy", "exam", "consent", "vitals"):
                if key in extra:
                    out.append((key, extra[key]))
        if k == "dispo" and "instr" in extra:
            out.append(("instr", extra["instr"]))
    return out


def build_facet(f) -> tuple[list[tuple[str, str]], str]:
    title = level_title(f)
    if f["code77003"]:
        title += pick([". Fluoroscopic guidance (77003)", "; fluoroscopy, CPT 77003"])
    if f["modality"] == "ct" and chance(0.5):
        title += " under CT guidance"
    elif f["modality"] == "ultrasound":
        title = "Ultrasound-guided " + (title if re.match(r"[A-Z]\d", title) else title[0].lower() + title[1:])
    elif f["modality"] == "fluoroscopy" and chance(0.5) and not f["code77003"]:
        title += pick([" under fluoroscopy", " with fluoroscopic guidance"])
    ind = " ".join(hpi_facet(f))
    it = intent_sentence(f)
    tech = technique_facet(f)
    if it:
        if chance(0.5) and len(it) < 40:
            title += f" ({it.rstrip('.').lower()})"
        else:
            ind += " " + it
    post = pain_post_text(f) if f["pain_fmt"] != "none" else pick(["Tolerated well.", "Stable, no new deficits."])
    post += " " + pick(["Observed in recovery for 20 minutes without incident.", "Neurologic exam unchanged from baseline.",
                        "Ambulating at baseline; no new numbness or weakness.", "Vital signs stable in recovery.", ""])
    post = post.strip()
    if f["pain_fmt"] == "from_to":
        # the pre value is stated in the post sentence; keep a single pre statement in HPI too
        pass
    sections = [
        ("proc", title),
        ("dx", dx_text(f)),
        ("ind", ind),
        ("sed", sedation_text(f)),
        ("tech", " ".join(tech)),
        ("find", pick(["", "", "Contrast pattern appropriate; no vascular uptake." if f["modality"] in ("fluoroscopy", "ct") else ""])),
        ("comp", pick(["None.", "None apparent.", "No complications."])),
        ("post", post),
        ("dispo", pick(["Discharged home in stable condition.", "Home with a driver.", "Discharged ambulatory."])),
        ("plan", plan_facet(f)),
    ]
    return insert_extra(sections, extra_sections(f)), title


def build_nonfacet(f) -> list[tuple[str, str]]:
    builder = {"rfa": rfa_text, "esi": esi_text, "si": si_text, "tpi": tpi_text}[f["kind"]]
    title, tech, hist = builder(f)
    if f["code77003"]:
        title += ", fluoroscopic guidance 77003"
    sp = pron(f)
    area = region_words(f)[0] if f["kind"] != "si" else pick(["buttock", "low back and buttock"])
    if f["kind"] == "esi":
        area = "low back and leg" if f["region"] == "lumbar" else "neck and arm"
    dur, _ = duration_text(f)
    who = f"{f['age']}-year-old {'man' if f['sex'] == 'M' else 'woman'}"
    ind = [f"{cap(who)} with {area} pain{(' ' + dur) if dur else ''}.", function_text(f)] + hist
    cc = cc_text(f)
    if cc:
        ind.append(cc)
    rt = radic_text(f)
    if rt:
        ind.append(rt)
    ind.append(pick(["Exam: tender to palpation over the painful area, gait normal.", "Exam shows reproducible tenderness; neurovascular status intact.",
                     "On exam the pain is reproduced with palpation and provocative maneuvers."]))
    ind.extend(R.sample(PAD, R.randint(1, 3)))
    if f["strength_distractor"]:
        ind.append(pick(["Strength 5/5.", "Motor strength 5/5 in both lower extremities." if f["region"] == "lumbar" else "Grip 5/5."]))
    if f["short_date_distractor"]:
        ind.append(f"Seen previously on {R.randint(1, 12)}/{R.randint(1, 28)}/{str(f['year'] - 1)[2:]}.")
    if f["range_distractor"]:
        ind.append("Pain fluctuates 4-6/10 at rest.")
    if f["pain_fmt"] not in ("none", "from_to"):
        ind.append(pain_pre_text(f))
    dx = dx_text(f) if f["kind"] in ("rfa",) else nonfacet_dx(f)
    if f.get("extra_dx"):
        dx = f"{dx}; {f['extra_dx']}"
    post = pain_post_text(f) if f["pain_fmt"] != "none" else "Stable."
    out = [
        ("proc", title),
        ("dx", dx),
        ("ind", " ".join(ind)),
        ("sed", sedation_text(f)),
        ("tech", " ".join(tech)),
        ("comp", "None."),
        ("post", post),
        ("dispo", pick(["Discharged home.", "Home, stable."])),
        ("plan", pick(["Follow up in 4 weeks.", "Return in 3-4 weeks.", "Follow up 6 weeks."])),
    ]
    return insert_extra(out, extra_sections(f))


def nonfacet_dx(f) -> str:
    k, reg = f["kind"], f["region"]
    if k == "esi":
        return pick(["Lumbar radiculopathy (M54.16)", "Lumbosacral radiculopathy, M54.17", "Lumbar stenosis with neurogenic claudication (M48.062) and radiculopathy"]) if reg == "lumbar" else "Cervical radiculopathy, M54.12"
    if k == "si":
        return pick(["Sacroiliac joint dysfunction (M53.3)", "Sacroiliitis, M46.1", "SI joint pain"])
    if k == "tpi":
        return pick(["Myofascial pain syndrome (M79.18)", "Myofascial pain, M79.10"])
    return dx_text(f)


def build_consult(f) -> str:
    sp = pron(f)
    reg = f["region"]
    area = region_words(f)[0]
    dur, _ = duration_text(f)
    who = f"{f['age']}-year-old {'man' if f['sex'] == 'M' else 'woman'}"
    j = {"lumbar": pick(["L4-5 and L5-S1", "L3-4, L4-5 and L5-S1", "L4-L5", "L5/S1"]), "cervical": pick(["C5-6", "C4-5 and C5-6", "C3-C4"]),
         "thoracic": pick(["T7-8", "T8-9 and T9-10"])}[reg]
    scen = pick(["planned", "history_rfa", "discussed", "post_block", "planned", "discussed"])
    f["tags"].append(f"consult_{scen}")
    hpi = [f"{cap(who)} {pick(['seen for', 'presenting with', 'returns for'])} {area} pain{(' ' + dur) if dur else ''}.", function_text(f),
           pick([f"The pain is {pick(['aching', 'dull and deep', 'sharp with certain movements'])} and mostly axial.",
                 "Pain is worse with extension and twisting and better with rest and heat."])]
    f["percent_gold"] = None
    if scen == "history_rfa":
        yr = f["year"] - R.randint(2, 5)
        hpi.append(pick([f"{cap(sp[0])} is s/p RFA {yr} at {j} with good relief for about a year.",
                         f"History of {j} radiofrequency ablation in {yr}."]))
    if scen == "post_block":
        pct, d = pick([80, 85, 90, 60, 50, 100]), pick(["6 hours", "5 hours", "4 hours", "7 hours"])
        hpi.append(f"{cap(sp[0])} had {pick(['bilateral', 'right', 'left'])} {j} medial branch blocks on {R.randint(1, 12)}/{R.randint(1, 28)}/{str(f['year'])[2:]} and reports {pct}% relief for {d} per the pain diary.")
        f["percent_gold"] = [{"percent": pct, "duration": d}]
    cc = cc_text(f)
    if cc:
        hpi.append(cc)
    rt = radic_text(f)
    if rt:
        hpi.append(rt)
    if f["range_distractor"]:
        hpi.append("Pain ranges 3-7/10 during the week.")
    if f["pain_fmt"] != "none":
        hpi.append(pain_pre_text(f))
    exam = [pick([f"Tenderness over the {j} facets.", "Paraspinal tenderness; facet loading positive.", "Pain with extension and rotation."])]
    if f["strength_distractor"]:
        exam.append("Strength 5/5 throughout, reflexes symmetric.")
    if f["fraction_distractor"]:
        exam.append("Range of motion limited to about 2/3 of normal.")
    if f["short_date_distractor"]:
        exam.append(f"MRI {R.randint(1, 12)}/{R.randint(1, 28)}/{str(f['year'] - 1)[2:]} reviewed: facet arthropathy at {j}.")
    plan = {
        "planned": pick([f"Will schedule {pick(['bilateral', 'right', 'left'])} {j} MBB under fluoroscopy.",
                         f"Plan diagnostic {j} medial branch blocks; if positive, radiofrequency ablation."]),
        "history_rfa": f"Consider repeat diagnostic blocks at {j} before any repeat RFA. Will schedule once authorization is obtained.",
        "discussed": pick([f"We discussed facet injections at {j}, medial branch blocks and RFA. {cap(sp[0])} wants to think about it.",
                           f"Discussed options including facet joint injections; {sp[0]} prefers to continue conservative care for now."]),
        "post_block": pick(["Proceed with a second confirmatory block.", "Schedule radiofrequency ablation at the same levels.",
                            "Response was not adequate; no further facet procedures planned."]),
    }[scen]
    dx = dx_text(f) if f["dx"] != "missing" else ""
    pmh = pick(["Hypertension, hyperlipidemia.", "Type 2 diabetes, hypothyroidism.", "Obstructive sleep apnea on CPAP, GERD.",
                "Atrial fibrillation on apixaban, hypertension.", "Osteoarthritis of both knees, remote appendectomy.", "No significant medical history."])
    meds = pick(["lisinopril, atorvastatin", "metformin, levothyroxine", "omeprazole, amlodipine", "apixaban, metoprolol", "none regularly besides vitamins"])
    social = pick(["Works as a warehouse supervisor. Non-smoker. Occasional alcohol.", "Retired teacher, lives with spouse. Former smoker, quit 15 years ago.",
                   "Desk job, exercises twice a week. No tobacco.", "Self-employed carpenter. Smokes half a pack per day; cessation discussed."])
    vitals = f"BP {R.randint(112, 156)}/{R.randint(64, 92)}, HR {R.randint(58, 96)}, BMI {R.randint(22, 36)}."
    f["tags"].append("vitals_distractor")
    ros = pick(["Negative for fever, weight loss, night sweats and bowel or bladder changes.",
                "No fevers, chills or unexplained weight loss. No saddle anesthesia or incontinence."])
    exam.insert(0, pick(["Well-appearing, in no distress.", "Alert, oriented, ambulates without an assistive device."]))
    exam.insert(1, "Vitals: " + vitals)
    imaging = pick([f"MRI of the {region_words(f)[1]} spine reviewed with the patient: degenerative changes with facet arthropathy at {j}, no high-grade stenosis.",
                    f"X-rays from last month show facet arthropathy at {j} and mild disc space narrowing.",
                    f"Prior CT myelogram shows facet hypertrophy at {j}; no cord or root compression."])
    prior = pick(["Prior workup includes plain films and labs from primary care, which were unremarkable apart from degenerative change.",
                  "Primary care referred for interventional options after several visits for the same complaint.",
                  "There is no history of spine surgery. No history of cancer, osteoporosis or recent infection."])
    hpi.append(prior)
    edu = pick(["All questions were answered and the patient agrees with the plan.",
                "We reviewed the natural history of facet-mediated pain, the role of diagnostic blocks, and the importance of staying active.",
                "Total time 40 minutes, more than half in counseling and coordination of care."])
    style = pick(["upper", "title", "soap"])
    if style == "upper":
        parts = [pick(["PAIN CLINIC FOLLOW-UP", "NEW PATIENT CONSULTATION", "SPINE CLINIC NOTE"]), "", f"DATE: {f['date']}",
                 f"PROVIDER: {f['doc']}", "", "HPI: " + " ".join(hpi), "", "PAST MEDICAL HISTORY: " + pmh, "", "MEDICATIONS: " + meds, "",
                 "SOCIAL HISTORY: " + social, "", "REVIEW OF SYSTEMS: " + ros, "", "EXAM: " + " ".join(exam), "", "IMAGING: " + imaging, "",
                 f"ASSESSMENT: {dx}" if dx else "", "", "PLAN: " + plan + " " + edu]
    elif style == "title":
        parts = [pick(["Follow-up Visit", "Consultation", "Office Visit"]), f"Date: {f['date']}", f"Provider: {f['doc']}", "",
                 "History of Present Illness", " ".join(hpi), "", "Past Medical History", pmh, "", "Medications", cap(meds), "",
                 "Social History", social, "", "Review of Systems", ros, "", "Physical Exam", " ".join(exam), "", "Imaging", imaging, "",
                 "Assessment", dx or "See HPI.", "", "Plan", plan + " " + edu]
    else:
        parts = [f"Clinic note {f['date']} - {f['doc']}", "", "S: " + " ".join(hpi) + " PMH: " + pmh + " Meds: " + meds + ". " + social + " ROS: " + ros,
                 "O: " + " ".join(exam) + " " + imaging, "A: " + (dx or "axial pain"), "P: " + plan + " " + edu]
    return "\n".join(p for p in parts) .replace("\n\n\n", "\n\n").strip() + "\n"


PAD = [
    "A time-out was performed confirming patient identity, procedure, levels and side.",
    "Allergies reviewed; no contrast or latex allergy.",
    "Anticoagulants: none. Last meal more than 6 hours ago.",
    "Imaging and prior records were reviewed before the procedure.",
]


def pad_sections(sections, f):
    """Add consent/monitoring sentences so that notes reach a realistic length (side-neutral text)."""
    out = list(sections)
    for i, (k, t) in enumerate(out):
        if k == "ind":
            n = R.randint(0, 2)
            add = [x for x in R.sample(PAD, n) if x not in t]
            if add:
                out[i] = (k, t + " " + " ".join(add))
    return out


def facet_gold(f) -> dict:
    fam = "medial_branch_block" if f["kind"] == "mbb" else "facet_joint_injection"
    levels = f["levels"]
    g = {"procedure": {"family": fam}, "imaging": {"modality": f["modality"]}, "levels": levels,
         "intent": {"value": f["intent"]}}
    cl = claim_lines(fam, f["modality"], levels, f["intent"])
    if cl is not None:
        g["claim_lines"] = cl
    flags = []
    if f["modality"] == "none":
        flags.append("IMAGING_MISSING")
    if f["modality"] == "ultrasound":
        flags.append("IMAGING_ULTRASOUND")
    if f["code77003"]:
        flags.append("IMAGING_UNBUNDLED")
    if not levels:
        flags.append("LEVELS_MISSING")
    if any(lv["side"] == "unspecified" for lv in levels):
        flags.append("LATERALITY_MISSING")
    for reg in ("ct", "ls"):
        if len([lv for lv in levels if region_code(lv["joint"]) == reg]) > 2:
            flags.append("LEVELS_OVER_LIMIT")
    if len({region_code(lv["joint"]) for lv in levels}) > 1:
        flags.append("MULTIPLE_REGIONS")
    if f["intent"] == "unknown":
        flags.append("INTENT_MISSING")
    if f["pain_fmt"] == "none":
        flags.append("PAIN_SCORE_MISSING")
    if f["dur"][0] == "missing":
        flags.append("PAIN_DURATION_MISSING")
    if f["cc"] != "failed":
        flags.append("CONSERVATIVE_CARE_MISSING")
    if f["dx"] == "missing":
        flags.append("DIAGNOSIS_MISSING")
    if f["radic"] == "affirmed":
        flags.append("RADICULOPATHY")
    if f["sed_given"]:
        flags.append("SEDATION")
    if f["steroid_in_dx"]:
        flags.append("STEROID_IN_DIAGNOSTIC")
    # an invalid written ICD-10 code (M47.81, M54.5) is a diagnosis that is documented: not DIAGNOSIS_MISSING
    # (the engine reports it with its own flag, ICD10_INVALID, which is outside the annotated flag list)
    g["flags"] = sorted(set(flags))
    return g


def common_gold(f, g: dict) -> dict:
    g["pain_scores"] = gold_pains(f)
    pr = None
    if f.get("prior_relief"):
        pct, d = f["prior_relief"]
        pr = [{"percent": pct, "duration": d}]
    if f.get("percent_gold"):
        pr = f["percent_gold"]
    if pr:
        g["percent_relief"] = pr
    g["conservative_care"] = {"failed": f["cc"] == "failed"}
    kind, v = f["dur"]
    _, months = duration_text_gold(f)
    if kind == "missing":
        g["pain_duration"] = {"months": None}
    elif months is not None:
        g["pain_duration"] = {"months": months}
    g["radiculopathy"] = {"status": f["radic"]}
    g["sedation"] = {"given": f["sed_given"]}
    return g


def duration_text_gold(f):
    kind, v = f["dur"]
    if kind == "months":
        return None, float(v)
    if kind == "years":
        return None, float(12 * v)
    if kind == "weeks":
        return None, None  # weeks -> months conversion left to the engine; not annotated
    return None, None


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def note_for(kind: str, idx: int, force: dict | None = None) -> tuple[str, dict, str]:
    f = sample_facts(kind, idx, force)
    if kind == "consult":
        text = build_consult(f)
        style = "consult"
        g = {"procedure": {"family": "no_procedure"}, "imaging": {"modality": "none"}, "levels": [], "claim_lines": [],
             "flags": ["NOT_FACET_PROCEDURE"]}
        common_gold(f, g)
        g["sedation"] = {"given": False}
        return text, g | {"_f": f}, style
    if kind in ("mbb", "ia"):
        sections, _ = build_facet(f)
        g = facet_gold(f)
    else:
        sections = build_nonfacet(f)
        fam = {"rfa": "radiofrequency_ablation", "esi": "epidural_injection", "si": "sacroiliac_joint", "tpi": "other_procedure"}[kind]
        g = {"procedure": {"family": fam}, "imaging": {"modality": f["modality"]}, "levels": [], "claim_lines": [],
             "flags": ["NOT_FACET_PROCEDURE"]}
        if kind == "esi" or (kind == "si" and f.get("si_steroid")):
            g["intent"] = {"value": "therapeutic"}
    sections = pad_sections(sections, f)
    style = pick(["uppercase_headers"] * 5 + ["title_case_headers"] * 3 + ["run_on"] * 2 + ["template"] * 2 + ["dictation"] * 2 + ["bullets"] * 2)
    if style == "uppercase_headers":
        text = render_headers(f, sections, "upper")
    elif style == "title_case_headers":
        text = render_headers(f, sections, "title")
    elif style == "run_on":
        text = render_run_on(f, sections)
    elif style == "bullets":
        text = render_bullets(f, sections)
    elif style == "dictation":
        text = render_dictation(f, sections)
    else:
        text = render_template(f, sections)
    common_gold(f, g)
    return text, g | {"_f": f}, style


def check(text: str, g: dict, f: dict) -> list[str]:
    """Consistency checks between the rendered text and the gold record."""
    problems = []
    if f.get("side_mode") == "missing" and SIDE_WORDS.search(text):
        problems.append("side word in a side-missing note")
    if f.get("intent_word") == "unknown" and re.search(r"lidocaine|bupivacaine|marcaine|ropivacaine|diagnostic|therapeutic|confirmatory", text, re.I):
        problems.append("intent cue in an intent-unknown note")
    if f.get("cc") == "missing" and re.search(r"\bPT\b|physical therapy|NSAID|chiropract|home exercise", text, re.I):
        problems.append("conservative care word in a cc-missing note")
    if f.get("radic") == "not_documented" and re.search(r"radicul|sciatica", text, re.I):
        problems.append("radicular word in a not-documented note")
    if f.get("modality") == "none" and f.get("kind") in ("mbb", "ia") and re.search(r"fluoro(?!scopy was used)|C-arm|CT[ -]guid|ultrasound", text, re.I):
        if not re.search(r"no fluoroscopy was used", text, re.I):
            problems.append("imaging word in a no-imaging facet note")
    if f.get("dx") == "missing" and re.search(r"spondylosis|arthropathy|M47|M54", text, re.I):
        problems.append("diagnosis word in a dx-missing note")
    if f.get("dur", ("",))[0] == "missing" and re.search(r"\b(for|x) (the past )?\d+ (months|years)|since \d{4}", text):
        problems.append("duration phrase in a duration-missing note")
    if not (900 <= len(text.encode()) <= 4096):
        problems.append(f"size {len(text.encode())}")
    return problems


# Phenomena that must appear a minimum number of times; every other attribute is random.
LUMB3 = (["L3-L4", "L4-L5", "L5-S1"], "lumbar")
FORCED = {
    "mbb": [{"intent_word": "unknown"}] * 3 + [{"side_mode": "missing"}] * 3
    + [{"levels_missing": True, "side_mode": "bilateral"}] * 2 + [{"multi": True}] * 2
    + [{"side_mode": "mixed", "joints": (["L4-L5", "L5-S1"], "lumbar")}] * 2
    + [{"side_mode": "mixed", "joints": (["C5-C6", "C6-C7"], "cervical")}]
    + [{"modality": "ultrasound"}] * 3 + [{"modality": "ct"}] * 3 + [{"modality": "none"}] * 4
    + [{"joints": (["C2-C3"], "cervical")}, {"joints": (["C2-C3", "C3-C4"], "cervical")}, {"joints": (["C2-C3", "C3-C4"], "cervical")}]
    + [{"joints": LUMB3}] * 3 + [{"joints": (["C3-C4", "C4-C5", "C5-C6"], "cervical")}]
    + [{"joints": (["T12-L1"], "thoracolumbar")}] * 2 + [{"steroid_in_dx": True}] * 3
    + [{"pain_none": True}] * 3 + [{"dur_missing": True}] * 3 + [{"dx_missing": True}] * 3,
    "ia": [{"intent_word": "unknown"}] * 3 + [{"side_mode": "missing"}] * 2 + [{"levels_missing": True, "side_mode": "right"}]
    + [{"multi": True}] * 2
    + [{"side_mode": "mixed", "joints": j} for j in ((["L4-L5", "L5-S1"], "lumbar"), (["C5-C6", "C6-C7"], "cervical"), (["L3-L4", "L4-L5"], "lumbar"))]
    + [{"modality": "ultrasound"}] * 3 + [{"modality": "ct"}] * 4 + [{"modality": "none"}] * 4
    + [{"joints": LUMB3}] * 2 + [{"joints": (["T12-L1"], "thoracolumbar")}] * 2 + [{"joints": (["C7-T1"], "cervical")}] * 2
    + [{"steroid_in_dx": True}] * 2 + [{"pain_none": True}] * 2 + [{"dur_missing": True}] * 2 + [{"dx_missing": True}] * 2,
}


def main() -> None:
    notes_dir = HERE / "notes"
    notes_dir.mkdir(parents=True, exist_ok=True)
    for old in notes_dir.glob("*.txt"):
        old.unlink()
    plan = FAMILY_PLAN[:N_NOTES]
    R.shuffle(plan)
    forced = {k: list(v) + [{}] * (plan.count(k) - len(v)) for k, v in FORCED.items()}
    for v in forced.values():
        R.shuffle(v)
    records = []
    for i, kind in enumerate(plan, start=1):
        nid = f"fc{i:04d}"
        force = forced[kind].pop() if kind in forced else {}
        for attempt in range(200):
            text, g, style = note_for(kind, i, force)
            f = g.pop("_f")
            if not check(text, g, f):
                break
        else:
            raise SystemExit(f"{nid}: could not generate a consistent note")
        (notes_dir / f"{nid}.txt").write_text(text, encoding="utf-8")
        rec = {"note_id": nid} | g
        rec["style"] = style
        rec["tags"] = sorted(set(f["tags"]))
        records.append(rec)
    with open(HERE / "gold.jsonl", "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
    # stratified split by family
    rs = random.Random(SPLIT_SEED)
    by_fam: dict[str, list[str]] = {}
    for rec in records:
        by_fam.setdefault(rec["procedure"]["family"], []).append(rec["note_id"])
    splits = {"train": [], "dev": [], "test": []}
    for fam in sorted(by_fam):
        ids = sorted(by_fam[fam])
        rs.shuffle(ids)
        n = len(ids)
        n_dev = round(n * 0.2)
        n_test = round(n * 0.2)
        splits["dev"] += ids[:n_dev]
        splits["test"] += ids[n_dev:n_dev + n_test]
        splits["train"] += ids[n_dev + n_test:]
    for k in splits:
        splits[k].sort()
    splits["seed"] = SPLIT_SEED
    (HERE / "splits.json").write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} notes")


if __name__ == "__main__":
    main()
