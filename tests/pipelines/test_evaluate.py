"""`facetcoder evaluate` on a 5-note gold/prediction pair: hand-checkable numbers, formats, CSV, plot, splits."""

from __future__ import annotations

import csv
import re
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.evaluate import load_splits, render, run, score_rows, select_split

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"

# 5 notes: family FJI->MBB error on b, intent error on c, a missing prediction for e.
GOLD = [
    {"note_id": "a", "procedure": {"family": "medial_branch_block"}, "intent": {"value": "diagnostic"},
     "levels": [{"joint": "L4-L5", "side": "bilateral"}], "claim_lines": [{"cpt": "64493", "modifiers": ["50", "KX"], "units": 1}],
     "flags": []},
    {"note_id": "b", "procedure": {"family": "facet_joint_injection"}, "intent": {"value": "therapeutic"},
     "levels": [{"joint": "C5-C6", "side": "right"}], "claim_lines": [{"cpt": "64490", "modifiers": ["RT"], "units": 1}],
     "flags": ["SEDATION"]},
    {"note_id": "c", "procedure": {"family": "medial_branch_block"}, "intent": {"value": "diagnostic"},
     "levels": [{"joint": "L3-L4", "side": "left"}], "flags": []},
    {"note_id": "d", "procedure": {"family": "epidural_injection"}, "levels": [], "claim_lines": [], "flags": ["NOT_FACET_PROCEDURE"]},
    {"note_id": "e", "procedure": {"family": "medial_branch_block"}, "intent": {"value": "therapeutic"}},
]
PRED = [
    {"note_id": "a", "procedure": {"family": "medial_branch_block"}, "intent": {"value": "diagnostic"},
     "levels": [{"joint": "L4-L5", "side": "bilateral"}], "claim_lines": [{"cpt": "64493", "modifiers": ["50", "KX"], "units": 1}],
     "flags": []},
    {"note_id": "b", "procedure": {"family": "medial_branch_block", "evidence": [{"start": 0, "end": 3, "text": "MBB"}]},
     "intent": {"value": "therapeutic"}, "levels": [{"joint": "C5-C6", "side": "right"}],
     "claim_lines": [{"cpt": "64490", "modifiers": ["RT"], "units": 1}], "flags": [{"id": "SEDATION"}]},
    {"note_id": "c", "procedure": {"family": "medial_branch_block"}, "intent": {"value": "therapeutic"},
     "levels": [{"joint": "L3-L4", "side": "left"}, {"joint": "L4-L5", "side": "left"}], "flags": []},
    {"note_id": "d", "procedure": {"family": "epidural_injection"}, "levels": [], "claim_lines": [],
     "flags": [{"id": "NOT_FACET_PROCEDURE"}]},
]
SPLITS = {"train": [], "dev": ["a", "b"], "test": ["c", "d", "e"], "seed": 7}


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    gold, pred, splits = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl", tmp_path / "splits.json"
    gold.write_text("\n".join(json.dumps(g) for g in GOLD) + "\n")
    pred.write_text("\n".join(json.dumps(p) for p in PRED) + "\n")
    splits.write_text(json.dumps(SPLITS))
    return {"gold": gold, "pred": pred, "splits": splits, "dir": tmp_path}


def invoke(*args: str):
    result = CliRunner().invoke(app, ["evaluate", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_numbers_by_hand(files):
    data = json.loads(invoke("--gold", str(files["gold"]), "--pred", str(files["pred"]), "--format", "json", "--resamples", "100"))
    f = data["fields"]
    assert data["n_notes"] == 5 and data["missing_predictions"] == ["e"]
    # family: a ok, b wrong, c ok, d ok, e (no prediction) wrong -> 3/5
    assert (f["procedure.family"]["correct"], f["procedure.family"]["score"]) == (3, 0.6)
    # intent on a,b,c,e: a ok, b ok, c wrong, e wrong -> 2/4
    assert (f["intent.value"]["correct"], f["intent.value"]["n_notes"], f["intent.value"]["score"]) == (2, 4, 0.5)
    # levels on a..d: tp a1 b1 c1, fp c1 (L4-L5 left) -> P 3/4, R 3/3, F1 6/7
    assert (f["levels"]["tp"], f["levels"]["fp"], f["levels"]["fn"]) == (3, 1, 0)
    assert f["levels"]["score"] == pytest.approx(6 / 7)
    # claim lines on a, b, d: all exact -> 3/3
    assert f["claim_lines.exact"]["score"] == 1.0 and f["claim_lines"]["tp"] == 2
    # flags on a..d: SEDATION tp, NOT_FACET_PROCEDURE tp -> F1 1.0
    assert (f["flags"]["tp"], f["flags"]["fp"], f["flags"]["fn"]) == (2, 0, 0)
    assert data["flags_by_id"]["SEDATION"]["score"] == 1.0
    assert data["confusion"]["procedure.family"]["facet_joint_injection"] == {"medial_branch_block": 1}


def test_table_and_markdown(files):
    table = invoke("--gold", str(files["gold"]), "--pred", str(files["pred"]), "--resamples", "50")
    assert re.search(r"^procedure\.family +accuracy +5 +0\.600 +\[", table, re.M) and "3/5" in table and "no prediction for 1 note(s): e" in table
    md = invoke("--gold", str(files["gold"]), "--pred", str(files["pred"]), "-f", "markdown", "--resamples", "50")
    assert "| procedure.family | accuracy | 5 | 0.600 |" in md and "### confusion: procedure.family" in md
    bad = CliRunner().invoke(app, ["evaluate", "--gold", str(files["gold"]), "--pred", str(files["pred"]), "-f", "xml"])
    assert bad.exit_code == 2


def test_errors_csv_and_plot(files):
    errors, plot = files["dir"] / "errors.csv", files["dir"] / "scores.png"
    invoke("--gold", str(files["gold"]), "--pred", str(files["pred"]), "--errors", str(errors), "--plot", str(plot),
           "--resamples", "50")
    rows = list(csv.DictReader(errors.open()))
    assert rows[0].keys() == {"note_id", "field", "gold", "predicted", "evidence"}
    fam = [r for r in rows if r["field"] == "procedure.family"]
    assert [(r["note_id"], r["gold"], r["predicted"], r["evidence"]) for r in fam] == [
        ("b", "facet_joint_injection", "medial_branch_block", "MBB"), ("e", "medial_branch_block", "(none)", "")]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_flags_scope(files):
    base = ["--gold", str(files["gold"]), "--pred", str(files["pred"]), "-f", "json", "--resamples", "20"]
    only = json.loads(invoke(*base, "--flags-scope", "SEDATION"))
    assert list(only["flags_by_id"]) == ["SEDATION"] and only["fields"]["flags"]["tp"] == 1
    assert only["flag_ids"] == ["SEDATION"]
    in_gold = json.loads(invoke(*base, "--flags-scope", "gold"))
    assert in_gold["flag_ids"] == ["NOT_FACET_PROCEDURE", "SEDATION"]


def test_split_selection(files):
    # splits.json next to the gold file is found by default; test = c, d, e
    data = json.loads(invoke("--gold", str(files["gold"]), "--pred", str(files["pred"]), "--split", "test", "-f", "json",
                             "--resamples", "50"))
    assert data["n_notes"] == 3 and data["fields"]["procedure.family"]["correct"] == 2  # c, d ok; e missing -> 2/3
    assert data["fields"]["procedure.family"]["n_notes"] == 3
    assert select_split(GOLD, "dev", load_splits(files["splits"]))[1]["note_id"] == "b"
    with pytest.raises(ValueError):
        select_split(GOLD, "nope", SPLITS)
    assert load_splits_from_mapping(files["dir"]) == {"dev": ["a"], "test": ["b"]}


def load_splits_from_mapping(tmp: Path) -> dict:
    (tmp / "s2.json").write_text(json.dumps({"a": "dev", "b": "test"}))
    return load_splits(tmp / "s2.json")


def test_run_api_and_rows(files):
    ev = run(files["gold"], pred_path=files["pred"], resamples=50)
    rows = score_rows(ev.report)
    assert rows[0][:4] == ["field", "metric", "n", "score"]
    assert "rules-only vs rules+model" not in render(ev.report)
    with pytest.raises(ValueError):
        run(files["gold"], pred_path=files["pred"], compare_models=True)


def test_notes_mode_runs_the_pipeline(tmp_path):
    """--notes analyses the notes itself; the golden notes' family and imaging are what the rules must get."""
    ids = ["golden_01", "golden_02"]
    gold = [json.loads(l) for l in (GOLDEN / "expected.jsonl").read_text().splitlines() if l.strip()]
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(g) for g in gold if g["note_id"] in ids) + "\n")
    data = json.loads(invoke("--gold", str(tmp_path / "gold.jsonl"), "--notes", str(GOLDEN), "--rules-only",
                             "-f", "json", "--resamples", "20"))
    assert data["n_notes"] == 2 and data["missing_predictions"] == []
    assert data["fields"]["procedure.family"]["n_notes"] == 2
